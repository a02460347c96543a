//! `cargo train-solutions mnist` and `cargo train-solutions sequence`: the
//! capstones on the reference solutions.

use std::process::ExitCode;

fn main() -> ExitCode {
    train::app::main(training::reference(), train::app::Gate::Trusted)
}
