//! One set of features per crate: `cargo grade` builds the grader alone,
//! then the grader builds the runners alone, and setup scripts build both
//! at once. When a shared crate (ndarray, num-traits, rand...) is asked for
//! different features by each, cargo compiles it and everything above it
//! once per set: minutes on a student's first `cargo grade` and on every
//! Gradescope submission. `grader/numeric/Cargo.toml` evens them out.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use xtask::batch::TOPICS;
use xtask::workspace;

/// Each crate of the build of `packages` (`name version`), with the sets of
/// features `cargo tree` lists for it: one, or two for a crate built both
/// for build scripts and for the program.
fn features(packages: &[String]) -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(workspace::root())
        .args(["tree", "--locked", "--edges", "normal,build", "--prefix", "none", "--format", "{p}|{f}"])
        .args(packages.iter().flat_map(|p| ["--package", p.as_str()]))
        .output()
        .unwrap();
    assert!(output.status.success(), "cargo tree failed:\n{}", String::from_utf8_lossy(&output.stderr));
    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8(output.stdout).unwrap().lines() {
        let Some((package, features)) = line.split_once('|') else { continue };
        // `name v1.2.3 (path)`: the name and version name the crate.
        let id: Vec<&str> = package.split_whitespace().take(2).collect();
        let features = features.trim_end_matches(" (*)").trim_end_matches(" (proc-macro)");
        found.entry(id.join(" ")).or_default().insert(features.to_string());
    }
    found
}

#[test]
fn the_grader_and_its_runners_ask_for_the_same_features_alone_and_together() {
    let grader = vec!["grader".to_string()];
    let runners: Vec<String> = TOPICS.iter().map(|t| format!("{t}-runner")).collect();
    let both: Vec<String> = grader.iter().chain(&runners).cloned().collect();
    let together = features(&both);
    assert!(together.keys().any(|k| k.starts_with("ndarray ")), "{together:?}");
    let mut differ = Vec::new();
    for (what, alone) in [("the grader", features(&grader)), ("the runners", features(&runners))] {
        for (krate, set) in &alone {
            if together[krate] != *set {
                differ.push(format!("{krate}: {set:?} for {what} alone, {:?} together", together[krate]));
            }
        }
    }
    assert!(differ.is_empty(), "add the missing features in grader/numeric/Cargo.toml:\n{}", differ.join("\n"));
}
