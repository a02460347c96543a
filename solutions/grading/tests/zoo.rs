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
