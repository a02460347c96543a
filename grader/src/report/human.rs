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
        Status::TimedOut | Status::Crashed | Status::DoesNotCompile => MAGENTA,
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
            "{style}{:>16}{style:#} {DIM}[{:>6.2}s]{DIM:#} {:<module_width$}  {:<name_width$}  {}",
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
        let _ = writeln!(out, "{module:>16}  {}", points(score, max));
    }
    let fraction = if run.max_score > 0.0 { run.score / run.max_score } else { 0.0 };
    let filled = ((fraction * BAR as f64).round() as usize).min(BAR);
    let passed = run.tasks.iter().filter(|t| t.status == Status::Passed).count();
    let style = if run.all_passed() { GREEN } else { RED };
    let _ = writeln!(
        out,
        "{style}{:>16}{style:#}  {}  [{GREEN}{}{GREEN:#}{}] {:>3.0}%  {passed} of {} tasks passed, seed {}",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::CheckReport;

    fn task(name: &str, status: Status, score: f64, checks: Vec<CheckReport>) -> TaskReport {
        TaskReport {
            name: name.to_string(),
            module: "tensor".to_string(),
            score,
            max_score: 4.0,
            status,
            seconds: 0.25,
            chapter: "book/src/tensor.md".to_string(),
            checks,
        }
    }

    fn check(name: &str, message: &str) -> CheckReport {
        CheckReport { name: name.to_string(), passed: message.is_empty(), message: message.to_string() }
    }

    #[test]
    fn the_report_text_is_pinned() {
        let run = RunReport::new(
            1234,
            vec![
                task("to_index", Status::Passed, 4.0, vec![check("golden", "")]),
                task(
                    "permute",
                    Status::Failed,
                    2.0,
                    vec![
                        check("golden", ""),
                        check(
                            "property",
                            "permute(shape (2,) strides (1,) offset 0, order (0,)): offset: expected 0, got 1\nsmallest failing input: (..)",
                        ),
                    ],
                ),
                task(
                    "view",
                    Status::NotImplemented,
                    0.0,
                    vec![check(
                        "example",
                        "not implemented: reaches the todo!() at modules/tensor/src/layout.rs:64: fill me in",
                    )],
                ),
                task(
                    "get",
                    Status::TimedOut,
                    0.0,
                    vec![check("run", "still running after 10 s; is there an endless loop?")],
                ),
                task(
                    "contiguous",
                    Status::DoesNotCompile,
                    0.0,
                    vec![check(
                        "compile",
                        "modules/tensor does not compile: modules/tensor/src/layout.rs:9: mismatched types",
                    )],
                ),
            ],
        );
        let text = anstream::adapter::strip_str(&render(&run, "cargo grade", "modules/")).to_string();
        let expected = "\
grading modules/ with seed 1234

          passed [  0.25s] tensor  to_index      4.0/4.0
          failed [  0.25s] tensor  permute       2.0/4.0
 not implemented [  0.25s] tensor  view          0.0/4.0
       timed out [  0.25s] tensor  get           0.0/4.0
does not compile [  0.25s] tensor  contiguous    0.0/4.0

--- tensor/permute: failed, 2.0/4.0 points
  x property
      permute(shape (2,) strides (1,) offset 0, order (0,)): offset: expected 0, got 1
      smallest failing input: (..)
    replay: cargo grade --task permute --seed 1234
    read:   book/src/tensor.md
--- tensor/view: not implemented, 0.0/4.0 points
    not implemented: reaches the todo!() at modules/tensor/src/layout.rs:64: fill me in
    read:   book/src/tensor.md
--- tensor/get: timed out, 0.0/4.0 points
  x run
      still running after 10 s; is there an endless loop?
    replay: cargo grade --task get --seed 1234
    read:   book/src/tensor.md
--- tensor/contiguous: does not compile, 0.0/4.0 points
  x compile
      modules/tensor does not compile: modules/tensor/src/layout.rs:9: mismatched types
    replay: cargo grade --task contiguous --seed 1234
    read:   book/src/tensor.md

------------------------------------------------------------
          tensor    6.0/20.0
           total    6.0/20.0  [#########---------------------]  30%  1 of 5 tasks passed, seed 1234
";
        assert_eq!(text, expected);
    }

    #[test]
    fn a_full_score_fills_the_bar() {
        let run = RunReport::new(1, vec![task("get", Status::Passed, 4.0, vec![check("golden", "")])]);
        let text = anstream::adapter::strip_str(&render(&run, "cargo grade", "modules/")).to_string();
        assert!(text.ends_with(&format!("[{}] 100%  1 of 1 tasks passed, seed 1\n", "#".repeat(BAR))), "{text}");
        assert!(!text.contains("--- "), "a passing run has no details: {text}");
    }
}
