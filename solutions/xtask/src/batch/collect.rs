//! Finding the submissions in a folder: a student's handout folder, a git
//! clone of one, or a `.zip`, `.tar.gz` or `.tgz` of either. Archives are
//! unpacked, but only what grading reads (`modules/<topic>/src/`, and each
//! module's `Cargo.toml` and `build.rs` to note changes), with limits on
//! sizes and paths, so that a hostile archive can neither fill the disk nor
//! write outside its folder.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::TOPICS;
use crate::files;

/// The largest file taken from an archive.
const MAX_FILE: u64 = 4 << 20;
/// The most taken from one archive in all.
const MAX_TOTAL: u64 = 64 << 20;

/// One submission as found in the submissions folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// Its name in every output: the folder's name, or the archive's
    /// without its extension.
    pub name: String,
    /// The folder or archive.
    pub path: PathBuf,
}

/// The submissions in `dir`, by name; files that are not archives are
/// skipped with a note on stderr. Two submissions may not share a name.
pub fn submissions(dir: &Path) -> Result<Vec<Submission>> {
    let mut found: Vec<Submission> = Vec::new();
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list the submissions in {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list the submissions in {}", dir.display()))?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if file_name.starts_with('.') {
            continue;
        }
        let name = if entry.path().is_dir() {
            file_name.clone()
        } else if let Some(stem) = archive_stem(&file_name) {
            stem.to_string()
        } else {
            eprintln!("grade-batch: skipping {file_name}: not a folder, .zip, .tar.gz or .tgz");
            continue;
        };
        if let Some(other) = found.iter().find(|s| s.name == name) {
            bail!(
                "two submissions are named '{name}': {} and {}; rename one",
                other.path.display(),
                entry.path().display()
            );
        }
        found.push(Submission { name, path: entry.path() });
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

/// `name` without its archive extension, when it has one.
fn archive_stem(name: &str) -> Option<&str> {
    [".tar.gz", ".tgz", ".zip"].iter().find_map(|ext| name.strip_suffix(ext)).filter(|stem| !stem.is_empty())
}

/// The folder to grade `submission` from: the folder itself, or the
/// archive unpacked into `scratch` (emptied first). Either way, the
/// handout's root within it (the folder holding `modules/`, which an
/// archive often nests one level down).
pub fn unpack(submission: &Submission, scratch: &Path) -> Result<PathBuf> {
    let folder = if submission.path.is_dir() {
        submission.path.clone()
    } else {
        if scratch.exists() {
            std::fs::remove_dir_all(scratch).with_context(|| format!("cannot clear {}", scratch.display()))?;
        }
        std::fs::create_dir_all(scratch).with_context(|| format!("cannot create {}", scratch.display()))?;
        let name = submission.path.to_string_lossy();
        let file = std::fs::File::open(&submission.path)
            .with_context(|| format!("cannot open {}", submission.path.display()))?;
        let mut budget = MAX_TOTAL;
        if name.ends_with(".zip") { unzip(file, scratch, &mut budget) } else { untar(file, scratch, &mut budget) }
            .with_context(|| format!("cannot unpack {}", submission.path.display()))?;
        scratch.to_path_buf()
    };
    handout_root(&folder)
}

/// The folder holding `modules/`: `dir` or the one folder inside it.
fn handout_root(dir: &Path) -> Result<PathBuf> {
    if dir.join("modules").is_dir() {
        return Ok(dir.to_path_buf());
    }
    let inner: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && p.join("modules").is_dir())
        .collect();
    match inner.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!("no modules/ folder in it: is it a gradlings handout?"),
        _ => bail!("more than one folder in it holds a modules/ folder"),
    }
}

