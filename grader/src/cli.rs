//! The command line of the grader: argument parsing and glue over the
//! library. Exit status: 0 when every selected task passed, 1 when some did
//! not, 2 when the grader itself could not run.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anstream::AutoStream;
use clap::{Parser, ValueEnum};

use crate::report::{RunReport, human};
use crate::{Implementation, Task, runner, tasks};

/// Grades the gradlings exercises and reports a score.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
pub struct Args {
    /// Grade only this task (`permute`), module (`tensor`) or `module/task`;
    /// repeat to select several.
    #[arg(long = "task", value_name = "NAME")]
    pub tasks: Vec<String>,
    /// Seed of every random input; a report prints it so a run can be replayed.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// List the tasks and their points instead of grading.
    #[arg(long)]
    pub list: bool,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Time limit of each task, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10.0, value_parser = positive_seconds)]
    pub timeout: f64,
    /// How many tasks to grade at once (default: one per CPU).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// When to colour the human report.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Internal: grade this one task in this process.
    #[arg(long, hide = true, value_name = "MODULE/TASK")]
    pub child_task: Option<String>,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A report for people.
    Human,
    /// Exactly one JSON document on stdout.
    Json,
}

/// Colour choices; `auto` colours a terminal unless `NO_COLOR` is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 && secs <= 86_400.0 => Ok(secs),
        _ => Err(format!("expected a number of seconds between 0 and 86400, given '{text}'")),
    }
}

/// Runs the grader on `implementation`. `command` is how users invoke this
/// binary (`cargo grade`), `target` what it grades (`modules/`).
pub fn main(implementation: Implementation, command: &str, target: &str) -> ExitCode {
    let args = Args::parse();
    match run(&args, &implementation, command, target) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("grader: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args, implementation: &Implementation, command: &str, target: &str) -> Result<ExitCode, String> {
    let all = tasks();
    if let Some(id) = &args.child_task {
        let task = all.iter().find(|t| t.id() == *id).ok_or_else(|| format!("no task {id}"))?;
        let seed = args.seed.ok_or("--child-task needs --seed")?;
        runner::run_child(task, implementation, seed);
        return Ok(ExitCode::SUCCESS);
    }
    let selected = select(&all, &args.tasks)?;
    if args.list {
        print_list(&selected, args.format);
        return Ok(ExitCode::SUCCESS);
    }
    let seed = args.seed.unwrap_or_else(fresh_seed);
    let jobs = args
        .jobs
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map(usize::from).unwrap_or(1));
    let reports = runner::run_all(&selected, seed, Duration::from_secs_f64(args.timeout), jobs)
        .map_err(|e| format!("could not start a task's process: {e}"))?;
    let run = RunReport::new(seed, reports);
    match args.format {
        Format::Json => println!("{}", run.to_json()),
        Format::Human => {
            let choice = match args.color {
                Color::Auto => anstream::ColorChoice::Auto,
                Color::Always => anstream::ColorChoice::Always,
                Color::Never => anstream::ColorChoice::Never,
            };
            let mut stdout = AutoStream::new(std::io::stdout(), choice);
            let _ = write!(stdout, "{}", human::render(&run, command, target));
        }
    }
    Ok(if run.all_passed() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// The tasks named by `names` (a task, a module or `module/task`), in the
/// order of the notes; all of them when `names` is empty.
pub fn select(all: &[Task], names: &[String]) -> Result<Vec<Task>, String> {
    for name in names {
        if !all.iter().any(|t| matches(t, name)) {
            return Err(format!("no task or module is named '{name}'; --list shows them"));
        }
    }
    Ok(all.iter().filter(|t| names.is_empty() || names.iter().any(|n| matches(t, n))).copied().collect())
}

fn matches(task: &Task, name: &str) -> bool {
    task.name == name || task.module == name || task.id() == name
}

fn print_list(tasks: &[Task], format: Format) {
    match format {
        Format::Json => {
            let list: Vec<serde_json::Value> = tasks
                .iter()
                .map(|t| serde_json::json!({"module": t.module, "name": t.name, "max_score": t.points}))
                .collect();
            println!("{}", serde_json::Value::Array(list));
        }
        Format::Human => {
            let width = tasks.iter().map(|t| t.name.len()).max().unwrap_or(0);
            for t in tasks {
                println!("{:<10} {:<width$}  {:>4.1} points  {}", t.module, t.name, t.points, t.chapter());
            }
        }
    }
}

/// A seed for a run given none: different every time, printed in the report.
fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    // Keep it short enough to type back in.
    (nanos as u64 ^ u64::from(std::process::id())) % 1_000_000
}
