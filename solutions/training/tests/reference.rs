//! The capstones on the reference functions: the provided layers'
//! gradients agree with finite differences, a short run learns, the
//! grader's gate names exactly the tasks a network needs that fail, and
//! both networks reach the accuracy the notes promise.

use ndarray::ArrayViewD;
use train::gate;
use train::{Uses, app, checks, lenet, mnist, sequence};

#[test]
fn lenet_gradients_match_finite_differences() {
    // conv 2 x 1 x 3 x 3 + 2, conv 3 x 2 x 3 x 3 + 3, linear 12 x 5 + 5, linear 5 x 10 + 10.
    assert_eq!(checks::lenet_gradients(&training::reference()).unwrap(), 20 + 57 + 65 + 60);
}

#[test]
fn sequence_gradients_match_finite_differences() {
    // Embeddings 11 x 4 and 6 x 4; per layer four projections and a gate
    // control of 4 x 4 + 4; a read-out of 4 x 10 + 10.
    assert_eq!(checks::sequence_gradients(&training::reference()).unwrap(), 44 + 24 + 2 * 5 * 20 + 50);
}

#[test]
fn one_epoch_on_64_images_lowers_the_loss() {
    let data = mnist::load(&mnist::default_dir()).unwrap();
    let (before, after) = checks::tiny_run(&training::reference(), &data.train).unwrap();
    assert!(after < 0.9 * before, "{before} -> {after}");
}

#[test]
fn every_gated_task_is_a_grader_task() {
    let ids: Vec<String> = grader::tasks().iter().map(|t| t.id()).collect();
    for uses in [Uses::Mnist, Uses::Sequence] {
        for task in gate::tasks(uses) {
            assert!(ids.iter().any(|id| id == task), "{task} is not among {ids:?}");
        }
    }
}

/// The gate's reading of a real grader report: the reference functions
/// with the stubs of the network module and a ReLU that lets negatives
/// through.
#[test]
fn the_gate_names_the_failing_tasks_a_network_uses() {
    let mut tables = grading::solutions();
    tables.network = grading::stubs().network;
    tables.activations.relu = |x: ArrayViewD<f64>| x.to_owned();
    grading::capture_panics();
    let graded: Vec<_> = grader::tasks()
        .iter()
        .filter(|t| gate::tasks(Uses::Mnist).contains(&t.id().as_str()))
        .map(|t| grading::grade_here(t, &tables, 5))
        .collect();
    // Back to the default hook, so that a failed assertion prints.
    drop(std::panic::take_hook());
    let report: serde_json::Value = serde_json::from_str(&grader::report::RunReport::new(5, graded).to_json()).unwrap();
    let failing = gate::failures(&report);
    let names: Vec<&str> = failing.iter().map(|f| f.split(':').next().unwrap()).collect();
    assert_eq!(
        names,
        [
            "activations/relu",
            // Checked with finite differences of the (wrong) relu.
            "activations/relu_backward",
            "network/linear",
            "network/linear_backward",
            "network/cross_entropy",
            "network/cross_entropy_backward"
        ]
    );
    assert!(failing[2].contains("not implemented"), "{}", failing[2]);
}

/// The promise of the notes: 10 epochs of the defaults reach 97 % on the
/// 1,000 test digits (about 20 s in release, a few minutes in a debug
/// build: run with `--release` or `--ignored` in a quick loop).
#[test]
fn the_lenet_reaches_97_percent_in_10_epochs() {
    let data = mnist::load(&mnist::default_dir()).unwrap();
    let out = std::env::temp_dir().join(format!("training-mnist-{}", std::process::id()));
    let config = lenet::Config::default();
    assert_eq!(config.epochs, 10);
    app::mnist_run(&training::reference(), &config, &data.train, &data.test, &out).unwrap();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let accuracy = summary["test_accuracy"].as_f64().unwrap();
    assert!(accuracy >= 0.97, "{accuracy}");
    std::fs::remove_dir_all(out).unwrap();
}

#[test]
fn the_sequence_model_reverses_digits_at_99_percent() {
    let out = std::env::temp_dir().join(format!("training-sequence-{}", std::process::id()));
    app::sequence_run(&training::reference(), &sequence::Config::default(), &out).unwrap();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let accuracy = summary["token_accuracy"].as_f64().unwrap();
    assert!(accuracy >= 0.99, "{accuracy}");
    std::fs::remove_dir_all(out).unwrap();
}
