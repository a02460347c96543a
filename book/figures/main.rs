//! Rewrites every generated figure of the book into `book/src/figures/`.
//!
//! Run it with `cargo run -p book --bin figures` after changing the drawing
//! code in `book/figures/`; `cargo test -p book --test figures` checks that
//! the SVG files are up to date.

use std::fs;
use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = book::figures::dir();
    for figure in book::figures::all() {
        let path = dir.join(figure.name);
        if fs::read_to_string(&path).is_ok_and(|old| old == figure.svg) {
            println!("unchanged {}", path.display());
            continue;
        }
        if let Err(e) = fs::write(&path, &figure.svg) {
            eprintln!("figures: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
        println!("wrote     {}", path.display());
    }
    ExitCode::SUCCESS
}
