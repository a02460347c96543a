//! Grading a whole class: every submission in a folder, each one's
//! `modules/<topic>/src/` laid over a pristine handout, graded by the
//! handout's own grader, into one report per submission and a gradebook.
//!
//! Nothing else a student changed reaches the grade: their manifests,
//! `support`, the grader, build scripts and `.cargo/` stay the pristine
//! ones, and a submission that changed its manifests or added a build script
//! is told so in its row. Submissions are graded in `jobs` worker folders,
//! each with its own build folder kept from one submission to the next, so
//! a submission rebuilds only the modules that differ from the one before.
//! A submission whose sources and seed are unchanged since the last run is
//! not graded again.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::{files, handout};

/// The exercise modules a submission may change.
pub const TOPICS: [&str; 7] = ["tensor", "conv1d", "conv2d", "pooling", "activations", "softmax", "attention"];

/// How to grade a class.
#[derive(Debug, Clone)]
pub struct Options {
    /// Submissions graded at once.
    pub jobs: usize,
    /// The seed of every submission, or the one each student's seed derives from.
    pub seed: u64,
    /// Derive each submission's seed from its name.
    pub seed_per_student: bool,
    /// Wall-clock time for one submission, build included.
    pub budget: Duration,
    /// One build folder for every worker (cargo takes turns on it); by
    /// default each worker has its own under `OUT/.work`.
    pub target: Option<PathBuf>,
}

/// One submission's outcome.
#[derive(Debug, Clone)]
pub struct Graded {
    pub name: String,
    pub seed: u64,
    /// The grader's JSON report, when it produced one.
    pub report: Option<Value>,
    /// What the instructor should know: manifests changed, build scripts,
    /// no report.
    pub notes: Vec<String>,
    /// Whether this run graded it (false: unchanged since the last run).
    pub graded_now: bool,
}

/// The submissions in `dir`: its folders, by name.
pub fn submissions(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot list the submissions in {}", dir.display()))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if entry.path().is_dir() {
            found.push((name, entry.path()));
        } else {
            eprintln!("grade-batch: skipping {name}: only folders are graded (unpack archives first)");
        }
    }
    found.sort();
    Ok(found)
}

/// The seed of submission `name`.
pub fn seed_of(options: &Options, name: &str) -> u64 {
    if options.seed_per_student { numeric::random::derive_seed(options.seed, name) } else { options.seed }
}

/// Grades every submission of `submissions_dir` into `out`, from the
/// repository at `root` (its handout is the pristine tree).
pub fn grade(root: &Path, submissions_dir: &Path, out: &Path, options: &Options) -> Result<Vec<Graded>> {
    let list = submissions(submissions_dir)?;
    if list.is_empty() {
        bail!("no submission folders in {}", submissions_dir.display());
    }
    let work = out.join(".work");
    let pristine = work.join("pristine");
    if pristine.exists() {
        std::fs::remove_dir_all(&pristine).with_context(|| format!("cannot clear {}", pristine.display()))?;
    }
    handout::export(root, &pristine)?;
    for dir in ["reports", "gradescope"] {
        std::fs::create_dir_all(out.join(dir))?;
    }
    let jobs = options.jobs.clamp(1, list.len());
    for slot in 0..jobs {
        prepare_slot(&pristine, &work.join(format!("slot-{slot}")))?;
    }
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    let start = Instant::now();
    std::thread::scope(|scope| {
        for slot in 0..jobs {
            let (list, next, done, results, work, pristine) = (&list, &next, &done, &results, &work, &pristine);
            scope.spawn(move || {
                let dir = work.join(format!("slot-{slot}"));
                let target = options.target.clone().unwrap_or_else(|| work.join(format!("target-{slot}")));
                while let Some((name, path)) = list.get(next.fetch_add(1, Ordering::SeqCst)) {
                    let graded =
                        grade_one(name, path, &dir, &target, pristine, out, options).unwrap_or_else(|e| Graded {
                            name: name.clone(),
                            seed: seed_of(options, name),
                            report: None,
                            notes: vec![format!("could not be graded: {e:#}")],
                            graded_now: true,
                        });
                    let finished = done.fetch_add(1, Ordering::SeqCst) + 1;
                    let score = graded
                        .report
                        .as_ref()
                        .map(|r| format!("{}/{}", r["score"], r["max_score"]))
                        .unwrap_or_else(|| "no report".to_string());
                    let how = if graded.graded_now { "graded" } else { "unchanged" };
                    eprintln!(
                        "[{finished}/{}] {name}: {score} ({how}, {:.0} s in all)",
                        list.len(),
                        start.elapsed().as_secs_f64()
                    );
                    results.lock().unwrap_or_else(|e| e.into_inner()).push(graded);
                }
            });
        }
    });
    let mut graded = results.into_inner().unwrap_or_else(|e| e.into_inner());
    graded.sort_by(|a, b| a.name.cmp(&b.name));
    std::fs::write(out.join("grades.csv"), gradebook(&graded))?;
    Ok(graded)
}

