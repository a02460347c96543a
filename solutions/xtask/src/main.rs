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
