//! Inputs at the edges, shared by the modules' checks: empty arrays and the
//! exact answers a function owes on them and on values near the ends of the
//! float range.

use ndarray::{ArrayD, IxDyn};
use numeric::fmt_shape;
use numeric::gradcheck::EXACT;

use crate::ShapeError;
use crate::check::{Outcome, agrees, same_dims};

/// An array of `shape` holding `values` in row-major order.
pub fn array(shape: &[usize], values: &[f64]) -> ArrayD<f64> {
    ArrayD::from_shape_vec(IxDyn(shape), values.to_vec()).expect("as many values as the shape holds")
}

/// Zeros of `shape` (an empty array when an axis is 0).
pub fn zeros(shape: &[usize]) -> ArrayD<f64> {
    ArrayD::zeros(IxDyn(shape))
}

/// `result` is an array equal to `expected` to the last bit (an empty one of
/// its shape when it has no elements); `call` names the call in messages.
pub fn exactly(call: &str, result: Result<ArrayD<f64>, ShapeError>, expected: &ArrayD<f64>) -> Outcome {
    let actual = result.map_err(|e| format!("{call} refused a valid input: {e}"))?;
    same_dims(|| format!("{call}: the shape"), expected.shape(), actual.shape())?;
    agrees(|| call.to_string(), &expected.view(), &actual, EXACT)
}

/// "an empty (0, 4)" for messages.
pub fn describe(x: &ArrayD<f64>) -> String {
    if x.is_empty() { format!("an empty {}", fmt_shape(x.shape())) } else { format!("{x}").replace('\n', "") }
}
