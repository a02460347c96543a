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

use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::{files, handout};

mod collect;
pub mod gradebook;
mod progress;
pub mod summary;

pub use collect::{Submission, submissions};
pub use gradebook::gradebook;
use progress::Progress;

/// The exercise modules a submission may change.
pub const TOPICS: [&str; 8] =
    ["tensor", "conv1d", "conv2d", "pooling", "activations", "softmax", "attention", "network"];

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
    /// The first worker's build folder (default `OUT/.work/target`); the
    /// others start from a copy of it, so dependencies compile once.
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

/// The seed of submission `name`.
pub fn seed_of(options: &Options, name: &str) -> u64 {
    if options.seed_per_student { numeric::random::derive_seed(options.seed, name) } else { options.seed }
}

/// Grades every submission of `submissions_dir` into `out`, from the
/// repository at `root` (its handout is the pristine tree).
pub fn grade(root: &Path, submissions_dir: &Path, out: &Path, options: &Options) -> Result<Vec<Graded>> {
    let list = collect::submissions(submissions_dir)?;
    if list.is_empty() {
        bail!("no submissions (folders, .zip, .tar.gz or .tgz files) in {}", submissions_dir.display());
    }
    let work = out.join(".work");
    let pristine = work.join("pristine");
    if pristine.exists() {
        std::fs::remove_dir_all(&pristine).with_context(|| format!("cannot clear {}", pristine.display()))?;
    }
    handout::export(root, &pristine)?;
    for dir in ["reports", "gradescope", "junit"] {
        std::fs::create_dir_all(out.join(dir))?;
    }
    let jobs = options.jobs.clamp(1, list.len());
    for slot in 0..jobs {
        prepare_slot(&pristine, &work.join(format!("slot-{slot}")))?;
    }
    let targets: Vec<PathBuf> = (0..jobs)
        .map(|slot| match (slot, &options.target) {
            (0, Some(target)) => target.clone(),
            (0, None) => work.join("target"),
            _ => work.join(format!("target-{slot}")),
        })
        .collect();
    share_dependencies(&work.join("slot-0"), &targets)?;
    let next = AtomicUsize::new(0);
    let progress = Progress::new(list.len());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for slot in 0..jobs {
            let (list, next, progress, results, work, pristine, targets) =
                (&list, &next, &progress, &results, &work, &pristine, &targets);
            scope.spawn(move || {
                let dir = work.join(format!("slot-{slot}"));
                let target = &targets[slot];
                let scratch = work.join(format!("unpacked-{slot}"));
                while let Some(submission) = list.get(next.fetch_add(1, Ordering::SeqCst)) {
                    progress.start(&submission.name);
                    let name = &submission.name;
                    let graded = collect::unpack(submission, &scratch)
                        .and_then(|folder| grade_one(name, &folder, &dir, target, pristine, out, options))
                        .unwrap_or_else(|e| Graded {
                            name: name.clone(),
                            seed: seed_of(options, name),
                            report: None,
                            notes: vec![format!("could not be graded: {e:#}")],
                            graded_now: true,
                        });
                    if graded.report.is_none() {
                        let written = write_ungraded(out, &graded);
                        if let Err(e) = written {
                            progress.line(format!("{name}: {e:#}"));
                        }
                    }
                    progress.finish(&graded);
                    results.lock().unwrap_or_else(|e| e.into_inner()).push(graded);
                }
            });
        }
    });
    progress.done();
    let mut graded = results.into_inner().unwrap_or_else(|e| e.into_inner());
    graded.sort_by(|a, b| a.name.cmp(&b.name));
    files::write(&out.join("grades.csv"), gradebook(&graded).as_bytes())?;
    summary::write(out, &graded)?;
    Ok(graded)
}

