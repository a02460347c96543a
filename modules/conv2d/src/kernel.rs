//! The two functions you write: the convolution and its backward.
//!
//! The inputs are valid and not empty (the public functions checked them,
//! and answered empty ones themselves) but may be in any layout: a permuted
//! or sliced view is as good as a fresh array.

use ndarray::{Array4, ArrayView4};

/// `out[b, o, i, j] = sum over c, a, d of w[o, c, a, d] * x[b, c, i + a, j + d]`,
/// where positions past the bottom or right edge of `x` read as zero.
///
/// `input` is `B x Cin x H x W`, `weight` is `Cout x Cin x KH x KW`, the
/// result is `B x Cout x H x W`.
pub fn forward(input: ArrayView4<f64>, weight: ArrayView4<f64>) -> Array4<f64> {
    todo!(
        "for every output position, add up weight times input over the channels and the box, reading zero past the bottom and right edges"
    )
}

/// The gradients of `L = sum(grad_out * forward(input, weight))`:
/// `(dL/d input, dL/d weight)`.
///
/// `grad_input[b, c, p, q]` collects `w[o, c, a, d] * grad_out[b, o, p - a, q - d]`
/// over every output that read `x[b, c, p, q]`; `grad_weight[o, c, a, d]` is
/// `sum over b, i, j of grad_out[b, o, i, j] * x[b, c, i + a, j + d]`.
pub fn backward(
    input: ArrayView4<f64>,
    weight: ArrayView4<f64>,
    grad_out: ArrayView4<f64>,
) -> (Array4<f64>, Array4<f64>) {
    todo!(
        "send each grad_out entry back to the inputs and weights that produced it: grad_input is grad_out convolved with the reversed kernel anchored at the bottom-right, grad_weight sums grad_out times the input window over the batch"
    )
}
