//! Scaled dot-product attention and its gradients.

use ndarray::{Array2, Array3, ArrayView2, ArrayView3, Axis, Zip};
// BEGIN HIDDEN
// For the stub, where a first solution calls it; this one calls `softmax_rows`.
#[allow(unused_imports)]
// END HIDDEN
use softmax_solution::softmax;
// BEGIN HIDDEN
use std::ops::Range;

use ndarray::{ArrayViewMut2, ArrayViewMut3, s};
use rayon::prelude::*;
use softmax_solution::softmax_rows;

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
    // Runs of batch elements in parallel; in each, blocks of queries (see
    // `blocks`), and buffers reused from one element and block to the next.
    let ((batch, tq, d), (tk, dv)) = (q.dim(), (k.dim().1, v.dim().2));
    let mut out = Array3::zeros((batch, tq, dv));
    in_runs(batch, tq * tk * (d + dv), [&mut out], |start, [mut out]| {
        let (mut k_t, mut v_rows, mut weights) = (Operand::zeros(d, tk), Operand::zeros(tk, dv), Weights::new(tk));
        for (b, mut out) in (start..).zip(out.outer_iter_mut()) {
            k_t.set_transposed(k.index_axis(Axis(0), b));
            v_rows.set(v.index_axis(Axis(0), b));
            for (rows, keys) in blocks(tq, tk, causal) {
                let first = rows.start;
                let p = weights.of(q.slice(s![b, rows.clone(), ..]), &k_t, keys, first, causal);
                let limit = if causal { Limit::Below { first } } else { Limit::None };
                product(1.0, p, v_rows.rows_from(0), false, out.slice_mut(s![rows, ..]), limit);
            }
        }
    });
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
    let ((batch, tq, d), (tk, dv)) = (q.dim(), (k.dim().1, v.dim().2));
    let scale = scale(d);
    let (mut grad_q, mut grad_k, mut grad_v) =
        (Array3::zeros(q.raw_dim()), Array3::zeros(k.raw_dim()), Array3::zeros(v.raw_dim()));
    // Five products per batch element: the scores, and the gradients of v,
    // of the weights, of q and of k.
    let work = tq * tk * (3 * d + 2 * dv);
    in_runs(batch, work, [&mut grad_q, &mut grad_k, &mut grad_v], |start, [mut grad_q, mut grad_k, mut grad_v]| {
        let (mut k_t, mut v_t) = (Operand::zeros(d, tk), Operand::zeros(dv, tk));
        let (mut q_rows, mut k_rows, mut g_rows) =
            (Operand::zeros(tq, d), Operand::zeros(tk, d), Operand::zeros(tq, dv));
        let (mut weights, mut scratch) = (Weights::new(tk), Array2::zeros((BLOCK, tk)));
        for (b, ((mut grad_q, mut grad_k), mut grad_v)) in
            (start..).zip(grad_q.outer_iter_mut().zip(grad_k.outer_iter_mut()).zip(grad_v.outer_iter_mut()))
        {
            let [q, k, v, g] = [q, k, v, grad_out].map(|x| x.index_axis_move(Axis(0), b));
            k_t.set_transposed(k);
            v_t.set_transposed(v);
            q_rows.set(q);
            k_rows.set(k);
            g_rows.set(g);
            for (rows, keys) in blocks(tq, tk, causal) {
                let first = rows.start;
                let [below, above, columns] = if causal {
                    [Limit::Below { first }, Limit::Above { first }, Limit::Columns { first }]
                } else {
                    [Limit::None; 3]
                };
                let (q_block, g_block) =
                    (q_rows.view().slice_move(s![rows.clone(), ..]), g_rows.view().slice_move(s![rows.clone(), ..]));
                let p = weights.of(q_block, &k_t, keys, first, causal);
                product(1.0, p.t(), g_rows.rows_from(first), true, grad_v.slice_mut(s![..keys, ..]), above);
                // The softmax's backward from its output p, not recomputed
                // from the scores: grad_s = p * (grad_p - rowsum(p * grad_p)).
                let mut grad_s = block(&mut scratch, p.nrows(), keys);
                product(1.0, g_block, v_t.rows_from(0), false, grad_s.view_mut(), columns);
                Zip::indexed(grad_s.rows_mut()).and(p.rows()).for_each(|i, mut grad, p| {
                    let (grad, p) = (grad.as_slice_mut().expect("a row"), p.as_slice().expect("a row"));
                    // The masked weights are 0, and so are their gradients.
                    let (grad, masked) = grad.split_at_mut(seen(first + i, keys, causal));
                    let weighted = dot(grad, &p[..grad.len()]);
                    grad.iter_mut().zip(p).for_each(|(grad, &p)| *grad = p * (*grad - weighted));
                    masked.fill(0.0);
                });
                product(scale, grad_s.view(), k_rows.rows_from(0), false, grad_q.slice_mut(s![rows, ..]), below);
                product(scale, grad_s.t(), q_rows.rows_from(first), true, grad_k.slice_mut(s![..keys, ..]), above);
            }
        }
    });
    (grad_q, grad_k, grad_v)
    // END SOLUTION
}

// BEGIN HIDDEN
/// `1 / sqrt(D)`, the factor of the scores. With `D = 0` every score is an
/// empty dot product, 0, and stays 0 (not 0 / 0): the factor is then 1.
fn scale(d: usize) -> f64 {
    if d == 0 { 1.0 } else { 1.0 / (d as f64).sqrt() }
}

