//! `cargo xtask stubs`: every `modules/<topic>` generated from its
//! reference solution `solutions/<topic>`.
//!
//! A stub crate is its solution with each SOLUTION region replaced by a
//! `todo!` and each HIDDEN region removed (see [`crate::regions`]), the
//! solution's crate names replaced by the topics' (`use tensor::view` in doc
//! examples), an `#![allow]` for the parameters and imports that go unused
//! until the student fills in the bodies, formatted by rustfmt with the
//! workspace's `rustfmt.toml` (so that `cargo fmt --check` passes on them),
//! and a manifest derived from the solution's (see [`crate::stub_manifest`]).
//! The `// HINT:` lines of the SOLUTION regions go to
//! `grader/hints/<topic>.json` (see [`hints_file`]).
//! Only `Cargo.toml`, `src/` and the hints are generated; any other file in `src/` is
//! stale, and so is a generated crate in `modules/` whose solution is gone.
//! Crates in `modules/` that were not generated (`support`) are never
//! touched.

use std::collections::BTreeMap;
use std::fmt;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

use crate::files::{self, slash};
use crate::stub_manifest::{GENERATED_HEADER, stub_manifest};
use crate::workspace::{self, InstructorCrate, MODULES};
use crate::{regions, rustfmt};

/// What the stub's `src/lib.rs` gets right after its crate docs.
const ALLOW_UNFINISHED: &str = "\
// Until every `todo!()` is filled in, some parameters and imports go unused.
#![allow(unused_variables, unused_imports)]
";

/// The generated files of one stub crate.
#[derive(Clone, Debug)]
pub struct Stub {
    pub topic: String,
    /// `modules/<topic>`, relative to the root.
    pub dir: PathBuf,
    /// Every generated file, by path relative to the root.
    pub files: BTreeMap<PathBuf, Vec<u8>>,
}

impl Stub {
    /// The generated source folder, relative to the root.
    fn src(&self) -> PathBuf {
        self.dir.join("src")
    }
}

/// How a file on disk differs from the generated one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Generated, but not on disk.
    Missing,
    /// On disk with other contents.
    OutOfDate,
    /// In a stub's `src/`, but not generated.
    Stale,
}

/// One file that differs, by path relative to the root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub path: PathBuf,
    pub change: Change,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = slash(&self.path);
        match self.change {
            Change::Missing => write!(f, "missing:     {path}"),
            Change::OutOfDate => write!(f, "out of date: {path}"),
            Change::Stale => write!(f, "stale:       {path} (no solution file generates it)"),
        }
    }
}

/// The stubs of every reference solution under `root`.
///
/// **Errors** on a malformed marker (naming file and line), a solution
/// manifest the generator cannot carry over, or an unreadable file.
pub fn generate(root: &Path) -> Result<Vec<Stub>> {
    let solutions = workspace::solution_crates(root)?;
    let renames: BTreeMap<String, String> =
        solutions.iter().filter_map(|c| Some((c.package.clone(), c.topic()?.to_string()))).collect();
    let idents: Vec<(String, String)> =
        renames.iter().map(|(package, topic)| (package.replace('-', "_"), topic.replace('-', "_"))).collect();
    solutions.iter().map(|krate| generate_one(root, krate, &renames, &idents)).collect()
}

