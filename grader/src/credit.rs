//! How a task's points follow from its checks: credit tracks correctness.
//!
//! Every check is of one [`Kind`], read from the first words of its name
//! (a convention the tests of the grader hold every check to):
//!
//! | kind | names start with | weight | when it fails |
//! | --- | --- | --- | --- |
//! | typical | `worked example`, `golden:`, `finite differences of`, `property:`, `large:`, `contract:`, `scale:`, `statistics:`, `seeded:` | 3 | the task keeps at most 25 % |
//! | layout | `golden, on`, `finite differences, with`, or any name about views | 2 | the task keeps at most 50 % |
//! | edge | `edge:`, `stability:`, `ties:` | 1 | |
//! | structure | `refuses`, or a property about shapes | 0.5 | |
//!
//! So a function that is wrong on the inputs it usually meets (a flipped
//! kernel, padding on the wrong side, the wrong axis, NaN, a wrong shape)
//! earns at most a quarter of its points, and one that is wrong only on a
//! rare edge (ties, huge values, an empty axis) keeps most of them.

use serde::{Deserialize, Serialize};

use crate::task::CheckReport;

/// What a check tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The function on the inputs it usually meets.
    Typical,
    /// The same on permuted, sliced, reversed or broadcast views.
    Layout,
    /// Rare inputs: ties, values near the ends of the float range, empty axes.
    Edge,
    /// Shapes of results, and refusals of bad input.
    Structure,
}

/// The share of a task's points that any failed typical check leaves at most.
pub const TYPICAL_CAP: f64 = 0.25;

/// The share that a failed layout check leaves at most: the functions take
/// views so that callers can pass permuted and sliced arrays, and one that
/// fails on them fails half of its callers.
pub const LAYOUT_CAP: f64 = 0.5;

/// How the names of typical checks start.
const TYPICAL: [&str; 9] = [
    "worked example",
    "golden:",
    "finite differences of",
    "property:",
    "large:",
    "contract:",
    "scale:",
    "statistics:",
    "seeded:",
];

/// How the names of layout checks start (names about views are layout too).
const LAYOUT: [&str; 2] = ["golden, on", "finite differences, with"];

/// How the names of edge checks start.
const EDGE: [&str; 3] = ["edge:", "stability:", "ties:"];

/// How the names of structure checks start (shape properties are structure too).
const STRUCTURE: &str = "refuses";

impl Kind {
    /// The kind of the check named `name`.
    pub fn of(name: &str) -> Kind {
        let starts = |prefixes: &[&str]| prefixes.iter().any(|p| name.starts_with(p));
        if name.starts_with(STRUCTURE) || (name.starts_with("property:") && name.contains("shape")) {
            Kind::Structure
        } else if starts(&EDGE) {
            Kind::Edge
        } else if starts(&LAYOUT) || name.contains("views") {
            Kind::Layout
        } else if starts(&TYPICAL) {
            Kind::Typical
        } else {
            Kind::Edge
        }
    }

    /// Whether `name` follows the naming convention (its kind is not a guess).
    pub fn is_named(name: &str) -> bool {
        [&TYPICAL[..], &LAYOUT, &EDGE, &[STRUCTURE]].concat().iter().any(|p| name.starts_with(p))
    }

    /// The check's share of the points, before the cap.
    pub fn weight(self) -> f64 {
        match self {
            Kind::Typical => 3.0,
            Kind::Layout => 2.0,
            Kind::Edge => 1.0,
            Kind::Structure => 0.5,
        }
    }
}

/// The points `checks` earn of `points`: the weighted share passed, capped
/// at [`TYPICAL_CAP`] when a typical check failed and at [`LAYOUT_CAP`] when
/// a layout check failed, within `[0, points]`.
pub fn score(points: f64, checks: &[CheckReport]) -> f64 {
    let total: f64 = checks.iter().map(|c| Kind::of(&c.name).weight()).sum();
    if total == 0.0 {
        return 0.0;
    }
    let earned: f64 = checks.iter().filter(|c| c.passed).map(|c| Kind::of(&c.name).weight()).sum();
    let mut share = earned / total;
    let failed = |kind| checks.iter().any(|c| !c.passed && Kind::of(&c.name) == kind);
    if failed(Kind::Typical) {
        share = share.min(TYPICAL_CAP);
    } else if failed(Kind::Layout) {
        share = share.min(LAYOUT_CAP);
    }
    (points * share).clamp(0.0, points)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, passed: bool) -> CheckReport {
        CheckReport { name: name.to_string(), passed, message: String::new() }
    }

    #[test]
    fn names_give_kinds() {
        assert_eq!(Kind::of("worked example: (0, 1, 2, 3)"), Kind::Typical);
        assert_eq!(Kind::of("golden: outputs computed by JAX"), Kind::Typical);
        assert_eq!(Kind::of("golden, on permuted, sliced and reversed views"), Kind::Layout);
        assert_eq!(Kind::of("finite differences, with x and g given as permuted views"), Kind::Layout);
        assert_eq!(Kind::of("property: the output is batch x out_channels x the input's size"), Kind::Typical);
        assert_eq!(Kind::of("property: the output has the input's shape, for any number of axes"), Kind::Structure);
        assert_eq!(Kind::of("refuses a dim past the last axis"), Kind::Structure);
        assert_eq!(Kind::of("ties: exactly one 1 per slice"), Kind::Edge);
    }

    #[test]
    fn a_failed_typical_check_caps_the_task_and_an_edge_costs_little() {
        let all = |edge: bool, typical: bool| {
            vec![
                check("worked example: a", typical),
                check("golden: b", true),
                check("finite differences of c", true),
                check("golden, on permuted views", true),
                check("stability: d", edge),
                check("refuses e", true),
            ]
        };
        assert_eq!(score(10.0, &all(true, true)), 10.0);
        assert_eq!(score(10.0, &all(true, false)), 2.5);
        let edge = score(10.0, &all(false, true));
        assert!(edge > 8.0 && edge < 10.0, "{edge}");
        // Only structure passing: a wrong shape everywhere earns little.
        let shape_only = vec![check("golden: a", false), check("refuses b", true), check("worked example: c", false)];
        assert!(score(10.0, &shape_only) < 1.0);
        assert_eq!(score(10.0, &[]), 0.0);
    }
}
