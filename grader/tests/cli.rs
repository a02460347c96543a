//! The grader's command line: listing, selection, and refusing bad
//! arguments with status 2. Nothing here depends on what the modules hold.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

fn grader(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_grader")).args(args).output().expect("the grader starts")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn list_names_every_task_with_its_points() {
    let output = grader(&["--list"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    for task in grader::tasks() {
        let line = text.lines().find(|l| l.split_whitespace().nth(1) == Some(task.name));
        let line = line.unwrap_or_else(|| panic!("{} is not listed:\n{text}", task.name));
        assert!(line.starts_with(task.module) && line.contains(&format!("{:.1} points", task.points)), "{line}");
    }
}

#[test]
fn list_as_json_is_one_document() {
    let output = grader(&["--list", "--format", "json", "--task", "tensor"]);
    let list: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("one JSON document");
    let tasks = list.as_array().unwrap();
    assert_eq!(tasks.len(), grader::tasks().iter().filter(|t| t.module == "tensor").count());
    assert!(tasks.iter().all(|t| t["module"] == "tensor" && t["max_score"].as_f64().unwrap() > 0.0));
}

#[test]
fn a_task_can_be_named_alone_or_with_its_module() {
    for name in ["permute", "tensor/permute"] {
        let text = stdout(&grader(&["--list", "--task", name]));
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(text.contains("permute"));
    }
}

#[test]
fn an_unknown_task_is_an_error_naming_it() {
    let output = grader(&["--task", "premute"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("grader: no task or module is named 'premute'"), "{}", stderr(&output));
    assert!(stdout(&output).is_empty());
}

#[test]
fn an_unknown_task_suggests_the_nearest_names() {
    let output = grader(&["--task", "permut"]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(text.contains("no task or module is named 'permut'; did you mean 'permute'?"), "{text}");
    assert!(stdout(&output).is_empty());
}

#[test]
fn a_chapter_file_names_its_module() {
    let module = |name: &str| grader::tasks().into_iter().filter(|t| t.module == name).count();
    for (name, expected) in
        [("tensor.md", "tensor"), ("book/src/conv1d.md", "conv1d"), ("conv1d.md#the-backward", "conv1d")]
    {
        let output = grader(&["--list", "--task", name]);
        assert_eq!(output.status.code(), Some(0), "{name}: {}", stderr(&output));
        let text = stdout(&output);
        assert_eq!(text.lines().count(), module(expected), "{name}: {text}");
        assert!(text.lines().all(|l| l.starts_with(expected)), "{name}: {text}");
    }
    let output = grader(&["--task", "introduction.md"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no module's chapter is named 'introduction.md'"), "{}", stderr(&output));
}

#[test]
fn bad_options_are_errors_naming_them() {
    for (args, named) in [
        (&["--timeout", "0"][..], "--timeout"),
        (&["--timeout", "soon"], "--timeout"),
        (&["--seed=-1"], "--seed"),
        (&["--seed", "many"], "--seed"),
        (&["--format", "xml"], "--format"),
        (&["--jobs", "0"], "--jobs"),
        (&["--colour"], "--colour"),
    ] {
        let output = grader(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains(named), "{args:?}: {}", stderr(&output));
    }
}

/// Runs the grader with `args`, its stdout a pipe that `reader` reads from
/// and then closes; returns the exit status and stderr.
fn into_closed_pipe(args: &[&str], reader: impl FnOnce(std::io::PipeReader)) -> Output {
    let (pipe, writer) = std::io::pipe().expect("a pipe");
    let mut command = Command::new(env!("CARGO_BIN_EXE_grader"));
    let child = command.args(args).stdout(writer).stderr(Stdio::piped()).spawn().expect("the grader starts");
    drop(command); // The grader holds the only writing end.
    reader(pipe);
    child.wait_with_output().expect("the grader ends")
}

#[test]
fn a_reader_that_stops_after_one_line_ends_the_list_quietly() {
    for format in ["human", "json"] {
        let output = into_closed_pipe(&["--list", "--format", format], |pipe| {
            let mut line = String::new();
            BufReader::new(pipe).read_line(&mut line).expect("one line");
            assert!(!line.is_empty());
        });
        assert_eq!(output.status.code(), Some(0), "{format}: {}", stderr(&output));
        assert!(!stderr(&output).contains("panicked"), "{format}: {}", stderr(&output));
    }
}

#[test]
fn a_pipe_closed_before_the_first_line_ends_the_list_quietly() {
    // Every write fails with a broken pipe: the case `| head` hits when the
    // list outgrows what the pipe holds.
    let (pipe, writer) = std::io::pipe().expect("a pipe");
    drop(pipe);
    let child = Command::new(env!("CARGO_BIN_EXE_grader"))
        .arg("--list")
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .expect("the grader starts");
    let output = child.wait_with_output().expect("the grader ends");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
}