/// A worker folder: a copy of the pristine handout.
fn prepare_slot(pristine: &Path, slot: &Path) -> Result<()> {
    for rel in files::files_under(pristine)? {
        let dest = slot.join(&rel);
        let contents = files::read(&pristine.join(&rel))?;
        if files::read(&dest).ok().as_deref() != Some(&contents[..]) {
            files::write(&dest, &contents)?;
        }
    }
    Ok(())
}

/// A fingerprint of what decides a submission's grade: its module sources,
/// its seed and the pristine tree's grader.
fn fingerprint(sources: &[(PathBuf, Vec<u8>)], seed: u64, pristine: &Path) -> Result<String> {
    // FNV-1a: stable across runs and platforms, enough to spot a change.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    };
    feed(&seed.to_le_bytes());
    for (rel, contents) in sources {
        feed(files::slash(rel).as_bytes());
        feed(&(contents.len() as u64).to_le_bytes());
        feed(contents);
    }
    for rel in files::files_under(&pristine.join("grader"))? {
        feed(&files::read(&pristine.join("grader").join(rel))?);
    }
    Ok(format!("{hash:016x}"))
}

fn grade_one(
    name: &str,
    submission: &Path,
    slot: &Path,
    target: &Path,
    pristine: &Path,
    out: &Path,
    options: &Options,
) -> Result<Graded> {
    let seed = seed_of(options, name);
    let mut notes = Vec::new();
    // The submission's module sources, and what else it changed.
    let mut sources = Vec::new();
    for topic in TOPICS {
        let module = submission.join("modules").join(topic);
        let src = module.join("src");
        if src.is_dir() {
            for rel in files::files_under(&src)? {
                sources.push((Path::new(topic).join(&rel), files::read(&src.join(&rel))?));
            }
        }
        let manifest = module.join("Cargo.toml");
        let pristine_manifest = pristine.join("modules").join(topic).join("Cargo.toml");
        if manifest.exists() && files::read(&manifest)? != files::read(&pristine_manifest)? {
            notes.push(format!(
                "modules/{topic}/Cargo.toml differs from the handout's (added dependencies?): graded with the handout's manifest"
            ));
        }
        if module.join("build.rs").exists() {
            notes.push(format!("modules/{topic}/build.rs is not used: build scripts are not graded"));
        }
    }
    let stamp = fingerprint(&sources, seed, pristine)?;
    let report_path = out.join("reports").join(format!("{name}.json"));
    let stamp_path = out.join(".work").join("stamps").join(name);
    if files::read_text(&stamp_path).ok().as_deref() == Some(stamp.as_str())
        && let Ok(text) = files::read_text(&report_path)
        && let Ok(report) = serde_json::from_str::<Value>(&text)
    {
        return Ok(Graded { name: name.to_string(), seed, report: Some(report), notes, graded_now: false });
    }
    // Lay the sources over the pristine modules, touching only the files
    // that change, so that cargo rebuilds only the modules that differ from
    // the last submission graded in this folder.
    for topic in TOPICS {
        let src = slot.join("modules").join(topic).join("src");
        let pristine_src = pristine.join("modules").join(topic).join("src");
        let own: Vec<(PathBuf, Vec<u8>)> = sources
            .iter()
            .filter(|(rel, _)| rel.starts_with(topic))
            .map(|(rel, contents)| (rel.strip_prefix(topic).expect("under its topic").to_path_buf(), contents.clone()))
            .collect();
        let wanted = if own.is_empty() {
            files::files_under(&pristine_src)?
                .into_iter()
                .map(|rel| files::read(&pristine_src.join(&rel)).map(|contents| (rel, contents)))
                .collect::<Result<Vec<_>>>()?
        } else {
            own
        };
        if src.exists() {
            for rel in files::files_under(&src)? {
                if !wanted.iter().any(|(w, _)| *w == rel) {
                    std::fs::remove_file(src.join(&rel))?;
                }
            }
        }
        for (rel, contents) in &wanted {
            let dest = src.join(files::contained(rel)?);
            if files::read(&dest).ok().as_deref() != Some(&contents[..]) {
                files::write(&dest, contents)?;
            }
        }
    }
    let report = run_grader(slot, target, seed, options.budget, &mut notes)?;
    if let Some(report) = &report {
        std::fs::write(&report_path, serde_json::to_string_pretty(report)?)?;
        let scope = out.join("gradescope").join(name);
        std::fs::create_dir_all(&scope)?;
        std::fs::write(scope.join("results.json"), serde_json::to_string_pretty(&gradescope(report, seed, &notes))?)?;
        files::write(&stamp_path, stamp.as_bytes())?;
    }
    Ok(Graded { name: name.to_string(), seed, report, notes, graded_now: true })
}

