#![allow(dead_code)] // Each test uses some of these helpers.

//! Running a grader binary of this package and reading its JSON report.

use std::process::Command;

use serde_json::Value;

/// Runs `bin` with `args` plus `--format json`; returns the exit code and
/// the one JSON document on stdout.
pub fn grade_json(bin: &str, args: &[&str]) -> (i32, Value) {
    grade_json_with(Command::new(bin), args)
}

/// [`grade_json`] with a `command` prepared by the caller (its
/// environment, say).
pub fn grade_json_with(mut command: Command, args: &[&str]) -> (i32, Value) {
    let output = command.args(args).args(["--format", "json"]).output().expect("the grader starts");
    let stdout = String::from_utf8(output.stdout).expect("stdout is UTF-8");
    let report =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{stdout}"));
    (output.status.code().expect("the grader exits normally"), report)
}

/// The task named `name` in a JSON report.
pub fn task<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no task {name}"))
}
