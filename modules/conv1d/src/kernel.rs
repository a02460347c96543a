//! The two functions you write: the convolution and its backward.
//!
//! The inputs are valid and not empty (the public functions checked them,
//! and answered empty ones themselves) but may be in any layout: a permuted
//! or sliced view is as good as a fresh array.

use ndarray::{Array3, ArrayView3};

/// `out[b, o, t] = sum over c, k of w[o, c, k] * x[b, c, t + k]`, where
/// positions past the right edge of `x` read as zero.
///
/// `input` is `B x Cin x W`, `weight` is `Cout x Cin x K`, the result is
/// `B x Cout x W`.
pub fn forward(input: ArrayView3<f64>, weight: ArrayView3<f64>) -> Array3<f64> {
    todo!(
        "for every output position, add up weight times input over the channels and the kernel, reading zero past the right edge"
    )
}

/// The gradients of `L = sum(grad_out * forward(input, weight))`:
/// `(dL/d input, dL/d weight)`.
///
/// `grad_input[b, c, p]` collects `w[o, c, k] * grad_out[b, o, p - k]` over
/// every output that read `x[b, c, p]`; `grad_weight[o, c, k]` is
/// `sum over b, t of grad_out[b, o, t] * x[b, c, t + k]`.
pub fn backward(
    input: ArrayView3<f64>,
    weight: ArrayView3<f64>,
    grad_out: ArrayView3<f64>,
) -> (Array3<f64>, Array3<f64>) {
    todo!(
        "send each grad_out entry back to the inputs and weights that produced it: grad_input is grad_out convolved with the reversed kernel anchored at the right, grad_weight sums grad_out times the input window over the batch"
    )
}
