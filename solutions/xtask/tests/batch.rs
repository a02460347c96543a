//! `grade-batch` on a synthetic class of 30: copies of a right submission,
//! of the untouched stubs, of one that does not compile, one that forges a
//! report, one that edits `support`, one that adds a dependency and one
//! that loops, some handed in as folders and some as `.zip` or `.tar.gz`,
//! each graded to its known total by two workers; the gradebook, the JSON
//! reports, the Gradescope results, the JUnit files and the class summary
//! agree.

use std::fs;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use xtask::batch::{self, Options, TOPICS};
use xtask::{files, workspace};

/// The reference solutions as a student would hand them in: the crate names
/// of the handout.
fn right_sources(root: &Path, into: &Path) {
    for topic in TOPICS {
        let src = root.join("solutions").join(topic).join("src");
        for rel in files::files_under(&src).unwrap() {
            let text = fs::read_to_string(src.join(&rel)).unwrap().replace("_solution", "");
            files::write(&into.join("modules").join(topic).join("src").join(&rel), text.as_bytes()).unwrap();
        }
    }
}

fn stub_sources(root: &Path, into: &Path) {
    for topic in TOPICS {
        let src = root.join("modules").join(topic).join("src");
        for rel in files::files_under(&src).unwrap() {
            files::write(
                &into.join("modules").join(topic).join("src").join(&rel),
                &files::read(&src.join(&rel)).unwrap(),
            )
            .unwrap();
        }
    }
}

/// Zips the handout folder `dir` as a student would: the folder itself
/// inside the archive.
fn pack_zip(dir: &Path, zip_path: &Path) {
    let mut zip = zip::ZipWriter::new(fs::File::create(zip_path).unwrap());
    for rel in files::files_under(dir).unwrap() {
        let inside = Path::new("handout").join(&rel);
        zip.start_file(files::slash(&inside), zip::write::SimpleFileOptions::default()).unwrap();
        std::io::Write::write_all(&mut zip, &files::read(&dir.join(&rel)).unwrap()).unwrap();
    }
    zip.finish().unwrap();
    fs::remove_dir_all(dir).unwrap();
}

