//! The class summary: where students struggle, per module and per task.
//!
//! From every submission's report: the class mean, and per module the
//! distribution of the class's scores (an SVG histogram drawn here) and,
//! per task, the share of the class that passed it, the mean score, how
//! many did not implement it, the checks most often failed and the known
//! mistakes the grader recognised most often (its `this looks like ...`
//! hints). A submission without a report counts as 0 points on every task.
//!
//! [`write`] puts the summary in the output folder as `summary.md` (with
//! the histograms beside it in `summary/<module>.svg`) and as
//! `summary.html`, one self-contained page that reads on a phone too.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;
use serde_json::Value;

use super::Graded;
use crate::files;

/// The heading of both pages.
const HEADING: &str = "Class summary";
/// What starts a line of a failing check's message naming a known mistake.
const HINT: &str = "this looks like ";
/// Checks and known mistakes listed per task.
const TOP: usize = 3;
/// Bars of a histogram.
const BINS: usize = 10;
/// A histogram's `viewBox` size and its plot area, in SVG units.
const VIEW: (f64, f64) = (420.0, 214.0);
const PLOT_LEFT: f64 = 36.0;
const PLOT_RIGHT: f64 = 408.0;
const PLOT_TOP: f64 = 38.0;
const PLOT_BOTTOM: f64 = 188.0;

/// A Markdown class summary; its histograms are `summary/<module>.svg`.
pub fn markdown(graded: &[Graded]) -> String {
    Class::of(graded).markdown()
}

/// The class summary as one self-contained HTML page, histograms inline.
pub fn html(graded: &[Graded]) -> String {
    Class::of(graded).html()
}

/// An SVG histogram of the class's `totals` on `module`, out of `max`:
/// `BINS` bins of equal width from 0 to `max`, the last one including `max`.
/// Each bar carries its count as `data-count`.
pub fn histogram(module: &str, totals: &[f64], max: f64) -> String {
    let counts = bins(totals, max);
    let tallest = counts.iter().copied().max().unwrap_or(0);
    let (width, height) = VIEW;
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0} {height:.0}" width="100%" role="img" font-family="system-ui, sans-serif" font-size="13" fill="#1d1d1f">"##
    );
    let caption = format!("{module}: scores of {} submissions, out of {}", totals.len(), points(max));
    let _ = write!(svg, "<title>{}</title>", escape(&caption));
    let _ = write!(svg, r#"<text x="2" y="18" font-size="14" font-weight="bold">{}</text>"#, escape(&caption));
    let _ = write!(
        svg,
        r##"<path d="M{PLOT_LEFT:.1} {PLOT_TOP:.1}V{PLOT_BOTTOM:.1}H{PLOT_RIGHT:.1}" fill="none" stroke="#6b7280"/>"##
    );
    svg.push_str(&bars(&counts, max));
    svg.push_str(&axis_labels(max, tallest));
    svg.push_str("</svg>\n");
    svg
}

/// The bars of a histogram of `counts` out of `max`, the tallest spanning
/// the plot's height, each with its count above it and as `data-count`.
fn bars(counts: &[usize; BINS], max: f64) -> String {
    let tallest = counts.iter().copied().max().unwrap_or(0);
    let mut svg = String::new();
    let slot = (PLOT_RIGHT - PLOT_LEFT) / BINS as f64;
    for (i, &count) in counts.iter().enumerate() {
        let bar = if tallest == 0 { 0.0 } else { (PLOT_BOTTOM - PLOT_TOP) * count as f64 / tallest as f64 };
        let (x, y) = (PLOT_LEFT + slot * i as f64 + 2.0, PLOT_BOTTOM - bar);
        let (low, high) = (max * i as f64 / BINS as f64, max * (i + 1) as f64 / BINS as f64);
        let _ = write!(
            svg,
            r##"<rect class="bar" x="{x:.1}" y="{y:.1}" width="{:.1}" height="{bar:.1}" fill="#3b6ea8" data-count="{count}"><title>{}–{}: {count}</title></rect>"##,
            slot - 4.0,
            points(low),
            points(high)
        );
        if count > 0 {
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="12">{count}</text>"#,
                x + (slot - 4.0) / 2.0,
                y - 4.0
            );
        }
    }
    svg
}

