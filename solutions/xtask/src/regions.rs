//! The region markers of a solution's `.rs` files, and the stub text they
//! turn into.
//!
//! ```text
//! pub fn index_to_position(index: &[usize], strides: &[usize]) -> usize {
//!     // BEGIN SOLUTION: multiply each coordinate by its stride and add them up
//!     index.iter().zip(strides).map(|(i, s)| i * s).sum()
//!     // END SOLUTION
//! }
//! ```
//!
//! becomes, in the stub,
//!
//! ```text
//! pub fn index_to_position(index: &[usize], strides: &[usize]) -> usize {
//!     todo!("multiply each coordinate by its stride and add them up")
//! }
//! ```
//!
//! - `// BEGIN SOLUTION: <hint>` ... `// END SOLUTION`: the markers and the
//!   lines between them become one `todo!("<hint>")` line at the indentation
//!   of the BEGIN line. The hint is escaped for a string literal and for
//!   `todo!`'s format string (`{` becomes `{{`). When code other than a
//!   closing `}` follows the region, the line ends with `;` so that the stub
//!   still parses.
//! - `// BEGIN HIDDEN` ... `// END HIDDEN`: the markers and the lines between
//!   them are dropped, together with the blank lines right before them (so
//!   that unit tests at the end of a file leave no trailing blank line).
//!
//! Markers stand alone on a line (indentation allowed). Regions do not nest.
//! Anything that looks like a marker but is not a well-formed one is an
//! error carrying its line number: a marker word other than SOLUTION and
//! HIDDEN, a SOLUTION marker without a hint, an END without its BEGIN, a
//! BEGIN never closed, and marker text inside another line.

use std::fmt;

/// What happens to a region in the stub.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Replaced by `todo!("<hint>")`.
    Solution,
    /// Dropped.
    Hidden,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Solution => "SOLUTION",
            Kind::Hidden => "HIDDEN",
        }
    }
}

/// One region of a source file, by 0-based line numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    pub kind: Kind,
    /// The line of the BEGIN marker.
    pub begin: usize,
    /// The line of the END marker.
    pub end: usize,
    /// The hint of a SOLUTION region, as written (unescaped).
    pub hint: Option<String>,
}

/// A malformed marker, with the 1-based line it was found on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkerError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for MarkerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for MarkerError {}

/// A marker line, once recognised.
enum Marker {
    Begin(Kind, Option<String>),
    End(Kind),
}

/// The texts that only ever appear in markers; seeing one elsewhere is an error.
const MARKER_TEXTS: [&str; 4] = ["BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN", "END HIDDEN"];

/// Recognises a marker line. `Ok(None)` for an ordinary line.
fn marker(line: &str) -> Result<Option<Marker>, String> {
    let trimmed = line.trim();
    let comment =
        trimmed.strip_prefix("//").filter(|rest| !rest.starts_with('/') && !rest.starts_with('!')).map(str::trim_start);
    let Some((begin, rest)) = comment.and_then(|c| {
        let (word, rest) = c.split_once(char::is_whitespace).unwrap_or((c, ""));
        match word {
            "BEGIN" => Some((true, rest.trim())),
            "END" => Some((false, rest.trim())),
            _ => None,
        }
    }) else {
        return match MARKER_TEXTS.iter().find(|text| line.contains(*text)) {
            Some(text) => Err(format!("`{text}` must stand alone on a `// {text}` comment line")),
            None => Ok(None),
        };
    };
    let name_len = rest.find(|c: char| c == ':' || c.is_whitespace()).unwrap_or(rest.len());
    let (name, after) = rest.split_at(name_len);
    let after = after.trim();
    let kind = match name {
        "SOLUTION" => Kind::Solution,
        "HIDDEN" => Kind::Hidden,
        _ => {
            let written = if begin { "BEGIN" } else { "END" };
            let shown = if name.is_empty() { written.to_string() } else { format!("{written} {name}") };
            return Err(format!(
                "unknown marker `// {shown}`: the markers are `// BEGIN SOLUTION: <hint>`, \
                 `// END SOLUTION`, `// BEGIN HIDDEN` and `// END HIDDEN`"
            ));
        }
    };
    match (begin, kind) {
        (true, Kind::Solution) => {
            let hint = after.strip_prefix(':').map(str::trim);
            match hint {
                _ if after.is_empty() || hint == Some("") => {
                    Err("SOLUTION marker without a hint: write `// BEGIN SOLUTION: <hint for the student>`".into())
                }
                None => Err(format!("write the hint after a colon: `// BEGIN SOLUTION: {after}`")),
                Some(hint) => Ok(Some(Marker::Begin(kind, Some(hint.to_string())))),
            }
        }
        _ if !after.is_empty() => {
            let written = if begin { "BEGIN" } else { "END" };
            Err(format!("unexpected text `{after}` after `// {written} {}`", kind.word()))
        }
        (true, _) => Ok(Some(Marker::Begin(kind, None))),
        (false, _) => Ok(Some(Marker::End(kind))),
    }
}

