//! The soft argmax, its logarithm, and their gradients.

use ndarray::{ArrayD, ArrayViewD, Axis};

/// `exp(x) / sum(exp(x))` along `axis`, with the slice's maximum subtracted
/// first so that no `exp` overflows.
pub fn softmax_along(x: ArrayViewD<f64>, axis: Axis) -> ArrayD<f64> {
    todo!(
        "subtract each slice's max (kept as a size-1 axis), exponentiate, divide by the sum along the axis kept as a size-1 axis"
    )
}

/// `s * (grad_out - sum(grad_out * s))` along `axis`, with `s = softmax(x)`.
pub fn softmax_backward_along(x: ArrayViewD<f64>, axis: Axis, grad_out: ArrayViewD<f64>) -> ArrayD<f64> {
    todo!("with s = softmax(x), the gradient is s * (g - sum(g * s)), the sum along the axis kept as a size-1 axis")
}

/// `x - max - log(sum(exp(x - max)))` along `axis`: the log-sum-exp trick.
pub fn logsoftmax_along(x: ArrayViewD<f64>, axis: Axis) -> ArrayD<f64> {
    todo!("with z = x - max along the axis, the result is z - log(sum(exp(z))); never take the log of a softmax")
}

/// `grad_out - softmax(x) * sum(grad_out)` along `axis`.
pub fn logsoftmax_backward_along(x: ArrayViewD<f64>, axis: Axis, grad_out: ArrayViewD<f64>) -> ArrayD<f64> {
    todo!("the gradient is g - softmax(x) * sum(g), the sum along the axis kept as a size-1 axis")
}
