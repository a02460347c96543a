//! File-system helpers whose errors name the path.

use std::fs;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The contents of `path`.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// The contents of `path`, which must be UTF-8 text.
pub fn read_text(path: &Path) -> Result<String> {
    String::from_utf8(read(path)?).with_context(|| format!("{} is not UTF-8 text", path.display()))
}

/// Writes `contents` to `path`, creating its parent directories.
pub fn write(path: &Path, contents: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    fs::write(path, contents).with_context(|| format!("cannot write {}", path.display()))
}

/// Every file under `dir`, as paths relative to `dir`, sorted. Symbolic
/// links count as files. An absent `dir` has no files.
pub fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if dir.exists() {
        collect(dir, Path::new(""), &mut files)?;
    }
    files.sort();
    Ok(files)
}

fn collect(base: &Path, rel: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let dir = base.join(rel);
    let entries = fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
        let kind = entry.file_type().with_context(|| format!("cannot inspect {}", entry.path().display()))?;
        let path = rel.join(entry.file_name());
        if kind.is_dir() {
            collect(base, &path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

/// Removes the empty directories under `dir` (not `dir` itself).
pub fn remove_empty_dirs(dir: &Path) -> Result<()> {
    let Ok(entries) = fs::read_dir(dir) else { return Ok(()) };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            remove_empty_dirs(&path)?;
            if fs::read_dir(&path).is_ok_and(|mut d| d.next().is_none()) {
                fs::remove_dir(&path).with_context(|| format!("cannot remove {}", path.display()))?;
            }
        }
    }
    Ok(())
}

/// `rel` if it is a plain relative path that stays inside the directory it
/// is joined to: no root, no prefix, no `..`.
pub fn contained(rel: &Path) -> Result<&Path> {
    let plain = rel.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !plain || rel.as_os_str().is_empty() {
        bail!("refusing the path {:?}: it is not a plain relative path", rel);
    }
    Ok(rel)
}

/// `path` with `/` separators, for messages and for matching prefixes.
pub fn slash(path: &Path) -> String {
    path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}
