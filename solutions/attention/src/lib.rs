//! # Module 7: soft gates and attention
//!
//! Softmax turns scores into weights; this module uses the weights to
//! choose, smoothly and differentiably, between computations:
//!
//! - [`gate`]: a sigmoid-weighted choice between two arrays;
//! - [`softmax_gate`]: a softmax-weighted mix of many rows;
//! - [`attention`]: softmax gating whose scores are dot products of
//!   queries and keys, `softmax(q k^T / sqrt(D)) v`, optionally causal.
//!
//! Every backward returns the gradients of `sum(grad_out * f(...))` with
//! respect to each input. The notes are the `attention` chapter of the book.
//!
//! ```
//! use ndarray::{Array3, array};
//! use attention_solution::{attention, gate};
//!
//! let (x, y) = (array![1.0, 1.0], array![3.0, 3.0]);
//! assert_eq!(gate(x.view(), y.view(), array![0.0, 1000.0].view())?, array![2.0, 1.0]);
//!
//! let q = Array3::<f64>::zeros((1, 2, 4));
//! let k = Array3::<f64>::zeros((1, 2, 4));
//! let v = array![[[1.0, 2.0], [3.0, 4.0]]];
//! // Equal scores: every query averages the values; the causal first row sees only v's first row.
//! assert_eq!(attention(q.view(), k.view(), v.view(), false)?, array![[[2.0, 3.0], [2.0, 3.0]]]);
//! assert_eq!(attention(q.view(), k.view(), v.view(), true)?, array![[[1.0, 2.0], [2.0, 3.0]]]);
//! # Ok::<(), support::ShapeError>(())
//! ```

mod attention;
mod gate;
mod shapes;
mod softmax_gate;

use ndarray::{Array, Array2, Array3, ArrayD, ArrayView, Dimension, Ix2, Ix3};
use support::ShapeError;

/// The gradients of a gate with respect to `x`, `y` and `r`.
pub type GateGrads<D> = (Array<f64, D>, Array<f64, D>, Array<f64, D>);

/// The gradients of attention with respect to `q`, `k` and `v`.
pub type AttentionGrads = (Array3<f64>, Array3<f64>, Array3<f64>);

/// `x * sigmoid(r) + y * (1 - sigmoid(r))` elementwise: `x` where `r` is
/// large, `y` where it is very negative, a blend in between.
///
/// **Errors** when `x`, `y` and `r` do not have the same shape, or it has
/// more elements than an array can hold (a broadcast view can).
pub fn gate<D: Dimension>(
    x: ArrayView<f64, D>,
    y: ArrayView<f64, D>,
    r: ArrayView<f64, D>,
) -> Result<Array<f64, D>, ShapeError> {
    shapes::same_shapes("gate", &[("x", &x), ("y", &y), ("r", &r)])?;
    Ok(typed(gate::forward(x.into_dyn(), y.into_dyn(), r.into_dyn())))
}

/// The gradients of `sum(grad_out * gate(x, y, r))`:
/// `(g s, g (1 - s), g (x - y) s (1 - s))` with `s = sigmoid(r)`.
///
/// **Errors** when `x`, `y`, `r` and `grad_out` do not have the same
/// shape, or it has more elements than an array can hold.
pub fn gate_backward<D: Dimension>(
    x: ArrayView<f64, D>,
    y: ArrayView<f64, D>,
    r: ArrayView<f64, D>,
    grad_out: ArrayView<f64, D>,
) -> Result<GateGrads<D>, ShapeError> {
    shapes::same_shapes("gate_backward", &[("x", &x), ("y", &y), ("r", &r), ("grad_out", &grad_out)])?;
    let (gx, gy, gr) = gate::backward(x.into_dyn(), y.into_dyn(), r.into_dyn(), grad_out.into_dyn());
    Ok((typed(gx), typed(gy), typed(gr)))
}