fn generate_one(
    root: &Path,
    krate: &InstructorCrate,
    renames: &BTreeMap<String, String>,
    idents: &[(String, String)],
) -> Result<Stub> {
    let topic = krate.topic().unwrap_or_default().to_string();
    let dir = Path::new(MODULES).join(&topic);
    let solution_dir = slash(&krate.dir);
    let mut out = BTreeMap::new();

    let manifest = stub_manifest(&krate.manifest, &solution_dir, &topic, renames)
        .with_context(|| format!("{solution_dir}/Cargo.toml"))?;
    out.insert(dir.join("Cargo.toml"), manifest.into_bytes());

    let edition = workspace::edition(root, krate)?;
    let src = root.join(&krate.dir).join("src");
    let mut hints: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for rel in files::files_under(&src)? {
        let path = src.join(&rel);
        let contents = if rel.extension().is_some_and(|e| e == "rs") {
            let text = files::read_text(&path)?;
            for (function, hint) in regions::hints(&text)
                .map_err(|e| anyhow!("{solution_dir}/src/{}:{}: {}", slash(&rel), e.line, e.message))?
            {
                hints.entry(function).or_default().push(hint);
            }
            let stub = regions::strip(&text)
                .map_err(|e| anyhow!("{solution_dir}/src/{}:{}: {}", slash(&rel), e.line, e.message))?;
            // A file hidden from top to bottom (a reference's own fast path)
            // is not in the handout at all.
            if stub.trim().is_empty() && rel != Path::new("lib.rs") {
                continue;
            }
            let stub = rename_idents(&stub, idents);
            let stub = if rel == Path::new("lib.rs") { allow_unfinished(&stub) } else { stub };
            let dest_dir = root.join(&dir).join("src").join(&rel);
            rustfmt::format(&stub, &edition, dest_dir.parent().unwrap_or(root))
                .with_context(|| format!("the stub of {solution_dir}/src/{}", slash(&rel)))?
                .into_bytes()
        } else {
            files::read(&path)?
        };
        out.insert(dir.join("src").join(&rel), contents);
    }
    let json = serde_json::to_string_pretty(&hints).context("hints serialise")? + "\n";
    out.insert(hints_file(&topic), json.into_bytes());
    if !out.contains_key(&dir.join("src").join("lib.rs")) {
        bail!("{solution_dir} has no src/lib.rs: a reference solution must be a library crate");
    }
    Ok(Stub { topic, dir, files: out })
}

/// Where the progressive hints of `topic` go, relative to the root: the
/// grader shows them (`cargo grade --hint TASK`), by function name, in the
/// order of the solution's `// HINT:` lines.
pub fn hints_file(topic: &str) -> PathBuf {
    Path::new("grader").join("hints").join(format!("{topic}.json"))
}

