//! Softmax gating: many rows mixed by the softmax of their scores.

use ndarray::{Array2, Array3, ArrayView2, ArrayView3, Zip};
use softmax::{softmax, softmax_backward};

/// `out[b] = sum_n softmax(r[b])[n] * x[b, n]`.
pub fn forward(x: ArrayView3<f64>, r: ArrayView2<f64>) -> Array2<f64> {
    todo!("the weights are softmax(r) along the rows (dim 1); out[b] is the weighted sum of the rows x[b, n]")
}

/// The gradients with respect to `x` and `r` for the upstream gradient
/// `grad_out` (`B x D`).
pub fn backward(x: ArrayView3<f64>, r: ArrayView2<f64>, grad_out: ArrayView2<f64>) -> (Array3<f64>, Array2<f64>) {
    todo!("grad_x[b, n] = w[b, n] g[b]; the weights' gradient is x[b, n] . g[b]; r's comes from softmax_backward")
}
