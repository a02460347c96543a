//! The zoo: every known-wrong implementation loses points in the task it
//! gets wrong, and only there.

#[path = "zoo/tensor.rs"]
mod tensor;

use grader::runner::{capture_panics, grade_here};
use grader::{Implementation, Status};

/// One wrong implementation planted into the solutions.
pub struct Mutant {
    /// The task that must catch it.
    pub task: &'static str,
    /// The mistake, for messages.
    pub what: &'static str,
    /// Replaces the right function with the wrong one.
    pub plant: fn(&mut Implementation),
}

#[test]
fn every_mutant_loses_points_in_its_own_task_only() {
    capture_panics();
    let tasks = grader::tasks();
    for seed in [1, 2] {
        for mutant in tensor::MUTANTS {
            let mut implementation = grading::solutions();
            (mutant.plant)(&mut implementation);
            for task in &tasks {
                let report = grade_here(task, &implementation, seed).expect("no panic outside checks");
                if task.name == mutant.task {
                    drop(std::panic::take_hook()); // Print this test's own failure.
                    assert!(
                        report.score < report.max_score && report.status != Status::Passed,
                        "{}: the mutant '{}' got {}/{} (seed {seed})",
                        task.name,
                        mutant.what,
                        report.score,
                        report.max_score
                    );
                } else {
                    assert_eq!(
                        report.status,
                        Status::Passed,
                        "{}: the mutant '{}' broke it: {:?}",
                        task.name,
                        mutant.what,
                        report.checks
                    );
                }
            }
        }
    }
}

#[test]
fn every_task_has_a_mutant() {
    for task in grader::tasks() {
        assert!(
            tensor::MUTANTS.iter().any(|m| m.task == task.name),
            "no wrong implementation tests the checks of {}",
            task.name
        );
    }
}

#[test]
fn every_check_catches_some_mutant() {
    capture_panics();
    let mut uncaught = Vec::new();
    for task in grader::tasks() {
        let mutants: Vec<&Mutant> = tensor::MUTANTS.iter().filter(|m| m.task == task.name).collect();
        let reports: Vec<_> = mutants
            .iter()
            .map(|mutant| {
                let mut implementation = grading::solutions();
                (mutant.plant)(&mut implementation);
                grade_here(&task, &implementation, 1).expect("no panic outside checks")
            })
            .collect();
        let right = grade_here(&task, &grading::solutions(), 1).expect("no panic outside checks");
        for (i, check) in right.checks.iter().enumerate() {
            if reports.iter().all(|r| r.checks[i].passed) {
                uncaught.push(format!("{}: \"{}\"", task.name, check.name));
            }
        }
    }
    drop(std::panic::take_hook()); // Print this test's own failure.
    assert!(uncaught.is_empty(), "checks that no wrong implementation fails:\n{}", uncaught.join("\n"));
}
