//! The questions the handout asks git.

use std::ffi::OsStr;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{Context, Result, anyhow, bail};

/// Every file git tracks under `root` (`git ls-files --cached`: in the
/// index, whether or not it is still in the working tree), relative to
/// `root`, sorted, each once.
pub fn tracked_files(root: &Path) -> Result<Vec<PathBuf>> {
    ls_files(root, &["--cached"])
}

/// Every file under `root` that git does not track and does not ignore
/// (`git ls-files --others --exclude-standard`), relative to `root`, sorted.
pub fn untracked_files(root: &Path) -> Result<Vec<PathBuf>> {
    ls_files(root, &["--others", "--exclude-standard"])
}

fn ls_files(root: &Path, options: &[&str]) -> Result<Vec<PathBuf>> {
    let output = git(root, ["ls-files", "-z"].iter().chain(options))?;
    if !output.status.success() {
        bail!("`git ls-files` failed in {}: {}", root.display(), String::from_utf8_lossy(&output.stderr).trim());
    }
    let mut paths = Vec::new();
    for raw in output.stdout.split(|&b| b == 0).filter(|p| !p.is_empty()) {
        let path = std::str::from_utf8(raw)
            .with_context(|| format!("git lists a path that is not UTF-8: {}", String::from_utf8_lossy(raw)))?;
        paths.push(PathBuf::from(path));
    }
    paths.sort();
    // A file with a merge conflict is listed once per stage.
    paths.dedup();
    Ok(paths)
}

/// Whether git ignores `path` (which need not exist) in the repository at `root`.
pub fn is_ignored(root: &Path, path: &Path) -> Result<bool> {
    let output = git(root, [OsStr::new("check-ignore"), OsStr::new("-q"), OsStr::new("--"), path.as_os_str()])?;
    match output.status.code() {
        Some(0) => Ok(true),
        Some(1) => Ok(false),
        _ => bail!("`git check-ignore {}` failed: {}", path.display(), String::from_utf8_lossy(&output.stderr).trim()),
    }
}

fn git<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(root: &Path, args: I) -> Result<Output> {
    Command::new("git").arg("-C").arg(root).args(args).output().map_err(|e| {
        if e.kind() == ErrorKind::NotFound {
            anyhow!("git is not installed or not on PATH: the handout is the list of files git tracks")
        } else {
            anyhow!("cannot run git in {}: {e}", root.display())
        }
    })
}
