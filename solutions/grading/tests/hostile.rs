//! Attacks planted in the `tensor` module (see `src/bin/grade-hostile.rs`):
//! forged report lines, closed pipes, a detached process holding them, a
//! write into the judge's stdout through /proc, garbage replies, a 64 GiB
//! allocation, 200 MB of output and a runner that never answers. Each may
//! cost its own task its points; none changes any other task, the report
//! stays one JSON document, and the run ends within its time limits.

mod common;

use std::time::{Duration, Instant};

use common::{grade_json, task};

#[test]
fn attacks_fail_only_their_own_tasks() {
    let start = Instant::now();
    let (code, report) = grade_json(env!("CARGO_BIN_EXE_grade-hostile"), &["--seed", "5", "--timeout", "3"]);
    assert!(start.elapsed() < Duration::from_secs(60), "the run took {:?}", start.elapsed());
    assert_eq!(code, 1);
    let score = |name: &str| task(&report, name)["score"].as_f64().unwrap();
    let status = |name: &str| task(&report, name)["status"].as_str().unwrap().to_string();
    let checks = |name: &str| task(&report, name)["checks"].to_string();

    // Forged lines with exit 0, with closed pipes, and for every task: no points.
    for name in ["contiguous_strides", "index_to_position", "to_index"] {
        assert_eq!(score(name), 0.0, "{name}: {}", checks(name));
    }
    assert_eq!(status("contiguous_strides"), "crashed");
    assert!(checks("contiguous_strides").contains("exited with status 0"), "{}", checks("contiguous_strides"));
    assert_eq!(status("to_index"), "failed");
    // Garbage where a reply belongs, and 64 GiB: crashed, no points.
    assert_eq!((status("is_contiguous").as_str(), score("is_contiguous")), ("crashed", 0.0));
    assert_eq!((status("permute").as_str(), score("permute")), ("crashed", 0.0));
    assert!(checks("permute").contains("memory"), "{}", checks("permute"));
    // Never answering: timed out at the limit.
    assert_eq!((status("get").as_str(), score("get")), ("timed_out", 0.0));
    // Right answers earn their points despite a sleeper, a write into the
    // judge's stdout, and 200 MB of output.
    for name in ["shape_broadcast", "broadcast_index", "view", "contiguous"] {
        assert_eq!(status(name), "passed", "{name}: {}", checks(name));
    }

    // Every other module is untouched, and the totals are the judge's own.
    let tasks = report["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), grader::tasks().len());
    for t in tasks.iter().filter(|t| t["module"] != "tensor") {
        assert_eq!(t["status"], "passed", "{t:#}");
    }
    let sum: f64 = tasks.iter().map(|t| t["score"].as_f64().unwrap()).sum();
    assert!((report["score"].as_f64().unwrap() - sum).abs() < 1e-9);
    let max: f64 = grader::tasks().iter().map(|t| t.points).sum();
    assert_eq!(report["max_score"].as_f64(), Some(max));
    for t in tasks {
        let (score, max) = (t["score"].as_f64().unwrap(), t["max_score"].as_f64().unwrap());
        assert!((0.0..=max).contains(&score), "{t:#}");
    }
}
