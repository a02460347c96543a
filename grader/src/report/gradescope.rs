//! Gradescope's `results.json` (`--gradescope FILE`): the score, and one
//! test per task with its failing checks as output, so an autograder on
//! Gradescope shows each student the grader's own report.

use serde_json::{Value, json};

use super::RunReport;
use crate::sections;
use crate::task::{Status, TaskReport};

/// The document Gradescope reads from `/autograder/results/results.json`.
/// `command` replays the run (`cargo grade`); `notes` head its output.
pub fn results(run: &RunReport, command: &str, notes: &[String]) -> Value {
    let tests: Vec<Value> = run.tasks.iter().map(test).collect();
    json!({
        "score": run.score,
        "execution_time": run.tasks.iter().map(|t| t.seconds).sum::<f64>(),
        "output": notes
            .iter()
            .cloned()
            .chain([format!("graded with seed {seed}: `{command} --seed {seed}` replays it", seed = run.seed)])
            .collect::<Vec<_>>()
            .join("\n"),
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    })
}

/// One task as a Gradescope test named `module/task`.
fn test(task: &TaskReport) -> Value {
    let failing: Vec<String> =
        task.checks.iter().filter(|c| !c.passed).map(|c| format!("x {}\n{}", c.name, c.message)).collect();
    let output = if task.status == Status::Passed {
        format!("passed all {} checks", task.checks.len())
    } else {
        format!(
            "{}; read {}\n\n{}",
            task.status.label(),
            sections::page(&task.module, &task.name),
            failing.join("\n\n")
        )
    };
    json!({
        "name": format!("{}/{}", task.module, task.name),
        "score": task.score,
        "max_score": task.max_score,
        "status": if task.status == Status::Passed { "passed" } else { "failed" },
        "output": output,
        "output_format": "text",
        "tags": [task.module],
        "visibility": "visible",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample;

    #[test]
    fn results_have_the_fields_gradescope_documents() {
        let results = results(&sample(), "cargo grade", &["a note".to_string()]);
        assert_eq!(results["score"], 4.5);
        assert_eq!(results["output"], "a note\ngraded with seed 7: `cargo grade --seed 7` replays it");
        let tests = results["tests"].as_array().unwrap();
        assert_eq!(tests.len(), 2);
        for test in tests {
            for key in ["name", "score", "max_score", "status", "output", "visibility"] {
                assert!(test.get(key).is_some(), "{key} missing in {test}");
            }
        }
        assert_eq!(tests[0]["name"], "tensor/view");
        assert_eq!(tests[0]["status"], "passed");
        assert_eq!(tests[1]["status"], "failed");
        let output = tests[1]["output"].as_str().unwrap();
        assert!(output.starts_with("failed; read target/book/conv1d.html#conventions"), "{output}");
        assert!(output.contains("x golden: numpy\nexpected <1>, got \"2\""), "{output}");
        assert!(!output.contains("example: ok"), "passing checks are not listed: {output}");
    }
}
