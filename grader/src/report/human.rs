//! The report people read. [`render`], the full listing (`--all`): one
//! line per task, the details of each failure, subtotals per module, the
//! total and a score bar. [`focused`], the default: one line per module,
//! the total, and the next unfinished task in the order of the notes, in
//! full.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::RunReport;
use crate::sections;
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
        if task.status == Status::NotImplemented {
            // One line is enough: where the todo!() is and its hint.
            let _ = writeln!(out, "{YELLOW}--- {}/{}:{YELLOW:#} {}", task.module, task.name, todo(task));
        } else {
            write_task(out, task, run.seed, command);
        }
    }
}

/// Where a not-implemented task's `todo!()` is, and its text.
fn todo(task: &TaskReport) -> &str {
    task.checks
        .iter()
        .find(|c| c.message.starts_with("not implemented"))
        .map(|c| c.message.as_str())
        .unwrap_or("not implemented")
}

/// One unfinished task in full: its failing checks, how to replay them and
/// what to read.
fn write_task(out: &mut String, task: &TaskReport, seed: u64, command: &str) {
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
        let _ = writeln!(out, "    {}", todo(task));
    } else {
        for check in task.checks.iter().filter(|c| !c.passed) {
            let _ = writeln!(out, "  {RED}x{RED:#} {}", check.name);
            for line in check.message.lines() {
                let _ = writeln!(out, "      {line}");
            }
        }
        let _ = writeln!(out, "    replay: {command} --task {} --seed {}", task.name, seed);
    }
    let _ = writeln!(
        out,
        "    read:   {}  (`cargo book --open` builds the notes)",
        sections::page(&task.module, &task.name)
    );
}

