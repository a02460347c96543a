//! Seconds per submission of `grade-batch`, as an instructor meets it:
//! dependencies compiled, every submission different from the one graded
//! before it in the same worker (so each rebuilds all seven modules).
//!
//! `cargo bench -p xtask --bench batch` (several minutes). Each sample
//! grades a class of `2 * jobs` submissions, alternately the reference
//! solutions and the stubs, from scratch (no stamps), and reports the time
//! per submission; 200 submissions take `200 *` that.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use xtask::batch::{self, Options, TOPICS};
use xtask::{files, workspace};

/// Writes a submission: the solutions (`right`) or the stubs.
fn submission(root: &Path, into: &Path, right: bool) {
    for topic in TOPICS {
        let src = if right { root.join("solutions").join(topic) } else { root.join("modules").join(topic) }.join("src");
        for rel in files::files_under(&src).unwrap() {
            let text = fs::read_to_string(src.join(&rel)).unwrap().replace("_solution", "");
            files::write(&into.join("modules").join(topic).join("src").join(&rel), text.as_bytes()).unwrap();
        }
    }
}

fn per_submission(c: &mut Criterion) {
    let root = workspace::root();
    let dir = tempfile::tempdir().unwrap();
    let mut group = c.benchmark_group("grade-batch");
    group.sample_size(10).warm_up_time(Duration::from_millis(1)).measurement_time(Duration::from_secs(1));
    for jobs in [1, 2] {
        let class = dir.path().join(format!("class-{jobs}"));
        // Right and stub alternate within each worker's queue.
        for i in 0..2 * jobs {
            submission(&root, &class.join(format!("s{i}")), (i / jobs) % 2 == 0);
        }
        let out = dir.path().join(format!("out-{jobs}"));
        let options =
            Options { jobs, seed: 1, seed_per_student: false, budget: Duration::from_secs(900), target: None };
        // Compiles the dependencies once, as the first run of a term does.
        batch::grade(&root, &class, &out, &options).unwrap();
        group.bench_function(format!("per submission, {jobs} job(s)"), |b| {
            b.iter_custom(|iterations| {
                let mut elapsed = Duration::ZERO;
                for _ in 0..iterations {
                    let _ = fs::remove_dir_all(out.join(".work/stamps"));
                    let start = Instant::now();
                    batch::grade(&root, &class, &out, &options).unwrap();
                    elapsed += start.elapsed() / (2 * jobs) as u32;
                }
                elapsed
            })
        });
    }
    group.finish();
}

criterion_group!(benches, per_submission);
criterion_main!(benches);
