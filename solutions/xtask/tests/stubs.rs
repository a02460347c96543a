//! `cargo xtask stubs` on the real repository and on a small fixture one.

use std::fs;
use std::path::Path;
use std::process::Command;

use xtask::stubs::{self, Change};

#[test]
fn the_stubs_in_the_repository_are_up_to_date() {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask")).args(["stubs", "--check"]).output().unwrap();
    assert!(
        output.status.success(),
        "`cargo xtask stubs --check` failed; run `cargo xtask stubs`:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A repository with one solution (`demo`), another instructor crate, and
/// a provided crate that must be left alone.
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "solutions/demo/Cargo.toml",
        "[package]\nname = \"demo-solution\"\ndescription = \"Reference.\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dev-dependencies]\napprox = \"0.5\"\n",
    );
    write(
        root,
        "solutions/demo/src/lib.rs",
        "//! Demo.\n//!\n//! ```\n//! assert_eq!(demo_solution::one(), 1);\n//! ```\n\nmod one;\npub use one::one;\n",
    );
    write(
        root,
        "solutions/demo/src/one.rs",
        "/// One.\npub fn one() -> u32 {\n    // BEGIN SOLUTION: return {one}\n    // HINT: the smallest positive integer.\n    1\n    // END SOLUTION\n}\n\n// BEGIN HIDDEN\nmod fast;\n#[test]\nfn t() {}\n// END HIDDEN\n",
    );
    // Hidden from top to bottom: no stub at all.
    write(root, "solutions/demo/src/one/fast.rs", "// BEGIN HIDDEN\n//! A faster one.\n// END HIDDEN\n");
    write(root, "solutions/demo/src/data.txt", "kept as is: demo_solution\n");
    write(root, "solutions/tool/Cargo.toml", "[package]\nname = \"tool\"\nversion = \"0.1.0\"\n");
    write(root, "modules/support/src/lib.rs", "// provided\n");
    dir
}

#[test]
fn stubs_are_written_checked_and_cleaned_of_stale_files() {
    let dir = fixture();
    let root = dir.path();
    let generated = stubs::generate(root).unwrap();
    assert_eq!(generated.len(), 1, "only the -solution crate has a stub");

    let written = stubs::write(root, &generated).unwrap();
    let paths: Vec<String> = written.iter().map(|d| d.to_string()).collect();
    assert_eq!(written.len(), 5, "the manifest, three source files and the hints: {paths:?}");
    assert!(!root.join("modules/demo/src/one").exists(), "a wholly hidden file has no stub");
    assert!(written.iter().all(|d| d.change == Change::Missing));
    assert_eq!(
        fs::read_to_string(root.join("grader/hints/demo.json")).unwrap(),
        "{\n  \"one\": [\n    \"the smallest positive integer.\"\n  ]\n}\n"
    );
    assert_eq!(
        fs::read_to_string(root.join("modules/demo/src/one.rs")).unwrap(),
        "/// One.\npub fn one() -> u32 {\n    todo!(\"return {{one}}\")\n}\n"
    );
    let lib = fs::read_to_string(root.join("modules/demo/src/lib.rs")).unwrap();
    assert!(lib.contains("//! assert_eq!(demo::one(), 1);\n//! ```\n\n// Until every `todo!()`"), "{lib}");
    assert!(lib.contains("#![allow(unused_variables, unused_imports)]\n\nmod one;"), "{lib}");
    assert_eq!(fs::read_to_string(root.join("modules/demo/src/data.txt")).unwrap(), "kept as is: demo_solution\n");
    let manifest = fs::read_to_string(root.join("modules/demo/Cargo.toml")).unwrap();
    assert!(manifest.starts_with("# Generated from solutions/demo by `cargo xtask stubs`"), "{manifest}");
    assert!(manifest.contains("name = \"demo\"") && manifest.contains("doctest = false"), "{manifest}");
    assert!(!manifest.contains("dev-dependencies") && !manifest.contains("Reference."), "{manifest}");
    assert!(stubs::differences(root, &generated).unwrap().is_empty());

    write(root, "modules/demo/src/old/gone.rs", "// stale\n");
    write(root, "modules/demo/src/one.rs", "// edited by hand\n");
    let found = stubs::differences(root, &generated).unwrap();
    let found: Vec<String> = found.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        found,
        [
            "stale:       modules/demo/src/old/gone.rs (no solution file generates it)",
            "out of date: modules/demo/src/one.rs"
        ]
    );
    stubs::write(root, &generated).unwrap();
    assert!(!root.join("modules/demo/src/old").exists(), "the emptied folder goes too");

    // A stub whose solution was removed is stale as a whole.
    fs::remove_dir_all(root.join("solutions/demo")).unwrap();
    let found: Vec<String> = stubs::differences(root, &[]).unwrap().iter().map(|d| d.to_string()).collect();
    assert_eq!(found.len(), 4, "{found:?}");
    assert!(found[0].starts_with("stale:       modules/demo/Cargo.toml"), "{found:?}");
    stubs::write(root, &[]).unwrap();
    assert!(!root.join("modules/demo").exists());
    assert!(root.join("modules/support/src/lib.rs").exists());
    let generated = stubs::generate(root).unwrap();
    assert!(generated.is_empty());
    write(root, "solutions/demo/Cargo.toml", "[package]\nname = \"demo-solution\"\nedition = \"2024\"\n");
    write(root, "solutions/demo/src/lib.rs", "//! Demo.\n");
    let generated = stubs::generate(root).unwrap();
    stubs::write(root, &generated).unwrap();
    assert!(stubs::differences(root, &generated).unwrap().is_empty());
    assert_eq!(fs::read_to_string(root.join("modules/support/src/lib.rs")).unwrap(), "// provided\n");
}

