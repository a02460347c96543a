//! Attacks planted in the `tensor` module (see `src/bin/grade-hostile.rs`):
//! forged report lines, closed pipes, a detached process holding them, a
//! write into the judge's stdout through /proc, garbage replies, a 64 GiB
//! allocation, 200 MB of output, a runner that never answers and one that
//! rewrites and deletes files. Each may cost its own task its points; none
//! changes any other task or any file, the report stays one JSON document,
//! and the run ends within its time limits.

mod common;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{grade_json_with, task};

/// A file anyone may change, in a folder anyone may change (where a judge
/// may be copied too): when the judge runs as root its runners are
/// `nobody`, and only the confinement keeps them from it.
fn victim() -> (tempfile::TempDir, PathBuf) {
    let scratch = tempfile::tempdir().unwrap();
    let victim = scratch.path().join("report.json");
    std::fs::write(&victim, "the judge's report").unwrap();
    for (path, mode) in [(scratch.path(), 0o777), (victim.as_path(), 0o666)] {
        std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(mode)).unwrap();
    }
    (scratch, victim)
}

/// Where the kernel confines runners' files: `victim` is as it was, and
/// no file was planted beside `judge`.
fn untouched(victim: &Path, judge: &Path) {
    let planted = judge.with_file_name("tampered-by-a-runner");
    if grader::sandbox::files_are_confined() {
        assert_eq!(std::fs::read_to_string(victim).ok().as_deref(), Some("the judge's report"));
        let found = planted.exists();
        let _ = std::fs::remove_file(&planted);
        assert!(!found, "a runner wrote {}", planted.display());
    } else {
        let _ = std::fs::remove_file(&planted);
        eprintln!("this kernel has no Landlock: runners may write files, and that is not tested");
    }
}

#[test]
fn attacks_fail_only_their_own_tasks() {
    let (_scratch, victim) = victim();
    let judge = Path::new(env!("CARGO_BIN_EXE_grade-hostile"));
    let mut command = Command::new(judge);
    command.env("GRADLINGS_HOSTILE_VICTIM", &victim);
    let start = Instant::now();
    let (code, report) = grade_json_with(command, &["--seed", "5", "--timeout", "3"]);
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
    // judge's stdout, 200 MB of output and attempts to change files.
    for name in ["shape_broadcast", "broadcast_index", "view", "contiguous"] {
        assert_eq!(status(name), "passed", "{name}: {}", checks(name));
    }
    // Runners change no file, even one the user running the judge may write.
    untouched(&victim, judge);

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

/// An instructor grading a class as themselves: the judge and its runners
/// are one user, so only the confinement keeps a runner from the judge's
/// binary, the other reports and the judge itself. Run as root, the test
/// makes that user `nobody`, with a copy of the judge it may run.
#[test]
fn a_runner_of_the_judges_own_user_changes_no_file_and_kills_no_judge() {
    let (scratch, victim) = victim();
    let judge = scratch.path().join("grade-hostile");
    std::fs::copy(env!("CARGO_BIN_EXE_grade-hostile"), &judge).unwrap();
    let mut command = Command::new(&judge);
    command.current_dir(scratch.path()).env("GRADLINGS_HOSTILE_VICTIM", &victim);
    if grader::sandbox::signals_are_confined() {
        command.env("GRADLINGS_HOSTILE_SIGNAL", "1");
    } else {
        eprintln!("this kernel cannot keep a runner from signalling its judge: that is not tested");
    }
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        command.uid(65534).gid(65534);
    }
    let (_, report) = grade_json_with(command, &["--seed", "5", "--timeout", "3", "--task", "contiguous"]);
    assert_eq!(task(&report, "contiguous")["status"], "passed", "{report:#}");
    untouched(&victim, &judge);
}