/// The rows of `x` (`B x N x D`) mixed with the weights `softmax(r)` over
/// the `N` rows (`r` is `B x N`): `B x D`.
///
/// With no rows to mix (`N = 0`) every output is an empty sum: zeros, and
/// so are the gradients. These, and every other empty output, are answered
/// here without calling the exercises.
///
/// **Errors** when `x` does not have 3 axes, `r` 2, `r` does not hold
/// one score per row of `x`, or the output would be too big for any array.
pub fn softmax_gate<D: Dimension, E: Dimension>(
    x: ArrayView<f64, D>,
    r: ArrayView<f64, E>,
) -> Result<Array2<f64>, ShapeError> {
    let (x, r) = shapes::gated("softmax_gate", x, r)?;
    let (b, n, d) = x.dim();
    if [b, n, d].contains(&0) {
        return Ok(Array2::zeros((b, d)));
    }
    Ok(softmax_gate::forward(x, r))
}

/// The gradients of `sum(grad_out * softmax_gate(x, r))` with respect to
/// `x` and `r`.
///
/// **Errors** as [`softmax_gate`] does, and when `grad_out` is not `B x D`.
pub fn softmax_gate_backward<D: Dimension, E: Dimension>(
    x: ArrayView<f64, D>,
    r: ArrayView<f64, E>,
    grad_out: ArrayView<f64, E>,
) -> Result<(Array3<f64>, Array2<f64>), ShapeError> {
    let function = "softmax_gate_backward";
    let (x, r) = shapes::gated(function, x, r)?;
    let (b, _, d) = x.dim();
    let g = shapes::grad_out(function, Ix2(b, d), grad_out)?;
    if g.is_empty() || x.dim().1 == 0 {
        // No output, or outputs that are 0 whatever the inputs: the gradients are 0.
        return Ok((Array3::zeros(x.raw_dim()), Array2::zeros(r.raw_dim())));
    }
    Ok(softmax_gate::backward(x, r, g))
}

/// Scaled dot-product attention, `softmax(q k^T / sqrt(D)) v` with the
/// softmax over the keys, for `q` `B x Tq x D`, `k` `B x Tk x D` and `v`
/// `B x Tk x Dv`: `B x Tq x Dv`. With `causal`, query `i` attends to keys
/// `0..=i` only.
///
/// Empty sizes are fine. With no keys (`Tk = 0`, so no values either)
/// every output is an empty weighted sum: zeros, and so are the gradients,
/// as [`softmax_gate`] gives for no rows and as a sum over nothing is
/// everywhere else in the course (a convolution with no input channels).
/// These, and every other empty output, are answered here without calling
/// the exercises.
///
// BEGIN HIDDEN
/// In this reference, with no features (`D = 0`) every score is an empty
/// dot product, 0, and is not scaled (`0 / sqrt(0)` would be NaN): every
/// query averages the values it sees.
///
// END HIDDEN
/// **Errors** when an input does not have 3 axes, the batches, the
/// features of `q` and `k` or the keys of `k` and `v` differ, `causal`
/// is asked with `Tq != Tk`, or the output would be too big for any array.
pub fn attention<D: Dimension>(
    q: ArrayView<f64, D>,
    k: ArrayView<f64, D>,
    v: ArrayView<f64, D>,
    causal: bool,
) -> Result<Array3<f64>, ShapeError> {
    let [q, k, v] = shapes::attended("attention", q, k, v, causal)?;
    let dim = (q.dim().0, q.dim().1, v.dim().2);
    if [dim.0, dim.1, dim.2, k.dim().1].contains(&0) {
        return Ok(Array3::zeros(dim));
    }
    Ok(attention::forward(q, k, v, causal))
}

/// The gradients of `sum(grad_out * attention(q, k, v, causal))` with
/// respect to `q`, `k` and `v`.
///
/// **Errors** as [`attention`] does, and when `grad_out` is not
/// `B x Tq x Dv`.
pub fn attention_backward<D: Dimension>(
    q: ArrayView<f64, D>,
    k: ArrayView<f64, D>,
    v: ArrayView<f64, D>,
    causal: bool,
    grad_out: ArrayView<f64, D>,
) -> Result<AttentionGrads, ShapeError> {
    let function = "attention_backward";
    let [q, k, v] = shapes::attended(function, q, k, v, causal)?;
    let g = shapes::grad_out(function, Ix3(q.dim().0, q.dim().1, v.dim().2), grad_out)?;
    if g.is_empty() || k.dim().1 == 0 {
        // No output, or outputs that are 0 whatever the inputs: the gradients are 0.
        return Ok((Array3::zeros(q.raw_dim()), Array3::zeros(k.raw_dim()), Array3::zeros(v.raw_dim())));
    }
    Ok(attention::backward(q, k, v, causal, g))
}

