//! Every chapter fits a laptop's screen and a phone's: the book is built
//! with [`book::site::build`], and each chapter page is laid out in
//! headless Chromium at the sizes of [`browser::SIZES`], where a probe
//! (`layout/probe.js`) measures it.
//!
//! At a laptop's width nothing may stick out of the text column and no
//! display formula may need scrolling: a long derivation is split into
//! lines. At a phone's width the page still must not get wider than the
//! screen, and nothing may stick out of the column unless it scrolls
//! within itself, as display formulas and code blocks do. At both, a
//! display formula is never cut off at the top or bottom.
//!
//! Each page's problems are collected and reported together, naming the
//! page, the width and the formula's TeX or the element.

mod browser;

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// What the probe posts; see `layout/probe.js`.
const PROBE: &str = include_str!("layout/probe.js");

/// The laptop's width, where formulas must fit without scrolling.
const LAPTOP: u32 = browser::SIZES[0].0;

/// Builds the book into a folder of this test's own and returns it.
fn site() -> PathBuf {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("layout-html");
    if out.exists() {
        fs::remove_dir_all(&out).unwrap_or_else(|e| panic!("cannot clear {}: {e}", out.display()));
    }
    book::site::build(&out).unwrap_or_else(|e| panic!("{e}"));
    out
}

/// The chapter pages of the built site, in the order of SUMMARY.md.
fn chapter_pages(site: &Path) -> Vec<PathBuf> {
    let summary = book::site::dir().join("src").join("SUMMARY.md");
    let summary = fs::read_to_string(&summary).unwrap_or_else(|e| panic!("cannot read {}: {e}", summary.display()));
    let pages: Vec<PathBuf> = summary
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split_once(')'))
        .filter_map(|(target, _)| target.strip_suffix(".md"))
        .map(|chapter| site.join(format!("{chapter}.html")))
        .collect();
    assert!(!pages.is_empty(), "SUMMARY.md lists no chapter");
    pages
}

/// A number of the probe's report.
fn number(value: &Value, key: &str) -> f64 {
    value[key].as_f64().unwrap_or_else(|| panic!("the probe's report has no number {key}: {value}"))
}

/// The problems of `page` laid out at `size`, one line each, and how many
/// display formulas the probe measured.
fn problems(page: &Path, (width, height): (u32, u32), scratch: &Path) -> (Vec<String>, usize) {
    let name = page.file_name().unwrap().to_string_lossy().into_owned();
    let script = format!("<script>{PROBE}</script>");
    let posted = browser::probe(page, (width, height), &script, scratch);
    let report: Value =
        serde_json::from_str(&posted).unwrap_or_else(|e| panic!("{name}: the probe posted {e}: {posted}"));
    let (report, errors) = (&report["result"], &report["errors"]);
    let at = format!("{name} at {width} px");
    let mut problems = Vec::new();
    if let Some(errors) = errors.as_array().filter(|e| !e.is_empty()) {
        eprintln!("note: {at}: script errors on the page: {errors:?}");
    }
    let (wide, window) = (number(&report["page"], "width"), number(&report["page"], "window"));
    if wide > window {
        problems.push(format!("{at}: the page is {wide} px wide, wider than its {window} px window"));
    }
    let column = number(report, "column");
    for sticking in report["sticking"].as_array().expect("a list of what sticks out") {
        let what = sticking["what"].as_str().unwrap_or("?");
        let right = number(sticking, "right");
        problems.push(format!(
            "{at}: {what} sticks out of the text column (to {right} px; the column ends at {column} px)"
        ));
    }
    let formulas = report["formulas"].as_array().expect("a list of formulas");
    for formula in formulas {
        let tex = formula["tex"].as_str().unwrap_or("?");
        let (wide, room) = (number(formula, "width"), number(formula, "room"));
        let scrollable = formula["scrollable"].as_bool() == Some(true);
        if wide > room && width == LAPTOP {
            problems.push(format!("{at}: a formula needs scrolling ({wide} px wide, {room} px of room): {tex}"));
        } else if wide > room && !scrollable {
            problems
                .push(format!("{at}: a formula is cut off ({wide} px wide, {room} px of room, no scrolling): {tex}"));
        }
        let (tall, shown) = (number(formula, "height"), number(formula, "shown"));
        if formula["clipsVertically"].as_bool() == Some(true) && tall > shown {
            problems.push(format!(
                "{at}: a formula is cut off at the top or bottom ({tall} px tall, {shown} px shown): {tex}"
            ));
        }
    }
    (problems, formulas.len())
}

#[test]
fn chapters_fit_a_laptop_and_a_phone() {
    if !browser::available("chapters_fit_a_laptop_and_a_phone") {
        return;
    }
    let site = site();
    // Fresh Chromium profiles on every run.
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("layout-chromium");
    let _ = fs::remove_dir_all(&scratch);
    let (mut all, mut formulas) = (Vec::new(), 0);
    for page in chapter_pages(&site) {
        for size in browser::SIZES {
            let stem = page.file_stem().unwrap().to_string_lossy().into_owned();
            let (found, measured) = problems(&page, size, &scratch.join(format!("{stem}-{}", size.0)));
            all.extend(found);
            formulas += measured;
        }
    }
    assert!(formulas > 0, "the probe found no display formula on any page: is it broken?");
    assert!(all.is_empty(), "pages that do not fit:\n  {}", all.join("\n  "));
}
