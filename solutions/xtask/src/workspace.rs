//! The repository layout: where the workspace is, and which crates in
//! `solutions/` are reference solutions.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use toml_edit::DocumentMut;

use crate::files::{self, slash};

/// The folder of instructor-only crates.
pub const SOLUTIONS: &str = "solutions";
/// The folder of the crates students edit.
pub const MODULES: &str = "modules";
/// A reference solution's package name is its topic plus this suffix.
pub const SOLUTION_SUFFIX: &str = "-solution";

/// The workspace root: two levels above this crate's manifest.
pub fn root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.ancestors().nth(2).unwrap_or(manifest_dir).to_path_buf()
}

/// A crate in `solutions/`.
#[derive(Clone, Debug)]
pub struct InstructorCrate {
    /// The package name from its `Cargo.toml`.
    pub package: String,
    /// Its folder, relative to the root (`solutions/tensor`).
    pub dir: PathBuf,
    /// The text of its `Cargo.toml`.
    pub manifest: String,
}

impl InstructorCrate {
    /// The topic of a reference solution (`tensor` for `tensor-solution`);
    /// `None` for the other instructor crates (xtask, grading).
    pub fn topic(&self) -> Option<&str> {
        self.package.strip_suffix(SOLUTION_SUFFIX).filter(|t| !t.is_empty())
    }

    /// The name the crate is used by in Rust code (`tensor_solution`).
    pub fn lib_name(&self) -> String {
        self.package.replace('-', "_")
    }
}

/// Every crate in `solutions/` (a folder with a `Cargo.toml`), sorted by folder.
pub fn instructor_crates(root: &Path) -> Result<Vec<InstructorCrate>> {
    let dir = root.join(SOLUTIONS);
    let mut crates = Vec::new();
    if !dir.is_dir() {
        return Ok(crates);
    }
    let entries = std::fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))?;
    let mut dirs: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    for path in dirs {
        let manifest_path = path.join("Cargo.toml");
        if !manifest_path.is_file() {
            continue;
        }
        let manifest = files::read_text(&manifest_path)?;
        let package = package_name(&manifest).with_context(|| format!("in {}", manifest_path.display()))?;
        let dir = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        crates.push(InstructorCrate { package, dir, manifest });
    }
    Ok(crates)
}

/// The reference solutions among [`instructor_crates`].
pub fn solution_crates(root: &Path) -> Result<Vec<InstructorCrate>> {
    Ok(instructor_crates(root)?.into_iter().filter(|c| c.topic().is_some()).collect())
}

fn package_name(manifest: &str) -> Result<String> {
    let doc: DocumentMut = manifest.parse()?;
    doc.get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .map(str::to_string)
        .ok_or_else(|| anyhow!("no `package.name`"))
}

/// The Rust edition of `krate`: its own `package.edition`, the workspace's
/// when it inherits it, cargo's default (2015) when it has none.
pub fn edition(root: &Path, krate: &InstructorCrate) -> Result<String> {
    let own: DocumentMut = krate.manifest.parse()?;
    let Some(edition) = own.get("package").and_then(|p| p.get("edition")) else {
        return Ok("2015".to_string());
    };
    if let Some(edition) = edition.as_str() {
        return Ok(edition.to_string());
    }
    let manifest_path = root.join("Cargo.toml");
    let workspace: DocumentMut = files::read_text(&manifest_path)?
        .parse()
        .with_context(|| format!("{} is not valid TOML", manifest_path.display()))?;
    workspace
        .get("workspace")
        .and_then(|w| w.get("package"))
        .and_then(|p| p.get("edition"))
        .and_then(|e| e.as_str())
        .map(str::to_string)
        .ok_or_else(|| anyhow!("{}/Cargo.toml inherits an edition the workspace does not set", slash(&krate.dir)))
}