/// An array computed on dynamic-rank views, back with the static rank of
/// the inputs it was computed from.
fn typed<D: Dimension>(a: ArrayD<f64>) -> Array<f64, D> {
    a.into_dimensionality().expect("the exercises keep the rank of their input")
}

// BEGIN HIDDEN
#[cfg(test)]
mod tests {
    use ndarray::{Array2, Array3, ArrayD, Axis, IxDyn, s};
    use support::gradcheck::{GRADIENT, check_gradient};
    use support::random::{rng, uniform};

    use super::*;

    #[test]
    fn gate_backward_matches_finite_differences() {
        let [x, y, r, g]: [ArrayD<f64>; 4] = std::array::from_fn(|i| uniform(IxDyn(&[2, 3]), &mut rng(i as u64)) * 2.0);
        let (gx, gy, gr) = gate_backward(x.view(), y.view(), r.view(), g.view()).unwrap();
        check_gradient(|x| gate(x.view(), y.view(), r.view()).unwrap(), &x, &g, gx.view(), GRADIENT).unwrap();
        check_gradient(|y| gate(x.view(), y.view(), r.view()).unwrap(), &y, &g, gy.view(), GRADIENT).unwrap();
        check_gradient(|r| gate(x.view(), y.view(), r.view()).unwrap(), &r, &g, gr.view(), GRADIENT).unwrap();
    }

    #[test]
    fn softmax_gate_backward_matches_finite_differences() {
        let x: Array3<f64> = uniform((2, 4, 3), &mut rng(1));
        let r: Array2<f64> = uniform((2, 4), &mut rng(2)) * 3.0;
        let g: Array2<f64> = uniform((2, 3), &mut rng(3));
        let (gx, gr) = softmax_gate_backward(x.view(), r.view(), g.view()).unwrap();
        check_gradient(|x| softmax_gate(x.view(), r.view()).unwrap(), &x, &g, gx.view(), GRADIENT).unwrap();
        check_gradient(|r| softmax_gate(x.view(), r.view()).unwrap(), &r, &g, gr.view(), GRADIENT).unwrap();
    }

    #[test]
    fn attention_backward_matches_finite_differences_with_and_without_the_mask() {
        // 70 queries are three blocks of the causal reference.
        for (causal, tq, tk) in [(false, 4, 5), (true, 4, 4), (true, 70, 70), (false, 40, 70)] {
            let q: Array3<f64> = uniform((2, tq, 3), &mut rng(4));
            let k: Array3<f64> = uniform((2, tk, 3), &mut rng(5));
            let v: Array3<f64> = uniform((2, tk, 2), &mut rng(6));
            let g: Array3<f64> = uniform((2, tq, 2), &mut rng(7));
            let (gq, gk, gv) = attention_backward(q.view(), k.view(), v.view(), causal, g.view()).unwrap();
            let f = |q: &Array3<f64>, k: &Array3<f64>, v: &Array3<f64>| {
                attention(q.view(), k.view(), v.view(), causal).unwrap()
            };
            check_gradient(|q| f(q, &k, &v), &q, &g, gq.view(), GRADIENT).unwrap();
            check_gradient(|k| f(&q, k, &v), &k, &g, gk.view(), GRADIENT).unwrap();
            check_gradient(|v| f(&q, &k, v), &v, &g, gv.view(), GRADIENT).unwrap();
        }
    }

