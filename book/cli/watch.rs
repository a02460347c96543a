//! `--watch`: calls a rebuild whenever the book's sources change: a file
//! under `book/src` or `book/theme`, or `book/book.toml`. Changes are
//! gathered for a moment first, so that saving several files rebuilds once.
//!
//! Only creating, changing and removing files count: inotify also reports
//! files being opened and read, which every build does.

use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use notify_debouncer_full::notify::{self, EventKind, RecursiveMode};
use notify_debouncer_full::{DebouncedEvent, new_debouncer};

use book::site;

/// How long changes are gathered before one rebuild.
const SETTLE: Duration = Duration::from_millis(300);

/// Watches the book's sources and calls `rebuild` after each change, until
/// the process is stopped. Changes inside `out` (where the site is
/// written) and editors' scratch files are ignored.
///
/// **Errors** when a folder cannot be watched; a failed rebuild is the
/// caller's to report, and watching goes on.
pub fn run(out: &Path, mut rebuild: impl FnMut()) -> Result<(), notify::Error> {
    let (sender, changes) = mpsc::channel();
    let mut debouncer = new_debouncer(SETTLE, None, sender)?;
    let book = site::dir();
    for (path, mode) in [
        (book.join("src"), RecursiveMode::Recursive),
        (book.join("theme"), RecursiveMode::Recursive),
        // The folder, not the file: an editor that saves by renaming a new
        // file over book.toml would end a watch on the file itself.
        (book.to_path_buf(), RecursiveMode::NonRecursive),
    ] {
        debouncer.watch(&path, mode).map_err(|e| e.add_path(path))?;
    }
    eprintln!("watching {} for changes (Ctrl-C stops)", book.display());
    for batch in changes {
        match batch {
            Ok(events) if events.iter().any(|event| changes_a_source(event, book, out)) => rebuild(),
            Ok(_) => {}
            Err(errors) => {
                for e in errors {
                    eprintln!("book: watching failed for a moment: {e}");
                }
            }
        }
    }
    Ok(())
}

/// Whether `event` created, changed or removed one of the book's sources
/// in the directory `book`.
fn changes_a_source(event: &DebouncedEvent, book: &Path, out: &Path) -> bool {
    let changes =
        matches!(event.kind, EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any);
    changes && event.paths.iter().any(|path| is_source(path, book, out))
}

/// Whether `path` is one of the book's sources: a file under `src/` or
/// `theme/`, or `book.toml`, that is not an editor's scratch file nor
/// inside `out`.
fn is_source(path: &Path, book: &Path, out: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else { return false };
    let scratch = name.starts_with('.') || name.starts_with('#') || name.ends_with('~') || name.ends_with(".swp");
    let in_book_folder = path.parent() == Some(book);
    !scratch && !path.starts_with(out) && (!in_book_folder || name == "book.toml")
}

/// The time of day of `now` in UTC, as `18:42:03 UTC`.
pub fn clock(now: SystemTime) -> String {
    let seconds = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) % 86_400;
    format!("{:02}:{:02}:{:02} UTC", seconds / 3600, seconds / 60 % 60, seconds % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind};
    use std::time::Instant;

    fn event(kind: EventKind, path: &str) -> DebouncedEvent {
        DebouncedEvent::new(notify::Event::new(kind).add_path(path.into()), Instant::now())
    }

    const BOOK: &str = "/w/book";
    const OUT: &str = "/w/target/book";

    #[test]
    fn sources_rebuild_and_the_rest_does_not() {
        let (book, out) = (Path::new(BOOK), Path::new(OUT));
        for source in ["/w/book/book.toml", "/w/book/src/conv1d.md", "/w/book/theme/head.hbs", "/w/book/src/a/b.svg"] {
            assert!(is_source(Path::new(source), book, out), "{source}");
        }
        for other in [
            "/w/book/Cargo.toml",
            "/w/book/site.rs",
            "/w/book/src/.conv1d.md.swp",
            "/w/book/src/conv1d.md~",
            "/w/book/src/#conv1d.md#",
            "/w/target/book/index.html",
        ] {
            assert!(!is_source(Path::new(other), book, out), "{other}");
        }
    }

    #[test]
    fn reading_a_source_does_not_rebuild() {
        let (book, out) = (Path::new(BOOK), Path::new(OUT));
        let chapter = "/w/book/src/conv1d.md";
        assert!(!changes_a_source(&event(EventKind::Access(AccessKind::Open(AccessMode::Any)), chapter), book, out));
        assert!(!changes_a_source(&event(EventKind::Access(AccessKind::Close(AccessMode::Read)), chapter), book, out));
        assert!(changes_a_source(&event(EventKind::Modify(ModifyKind::Any), chapter), book, out));
        assert!(changes_a_source(&event(EventKind::Create(CreateKind::File), chapter), book, out));
    }

    #[test]
    fn an_output_folder_inside_the_sources_is_ignored() {
        let (book, out) = (Path::new(BOOK), Path::new("/w/book/src/site"));
        assert!(!is_source(Path::new("/w/book/src/site/index.html"), book, out));
        assert!(is_source(Path::new("/w/book/src/index.md"), book, out));
    }

    #[test]
    fn the_clock_reads_hours_minutes_and_seconds() {
        let time = UNIX_EPOCH + Duration::from_secs(3 * 86_400 + 18 * 3600 + 42 * 60 + 3);
        assert_eq!(clock(time), "18:42:03 UTC");
        assert_eq!(clock(UNIX_EPOCH), "00:00:00 UTC");
    }
}
