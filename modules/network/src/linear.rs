//! The linear (fully connected) layer and its gradients.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

/// `x W^T + b` for a validated input: every row of `x` times every row of
/// the weight, plus the bias.
pub fn forward(x: ArrayView2<f64>, weight: ArrayView2<f64>, bias: ArrayView1<f64>) -> Array2<f64> {
    todo!("multiply x (B, IN) by the transposed weight (IN, OUT), then add the bias to every row")
}

/// The gradients of `sum(grad_out * forward(x, weight, bias))` with respect
/// to `x`, the weight and the bias.
pub fn backward(
    x: ArrayView2<f64>,
    weight: ArrayView2<f64>,
    grad_out: ArrayView2<f64>,
) -> (Array2<f64>, Array2<f64>, Array1<f64>) {
    todo!(
        "grad_x = grad_out W (B, IN), grad_weight = grad_out^T x (OUT, IN), grad_bias = grad_out summed over the batch"
    )
}