/// A histogram's axis labels: 0 and `max` points below, 0 and the
/// `tallest` count on the left.
fn axis_labels(max: f64, tallest: usize) -> String {
    let (below, left, middle) = (PLOT_BOTTOM + 18.0, PLOT_LEFT - 6.0, (PLOT_LEFT + PLOT_RIGHT) / 2.0);
    format!(
        r#"<text x="{PLOT_LEFT:.1}" y="{below:.1}" text-anchor="middle">0</text><text x="{middle:.1}" y="{below:.1}" text-anchor="middle">points</text><text x="{PLOT_RIGHT:.1}" y="{below:.1}" text-anchor="end">{}</text><text x="{left:.1}" y="{:.1}" text-anchor="end">{tallest}</text><text x="{left:.1}" y="{PLOT_BOTTOM:.1}" text-anchor="end">0</text>"#,
        points(max),
        PLOT_TOP + 4.0
    )
}

/// Writes `out/summary.md`, `out/summary.html` and `out/summary/<module>.svg`.
pub fn write(out: &Path, graded: &[Graded]) -> Result<()> {
    let class = Class::of(graded);
    files::write(&out.join("summary.md"), class.markdown().as_bytes())?;
    files::write(&out.join("summary.html"), class.html().as_bytes())?;
    for module in &class.modules {
        files::write(&out.join(svg_path(&module.name)), module.histogram().as_bytes())?;
    }
    Ok(())
}

/// The class, as the summary tells it.
struct Class<'a> {
    submissions: usize,
    /// The submissions without a report.
    missing: Vec<&'a Graded>,
    /// The mean total and the most a submission can score.
    mean: f64,
    max: f64,
    modules: Vec<Module>,
}

/// One module across the class.
struct Module {
    name: String,
    max: f64,
    /// Each submission's total on this module.
    totals: Vec<f64>,
    tasks: Vec<Task>,
}

/// One task across the class.
struct Task {
    name: String,
    max: f64,
    /// Submissions whose status on it is `passed`.
    passed: usize,
    mean: f64,
    not_implemented: usize,
    /// The checks most often failed, with how many submissions failed them.
    failed: Vec<(String, usize)>,
    /// The known mistakes most often recognised, with how many submissions
    /// made them.
    mistakes: Vec<(String, usize)>,
}

impl<'a> Class<'a> {
    /// The summary of `graded`.
    fn of(graded: &'a [Graded]) -> Self {
        let mut modules: Vec<Module> = Vec::new();
        for (module, name, max) in columns(graded) {
            let task = Task::of(graded, &module, &name, max);
            match modules.iter_mut().find(|m| m.name == module) {
                Some(m) => m.tasks.push(task),
                None => modules.push(Module { name: module, max: 0.0, totals: Vec::new(), tasks: vec![task] }),
            }
        }
        for module in &mut modules {
            module.max = module.tasks.iter().fold(0.0, |sum, t| sum + t.max);
            module.totals = graded.iter().map(|g| total(g, Some(&module.name))).collect();
        }
        let all = graded.iter().fold(0.0, |sum, g| sum + total(g, None));
        Class {
            submissions: graded.len(),
            missing: graded.iter().filter(|g| g.report.is_none()).collect(),
            mean: per(all, graded.len()),
            max: modules.iter().fold(0.0, |sum, m| sum + m.max),
            modules,
        }
    }

    /// The opening sentences: how many submissions, how many without a
    /// report, the class mean. Numbers only, so no escaping is needed.
    fn overview(&self) -> String {
        format!(
            "{} submissions, {} without a report (counted as 0 points). Class mean: {}{}.",
            self.submissions,
            self.missing.len(),
            out_of(self.mean, self.max),
            percent(self.mean, self.max)
        )
    }

