//! `cargo xtask`: instructor tasks. Exit status 0 on success, 1 when
//! `stubs --check` finds modules/ out of date, 2 on an error.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use xtask::stubs::{self, Change};
use xtask::{files, handout, workspace};

/// Instructor tasks for gradlings (not part of the student handout).
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate every modules/<topic> from its reference solution solutions/<topic>.
    Stubs {
        /// Write nothing; exit with status 1, listing each file, if modules/ differs from what would be generated.
        #[arg(long)]
        check: bool,
    },
    /// Grade every submission in SUBMISSIONS (students' handout folders,
    /// git clones, or .zip/.tar.gz/.tgz archives of either): only
    /// modules/<topic>/src is taken from each, over a pristine handout.
    /// Writes into DIR grades.csv, reports/<name>.json,
    /// gradescope/<name>/results.json, junit/<name>.xml and the class
    /// summary (summary.html, summary.md).
    GradeBatch {
        /// A folder with one folder or archive per submission.
        submissions: PathBuf,
        /// Where to write the results (kept between runs: unchanged submissions are not graded again).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Submissions graded at once.
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..))]
        jobs: u16,
        /// The seed of every submission (recorded in every output).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Derive each submission's seed from --seed and its name.
        #[arg(long)]
        seed_per_student: bool,
        /// Seconds one submission may take, its build included.
        #[arg(long, default_value_t = 600)]
        budget: u64,
        /// The first worker's build folder (default: DIR/.work/target); the
        /// others start from a copy of it.
        #[arg(long, value_name = "DIR")]
        target_dir: Option<PathBuf>,
    },
    /// Write a Gradescope autograder into DIR: setup.sh, run_autograder, the
    /// pristine handout and its crates (vendored: grading runs offline), and
    /// autograder.zip of them to upload.
    Gradescope {
        /// A new or empty folder.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The seed of every submission's grading.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Seconds each task may take.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
    },
    /// Export the student repository (the files git tracks, but solutions/ and other instructor-only files) into DIR.
    Handout {
        /// Where to write the handout: a new or empty directory.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("xtask: error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<ExitCode> {
    let root = workspace::root();
    match command {
        Command::Stubs { check: true } => {
            let differences = stubs::differences(&root, &stubs::generate(&root)?)?;
            if differences.is_empty() {
                println!("stubs: modules/ is up to date");
                return Ok(ExitCode::SUCCESS);
            }
            for difference in &differences {
                println!("{difference}");
            }
            eprintln!(
                "xtask: {} file(s) in modules/ differ from what solutions/ generates: run `cargo xtask stubs`",
                differences.len()
            );
            Ok(ExitCode::from(1))
        }
        Command::Stubs { check: false } => {
            let generated = stubs::generate(&root)?;
            let changes = stubs::write(&root, &generated)?;
            let mut deleted = 0;
            for change in &changes {
                let path = files::slash(&change.path);
                if change.change == Change::Stale {
                    deleted += 1;
                    println!("deleted {path} (no solution file generates it)");
                } else {
                    println!("wrote   {path}");
                }
            }
            let topics: Vec<&str> = generated.iter().map(|s| s.topic.as_str()).collect();
            println!(
                "stubs: {} file(s) written, {deleted} deleted; up to date: {}",
                changes.len() - deleted,
                topics.join(", ")
            );
            if changes.iter().any(|c| c.change != Change::Missing) {
                println!("stubs: the files replaced or deleted are kept under {}/", stubs::BACKUPS);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::GradeBatch { submissions, out, jobs, seed, seed_per_student, budget, target_dir } => {
            let options = xtask::batch::Options {
                jobs: usize::from(jobs),
                seed,
                seed_per_student,
                budget: std::time::Duration::from_secs(budget),
                target: target_dir,
            };
            let graded = xtask::batch::grade(&root, &submissions, &out, &options)?;
            let without = graded.iter().filter(|g| g.report.is_none()).count();
            println!(
                "graded {} submission(s) into {} ({without} without a report); grades.csv has one row each",
                graded.len(),
                out.display()
            );
            Ok(if without == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Gradescope { out, seed, timeout } => {
            let zip = xtask::gradescope::bundle(&root, &out, &xtask::gradescope::Options { seed, timeout })?;
            let size = std::fs::metadata(&zip).map(|m| m.len()).unwrap_or(0);
            println!(
                "wrote the autograder into {}; upload {} ({:.1} MiB) as a Gradescope programming assignment's autograder",
                out.display(),
                zip.display(),
                size as f64 / f64::from(1 << 20)
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Handout { out } => {
            let summary = handout::export(&root, &out)?;
            println!("{summary}");
            if let Some(note) = summary.left_out_note() {
                eprintln!("{note}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