/// A `.tar.gz` of the handout folder `dir`, its files at the top.
fn pack_tar_gz(dir: &Path, tar_path: &Path) {
    let gz = flate2::write::GzEncoder::new(fs::File::create(tar_path).unwrap(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    tar.append_dir_all(".", dir).unwrap();
    tar.into_inner().unwrap().finish().unwrap();
    fs::remove_dir_all(dir).unwrap();
}

/// The JUnit file of a submission has a test case per task, and as many
/// failures and errors as its report has failed and unjudged tasks.
fn junit_agrees(path: &Path, report: &Value) {
    let xml = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let tasks = report["tasks"].as_array().unwrap();
    let count = |statuses: &[&str]| tasks.iter().filter(|t| statuses.contains(&t["status"].as_str().unwrap())).count();
    let head = xml.lines().nth(1).unwrap();
    let expected = format!(
        "<testsuites name=\"gradlings\" tests=\"{}\" failures=\"{}\" errors=\"{}\"",
        tasks.len(),
        count(&["failed", "not_implemented"]),
        count(&["timed_out", "crashed", "does_not_compile"])
    );
    assert!(head.starts_with(&expected), "{}: {head}, expected {expected}", path.display());
    assert_eq!(xml.matches("<testcase ").count(), tasks.len());
}

fn append(path: &Path, text: &str) {
    let mut contents = fs::read_to_string(path).unwrap();
    contents.push_str(text);
    fs::write(path, contents).unwrap();
}

/// The course's points and tasks (`cargo grade --list`).
const FULL: f64 = 215.0;
const TASKS: usize = 44;

#[test]
fn a_class_of_thirty_is_graded_to_its_known_totals() {
    let root = workspace::root();
    let dir = tempfile::tempdir().unwrap();
    let class = dir.path().join("class");
    // What each kind of submission must total, out of FULL: a softmax that
    // does not compile takes attention and network with it, the forger
    // and the looper lose their function's task, and the dependency
    // counts only its tensor module.
    let mut expected: Vec<(String, f64)> = Vec::new();
    for i in 0..30 {
        let (kind, total) = match i % 7 {
            0 => ("right", FULL),
            1 => ("stub", 0.0),
            2 => ("broken", FULL - 42.0 - 32.0 - 26.0),
            3 => ("forger", FULL - 4.0),
            4 => ("support", FULL),
            5 => ("dependency", 40.0),
            _ => ("looper", FULL - 4.0),
        };
        let name = format!("{kind}-{i:02}");
        let sub = class.join(&name);
        match kind {
            "stub" => stub_sources(&root, &sub),
            "dependency" => {
                stub_sources(&root, &sub);
                right_sources(&root, &dir.path().join("right-tensor"));
                let tensor = sub.join("modules/tensor");
                fs::remove_dir_all(tensor.join("src")).unwrap();
                for rel in files::files_under(&dir.path().join("right-tensor/modules/tensor/src")).unwrap() {
                    let from = dir.path().join("right-tensor/modules/tensor/src").join(&rel);
                    files::write(&tensor.join("src").join(&rel), &files::read(&from).unwrap()).unwrap();
                }
                let manifest = fs::read_to_string(root.join("modules/tensor/Cargo.toml")).unwrap();
                files::write(&tensor.join("Cargo.toml"), format!("{manifest}rand = \"0.9\"\n").as_bytes()).unwrap();
            }
            _ => right_sources(&root, &sub),
        }
        match kind {
            "broken" => append(&sub.join("modules/softmax/src/lib.rs"), "\npub fn broken() -> u32 {\n    \"x\"\n}\n"),
            "forger" => {
                // A leaf: no other function calls broadcast_index.
                let indexing = sub.join("modules/tensor/src/broadcast.rs");
                let text = fs::read_to_string(&indexing).unwrap().replacen(
                    "pub fn broadcast_index(big_index: &[usize], big_shape: &[usize], shape: &[usize]) -> Index {",
                    "pub fn broadcast_index(big_index: &[usize], big_shape: &[usize], shape: &[usize]) -> Index {\n    println!(\"gradlings-result: {{\\\"status\\\":\\\"passed\\\",\\\"score\\\":100}}\");\n    std::process::exit(0);\n    #[allow(unreachable_code)]",
                    1,
                );
                fs::write(&indexing, text).unwrap();
            }
            "looper" => {
                let activations = sub.join("modules/activations/src/lib.rs");
                let text = fs::read_to_string(&activations).unwrap().replacen(
                    "    same_shape(\"sigmoid_backward\", &x, &grad_out)?;\n",
                    "    same_shape(\"sigmoid_backward\", &x, &grad_out)?;\n    loop {\n        std::hint::spin_loop();\n    }\n    #[allow(unreachable_code)]\n",
                    1,
                );
                assert!(text.contains("spin_loop"), "the looper's function moved");
                fs::write(&activations, text).unwrap();
            }
            "support" => files::write(
                &sub.join("modules/support/src/lib.rs"),
                b"compile_error!(\"a support the grader must never build\");\n",
            )
            .unwrap(),
            _ => {}
        }
        // Some hand in an archive of their handout folder instead.
        match i {
            7 | 9 => pack_zip(&sub, &class.join(format!("{name}.zip"))),
            14 | 16 => pack_tar_gz(&sub, &class.join(format!("{name}.tar.gz"))),
            _ => {}
        }
        expected.push((name, total));
    }
    expected.sort_by(|a, b| a.0.cmp(&b.0));

    // The handout test's build folder: its dependencies are built already.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("handout");
    let out = dir.path().join("out");
    let options =
        Options { jobs: 2, seed: 4, seed_per_student: false, budget: Duration::from_secs(900), target: Some(target) };
    let graded = batch::grade(&root, &class, &out, &options).unwrap();
    assert_eq!(graded.len(), 30);

    let csv = fs::read_to_string(out.join("grades.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let header = &rows[0];
    let total_column = header.iter().position(|h| *h == "total").unwrap();
    assert_eq!(rows.len(), 31, "{csv}");
    for ((name, total), row) in expected.iter().zip(&rows[1..]) {
        assert_eq!(row[0], name);
        assert_eq!(row[1], "4", "the seed of {name}");
        let csv_total: f64 = row[total_column].parse().unwrap();
        assert!((csv_total - total).abs() < 1e-9, "{name}: {csv_total}, expected {total}");
        let report: Value =
            serde_json::from_str(&fs::read_to_string(out.join("reports").join(format!("{name}.json"))).unwrap())
                .unwrap();
        assert!(
            (report["score"].as_f64().unwrap() - total).abs() < 1e-9,
            "{name}: the report says {}",
            report["score"]
        );
        for (column, heading) in header.iter().enumerate().skip(2).take(TASKS) {
            let task = report["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| format!("{}/{}", t["module"].as_str().unwrap(), t["name"].as_str().unwrap()) == *heading);
            let score = task.map(|t| t["score"].as_f64().unwrap()).unwrap();
            assert!((row[column].parse::<f64>().unwrap() - score).abs() < 0.005, "{name} {heading}");
        }
        let results: Value =
            serde_json::from_str(&fs::read_to_string(out.join("gradescope").join(name).join("results.json")).unwrap())
                .unwrap();
        assert_eq!(results["score"], report["score"]);
        assert_eq!(results["tests"].as_array().unwrap().len(), TASKS);
        for test in results["tests"].as_array().unwrap() {
            assert!(test["name"].is_string() && test["output"].is_string(), "{test}");
            assert!(test["score"].is_number() && test["max_score"].is_number(), "{test}");
            assert!(["passed", "failed"].contains(&test["status"].as_str().unwrap()), "{test}");
            assert_eq!(test["visibility"], "visible");
        }
        if name.starts_with("dependency") {
            assert!(row.last().unwrap().contains("Cargo.toml differs"), "{name}: {row:?}");
            assert!(results["output"].as_str().unwrap().contains("Cargo.toml differs"), "{name}: {results}");
        }
        if name.starts_with("looper") {
            let looped = report["tasks"].as_array().unwrap().iter().find(|t| t["name"] == "sigmoid_backward").unwrap();
            assert_eq!(looped["status"], "timed_out");
        }
        junit_agrees(&out.join("junit").join(format!("{name}.xml")), &report);
        if name.starts_with("broken") {
            let softmax = report["tasks"].as_array().unwrap().iter().find(|t| t["name"] == "softmax").unwrap();
            assert_eq!(softmax["status"], "does_not_compile");
        }
    }

    let summary = fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(summary.contains("30 submissions, 0 without a report"), "{summary}");
    let class_mean = expected.iter().map(|(_, t)| t).sum::<f64>() / 30.0;
    assert!(summary.contains(&format!("{class_mean:.2} / {FULL:.2}")), "the class mean {class_mean:.2}:\n{summary}");
    // Every submission but the stubs passes tensor/view.
    let view = summary.lines().find(|l| l.contains("| view |")).unwrap_or_else(|| panic!("{summary}"));
    let passing = expected.iter().filter(|(n, _)| !n.starts_with("stub")).count();
    assert!(view.contains(&format!("({passing}/30)")), "{view}");
    let html = fs::read_to_string(out.join("summary.html")).unwrap();
    // One histogram per module.
    assert_eq!(html.matches("<svg").count(), 8);

    // A second run grades nothing again.
    let again = batch::grade(&root, &class, &out, &options).unwrap();
    assert!(again.iter().all(|g| !g.graded_now), "unchanged submissions were graded again");
    assert_eq!(fs::read_to_string(out.join("grades.csv")).unwrap(), csv);
}
