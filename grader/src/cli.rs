//! The command line of the grader: argument parsing and glue over the
//! library. Exit status: 0 when every selected task passed, 1 when some did
//! not, 2 when the grader itself could not run.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anstream::AutoStream;
use clap::{Parser, ValueEnum};

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::report::{RunReport, gradescope, human, junit};
use crate::runner::{Limits, RunnerCommand};
use crate::{Task, build, hints, runner, sandbox, suggest, tasks, watch};

/// Where the functions under test run.
#[derive(Debug, Clone, PartialEq)]
pub enum Runners {
    /// Each module's runner package (`grader/runners/<module>`), built by
    /// cargo from the crates in `modules/`.
    Build,
    /// One program serves every module: `program --serve MODULE` (the
    /// instructor's binaries, bound to `solutions/`).
    Program(PathBuf),
}

/// Grades the gradlings exercises and reports a score.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
pub struct Args {
    /// Grade only this task (`permute`), module (`tensor`), `module/task`
    /// or chapter (`tensor.md`); repeat to select several.
    #[arg(long = "task", value_name = "NAME")]
    pub tasks: Vec<String>,
    /// Seed of every random input; a report prints it so a run can be replayed.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// List every task and every failure, instead of one line per module
    /// and the next unfinished task.
    #[arg(long)]
    pub all: bool,
    /// Show the next hint for TASK (each time you ask, one more), instead of grading.
    #[arg(long, value_name = "TASK", conflicts_with_all = ["list", "all"])]
    pub hint: Option<String>,
    /// Grade again on every save: the module being edited, its next
    /// unfinished task in full, and the course's progress on one line.
    /// Keys: q quits, h shows the next hint, n moves on to the next task.
    #[arg(long, conflicts_with_all = ["list", "hint"])]
    pub watch: bool,
    /// List the tasks and their points instead of grading.
    #[arg(long)]
    pub list: bool,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Time limit of each task, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10.0, value_parser = positive_seconds)]
    pub timeout: f64,
    /// Memory each task's runner may use, in GiB.
    #[arg(long, value_name = "GIB", default_value_t = 4.0, value_parser = positive_gib)]
    pub memory_limit: f64,
    /// How many tasks to grade at once (default: one per CPU).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Also write Gradescope's `results.json` to FILE.
    #[arg(long, value_name = "FILE")]
    pub gradescope: Option<PathBuf>,
    /// A line for the top of the Gradescope output, such as what the
    /// person grading changed or ignored; repeat for several.
    #[arg(long = "note", value_name = "TEXT", requires = "gradescope")]
    pub notes: Vec<String>,
    /// Also write a JUnit XML report (one suite per module) to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// When to colour the human report.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
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

impl Color {
    /// The choice for an `anstream` stream.
    pub fn choice(self) -> anstream::ColorChoice {
        match self {
            Color::Auto => anstream::ColorChoice::Auto,
            Color::Always => anstream::ColorChoice::Always,
            Color::Never => anstream::ColorChoice::Never,
        }
    }
}

fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 && secs <= 86_400.0 => Ok(secs),
        _ => Err(format!("expected a number of seconds between 0 and 86400, given '{text}'")),
    }
}

fn positive_gib(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(gib) if (0.0625..=1024.0).contains(&gib) => Ok(gib),
        _ => Err(format!("expected a number of GiB between 0.0625 and 1024, given '{text}'")),
    }
}