    /// The summary in Markdown.
    fn markdown(&self) -> String {
        let n = self.submissions;
        let mut md = format!("# {HEADING}\n\n{}\n", self.overview());
        if !self.missing.is_empty() {
            md.push_str("\n## Without a report\n\n");
            for g in &self.missing {
                let _ = writeln!(md, "- {}", md_text(&with_notes(g)));
            }
        }
        md.push_str("\n## Modules\n\n| Module | Tasks | Mean / max | Full marks |\n| --- | ---: | ---: | ---: |\n");
        for m in &self.modules {
            let (name, mean) = (md_text(&m.name), per(m.totals.iter().sum(), n));
            let _ =
                writeln!(md, "| {name} | {} | {} | {} |", m.tasks.len(), out_of(mean, m.max), share(m.full_marks(), n));
        }
        for m in &self.modules {
            let _ = write!(md, "\n## {}\n\n![{}]({})\n\n", md_text(&m.name), md_text(&m.caption()), svg_path(&m.name));
            md.push_str("| Task | Passed | Mean / max | Not implemented | Most failed checks | Known mistakes |\n");
            md.push_str("| --- | ---: | ---: | ---: | --- | --- |\n");
            for t in &m.tasks {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} | {} |",
                    md_text(&t.name),
                    share(t.passed, n),
                    out_of(t.mean, t.max),
                    t.not_implemented,
                    md_counts(&t.failed),
                    md_counts(&t.mistakes)
                );
            }
        }
        md
    }

    /// The summary as a self-contained HTML page.
    fn html(&self) -> String {
        let n = self.submissions;
        let mut page = format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{HEADING}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n\
             <h1>{HEADING}</h1>\n<p>{}</p>\n",
            self.overview()
        );
        if !self.missing.is_empty() {
            page.push_str("<h2>Without a report</h2>\n<ul class=\"notes\">\n");
            for g in &self.missing {
                let _ = writeln!(page, "<li>{}</li>", escape(&with_notes(g)));
            }
            page.push_str("</ul>\n");
        }
        page.push_str("<h2>Modules</h2>\n<div class=\"scroll\"><table>\n<thead><tr><th>Module</th>");
        page.push_str("<th class=\"num\">Tasks</th><th class=\"num\">Mean / max</th><th class=\"num\">Full marks</th></tr></thead>\n<tbody>\n");
        for m in &self.modules {
            let (name, mean) = (escape(&m.name), per(m.totals.iter().sum(), n));
            let _ = writeln!(
                page,
                "<tr><td><a href=\"#module-{}\">{name}</a></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                file_stem(&m.name),
                m.tasks.len(),
                out_of(mean, m.max),
                share(m.full_marks(), n)
            );
        }
        page.push_str("</tbody>\n</table></div>\n");
        for m in &self.modules {
            let _ = write!(
                page,
                "<section id=\"module-{}\">\n<h2>{}</h2>\n<figure>{}</figure>\n<div class=\"scroll\"><table>\n<thead><tr>",
                file_stem(&m.name),
                escape(&m.name),
                m.histogram().trim_end()
            );
            page.push_str("<th>Task</th><th class=\"num\">Passed</th><th class=\"num\">Mean / max</th>");
            page.push_str("<th class=\"num\">Not implemented</th><th>Most failed checks</th><th>Known mistakes</th></tr></thead>\n<tbody>\n");
            for t in &m.tasks {
                let _ = writeln!(
                    page,
                    "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"list\">{}</td><td class=\"list\">{}</td></tr>",
                    escape(&t.name),
                    share(t.passed, n),
                    out_of(t.mean, t.max),
                    t.not_implemented,
                    html_counts(&t.failed),
                    html_counts(&t.mistakes)
                );
            }
            page.push_str("</tbody>\n</table></div>\n</section>\n");
        }
        page.push_str("</main>\n</body>\n</html>\n");
        page
    }
}

/// The page's CSS: tables scroll inside their wrapper, so that nothing makes
/// the page wider than a phone's screen.
const STYLE: &str = "\
*{box-sizing:border-box}\
body{margin:0;font:16px/1.45 system-ui,-apple-system,\"Segoe UI\",sans-serif;color:#1d1d1f;background:#fff;overflow-wrap:anywhere}\
main{max-width:72rem;margin:0 auto;padding:1rem}\
h1,h2{line-height:1.2}\
section{margin-top:2rem}\
.scroll{overflow-x:auto;margin-bottom:1.5rem}\
table{border-collapse:collapse;min-width:100%;overflow-wrap:normal}\
th,td{padding:.35rem .6rem;border-bottom:1px solid #d1d5db;text-align:left;vertical-align:top}\
th{background:#f3f4f6}\
.num{text-align:right;white-space:nowrap}\
.list{min-width:15rem;overflow-wrap:anywhere}\
.list ul{margin:0;padding:0;list-style:none}\
.n{font-weight:600;white-space:nowrap}\
figure{margin:0 0 1rem;max-width:34rem}\
svg{display:block;width:100%;height:auto}\
@media (max-width:600px){main{padding:.75rem}body{font-size:15px}table{font-size:14px}th,td{padding:.3rem .4rem}}";