/// The regions of `text`, in order.
///
/// **Errors** on the first malformed, unbalanced or nested marker.
pub fn parse(text: &str) -> Result<Vec<Region>, MarkerError> {
    let mut regions = Vec::new();
    let mut open: Option<(Kind, usize, Option<String>)> = None;
    for (i, line) in text.lines().enumerate() {
        let error = |message: String| MarkerError { line: i + 1, message };
        match marker(line).map_err(error)? {
            None => {}
            Some(Marker::Begin(kind, hint)) => {
                if let Some((outer, at, _)) = &open {
                    return Err(error(format!(
                        "`// BEGIN {}` inside the {} region opened at line {}: regions do not nest",
                        kind.word(),
                        outer.word(),
                        at + 1
                    )));
                }
                open = Some((kind, i, hint));
            }
            Some(Marker::End(kind)) => match open.take() {
                None => {
                    return Err(error(format!("`// END {0}` without a `// BEGIN {0}` before it", kind.word())));
                }
                Some((outer, at, _)) if outer != kind => {
                    return Err(error(format!(
                        "`// END {}` closes the {} region opened at line {}",
                        kind.word(),
                        outer.word(),
                        at + 1
                    )));
                }
                Some((_, begin, hint)) => regions.push(Region { kind, begin, end: i, hint }),
            },
        }
    }
    match open {
        Some((kind, at, _)) => Err(MarkerError {
            line: at + 1,
            message: format!("{0} region never closed: `// END {0}` is missing", kind.word()),
        }),
        None => Ok(regions),
    }
}

/// The stub text of a solution source: SOLUTION regions become `todo!`,
/// HIDDEN regions vanish, every other line is kept byte for byte.
///
/// **Errors** as [`parse`].
pub fn strip(text: &str) -> Result<String, MarkerError> {
    let regions = parse(text)?;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut next = 0;
    for region in &regions {
        out.extend(lines[next..region.begin].iter().map(|l| l.to_string()));
        next = region.end + 1;
        match region.kind {
            Kind::Solution => {
                let begin = lines[region.begin];
                let indent = &begin[..begin.len() - begin.trim_start().len()];
                let hint = escape_hint(region.hint.as_deref().unwrap_or_default());
                let end = if ends_block(&lines[next..]) { "" } else { ";" };
                out.push(format!("{indent}todo!(\"{hint}\"){end}{}", line_ending(lines[region.end])));
            }
            Kind::Hidden => {
                while out.last().is_some_and(|l| l.trim().is_empty()) {
                    out.pop();
                }
                if out.is_empty() {
                    // Nothing before the region: drop the blank lines after it instead.
                    while lines.get(next).is_some_and(|l| l.trim().is_empty()) {
                        next += 1;
                    }
                }
            }
        }
    }
    out.extend(lines[next..].iter().map(|l| l.to_string()));
    Ok(out.concat())
}

/// The lines inside the SOLUTION regions of `text` (markers and hints
/// excluded).
///
/// **Errors** as [`parse`].
pub fn solution_lines(text: &str) -> Result<Vec<&str>, MarkerError> {
    let lines: Vec<&str> = text.lines().collect();
    Ok(parse(text)?
        .into_iter()
        .filter(|r| r.kind == Kind::Solution)
        .flat_map(|r| lines[r.begin + 1..r.end].to_vec())
        .filter(|line| hint_text(line).is_none())
        .collect())
}

