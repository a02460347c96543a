//! The hard reductions: max, its gradient, and argmax.

use ndarray::{Array, ArrayD, ArrayViewD, Axis, Zip};

/// The maximum of every slice along `axis` (not empty), kept as an axis of size 1.
pub fn max_along(x: ArrayViewD<f64>, axis: Axis) -> ArrayD<f64> {
    todo!("fold every lane along the axis with f64::max, then insert the reduced axis back with size 1")
}

/// `grad_out` (size 1 along `axis`) sent to the maximum of every slice.
pub fn max_backward_along(x: ArrayViewD<f64>, axis: Axis, grad_out: ArrayViewD<f64>) -> ArrayD<f64> {
    todo!("the one-hot argmax of x times grad_out, which broadcasts along the reduced axis")
}

/// 1 at the maximum of every slice along `axis` (the first one on a tie), 0 elsewhere.
pub fn argmax_along(x: ArrayViewD<f64>, axis: Axis) -> ArrayD<f64> {
    todo!("start from zeros; in every lane along the axis find the index of the first maximum and set it to 1")
}
