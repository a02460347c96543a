//! `cargo xtask handout` on the real repository: the export holds no
//! solution code, builds with its `Cargo.lock` as exported, and its grader
//! gives the untouched stubs zero.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use xtask::{files, git, handout, lockfile, regions, workspace};

/// Held by each test that builds in the shared handout target folder: two
/// handouts building there at once would overwrite each other's runners.
static HANDOUT_TARGET: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The shared handout target folder, locked for the calling test.
fn handout_target() -> (std::sync::MutexGuard<'static, ()>, PathBuf) {
    let guard = HANDOUT_TARGET.lock().unwrap_or_else(|e| e.into_inner());
    (guard, Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("handout"))
}

/// The handout of the real repository in a fresh temporary directory.
fn export() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("handout");
    let summary = handout::export(&workspace::root(), &out).unwrap();
    assert!(summary.files > 0);
    assert!(summary.lock_warning.is_none(), "{summary}");
    (dir, out)
}

/// Trimmed lines of 25 or more characters from the SOLUTION regions of
/// every reference solution, less those that also stand outside the
/// regions (such as `return Err(ShapeError::new(` in provided validation):
/// the stubs show those anyway.
fn solution_lines(root: &Path) -> BTreeSet<String> {
    let mut secret = BTreeSet::new();
    let mut public = BTreeSet::new();
    for krate in workspace::solution_crates(root).unwrap() {
        let src = root.join(&krate.dir).join("src");
        for rel in files::files_under(&src).unwrap() {
            if rel.extension().is_some_and(|e| e == "rs") {
                let text = fs::read_to_string(src.join(&rel)).unwrap();
                let body = regions::solution_lines(&text).unwrap();
                secret.extend(body.iter().map(|l| l.trim()).filter(|l| l.len() >= 25).map(str::to_string));
                let stub = regions::strip(&text).unwrap();
                public.extend(stub.lines().map(|l| l.trim().to_string()));
            }
        }
    }
    secret.difference(&public).cloned().collect()
}

#[test]
fn the_handout_holds_no_solution_code() {
    let root = workspace::root();
    let (_dir, out) = export();
    let exported = files::files_under(&out).unwrap();
    let bodies = solution_lines(&root);
    assert!(!bodies.is_empty(), "the solutions should have SOLUTION regions");

    let mut leaks = Vec::new();
    for rel in &exported {
        let path = files::slash(rel);
        if path.starts_with("solutions/") || path.starts_with(".ci/") {
            leaks.push(format!("{path}: an instructor-only file"));
        }
        let text = String::from_utf8_lossy(&fs::read(out.join(rel)).unwrap()).into_owned();
        for marker in ["BEGIN SOLUTION", "BEGIN HIDDEN", "-solution\"", "_solution"] {
            if text.contains(marker) {
                leaks.push(format!("{path}: contains `{marker}`"));
            }
        }
        for line in bodies.iter().filter(|line| text.contains(line.as_str())) {
            leaks.push(format!("{path}: contains the solution line `{line}`"));
        }
    }
    assert!(leaks.is_empty(), "the handout leaks instructor material:\n{}", leaks.join("\n"));

    let paths: Vec<String> = exported.iter().map(|p| files::slash(p)).collect();
    for expected in ["Cargo.toml", "Cargo.lock", ".cargo/config.toml", "modules/tensor/src/lib.rs", "grader/Cargo.toml"]
    {
        assert!(paths.iter().any(|p| p == expected), "{expected} is missing from the handout: {paths:?}");
    }
    let config = fs::read_to_string(out.join(".cargo/config.toml")).unwrap();
    assert!(config.contains("grade =") && !config.contains("xtask") && !config.contains("grade-solutions"), "{config}");
    let manifest = fs::read_to_string(out.join("Cargo.toml")).unwrap();
    assert!(!manifest.contains("solutions") && !manifest.contains("handout"), "{manifest}");
    let stub = fs::read_to_string(out.join("modules/tensor/Cargo.toml")).unwrap();
    assert!(!stub.contains("solutions/") && !stub.contains("xtask"), "{stub}");
}

