//! Realistic wrong implementations of the `attention` module.

use attention_solution as right;
use ndarray::{Array2, Array3, ArrayD, ArrayView2, ArrayView3, ArrayViewD, Axis, Ix2, Ix3, Zip};
use support::ShapeError;

use super::Mutant;

type Out = Result<ArrayD<f64>, ShapeError>;
type Grads = Result<(ArrayD<f64>, ArrayD<f64>, ArrayD<f64>), ShapeError>;
type Mixed = Result<Array2<f64>, ShapeError>;
type MixGrads = Result<(Array3<f64>, Array2<f64>), ShapeError>;
type Attended = Result<Array3<f64>, ShapeError>;
type AttentionGrads = Result<(Array3<f64>, Array3<f64>, Array3<f64>), ShapeError>;

pub const MUTANTS: &[Mutant] = &[
    Mutant {
        task: "gate",
        what: "reads element 0 first: panics on empty arrays",
        plant: |i| i.attention.gate = empty_gate,
    },
    Mutant {
        task: "gate_backward",
        what: "reads element 0 first: panics on empty arrays",
        plant: |i| i.attention.gate_backward = empty_gate_backward,
    },
    Mutant {
        task: "softmax_gate",
        what: "reads element 0 first: panics on an empty batch",
        plant: |i| i.attention.softmax_gate = empty_softmax_gate,
    },
    Mutant {
        task: "softmax_gate_backward",
        what: "reads element 0 first: panics on an empty batch",
        plant: |i| i.attention.softmax_gate_backward = empty_softmax_gate_backward,
    },
    Mutant {
        task: "attention",
        what: "reads element 0 first: panics on an empty batch",
        plant: |i| i.attention.attention = empty_attention,
    },
    Mutant {
        task: "attention_backward",
        what: "reads element 0 first: panics on an empty batch",
        plant: |i| i.attention.attention_backward = empty_attention_backward,
    },
    // gate
    Mutant { task: "gate", what: "sigmoid(r) and 1 - sigmoid(r) swapped", plant: |i| i.attention.gate = swapped },
    Mutant { task: "gate", what: "y weighted by sigmoid(r) too", plant: |i| i.attention.gate = both_by_s },
    Mutant { task: "gate", what: "exp(r) / (1 + exp(r)): NaN at r = 1000", plant: |i| i.attention.gate = naive_gate },
    Mutant { task: "gate", what: "works only on contiguous input", plant: |i| i.attention.gate = contiguous_gate },
    Mutant { task: "gate", what: "never checks the shapes", plant: |i| i.attention.gate = unchecked_gate },
    // gate_backward
    Mutant {
        task: "gate_backward",
        what: "grad_r without the factor (x - y)",
        plant: |i| i.attention.gate_backward = without_difference,
    },
    Mutant {
        task: "gate_backward",
        what: "grad_x and grad_y swapped",
        plant: |i| i.attention.gate_backward = swapped_branches,
    },
    Mutant {
        task: "gate_backward",
        what: "the slope as e^-r / (1 + e^-r)^2: NaN at r = -1000",
        plant: |i| i.attention.gate_backward = naive_slope,
    },
    Mutant {
        task: "gate_backward",
        what: "works only on a contiguous grad_out",
        plant: |i| i.attention.gate_backward = contiguous_gate_backward,
    },
    Mutant {
        task: "gate_backward",
        what: "never checks grad_out's shape",
        plant: |i| i.attention.gate_backward = unchecked_gate_backward,
    },
    // softmax_gate
    Mutant {
        task: "softmax_gate",
        what: "the plain average, ignoring r",
        plant: |i| i.attention.softmax_gate = average,
    },
    Mutant {
        task: "softmax_gate",
        what: "the softmax over the batch axis",
        plant: |i| i.attention.softmax_gate = over_batch,
    },
    Mutant {
        task: "softmax_gate",
        what: "the scores divided by their sum, no exp",
        plant: |i| i.attention.softmax_gate = proportional,
    },
    Mutant {
        task: "softmax_gate",
        what: "works only on contiguous input",
        plant: |i| i.attention.softmax_gate = contiguous_mix,
    },
    Mutant {
        task: "softmax_gate",
        what: "never checks r's shape",
        plant: |i| i.attention.softmax_gate = unchecked_mix,
    },
    // softmax_gate_backward
    Mutant {
        task: "softmax_gate_backward",
        what: "grad_r is the weights' gradient, forgetting the softmax",
        plant: |i| i.attention.softmax_gate_backward = no_softmax_jacobian,
    },
    Mutant {
        task: "softmax_gate_backward",
        what: "grad_x without the weights",
        plant: |i| i.attention.softmax_gate_backward = unweighted_grad_x,
    },
    Mutant {
        task: "softmax_gate_backward",
        what: "works only on a contiguous grad_out",
        plant: |i| i.attention.softmax_gate_backward = contiguous_mix_backward,
    },
    Mutant {
        task: "softmax_gate_backward",
        what: "never checks grad_out's shape",
        plant: |i| i.attention.softmax_gate_backward = unchecked_mix_backward,
    },
    // attention
    Mutant { task: "attention", what: "no 1 / sqrt(D)", plant: |i| i.attention.attention = unscaled },
    Mutant {
        task: "attention",
        what: "the softmax over the queries instead of the keys",
        plant: |i| i.attention.attention = over_queries,
    },
    Mutant {
        task: "attention",
        what: "a causal mask that lets a query see the next key",
        plant: |i| i.attention.attention = peeking,
    },
    Mutant {
        task: "attention",
        what: "the mask applied after the softmax: rows no longer sum to 1",
        plant: |i| i.attention.attention = masked_after,
    },
    Mutant {
        task: "attention",
        what: "the causal mask applied even when causal is false",
        plant: |i| i.attention.attention = always_masked,
    },
    Mutant {
        task: "attention",
        what: "no max subtraction in the softmax: NaN for large scores",
        plant: |i| i.attention.attention = unshifted,
    },
    Mutant {
        task: "attention",
        what: "works only on contiguous input",
        plant: |i| i.attention.attention = contiguous_attention,
    },
    Mutant {
        task: "attention",
        what: "never checks the shapes",
        plant: |i| i.attention.attention = unchecked_attention,
    },
    // attention_backward
    Mutant {
        task: "attention_backward",
        what: "grad_k forgets the transpose",
        plant: |i| i.attention.attention_backward = untransposed_grad_k,
    },
    Mutant {
        task: "attention_backward",
        what: "grad_q without 1 / sqrt(D)",
        plant: |i| i.attention.attention_backward = unscaled_grad_q,
    },
    Mutant {
        task: "attention_backward",
        what: "no max subtraction in the softmax: NaN for large scores",
        plant: |i| i.attention.attention_backward = unshifted_backward,
    },
    Mutant {
        task: "attention_backward",
        what: "works only on a contiguous grad_out",
        plant: |i| i.attention.attention_backward = contiguous_attention_backward,
    },
    Mutant {
        task: "attention_backward",
        what: "never checks grad_out's shape",
        plant: |i| i.attention.attention_backward = unchecked_attention_backward,
    },
];