/// How the files under `root` differ from `stubs`, sorted by path.
pub fn differences(root: &Path, stubs: &[Stub]) -> Result<Vec<Difference>> {
    let mut found = Vec::new();
    for stub in stubs {
        for (path, contents) in &stub.files {
            let full = root.join(path);
            let change = match std::fs::read(&full) {
                Ok(existing) if existing == *contents => continue,
                Ok(_) => Change::OutOfDate,
                Err(e) if e.kind() == ErrorKind::NotFound => Change::Missing,
                Err(e) => return Err(e).with_context(|| format!("cannot read {}", full.display())),
            };
            found.push(Difference { path: path.clone(), change });
        }
        for rel in files::files_under(&root.join(stub.src()))? {
            let path = stub.src().join(rel);
            if !stub.files.contains_key(&path) {
                found.push(Difference { path, change: Change::Stale });
            }
        }
    }
    for dir in orphans(root, stubs)? {
        found.push(Difference { path: dir.join("Cargo.toml"), change: Change::Stale });
        for rel in files::files_under(&root.join(&dir).join("src"))? {
            found.push(Difference { path: dir.join("src").join(rel), change: Change::Stale });
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

/// The generated crates in `modules/` (their manifest starts with the
/// generated header) whose solution is gone, relative to the root.
fn orphans(root: &Path, stubs: &[Stub]) -> Result<Vec<PathBuf>> {
    let modules = root.join(MODULES);
    let Ok(entries) = std::fs::read_dir(&modules) else { return Ok(Vec::new()) };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list {}", modules.display()))?;
        let dir = Path::new(MODULES).join(entry.file_name());
        let manifest = std::fs::read_to_string(root.join(&dir).join("Cargo.toml")).unwrap_or_default();
        if manifest.starts_with(GENERATED_HEADER) && !stubs.iter().any(|s| s.dir == dir) {
            found.push(dir);
        }
    }
    found.sort();
    Ok(found)
}

/// Brings the files under `root` in line with `stubs`: writes what is
/// missing or out of date, deletes what is stale. Files already up to date
/// are not touched. Returns what it changed.
pub fn write(root: &Path, stubs: &[Stub]) -> Result<Vec<Difference>> {
    let changes = differences(root, stubs)?;
    back_up(root, &changes, &root.join(BACKUPS).join(unix_seconds().to_string()))?;
    let generated: BTreeMap<&PathBuf, &Vec<u8>> = stubs.iter().flat_map(|s| &s.files).collect();
    for change in &changes {
        let full = root.join(&change.path);
        match generated.get(&change.path) {
            Some(contents) => files::write(&full, contents)?,
            None => std::fs::remove_file(&full).with_context(|| format!("cannot delete {}", full.display()))?,
        }
    }
    for stub in stubs {
        files::remove_empty_dirs(&root.join(stub.src()))?;
    }
    let modules = root.join(MODULES);
    files::remove_empty_dirs(&modules)?;
    Ok(changes)
}

/// Where [`write`] keeps the files it replaces or deletes (git ignores `target/`).
pub const BACKUPS: &str = "target/stub-backups";

/// Copies every existing file that `changes` would replace or delete to
/// `dir`, keeping its path, so a hand edit made in `modules/` is never lost.
pub fn back_up(root: &Path, changes: &[Difference], dir: &Path) -> Result<()> {
    for change in changes.iter().filter(|c| c.change != Change::Missing) {
        let old = files::read(&root.join(&change.path))?;
        files::write(&dir.join(&change.path), &old)?;
    }
    Ok(())
}

fn unix_seconds() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// `text` with each whole-word occurrence of a solution's crate name
/// replaced by its topic's.
fn rename_idents(text: &str, idents: &[(String, String)]) -> String {
    idents.iter().fold(text.to_string(), |text, (from, to)| replace_ident(&text, from, to))
}

fn replace_ident(text: &str, from: &str, to: &str) -> String {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (at, _) in text.match_indices(from) {
        let before = text[..at].chars().next_back();
        let after = text[at + from.len()..].chars().next();
        if at >= copied && !before.is_some_and(is_ident) && !after.is_some_and(is_ident) {
            out.push_str(&text[copied..at]);
            out.push_str(to);
            copied = at + from.len();
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// `lib` with [`ALLOW_UNFINISHED`] inserted after its leading `//!` block.
fn allow_unfinished(lib: &str) -> String {
    let doc_len: usize =
        lib.split_inclusive('\n').take_while(|l| l.trim_start().starts_with("//!")).map(str::len).sum();
    let (doc, rest) = lib.split_at(doc_len);
    if doc.is_empty() {
        format!("{ALLOW_UNFINISHED}\n{rest}")
    } else {
        let newline = if doc.ends_with('\n') { "" } else { "\n" };
        format!("{doc}{newline}\n{ALLOW_UNFINISHED}{rest}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names_are_replaced_as_whole_words_only() {
        let idents = [("tensor_solution".to_string(), "tensor".to_string())];
        assert_eq!(
            rename_idents("use tensor_solution::view; my_tensor_solution tensor_solutions tensor_solution", &idents),
            "use tensor::view; my_tensor_solution tensor_solutions tensor"
        );
    }

    #[test]
    fn the_allow_goes_after_the_crate_docs() {
        assert_eq!(
            allow_unfinished("//! Docs.\n//! More.\n\nmod a;\n"),
            format!("//! Docs.\n//! More.\n\n{ALLOW_UNFINISHED}\nmod a;\n")
        );
        assert_eq!(allow_unfinished("mod a;\n"), format!("{ALLOW_UNFINISHED}\nmod a;\n"));
    }
}
