//! The runner's side of grading: each exercise module's functions as a
//! table, and the loop that evaluates the calls the judge sends.
//!
//! A runner is a process bound to one module's crate (`grader/runners/`
//! for `modules/`, the instructor's binaries for `solutions/`). It serves
//! [`wire::Call`]s on a pipe and answers [`wire::Reply`]s; it knows nothing
//! of checks, points or verdicts, so nothing a student's code does to it
//! can change a grade except through the values it returns.
//!
//! - [`tables`]: one struct of function pointers per module, and the macros
//!   that fill one from a crate;
//! - [`dispatch`]: a call's arguments into views, tensors and numbers, and
//!   the results back into values;
//! - [`serve`]: the process's loop.

pub mod dispatch;
pub mod serve;
pub mod tables;

pub use dispatch::evaluate;
pub use serve::serve;
/// For the table macros, which run in crates that may not depend on it.
#[doc(hidden)]
pub use support;
pub use tables::{Module, Tables};
