//! Scaled dot-product attention and its gradients.

use ndarray::{Array2, Array3, ArrayView2, ArrayView3, Axis, Zip};
use softmax_solution::softmax;
// BEGIN HIDDEN
use std::ops::Range;

use ndarray::s;
use rayon::prelude::*;

use self::product::{Limit, Operand, product};

mod product;
// END HIDDEN

/// `softmax(q k^T / sqrt(D)) v` for every batch, the keys after each query
/// masked out when `causal`.
pub fn forward(q: ArrayView3<f64>, k: ArrayView3<f64>, v: ArrayView3<f64>, causal: bool) -> Array3<f64> {
    // BEGIN SOLUTION: per batch: scores = q k^T / sqrt(D), -inf above the diagonal when causal, weights = softmax over the keys (dim 1), out = weights v
    // HINT(attention): Softmax over the keys of (Q Kᵀ/√D), then the weighted sum of V's rows.
    // HINT(attention): When causal, query i sees only keys j ≤ i: −inf before the softmax, and shift by the row max.
    // HINT(attention): Pitfalls: no 1/√D, softmax over queries; a mask off by one, after softmax, or when not causal.
    // Batches run in parallel; in each, blocks of queries (see `blocks`).
    let (batch, tq, d) = q.dim();
    let work = tq * k.dim().1 * (d + v.dim().2);
    let batches: Vec<Array2<f64>> = in_parallel(batch, work, |b| {
        let (q, k, v) = (q.index_axis(Axis(0), b), k.index_axis(Axis(0), b), v.index_axis(Axis(0), b));
        let (k_t, v) = (Operand::transposed(k), Operand::copy(v));
        let mut out = Array2::zeros((q.nrows(), v.view().ncols()));
        for (rows, keys) in blocks(q.nrows(), k.nrows(), causal) {
            let first = rows.start;
            let weights = softmax(scores(q.slice(s![rows.clone(), ..]), &k_t, keys, first, causal).view(), 1)
                .expect("scores have an axis 1");
            let limit = if causal { Limit::Below { first } } else { Limit::None };
            product(1.0, weights.view(), v.rows_from(0), false, out.slice_mut(s![rows, ..]), limit);
        }
        out
    });
    let mut out = Array3::zeros((q.dim().0, q.dim().1, v.dim().2));
    out.outer_iter_mut().zip(&batches).for_each(|(mut out, batch)| out.assign(batch));
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
    // BEGIN SOLUTION: per batch with P = the weights: grad_v = P^T g, grad_P = g v^T, grad_S = P * (grad_P - the row sums of P * grad_P) (softmax's backward), grad_q = grad_S k / sqrt(D), grad_k = grad_S^T q / sqrt(D)
    // HINT(attention_backward): Reverse the three steps: out = P V, P = row softmax, scores = Q Kᵀ/√D.
    // HINT(attention_backward): Recompute P; V's grad via Pᵀ, P's via Vᵀ, scores' via softmax backward, then Q's, K's.
    // HINT(attention_backward): Pitfalls: no transpose in grad_K, no 1/√D in grad_Q and grad_K, an unshifted softmax.
    let scale = scale(q.dim().2);
    let (batch, tq, d) = q.dim();
    // Five products per batch element: the scores, and the gradients of v,
    // of the weights, of q and of k.
    let work = tq * k.dim().1 * (3 * d + 2 * v.dim().2);
    let batches: Vec<BatchGrads> = in_parallel(batch, work, |b| {
        let [q, k, v, g] = [q, k, v, grad_out].map(|x| x.index_axis_move(Axis(0), b));
        let (mut grad_q, mut grad_k, mut grad_v) =
            (Array2::zeros(q.raw_dim()), Array2::zeros(k.raw_dim()), Array2::zeros(v.raw_dim()));
        let (k_t, v_t) = (Operand::transposed(k), Operand::transposed(v));
        let [q, k, g] = [q, k, g].map(Operand::copy);
        for (rows, keys) in blocks(q.view().nrows(), k.view().nrows(), causal) {
            let first = rows.start;
            let [below, above, columns] = if causal {
                [Limit::Below { first }, Limit::Above { first }, Limit::Columns { first }]
            } else {
                [Limit::None; 3]
            };
            let (q_rows, g_rows) =
                (q.view().slice_move(s![rows.clone(), ..]), g.view().slice_move(s![rows.clone(), ..]));
            let p = softmax(scores(q_rows, &k_t, keys, first, causal).view(), 1).expect("scores have an axis 1");
            product(1.0, p.t(), g.rows_from(first), true, grad_v.slice_mut(s![..keys, ..]), above);
            // The softmax's backward from its output p, not recomputed
            // from the scores: grad_s = p * (grad_p - rowsum(p * grad_p)).
            // The masked scores' grad_p is never computed, and stays 0.
            let mut grad_s = Array2::zeros(p.raw_dim());
            product(1.0, g_rows, v_t.rows_from(0), false, grad_s.view_mut(), columns);
            Zip::from(grad_s.rows_mut()).and(p.rows()).for_each(|mut grad, p| {
                let weighted = grad.dot(&p);
                grad.zip_mut_with(&p, |grad, &p| *grad = p * (*grad - weighted));
            });
            product(scale, grad_s.view(), k.rows_from(0), false, grad_q.slice_mut(s![rows, ..]), below);
            product(scale, grad_s.t(), q.rows_from(first), true, grad_k.slice_mut(s![..keys, ..]), above);
        }
        (grad_q, grad_k, grad_v)
    });
    let (mut grad_q, mut grad_k, mut grad_v) =
        (Array3::zeros(q.raw_dim()), Array3::zeros(k.raw_dim()), Array3::zeros(v.raw_dim()));
    for (b, (gq, gk, gv)) in batches.iter().enumerate() {
        grad_q.index_axis_mut(Axis(0), b).assign(gq);
        grad_k.index_axis_mut(Axis(0), b).assign(gk);
        grad_v.index_axis_mut(Axis(0), b).assign(gv);
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

/// The gradients of one batch element.
type BatchGrads = (Array2<f64>, Array2<f64>, Array2<f64>);

/// Below this many multiply-adds a call runs on the calling thread: on the
/// course's 2-core virtual machines, waking a pool thread that has gone to
/// sleep takes up to 0.1 ms, the time of about a million multiply-adds.
const THREAD_THRESHOLD: usize = 1 << 20;

/// `f(b)` for every batch element `b` in `0..batch`, in order, where each
/// costs about `work` multiply-adds: one run of consecutive elements per
/// thread of rayon's pool, or all on the calling thread for small calls.
fn in_parallel<T: Send>(batch: usize, work: usize, f: impl Fn(usize) -> T + Sync + Send) -> Vec<T> {
    let threads = rayon::current_num_threads().min(batch);
    if threads <= 1 || batch.saturating_mul(work) < THREAD_THRESHOLD {
        return (0..batch).map(f).collect();
    }
    let run = batch.div_ceil(threads);
    let runs: Vec<Vec<T>> =
        (0..threads).into_par_iter().map(|t| (t * run..((t + 1) * run).min(batch)).map(&f).collect()).collect();
    runs.into_iter().flatten().collect()
}

/// Queries per block: fewer with the causal mask, whose products skip
/// what it spares tile by tile, but whose softmax runs over the block's
/// whole width. On causal attention of `cargo bench`, 32 ran faster than
/// 16, 64 or 128; without the mask, 64 faster than 32.
const BLOCK: usize = 64;
const CAUSAL_BLOCK: usize = 32;

/// The blocks of queries and, for each, how many keys it sees: all of
/// them, or with `causal` the keys up to the block's last query. The keys
/// past it are masked for all of the block's queries: nothing of theirs
/// is computed, which saves almost half of the work on long sequences.
/// Blocks also keep the scores small: a matrix of 128 KiB or more is a
/// fresh `mmap` from the allocator at every call, and two threads faulting
/// its pages in wait for each other in the kernel.
fn blocks(queries: usize, keys: usize, causal: bool) -> Vec<(Range<usize>, usize)> {
    let size = if causal { CAUSAL_BLOCK } else { BLOCK };
    let seen = |end: usize| if causal { end.min(keys) } else { keys };
    (0..queries).step_by(size).map(|i| (i..(i + size).min(queries), seen(i + size))).collect()
}

/// The scaled scores `q k^T / sqrt(D)` of a block of queries against the
/// first `keys` keys, the first query being query `first`, with `-inf`
/// where a query would see a later key when `causal`; `k_t` is `k^T`.
fn scores(q: ArrayView2<f64>, k_t: &Operand, keys: usize, first: usize, causal: bool) -> Array2<f64> {
    // The factor goes into the product (no second pass over the scores).
    let mut s = Array2::zeros((q.nrows(), keys));
    let limit = if causal { Limit::Columns { first } } else { Limit::None };
    product(scale(q.ncols()), q, k_t.rows_from(0), false, s.view_mut(), limit);
    if causal {
        // Only the keys after query `first + i` in row i: a slice each.
        for (i, mut row) in s.rows_mut().into_iter().enumerate() {
            row.slice_mut(s![(first + i + 1).min(keys)..]).fill(f64::NEG_INFINITY);
        }
    }
    s
}

// END HIDDEN