#[test]
fn the_handout_builds_and_grades_the_stubs_zero() {
    let (_dir, out) = export();
    // A target folder of its own, kept between runs so that dependencies are
    // compiled once, and apart from the one the outer cargo holds locked.
    let (_lock, target) = handout_target();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let lock_before = fs::read(out.join("Cargo.lock")).unwrap();
    // `--locked`: cargo refuses to change `Cargo.lock`. Not `--offline`: a
    // fresh machine that built only xtask has not downloaded what the
    // grader needs yet.
    let output = Command::new(cargo)
        .current_dir(&out)
        .args(["run", "--locked", "--quiet", "-p", "grader", "--", "--format", "json", "--seed", "1"])
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "the grader should exit 1 (not full marks)\n{stdout}\n{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document: {e}\n{stdout}"));
    assert_eq!(report["score"].as_f64(), Some(0.0), "{report:#}");
    let tasks = report["tasks"].as_array().expect("a `tasks` array");
    assert!(!tasks.is_empty(), "the grader should have tasks");
    for task in tasks {
        assert_eq!(task["status"], "not_implemented", "{task:#}");
    }
    assert_eq!(fs::read(out.join("Cargo.lock")).unwrap(), lock_before, "the first build changed Cargo.lock");

    // The doc examples run against the student's code: they fail on the
    // stub, naming the example and its todo!(), and pass on a solution.
    let doc_tests = || {
        Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .current_dir(&out)
            .args(["test", "--locked", "--quiet", "-p", "tensor", "--doc"])
            .env("CARGO_TARGET_DIR", &target)
            .output()
            .unwrap()
    };
    let output = doc_tests();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "the stub's doc examples passed:\n{stdout}");
    assert!(
        stdout.contains("src/indexing.rs - indexing::contiguous_strides")
            && stdout.contains("not yet implemented: walk the shape"),
        "{stdout}"
    );
    let src = out.join("modules/tensor/src");
    let stub: Vec<(PathBuf, Vec<u8>)> = files::files_under(&src)
        .unwrap()
        .into_iter()
        .map(|rel| (rel.clone(), fs::read(src.join(&rel)).unwrap()))
        .collect();
    let solution = workspace::root().join("solutions/tensor/src");
    for rel in files::files_under(&solution).unwrap() {
        let text = fs::read_to_string(solution.join(&rel)).unwrap().replace("_solution", "");
        fs::write(src.join(&rel), text).unwrap();
    }
    let output = doc_tests();
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    for (rel, contents) in stub {
        fs::write(src.join(rel), contents).unwrap();
    }

    // A type error in one module: its tasks, and those of the module built
    // on it, do not compile; every other module is still graded.
    let lib = out.join("modules/softmax/src/lib.rs");
    let mut text = fs::read_to_string(&lib).unwrap();
    text.push_str("\npub fn broken() -> u32 {\n    \"not a number\"\n}\n");
    fs::write(&lib, text).unwrap();
    let selected = ["--task", "tensor", "--task", "pooling", "--task", "softmax", "--task", "attention"];
    let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(&out)
        .args(["run", "--locked", "--quiet", "-p", "grader", "--", "--format", "json", "--seed", "1"])
        .args(selected)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document: {e}\n{stdout}"));
    for task in report["tasks"].as_array().unwrap() {
        let message = task["checks"][0]["message"].as_str().unwrap_or_default();
        match task["module"].as_str().unwrap() {
            "softmax" | "attention" => {
                assert_eq!(task["status"], "does_not_compile", "{task:#}");
                assert!(
                    message.contains("modules/softmax/src/lib.rs:") && message.contains("mismatched types"),
                    "{message}"
                );
            }
            _ => assert_eq!(task["status"], "not_implemented", "{task:#}"),
        }
    }
}

fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git").arg("-C").arg(dir).args(args).output().unwrap();
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn only_what_git_tracks_is_handed_out() {
    // A copy of the repository's tracked files, tracked in a new repository.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("repo");
    let root = workspace::root();
    for rel in git::tracked_files(&root).unwrap() {
        if root.join(&rel).is_file() {
            files::write(&copy.join(&rel), &fs::read(root.join(&rel)).unwrap()).unwrap();
        }
    }
    git(&copy, &["init", "--quiet"]);
    git(&copy, &["add", "--all", "--force"]);
    // An instructor's scratch folder with its build directory, a stray file,
    // one in solutions/ (never handed out anyway), and a tracked file deleted.
    for scratch in ["scratch/notes.md", "scratch/target/debug/deps/big.rlib", "todo.txt", "solutions/draft.rs"] {
        files::write(&copy.join(scratch), b"instructor's\n").unwrap();
    }
    fs::remove_file(copy.join("README.md")).unwrap();

    let out = dir.path().join("handout");
    let summary = handout::export(&copy, &out).unwrap();
    let exported: Vec<String> = files::files_under(&out).unwrap().iter().map(|p| files::slash(p)).collect();
    for absent in ["scratch/notes.md", "scratch/target/debug/deps/big.rlib", "todo.txt", "README.md"] {
        assert!(!exported.iter().any(|p| p == absent), "{absent} is in the handout");
    }
    assert!(exported.iter().any(|p| p == "modules/tensor/src/lib.rs"), "{exported:?}");
    assert_eq!(summary.files, exported.len());
    let left_out: Vec<String> = summary.left_out.iter().map(|p| files::slash(p)).collect();
    assert_eq!(left_out, ["scratch/notes.md", "scratch/target/debug/deps/big.rlib", "todo.txt"]);
    let note = summary.left_out_note().unwrap();
    assert!(note.contains("left out 3 file(s)") && note.contains("\n  scratch/notes.md\n"), "{note}");
}

#[test]
fn a_non_empty_destination_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("keep.txt"), "mine").unwrap();
    let error = handout::export(&workspace::root(), dir.path()).unwrap_err().to_string();
    assert!(error.contains(&dir.path().display().to_string()) && error.contains("not empty"), "{error}");
    assert_eq!(files::files_under(dir.path()).unwrap(), [PathBuf::from("keep.txt")]);
}

#[test]
fn a_destination_inside_the_repository_must_be_ignored_by_git() {
    let root = workspace::root();
    let error = handout::export(&root, &root.join("modules/handout-here")).unwrap_err().to_string();
    assert!(error.contains("inside the repository"), "{error}");
    assert!(!root.join("modules/handout-here").exists());
}

/// A workspace in `dir` whose members are `(name, dependencies)`, with the
/// repository's `Cargo.lock` trimmed by cargo to what they use (so every
/// version is one the repository locks).
fn workspace_with(dir: &Path, members: &[(&str, &str)]) {
    let names: Vec<String> = members.iter().map(|(name, _)| format!("\"{name}\"")).collect();
    fs::write(dir.join("Cargo.toml"), format!("[workspace]\nresolver = \"3\"\nmembers = [{}]\n", names.join(", ")))
        .unwrap();
    for (name, dependencies) in members {
        fs::create_dir_all(dir.join(name).join("src")).unwrap();
        fs::write(dir.join(name).join("src/lib.rs"), "").unwrap();
        let manifest = format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\n{dependencies}\n"
        );
        fs::write(dir.join(name).join("Cargo.toml"), manifest).unwrap();
    }
    fs::copy(workspace::root().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    handout::settle_lock(dir).unwrap();
}

