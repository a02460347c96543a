//! A refusal of bad shapes, as a function under test reported it.

use std::fmt;

/// What a function under test returned instead of a result: the judge's
/// copy of the course's `ShapeError`, read from a runner's reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError {
    /// The function that refused, as it named itself.
    pub function: String,
    /// What it needed.
    pub expected: String,
    /// What it was given.
    pub given: String,
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: expected {}, given {}", self.function, self.expected, self.given)
    }
}

impl std::error::Error for ShapeError {}
