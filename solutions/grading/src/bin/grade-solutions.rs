//! `cargo grade-solutions`: grades the reference crates in `solutions/`.

fn main() -> std::process::ExitCode {
    grading::main(grading::solutions(), "cargo grade-solutions", "solutions/")
}