#[test]
fn settling_drops_the_edges_only_a_feature_of_an_instructor_crate_brought_in() {
    let lock: toml_edit::DocumentMut =
        fs::read_to_string(workspace::root().join("Cargo.lock")).unwrap().parse().unwrap();
    let rand = lock["package"]
        .as_array_of_tables()
        .unwrap()
        .iter()
        .find(|p| p["name"].as_str() == Some("rand"))
        .expect("the repository locks rand");
    let version = rand["version"].as_str().unwrap();
    let bare = format!("rand = {{ version = \"={version}\", default-features = false }}");
    let full =
        format!("rand = {{ version = \"={version}\", default-features = false, features = [\"std\", \"std_rng\"] }}");

    let dir = tempfile::tempdir().unwrap();
    let (both, alone) = (dir.path().join("both"), dir.path().join("alone"));
    fs::create_dir_all(&both).unwrap();
    fs::create_dir_all(&alone).unwrap();
    workspace_with(&both, &[("student", &bare), ("demo-solution", &full)]);
    workspace_with(&alone, &[("student", &bare)]);
    let expected = fs::read_to_string(alone.join("Cargo.lock")).unwrap();

    // The handout of `both`: without the solution crate.
    fs::remove_dir_all(both.join("demo-solution")).unwrap();
    fs::write(both.join("Cargo.toml"), "[workspace]\nresolver = \"3\"\nmembers = [\"student\"]\n").unwrap();
    let pruned =
        lockfile::prune(&fs::read_to_string(both.join("Cargo.lock")).unwrap(), &["demo-solution".to_string()].into())
            .unwrap();
    assert_ne!(pruned, expected, "rand's features should add dependency edges that pruning alone keeps");
    fs::write(both.join("Cargo.lock"), &pruned).unwrap();
    handout::settle_lock(&both).unwrap();
    assert_eq!(fs::read_to_string(both.join("Cargo.lock")).unwrap(), expected);
}

/// Reads `reader` on a thread, appending to a shared transcript.
fn transcript(reader: impl std::io::Read + Send + 'static) -> std::sync::Arc<std::sync::Mutex<String>> {
    let text = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sink = text.clone();
    std::thread::spawn(move || {
        use std::io::BufRead as _;
        for line in std::io::BufReader::new(reader).lines() {
            let Ok(line) = line else { break };
            let mut text = sink.lock().unwrap();
            text.push_str(&line);
            text.push('\n');
        }
    });
    text
}

/// Waits until `text` has `count` occurrences of `needle`.
fn wait_for(text: &std::sync::Mutex<String>, needle: &str, count: usize) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    while text.lock().unwrap().matches(needle).count() < count {
        assert!(std::time::Instant::now() < deadline, "no {count} × `{needle}` in:\n{}", text.lock().unwrap());
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[test]
fn watch_mode_regrades_on_save_survives_compile_errors_and_answers_keys() {
    use std::io::Write as _;
    let (_dir, out) = export();
    let (_lock, target) = handout_target();
    let mut child = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(&out)
        .args(["run", "--locked", "--quiet", "-p", "grader", "--"])
        .args(["--watch", "--task", "tensor", "--seed", "1", "--color", "never"])
        .env("CARGO_TARGET_DIR", &target)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let screen = transcript(child.stdout.take().unwrap());
    let mut keys = child.stdin.take().unwrap();
    let ready = "q quits, h shows a hint, n moves on";
    wait_for(&screen, ready, 1);
    assert!(screen.lock().unwrap().contains("--- tensor/contiguous_strides: not implemented"));

    // A compile error: shown, and watching goes on.
    let lib = out.join("modules/tensor/src/indexing.rs");
    let stub = fs::read_to_string(&lib).unwrap();
    fs::write(&lib, format!("{stub}\npub fn broken() -> u32 {{\n    \"x\"\n}}\n")).unwrap();
    wait_for(&screen, ready, 2);
    let text = screen.lock().unwrap().clone();
    assert!(text.contains("does not compile") && text.contains("modules/tensor/src/indexing.rs:"), "{text}");

    // Fixed: graded again. Saving the same contents grades nothing.
    fs::write(&lib, &stub).unwrap();
    wait_for(&screen, ready, 3);
    fs::write(&lib, &stub).unwrap();
    keys.write_all(b"h").unwrap();
    keys.flush().unwrap();
    wait_for(&screen, "hint 1 of", 1);
    let text = screen.lock().unwrap().clone();
    assert_eq!(text.matches("tensor changed: grading").count(), 2, "{text}");
    assert!(text.rsplit("changed: grading").next().unwrap().contains("contiguous_strides: not implemented"), "{text}");

    keys.write_all(b"q").unwrap();
    drop(keys);
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
}