impl Module {
    /// The caption of its histogram.
    fn caption(&self) -> String {
        format!("{}: distribution of the class's scores", self.name)
    }

    /// Its histogram.
    fn histogram(&self) -> String {
        histogram(&self.name, &self.totals, self.max)
    }

    /// Submissions with every point of the module.
    fn full_marks(&self) -> usize {
        self.totals.iter().filter(|&&t| self.max > 0.0 && t >= self.max - 1e-9).count()
    }
}

impl Task {
    /// How the class did on task `name` of `module`, worth `max`.
    fn of(graded: &[Graded], module: &str, name: &str, max: f64) -> Self {
        let found: Vec<&Value> = graded.iter().filter_map(|g| find(g, module, name)).collect();
        let with_status = |status: &str| found.iter().filter(|t| t["status"] == status).count();
        let mut failed = BTreeMap::new();
        let mut mistakes = BTreeMap::new();
        for task in &found {
            let failing: Vec<&Value> = checks(task).filter(|c| c["passed"].as_bool() == Some(false)).collect();
            tally(&mut failed, failing.iter().filter_map(|c| c["name"].as_str()));
            tally(&mut mistakes, failing.iter().filter_map(|c| c["message"].as_str()).flat_map(known_mistakes));
        }
        Task {
            name: name.to_string(),
            max,
            passed: with_status("passed"),
            mean: per(found.iter().fold(0.0, |sum, t| sum + score(t)), graded.len()),
            not_implemented: with_status("not_implemented"),
            failed: top(failed),
            mistakes: top(mistakes),
        }
    }
}

/// Every task of the class as (module, task, max score): in the order of
/// the first report with tasks, then any task only a later report has.
fn columns(graded: &[Graded]) -> Vec<(String, String, f64)> {
    let mut columns: Vec<(String, String, f64)> = Vec::new();
    for task in graded.iter().flat_map(tasks) {
        let (module, name) = (text(&task["module"]), text(&task["name"]));
        if !columns.iter().any(|(m, n, _)| m == module && n == name) {
            columns.push((module.to_string(), name.to_string(), task["max_score"].as_f64().unwrap_or(0.0)));
        }
    }
    columns
}

/// The tasks of a submission's report; none without a report.
fn tasks(graded: &Graded) -> &[Value] {
    graded.report.as_ref().and_then(|r| r["tasks"].as_array()).map_or(&[], Vec::as_slice)
}

/// Task `name` of `module` in a submission's report.
fn find<'g>(graded: &'g Graded, module: &str, name: &str) -> Option<&'g Value> {
    tasks(graded).iter().find(|t| text(&t["module"]) == module && text(&t["name"]) == name)
}

/// A task's checks.
fn checks(task: &Value) -> impl Iterator<Item = &Value> {
    task["checks"].as_array().into_iter().flatten()
}

/// A string field, or "" when absent.
fn text(value: &Value) -> &str {
    value.as_str().unwrap_or("")
}

/// A task's score, 0 when absent.
fn score(task: &Value) -> f64 {
    task["score"].as_f64().unwrap_or(0.0)
}

/// A submission's total: on `module`, or on every task. A fold from 0.0
/// because an empty `f64` sum is -0.0.
fn total(graded: &Graded, module: Option<&str>) -> f64 {
    tasks(graded).iter().filter(|t| module.is_none_or(|m| text(&t["module"]) == m)).fold(0.0, |sum, t| sum + score(t))
}

/// The known mistakes a check's message names: on each line that starts
/// with `this looks like `, the text after it up to the first `:`.
fn known_mistakes(message: &str) -> impl Iterator<Item = &str> {
    message
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix(HINT))
        .map(|rest| rest.split_once(':').map_or(rest, |(mistake, _)| mistake).trim())
        .filter(|mistake| !mistake.is_empty())
}