/// Below this many multiply-adds a call runs on the calling thread: on the
/// course's 2-core virtual machines, waking a pool thread that has gone to
/// sleep takes up to 0.1 ms, the time of about a million multiply-adds.
const THREAD_THRESHOLD: usize = 1 << 20;

/// `f(first, parts)` for runs of consecutive batch elements, one per thread
/// of rayon's pool (or one run on the calling thread for calls of less than
/// [`THREAD_THRESHOLD`] multiply-adds, each element costing `work`):
/// `first` is the run's first element and `parts` its part of each of
/// `outputs`, which the runs write in place.
fn in_runs<const N: usize>(
    batch: usize,
    work: usize,
    outputs: [&mut Array3<f64>; N],
    f: impl Fn(usize, [ArrayViewMut3<f64>; N]) + Sync + Send,
) {
    let threads = if batch.saturating_mul(work) < THREAD_THRESHOLD { 1 } else { rayon::current_num_threads() };
    let run = batch.div_ceil(threads.clamp(1, batch.max(1))).max(1);
    let mut parts = outputs.map(|x| x.axis_chunks_iter_mut(Axis(0), run));
    let runs: Vec<_> =
        (0..batch).step_by(run).map(|first| (first, parts.each_mut().map(|p| p.next().expect("a run")))).collect();
    if runs.len() > 1 {
        runs.into_par_iter().for_each(|(first, parts)| f(first, parts));
    } else {
        runs.into_iter().for_each(|(first, parts)| f(first, parts));
    }
}

/// Queries per block: fewer with the causal mask. On causal attention of
/// `cargo bench`, 32 ran a few percent faster than 16 or 64; without the
/// mask, 64 faster than 32.
const BLOCK: usize = 64;
const CAUSAL_BLOCK: usize = 32;

/// The blocks of queries and, for each, how many keys it sees: all of
/// them, or with `causal` the keys up to the block's last query. The keys
/// past it are masked for all of the block's queries: nothing of theirs
/// is computed, which saves almost half of the work on long sequences.
/// Blocks also keep the scores small enough to stay in the cache from the
/// product that writes them to the ones that read them.
fn blocks(queries: usize, keys: usize, causal: bool) -> Vec<(Range<usize>, usize)> {
    let size = if causal { CAUSAL_BLOCK } else { BLOCK };
    let seen = |end: usize| if causal { end.min(keys) } else { keys };
    (0..queries).step_by(size).map(|i| (i..(i + size).min(queries), seen(i + size))).collect()
}

/// The keys query `query` sees out of `keys`: those up to itself when
/// `causal`.
fn seen(query: usize, keys: usize, causal: bool) -> usize {
    if causal { (query + 1).min(keys) } else { keys }
}

/// A block's weights, `softmax(q k^T / sqrt(D))` over the keys it sees,
/// in buffers that one batch element and block after another reuse.
struct Weights {
    scores: Array2<f64>,
    weights: Array2<f64>,
}

impl Weights {
    /// Buffers for blocks of up to [`BLOCK`] queries and `keys` keys.
    fn new(keys: usize) -> Self {
        Weights { scores: Array2::zeros((BLOCK, keys)), weights: Array2::zeros((BLOCK, keys)) }
    }

    /// The weights of the queries `q` (the first being query `first`)
    /// against the first `keys` keys, `k_t` being `k^T`, and 0 where a
    /// query would see a later key when `causal`. The masked scores are
    /// never computed (to the nearest tile) nor exponentiated: each row's
    /// softmax runs over the keys it sees.
    fn of(
        &mut self,
        q: ArrayView2<f64>,
        k_t: &Operand,
        keys: usize,
        first: usize,
        causal: bool,
    ) -> ArrayView2<'_, f64> {
        let (m, size) = (q.nrows(), q.nrows() * keys);
        let (mut scores, mut weights) = (block(&mut self.scores, m, keys), block(&mut self.weights, m, keys));
        // The factor goes into the product (no second pass over the scores).
        let limit = if causal { Limit::Columns { first } } else { Limit::None };
        product(scale(q.ncols()), q, k_t.rows_from(0), false, scores.view_mut(), limit);
        Zip::indexed(scores.rows()).and(weights.rows_mut()).for_each(|i, scores, mut weights| {
            let (scores, weights) = (scores.as_slice().expect("a row"), weights.as_slice_mut().expect("a row"));
            let n = seen(first + i, keys, causal);
            softmax_rows(&scores[..n], &mut weights[..n], n);
            weights[n..].fill(0.0);
        });
        ArrayView2::from_shape((m, keys), &self.weights.as_slice().expect("a buffer")[..size]).expect("a block")
    }
}

/// The first `m x keys` numbers of `buffer`, as a matrix of that shape.
fn block(buffer: &mut Array2<f64>, m: usize, keys: usize) -> ArrayViewMut2<'_, f64> {
    let numbers = &mut buffer.as_slice_mut().expect("a buffer")[..m * keys];
    ArrayViewMut2::from_shape((m, keys), numbers).expect("a block")
}

/// The dot product of `a` and `b`, in eight independent lanes that the
/// compiler turns into SIMD (a sum in order cannot be).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut lanes = [0.0; 8];
    let (chunks_a, chunks_b) = (a.chunks_exact(8), b.chunks_exact(8));
    let rest: f64 = chunks_a.remainder().iter().zip(chunks_b.remainder()).map(|(a, b)| a * b).sum();
    for (a, b) in chunks_a.zip(chunks_b) {
        for l in 0..8 {
            lanes[l] += a[l] * b[l];
        }
    }
    lanes.iter().sum::<f64>() + rest
}

// END HIDDEN
