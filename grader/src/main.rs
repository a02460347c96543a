//! `cargo grade`: grades the exercises in `modules/`.

fn main() -> std::process::ExitCode {
    grader::cli::main(grader::implementation!(tensor: tensor), "cargo grade", "modules/")
}
