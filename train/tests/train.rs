//! The provided training code: what it does with functions that are not
//! written yet, its plumbing (on stand-ins that return zeros), the files it
//! writes, and, once your functions are written, its gradients and a tiny
//! training run on them.

use std::process::Command;

use ndarray::{Array1, Array2, Array3, Array4, ArrayD, Ix1, Ix2, Ix4};
use train::kit::Kit;
use train::{Uses, app, checks, gate, lenet, mnist, plots, sequence};

#[path = "../src/main.rs"]
#[allow(dead_code)]
mod bin;

/// Stand-ins that return zeros of the right shapes: enough to run the
/// plumbing, nothing learns.
fn zeros() -> Kit {
    Kit {
        conv2d: |x, w| Ok(Array4::zeros((x.dim().0, w.dim().0, x.dim().2, x.dim().3))),
        conv2d_backward: |x, w, _| Ok((Array4::zeros(x.raw_dim()), Array4::zeros(w.raw_dim()))),
        maxpool2d: |x, (kh, kw)| Ok(Array4::zeros((x.dim().0, x.dim().1, x.dim().2 / kh, x.dim().3 / kw))),
        maxpool2d_backward: |x, _, _| Ok(Array4::zeros(x.raw_dim())),
        relu: |x| ArrayD::zeros(x.raw_dim()),
        relu_backward: |x, _| Ok(ArrayD::zeros(x.raw_dim())),
        dropout: |x, _, _| Ok((ArrayD::zeros(x.raw_dim()), ArrayD::zeros(x.raw_dim()))),
        dropout_backward: |m, _| Ok(ArrayD::zeros(m.raw_dim())),
        linear: |x, w, _| Ok(Array2::zeros((x.nrows(), w.nrows()))),
        linear_backward: |x, w, _| {
            Ok((Array2::zeros(x.raw_dim()), Array2::zeros(w.raw_dim()), Array1::zeros(w.nrows())))
        },
        cross_entropy: |_, _| Ok(10f64.ln()),
        cross_entropy_backward: |l, _| Ok(Array2::zeros(l.raw_dim())),
        gate: |x, _, _| Ok(ArrayD::zeros(x.raw_dim())),
        gate_backward: |x, _, _, _| {
            Ok((ArrayD::zeros(x.raw_dim()), ArrayD::zeros(x.raw_dim()), ArrayD::zeros(x.raw_dim())))
        },
        attention: |q, _, v, _| Ok(Array3::zeros((q.dim().0, q.dim().1, v.dim().2))),
        attention_backward: |q, k, v, _, _| {
            Ok((Array3::zeros(q.raw_dim()), Array3::zeros(k.raw_dim()), Array3::zeros(v.raw_dim())))
        },
    }
}

#[test]
fn missing_functions_are_named_in_the_order_of_the_notes() {
    let mut kit = zeros();
    assert!(kit.missing(Uses::Mnist).is_empty() && kit.missing(Uses::Sequence).is_empty());
    kit.relu_backward = |_, _| todo!();
    kit.maxpool2d = |_, _| panic!("index out of bounds");
    kit.linear = |_, _, _| todo!();
    kit.attention_backward = |_, _, _, _, _| todo!();
    assert_eq!(kit.missing(Uses::Mnist), ["activations::relu_backward", "softmax::maxpool2d", "network::linear"]);
    assert_eq!(kit.missing(Uses::Sequence), ["attention::attention_backward", "network::linear"]);
}

#[test]
fn the_layers_keep_their_shapes() {
    let kit = zeros();
    let mut net = lenet::LeNet::new(&lenet::Config::default(), 28);
    let logits = net.forward(&kit, Array4::zeros((3, 1, 28, 28)), true).unwrap();
    assert_eq!(logits.dim(), (3, 10));
    assert_eq!(net.backward(&kit, logits).unwrap().dim(), (3, 1, 28, 28));
    assert_eq!(net.fc1.weight.typed::<Ix2>().dim(), (120, 16 * 7 * 7));
    assert_eq!(net.conv1.weight.typed::<Ix4>().dim(), (6, 1, 5, 5));

    let config = sequence::Config::default();
    let mut model = sequence::Reverser::new(&config);
    let batch = sequence::sequences(5, config.digits, &mut support::random::rng(1));
    let (inputs, targets) = sequence::inputs_and_targets(&batch, config.digits);
    assert_eq!(inputs.dim(), (5, 16));
    assert_eq!(targets.len(), 5 * 8);
    let logits = model.forward(&kit, inputs).unwrap();
    assert_eq!(logits.dim(), (40, 10));
    model.backward(&kit, logits).unwrap();
    assert_eq!(model.readout.bias.typed::<Ix1>().len(), 10);
}

#[test]
fn sequences_are_digits_a_separator_and_the_digits_reversed() {
    let batch = sequence::sequences(20, 8, &mut support::random::rng(3));
    for row in batch.outer_iter() {
        assert_eq!(row[8], sequence::SEPARATOR);
        for i in 0..8 {
            assert!(row[i] < 10);
            assert_eq!(row[16 - i], row[i]);
        }
    }
    let (inputs, targets) = sequence::inputs_and_targets(&batch, 8);
    // Position 8 + i predicts the i-th answer digit, the digit at 7 - i.
    assert_eq!(targets[0], batch[[0, 7]]);
    assert_eq!(targets[7], batch[[0, 0]]);
    assert_eq!(inputs[[0, 8]], sequence::SEPARATOR);
}

