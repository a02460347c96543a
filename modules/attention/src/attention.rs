//! Scaled dot-product attention and its gradients.

use ndarray::{Array2, Array3, ArrayView2, ArrayView3, Axis, Zip};
use softmax::softmax;

/// `softmax(q k^T / sqrt(D)) v` for every batch, the keys after each query
/// masked out when `causal`.
pub fn forward(q: ArrayView3<f64>, k: ArrayView3<f64>, v: ArrayView3<f64>, causal: bool) -> Array3<f64> {
    todo!(
        "per batch: scores = q k^T / sqrt(D), -inf above the diagonal when causal, weights = softmax over the keys (dim 1), out = weights v"
    )
}

/// The gradients with respect to `q`, `k` and `v` for the upstream
/// gradient `grad_out` (`B x Tq x Dv`).
pub fn backward(
    q: ArrayView3<f64>,
    k: ArrayView3<f64>,
    v: ArrayView3<f64>,
    causal: bool,
    grad_out: ArrayView3<f64>,
) -> (Array3<f64>, Array3<f64>, Array3<f64>) {
    todo!(
        "per batch with P = the weights: grad_v = P^T g, grad_P = g v^T, grad_S = P * (grad_P - the row sums of P * grad_P) (softmax's backward), grad_q = grad_S k / sqrt(D), grad_k = grad_S^T q / sqrt(D)"
    )
}
