//! Golden files: reference inputs and outputs computed by an established
//! library (numpy for the tensor module) with the scripts kept beside them
//! in `grader/golden/`. They are compiled into the grader.

use serde::de::DeserializeOwned;

/// `grader/golden/tensor.json`, written by `grader/golden/tensor.py`.
pub const TENSOR: (&str, &str) = ("grader/golden/tensor.json", include_str!("../golden/tensor.json"));

/// Parses a golden file.
///
/// **Panics** when the file does not match `T`: a defect of the grader,
/// which the grader's own tests catch, reported as a failed check.
pub fn parse<T: DeserializeOwned>((path, text): (&str, &str)) -> T {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("golden file {path} does not parse: {e}"))
}
