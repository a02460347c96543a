//! The course's one error type.

use std::fmt;

/// A function was given shapes it cannot work with.
///
/// The message names the function, what it expected and what it was given,
/// for example `view: expected a contiguous tensor, given shape (2, 3) with
/// strides (1, 2)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError {
    /// The public function that refused its input, such as `"view"`.
    pub function: &'static str,
    /// What the function needed.
    pub expected: String,
    /// What it was given.
    pub given: String,
}

impl ShapeError {
    /// An error of `function`, which expected `expected` and was given `given`.
    pub fn new(function: &'static str, expected: impl Into<String>, given: impl Into<String>) -> Self {
        ShapeError { function, expected: expected.into(), given: given.into() }
    }
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: expected {}, given {}", self.function, self.expected, self.given)
    }
}

impl std::error::Error for ShapeError {}

/// Writes a shape (or strides, or an index) the way the course prints them:
/// `(4, 2)`, `(5,)` for one axis, `()` for none.
///
/// ```
/// assert_eq!(support::fmt_shape(&[4, 2]), "(4, 2)");
/// assert_eq!(support::fmt_shape(&[5]), "(5,)");
/// ```
pub use numeric::fmt_shape;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_function_expected_and_given() {
        let err = ShapeError::new("view", "8 elements", format!("shape {}", fmt_shape(&[3, 2])));
        assert_eq!(err.to_string(), "view: expected 8 elements, given shape (3, 2)");
    }
}