/// `x`, or a panic when it is not contiguous (as `as_slice().expect(..)` does).
fn contiguous(x: ArrayViewD<f64>) -> ArrayViewD<f64> {
    x.as_slice().expect("a contiguous array");
    x
}

fn logistic(r: f64) -> f64 {
    activations_solution::sigmoid(ndarray::arr0(r).view())[()]
}

fn blend(
    x: ArrayViewD<f64>,
    y: ArrayViewD<f64>,
    r: ArrayViewD<f64>,
    weights: impl Fn(f64) -> (f64, f64),
) -> ArrayD<f64> {
    Zip::from(&x).and(&y).and(&r).map_collect(|&x, &y, &r| {
        let (a, b) = weights(r);
        x * a + y * b
    })
}

fn swapped(x: ArrayViewD<f64>, y: ArrayViewD<f64>, r: ArrayViewD<f64>) -> Out {
    right::gate(x.view(), y.view(), r.view())?;
    Ok(blend(x, y, r, |r| (1.0 - logistic(r), logistic(r))))
}
fn both_by_s(x: ArrayViewD<f64>, y: ArrayViewD<f64>, r: ArrayViewD<f64>) -> Out {
    right::gate(x.view(), y.view(), r.view())?;
    Ok(blend(x, y, r, |r| (logistic(r), logistic(r))))
}
fn naive_gate(x: ArrayViewD<f64>, y: ArrayViewD<f64>, r: ArrayViewD<f64>) -> Out {
    right::gate(x.view(), y.view(), r.view())?;
    Ok(blend(x, y, r, |r| (r.exp() / (1.0 + r.exp()), 1.0 - r.exp() / (1.0 + r.exp()))))
}
fn contiguous_gate(x: ArrayViewD<f64>, y: ArrayViewD<f64>, r: ArrayViewD<f64>) -> Out {
    right::gate(contiguous(x), y, r)
}
fn unchecked_gate(x: ArrayViewD<f64>, y: ArrayViewD<f64>, r: ArrayViewD<f64>) -> Out {
    // Mismatched shapes slip through as x itself.
    if y.shape() != x.shape() || r.shape() != x.shape() {
        return Ok(x.to_owned());
    }
    Ok(blend(x, y, r, |r| (logistic(r), 1.0 - logistic(r))))
}