/// The default report: one line per module, the total, then `next` (the
/// first unfinished task in the order of the notes, unless the caller
/// moved on to another) in full with where to find a hint, and the other
/// unfinished tasks of its module on one line each.
pub fn focused(run: &RunReport, command: &str, target: &str, next: Option<&TaskReport>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{BOLD}grading {target} with seed {}{BOLD:#}\n", run.seed);
    let next = next.or_else(|| first_unfinished(run));
    for module in &modules(run) {
        let tasks: Vec<&TaskReport> = run.tasks.iter().filter(|t| t.module == *module).collect();
        let (score, max) = tasks.iter().fold((0.0, 0.0), |(s, m), t| (s + t.score, m + t.max_score));
        let passed = tasks.iter().filter(|t| t.status == Status::Passed).count();
        let style = if passed == tasks.len() { GREEN } else { Style::new() };
        let marker = if next.is_some_and(|t| t.module == *module) { "  <- next" } else { "" };
        let _ = writeln!(
            out,
            "{style}{module:>16}{style:#}  {}  {passed} of {} tasks passed{marker}",
            points(score, max),
            tasks.len()
        );
    }
    write_total(&mut out, run);
    let Some(task) = next else {
        let _ = writeln!(out, "\n{GREEN}every task passed{GREEN:#}");
        return out;
    };
    let _ = writeln!(out, "\n{BOLD}next:{BOLD:#}");
    write_task(&mut out, task, run.seed, command);
    let _ = writeln!(out, "    hint:   {command} --hint {}", task.name);
    let others: Vec<&TaskReport> = run
        .tasks
        .iter()
        .filter(|t| t.module == task.module && t.status != Status::Passed && t.name != task.name)
        .collect();
    if !others.is_empty() {
        let _ = writeln!(out, "\nalso unfinished in {}:", task.module);
        for other in others {
            let style = status_style(other.status);
            let _ = writeln!(out, "  {style}{:<16}{style:#}  {}", other.status.label(), other.name);
        }
    }
    let _ = writeln!(out, "\n{DIM}`{command} --all` lists every task and failure{DIM:#}");
    out
}

/// The first task, in the order of the notes, that did not pass.
pub fn first_unfinished(run: &RunReport) -> Option<&TaskReport> {
    run.tasks.iter().find(|t| t.status != Status::Passed)
}

/// The modules of `run`, in the order of the notes.
fn modules(run: &RunReport) -> Vec<&str> {
    let mut modules: Vec<&str> = run.tasks.iter().map(|t| t.module.as_str()).collect();
    modules.dedup();
    modules
}

/// Subtotals per module, then the total with its score bar.
fn write_totals(out: &mut String, run: &RunReport) {
    let _ = writeln!(out, "\n{}", "-".repeat(60));
    for module in &modules(run) {
        let (score, max) = run
            .tasks
            .iter()
            .filter(|t| t.module == *module)
            .fold((0.0, 0.0), |(s, m), t| (s + t.score, m + t.max_score));
        let _ = writeln!(out, "{module:>16}  {}", points(score, max));
    }
    write_total(out, run);
}

/// The total with its score bar.
fn write_total(out: &mut String, run: &RunReport) {
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
    read:   target/book/tensor.html#permute-reorder-the-axes  (`cargo book --open` builds the notes)
--- tensor/view: not implemented: reaches the todo!() at modules/tensor/src/layout.rs:64: fill me in
--- tensor/get: timed out, 0.0/4.0 points
  x run
      still running after 10 s; is there an endless loop?
    replay: cargo grade --task get --seed 1234
    read:   target/book/tensor.html#get-read-one-element  (`cargo book --open` builds the notes)
--- tensor/contiguous: does not compile, 0.0/4.0 points
  x compile
      modules/tensor does not compile: modules/tensor/src/layout.rs:9: mismatched types
    replay: cargo grade --task contiguous --seed 1234
    read:   target/book/tensor.html#contiguous-a-row-major-copy  (`cargo book --open` builds the notes)

------------------------------------------------------------
          tensor    6.0/20.0
           total    6.0/20.0  [#########---------------------]  30%  1 of 5 tasks passed, seed 1234
";
        assert_eq!(text, expected);
    }

    #[test]
    fn the_focused_view_shows_modules_and_the_next_task_in_full() {
        let mut conv = task(
            "conv1d_forward",
            Status::NotImplemented,
            0.0,
            vec![check(
                "example",
                "not implemented: reaches the todo!() at modules/conv1d/src/lib.rs:9: slide the kernel",
            )],
        );
        conv.module = "conv1d".to_string();
        conv.chapter = "book/src/conv1d.md".to_string();
        let run = RunReport::new(
            7,
            vec![
                task("to_index", Status::Passed, 4.0, vec![check("golden", "")]),
                task(
                    "permute",
                    Status::Failed,
                    2.0,
                    vec![check("golden", ""), check("property", "offset: expected 0, got 1")],
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
                conv,
            ],
        );
        let text = anstream::adapter::strip_str(&focused(&run, "cargo grade", "modules/", None)).to_string();
        let expected = "\
grading modules/ with seed 7

          tensor    6.0/12.0  1 of 3 tasks passed  <- next
          conv1d    0.0/4.0  0 of 1 tasks passed
           total    6.0/16.0  [###########-------------------]  38%  1 of 4 tasks passed, seed 7

next:
--- tensor/permute: failed, 2.0/4.0 points
  x property
      offset: expected 0, got 1
    replay: cargo grade --task permute --seed 7
    read:   target/book/tensor.html#permute-reorder-the-axes  (`cargo book --open` builds the notes)
    hint:   cargo grade --hint permute

also unfinished in tensor:
  not implemented   view

`cargo grade --all` lists every task and failure
";
        assert_eq!(text, expected);
        // Moving on to a not-implemented task shows where its todo!() is.
        let text =
            anstream::adapter::strip_str(&focused(&run, "cargo grade", "modules/", Some(&run.tasks[3]))).to_string();
        assert!(text.contains("--- conv1d/conv1d_forward: not implemented, 0.0/4.0 points\n    not implemented: reaches the todo!() at modules/conv1d/src/lib.rs:9: slide the kernel\n"), "{text}");
        assert!(text.contains("conv1d    0.0/4.0  0 of 1 tasks passed  <- next"), "{text}");
        let done = RunReport::new(7, vec![task("to_index", Status::Passed, 4.0, vec![check("golden", "")])]);
        assert!(focused(&done, "cargo grade", "modules/", None).contains("every task passed"));
    }

    #[test]
    fn a_full_score_fills_the_bar() {
        let run = RunReport::new(1, vec![task("get", Status::Passed, 4.0, vec![check("golden", "")])]);
        let text = anstream::adapter::strip_str(&render(&run, "cargo grade", "modules/")).to_string();
        assert!(text.ends_with(&format!("[{}] 100%  1 of 1 tasks passed, seed 1\n", "#".repeat(BAR))), "{text}");
        assert!(!text.contains("--- "), "a passing run has no details: {text}");
    }
}