/// Counts each distinct one of `items` once: one submission failing a check
/// twice, or making a mistake in two checks, counts once.
fn tally<'v>(counts: &mut BTreeMap<&'v str, usize>, items: impl Iterator<Item = &'v str>) {
    for item in items.collect::<BTreeSet<_>>() {
        *counts.entry(item).or_insert(0) += 1;
    }
}

/// The `TOP` most frequent of `counts`, most frequent first, ties by name.
fn top(counts: BTreeMap<&str, usize>) -> Vec<(String, usize)> {
    let mut sorted: Vec<(&str, usize)> = counts.into_iter().collect();
    sorted.sort_by_key(|entry| std::cmp::Reverse(entry.1));
    sorted.into_iter().take(TOP).map(|(item, count)| (item.to_string(), count)).collect()
}

/// How many of `totals` fall in each of `BINS` equal bins from 0 to `max`.
/// The last bin includes `max` (and anything above), the first anything
/// below 0; with no positive `max` every total is in the first.
fn bins(totals: &[f64], max: f64) -> [usize; BINS] {
    let mut counts = [0; BINS];
    for &total in totals {
        // Multiplying first keeps bin edges exact: 2.5 * 10 / 25 is 1.
        let at = if max > 0.0 { (total * BINS as f64 / max).floor() } else { 0.0 };
        // `max(0.0)` also turns NaN into 0; the cast saturates.
        counts[(at.max(0.0) as usize).min(BINS - 1)] += 1;
    }
    counts
}

/// `sum / n`, 0 for no submissions.
fn per(sum: f64, n: usize) -> f64 {
    if n == 0 { 0.0 } else { sum / n as f64 }
}

/// Points, with two decimals.
fn points(x: f64) -> String {
    format!("{x:.2}")
}

/// "mean / max".
fn out_of(x: f64, max: f64) -> String {
    format!("{} / {}", points(x), points(max))
}

/// " (65%)": `x` as a share of `max`; empty when `max` is not positive.
fn percent(x: f64, max: f64) -> String {
    if max > 0.0 { format!(" ({:.0}%)", 100.0 * x / max) } else { String::new() }
}

/// "67% (2/3)": `count` of the `n` submissions.
fn share(count: usize, n: usize) -> String {
    if n == 0 { "—".to_string() } else { format!("{:.0}% ({count}/{n})", 100.0 * count as f64 / n as f64) }
}

/// A submission's name and its notes, for the list of those without a report.
fn with_notes(graded: &Graded) -> String {
    if graded.notes.is_empty() { graded.name.clone() } else { format!("{}: {}", graded.name, graded.notes.join("; ")) }
}

/// A module's name made safe as a file name and an HTML id.
fn file_stem(module: &str) -> String {
    let stem: String =
        module.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    if stem.is_empty() { "_".to_string() } else { stem }
}

/// Where the Markdown summary finds a module's histogram, relative to it.
fn svg_path(module: &str) -> String {
    format!("summary/{}.svg", file_stem(module))
}

/// `text` safe in HTML and SVG text and attribute values.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// `text` as literal text in a Markdown table cell or list item: on one
/// line, with the characters that would start markup or end the cell
/// backslash-escaped.
fn md_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' => escaped.push(' '),
            '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '|' | '&' => {
                escaped.push('\\');
                escaped.push(c);
            }
            _ => escaped.push(c),
        }
    }
    escaped
}

/// Counted items in a Markdown cell: "2× golden: x<br>1× edge: empty".
fn md_counts(counts: &[(String, usize)]) -> String {
    if counts.is_empty() {
        return "—".to_string();
    }
    counts.iter().map(|(item, count)| format!("{count}× {}", md_text(item))).collect::<Vec<_>>().join("<br>")
}

