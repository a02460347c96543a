//! Every task runs isolated: a todo!(), a panic, an endless loop, an abort
//! and a stack overflow each end only their own task, and the report is
//! complete.

mod common;

use common::{grade_json, task};

#[test]
fn each_fault_is_reported_and_the_rest_still_graded() {
    let (code, report) = grade_json(env!("CARGO_BIN_EXE_grade-faults"), &["--seed", "9", "--timeout", "2"]);
    let status = |name: &str| task(&report, name)["status"].as_str().unwrap().to_string();
    assert_eq!(status("contiguous_strides"), "not_implemented");
    assert_eq!(status("to_index"), "timed_out");
    assert_eq!(status("permute"), "crashed");
    assert_eq!(status("view"), "crashed");
    assert_eq!(status("get"), "crashed");
    // Printing to stdout, even something that looks like JSON, changes nothing.
    assert_eq!(status("contiguous"), "passed");
    for name in ["index_to_position", "is_contiguous", "shape_broadcast", "broadcast_index"] {
        assert_eq!(status(name), "passed", "{name}");
    }
    let message = |name: &str| task(&report, name)["checks"].to_string();
    assert!(message("get").contains("index out of bounds: the len is 3 but the index is 7"), "{}", message("get"));
    assert!(message("view").contains("overflowed its stack"), "{}", message("view"));
    assert!(message("permute").contains("SIGABRT"), "{}", message("permute"));
    assert!(message("to_index").contains("still running after 2 s"), "{}", message("to_index"));
    assert_eq!(code, 1);
}

#[test]
fn a_timed_out_task_is_killed_at_its_limit() {
    let start = std::time::Instant::now();
    let (_, report) =
        grade_json(env!("CARGO_BIN_EXE_grade-faults"), &["--seed", "1", "--task", "to_index", "--timeout", "0.5"]);
    assert_eq!(task(&report, "to_index")["status"], "timed_out");
    assert!(start.elapsed() < std::time::Duration::from_secs(5), "the grader waited {:?}", start.elapsed());
}
