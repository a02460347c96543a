//! The `cargo train` program, for any [`Kit`]: `src/main.rs` runs it on
//! your crates.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use ndarray::{Axis, Ix4};
use serde_json::json;
use support::random::rng;

use crate::gate;
pub use crate::gate::Gate;
use crate::kit::{Kit, Uses};
use crate::{lenet, mnist, plots, sequence};

/// Train a network on your own functions and draw what it learned.
#[derive(Parser, Debug)]
#[command(name = "cargo train", bin_name = "cargo train")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// A LeNet on MNIST-5k (4,000 training and 1,000 test digits); writes
    /// plots and summary.json under target/train/mnist/.
    Mnist {
        /// Passes over the training images.
        #[arg(long, default_value_t = 10)]
        epochs: usize,
        /// Images per step.
        #[arg(long, default_value_t = 16)]
        batch: usize,
        /// Adam's learning rate (it then decays along a cosine to a tenth).
        #[arg(long, default_value_t = lenet::Config::default().lr)]
        lr: f64,
        /// Threads of the pool your functions may use (rayon); default: every core.
        #[arg(long)]
        threads: Option<usize>,
        /// The seed of the weights, the order of the images and dropout.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// The dropout rate before the last layer.
        #[arg(long, default_value_t = lenet::Config::default().dropout)]
        dropout: f64,
        /// Move each training image by up to this many pixels, at random (0: never).
        #[arg(long, default_value_t = lenet::Config::default().shift)]
        shift: usize,
        /// Units of the hidden linear layer.
        #[arg(long, default_value_t = lenet::Config::default().hidden)]
        hidden: usize,
        /// Train on the first N training images only (a quick try).
        #[arg(long)]
        limit: Option<usize>,
        /// Where the plots and summary.json go.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The folder of the MNIST-5k files.
        #[arg(long)]
        data: Option<PathBuf>,
        /// Train even when `cargo grade` fails a task the network uses.
        #[arg(long)]
        unchecked: bool,
    },
    /// A causal attention model that learns to reverse digits; writes
    /// attention heat maps and summary.json under target/train/sequence/.
    Sequence {
        /// Optimiser steps, each on a fresh batch of sequences.
        #[arg(long, default_value_t = sequence::Config::default().steps)]
        steps: usize,
        /// Sequences per step.
        #[arg(long, default_value_t = sequence::Config::default().batch)]
        batch: usize,
        /// Adam's learning rate (it then decays along a cosine to a tenth).
        #[arg(long, default_value_t = sequence::Config::default().lr)]
        lr: f64,
        /// Attention layers.
        #[arg(long, default_value_t = sequence::Config::default().layers)]
        layers: usize,
        /// Digits to reverse.
        #[arg(long, default_value_t = sequence::Config::default().digits)]
        digits: usize,
        /// Attention without the causal mask: each position also sees the later ones.
        #[arg(long)]
        unmasked: bool,
        /// Threads of the pool your functions may use (rayon); default: every core.
        #[arg(long)]
        threads: Option<usize>,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Where the plots and summary.json go.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Train even when `cargo grade` fails a task the model uses.
        #[arg(long)]
        unchecked: bool,
    },
}

/// The workspace's `target/train/<name>`.
pub fn default_out(name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap_or(Path::new(".")).join("target"));
    target.join("train").join(name)
}

