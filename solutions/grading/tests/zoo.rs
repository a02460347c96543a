//! The zoo: every known-wrong implementation loses points in the task it
//! gets wrong, and only there (a wrong forward may also fail its backward's
//! finite differences, which are taken of the forward under test).

#[path = "zoo/activations.rs"]
mod activations;
#[path = "zoo/attention.rs"]
mod attention;
#[path = "zoo/conv.rs"]
mod conv;
#[path = "zoo/network.rs"]
mod network;
#[path = "zoo/pooling.rs"]
mod pooling;
#[path = "zoo/softmax.rs"]
mod softmax;
#[path = "zoo/tensor.rs"]
mod tensor;

use bindings::Tables as Implementation;
use grader::Status;
use grading::{capture_panics, grade_here};

/// What code that reads element 0 to start a loop does on an empty array:
/// panics. The "empty" mutants call it first.
pub fn first_element(x: &ndarray::ArrayViewD<f64>) -> f64 {
    x.iter().next().copied().unwrap_or_else(|| panic!("index out of bounds: the len is 0 but the index is 0"))
}

/// One wrong implementation planted into the solutions.
pub struct Mutant {
    /// The task that must catch it.
    pub task: &'static str,
    /// The mistake, for messages.
    pub what: &'static str,
    /// Replaces the right function with the wrong one.
    pub plant: fn(&mut Implementation),
}

/// Every mutant of every module.
fn mutants() -> impl Iterator<Item = &'static Mutant> {
    [
        tensor::MUTANTS,
        conv::conv1d::MUTANTS,
        conv::conv2d::MUTANTS,
        pooling::MUTANTS,
        activations::MUTANTS,
        softmax::MUTANTS,
        attention::MUTANTS,
        network::MUTANTS,
    ]
    .into_iter()
    .flatten()
}

/// The solutions with `mutant` planted.
fn planted(mutant: &Mutant) -> Implementation {
    let mut implementation = grading::solutions();
    (mutant.plant)(&mut implementation);
    implementation
}

/// `mutant`'s report on its own task.
fn grade_mutant(mutant: &Mutant, seed: u64) -> grader::TaskReport {
    let task = grader::tasks().into_iter().find(|t| t.name == mutant.task).expect("the mutant names a task");
    grade_here(&task, &planted(mutant), seed)
}

/// The task a mutant of `task` may break besides its own: the backward
/// whose finite differences call this forward (`conv1d_forward` and
/// `conv1d_backward`, `relu` and `relu_backward`, `dropout` and
/// `dropout_backward`).
fn dependent(task: &str) -> String {
    format!("{}_backward", task.strip_suffix("_forward").unwrap_or(task))
}

/// Grades `mutants` on both seeds: each must lose points in its own task
/// and leave the other tasks of its module passed. One test per module, and
/// two threads within it (softmax's 60 mutants would otherwise finish last,
/// alone on one core).
fn lose_points_in_their_own_task_only(mutants: &[Mutant]) {
    capture_panics();
    let halves = mutants.split_at(mutants.len() / 2);
    let wrong: Vec<String> = std::thread::scope(|scope| {
        let first = scope.spawn(|| own_task_only(halves.0));
        let mut wrong = own_task_only(halves.1);
        wrong.extend(first.join().expect("the grading thread panicked"));
        wrong
    });
    drop(std::panic::take_hook()); // Print this test's own failure.
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// What goes wrong with [`lose_points_in_their_own_task_only`] for `mutants`.
fn own_task_only(mutants: &[Mutant]) -> Vec<String> {
    let tasks = grader::tasks();
    let mut wrong = Vec::new();
    for seed in [1, 2] {
        for mutant in mutants {
            let implementation = planted(mutant);
            // A mutant replaces one function of one module: only that module's tasks can change.
            let Some(module) = tasks.iter().find(|t| t.name == mutant.task).map(|t| t.module) else {
                wrong.push(format!("the mutant '{}' names no task: {}", mutant.what, mutant.task));
                continue;
            };
            for task in tasks.iter().filter(|t| t.module == module) {
                if dependent(mutant.task) == task.name {
                    continue;
                }
                let report = grade_here(task, &implementation, seed);
                if task.name == mutant.task {
                    if report.score >= report.max_score || report.status == Status::Passed {
                        wrong.push(format!(
                            "{}: the mutant '{}' got {}/{} (seed {seed})",
                            task.name, mutant.what, report.score, report.max_score
                        ));
                    }
                } else if report.status != Status::Passed {
                    wrong.push(format!("{}: the mutant '{}' broke it: {:?}", task.name, mutant.what, report.checks));
                }
            }
        }
    }
    wrong
}

#[test]
fn tensor_mutants_lose_points_in_their_own_task_only() {
    lose_points_in_their_own_task_only(tensor::MUTANTS);
}

#[test]
fn conv1d_mutants_lose_points_in_their_own_task_only() {
    lose_points_in_their_own_task_only(conv::conv1d::MUTANTS);
}

#[test]
fn conv2d_mutants_lose_points_in_their_own_task_only() {
    lose_points_in_their_own_task_only(conv::conv2d::MUTANTS);
}

#[test]
fn pooling_mutants_lose_points_in_their_own_task_only() {
    lose_points_in_their_own_task_only(pooling::MUTANTS);
}

#[test]
fn activations_mutants_lose_points_in_their_own_task_only() {
    lose_points_in_their_own_task_only(activations::MUTANTS);
}

#[test]
fn softmax_mutants_lose_points_in_their_own_task_only() {
    lose_points_in_their_own_task_only(softmax::MUTANTS);
}

#[test]
fn attention_mutants_lose_points_in_their_own_task_only() {
    lose_points_in_their_own_task_only(attention::MUTANTS);
}

#[test]
fn network_mutants_lose_points_in_their_own_task_only() {
    lose_points_in_their_own_task_only(network::MUTANTS);
}

/// Prints every mutant's score on seed 1, for the record:
/// `cargo test -p grading --test zoo -- --ignored --nocapture scores`.
#[test]
#[ignore = "a report, not a test"]
fn scores() {
    capture_panics();
    let mut lines = Vec::new();
    for mutant in mutants() {
        let report = grade_mutant(mutant, 1);
        lines.push(format!("{:5.1}% {:<24} {}", 100.0 * report.score / report.max_score, mutant.task, mutant.what));
    }
    drop(std::panic::take_hook());
    println!("{}", lines.join("\n"));
}

#[test]
fn every_task_has_a_mutant() {
    for task in grader::tasks() {
        assert!(mutants().any(|m| m.task == task.name), "no wrong implementation tests the checks of {}", task.name);
    }
}

/// The family of a mistake, from its description: what share of its task
/// it may keep.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Family {
    /// Refuses no bad input: keeps most (the checks of refusals weigh little).
    Refusals,
    /// Wrong only on ties or at a rate of exactly 1: keeps most.
    Edge,
    /// Wrong only on non-contiguous views: keeps at most half.
    Layout,
    /// Wrong on the inputs it usually meets: keeps at most a quarter.
    Typical,
}