    /// Attention as the formula says, one batch element and one matrix
    /// product at a time, and the gradients of `sum(g * attention)`.
    fn plain(q: &Array3<f64>, k: &Array3<f64>, v: &Array3<f64>, causal: bool, g: &Array3<f64>) -> [Array3<f64>; 4] {
        let scale = 1.0 / (q.dim().2 as f64).sqrt();
        let mut out = Array3::zeros((q.dim().0, q.dim().1, v.dim().2));
        let [mut gq, mut gk, mut gv] = [q.raw_dim(), k.raw_dim(), v.raw_dim()].map(Array3::zeros);
        for b in 0..q.dim().0 {
            let (q, k, v, g) = (
                q.index_axis(Axis(0), b),
                k.index_axis(Axis(0), b),
                v.index_axis(Axis(0), b),
                g.index_axis(Axis(0), b),
            );
            let mut p = q.dot(&k.t()) * scale;
            for ((i, j), p) in p.indexed_iter_mut() {
                if causal && j > i {
                    *p = f64::NEG_INFINITY;
                }
            }
            for mut row in p.rows_mut() {
                let top = row.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
                row.mapv_inplace(|x| (x - top).exp());
                let total = row.sum();
                row /= total;
            }
            out.index_axis_mut(Axis(0), b).assign(&p.dot(&v));
            gv.index_axis_mut(Axis(0), b).assign(&p.t().dot(&g));
            let grad_p = g.dot(&v.t());
            let weighted = (&grad_p * &p).sum_axis(Axis(1)).insert_axis(Axis(1));
            let grad_s = &p * &(&grad_p - &weighted) * scale;
            gq.index_axis_mut(Axis(0), b).assign(&grad_s.dot(&k));
            gk.index_axis_mut(Axis(0), b).assign(&grad_s.t().dot(&q));
        }
        [out, gq, gk, gv]
    }

    #[test]
    fn long_sequences_in_parallel_runs_match_the_formula() {
        // Past the threshold at which batch elements run on several threads,
        // and past whole blocks of queries and whole tiles.
        for (causal, tq, tk, d) in [(true, 150, 150, 24), (false, 150, 131, 20), (true, 131, 131, 9)] {
            let [q, k]: [Array3<f64>; 2] =
                std::array::from_fn(|i| uniform((5, if i == 0 { tq } else { tk }, d), &mut rng(20 + i as u64)));
            let v: Array3<f64> = uniform((5, tk, 7), &mut rng(22));
            let g: Array3<f64> = uniform((5, tq, 7), &mut rng(23));
            let [out, gq, gk, gv] = plain(&q, &k, &v, causal, &g);
            let ours = attention(q.view(), k.view(), v.view(), causal).unwrap();
            let (oq, ok, ov) = attention_backward(q.view(), k.view(), v.view(), causal, g.view()).unwrap();
            for (name, ours, plain) in [("out", ours, out), ("q", oq, gq), ("k", ok, gk), ("v", ov, gv)] {
                let worst = (&ours - &plain).iter().fold(0.0_f64, |a, b| a.max(b.abs()));
                assert!(worst < 1e-12, "{name}, causal {causal}, {tq} x {tk} x {d}: off by {worst:e}");
            }
        }
    }

    #[test]
    fn causal_first_row_is_the_first_value_and_large_scores_stay_finite() {
        let q: Array3<f64> = uniform((2, 4, 3), &mut rng(8)) * 1000.0;
        let k: Array3<f64> = uniform((2, 4, 3), &mut rng(9));
        let v: Array3<f64> = uniform((2, 4, 2), &mut rng(10));
        let out = attention(q.view(), k.view(), v.view(), true).unwrap();
        assert_eq!(out.slice(s![.., 0, ..]), v.slice(s![.., 0, ..]));
        assert!(out.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn mismatched_shapes_are_refused() {
        let a = Array3::<f64>::zeros((1, 3, 2));
        let b = Array3::<f64>::zeros((1, 4, 2));
        assert_eq!(attention(a.view(), b.view(), b.view(), true).unwrap_err().function, "attention");
        assert!(attention(a.view(), b.view(), a.view(), false).is_err());
        let r = Array2::<f64>::zeros((1, 2));
        assert_eq!(softmax_gate(a.view(), r.view()).unwrap_err().function, "softmax_gate");
        assert_eq!(gate(a.view(), b.view(), a.view()).unwrap_err().function, "gate");
    }
}
// END HIDDEN