fn without_difference(x: ArrayViewD<f64>, y: ArrayViewD<f64>, r: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Grads {
    let (gx, gy, _) = right::gate_backward(x, y, r.view(), g.view())?;
    let gr = Zip::from(&g).and(&r).map_collect(|&g, &r| g * logistic(r) * (1.0 - logistic(r)));
    Ok((gx, gy, gr))
}
fn swapped_branches(x: ArrayViewD<f64>, y: ArrayViewD<f64>, r: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Grads {
    right::gate_backward(x, y, r, g).map(|(gx, gy, gr)| (gy, gx, gr))
}
fn naive_slope(x: ArrayViewD<f64>, y: ArrayViewD<f64>, r: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Grads {
    let (gx, gy, _) = right::gate_backward(x.view(), y.view(), r.view(), g.view())?;
    let gr = Zip::from(&g).and(&x).and(&y).and(&r).map_collect(|&g, &x, &y, &r| {
        let e = (-r).exp();
        g * (x - y) * e / ((1.0 + e) * (1.0 + e))
    });
    Ok((gx, gy, gr))
}
fn contiguous_gate_backward(x: ArrayViewD<f64>, y: ArrayViewD<f64>, r: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Grads {
    right::gate_backward(x, y, r, contiguous(g))
}
fn unchecked_gate_backward(x: ArrayViewD<f64>, y: ArrayViewD<f64>, r: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Grads {
    let g = g.broadcast(x.raw_dim()).unwrap_or_else(|| x.view());
    right::gate_backward(x.view(), y, r, g)
}

/// `x` and `r` as `B x N x D` and `B x N`, or the right function's error.
fn mix_operands<'a>(
    x: ArrayViewD<'a, f64>,
    r: ArrayViewD<'a, f64>,
) -> Result<(ArrayView3<'a, f64>, ArrayView2<'a, f64>), ShapeError> {
    right::softmax_gate(x.view(), r.view())?;
    Ok((x.into_dimensionality::<Ix3>().expect("3 axes"), r.into_dimensionality::<Ix2>().expect("2 axes")))
}
/// `sum_n w[b, n] x[b, n]` for weights `w`.
fn mix_with(x: ArrayView3<f64>, w: &Array2<f64>) -> Array2<f64> {
    Array2::from_shape_fn((x.dim().0, x.dim().2), |(b, d)| (0..x.dim().1).map(|n| w[[b, n]] * x[[b, n, d]]).sum())
}
fn average(x: ArrayViewD<f64>, r: ArrayViewD<f64>) -> Mixed {
    let (x, r) = mix_operands(x, r)?;
    Ok(mix_with(x, &r.mapv(|_| 1.0 / r.ncols() as f64)))
}
fn over_batch(x: ArrayViewD<f64>, r: ArrayViewD<f64>) -> Mixed {
    let (x, r) = mix_operands(x, r)?;
    Ok(mix_with(x, &softmax_solution::softmax(r, 0)?))
}
fn proportional(x: ArrayViewD<f64>, r: ArrayViewD<f64>) -> Mixed {
    let (x, r) = mix_operands(x, r)?;
    let totals = r.sum_axis(Axis(1)).insert_axis(Axis(1));
    Ok(mix_with(x, &(&r / &totals)))
}
fn contiguous_mix(x: ArrayViewD<f64>, r: ArrayViewD<f64>) -> Mixed {
    right::softmax_gate(contiguous(x), r)
}
fn unchecked_mix(x: ArrayViewD<f64>, r: ArrayViewD<f64>) -> Mixed {
    let x =
        x.into_dimensionality::<Ix3>().map_err(|_| ShapeError::new("softmax_gate", "x of 3 axes", "another rank"))?;
    let r =
        r.into_dimensionality::<Ix2>().map_err(|_| ShapeError::new("softmax_gate", "r of 2 axes", "another rank"))?;
    let r = r.broadcast((x.dim().0, x.dim().1)).unwrap_or_else(|| x.index_axis(Axis(2), 0));
    right::softmax_gate(x, r)
}

fn no_softmax_jacobian(x: ArrayViewD<f64>, r: ArrayViewD<f64>, g: ArrayViewD<f64>) -> MixGrads {
    let (gx, _) = right::softmax_gate_backward(x.view(), r.view(), g.view())?;
    let (x, g) = (x.into_dimensionality::<Ix3>().expect("3 axes"), g.into_dimensionality::<Ix2>().expect("2 axes"));
    let grad_w = Array2::from_shape_fn((x.dim().0, x.dim().1), |(b, n)| x.slice(ndarray::s![b, n, ..]).dot(&g.row(b)));
    Ok((gx, grad_w))
}
fn unweighted_grad_x(x: ArrayViewD<f64>, r: ArrayViewD<f64>, g: ArrayViewD<f64>) -> MixGrads {
    let (gx, gr) = right::softmax_gate_backward(x, r, g.view())?;
    let g = g.into_dimensionality::<Ix2>().expect("2 axes");
    Ok((Array3::from_shape_fn(gx.raw_dim(), |(b, _, d)| g[[b, d]]), gr))
}
fn contiguous_mix_backward(x: ArrayViewD<f64>, r: ArrayViewD<f64>, g: ArrayViewD<f64>) -> MixGrads {
    right::softmax_gate_backward(x, r, contiguous(g))
}
fn unchecked_mix_backward(x: ArrayViewD<f64>, r: ArrayViewD<f64>, g: ArrayViewD<f64>) -> MixGrads {
    let shape = match x.shape() {
        &[b, _, d] => vec![b, d],
        other => other.to_vec(),
    };
    let g = g.broadcast(shape.clone()).map(|g| g.to_owned()).unwrap_or_else(|| ArrayD::zeros(shape));
    right::softmax_gate_backward(x, r, g.view())
}

/// Attention from scores to weights and values, per batch, with the given
/// scaling, mask rule (`sees(i, j)`), softmax and mask-after flag.
struct Recipe {
    scale: bool,
    sees: fn(usize, usize) -> bool,
    softmax: fn(ArrayView2<f64>) -> Array2<f64>,
    mask_after: bool,
    /// Masks as if `causal` were always on.
    always_masked: bool,
}

fn rows(s: ArrayView2<f64>) -> Array2<f64> {
    softmax_solution::softmax(s, 1).expect("an axis 1")
}
fn columns(s: ArrayView2<f64>) -> Array2<f64> {
    softmax_solution::softmax(s, 0).expect("an axis 0")
}
fn naive_rows(s: ArrayView2<f64>) -> Array2<f64> {
    let e = s.mapv(f64::exp);
    let totals = e.sum_axis(Axis(1)).insert_axis(Axis(1));
    &e / &totals
}
const RIGHT: Recipe =
    Recipe { scale: true, sees: |i, j| j <= i, softmax: rows, mask_after: false, always_masked: false };

impl Recipe {
    /// The weights of one batch.
    fn weights(&self, q: ArrayView2<f64>, k: ArrayView2<f64>, causal: bool) -> Array2<f64> {
        let scale = if self.scale { 1.0 / (q.ncols() as f64).sqrt() } else { 1.0 };
        let mut s = q.dot(&k.t()) * scale;
        let hidden = |i, j| (causal || self.always_masked) && !(self.sees)(i, j);
        if !self.mask_after {
            s.indexed_iter_mut().filter(|&((i, j), _)| hidden(i, j)).for_each(|(_, v)| *v = f64::NEG_INFINITY);
        }
        let mut p = (self.softmax)(s.view());
        if self.mask_after {
            p.indexed_iter_mut().filter(|&((i, j), _)| hidden(i, j)).for_each(|(_, v)| *v = 0.0);
        }
        p
    }

    fn attend(&self, q: ArrayViewD<f64>, k: ArrayViewD<f64>, v: ArrayViewD<f64>, causal: bool) -> Attended {
        right::attention(q.view(), k.view(), v.view(), causal)?;
        let [q, k, v] = [q, k, v].map(|a| a.into_dimensionality::<Ix3>().expect("3 axes"));
        let mut out = Array3::zeros((q.dim().0, q.dim().1, v.dim().2));
        for b in 0..q.dim().0 {
            let p = self.weights(q.index_axis(Axis(0), b), k.index_axis(Axis(0), b), causal);
            out.index_axis_mut(Axis(0), b).assign(&p.dot(&v.index_axis(Axis(0), b)));
        }
        Ok(out)
    }

    /// The backward, with grad_k computed by `grad_k(grad_s, q)` (before the scale).
    fn backward(
        &self,
        [q, k, v]: [ArrayViewD<f64>; 3],
        causal: bool,
        g: ArrayViewD<f64>,
        grad_k: fn(&Array2<f64>, ArrayView2<f64>) -> Array2<f64>,
        scale_q: bool,
    ) -> AttentionGrads {
        right::attention_backward(q.view(), k.view(), v.view(), causal, g.view())?;
        let [q, k, v, g] = [q, k, v, g].map(|a| a.into_dimensionality::<Ix3>().expect("3 axes"));
        let scale = 1.0 / (q.dim().2 as f64).sqrt();
        let (mut gq, mut gk, mut gv) =
            (Array3::zeros(q.raw_dim()), Array3::zeros(k.raw_dim()), Array3::zeros(v.raw_dim()));
        for b in 0..q.dim().0 {
            let (qb, kb, vb, g) = (
                q.index_axis(Axis(0), b),
                k.index_axis(Axis(0), b),
                v.index_axis(Axis(0), b),
                g.index_axis(Axis(0), b),
            );
            let p = self.weights(qb, kb, causal);
            gv.index_axis_mut(Axis(0), b).assign(&p.t().dot(&g));
            let grad_p = g.dot(&vb.t());
            let dots = (&grad_p * &p).sum_axis(Axis(1)).insert_axis(Axis(1));
            let grad_s = &p * &(&grad_p - &dots);
            gq.index_axis_mut(Axis(0), b).assign(&(grad_s.dot(&kb) * if scale_q { scale } else { 1.0 }));
            gk.index_axis_mut(Axis(0), b).assign(&(grad_k(&grad_s, qb) * scale));
        }
        Ok((gq, gk, gv))
    }
}

fn unscaled(q: ArrayViewD<f64>, k: ArrayViewD<f64>, v: ArrayViewD<f64>, causal: bool) -> Attended {
    Recipe { scale: false, ..RIGHT }.attend(q, k, v, causal)
}
fn over_queries(q: ArrayViewD<f64>, k: ArrayViewD<f64>, v: ArrayViewD<f64>, causal: bool) -> Attended {
    Recipe { softmax: columns, ..RIGHT }.attend(q, k, v, causal)
}
fn peeking(q: ArrayViewD<f64>, k: ArrayViewD<f64>, v: ArrayViewD<f64>, causal: bool) -> Attended {
    Recipe { sees: |i, j| j <= i + 1, ..RIGHT }.attend(q, k, v, causal)
}
fn masked_after(q: ArrayViewD<f64>, k: ArrayViewD<f64>, v: ArrayViewD<f64>, causal: bool) -> Attended {
    Recipe { mask_after: true, ..RIGHT }.attend(q, k, v, causal)
}
fn unshifted(q: ArrayViewD<f64>, k: ArrayViewD<f64>, v: ArrayViewD<f64>, causal: bool) -> Attended {
    Recipe { softmax: naive_rows, ..RIGHT }.attend(q, k, v, causal)
}
fn always_masked(q: ArrayViewD<f64>, k: ArrayViewD<f64>, v: ArrayViewD<f64>, causal: bool) -> Attended {
    Recipe { always_masked: true, ..RIGHT }.attend(q, k, v, causal)
}
fn contiguous_attention(q: ArrayViewD<f64>, k: ArrayViewD<f64>, v: ArrayViewD<f64>, causal: bool) -> Attended {
    right::attention(contiguous(q), k, v, causal)
}
fn unchecked_attention(q: ArrayViewD<f64>, k: ArrayViewD<f64>, v: ArrayViewD<f64>, causal: bool) -> Attended {
    let [q, k, v] = [q, k, v].map(|a| a.into_dimensionality::<Ix3>());
    let (Ok(q), Ok(k), Ok(v)) = (q, k, v) else { return Ok(Array3::zeros((1, 1, 1))) };
    let mut out = Array3::zeros((q.dim().0, q.dim().1, v.dim().2));
    for b in 0..q.dim().0.min(k.dim().0).min(v.dim().0) {
        let (qb, kb, vb) = (q.index_axis(Axis(0), b), k.index_axis(Axis(0), b), v.index_axis(Axis(0), b));
        let d = qb.ncols().min(kb.ncols());
        let s = qb.slice(ndarray::s![.., ..d]).dot(&kb.slice(ndarray::s![.., ..d]).t()) / (d as f64).sqrt();
        let tk = kb.nrows().min(vb.nrows());
        let mut s = s.slice(ndarray::s![.., ..tk]).to_owned();
        if causal {
            s.indexed_iter_mut().filter(|&((i, j), _)| j > i).for_each(|(_, v)| *v = f64::NEG_INFINITY);
        }
        out.index_axis_mut(Axis(0), b).assign(&rows(s.view()).dot(&vb.slice(ndarray::s![..tk, ..])));
    }
    Ok(out)
}

fn transposed(grad_s: &Array2<f64>, q: ArrayView2<f64>) -> Array2<f64> {
    grad_s.t().dot(&q)
}
fn untransposed(grad_s: &Array2<f64>, q: ArrayView2<f64>) -> Array2<f64> {
    // grad_k[j] = sum_i grad_s[j, i] q[i]: the indices of grad_s swapped, where they exist.
    let (tq, tk) = grad_s.dim();
    Array2::from_shape_fn((tk, q.ncols()), |(j, d)| {
        (0..tq).filter(|&i| j < tq && i < tk).map(|i| grad_s[[j, i]] * q[[i, d]]).sum()
    })
}
fn untransposed_grad_k(
    q: ArrayViewD<f64>,
    k: ArrayViewD<f64>,
    v: ArrayViewD<f64>,
    causal: bool,
    g: ArrayViewD<f64>,
) -> AttentionGrads {
    RIGHT.backward([q, k, v], causal, g, untransposed, true)
}
fn unscaled_grad_q(
    q: ArrayViewD<f64>,
    k: ArrayViewD<f64>,
    v: ArrayViewD<f64>,
    causal: bool,
    g: ArrayViewD<f64>,
) -> AttentionGrads {
    RIGHT.backward([q, k, v], causal, g, transposed, false)
}
fn unshifted_backward(
    q: ArrayViewD<f64>,
    k: ArrayViewD<f64>,
    v: ArrayViewD<f64>,
    causal: bool,
    g: ArrayViewD<f64>,
) -> AttentionGrads {
    Recipe { softmax: naive_rows, ..RIGHT }.backward([q, k, v], causal, g, transposed, true)
}
fn contiguous_attention_backward(
    q: ArrayViewD<f64>,
    k: ArrayViewD<f64>,
    v: ArrayViewD<f64>,
    causal: bool,
    g: ArrayViewD<f64>,
) -> AttentionGrads {
    right::attention_backward(q, k, v, causal, contiguous(g))
}
fn unchecked_attention_backward(
    q: ArrayViewD<f64>,
    k: ArrayViewD<f64>,
    v: ArrayViewD<f64>,
    causal: bool,
    g: ArrayViewD<f64>,
) -> AttentionGrads {
    let expected = match (q.shape(), v.shape()) {
        (&[b, tq, _], &[_, _, dv]) => vec![b, tq, dv],
        _ => q.shape().to_vec(),
    };
    let g = g.broadcast(expected.clone()).map(|g| g.to_owned()).unwrap_or_else(|| ArrayD::zeros(expected));
    right::attention_backward(q, k, v, causal, g.view())
}

fn empty_gate_backward(x: ArrayViewD<f64>, y: ArrayViewD<f64>, r: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Grads {
    super::first_element(&x);
    right::gate_backward(x, y, r, g)
}
fn empty_softmax_gate(x: ArrayViewD<f64>, r: ArrayViewD<f64>) -> Mixed {
    super::first_element(&x);
    right::softmax_gate(x, r)
}
fn empty_softmax_gate_backward(x: ArrayViewD<f64>, r: ArrayViewD<f64>, g: ArrayViewD<f64>) -> MixGrads {
    super::first_element(&x);
    right::softmax_gate_backward(x, r, g)
}
fn empty_attention(q: ArrayViewD<f64>, k: ArrayViewD<f64>, v: ArrayViewD<f64>, causal: bool) -> Attended {
    super::first_element(&q);
    right::attention(q, k, v, causal)
}
fn empty_attention_backward(
    q: ArrayViewD<f64>,
    k: ArrayViewD<f64>,
    v: ArrayViewD<f64>,
    causal: bool,
    g: ArrayViewD<f64>,
) -> AttentionGrads {
    super::first_element(&q);
    right::attention_backward(q, k, v, causal, g)
}

fn empty_gate(x: ArrayViewD<f64>, y: ArrayViewD<f64>, r: ArrayViewD<f64>) -> Out {
    super::first_element(&x);
    right::gate(x, y, r)
}
