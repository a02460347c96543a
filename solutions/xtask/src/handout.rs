//! `cargo xtask handout --out DIR`: the student repository.
//!
//! The handout is every file git tracks, except the instructor-only folders
//! ([`INSTRUCTOR_ONLY`]), with these rewrites:
//!
//! - `Cargo.toml`: no `solutions/*` member, nor a workspace dependency on an
//!   instructor crate ([`rewrite::workspace_manifest`]);
//! - `.cargo/config.toml`: no alias that runs an instructor crate
//!   ([`rewrite::cargo_config`]);
//! - `Cargo.lock`: no instructor package, nor what only they use
//!   ([`lockfile::prune`], then settled by cargo, [`settle_lock`]);
//! - every Markdown file: no `<!-- BEGIN INSTRUCTOR -->` region
//!   ([`markdown::strip_instructor`]);
//! - `modules/*/Cargo.toml`: no "generated from solutions/" header line.
//!
//! A file git does not track is left out even when git does not ignore it
//! (an instructor's scratch folder, a file not yet added): [`Summary`]
//! lists them, and `cargo xtask handout` prints a note about them. A
//! tracked file deleted from the working tree is left out too.
//!
//! Everything is read and rewritten in memory first, so a refusal or an
//! error leaves nothing behind; then the files are written under DIR and
//! nowhere else. Last, `cargo update --workspace --offline` settles the
//! pruned `Cargo.lock` exactly as cargo would write it.

use std::collections::BTreeSet;
use std::fmt;
use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

use crate::files::{self, slash};
use crate::{git, lockfile, markdown, rewrite, stubs, workspace};

/// Top-level folders that never go to students.
pub const INSTRUCTOR_ONLY: [&str; 2] = [workspace::SOLUTIONS, ".ci"];

/// What [`export`] wrote.
#[derive(Clone, Debug)]
pub struct Summary {
    pub files: usize,
    pub out: PathBuf,
    /// The files outside [`INSTRUCTOR_ONLY`] that git neither tracks nor
    /// ignores, relative to the root, sorted: not in the handout.
    pub left_out: Vec<PathBuf>,
    /// Why `Cargo.lock` could not be settled, if it could not.
    pub lock_warning: Option<String>,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "wrote the student handout to {} ({} files; no {})",
            self.out.display(),
            self.files,
            INSTRUCTOR_ONLY.map(|d| format!("{d}/")).join(", ")
        )?;
        if let Some(warning) = &self.lock_warning {
            write!(f, "\nwarning: {warning}")?;
        }
        Ok(())
    }
}

impl Summary {
    /// How many paths [`Summary::left_out_note`] names.
    pub const NOTE_PATHS: usize = 5;

    /// A short note on [`Summary::left_out`] (how many, the first few), if
    /// any file was left out.
    pub fn left_out_note(&self) -> Option<String> {
        if self.left_out.is_empty() {
            return None;
        }
        let mut note = format!(
            "note: left out {} file(s) that git neither tracks nor ignores (`git add` what belongs in the handout):",
            self.left_out.len()
        );
        for path in self.left_out.iter().take(Self::NOTE_PATHS) {
            note += &format!("\n  {}", slash(path));
        }
        if let Some(more) = self.left_out.len().checked_sub(Self::NOTE_PATHS).filter(|&n| n > 0) {
            note += &format!("\n  ... and {more} more");
        }
        Some(note)
    }
}

