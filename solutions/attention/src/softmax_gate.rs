//! Softmax gating: many rows mixed by the softmax of their scores.

use ndarray::{Array2, Array3, ArrayView2, ArrayView3, Zip};
use softmax_solution::{softmax, softmax_backward};

/// `out[b] = sum_n softmax(r[b])[n] * x[b, n]`.
pub fn forward(x: ArrayView3<f64>, r: ArrayView2<f64>) -> Array2<f64> {
    // BEGIN SOLUTION: the weights are softmax(r) along the rows (dim 1); out[b] is the weighted sum of the rows x[b, n]
    // HINT(softmax_gate): Weights are the softmax of R over N; the output is the weighted sum of X's rows, B × D.
    // HINT(softmax_gate): Per batch, a shifted softmax over axis 1, then a (1×N)(N×D) product.
    // HINT(softmax_gate): Pitfalls: a plain average, softmax over the batch axis, no exp.
    let w = softmax(r, 1).expect("r has an axis 1");
    let mut out = Array2::zeros((x.dim().0, x.dim().2));
    Zip::from(out.rows_mut()).and(x.outer_iter()).and(w.rows()).for_each(|mut out, x, w| out.assign(&w.dot(&x)));
    out
    // END SOLUTION
}

/// The gradients with respect to `x` and `r` for the upstream gradient
/// `grad_out` (`B x D`).
pub fn backward(x: ArrayView3<f64>, r: ArrayView2<f64>, grad_out: ArrayView2<f64>) -> (Array3<f64>, Array2<f64>) {
    // BEGIN SOLUTION: grad_x[b, n] = w[b, n] g[b]; the weights' gradient is x[b, n] . g[b]; r's comes from softmax_backward
    // HINT(softmax_gate_backward): grad_X[b,n] = w[b,n] × g[b]; the weights' gradient is the dot product X[b,n]·g[b].
    // HINT(softmax_gate_backward): Push it through the softmax backward along N to get grad_R.
    // HINT(softmax_gate_backward): Pitfalls: forgetting the softmax step, grad_X without the weights.
    let w = softmax(r.view(), 1).expect("r has an axis 1");
    let grad_x = Array3::from_shape_fn(x.raw_dim(), |(b, n, d)| w[[b, n]] * grad_out[[b, d]]);
    let mut grad_w = Array2::zeros(w.raw_dim());
    Zip::from(grad_w.rows_mut())
        .and(x.outer_iter())
        .and(grad_out.rows())
        .for_each(|mut gw, x, g| gw.assign(&x.dot(&g)));
    let grad_r = softmax_backward(r, 1, grad_w.view()).expect("grad_w is shaped like r");
    (grad_x, grad_r)
    // END SOLUTION
}
