//! The reference solutions get full marks, on any seed.

mod common;

use common::grade_json;

#[test]
fn full_marks_on_several_seeds() {
    for seed in ["1", "42", "20261127", "18446744073709551615"] {
        let (code, report) = grade_json(env!("CARGO_BIN_EXE_grade-solutions"), &["--seed", seed]);
        assert_eq!(report["seed"].to_string(), seed);
        assert!(report["max_score"].as_f64().unwrap() > 0.0);
        assert_eq!(report["score"], report["max_score"], "seed {seed}: {report:#}");
        for task in report["tasks"].as_array().unwrap() {
            assert_eq!(task["status"], "passed", "seed {seed}: {task:#}");
            assert!(task["checks"].as_array().unwrap().len() >= 3, "{} has too few checks", task["name"]);
        }
        assert_eq!(code, 0);
    }
}

#[test]
fn every_check_is_named_by_its_kind() {
    let (_, report) = grade_json(env!("CARGO_BIN_EXE_grade-solutions"), &["--seed", "3"]);
    for task in report["tasks"].as_array().unwrap() {
        for check in task["checks"].as_array().unwrap() {
            let name = check["name"].as_str().unwrap();
            assert!(
                grader::credit::Kind::is_named(name),
                "{}: the check \"{name}\" does not start with a kind (see grader::credit)",
                task["name"]
            );
        }
    }
}

#[test]
fn every_task_is_reported_once_in_the_order_of_the_notes() {
    let (_, report) = grade_json(env!("CARGO_BIN_EXE_grade-solutions"), &["--seed", "7"]);
    let names: Vec<String> =
        report["tasks"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_string()).collect();
    let expected: Vec<String> = grader::tasks().iter().map(|t| t.name.to_string()).collect();
    assert_eq!(names, expected);
}
