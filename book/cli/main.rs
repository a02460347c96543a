//! `cargo book`: builds the course notes into HTML pages with
//! [`book::site::build`] (no `mdbook` program needed), prints the
//! `file://` URL of their first page, and opens it in the default browser
//! (`--open`) or rebuilds on every change to the book's sources (`--watch`).
//!
//! Exit status: 0 when the book built (and opened, with `--open`), 1 when
//! it did not, 2 for bad arguments.

mod url;
mod watch;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

use book::site;

/// Build the course notes into HTML pages that read offline.
#[derive(Parser)]
#[command(name = "cargo book", bin_name = "cargo book", version)]
struct Args {
    /// The folder to write the pages to [default: target/book in the workspace]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Open the first page in the default browser (or $BROWSER) once built
    #[arg(long)]
    open: bool,
    /// Rebuild whenever a file under book/src or book/theme, or book/book.toml, changes (stop with Ctrl-C)
    #[arg(long)]
    watch: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    // mdbook's and KaTeX's warnings (a formula that does not parse) go to
    // stderr; RUST_LOG=info shows more.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .with_env_filter(EnvFilter::builder().with_default_directive(LevelFilter::WARN.into()).from_env_lossy())
        .init();
    let out = match args.out {
        None => site::default_out(),
        Some(dir) => match std::path::absolute(&dir) {
            Ok(out) => out,
            Err(e) => {
                eprintln!("book: cannot make {} an absolute path: {e}", dir.display());
                return ExitCode::FAILURE;
            }
        },
    };
    let built = build("built", &out);
    let mut opened = !args.open;
    if let Some(index) = built.as_deref().filter(|_| args.open) {
        opened = open(index);
    }
    if !args.watch {
        return if built.is_some() && opened { ExitCode::SUCCESS } else { ExitCode::FAILURE };
    }
    let outcome = watch::run(&out, || {
        let index = build("rebuilt", &out);
        if let Some(index) = index.as_deref().filter(|_| !opened) {
            opened = open(index);
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("book: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the book into `out` and prints one line: `<verb> in 0.84 s:`
/// and the URL of its index page, or why it did not build. Returns the
/// index page's path when it built.
fn build(verb: &str, out: &Path) -> Option<PathBuf> {
    let started = Instant::now();
    let built = site::build(out);
    let seconds = started.elapsed().as_secs_f64();
    let clock = watch::clock(std::time::SystemTime::now());
    match built {
        Ok(index) => {
            println!("{clock} {verb} in {seconds:.2} s: {}", url::file_url(&index));
            Some(index)
        }
        Err(e) => {
            eprintln!("{clock} book: {e}");
            None
        }
    }
}

/// Opens `index` in the default browser; on failure says why and returns false.
fn open(index: &Path) -> bool {
    match opener::open_browser(index) {
        Ok(()) => true,
        Err(e) => {
            eprintln!("book: cannot open {} in a browser ({e}); open the URL above by hand", index.display());
            false
        }
    }
}