/// What starts a progressive hint inside a SOLUTION region.
pub const HINT: &str = "// HINT:";

/// The text of a `// HINT: <text>` line, or of `// HINT(<task>): <text>`
/// with its task.
fn hint_text(line: &str) -> Option<(Option<&str>, &str)> {
    let rest = line.trim().strip_prefix("//")?.trim_start().strip_prefix("HINT")?;
    if let Some(text) = rest.strip_prefix(':') {
        return Some((None, text.trim()));
    }
    let (task, text) = rest.strip_prefix('(')?.split_once("):")?;
    Some((Some(task.trim()), text.trim()))
}

/// The progressive hints of `text`, in order: the `// HINT: <text>` lines
/// inside its SOLUTION regions (the stub drops them with the region), each
/// with the function it belongs to (the nearest `fn <name>` above its
/// region), as `(function, hint)`. A region inside a helper names the task
/// its hints are for: `// HINT(conv1d_forward): <text>`.
///
/// **Errors** as [`parse`], and on a hint in a region with no `fn` above it
/// or an empty hint (naming the line).
pub fn hints(text: &str) -> Result<Vec<(String, String)>, MarkerError> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for region in parse(text)?.into_iter().filter(|r| r.kind == Kind::Solution) {
        for (i, line) in lines.iter().enumerate().take(region.end).skip(region.begin + 1) {
            let Some((named, hint)) = hint_text(line) else { continue };
            let error = |message: &str| MarkerError { line: i + 1, message: message.to_string() };
            if hint.is_empty() || named.is_some_and(str::is_empty) {
                return Err(error("an empty `// HINT:`, or an empty task name in `// HINT(task):`"));
            }
            let function = match named {
                Some(task) => task,
                None => lines[..region.begin]
                    .iter()
                    .rev()
                    .find_map(|l| function_name(l))
                    .ok_or_else(|| error("a `// HINT:` in a region with no `fn` above it"))?,
            };
            found.push((function.to_string(), hint.to_string()));
        }
    }
    Ok(found)
}

/// `name` in a line declaring `fn name`.
fn function_name(line: &str) -> Option<&str> {
    let code = line.split("//").next().unwrap_or_default();
    let after = code.split_once("fn ")?.1;
    let before = &code[..code.len() - after.len() - 3];
    if !(before.is_empty() || before.ends_with(' ')) {
        return None;
    }
    let name = after.split(|c: char| !(c.is_alphanumeric() || c == '_')).next()?;
    (!name.is_empty()).then_some(name)
}

