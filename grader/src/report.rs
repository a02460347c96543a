//! The result of a whole run, for people ([`human`]) or machines (JSON).

pub mod gradescope;
pub mod human;
pub mod junit;

use serde::{Deserialize, Serialize};

use crate::task::{Status, TaskReport};

/// Everything one run of the grader found: the JSON document of
/// `--format json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// Points earned over all selected tasks.
    pub score: f64,
    /// Points available over all selected tasks.
    pub max_score: f64,
    /// The seed every random input derived from; `--seed` replays it.
    pub seed: u64,
    /// One report per task, in the order of the notes.
    pub tasks: Vec<TaskReport>,
}

impl RunReport {
    /// Totals `tasks` graded with `seed`.
    pub fn new(seed: u64, tasks: Vec<TaskReport>) -> Self {
        let score = tasks.iter().map(|t| t.score).sum();
        let max_score = tasks.iter().map(|t| t.max_score).sum();
        RunReport { score, max_score, seed, tasks }
    }

    /// True when every task passed: the run exits with status 0.
    pub fn all_passed(&self) -> bool {
        self.tasks.iter().all(|t| t.status == Status::Passed)
    }

    /// The JSON document, pretty-printed.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a run report serialises")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::task::CheckReport;

    /// A run of two tasks with seed 7: `tensor/view` passed (4 of 4
    /// points), `conv1d/conv1d_forward` failed `golden: numpy` (0.5 of 4).
    pub fn sample() -> RunReport {
        let check = |name: &str, message: &str| CheckReport {
            name: name.to_string(),
            passed: message.is_empty(),
            message: message.to_string(),
        };
        let task = |module: &str, name: &str, score: f64, status: Status, checks: Vec<CheckReport>| TaskReport {
            name: name.to_string(),
            module: module.to_string(),
            score,
            max_score: 4.0,
            status,
            seconds: 0.25,
            chapter: format!("book/src/{module}.md"),
            checks,
        };
        RunReport::new(
            7,
            vec![
                task("tensor", "view", 4.0, Status::Passed, vec![check("example: ok", "")]),
                task(
                    "conv1d",
                    "conv1d_forward",
                    0.5,
                    Status::Failed,
                    vec![check("example: ok", ""), check("golden: numpy", "expected <1>, got \"2\"")],
                ),
            ],
        )
    }
}
