//! Builds the notes into a folder of HTML pages, as `mdbook build` would,
//! with the mdbook-driver library: the one build behind `cargo book` and
//! the book's tests, so readers need to install nothing.
//!
//! The `[preprocessor.katex]` table of book.toml would make mdbook run the
//! `mdbook-katex` program; [`build`] puts the mdbook-katex library's
//! `KatexProcessor` in its place, which reads its options from the same
//! table. No program is run, so no version of one can mismatch.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use mdbook_driver::MDBook;
use mdbook_katex::preprocess::KatexProcessor;

/// The file that marks a folder as one [`build`] wrote. mdbook empties the
/// folder it writes to, so [`build`] refuses a folder that holds anything
/// but an earlier build: `--out .` must not wipe a checkout.
pub const MARKER: &str = ".gradlings-book";

/// The book's directory, which holds book.toml.
pub fn dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The workspace's root: the parent of the book's directory.
pub fn workspace() -> &'static Path {
    dir().parent().unwrap_or(dir())
}

/// Where `cargo book` writes the site unless told otherwise:
/// `target/book` under the workspace's root.
pub fn default_out() -> PathBuf {
    workspace().join("target").join("book")
}

/// What went wrong in [`build`].
#[derive(Debug)]
pub enum Error {
    /// `out` holds files that no earlier build wrote.
    NotABuild { out: PathBuf },
    /// A file system call on `path` failed.
    Io { action: &'static str, path: PathBuf, source: io::Error },
    /// mdbook could not read book.toml or SUMMARY.md; its causes, outermost first.
    Load(String),
    /// A preprocessor or the HTML renderer failed; its causes, outermost first.
    Build(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotABuild { out } => write!(
                f,
                "refusing to build into {}: building empties the folder, and it holds files but no {MARKER} \
                 from an earlier build; choose a new or empty folder",
                out.display()
            ),
            Error::Io { action, path, source } => write!(f, "cannot {action} {}: {source}", path.display()),
            Error::Load(cause) => write!(f, "cannot load the book from {}: {cause}", dir().display()),
            Error::Build(cause) => write!(f, "the book does not build: {cause}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Builds the book into `out` (created if missing, emptied first) and
/// returns the path of its `index.html`.
///
/// **Errors** when `out` holds files that are not an earlier build
/// ([`Error::NotABuild`]), cannot be created, or when the book does not
/// load or build; a formula KaTeX cannot parse is logged as a warning and
/// left as TeX, as `mdbook build` does.
pub fn build(out: &Path) -> Result<PathBuf, Error> {
    check_out(out)?;
    let mut book = MDBook::load(dir()).map_err(|e| Error::Load(format!("{e:#}")))?;
    book.config.build.build_dir = out.to_path_buf();
    // Same name as the `[preprocessor.katex]` table: replaces the
    // command-line preprocessor in place, keeping its order after `links`.
    book.with_preprocessor(KatexProcessor);
    let built = book.build().map_err(|e| Error::Build(format!("{e:#}")));
    // Marked even when rendering failed halfway: the folder is still ours.
    let marker = out.join(MARKER);
    let marked = if out.is_dir() {
        fs::write(&marker, "Written by the book's build (`cargo book`), which empties this folder.\n")
            .map_err(|source| Error::Io { action: "write", path: marker, source })
    } else {
        Ok(())
    };
    built?;
    marked?;
    Ok(out.join("index.html"))
}

/// Whether `out` may be emptied: it is missing, empty, or an earlier build.
fn check_out(out: &Path) -> Result<(), Error> {
    let mut entries = match fs::read_dir(out) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(Error::Io { action: "list", path: out.to_path_buf(), source }),
    };
    if entries.next().is_none() || out.join(MARKER).is_file() {
        Ok(())
    } else {
        Err(Error::NotABuild { out: out.to_path_buf() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder in the system's temporary folder, named for the test.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("gradlings-site-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_folder_with_foreign_files_is_refused_and_kept() {
        let out = scratch("foreign");
        fs::write(out.join("notes.txt"), "mine").unwrap();
        let error = build(&out).unwrap_err();
        assert!(matches!(error, Error::NotABuild { .. }), "{error}");
        assert!(error.to_string().contains("refusing to build into"), "{error}");
        assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
        fs::remove_dir_all(&out).unwrap();
    }

    #[test]
    fn missing_empty_and_marked_folders_may_be_emptied() {
        let out = scratch("allowed");
        assert!(check_out(&out.join("new")).is_ok());
        assert!(check_out(&out).is_ok());
        fs::write(out.join("index.html"), "").unwrap();
        assert!(check_out(&out).is_err());
        fs::write(out.join(MARKER), "").unwrap();
        assert!(check_out(&out).is_ok());
        fs::remove_dir_all(&out).unwrap();
    }

    #[test]
    fn the_default_folder_is_target_book_in_the_workspace() {
        assert!(workspace().join("Cargo.toml").is_file());
        assert!(default_out().ends_with("target/book"));
        assert!(dir().join("book.toml").is_file());
    }
}
