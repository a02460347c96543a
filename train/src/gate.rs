//! Before training on your functions, the grader's verdict on the tasks
//! the network needs: a function that runs but is wrong would train a
//! network that learns nothing, and the loss curve would not say why.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::kit::Uses;

/// Who vouches for the functions of a [`crate::Kit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// Your functions: `cargo grade` must pass every task a capstone uses.
    Grader,
    /// Functions checked elsewhere (the reference solutions, stand-ins in tests).
    Trusted,
}

/// The grader's tasks (`module/task`) behind the functions `uses` calls.
pub fn tasks(uses: Uses) -> &'static [&'static str] {
    match uses {
        Uses::Mnist => &[
            "conv2d/conv2d_forward",
            "conv2d/conv2d_backward",
            "activations/relu",
            "activations/relu_backward",
            "softmax/maxpool2d",
            "softmax/maxpool2d_backward",
            "softmax/dropout",
            "softmax/dropout_backward",
            "network/linear",
            "network/linear_backward",
            "network/cross_entropy",
            "network/cross_entropy_backward",
        ],
        Uses::Sequence => &[
            "attention/gate",
            "attention/gate_backward",
            "attention/attention",
            "attention/attention_backward",
            "network/linear",
            "network/linear_backward",
            "network/cross_entropy",
            "network/cross_entropy_backward",
        ],
    }
}

/// The tasks of `uses` that `cargo grade` does not pass, each as
/// `"module/task: first failed check"`, from the grader's JSON report.
///
/// **Errors** when the grader cannot be run or its report cannot be read.
pub fn failing(uses: Uses) -> Result<Vec<String>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let mut command = Command::new(cargo);
    command.args(["run", "--quiet", "--package", "grader", "--manifest-path"]).arg(&manifest);
    command.args(["--", "--format", "json"]);
    for task in tasks(uses) {
        command.args(["--task", task]);
    }
    let output = command.output().context("cannot run the grader (`cargo grade`)")?;
    let report: Value = match serde_json::from_slice(&output.stdout) {
        Ok(report) => report,
        Err(_) => bail!(
            "the grader gave no report (exit status {}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        ),
    };
    Ok(failures(&report))
}

/// The tasks of a grader report that did not pass, with their first failed check.
pub fn failures(report: &Value) -> Vec<String> {
    let tasks = report["tasks"].as_array().map(Vec::as_slice).unwrap_or_default();
    tasks
        .iter()
        .filter(|task| task["status"] != "passed")
        .map(|task| {
            let checks = task["checks"].as_array().map(Vec::as_slice).unwrap_or_default();
            let first = checks.iter().find(|c| c["passed"] == false);
            let why = first.and_then(|c| c["message"].as_str()).and_then(|m| m.lines().next()).unwrap_or("");
            format!("{}/{}: {why}", task["module"].as_str().unwrap_or("?"), task["name"].as_str().unwrap_or("?"))
        })
        .collect()
}