/// Runs the handout's grader in `slot`: its JSON report, or `None` (with a
/// note) when it produced none in time.
fn run_grader(
    slot: &Path,
    target: &Path,
    seed: u64,
    budget: Duration,
    notes: &mut Vec<String>,
) -> Result<Option<Value>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut child = Command::new(cargo)
        .current_dir(slot)
        .args(["run", "--quiet", "--locked", "-p", "grader", "--", "--format", "json", "--color", "never", "--seed"])
        .arg(seed.to_string())
        .env("CARGO_TARGET_DIR", target)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .context("cannot run cargo to grade a submission")?;
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = Instant::now() + budget;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if Instant::now() >= deadline {
            // The grader and its runners share the process group.
            let _ = Command::new("kill").args(["-KILL", &format!("-{}", child.id())]).status();
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let Some(status) = status else {
        notes.push(format!("no report within {} s: raise --budget", budget.as_secs()));
        return Ok(None);
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = String::from_utf8_lossy(&stderr.join().unwrap_or_default()).into_owned();
    match serde_json::from_slice::<Value>(&stdout) {
        Ok(report) if matches!(status.code(), Some(0 | 1)) => Ok(Some(report)),
        _ => {
            let tail: Vec<&str> = stderr.lines().rev().take(6).collect::<Vec<_>>().into_iter().rev().collect();
            notes.push(format!("the grader gave no report ({status}): {}", tail.join(" | ")));
            Ok(None)
        }
    }
}

/// Reads `pipe` to its end on a thread of its own.
fn drain<R: std::io::Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

/// Gradescope's `results.json`: the score, one test per task.
pub fn gradescope(report: &Value, seed: u64, notes: &[String]) -> Value {
    let tests: Vec<Value> = report["tasks"]
        .as_array()
        .map(|tasks| {
            tasks
                .iter()
                .map(|t| {
                    let output: Vec<String> = t["checks"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|c| c["passed"] == false)
                        .map(|c| {
                            format!("x {}\n  {}", c["name"].as_str().unwrap_or(""), c["message"].as_str().unwrap_or(""))
                        })
                        .collect();
                    json!({
                        "name": format!("{}/{}", t["module"].as_str().unwrap_or(""), t["name"].as_str().unwrap_or("")),
                        "score": t["score"],
                        "max_score": t["max_score"],
                        "status": if t["status"] == "passed" { "passed" } else { "failed" },
                        "output": if output.is_empty() { "all checks passed".to_string() } else { output.join("\n") },
                        "visibility": "visible",
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let mut output = format!("graded with seed {seed}");
    for note in notes {
        let _ = write!(output, "\n{note}");
    }
    json!({ "score": report["score"], "output": output, "tests": tests, "visibility": "visible" })
}

/// `grades.csv`: a row per submission, a column per task, module subtotals
/// and the total.
pub fn gradebook(graded: &[Graded]) -> String {
    let mut columns: Vec<(String, String)> = Vec::new();
    for g in graded {
        for t in g.report.as_ref().and_then(|r| r["tasks"].as_array()).into_iter().flatten() {
            let key = (t["module"].as_str().unwrap_or("").to_string(), t["name"].as_str().unwrap_or("").to_string());
            if !columns.contains(&key) {
                columns.push(key);
            }
        }
    }
    let modules: Vec<String> = columns.iter().fold(Vec::new(), |mut acc, (m, _)| {
        if !acc.contains(m) {
            acc.push(m.clone());
        }
        acc
    });
    let mut csv = String::from("submission,seed");
    for (module, task) in &columns {
        let _ = write!(csv, ",{module}/{task}");
    }
    for module in &modules {
        let _ = write!(csv, ",{module}");
    }
    csv.push_str(",total,notes\n");
    for g in graded {
        let scores: BTreeMap<(String, String), f64> = g
            .report
            .as_ref()
            .and_then(|r| r["tasks"].as_array())
            .into_iter()
            .flatten()
            .map(|t| {
                let key =
                    (t["module"].as_str().unwrap_or("").to_string(), t["name"].as_str().unwrap_or("").to_string());
                (key, t["score"].as_f64().unwrap_or(0.0))
            })
            .collect();
        let _ = write!(csv, "{},{}", field(&g.name), g.seed);
        for key in &columns {
            let _ = write!(csv, ",{}", scores.get(key).map(|s| format!("{s:.2}")).unwrap_or_default());
        }
        for module in &modules {
            // A fold from 0.0: an empty f64 sum() is -0.0.
            let sum = scores.iter().filter(|((m, _), _)| m == module).fold(0.0, |a, (_, s)| a + s);
            let _ = write!(csv, ",{sum:.2}");
        }
        let total = scores.values().fold(0.0, |a, s| a + s);
        let _ = writeln!(csv, ",{total:.2},{}", field(&g.notes.join("; ")));
    }
    csv
}

/// A CSV field, quoted when it needs to be.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(scores: &[(&str, &str, f64)]) -> Value {
        let tasks: Vec<Value> = scores
            .iter()
            .map(|(m, n, s)| json!({"module": m, "name": n, "score": s, "max_score": 5.0, "status": if *s == 5.0 { "passed" } else { "failed" }, "checks": [{"name": "golden: x", "passed": *s == 5.0, "message": "expected 1, got 2"}]}))
            .collect();
        let total: f64 = scores.iter().map(|(_, _, s)| s).sum();
        json!({"seed": 1, "score": total, "max_score": 10.0, "tasks": tasks})
    }

    #[test]
    fn the_gradebook_has_a_column_per_task_and_subtotals() {
        let graded = vec![
            Graded {
                name: "ada".into(),
                seed: 1,
                report: Some(report(&[("tensor", "view", 5.0), ("conv1d", "conv1d_forward", 1.25)])),
                notes: vec![],
                graded_now: true,
            },
            Graded { name: "bob, jr".into(), seed: 1, report: None, notes: vec!["no report".into()], graded_now: true },
        ];
        let csv = gradebook(&graded);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "submission,seed,tensor/view,conv1d/conv1d_forward,tensor,conv1d,total,notes");
        assert_eq!(lines[1], "ada,1,5.00,1.25,5.00,1.25,6.25,");
        assert_eq!(lines[2], "\"bob, jr\",1,,,0.00,0.00,0.00,no report");
    }

    #[test]
    fn gradescope_results_have_the_documented_fields() {
        let results = gradescope(&report(&[("tensor", "view", 5.0), ("tensor", "get", 0.0)]), 7, &["a note".into()]);
        assert_eq!(results["score"], 5.0);
        assert!(
            results["output"].as_str().unwrap().contains("seed 7")
                && results["output"].as_str().unwrap().contains("a note")
        );
        let tests = results["tests"].as_array().unwrap();
        assert_eq!(tests.len(), 2);
        for test in tests {
            for key in ["name", "score", "max_score", "status", "output", "visibility"] {
                assert!(test.get(key).is_some(), "{key} missing in {test}");
            }
        }
        assert_eq!(tests[1]["status"], "failed");
        assert!(tests[1]["output"].as_str().unwrap().contains("expected 1, got 2"));
    }

    #[test]
    fn seeds_per_student_differ_and_are_stable() {
        let options =
            Options { jobs: 1, seed: 9, seed_per_student: true, budget: Duration::from_secs(1), target: None };
        assert_eq!(seed_of(&options, "ada"), seed_of(&options, "ada"));
        assert_ne!(seed_of(&options, "ada"), seed_of(&options, "bob"));
        assert_eq!(seed_of(&Options { seed_per_student: false, ..options }, "ada"), 9);
    }
}
