//! The report people read: one line per task, the details of each failure,
//! subtotals per module, the total and a score bar.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::RunReport;
use crate::task::{Status, TaskReport};

const BOLD: Style = Style::new().bold();
const GREEN: Style = AnsiColor::Green.on_default().bold();
const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
const MAGENTA: Style = AnsiColor::Magenta.on_default().bold();
const DIM: Style = Style::new().dimmed();

/// The width of the score bar, in characters.
const BAR: usize = 30;

fn status_style(status: Status) -> Style {
    match status {
        Status::Passed => GREEN,
        Status::Failed => RED,
        Status::NotImplemented => YELLOW,
        Status::TimedOut | Status::Crashed => MAGENTA,
    }
}

/// Renders `run` with ANSI styles; print it through an `anstream` stream,
/// which strips them when colour is off. `command` is how the user ran the
/// grader (`cargo grade`), for the replay hint; `target` names what was
/// graded (`modules/`).
pub fn render(run: &RunReport, command: &str, target: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{BOLD}grading {target} with seed {}{BOLD:#}\n", run.seed);
    let name_width = run.tasks.iter().map(|t| t.name.len()).max().unwrap_or(0);
    let module_width = run.tasks.iter().map(|t| t.module.len()).max().unwrap_or(0);
    for task in &run.tasks {
        let style = status_style(task.status);
        let _ = writeln!(
            out,
            "{style}{:>15}{style:#} {DIM}[{:>6.2}s]{DIM:#} {:<module_width$}  {:<name_width$}  {}",
            task.status.label(),
            task.seconds,
            task.module,
            task.name,
            points(task.score, task.max_score),
        );
    }
    write_details(&mut out, run, command);
    write_totals(&mut out, run);
    out
}

/// The details of every task that did not pass.
fn write_details(out: &mut String, run: &RunReport, command: &str) {
    let unfinished: Vec<&TaskReport> = run.tasks.iter().filter(|t| t.status != Status::Passed).collect();
    if unfinished.is_empty() {
        return;
    }
    let _ = writeln!(out);
    for task in unfinished {
        let style = status_style(task.status);
        let _ = writeln!(
            out,
            "{style}--- {}/{}: {}{style:#}, {:.1}/{:.1} points",
            task.module,
            task.name,
            task.status.label(),
            task.score,
            task.max_score
        );
        if task.status == Status::NotImplemented {
            // One line is enough: where the todo!() is and its hint.
            if let Some(check) = task.checks.iter().find(|c| c.message.starts_with("not implemented")) {
                let _ = writeln!(out, "    {}", check.message);
            }
        } else {
            for check in task.checks.iter().filter(|c| !c.passed) {
                let _ = writeln!(out, "  {RED}x{RED:#} {}", check.name);
                for line in check.message.lines() {
                    let _ = writeln!(out, "      {line}");
                }
            }
            let _ = writeln!(out, "    replay: {command} --task {} --seed {}", task.name, run.seed);
        }
        let _ = writeln!(out, "    read:   {}", task.chapter);
    }
}

/// Subtotals per module, then the total with its score bar.
fn write_totals(out: &mut String, run: &RunReport) {
    let _ = writeln!(out, "\n{}", "-".repeat(60));
    let mut modules: Vec<&str> = run.tasks.iter().map(|t| t.module.as_str()).collect();
    modules.dedup();
    for module in &modules {
        let (score, max) = run
            .tasks
            .iter()
            .filter(|t| t.module == *module)
            .fold((0.0, 0.0), |(s, m), t| (s + t.score, m + t.max_score));
        let _ = writeln!(out, "{module:>15}  {}", points(score, max));
    }
    let fraction = if run.max_score > 0.0 { run.score / run.max_score } else { 0.0 };
    let filled = ((fraction * BAR as f64).round() as usize).min(BAR);
    let passed = run.tasks.iter().filter(|t| t.status == Status::Passed).count();
    let style = if run.all_passed() { GREEN } else { RED };
    let _ = writeln!(
        out,
        "{style}{:>15}{style:#}  {}  [{GREEN}{}{GREEN:#}{}] {:>3.0}%  {passed} of {} tasks passed, seed {}",
        "total",
        points(run.score, run.max_score),
        "#".repeat(filled),
        "-".repeat(BAR - filled),
        fraction * 100.0,
        run.tasks.len(),
        run.seed,
    );
}

fn points(score: f64, max: f64) -> String {
    format!("{score:>5.1}/{max:.1}")
}
