//! Instructor-only binaries and tests of the grader.
//!
//! - `grade-solutions` (`cargo grade-solutions`): the grader bound to the
//!   reference crates in `solutions/`; it must give full marks.
//! - `grade-stubs`: the grader bound to `modules/`, exactly as students run
//!   it; on the generated stubs it must give zero.
//! - `grade-faults`: the grader bound to the solutions with some functions
//!   replaced by ones that loop, abort, overflow the stack, panic or print,
//!   to test that every task is isolated and reported.
//!
//! The tests also hold a zoo of realistic wrong implementations, each of
//! which must lose points in the task it gets wrong.

/// The reference implementation of every module.
pub fn solutions() -> grader::Implementation {
    grader::implementation!(
        tensor: tensor_solution,
        conv1d: conv1d_solution,
        conv2d: conv2d_solution,
        pooling: pooling_solution,
        activations: activations_solution,
        softmax: softmax_solution,
        attention: attention_solution
    )
}