/// Where an archive entry at `path` goes under `into`, when grading reads
/// it: `[prefix/]modules/<topic>/src/...`, `.../Cargo.toml` or
/// `.../build.rs`. `None` for everything else.
fn wanted(path: &Path) -> Option<PathBuf> {
    let parts: Vec<&str> = path
        .components()
        .map(|c| match c {
            Component::Normal(part) => part.to_str(),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let at = parts.iter().position(|p| *p == "modules")?;
    // At most one folder above modules/.
    if at > 1 || parts.len() < at + 3 || !TOPICS.contains(&parts[at + 1]) {
        return None;
    }
    let rest = &parts[at + 2..];
    let keep = matches!(rest, ["Cargo.toml"] | ["build.rs"]) || (rest.len() >= 2 && rest[0] == "src");
    keep.then(|| parts.iter().collect())
}

/// Copies one archive entry of `size` bytes to `into/rel`, within the limits.
fn take(mut entry: impl Read, size: u64, into: &Path, rel: &Path, budget: &mut u64) -> Result<()> {
    if size > MAX_FILE {
        bail!("{} is {size} bytes: more than a source file should be", rel.display());
    }
    if size > *budget {
        bail!("it unpacks to more than {} MiB of module sources", MAX_TOTAL >> 20);
    }
    let mut contents = Vec::new();
    entry.by_ref().take(MAX_FILE + 1).read_to_end(&mut contents)?;
    if contents.len() as u64 > MAX_FILE {
        bail!("{} is larger than it claims", rel.display());
    }
    *budget -= contents.len() as u64;
    files::write(&into.join(files::contained(rel)?), &contents)
}

fn unzip(file: std::fs::File, into: &Path, budget: &mut u64) -> Result<()> {
    let mut archive = zip::ZipArchive::new(file).context("not a readable zip archive")?;
    for i in 0..archive.len() {
        let entry = archive.by_index(i)?;
        if !entry.is_file() {
            continue;
        }
        let Some(rel) = entry.enclosed_name().as_deref().and_then(wanted) else { continue };
        let size = entry.size();
        take(entry, size, into, &rel, budget)?;
    }
    Ok(())
}

fn untar(file: std::fs::File, into: &Path, budget: &mut u64) -> Result<()> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    for entry in archive.entries().context("not a readable .tar.gz archive")? {
        let entry = entry?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let Some(rel) = wanted(&entry.path()?) else { continue };
        let size = entry.header().size()?;
        take(entry, size, into, &rel, budget)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn only_module_sources_and_manifests_are_wanted() {
        let want = |p: &str| wanted(Path::new(p)).map(|p| files::slash(&p));
        assert_eq!(want("modules/tensor/src/lib.rs").as_deref(), Some("modules/tensor/src/lib.rs"));
        assert_eq!(want("h/modules/conv1d/src/a/b.rs").as_deref(), Some("h/modules/conv1d/src/a/b.rs"));
        assert_eq!(want("modules/tensor/Cargo.toml").as_deref(), Some("modules/tensor/Cargo.toml"));
        for unwanted in [
            "modules/support/src/lib.rs",
            "grader/src/main.rs",
            "a/b/modules/tensor/src/lib.rs",
            "modules/tensor/tests/x.rs",
            "modules/tensor/src",
            "../modules/tensor/src/lib.rs",
            "/modules/tensor/src/lib.rs",
        ] {
            assert_eq!(want(unwanted), None, "{unwanted}");
        }
    }

    #[test]
    fn archives_are_named_by_their_stem() {
        assert_eq!(archive_stem("ada.tar.gz"), Some("ada"));
        assert_eq!(archive_stem("bob.tgz"), Some("bob"));
        assert_eq!(archive_stem("cy.zip"), Some("cy"));
        assert_eq!(archive_stem("notes.txt"), None);
        assert_eq!(archive_stem(".zip"), None);
    }

    #[test]
    fn a_zip_unpacks_its_module_sources_from_a_nested_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ada.zip");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        let options = zip::write::SimpleFileOptions::default();
        for (name, text) in [
            ("handout/modules/tensor/src/lib.rs", "pub fn f() {}"),
            ("handout/modules/support/src/lib.rs", "compile_error!()"),
            ("handout/README.md", "hello"),
        ] {
            zip.start_file(name, options).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
        let found = submissions(dir.path()).unwrap();
        assert_eq!(found, vec![Submission { name: "ada".into(), path: path.clone() }]);
        let root = unpack(&found[0], &dir.path().join("scratch")).unwrap();
        assert_eq!(root, dir.path().join("scratch/handout"));
        assert_eq!(files::files_under(&root).unwrap(), vec![PathBuf::from("modules/tensor/src/lib.rs")]);
    }

    #[test]
    fn a_tarball_cannot_write_outside_its_folder_or_grow_without_bound() {
        let dir = tempfile::tempdir().unwrap();
        let build = |name: &str, entries: &[(&str, Vec<u8>)]| {
            let path = dir.path().join(name);
            let gz = flate2::write::GzEncoder::new(std::fs::File::create(&path).unwrap(), Default::default());
            let mut tar = tar::Builder::new(gz);
            for (entry, contents) in entries {
                let mut header = tar::Header::new_gnu();
                header.set_size(contents.len() as u64);
                header.set_mode(0o644);
                // Written raw: `append_data` itself refuses `..`.
                header.as_gnu_mut().unwrap().name[..entry.len()].copy_from_slice(entry.as_bytes());
                header.set_cksum();
                tar.append(&header, &contents[..]).unwrap();
            }
            tar.into_inner().unwrap().finish().unwrap();
            Submission { name: name.into(), path }
        };
        let escape = build(
            "escape.tar.gz",
            &[("../modules/tensor/src/lib.rs", b"x".to_vec()), ("modules/tensor/src/lib.rs", b"ok".to_vec())],
        );
        let root = unpack(&escape, &dir.path().join("a")).unwrap();
        assert_eq!(std::fs::read_to_string(root.join("modules/tensor/src/lib.rs")).unwrap(), "ok");
        assert!(!dir.path().join("modules").exists());
        let huge = build("huge.tgz", &[("modules/tensor/src/lib.rs", vec![b' '; (MAX_FILE + 1) as usize])]);
        let error = format!("{:#}", unpack(&huge, &dir.path().join("b")).unwrap_err());
        assert!(error.contains("more than a source file should be"), "{error}");
        let empty = build("empty.tgz", &[("README.md", b"hi".to_vec())]);
        let error = format!("{:#}", unpack(&empty, &dir.path().join("c")).unwrap_err());
        assert!(error.contains("no modules/ folder"), "{error}");
    }
}