/// Parses the command line and runs it with `kit`, after `gate` has
/// vouched for its functions: the exit status is 0 after a run, 1 when a
/// function the run needs is not written or not right yet or the run
/// fails, 2 on bad arguments.
pub fn main(kit: Kit, gate: Gate) -> ExitCode {
    let cli = Cli::parse();
    match run(&kit, gate, cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Stops with the list of the functions `uses` needs that still reach a `todo!()`.
/// Then, for your functions, stops with the grader's tasks they fail.
fn require(kit: &Kit, gate: Gate, uses: Uses, command: &str, unchecked: bool) -> Result<()> {
    let missing = kit.missing(uses);
    if missing.is_empty() {
        return match gate {
            Gate::Trusted => Ok(()),
            Gate::Grader if unchecked => {
                eprintln!("warning: --unchecked: training without asking the grader first");
                Ok(())
            }
            Gate::Grader => graded(uses, command),
        };
    }
    anyhow::bail!(
        "`cargo train {command}` runs on your functions, and these still reach their `todo!()` (or panic on a tiny input):\n  {}\nWrite them first (`cargo grade --task {}` shows the next one).",
        missing.join("\n  "),
        missing[0].split("::").nth(1).unwrap_or_default()
    )
}

fn graded(uses: Uses, command: &str) -> Result<()> {
    eprintln!("checking the functions `cargo train {command}` uses with the grader ...");
    let failing = gate::failing(uses)?;
    let Some(first) = failing.first() else { return Ok(()) };
    anyhow::bail!(
        "`cargo train {command}` would train garbage: the grader fails these tasks of the functions it uses:\n  {}\n`cargo grade --task {}` shows the first in full (or train anyway with --unchecked).",
        failing.join("\n  "),
        first.split(':').next().unwrap_or_default()
    )
}

fn threads(count: Option<usize>) {
    let count = count.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    // Fails only when a pool already exists (a second run in one process): keep that one.
    let _ = rayon::ThreadPoolBuilder::new().num_threads(count.max(1)).build_global();
}

fn write(dir: &Path, name: &str, text: &str) -> Result<()> {
    let path = dir.join(name);
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// Runs one command.
pub fn run(kit: &Kit, gate: Gate, command: Command) -> Result<()> {
    match command {
        Command::Mnist {
            epochs,
            batch,
            lr,
            threads: count,
            seed,
            dropout,
            shift,
            hidden,
            limit,
            out,
            data,
            unchecked,
        } => {
            require(kit, gate, Uses::Mnist, "mnist", unchecked)?;
            threads(count);
            let config = lenet::Config { epochs, batch, lr, seed, dropout, shift, hidden, ..lenet::Config::default() };
            let data = mnist::load(&data.unwrap_or_else(mnist::default_dir))?;
            let train = data.train.take(limit.unwrap_or(usize::MAX));
            mnist_run(kit, &config, &train, &data.test, &out.unwrap_or_else(|| default_out("mnist")))
        }
        Command::Sequence { steps, batch, lr, layers, digits, unmasked, threads: count, seed, out, unchecked } => {
            require(kit, gate, Uses::Sequence, "sequence", unchecked)?;
            threads(count);
            let config = sequence::Config {
                steps,
                batch,
                lr,
                layers,
                digits,
                seed,
                causal: !unmasked,
                ..sequence::Config::default()
            };
            sequence_run(kit, &config, &out.unwrap_or_else(|| default_out("sequence")))
        }
    }
}

fn bar(len: usize, prefix: String) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    let style = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg}")
        .expect("a valid template")
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_prefix(prefix);
    bar
}

/// Trains the LeNet, prints a line per epoch, and writes the plots and
/// `summary.json` into `out`.
pub fn mnist_run(
    kit: &Kit,
    config: &lenet::Config,
    train: &mnist::Split,
    test: &mnist::Split,
    out: &Path,
) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let (train_x, test_x) = (train.normalised(), test.normalised());
    eprintln!(
        "LeNet on MNIST-5k: {} training and {} test images, {} epochs, batch {}, Adam lr {}, seed {}",
        train.len(),
        test.len(),
        config.epochs,
        config.batch,
        config.lr,
        config.seed
    );
    let epochs = config.epochs;
    let mut progress = |epoch: usize| -> lenet::Tick {
        let bar = bar(train.len(), format!("epoch {:>2}/{epochs}", epoch + 1));
        let start = Instant::now();
        Box::new(move |done, total, loss, accuracy| {
            let rate = done as f64 / start.elapsed().as_secs_f64().max(1e-9);
            bar.set_position(done as u64);
            bar.set_message(format!("loss {loss:.4}  acc {:.1}%  {rate:.0} img/s", 100.0 * accuracy));
            if done == total {
                bar.finish_and_clear();
            }
        })
    };
    let mut report = |epoch: usize, e: &lenet::Epoch| {
        eprintln!(
            "epoch {:>2}/{epochs}: train loss {:.4}, train accuracy {:.2}%, test accuracy {:.2}%, {:.1} s ({:.0} img/s)",
            epoch + 1,
            e.train_loss,
            100.0 * e.train_accuracy,
            100.0 * e.test_accuracy,
            e.seconds,
            train.len() as f64 / e.seconds.max(1e-9)
        );
    };
    let (mut net, history) = lenet::train(
        kit,
        config,
        lenet::Examples { images: &train_x, labels: &train.labels },
        lenet::Examples { images: &test_x, labels: &test.labels },
        &mut progress,
        &mut report,
    )?;
    let predicted = net.predict(kit, &test_x, 100)?;
    let test_accuracy = lenet::accuracy(&predicted, &test.labels);

    let losses: Vec<f64> = history.iter().map(|e| e.train_loss).collect();
    let train_acc: Vec<f64> = history.iter().map(|e| e.train_accuracy).collect();
    let test_acc: Vec<f64> = history.iter().map(|e| e.test_accuracy).collect();
    write(
        out,
        "loss.svg",
        &plots::epochs_plot("Training loss", "epoch", "cross-entropy", &[("train", &losses)], None),
    )?;
    write(
        out,
        "accuracy.svg",
        &plots::epochs_plot(
            "Accuracy",
            "epoch",
            "accuracy",
            &[("test", &test_acc), ("train", &train_acc)],
            Some((plots::accuracy_floor(&[&test_acc, &train_acc]), 1.0)),
        ),
    )?;
    write(out, "confusion.svg", &plots::confusion_matrix(&lenet::confusion(&predicted, &test.labels)))?;
    let wrong: Vec<usize> = (0..test.len()).filter(|&i| predicted[i] != test.labels[i]).take(32).collect();
    let wrong_images = test.images.select(Axis(0), &wrong);
    let wrong_predicted: Vec<usize> = wrong.iter().map(|&i| predicted[i]).collect();
    let wrong_true: Vec<usize> = wrong.iter().map(|&i| test.labels[i]).collect();
    write(out, "misclassified.svg", &plots::misclassified(wrong_images.view(), &wrong_predicted, &wrong_true))?;
    write(out, "filters.svg", &plots::filters(net.conv1.weight.typed::<Ix4>()))?;
    let summary = json!({
        "task": "mnist",
        "epochs": config.epochs,
        "seconds_per_epoch": history.iter().map(|e| e.seconds).collect::<Vec<_>>(),
        "train_loss": losses,
        "test_accuracy_per_epoch": test_acc,
        "final_train_loss": losses.last().copied(),
        "test_accuracy": test_accuracy,
        "train_images": train.len(),
        "test_images": test.len(),
        "seed": config.seed,
        "hyperparameters": {
            "batch": config.batch,
            "optimiser": "adam",
            "lr": config.lr,
            "schedule": "cosine to lr / 10",
            "dropout": config.dropout,
            "shift": config.shift,
            "threads": rayon::current_num_threads(),
            "architecture": format!(
                "conv 1->{c1} {k}x{k}, relu, maxpool 2, conv {c1}->{c2} {k}x{k}, relu, maxpool 2, linear {f}->{h}, relu, dropout {d}, linear {h}->10",
                c1 = config.conv1, c2 = config.conv2, k = config.kernel, h = config.hidden, d = config.dropout,
                f = config.conv2 * (mnist::SIDE / 4) * (mnist::SIDE / 4)
            ),
        },
    });
    write(out, "summary.json", &(serde_json::to_string_pretty(&summary)? + "\n"))?;
    eprintln!(
        "test accuracy {:.2}%; wrote loss.svg, accuracy.svg, confusion.svg, misclassified.svg, filters.svg and summary.json to {}",
        100.0 * test_accuracy,
        out.display()
    );
    Ok(())
}

