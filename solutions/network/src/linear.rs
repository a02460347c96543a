//! The linear (fully connected) layer and its gradients.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

/// `x W^T + b` for a validated input: every row of `x` times every row of
/// the weight, plus the bias.
pub fn forward(x: ArrayView2<f64>, weight: ArrayView2<f64>, bias: ArrayView1<f64>) -> Array2<f64> {
    // BEGIN SOLUTION: multiply x (B, IN) by the transposed weight (IN, OUT), then add the bias to every row
    // HINT(linear): Output element (b, o) is the dot product of row b of x with row o of the weight, plus bias[o].
    // HINT(linear): That is the matrix product of x with the weight's transpose (a view, `weight.t()`, no copy), and the bias broadcasts over the rows.
    // HINT(linear): Pitfalls: reshaping the weight instead of transposing it, adding the bias along the batch axis, assuming contiguous input.
    let mut out = x.dot(&weight.t());
    out += &bias;
    out
    // END SOLUTION
}

/// The gradients of `sum(grad_out * forward(x, weight, bias))` with respect
/// to `x`, the weight and the bias.
pub fn backward(
    x: ArrayView2<f64>,
    weight: ArrayView2<f64>,
    grad_out: ArrayView2<f64>,
) -> (Array2<f64>, Array2<f64>, Array1<f64>) {
    // BEGIN SOLUTION: grad_x = grad_out W (B, IN), grad_weight = grad_out^T x (OUT, IN), grad_bias = grad_out summed over the batch
    // HINT(linear_backward): Each gradient has the shape of what it is the gradient of: grad_x (B, IN), grad_weight (OUT, IN), grad_bias (OUT,).
    // HINT(linear_backward): out[b, o] uses x[b, i] and W[o, i] once each, times 1; so grad_x = grad_out · W, grad_weight = grad_outᵀ · x, and grad_bias adds grad_out over the batch.
    // HINT(linear_backward): Pitfalls: xᵀ · grad_out is (IN, OUT), the transpose of grad_weight; grad_bias must sum every row, not take the first.
    let grad_bias = grad_out.sum_axis(Axis(0));
    (grad_out.dot(&weight), grad_out.t().dot(&x), grad_bias)
    // END SOLUTION
}
