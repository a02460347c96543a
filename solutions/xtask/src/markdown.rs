//! Instructor-only passages of Markdown files, dropped from the handout:
//!
//! ```text
//! <!-- BEGIN INSTRUCTOR -->
//! ## Instructors
//! Run `cargo xtask handout --out DIR` ...
//! <!-- END INSTRUCTOR -->
//! ```
//!
//! Both marker lines and everything between them go, together with the
//! blank lines right before the region. Regions do not nest; outside a
//! region, marker text anywhere but on a marker line is an error (so that a
//! mistyped marker cannot leak instructor notes).

use crate::regions::MarkerError;

const BEGIN: &str = "BEGIN INSTRUCTOR";
const END: &str = "END INSTRUCTOR";

/// `text` without its instructor regions.
///
/// **Errors** on a nested, unbalanced or inline marker, naming its line.
pub fn strip_instructor(text: &str) -> Result<String, MarkerError> {
    let mut out: Vec<&str> = Vec::new();
    let mut open: Option<usize> = None;
    let mut skip_blank = false;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let error = |message: String| MarkerError { line: i + 1, message };
        let marker = line
            .trim()
            .strip_prefix("<!--")
            .and_then(|l| l.strip_suffix("-->"))
            .map(str::trim)
            .filter(|m| *m == BEGIN || *m == END);
        match (marker, open) {
            (Some(BEGIN), Some(at)) => {
                return Err(error(format!("`<!-- {BEGIN} -->` inside the region opened at line {}", at + 1)));
            }
            (Some(BEGIN), None) => {
                while out.last().is_some_and(|l| l.trim().is_empty()) {
                    out.pop();
                }
                open = Some(i);
            }
            (Some(_), None) => return Err(error(format!("`<!-- {END} -->` without a `<!-- {BEGIN} -->` before it"))),
            (Some(_), Some(_)) => {
                open = None;
                skip_blank = out.is_empty();
            }
            (None, None) if line.contains(BEGIN) || line.contains(END) => {
                return Err(error(format!("instructor markers stand alone on a line: `<!-- {BEGIN} -->`")));
            }
            (None, Some(_)) => {}
            (None, None) if skip_blank && line.trim().is_empty() => {}
            (None, None) => {
                skip_blank = false;
                out.push(line);
            }
        }
    }
    match open {
        Some(at) => Err(MarkerError {
            line: at + 1,
            message: format!("instructor region never closed: `<!-- {END} -->` is missing"),
        }),
        None => Ok(out.concat()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructor_regions_vanish_with_the_blank_lines_before_them() {
        let text = "# Title\n\nFor students.\n\n<!-- BEGIN INSTRUCTOR -->\n## Instructors\nsecret\n<!-- END INSTRUCTOR -->\n\n## Next\n";
        assert_eq!(strip_instructor(text).unwrap(), "# Title\n\nFor students.\n\n## Next\n");
        let at_end = "Students.\n\n<!--BEGIN INSTRUCTOR-->\nx\n<!--END INSTRUCTOR-->\n";
        assert_eq!(strip_instructor(at_end).unwrap(), "Students.\n");
        let at_start = "<!-- BEGIN INSTRUCTOR -->\nx\n<!-- END INSTRUCTOR -->\n\n# Title\n";
        assert_eq!(strip_instructor(at_start).unwrap(), "# Title\n");
    }

    #[test]
    fn malformed_regions_are_refused_with_their_line() {
        let cases = [
            ("<!-- BEGIN INSTRUCTOR -->\n<!-- BEGIN INSTRUCTOR -->\n", 2, "inside the region opened at line 1"),
            ("a\n<!-- END INSTRUCTOR -->\n", 2, "without a"),
            ("a\n<!-- BEGIN INSTRUCTOR -->\nb\n", 2, "never closed"),
            ("see BEGIN INSTRUCTOR here\n", 1, "stand alone"),
        ];
        for (text, line, message) in cases {
            let e = strip_instructor(text).unwrap_err();
            assert_eq!(e.line, line, "{e}");
            assert!(e.message.contains(message), "{e}");
        }
    }
}