/// The handout files of the repository at `root`: paths relative to the
/// root, and their contents.
///
/// **Errors** when git cannot list the files, when the stubs in `modules/`
/// are not what `cargo xtask stubs` would write, or when a rewrite fails
/// (naming the file).
pub fn contents(root: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let differences = stubs::differences(root, &stubs::generate(root)?)?;
    if !differences.is_empty() {
        let list: Vec<String> = differences.iter().map(|d| format!("  {d}")).collect();
        bail!(
            "the stubs in modules/ are not generated from the current solutions:\n{}\nrun `cargo xtask stubs` first",
            list.join("\n")
        );
    }
    let instructor: BTreeSet<String> = workspace::instructor_crates(root)?.into_iter().map(|c| c.package).collect();
    let mut out = Vec::new();
    for rel in git::tracked_files(root)? {
        if is_instructor_only(&rel) {
            continue;
        }
        let path = root.join(&rel);
        let contents = match std::fs::read(&path) {
            Ok(contents) => contents,
            // Tracked but deleted in the working tree: not part of the handout.
            Err(e) if e.kind() == ErrorKind::NotFound => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let contents = rewrite_file(&rel, contents, &instructor).with_context(|| slash(&rel))?;
        out.push((rel, contents));
    }
    Ok(out)
}

/// The files [`contents`] leaves out although git does not ignore them: the
/// untracked ones outside [`INSTRUCTOR_ONLY`].
///
/// **Errors** when git cannot list them.
pub fn left_out(root: &Path) -> Result<Vec<PathBuf>> {
    Ok(git::untracked_files(root)?.into_iter().filter(|rel| !is_instructor_only(rel)).collect())
}

/// Writes the handout of the repository at `root` into `out`, which must be
/// absent or an empty directory outside the repository's tracked files.
///
/// **Errors** as [`contents`], and when `out` is refused or cannot be written;
/// a refusal writes nothing.
pub fn export(root: &Path, out: &Path) -> Result<Summary> {
    check_destination(root, out)?;
    let handout = contents(root)?;
    let left_out = left_out(root)?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    for (rel, contents) in &handout {
        let dest = out.join(files::contained(rel)?);
        files::write(&dest, contents)?;
        if let Ok(metadata) = std::fs::metadata(root.join(rel)) {
            // Keeps scripts executable.
            std::fs::set_permissions(&dest, metadata.permissions())
                .with_context(|| format!("cannot set the permissions of {}", dest.display()))?;
        }
    }
    let lock_warning = settle_lock(out)
        .err()
        .map(|e| format!("{e:#}; Cargo.lock is pruned but not settled: the first build may trim it"));
    Ok(Summary { files: handout.len(), out: out.to_path_buf(), left_out, lock_warning })
}

/// Lets cargo finish the pruned `Cargo.lock` of the workspace at `out`, so
/// that the students' first build leaves it unchanged: which dependency edges a package has can depend
/// on features only an instructor crate enabled, which the lock alone does
/// not tell [`lockfile::prune`].
///
/// `cargo update --workspace --offline` resolves the handout's workspace
/// keeping every locked version, writes `out/Cargo.lock` and nothing else,
/// and reads only the registry index, no package: and every cargo command
/// that resolved the instructor's workspace (any build or test) has cached
/// the index entry of every package in its lock, those built only on other
/// platforms included, since resolution does not depend on the platform.
/// (`cargo metadata`, by contrast, downloads every package in the lock.)
///
/// **Errors** when cargo cannot be run or fails.
pub fn settle_lock(out: &Path) -> Result<()> {
    if !out.join("Cargo.lock").is_file() {
        return Ok(());
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = std::process::Command::new(&cargo)
        .args(["update", "--workspace", "--offline", "--manifest-path"])
        .arg(out.join("Cargo.toml"))
        // The handout's `.cargo/config.toml`, not the instructor's.
        .current_dir(out)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| anyhow!("cannot run {}: {e}", cargo.to_string_lossy()))?;
    if !output.status.success() {
        bail!(
            "`cargo update --workspace --offline` failed in the handout: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

fn is_instructor_only(rel: &Path) -> bool {
    match rel.components().next() {
        Some(Component::Normal(first)) => INSTRUCTOR_ONLY.iter().any(|d| first == *d),
        _ => false,
    }
}

fn rewrite_file(rel: &Path, contents: Vec<u8>, instructor: &BTreeSet<String>) -> Result<Vec<u8>> {
    let path = slash(rel);
    let text = || String::from_utf8(contents.clone()).map_err(|_| anyhow!("not UTF-8 text"));
    let is_stub_manifest = path.starts_with(&format!("{}/", workspace::MODULES)) && path.ends_with("/Cargo.toml");
    let rewritten = match path.as_str() {
        "Cargo.toml" => rewrite::workspace_manifest(&text()?, instructor)?,
        ".cargo/config.toml" => rewrite::cargo_config(&text()?, instructor)?,
        "Cargo.lock" => lockfile::prune(&text()?, instructor)?,
        _ if path.ends_with(".md") => {
            markdown::strip_instructor(&text()?).map_err(|e| anyhow!("{path}:{}: {}", e.line, e.message))?
        }
        _ if is_stub_manifest => rewrite::stub_manifest(&text()?)?,
        _ => return Ok(contents),
    };
    Ok(rewritten.into_bytes())
}

/// Refuses an `out` that exists and is not an empty directory, and one
/// inside the repository that git does not ignore (one `git add` away from
/// the next handout).
fn check_destination(root: &Path, out: &Path) -> Result<()> {
    match std::fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                bail!("{} exists and is not empty: give a new or empty directory", out.display());
            }
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) if out.exists() && !out.is_dir() => {
            return Err(e).with_context(|| format!("{} exists and is not a directory", out.display()));
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", out.display())),
    }
    let root = root.canonicalize().with_context(|| format!("cannot find {}", root.display()))?;
    let absolute = absolute(out)?;
    if let Ok(inside) = absolute.strip_prefix(&root)
        && (inside.as_os_str().is_empty() || !git::is_ignored(&root, inside)?)
    {
        bail!(
            "{} is inside the repository and not ignored by git: write the handout elsewhere \
             (such as ../gradlings-handout) so that it cannot end up in a later handout",
            out.display()
        );
    }
    Ok(())
}

/// `path` made absolute with symbolic links resolved as far as it exists.
fn absolute(path: &Path) -> Result<PathBuf> {
    let path = std::path::absolute(path).with_context(|| format!("cannot resolve {}", path.display()))?;
    let mut existing = path.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(canonical) = existing.canonicalize() {
            return Ok(rest.iter().rev().fold(canonical, |p, c| p.join(c)));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return Ok(path),
        }
    }
}
