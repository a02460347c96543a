//! `cargo grade`: grades the exercises in `modules/`, each module through a
//! runner built from its crate alone.

fn main() -> std::process::ExitCode {
    grader::cli::main(grader::cli::Runners::Build, "cargo grade", "modules/")
}
