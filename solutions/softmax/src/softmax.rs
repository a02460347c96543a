//! The soft argmax, its logarithm, and their gradients.

use ndarray::{ArrayD, ArrayViewD, Axis, Zip};

/// `exp(x) / sum(exp(x))` along `axis`, with the slice's maximum subtracted
/// first so that no `exp` overflows.
pub fn softmax_along(x: ArrayViewD<f64>, axis: Axis) -> ArrayD<f64> {
    // BEGIN SOLUTION: copy x; in every lane along the axis subtract the lane's max, exponentiate, then divide by the lane's sum
    // HINT(softmax): Exponentiate and divide by the slice's sum, giving positive weights that sum to 1.
    // HINT(softmax): Subtract the slice max first; nothing changes mathematically and every exponent stays ≤ 0.
    // HINT(softmax): Without the shift, x = 1000 gives inf/inf = NaN; normalise along dim.
    let mut out = x.to_owned();
    for mut lane in out.lanes_mut(axis) {
        let top = lane.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        lane.mapv_inplace(|v| (v - top).exp());
        let total = lane.sum();
        lane.mapv_inplace(|v| v / total);
    }
    out
    // END SOLUTION
}

/// `s * (grad_out - sum(grad_out * s))` along `axis`, with `s = softmax(x)`.
pub fn softmax_backward_along(x: ArrayViewD<f64>, axis: Axis, grad_out: ArrayViewD<f64>) -> ArrayD<f64> {
    // BEGIN SOLUTION: with s = softmax(x), in every lane the gradient is s * (g - dot(g, s))
    // HINT(softmax_backward): One input moves every output of its slice.
    // HINT(softmax_backward): s × (own upstream gradient − the s-weighted sum of the slice's upstream gradients).
    // HINT(softmax_backward): Pitfall: s·g without the sum term.
    let mut s = softmax_along(x, axis);
    Zip::from(s.lanes_mut(axis)).and(grad_out.lanes(axis)).for_each(|mut s, g| {
        let weighted = s.dot(&g);
        s.zip_mut_with(&g, |s, &g| *s *= g - weighted);
    });
    s
    // END SOLUTION
}

/// `x - max - log(sum(exp(x - max)))` along `axis`: the log-sum-exp trick.
pub fn logsoftmax_along(x: ArrayViewD<f64>, axis: Axis) -> ArrayD<f64> {
    // BEGIN SOLUTION: copy x; in every lane subtract the max m and then log(sum(exp(x - m))); never take the log of a softmax
    // HINT(logsoftmax): x minus the slice's log-sum-exp, finite at ±1000.
    // HINT(logsoftmax): Take out the max m: log Σ e^x = m + log Σ e^(x−m).
    // HINT(logsoftmax): Pitfalls: log of a softmax (−inf at −1000), subtracting m without adding it back.
    let mut out = x.to_owned();
    for mut lane in out.lanes_mut(axis) {
        let top = lane.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        let log_total = lane.fold(0.0, |acc, &v| acc + (v - top).exp()).ln();
        lane.mapv_inplace(|v| v - top - log_total);
    }
    out
    // END SOLUTION
}

/// `grad_out - softmax(x) * sum(grad_out)` along `axis`.
pub fn logsoftmax_backward_along(x: ArrayViewD<f64>, axis: Axis, grad_out: ArrayViewD<f64>) -> ArrayD<f64> {
    // BEGIN SOLUTION: with s = softmax(x), in every lane the gradient is g - s * sum(g)
    // HINT(logsoftmax_backward): The derivative of log-sum-exp is the softmax.
    // HINT(logsoftmax_backward): Own gradient minus softmax × the slice's sum of gradients.
    // HINT(logsoftmax_backward): Pitfalls: no sum, an unshifted softmax inside (NaN at 1000).
    let mut s = softmax_along(x, axis);
    Zip::from(s.lanes_mut(axis)).and(grad_out.lanes(axis)).for_each(|mut s, g| {
        let total = g.sum();
        s.zip_mut_with(&g, |s, &g| *s = g - *s * total);
    });
    s
    // END SOLUTION
}
