//! Runs each task in a child process with a time limit.
//!
//! The parent re-executes its own binary with the hidden `--child-task`
//! argument; the child grades that one task and prints its report as one
//! line starting with [`RESULT_PREFIX`]. Whatever else the child prints
//! (a student's debugging output) is ignored. A child that exits without
//! that line crashed; one that runs past the limit is killed and timed out.

use std::io::{self, Read};
use std::panic::{self, AssertUnwindSafe};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use wait_timeout::ChildExt;

use crate::Implementation;
pub use crate::check::capture_panics;
use crate::check::{Checker, last_panic};
use crate::task::{Status, Task, TaskReport};

/// Marks the line of a child's stdout that holds its report.
pub const RESULT_PREFIX: &str = "gradlings-result: ";

/// Grades one task in this process and prints its report for the parent.
pub fn run_child(task: &Task, implementation: &Implementation, seed: u64) {
    capture_panics();
    let Some(report) = grade_here(task, implementation, seed) else {
        eprintln!("panicked outside any check: {}", last_panic().unwrap_or_default());
        std::process::exit(101);
    };
    let line = serde_json::to_string(&report).expect("a task report serialises");
    println!("\n{RESULT_PREFIX}{line}");
}

/// Grades one task in this process, without isolation: what tests of the
/// grader use. `None` when the task panicked outside its checks. Call
/// [`capture_panics`] first, or panics also print to stderr.
pub fn grade_here(task: &Task, implementation: &Implementation, seed: u64) -> Option<TaskReport> {
    let start = Instant::now();
    let mut checker = Checker::new(seed);
    panic::catch_unwind(AssertUnwindSafe(|| (task.run)(implementation, &mut checker))).ok()?;
    Some(checker.finish(task, start.elapsed().as_secs_f64()))
}

/// Grades `tasks` in child processes, `jobs` at a time, each with `timeout`.
/// Reports come back in the order of `tasks`.
pub fn run_all(tasks: &[Task], seed: u64, timeout: Duration, jobs: usize) -> io::Result<Vec<TaskReport>> {
    let exe = std::env::current_exe()?;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut reports: Vec<Option<io::Result<TaskReport>>> = (0..tasks.len()).map(|_| None).collect();
    let slots = std::sync::Mutex::new(&mut reports);
    thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, tasks.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(task) = tasks.get(i) else { break };
                    let report = run_isolated(&exe, task, seed, timeout);
                    slots.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(report);
                }
            });
        }
    });
    reports.into_iter().map(|r| r.expect("every task was run")).collect()
}

/// Grades one task in a child process of `exe`.
fn run_isolated(exe: &std::path::Path, task: &Task, seed: u64, timeout: Duration) -> io::Result<TaskReport> {
    let start = Instant::now();
    let mut child = Command::new(exe)
        .args(["--child-task", &task.id(), "--seed", &seed.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    // Drain both pipes while waiting, so a chatty child never blocks on a full pipe.
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = match child.wait_timeout(timeout)? {
        Some(status) => status,
        None => {
            child.kill()?;
            child.wait()?;
            let message = format!("still running after {} s; is there an endless loop?", timeout.as_secs_f64());
            return Ok(TaskReport::without_checks(task, Status::TimedOut, message, start.elapsed().as_secs_f64()));
        }
    };
    let seconds = start.elapsed().as_secs_f64();
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let report = stdout.lines().rev().find_map(|line| line.strip_prefix(RESULT_PREFIX));
    match report.map(serde_json::from_str::<TaskReport>) {
        Some(Ok(mut report)) if status.success() => {
            report.seconds = seconds;
            Ok(report)
        }
        _ => {
            let message = format!("the process {}{}", describe_exit(&status), last_lines(&stderr, 4));
            Ok(TaskReport::without_checks(task, Status::Crashed, message, seconds))
        }
    }
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// "exited with status 3", "was killed by signal 6 (SIGABRT)", ...
fn describe_exit(status: &std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let name = match signal {
                4 => " (SIGILL)",
                6 => " (SIGABRT: an abort, or a stack overflow)",
                9 => " (SIGKILL)",
                11 => " (SIGSEGV: a stack overflow or a bad memory access)",
                _ => "",
            };
            return format!("was killed by signal {signal}{name}");
        }
    }
    match status.code() {
        Some(0) => "exited without a report".to_string(),
        Some(code) => format!("exited with status {code}"),
        None => "ended without a status".to_string(),
    }
}

/// The last `n` non-empty lines of `text`, as a suffix to a message.
fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return String::new();
    }
    format!(":\n{}", lines[lines.len().saturating_sub(n)..].join("\n"))
}