/// Trains the sequence model, prints a line per evaluation, and writes the
/// attention maps and `summary.json` into `out`.
pub fn sequence_run(kit: &Kit, config: &sequence::Config, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let test = sequence::sequences(1000, config.digits, &mut rng(config.seed ^ 0x7e57));
    eprintln!(
        "Reversing {} digits with {} causal attention layer(s) of {} features: {} steps of {} sequences, Adam lr {}, seed {}",
        config.digits, config.layers, config.dim, config.steps, config.batch, config.lr, config.seed
    );
    let start = Instant::now();
    let bar = bar(config.steps, "steps".to_string());
    let mut on_step = |_step: usize, loss: f64| {
        bar.inc(1);
        bar.set_message(format!("loss {loss:.4}"));
    };
    let mut on_checkpoint = |c: &sequence::Checkpoint| {
        bar.suspend(|| {
            eprintln!(
                "step {:>5}: train loss {:.4}, token accuracy {:.2}%, sequences right {:.1}%",
                c.step,
                c.train_loss,
                100.0 * c.token_accuracy,
                100.0 * c.sequence_accuracy
            )
        });
    };
    let (mut model, history) = sequence::train(kit, config, &test, &mut on_step, &mut on_checkpoint)?;
    bar.finish_and_clear();
    let seconds = start.elapsed().as_secs_f64();
    let (token_accuracy, sequence_accuracy) = sequence::evaluate(&mut model, kit, &test, config.digits)?;

    let losses: Vec<f64> = history.iter().map(|c| c.train_loss).collect();
    let accuracy: Vec<f64> = history.iter().map(|c| c.token_accuracy).collect();
    let every = config.eval_every;
    write(
        out,
        "loss.svg",
        &plots::epochs_plot(
            "Training loss",
            &format!("evaluation (every {every} steps)"),
            "cross-entropy",
            &[("train", &losses)],
            None,
        ),
    )?;
    write(
        out,
        "accuracy.svg",
        &plots::epochs_plot(
            "Token accuracy",
            &format!("evaluation (every {every} steps)"),
            "accuracy",
            &[("held out", &accuracy)],
            Some((0.0, 1.0)),
        ),
    )?;
    // The weights of a few held-out examples, one map per example and layer.
    let examples = test.slice(ndarray::s![..3, ..]).to_owned();
    let (inputs, _) = sequence::inputs_and_targets(&examples, config.digits);
    model.forward(kit, inputs.clone())?;
    let mut maps = Vec::new();
    for (l, layer) in model.attention.iter().enumerate() {
        let weights = layer.weights()?;
        for e in 0..examples.nrows() {
            let tokens: Vec<String> = inputs.row(e).iter().map(|&t| sequence::token_label(t)).collect();
            let digits: String = tokens[..config.digits].concat();
            let title = format!("Attention weights, layer {}, example {} ({digits})", l + 1, e + 1);
            let name = format!("attention-layer{}-example{}.svg", l + 1, e + 1);
            write(out, &name, &plots::attention_map(&title, &tokens, weights.index_axis(Axis(0), e)))?;
            maps.push(name);
        }
    }
    let summary = json!({
        "task": "sequence: reverse digits after a separator",
        "digits": config.digits,
        "steps": config.steps,
        "seconds": seconds,
        "train_loss": losses,
        "token_accuracy_per_evaluation": accuracy,
        "final_train_loss": losses.last().copied(),
        "token_accuracy": token_accuracy,
        "sequence_accuracy": sequence_accuracy,
        "test_sequences": test.nrows(),
        "seed": config.seed,
        "hyperparameters": {
            "batch": config.batch,
            "optimiser": "adam",
            "lr": config.lr,
            "schedule": "cosine to lr / 10",
            "dim": config.dim,
            "layers": config.layers,
            "eval_every": config.eval_every,
            "causal": config.causal,
            "threads": rayon::current_num_threads(),
        },
        "attention_maps": maps,
    });
    write(out, "summary.json", &(serde_json::to_string_pretty(&summary)? + "\n"))?;
    eprintln!(
        "token accuracy {:.2}%, sequences right {:.1}% in {seconds:.1} s; wrote loss.svg, accuracy.svg, {} attention maps and summary.json to {}",
        100.0 * token_accuracy,
        100.0 * sequence_accuracy,
        maps.len(),
        out.display()
    );
    Ok(())
}