#[test]
fn a_malformed_marker_is_reported_with_its_file_and_line() {
    let dir = fixture();
    let root = dir.path();
    write(
        root,
        "solutions/demo/src/one.rs",
        "pub fn one() -> u32 {\n    // BEGIN SOLUTION\n    1\n    // END SOLUTION\n}\n",
    );
    let error = stubs::generate(root).unwrap_err().to_string();
    assert!(error.starts_with("solutions/demo/src/one.rs:2: SOLUTION marker without a hint"), "{error}");
}

#[test]
fn stubs_are_formatted_with_the_workspace_rustfmt_settings() {
    let dir = fixture();
    let root = dir.path();
    write(root, "rustfmt.toml", "max_width = 60\n");
    write(
        root,
        "solutions/demo/src/one.rs",
        "pub fn one() -> u32 {\n    // BEGIN SOLUTION: a hint that is long enough to pass the sixty columns\n    1\n    // END SOLUTION\n}\n",
    );
    let generated = stubs::generate(root).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&generated[0].files[Path::new("modules/demo/src/one.rs")]),
        "pub fn one() -> u32 {\n    todo!(\n        \"a hint that is long enough to pass the sixty columns\"\n    )\n}\n"
    );
}

#[test]
fn files_replaced_or_deleted_are_backed_up_first() {
    use xtask::stubs::{Change, Difference, back_up};
    let root = tempfile::tempdir().unwrap();
    let edited = std::path::PathBuf::from("modules/tensor/src/layout.rs");
    let stale = std::path::PathBuf::from("modules/tensor/src/notes.rs");
    for (path, text) in [(&edited, "// my own edit\n"), (&stale, "// my notes\n")] {
        std::fs::create_dir_all(root.path().join(path).parent().unwrap()).unwrap();
        std::fs::write(root.path().join(path), text).unwrap();
    }
    let changes = [
        Difference { path: edited.clone(), change: Change::OutOfDate },
        Difference { path: stale.clone(), change: Change::Stale },
        Difference { path: "modules/tensor/src/new.rs".into(), change: Change::Missing },
    ];
    let backups = root.path().join("backups");
    back_up(root.path(), &changes, &backups).unwrap();
    assert_eq!(std::fs::read_to_string(backups.join(&edited)).unwrap(), "// my own edit\n");
    assert_eq!(std::fs::read_to_string(backups.join(&stale)).unwrap(), "// my notes\n");
    assert!(!backups.join("modules/tensor/src/new.rs").exists());
}