/// Runs the grader with the functions of `runners`. `command` is how users
/// invoke this binary (`cargo grade`), `target` what it grades (`modules/`).
pub fn main(runners: Runners, command: &str, target: &str) -> ExitCode {
    sandbox::harden();
    let args = Args::parse();
    match run(&args, &runners, command, target) {
        Ok(code) => code,
        Err(message) => {
            // Nothing is left to tell anyone if stderr is closed too.
            let _ = writeln!(std::io::stderr(), "grader: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args, runners: &Runners, command: &str, target: &str) -> Result<ExitCode, String> {
    let all = tasks();
    let selected = select(&all, &args.tasks)?;
    if args.list {
        emit(&mut std::io::stdout(), &list(&selected, args.format))?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(name) = &args.hint {
        let task = one_task(&all, name)?;
        let mut shown = hints::Shown::load(&build::workspace());
        let text = shown.next(&task);
        shown.save()?;
        emit(&mut std::io::stdout(), &text)?;
        return Ok(ExitCode::SUCCESS);
    }
    let seed = args.seed.unwrap_or_else(fresh_seed);
    let jobs = args
        .jobs
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map(usize::from).unwrap_or(1));
    let limits = Limits {
        budget: Duration::from_secs_f64(args.timeout),
        memory: (args.memory_limit * f64::from(1u32 << 30)) as u64,
        ..Limits::default()
    };
    let grader = Grader { runners, seed, limits, jobs };
    if args.watch {
        if args.format == Format::Json || *runners != Runners::Build {
            return Err("--watch grades modules/ as you edit it, for people: not with --format json".to_string());
        }
        return watch::watch(&grader, &selected, command, target, args.color);
    }
    let run = grader.grade(&selected)?;
    if let Some(path) = &args.gradescope {
        let results =
            serde_json::to_string_pretty(&gradescope::results(&run, command, &args.notes)).expect("JSON serialises");
        save(path, &results)?;
    }
    if let Some(path) = &args.junit {
        save(path, &junit::xml(&run))?;
    }
    match args.format {
        Format::Json => emit(&mut std::io::stdout(), &format!("{}\n", run.to_json()))?,
        Format::Human => {
            let mut stdout = AutoStream::new(std::io::stdout(), args.color.choice());
            let text = if args.all {
                human::render(&run, command, target)
            } else {
                human::focused(&run, command, target, None)
            };
            emit(&mut stdout, &text)?;
        }
    }
    Ok(if run.all_passed() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// How to grade: where the functions run, with which seed and limits.
pub struct Grader<'a> {
    pub runners: &'a Runners,
    pub seed: u64,
    pub limits: Limits,
    pub jobs: usize,
}

impl Grader<'_> {
    /// Builds the runners `tasks` need and grades them, in the order given.
    ///
    /// **Errors** when cargo cannot be run at all.
    pub fn grade(&self, tasks: &[Task]) -> Result<RunReport, String> {
        let mut modules: Vec<&'static str> = tasks.iter().map(|t| t.module).collect();
        modules.dedup();
        let scratch = std::env::temp_dir().join(format!("gradlings-runners-{}", std::process::id()));
        // The copies of runners an unprivileged user may run are not needed
        // once every task has ended.
        let _cleanup = RemoveOnDrop(&scratch);
        let commands = commands(self.runners, &modules, &scratch)?;
        let runner =
            |module: &str| commands.get(module).cloned().unwrap_or_else(|| Err(format!("no runner for {module}")));
        let reports = runner::run_all(tasks, self.seed, self.limits, self.jobs, &runner);
        Ok(RunReport::new(self.seed, reports))
    }
}

/// How to start the runner of each of `modules`, or why it cannot start.
/// Copies of runners go into `scratch` when they must be (see
/// `sandbox::reachable`).
fn commands(
    runners: &Runners,
    modules: &[&'static str],
    scratch: &std::path::Path,
) -> Result<BTreeMap<&'static str, Result<RunnerCommand, String>>, String> {
    let reachable = |program: PathBuf| {
        sandbox::reachable(&program, scratch)
            .map_err(|e| format!("could not make {} runnable for an unprivileged user: {e}", program.display()))
    };
    Ok(match runners {
        Runners::Program(program) => {
            let program = reachable(program.clone())?;
            modules.iter().map(|&m| (m, Ok(runner::serving(&program, m)))).collect()
        }
        Runners::Build => build::runners(&build::workspace(), modules)?
            .into_iter()
            .map(|(m, built)| {
                let command = built.and_then(&reachable).map(|program| RunnerCommand { program, args: vec![] });
                (m, command)
            })
            .collect(),
    })
}

/// Removes a folder, if there is one, when dropped.
struct RemoveOnDrop<'a>(&'a std::path::Path);

impl Drop for RemoveOnDrop<'_> {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(self.0);
    }
}

/// The tasks named by `names` (a task, a module, `module/task` or a
/// chapter's file, such as `tensor.md`), in the order of the notes; all of
/// them when `names` is empty. An unknown name is an error suggesting the
/// nearest known ones.
pub fn select(all: &[Task], names: &[String]) -> Result<Vec<Task>, String> {
    for name in names {
        if !all.iter().any(|t| suggest::selects(t, name)) {
            return Err(suggest::unknown(all, name));
        }
    }
    Ok(all.iter().filter(|t| names.is_empty() || names.iter().any(|n| suggest::selects(t, n))).copied().collect())
}

/// The one task `name` selects; a module or chapter names several.
fn one_task(all: &[Task], name: &str) -> Result<Task, String> {
    match select(all, &[name.to_string()])?.as_slice() {
        [task] => Ok(*task),
        several => Err(format!(
            "--hint needs one task, and '{name}' names {}: {}",
            several.len(),
            several.iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// What `--list` prints: one line per task, or one JSON document.
fn list(tasks: &[Task], format: Format) -> String {
    match format {
        Format::Json => {
            let list: Vec<serde_json::Value> = tasks
                .iter()
                .map(|t| serde_json::json!({"module": t.module, "name": t.name, "max_score": t.points}))
                .collect();
            format!("{}\n", serde_json::Value::Array(list))
        }
        Format::Human => {
            let width = tasks.iter().map(|t| t.name.len()).max().unwrap_or(0);
            tasks
                .iter()
                .map(|t| format!("{:<10} {:<width$}  {:>4.1} points  {}\n", t.module, t.name, t.points, t.chapter()))
                .collect()
        }
    }
}

/// Writes `text` to `out` (stdout). A reader that stopped reading, as in
/// `cargo grade --list | head`, ends the output quietly; any other failure
/// to write is the grader's error.
fn emit(out: &mut impl Write, text: &str) -> Result<(), String> {
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("could not write to stdout: {e}")),
        _ => Ok(()),
    }
}

/// Writes an extra report to `path`, creating its folder.
fn save(path: &std::path::Path, text: &str) -> Result<(), String> {
    let write = || {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, text)
    };
    write().map_err(|e| format!("could not write {}: {e}", path.display()))
}

/// A seed for a run given none: different every time, printed in the report.
fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    // Keep it short enough to type back in.
    (nanos as u64 ^ u64::from(std::process::id())) % 1_000_000
}
