//! Scaled dot-product attention and its gradients.

use ndarray::{Array2, Array3, ArrayView2, ArrayView3, Axis, Zip};
use softmax_solution::{softmax, softmax_backward};

/// `softmax(q k^T / sqrt(D)) v` for every batch, the keys after each query
/// masked out when `causal`.
pub fn forward(q: ArrayView3<f64>, k: ArrayView3<f64>, v: ArrayView3<f64>, causal: bool) -> Array3<f64> {
    // BEGIN SOLUTION: per batch: scores = q k^T / sqrt(D), -inf above the diagonal when causal, weights = softmax over the keys (dim 1), out = weights v
    // HINT(attention): Softmax over the keys of (Q Kᵀ/√D), then the weighted sum of V's rows.
    // HINT(attention): When causal, query i sees only keys j ≤ i: −inf before the softmax, and shift by the row max.
    // HINT(attention): Pitfalls: no 1/√D, softmax over queries; a mask off by one, after softmax, or when not causal.
    let mut out = Array3::zeros((q.dim().0, q.dim().1, v.dim().2));
    Zip::from(out.outer_iter_mut()).and(q.outer_iter()).and(k.outer_iter()).and(v.outer_iter()).for_each(
        |mut out, q, k, v| {
            let weights = softmax(scores(q, k, causal).view(), 1).expect("scores have an axis 1");
            out.assign(&weights.dot(&v));
        },
    );
    out
    // END SOLUTION
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
    // BEGIN SOLUTION: per batch with P = the weights: grad_v = P^T g, grad_P = g v^T, grad_S = softmax_backward of grad_P, grad_q = grad_S k / sqrt(D), grad_k = grad_S^T q / sqrt(D)
    // HINT(attention_backward): Reverse the three steps: out = P V, P = row softmax, scores = Q Kᵀ/√D.
    // HINT(attention_backward): Recompute P; V's grad via Pᵀ, P's via Vᵀ, scores' via softmax backward, then Q's, K's.
    // HINT(attention_backward): Pitfalls: no transpose in grad_K, no 1/√D in grad_Q and grad_K, an unshifted softmax.
    let (mut grad_q, mut grad_k, mut grad_v) =
        (Array3::zeros(q.raw_dim()), Array3::zeros(k.raw_dim()), Array3::zeros(v.raw_dim()));
    let scale = scale(q.dim().2);
    for b in 0..q.dim().0 {
        let (q, k, v, g) = (
            q.index_axis(Axis(0), b),
            k.index_axis(Axis(0), b),
            v.index_axis(Axis(0), b),
            grad_out.index_axis(Axis(0), b),
        );
        let s = scores(q, k, causal);
        let p = softmax(s.view(), 1).expect("scores have an axis 1");
        grad_v.index_axis_mut(Axis(0), b).assign(&p.t().dot(&g));
        let grad_p = g.dot(&v.t());
        let grad_s = softmax_backward(s.view(), 1, grad_p.view()).expect("grad_p is shaped like the scores");
        grad_q.index_axis_mut(Axis(0), b).assign(&(grad_s.dot(&k) * scale));
        grad_k.index_axis_mut(Axis(0), b).assign(&(grad_s.t().dot(&q) * scale));
    }
    (grad_q, grad_k, grad_v)
    // END SOLUTION
}

// BEGIN HIDDEN
/// `1 / sqrt(D)`, the factor of the scores. With `D = 0` every score is an
/// empty dot product, 0, and stays 0 (not 0 / 0): the factor is then 1.
fn scale(d: usize) -> f64 {
    if d == 0 { 1.0 } else { 1.0 / (d as f64).sqrt() }
}

/// The scaled scores `q k^T / sqrt(D)` of one batch (`Tq x Tk`), with
/// `-inf` where a query would see a later key when `causal`.
fn scores(q: ArrayView2<f64>, k: ArrayView2<f64>, causal: bool) -> Array2<f64> {
    let mut s = q.dot(&k.t()) * scale(q.ncols());
    if causal {
        s.indexed_iter_mut().filter(|((i, j), _)| j > i).for_each(|(_, s)| *s = f64::NEG_INFINITY);
    }
    s
}
// END HIDDEN