fn family(what: &str) -> Family {
    let refusals = [
        "never checks",
        "accepts a repeated axis",
        "unwraps the rank",
        "drops the provided index check",
        "lets tile's errors through",
    ];
    if refusals.iter().any(|k| what.contains(k)) {
        Family::Refusals
    } else if ["tied", "NaN at rate 1", "overflows", "empty", "zero stride", "(0,)"].iter().any(|k| what.contains(k)) {
        Family::Edge
    } else if what.contains("contiguous") || what.contains("storage as it lies") {
        Family::Layout
    } else {
        Family::Typical
    }
}

#[test]
fn credit_tracks_correctness() {
    capture_panics();
    let mut wrong = Vec::new();
    for mutant in mutants() {
        let report = grade_mutant(mutant, 2);
        let share = report.score / report.max_score;
        let (low, high) = match family(mutant.what) {
            Family::Refusals | Family::Edge => (0.5, 1.0),
            Family::Layout => (0.0, grader::credit::LAYOUT_CAP),
            Family::Typical => (0.0, grader::credit::TYPICAL_CAP),
        };
        if !(low..=high).contains(&share) {
            let failed: Vec<&str> = report.checks.iter().filter(|c| !c.passed).map(|c| c.name.as_str()).collect();
            wrong.push(format!(
                "{}: '{}' ({:?}) keeps {:.0}%, failing {failed:?}",
                mutant.task,
                mutant.what,
                family(mutant.what),
                share * 100.0
            ));
        }
    }
    drop(std::panic::take_hook()); // Print this test's own failure.
    assert!(wrong.is_empty(), "credit out of its family's bounds:\n{}", wrong.join("\n"));
}

/// Mistakes the report recognises: the mutant's description, and what its
/// report must say it looks like.
const RECOGNISED: &[(&str, &str, &str)] = &[
    ("conv1d_forward", "flips the kernel", "this looks like a flipped kernel"),
    ("conv2d_forward", "flips the kernel", "this looks like a flipped kernel"),
    ("conv1d_forward", "anchors the kernel at its right end", "moved"),
    ("conv1d_backward", "gradients rounded through f32", "rounded to f32"),
    ("dropout_backward", "rounds through f32", "rounded to f32"),
    ("attention", "no 1 / sqrt(D)", "not divided by sqrt(D)"),
    ("dropout", "forgets to scale the survivors", "times the expected"),
];

#[test]
fn reports_name_the_mistakes_they_recognise() {
    capture_panics();
    let mut missing = Vec::new();
    for &(task_name, what, hint) in RECOGNISED {
        let mutant = mutants().find(|m| m.task == task_name && m.what.contains(what)).expect("a mutant of the table");
        let report = grade_mutant(mutant, 1);
        if !report.checks.iter().any(|c| c.message.contains(hint)) {
            missing.push(format!("{task_name} '{}': no \"{hint}\" in {:#?}", mutant.what, report.checks));
        }
    }
    drop(std::panic::take_hook());
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn every_check_catches_some_mutant() {
    capture_panics();
    let mut uncaught = Vec::new();
    for task in grader::tasks() {
        let reports: Vec<_> =
            mutants().filter(|m| m.task == task.name).map(|mutant| grade_here(&task, &planted(mutant), 1)).collect();
        let right = grade_here(&task, &grading::solutions(), 1);
        for (i, check) in right.checks.iter().enumerate() {
            if reports.iter().all(|r| r.checks[i].passed) {
                uncaught.push(format!("{}: \"{}\"", task.name, check.name));
            }
        }
    }
    drop(std::panic::take_hook()); // Print this test's own failure.
    assert!(uncaught.is_empty(), "checks that no wrong implementation fails:\n{}", uncaught.join("\n"));
}
