//! The generated figures in `book/src/figures/` are exactly what the code in
//! `book/figures/` draws. When this fails, run
//! `cargo run -p book --bin figures` and look at the changed SVGs.

use std::fs;

#[test]
fn checked_in_figures_match_their_code() {
    let dir = book::figures::dir();
    let mut problems = Vec::new();
    for figure in book::figures::all() {
        let path = dir.join(figure.name);
        match fs::read_to_string(&path) {
            // A checkout that turned line endings into CRLF is still up to date.
            Ok(text) if text.replace("\r\n", "\n") == figure.svg => {}
            Ok(_) => problems.push(format!("src/figures/{} differs from what book/figures/ draws", figure.name)),
            Err(e) => problems.push(format!("src/figures/{} cannot be read: {e}", figure.name)),
        }
    }
    assert!(
        problems.is_empty(),
        "out-of-date figures (regenerate with `cargo run -p book --bin figures`):\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn figure_names_are_unique_and_start_with_their_chapter() {
    let figures = book::figures::all();
    let mut names: Vec<&str> = figures.iter().map(|f| f.name).collect();
    for name in &names {
        let chapter = name.split('-').next().unwrap_or_default();
        assert!(
            name.ends_with(".svg")
                && fs::metadata(book::figures::dir().join("..").join(format!("{chapter}.md"))).is_ok(),
            "{name} should be named after a chapter of book/src/ and end in .svg"
        );
    }
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), figures.len(), "two generated figures share a name");
}
