//! The soft argmax, its logarithm, and their gradients.

use ndarray::{ArrayD, ArrayViewD, Axis};

/// `exp(x) / sum(exp(x))` along `axis`, with the slice's maximum subtracted
/// first so that no `exp` overflows.
pub fn softmax_along(x: ArrayViewD<f64>, axis: Axis) -> ArrayD<f64> {
    todo!("copy x; in every lane along the axis subtract the lane's max, exponentiate, then divide by the lane's sum")
}

/// `s * (grad_out - sum(grad_out * s))` along `axis`, with `s = softmax(x)`.
pub fn softmax_backward_along(x: ArrayViewD<f64>, axis: Axis, grad_out: ArrayViewD<f64>) -> ArrayD<f64> {
    todo!("with s = softmax(x), in every lane the gradient is s * (g - dot(g, s))")
}

/// `x - max - log(sum(exp(x - max)))` along `axis`: the log-sum-exp trick.
pub fn logsoftmax_along(x: ArrayViewD<f64>, axis: Axis) -> ArrayD<f64> {
    todo!("copy x; in every lane subtract the max m and then log(sum(exp(x - m))); never take the log of a softmax")
}

/// `grad_out - softmax(x) * sum(grad_out)` along `axis`.
pub fn logsoftmax_backward_along(x: ArrayViewD<f64>, axis: Axis, grad_out: ArrayViewD<f64>) -> ArrayD<f64> {
    todo!("with s = softmax(x), in every lane the gradient is g - s * sum(g)")
}