/// `hint` as the inside of `todo!`'s string literal: escaped for a Rust
/// string, with braces doubled since `todo!` formats its argument.
pub fn escape_hint(hint: &str) -> String {
    let mut out = String::with_capacity(hint.len());
    for c in hint.chars() {
        match c {
            '{' => out.push_str("{{"),
            '}' => out.push_str("}}"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

/// Whether the code after a region closes its block, so that the `todo!` is
/// the block's value; otherwise it needs a `;`.
fn ends_block(rest: &[&str]) -> bool {
    rest.iter().map(|l| l.trim()).find(|l| !l.is_empty() && !l.starts_with("//")).is_none_or(|l| l.starts_with('}'))
}

fn line_ending(line: &str) -> &'static str {
    if line.ends_with("\r\n") {
        "\r\n"
    } else if line.ends_with('\n') {
        "\n"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_belong_to_the_function_above_their_region_and_are_not_solution_lines() {
        let text = "\
pub fn helper(x: u8) -> u8 { x }

/// Docs.
pub fn view<'a>(shape: &[usize]) -> Result<Layout, ShapeError> {
    check(shape)?;
    // BEGIN SOLUTION: reuse the storage
    // HINT: a view only changes the shape and strides.
    let strides = contiguous_strides(shape);
    //   HINT:   strides of a contiguous layout are row-major.
    // HINT(get): get reads one cell of it.
    Ok(Layout { strides })
    // END SOLUTION
}
";
        assert_eq!(
            hints(text).unwrap(),
            vec![
                ("view".to_string(), "a view only changes the shape and strides.".to_string()),
                ("view".to_string(), "strides of a contiguous layout are row-major.".to_string()),
                ("get".to_string(), "get reads one cell of it.".to_string()),
            ]
        );
        assert_eq!(
            solution_lines(text).unwrap(),
            vec!["    let strides = contiguous_strides(shape);", "    Ok(Layout { strides })"]
        );
        assert!(!strip(text).unwrap().contains("HINT"));
        let orphan = "// BEGIN SOLUTION: x\n// HINT: lost\n// END SOLUTION\n";
        assert_eq!(hints(orphan).unwrap_err().line, 2);
        assert_eq!(function_name("    fn step<D: Dimension>(x: ArrayView<f64, D>)"), Some("step"));
        assert_eq!(function_name("let define = 1; // fn nope"), None);
        assert_eq!(function_name("    refn x"), None);
    }

    fn error(text: &str) -> MarkerError {
        strip(text).expect_err("the text should be refused")
    }

    #[test]
    fn a_solution_region_becomes_one_todo_at_its_indentation() {
        let text =
            "fn f() -> u32 {\n    // BEGIN SOLUTION: add one\n    let x = 1;\n    x + 1\n    // END SOLUTION\n}\n";
        assert_eq!(strip(text).unwrap(), "fn f() -> u32 {\n    todo!(\"add one\")\n}\n");
    }

    #[test]
    fn indentation_is_kept_as_written_tabs_included() {
        let text = "\t\t// BEGIN SOLUTION: deep\n\t\tx\n\t\t// END SOLUTION\n\t}\n";
        assert_eq!(strip(text).unwrap(), "\t\ttodo!(\"deep\")\n\t}\n");
    }

    #[test]
    fn a_region_followed_by_code_gets_a_semicolon() {
        let text =
            "    // BEGIN SOLUTION: fill out\n    out[0] = 1;\n    // END SOLUTION\n\n    // done\n    Ok(out)\n}\n";
        assert_eq!(strip(text).unwrap(), "    todo!(\"fill out\");\n\n    // done\n    Ok(out)\n}\n");
    }

    #[test]
    fn the_hint_is_escaped_for_a_string_and_a_format_string() {
        assert_eq!(escape_hint(r#"say "hi" to C:\ {x} and {}"#), r#"say \"hi\" to C:\\ {{x}} and {{}}"#);
        assert_eq!(escape_hint("tab\there"), "tab\\there");
        let text = "// BEGIN SOLUTION: \"quoted\" {braced} \\ back\nx\n// END SOLUTION\n";
        assert_eq!(strip(text).unwrap(), "todo!(\"\\\"quoted\\\" {{braced}} \\\\ back\")\n");
    }

    #[test]
    fn the_hint_keeps_colons_and_loses_surrounding_spaces() {
        let regions = parse("//BEGIN SOLUTION:   a: b  \n// END SOLUTION\n").unwrap();
        assert_eq!(regions[0].hint.as_deref(), Some("a: b"));
    }

    #[test]
    fn a_hidden_region_vanishes_with_the_blank_lines_before_it() {
        let text = "fn f() {}\n\n\n// BEGIN HIDDEN\n#[cfg(test)]\nmod tests {}\n// END HIDDEN\n";
        assert_eq!(strip(text).unwrap(), "fn f() {}\n");
    }

    #[test]
    fn a_hidden_region_between_items_leaves_one_blank_line() {
        let text = "fn a() {}\n\n// BEGIN HIDDEN\nfn helper() {}\n// END HIDDEN\n\nfn b() {}\n";
        assert_eq!(strip(text).unwrap(), "fn a() {}\n\nfn b() {}\n");
    }

    #[test]
    fn a_hidden_region_at_the_top_leaves_no_leading_blank_line() {
        let text = "// BEGIN HIDDEN\nuse secret;\n// END HIDDEN\n\nfn a() {}\n";
        assert_eq!(strip(text).unwrap(), "fn a() {}\n");
    }

    #[test]
    fn ordinary_lines_and_line_endings_are_kept() {
        let text = "/// Doc.\r\nfn f() {\r\n    // BEGIN SOLUTION: h\r\n    1\r\n    // END SOLUTION\r\n}";
        assert_eq!(strip(text).unwrap(), "/// Doc.\r\nfn f() {\r\n    todo!(\"h\")\r\n}");
        assert_eq!(strip("no markers\n// BEGINNING is a word\n").unwrap(), "no markers\n// BEGINNING is a word\n");
    }

    #[test]
    fn solution_lines_are_the_bodies_of_solution_regions_only() {
        let text = "a\n// BEGIN SOLUTION: h\nb\nc\n// END SOLUTION\n// BEGIN HIDDEN\nd\n// END HIDDEN\n";
        assert_eq!(solution_lines(text).unwrap(), vec!["b", "c"]);
    }

    #[test]
    fn nested_regions_are_refused() {
        let e = error("// BEGIN SOLUTION: h\n// BEGIN HIDDEN\n// END HIDDEN\n// END SOLUTION\n");
        assert_eq!(e.line, 2);
        assert!(e.message.contains("inside the SOLUTION region opened at line 1"), "{e}");
    }

    #[test]
    fn an_end_without_begin_is_refused() {
        let e = error("x\n// END SOLUTION\n");
        assert_eq!((e.line, e.message.as_str()), (2, "`// END SOLUTION` without a `// BEGIN SOLUTION` before it"));
    }

    #[test]
    fn a_mismatched_end_is_refused() {
        let e = error("// BEGIN HIDDEN\n// END SOLUTION\n");
        assert_eq!(e.line, 2);
        assert!(e.message.contains("closes the HIDDEN region opened at line 1"), "{e}");
    }

    #[test]
    fn an_unclosed_region_is_refused_at_its_begin() {
        let e = error("a\n    // BEGIN SOLUTION: h\n    x\n");
        assert_eq!(e.line, 2);
        assert!(e.message.contains("never closed"), "{e}");
    }

    #[test]
    fn a_solution_marker_without_a_hint_is_refused() {
        for text in ["// BEGIN SOLUTION\n// END SOLUTION\n", "// BEGIN SOLUTION:   \n// END SOLUTION\n"] {
            let e = error(text);
            assert_eq!(e.line, 1);
            assert!(e.message.contains("without a hint"), "{e}");
        }
        assert!(error("// BEGIN SOLUTION hint\n// END SOLUTION\n").message.contains("after a colon"));
    }

    #[test]
    fn unknown_marker_words_are_refused() {
        for (text, shown) in [
            ("// BEGIN SOLUTIONS: h\n", "`// BEGIN SOLUTIONS`"),
            ("x\n// END HIDE\n", "`// END HIDE`"),
            ("// BEGIN\n", "`// BEGIN`"),
        ] {
            let e = error(text);
            assert!(e.message.starts_with(&format!("unknown marker {shown}")), "{e}");
        }
        assert_eq!(error("a\nb\n    // END HIDE\n").line, 3);
    }

    #[test]
    fn extra_text_after_a_marker_is_refused() {
        assert!(error("// BEGIN HIDDEN tests\n// END HIDDEN\n").message.contains("unexpected text `tests`"));
        assert!(error("// BEGIN HIDDEN\n// END HIDDEN: x\n").message.contains("unexpected text `: x`"));
    }

    #[test]
    fn marker_text_inside_another_line_is_refused() {
        let e = error("let x = 1; // BEGIN SOLUTION: h\n");
        assert_eq!(e.line, 1);
        assert!(e.message.contains("must stand alone"), "{e}");
        assert!(error("/// END HIDDEN\n").message.contains("must stand alone"));
    }

    #[test]
    fn errors_display_their_line() {
        assert_eq!(
            error("// END HIDDEN\n").to_string(),
            "line 1: `// END HIDDEN` without a `// BEGIN HIDDEN` before it"
        );
    }
}
