//! Max pooling on the tiled windows of the pooling module.

use ndarray::{Array4, ArrayView4};

/// The maximum of every window of a valid input (the kernel divides its
/// height and width).
pub fn maxpool(x: ArrayView4<f64>, kernel: (usize, usize)) -> Array4<f64> {
    todo!("tile x into windows and take the max over the last axis")
}

/// Every window's `grad_out` sent to the position of the window's maximum.
pub fn maxpool_backward(x: ArrayView4<f64>, (kh, kw): (usize, usize), grad_out: ArrayView4<f64>) -> Array4<f64> {
    todo!(
        "tile x; for every window find the index k of its first maximum, which sits at row k / kw and column k % kw of the window"
    )
}