#[test]
fn shifts_move_the_pixels_and_fill_with_the_background() {
    let mut x = Array4::<f64>::zeros((50, 1, 5, 5));
    for i in 0..50 {
        x[[i, 0, 2, 2]] = 1.0;
    }
    let moved = lenet::shifted(&x, 1, &mut support::random::rng(4));
    for i in 0..50 {
        let image = moved.slice(ndarray::s![i, 0, .., ..]);
        assert_eq!(image.sum(), 1.0);
        let at: (usize, usize) = image.indexed_iter().find(|(_, v)| **v == 1.0).unwrap().0;
        assert!(at.0.abs_diff(2) <= 1 && at.1.abs_diff(2) <= 1);
    }
    assert_ne!(moved, x);
}

#[test]
fn a_run_writes_well_formed_plots_and_a_summary() {
    let data = mnist::load(&mnist::default_dir()).unwrap();
    let out = std::env::temp_dir().join(format!("train-run-{}", std::process::id()));
    let config = lenet::Config { epochs: 2, ..lenet::Config::default() };
    app::mnist_run(&zeros(), &config, &data.train.take(32), &data.test.take(100), &out.join("mnist")).unwrap();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("mnist/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["epochs"], 2);
    assert_eq!(summary["seconds_per_epoch"].as_array().unwrap().len(), 2);
    assert_eq!(summary["seed"], 2026);
    // Every prediction is 0: a tenth of the test digits.
    assert_eq!(summary["test_accuracy"], 0.1);
    for name in ["loss", "accuracy", "confusion", "misclassified", "filters"] {
        let svg = std::fs::read_to_string(out.join(format!("mnist/{name}.svg"))).unwrap();
        plots::well_formed(&svg).unwrap_or_else(|e| panic!("{name}.svg: {e}"));
    }

    let config = sequence::Config { steps: 3, eval_every: 2, batch: 4, ..sequence::Config::default() };
    app::sequence_run(&zeros(), &config, &out.join("sequence")).unwrap();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("sequence/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["token_accuracy_per_evaluation"].as_array().unwrap().len(), 2);
    for name in ["loss.svg", "accuracy.svg", "attention-layer1-example1.svg", "attention-layer1-example3.svg"] {
        let svg = std::fs::read_to_string(out.join("sequence").join(name)).unwrap();
        plots::well_formed(&svg).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    std::fs::remove_dir_all(out).unwrap();
}

/// Runs `check` on your functions when those `uses` needs are written;
/// otherwise says which are missing and passes.
fn on_your_functions(uses: Uses, check: impl FnOnce(&Kit)) {
    let kit = bin::student();
    let missing = kit.missing(uses);
    if missing.is_empty() {
        check(&kit);
    } else {
        eprintln!("skipped until these are written: {}", missing.join(", "));
    }
}

#[test]
fn lenet_gradients_match_finite_differences_on_your_functions() {
    on_your_functions(Uses::Mnist, |kit| assert_eq!(checks::lenet_gradients(kit).unwrap(), 202));
}

#[test]
fn sequence_gradients_match_finite_differences_on_your_functions() {
    on_your_functions(Uses::Sequence, |kit| assert_eq!(checks::sequence_gradients(kit).unwrap(), 318));
}

#[test]
fn one_epoch_on_64_images_lowers_the_loss_with_your_functions() {
    on_your_functions(Uses::Mnist, |kit| {
        let data = mnist::load(&mnist::default_dir()).unwrap();
        let (before, after) = checks::tiny_run(kit, &data.train).unwrap();
        assert!(after < before);
    });
}

#[test]
fn with_stubs_the_program_stops_at_once_and_names_them() {
    for (command, uses) in [("mnist", Uses::Mnist), ("sequence", Uses::Sequence)] {
        let missing = bin::student().missing(uses);
        if missing.is_empty() {
            continue;
        }
        let output = Command::new(env!("CARGO_BIN_EXE_train")).arg(command).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        for name in &missing {
            assert!(stderr.contains(name.as_str()), "{command}: {name} is not named in:\n{stderr}");
        }
    }
}

/// The gate runs the real grader (`cargo grade --format json --task ...`)
/// on your crates: it reports only the tasks the capstone uses, and at
/// least one while a function still reaches its `todo!()`.
#[test]
fn the_gate_asks_the_grader_about_your_functions() {
    let failing = gate::failing(Uses::Sequence).unwrap();
    for failure in &failing {
        let task = failure.split(':').next().unwrap();
        assert!(gate::tasks(Uses::Sequence).contains(&task), "{failure}");
    }
    if !bin::student().missing(Uses::Sequence).is_empty() {
        assert!(failing.iter().any(|f| f.contains("not implemented")), "{failing:?}");
    }
}
