//! Instructor-only binaries and tests of the grader.
//!
//! - `grade-solutions` (`cargo grade-solutions`): the grader with the
//!   reference crates in `solutions/` behind its runners; it must give
//!   full marks.
//! - `grade-stubs`: the same with the generated stubs of `modules/`; it
//!   must give zero.
//! - `grade-faults`: the solutions with some functions replaced by ones
//!   that loop, abort, overflow the stack, panic or print, to test that
//!   every task is isolated and reported.
//!
//! Each binary is both the judge and, started again as `BIN --serve
//! MODULE`, the runner of one module: the judge process never calls the
//! functions it links. The tests also hold a zoo of realistic wrong
//! implementations, each of which must lose points in the task it gets
//! wrong; they call the functions in-process through [`InProcess`].

use std::process::ExitCode;

use bindings::{Module, Tables};
use grader::link::{Link, LinkError, Transport};
use grader::{Implementation, Task, TaskReport};
use wire::{Call, Reply};

/// The reference implementation of every module.
pub fn solutions() -> Tables {
    bindings::tables!(
        tensor: tensor_solution,
        conv1d: conv1d_solution,
        conv2d: conv2d_solution,
        pooling: pooling_solution,
        activations: activations_solution,
        softmax: softmax_solution,
        attention: attention_solution,
        network: network_solution
    )
}

/// The generated stubs, as students receive them.
pub fn stubs() -> Tables {
    bindings::tables!(
        tensor: tensor,
        conv1d: conv1d,
        conv2d: conv2d,
        pooling: pooling,
        activations: activations,
        softmax: softmax,
        attention: attention,
        network: network
    )
}

/// The `main` of a grading binary: the runner of one module of `tables`
/// when started as `BIN --serve MODULE`, else the judge, which starts this
/// same program as its runners.
pub fn main(tables: Tables, command: &str, target: &str) -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, module] = &args[..]
        && flag == "--serve"
    {
        match tables.module(module) {
            Some(module) => bindings::serve(module),
            None => {
                eprintln!("{command}: no module {module}");
                return ExitCode::from(2);
            }
        }
    }
    match std::env::current_exe() {
        Ok(exe) => grader::cli::main(grader::cli::Runners::Program(exe), command, target),
        Err(e) => {
            eprintln!("{command}: cannot find its own program: {e}");
            ExitCode::from(2)
        }
    }
}

/// Calls a module's functions in this process: for tests that grade
/// thousands of variants, where starting processes would dominate.
pub struct InProcess(pub Module);

impl Transport for InProcess {
    fn call(&mut self, call: Call) -> Result<Reply, LinkError> {
        Ok(bindings::evaluate(&self.0, &call))
    }
}

/// Routes panics to both the judge's record and the runner side's, as a
/// process that is both needs. Call once before [`grade_here`].
pub fn capture_panics() {
    std::panic::set_hook(Box::new(|info| {
        bindings::dispatch::note_panic(info);
        grader::check::note_panic(info);
    }));
}

/// Grades `task` on `tables`, in this process.
pub fn grade_here(task: &Task, tables: &Tables, seed: u64) -> TaskReport {
    let module = tables.module(task.module).expect("every task's module has a table");
    let link = Link::new(InProcess(module));
    grader::runner::grade_with(task, &Implementation::remote(&link), Some(&link), seed)
}
