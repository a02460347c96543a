//! Numbers the grader and the students' `support` crate share.
//!
//! It lives beside the grader, outside `modules/`, because the grader
//! decides verdicts with it: a student's edits to `modules/` never change
//! how their results are compared. `support` re-exports all of it, so
//! students call it as `support::gradcheck`, `support::random` and
//! `support::fmt_shape`.
//!
//! - [`gradcheck`]: tolerances, element-wise comparison and central
//!   differences.
//! - [`random`]: seeded random arrays and noise.
//! - [`fmt_shape`]: how the course prints a shape, strides or an index.

pub mod gradcheck;
pub mod random;

/// Writes a shape (or strides, or an index) the way the course prints them:
/// `(4, 2)`, `(5,)` for one axis, `()` for none.
///
/// ```
/// assert_eq!(numeric::fmt_shape(&[4, 2]), "(4, 2)");
/// assert_eq!(numeric::fmt_shape(&[5]), "(5,)");
/// assert_eq!(numeric::fmt_shape(&[]), "()");
/// ```
pub fn fmt_shape(dims: &[usize]) -> String {
    match dims {
        [one] => format!("({one},)"),
        _ => {
            let parts: Vec<String> = dims.iter().map(usize::to_string).collect();
            format!("({})", parts.join(", "))
        }
    }
}