/// Gives every worker the dependencies compiled once: when a worker's build
/// folder is missing, builds the grader and its runners in the first
/// worker's folder `slot`, then copies its build folder for the others.
/// (One build folder for all would not do: each worker's binaries would
/// overwrite the others'.)
fn share_dependencies(slot: &Path, targets: &[PathBuf]) -> Result<()> {
    if targets[1..].iter().all(|t| t.exists()) {
        return Ok(());
    }
    eprintln!("grade-batch: building the grader's dependencies once, for {} workers", targets.len());
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(&cargo);
    build.current_dir(slot).args(["build", "--quiet", "--locked", "--package", "grader"]);
    for topic in TOPICS {
        build.args(["--package", &format!("{topic}-runner")]);
    }
    let status = build.env("CARGO_TARGET_DIR", &targets[0]).status().context("cannot run cargo")?;
    if !status.success() {
        bail!("the pristine handout's grader does not build ({status})");
    }
    for target in &targets[1..] {
        if !target.exists() {
            let status = Command::new("cp")
                .arg("-a")
                .arg(&targets[0])
                .arg(target)
                .status()
                .context("cannot run cp to copy a build folder")?;
            if !status.success() {
                bail!("cannot copy {} to {}", targets[0].display(), target.display());
            }
        }
    }
    Ok(())
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
    let results = out.join("gradescope").join(name).join("results.json");
    let junit = out.join("junit").join(format!("{name}.xml"));
    for stale in [&results, &junit, &report_path, &stamp_path] {
        if stale.exists() {
            std::fs::remove_file(stale).with_context(|| format!("cannot remove {}", stale.display()))?;
        }
    }
    let mut exports = vec![("--gradescope", results.into_os_string()), ("--junit", junit.into_os_string())];
    exports.extend(notes.iter().map(|note| ("--note", note.into())));
    let report = run_grader(slot, target, seed, options.budget, &exports, &mut notes)?;
    if let Some(report) = &report {
        files::write(&report_path, serde_json::to_string_pretty(report)?.as_bytes())?;
        files::write(&stamp_path, stamp.as_bytes())?;
    }
    Ok(Graded { name: name.to_string(), seed, report, notes, graded_now: true })
}

/// Gradescope's `results.json` for a submission without a report: no
/// points, and the notes saying why.
fn write_ungraded(out: &Path, graded: &Graded) -> Result<()> {
    let results = json!({
        "score": 0.0,
        "output": format!("not graded (seed {}):\n{}", graded.seed, graded.notes.join("\n")),
        "output_format": "text",
        "visibility": "visible",
        "tests": [],
    });
    let path = out.join("gradescope").join(&graded.name).join("results.json");
    files::write(&path, serde_json::to_string_pretty(&results)?.as_bytes())
}

/// Runs the handout's grader in `slot`: its JSON report, or `None` (with a
/// note) when it produced none in time. `exports` are the grader's options
/// that write other reports (`--junit FILE`, `--note TEXT`).
fn run_grader(
    slot: &Path,
    target: &Path,
    seed: u64,
    budget: Duration,
    exports: &[(&str, std::ffi::OsString)],
    notes: &mut Vec<String>,
) -> Result<Option<Value>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut child = Command::new(cargo)
        .current_dir(slot)
        .args(["run", "--quiet", "--locked", "-p", "grader", "--", "--format", "json", "--color", "never", "--seed"])
        .arg(seed.to_string())
        .args(exports.iter().flat_map(|(flag, value)| [std::ffi::OsStr::new(flag), value.as_os_str()]))
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

/// A report in the grader's JSON schema, for tests: one task per
/// `(module, task, score)`, each worth 5 points, failing its one check
/// ("golden: x", "expected 1, got 2") unless it scored 5.
#[cfg(test)]
pub(crate) fn sample_report(scores: &[(&str, &str, f64)]) -> Value {
    let tasks: Vec<Value> = scores
        .iter()
        .map(|(m, n, s)| json!({"module": m, "name": n, "score": s, "max_score": 5.0, "status": if *s == 5.0 { "passed" } else { "failed" }, "checks": [{"name": "golden: x", "passed": *s == 5.0, "message": "expected 1, got 2"}]}))
        .collect();
    let total: f64 = scores.iter().map(|(_, _, s)| s).sum();
    json!({"seed": 1, "score": total, "max_score": 5.0 * scores.len() as f64, "tasks": tasks})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_per_student_differ_and_are_stable() {
        let options =
            Options { jobs: 1, seed: 9, seed_per_student: true, budget: Duration::from_secs(1), target: None };
        assert_eq!(seed_of(&options, "ada"), seed_of(&options, "ada"));
        assert_ne!(seed_of(&options, "ada"), seed_of(&options, "bob"));
        assert_eq!(seed_of(&Options { seed_per_student: false, ..options }, "ada"), 9);
    }
}
