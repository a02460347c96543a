//! The soft argmax, its logarithm, and their gradients.

use ndarray::{ArrayD, ArrayViewD, Axis};

/// `exp(x) / sum(exp(x))` along `axis`, with the slice's maximum subtracted
/// first so that no `exp` overflows.
pub fn softmax_along(x: ArrayViewD<f64>, axis: Axis) -> ArrayD<f64> {
    // BEGIN SOLUTION: subtract each slice's max (kept as a size-1 axis), exponentiate, divide by the sum along the axis kept as a size-1 axis
    let e = shifted(x, axis).mapv_into(f64::exp);
    let total = e.sum_axis(axis).insert_axis(axis);
    &e / &total
    // END SOLUTION
}

/// `s * (grad_out - sum(grad_out * s))` along `axis`, with `s = softmax(x)`.
pub fn softmax_backward_along(x: ArrayViewD<f64>, axis: Axis, grad_out: ArrayViewD<f64>) -> ArrayD<f64> {
    // BEGIN SOLUTION: with s = softmax(x), the gradient is s * (g - sum(g * s)), the sum along the axis kept as a size-1 axis
    let s = softmax_along(x, axis);
    let weighted = (&grad_out * &s).sum_axis(axis).insert_axis(axis);
    &s * &(&grad_out - &weighted)
    // END SOLUTION
}

/// `x - max - log(sum(exp(x - max)))` along `axis`: the log-sum-exp trick.
pub fn logsoftmax_along(x: ArrayViewD<f64>, axis: Axis) -> ArrayD<f64> {
    // BEGIN SOLUTION: with z = x - max along the axis, the result is z - log(sum(exp(z))); never take the log of a softmax
    let z = shifted(x, axis);
    let log_total = z.mapv(f64::exp).sum_axis(axis).mapv_into(f64::ln).insert_axis(axis);
    &z - &log_total
    // END SOLUTION
}

/// `grad_out - softmax(x) * sum(grad_out)` along `axis`.
pub fn logsoftmax_backward_along(x: ArrayViewD<f64>, axis: Axis, grad_out: ArrayViewD<f64>) -> ArrayD<f64> {
    // BEGIN SOLUTION: the gradient is g - softmax(x) * sum(g), the sum along the axis kept as a size-1 axis
    let total = grad_out.sum_axis(axis).insert_axis(axis);
    &grad_out - &(softmax_along(x, axis) * &total)
    // END SOLUTION
}

// BEGIN HIDDEN
/// `x` minus the maximum of its slice along `axis`: every element at most 0,
/// the largest exactly 0. An empty axis has nothing to shift.
fn shifted(x: ArrayViewD<f64>, axis: Axis) -> ArrayD<f64> {
    if x.len_of(axis) == 0 {
        return x.to_owned();
    }
    &x - &crate::max::max_along(x.view(), axis)
}
// END HIDDEN
