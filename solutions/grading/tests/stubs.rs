//! The generated stubs score zero: every task not implemented, none crashed.

mod common;

use common::grade_json;

#[test]
fn stubs_score_zero_and_every_task_is_not_implemented() {
    let (code, report) = grade_json(env!("CARGO_BIN_EXE_grade-stubs"), &["--seed", "3"]);
    assert_eq!(report["score"].as_f64(), Some(0.0));
    let tasks = report["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), grader::tasks().len());
    for task in tasks {
        assert_eq!(task["status"], "not_implemented", "{task:#}");
        assert_eq!(task["score"].as_f64(), Some(0.0));
        // Checks of empty inputs, which the provided validation answers
        // before any todo!(), may pass; the first that does not is the todo!().
        let checks = task["checks"].as_array().unwrap();
        let first = &checks.iter().find(|c| c["passed"] == false).expect("a check that did not pass")["message"];
        // A task of provided code that composes other modules' functions
        // (the small network) reaches the todo!() of one it needs.
        let module = task["module"].as_str().unwrap();
        assert!(
            grader::build::needed_by(module).iter().any(|m| first
                .as_str()
                .unwrap()
                .starts_with(&format!("not implemented: reaches the todo!() at modules/{m}/src/"))),
            "{first}"
        );
    }
    assert_eq!(code, 1);
}

#[test]
fn the_human_report_points_each_stub_at_its_todo() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_grade-stubs"))
        .args(["--seed", "3", "--task", "view", "--color", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("not implemented"), "{text}");
    assert!(text.contains("todo!() at modules/tensor/src/layout.rs"), "{text}");
    assert!(text.contains("read:   target/book/tensor.html#view-another-shape-over-the-same-storage"), "{text}");
    assert!(text.contains("hint:   cargo grade --hint view"), "{text}");
    assert!(text.contains("0.0/5.0"), "{text}");
    assert!(!text.contains('\u{1b}'), "--color never printed escapes: {text}");
}
