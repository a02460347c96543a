//! The Gradescope autograder, run as Gradescope runs it but here: the zip
//! unpacked as `source/`, `setup.sh` with an empty cargo home and no
//! network, then `run_autograder` on a submission folder. Grading must
//! need nothing but the bundle.

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;
use xtask::batch::TOPICS;
use xtask::gradescope::{Options, bundle};
use xtask::{files, workspace};

/// Runs the bundle's `script` with `root` as `/autograder`, offline, with
/// a fresh cargo home; panics with its output when it fails.
fn run(root: &Path, cargo_home: &Path, script: &str) {
    let output = Command::new("bash")
        .arg(root.join("source").join(script))
        .env("AUTOGRADER_ROOT", root)
        .env("CARGO_HOME", cargo_home)
        .env("CARGO_NET_OFFLINE", "true")
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{script} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn results(root: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(root.join("results/results.json")).unwrap()).unwrap()
}

#[test]
fn the_bundle_grades_a_submission_offline() {
    let dir = tempfile::tempdir().unwrap();
    let bundle_dir = dir.path().join("bundle");
    let zip = bundle(&workspace::root(), &bundle_dir, &Options { seed: 3, timeout: 20 }).unwrap();

    // Gradescope unpacks the zip as /autograder/source.
    let root = dir.path().join("autograder");
    let mut archive = zip::ZipArchive::new(fs::File::open(&zip).unwrap()).unwrap();
    archive.extract(root.join("source")).unwrap();
    for script in ["setup.sh", "run_autograder"] {
        let mode = fs::metadata(root.join("source").join(script)).unwrap();
        assert!(std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o111 != 0, "{script} is executable");
    }
    let cargo_home = dir.path().join("cargo-home");
    fs::create_dir_all(&cargo_home).unwrap();
    run(&root, &cargo_home, "setup.sh");

    // A student who wrote `tensor`, nested one folder down as an uploaded
    // folder is, and who added a dependency.
    let module = root.join("submission/gradlings/modules/tensor");
    let solution = workspace::root().join("solutions/tensor/src");
    for rel in files::files_under(&solution).unwrap() {
        let text = fs::read_to_string(solution.join(&rel)).unwrap().replace("_solution", "");
        files::write(&module.join("src").join(&rel), text.as_bytes()).unwrap();
    }
    let manifest = fs::read_to_string(workspace::root().join("modules/tensor/Cargo.toml")).unwrap();
    files::write(&module.join("Cargo.toml"), format!("{manifest}rand = \"0.9\"\n").as_bytes()).unwrap();
    run(&root, &cargo_home, "run_autograder");
    let graded = results(&root);
    let tests = graded["tests"].as_array().unwrap();
    let tensor_points: f64 = tests
        .iter()
        .filter(|t| t["name"].as_str().unwrap().starts_with("tensor/"))
        .map(|t| t["max_score"].as_f64().unwrap())
        .sum();
    assert_eq!(graded["score"].as_f64(), Some(tensor_points), "{graded}");
    assert_eq!(tests.len(), 44);
    for test in tests {
        for key in ["name", "score", "max_score", "status", "output", "visibility"] {
            assert!(test.get(key).is_some(), "{key} missing in {test}");
        }
        let topic = test["name"].as_str().unwrap().split('/').next().unwrap();
        assert!(TOPICS.contains(&topic), "{test}");
    }
    let output = graded["output"].as_str().unwrap();
    assert!(output.contains("modules/tensor/Cargo.toml differs") && output.contains("--seed 3"), "{output}");
    let report: Value = serde_json::from_str(&fs::read_to_string(root.join("results/report.json")).unwrap()).unwrap();
    assert_eq!(report["seed"], 3);

    // An upload without any module: the stubs, graded to zero.
    fs::remove_dir_all(root.join("submission")).unwrap();
    fs::create_dir_all(root.join("submission")).unwrap();
    fs::write(root.join("submission/README.md"), "nothing here").unwrap();
    // Gradescope grades each submission in a fresh container: put the stub back.
    let stub = workspace::root().join("modules/tensor/src");
    let graded_src = root.join("source/handout/modules/tensor/src");
    fs::remove_dir_all(&graded_src).unwrap();
    for rel in files::files_under(&stub).unwrap() {
        files::write(&graded_src.join(&rel), &files::read(&stub.join(&rel)).unwrap()).unwrap();
    }
    run(&root, &cargo_home, "run_autograder");
    let graded = results(&root);
    assert_eq!(graded["score"].as_f64(), Some(0.0), "{graded}");
    assert!(graded["tests"].as_array().unwrap().iter().all(|t| t["status"] == "failed"));
}