/// Counted items in an HTML cell, as a list.
fn html_counts(counts: &[(String, usize)]) -> String {
    if counts.is_empty() {
        return "—".to_string();
    }
    let items: String = counts
        .iter()
        .map(|(item, count)| format!("<li><span class=\"n\">{count}×</span> {}</li>", escape(item)))
        .collect();
    format!("<ul>{items}</ul>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::sample_report;

    fn graded(name: &str, report: Option<Value>) -> Graded {
        Graded { name: name.to_string(), seed: 1, report, notes: vec![], graded_now: true }
    }

    /// Appends `line` to the message of every failing check of `report`.
    fn with_hint(mut report: Value, line: &str) -> Value {
        for task in report["tasks"].as_array_mut().unwrap() {
            for check in task["checks"].as_array_mut().unwrap() {
                if check["passed"] == false {
                    let message = format!("{}\n{line}", text(&check["message"]));
                    check["message"] = Value::String(message);
                }
            }
        }
        report
    }

    /// The `data-count` of each bar of an SVG histogram, in order.
    fn bar_counts(svg: &str) -> Vec<usize> {
        svg.split("<rect class=\"bar\"")
            .skip(1)
            .map(|bar| {
                let count = bar.split("data-count=\"").nth(1).expect("a data-count");
                count[..count.find('"').unwrap()].parse().unwrap()
            })
            .collect()
    }

    fn class_of_three() -> Vec<Graded> {
        vec![
            graded("ada", Some(sample_report(&[("tensor", "view", 5.0), ("tensor", "reshape", 2.5)]))),
            graded("bob", Some(sample_report(&[("tensor", "view", 5.0), ("tensor", "reshape", 0.0)]))),
            Graded { notes: vec!["no report within 600 s".into()], ..graded("cy", None) },
        ]
    }

    #[test]
    fn shares_and_means_count_a_submission_without_a_report_as_zero() {
        let graded = class_of_three();
        let class = Class::of(&graded);
        assert_eq!((class.submissions, class.missing.len()), (3, 1));
        assert!((class.mean - 12.5 / 3.0).abs() < 1e-12);
        assert_eq!(class.max, 10.0);
        let tensor = &class.modules[0];
        assert_eq!(tensor.totals, [7.5, 5.0, 0.0]);
        let (view, reshape) = (&tensor.tasks[0], &tensor.tasks[1]);
        assert_eq!((view.passed, reshape.passed), (2, 0));
        assert!((view.mean - 10.0 / 3.0).abs() < 1e-12);
        assert!((reshape.mean - 2.5 / 3.0).abs() < 1e-12);
        let md = markdown(&graded);
        assert!(
            md.contains("3 submissions, 1 without a report (counted as 0 points). Class mean: 4.17 / 10.00 (42%).")
        );
        assert!(md.contains("| view | 67% (2/3) | 3.33 / 5.00 | 0 | — | — |"), "{md}");
        assert!(md.contains("| reshape | 0% (0/3) | 0.83 / 5.00 | 0 | 2× golden: x | — |"), "{md}");
        assert!(md.contains("| tensor | 2 | 4.17 / 10.00 | 0% (0/3) |"), "{md}");
        assert!(md.contains("- cy: no report within 600 s"), "{md}");
        assert!(md.contains("![tensor: distribution of the class's scores](summary/tensor.svg)"), "{md}");
    }

    #[test]
    fn modules_and_tasks_come_in_the_order_of_the_first_report_with_tasks() {
        let graded = [
            graded("ada", None),
            graded("bob", Some(sample_report(&[("conv1d", "forward", 1.0), ("tensor", "view", 5.0)]))),
            graded("cy", Some(sample_report(&[("tensor", "view", 5.0), ("tensor", "strides", 1.0)]))),
        ];
        let class = Class::of(&graded);
        let order: Vec<(&str, Vec<&str>)> =
            class.modules.iter().map(|m| (&m.name[..], m.tasks.iter().map(|t| &t.name[..]).collect())).collect();
        assert_eq!(order, [("conv1d", vec!["forward"]), ("tensor", vec!["view", "strides"])]);
    }

    #[test]
    fn the_most_failed_checks_come_first_with_their_counts() {
        let mut worst = sample_report(&[("tensor", "view", 0.0)]);
        worst["tasks"][0]["checks"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"name": "edge: empty", "passed": false, "message": "panicked"}));
        let graded = [
            graded("ada", Some(worst)),
            graded("bob", Some(sample_report(&[("tensor", "view", 1.0)]))),
            graded("cy", Some(sample_report(&[("tensor", "view", 5.0)]))),
        ];
        let class = Class::of(&graded);
        let view = &class.modules[0].tasks[0];
        assert_eq!(view.failed, [("golden: x".to_string(), 2), ("edge: empty".to_string(), 1)]);
        assert!(markdown(&graded).contains("| 2× golden: x<br>1× edge: empty |"));
        assert!(html(&graded).contains("<li><span class=\"n\">2×</span> golden: x</li>"));
    }

    #[test]
    fn a_this_looks_like_line_counts_as_a_known_mistake() {
        let hint = "this looks like a flipped kernel (a true convolution): with the kernel reversed, it matches";
        let graded = [
            graded("ada", Some(with_hint(sample_report(&[("conv1d", "forward", 0.0), ("conv1d", "back", 1.0)]), hint))),
            graded("bob", Some(with_hint(sample_report(&[("conv1d", "forward", 2.0)]), hint))),
            graded("cy", Some(sample_report(&[("conv1d", "forward", 3.0)]))),
        ];
        let class = Class::of(&graded);
        let (forward, back) = (&class.modules[0].tasks[0], &class.modules[0].tasks[1]);
        let flipped = "a flipped kernel (a true convolution)".to_string();
        assert_eq!(forward.mistakes, [(flipped.clone(), 2)]);
        assert_eq!(back.mistakes, [(flipped, 1)]);
        assert!(markdown(&graded).contains("| 3× golden: x | 2× a flipped kernel (a true convolution) |"));
    }

    #[test]
    fn known_mistakes_end_at_the_first_colon_or_the_line() {
        let message = "expected 1, got 2\n  this looks like every value rounded to f32: see\nthis looks like a swap\nnot this looks like x";
        assert_eq!(known_mistakes(message).collect::<Vec<_>>(), ["every value rounded to f32", "a swap"]);
    }

    #[test]
    fn histogram_bins_put_zero_first_and_the_maximum_last() {
        let totals = [0.0, 2.49, 2.5, 12.5, 24.99, 25.0, -1.0, f64::NAN];
        let svg = histogram("tensor", &totals, 25.0);
        assert_eq!(bar_counts(&svg), [4, 1, 0, 0, 0, 1, 0, 0, 0, 2]);
        assert!(svg.contains("<title>tensor: scores of 8 submissions, out of 25.00</title>"));
        assert!(svg.contains("viewBox=\"0 0 420 214\" width=\"100%\""));
        // The tallest bar spans the plot's height; the others in proportion.
        let tallest = format!("height=\"{:.1}\"", PLOT_BOTTOM - PLOT_TOP);
        let half = format!("height=\"{:.1}\"", (PLOT_BOTTOM - PLOT_TOP) / 2.0);
        assert!(svg.contains(&format!("{tallest} fill=\"#3b6ea8\" data-count=\"4\"")), "{svg}");
        assert!(svg.contains(&format!("{half} fill=\"#3b6ea8\" data-count=\"2\"")), "{svg}");
        assert_eq!(svg, histogram("tensor", &totals, 25.0));
        assert_eq!(bar_counts(&histogram("empty", &[], 0.0)), [0; BINS]);
    }

    #[test]
    fn names_from_reports_are_escaped() {
        let mut report = sample_report(&[("tensor", "<i>", 0.0)]);
        report["tasks"][0]["checks"][0]["name"] = "golden: \"a\" & 'b'".into();
        let graded = [graded("<b>&", None), graded("ada", Some(report))];
        let page = html(&graded);
        assert!(page.contains("<li>&lt;b&gt;&amp;</li>"), "{page}");
        assert!(page.contains("<td>&lt;i&gt;</td>"));
        assert!(page.contains("golden: &quot;a&quot; &amp; &#39;b&#39;"));
        assert!(!page.contains("<b>&") && !page.contains("<i>"));
        let md = markdown(&graded);
        assert!(md.contains("- \\<b\\>\\&") && md.contains("| \\<i\\> |"), "{md}");
    }

    #[test]
    fn write_puts_both_pages_and_a_histogram_per_module_in_out() {
        let dir = tempfile::tempdir().unwrap();
        let graded = [graded("ada", Some(sample_report(&[("tensor", "view", 5.0), ("conv1d", "forward", 1.0)])))];
        write(dir.path(), &graded).unwrap();
        assert_eq!(files::read_text(&dir.path().join("summary.md")).unwrap(), markdown(&graded));
        assert_eq!(files::read_text(&dir.path().join("summary.html")).unwrap(), html(&graded));
        let svgs = files::files_under(&dir.path().join("summary")).unwrap();
        assert_eq!(svgs, [Path::new("conv1d.svg"), Path::new("tensor.svg")]);
    }
}
