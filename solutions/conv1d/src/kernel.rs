//! The two functions you write: the convolution and its backward.
//!
//! The inputs are valid and not empty (the public functions checked them,
//! and answered empty ones themselves) but may be in any layout: a permuted
//! or sliced view is as good as a fresh array.

use ndarray::{Array3, ArrayView3};
// BEGIN HIDDEN
mod winograd;

use std::ops::Range;

use ndarray::{Array2, ArrayView2, ArrayViewMut2, linalg::general_mat_mul, s};
use rayon::prelude::*;
use winograd::Winograd;
// END HIDDEN

/// `out[b, o, t] = sum over c, k of w[o, c, k] * x[b, c, t + k]`, where
/// positions past the right edge of `x` read as zero.
///
/// `input` is `B x Cin x W`, `weight` is `Cout x Cin x K`, the result is
/// `B x Cout x W`.
pub fn forward(input: ArrayView3<f64>, weight: ArrayView3<f64>) -> Array3<f64> {
    // BEGIN SOLUTION: for every output position, add up weight times input over the channels and the kernel, reading zero past the right edge
    // HINT(conv1d_forward): Output t sums w × x over all input channels and taps k, at t + k: no flip, width stays W.
    // HINT(conv1d_forward): Zero past the right edge: skip those terms; K may be > W. (0,1,2,3), (1,2,3) → (8,14,8,3).
    // HINT(conv1d_forward): Pitfalls: flipped kernel, right-end anchor, wrap-around, a shrunk output, channel 0 only.
    // Taps past the right edge read only zeros: a kernel wider than the
    // input works as one of the input's width.
    let weight = weight.slice(s![.., .., ..weight.dim().2.min(input.dim().2)]);
    let shape = Shape::of(input, weight);
    if shape.is_empty() {
        return Array3::zeros(shape.output_dim());
    }
    let x = input.as_standard_layout();
    let x = x.as_slice().expect("a standard layout is one slice");
    let w = weight.as_standard_layout();
    let w = shape.weight_matrix(w.as_slice().expect("a standard layout is one slice"));
    let winograd = shape.winograd();
    let u =
        winograd.as_ref().map(|winograd| winograd.weights(w.as_slice().expect("a standard layout"), shape.cout, false));
    let mut out = vec![0.0; shape.batch * shape.output_len()];
    for_each_batch_slice(&shape, 1, &mut out, shape.output_len(), |sequences, outs| {
        if let (Some(winograd), Some(u)) = (&winograd, &u) {
            return winograd.convolve(u, shape.run(x, shape.cin, &sequences), shape.cin, shape.width, 0, outs);
        }
        // The windows of one block at a time: a small matrix that stays in
        // cache between being written and being multiplied.
        let mut cols = vec![0.0; shape.rows() * shape.block_columns()];
        let mut product = Array2::zeros((shape.cout, shape.block_columns()));
        let first = sequences.start;
        for (block, span) in shape.blocks(sequences) {
            let columns = block.len() * span.len();
            for (i, b) in block.clone().enumerate() {
                shape.unfold(&x[b * shape.image_len()..][..shape.image_len()], &span, &mut cols, columns, i);
            }
            // (Cout x rows) times (rows x columns): the block's outputs,
            // then each sequence's part to its place.
            let mut product = product.slice_mut(s![.., ..columns]);
            general_mat_mul(1.0, &w, &shape.columns(columns, &cols), 0.0, &mut product);
            // Row by row with `copy_from_slice`: an ndarray `assign` of the
            // same numbers took three times as long.
            for (i, b) in block.enumerate() {
                let out = &mut outs[(b - first) * shape.output_len()..][..shape.output_len()];
                for (out, part) in out.chunks_exact_mut(shape.width).zip(product.rows()) {
                    let part = &part.to_slice().expect("a row of a standard matrix")[i * span.len()..][..span.len()];
                    out[span.clone()].copy_from_slice(part);
                }
            }
        }
    });
    Array3::from_shape_vec(shape.output_dim(), out).expect("the output has B * Cout * W elements")
    // END SOLUTION
}

/// The gradients of `L = sum(grad_out * forward(input, weight))`:
/// `(dL/d input, dL/d weight)`.
///
/// `grad_input[b, c, p]` collects `w[o, c, k] * grad_out[b, o, p - k]` over
/// every output that read `x[b, c, p]`; `grad_weight[o, c, k]` is
/// `sum over b, t of grad_out[b, o, t] * x[b, c, t + k]`.
pub fn backward(
    input: ArrayView3<f64>,
    weight: ArrayView3<f64>,
    grad_out: ArrayView3<f64>,
) -> (Array3<f64>, Array3<f64>) {
    // BEGIN SOLUTION: send each grad_out entry back to the inputs and weights that produced it: grad_input is grad_out convolved with the reversed kernel anchored at the right, grad_weight sums grad_out times the input window over the batch
    // HINT(conv1d_backward): Each term is one w × one x: x's gradient gets grad_out × w, and w's gets grad_out × x.
    // HINT(conv1d_backward): grad_weight: sum over batch and positions; grad_input: reversed kernel, right-anchored.
    // HINT(conv1d_backward): Pitfalls: grad_weight not summed over batch, an unreversed kernel, terms past the edge.
    let full = weight.raw_dim();
    // Taps past the right edge read only zeros: a kernel wider than the
    // input works as one of the input's width.
    let weight = weight.slice(s![.., .., ..weight.dim().2.min(input.dim().2)]);
    let shape = Shape::of(input, weight);
    if shape.is_empty() {
        return (Array3::zeros(input.raw_dim()), Array3::zeros(full));
    }
    let x = input.as_standard_layout();
    let x = x.as_slice().expect("a standard layout is one slice");
    let g = grad_out.as_standard_layout();
    let g = g.as_slice().expect("a standard layout is one slice");
    let w = weight.as_standard_layout();
    let w = shape.weight_matrix(w.as_slice().expect("a standard layout is one slice"));
    // The input's gradient is a convolution of `grad_out` with the kernel
    // reversed, from `Cout` channels to `Cin`.
    let winograd = shape.winograd();
    let reversed =
        winograd.as_ref().map(|winograd| winograd.weights(w.as_slice().expect("a standard layout"), shape.cin, true));
    let mut grad_input = vec![0.0; shape.batch * shape.image_len()];
    // Two matrix products per block, each as big as the forward's.
    let partial_sums = for_each_batch_slice(&shape, 2, &mut grad_input, shape.image_len(), |sequences, grad_inputs| {
        if let (Some(winograd), Some(reversed)) = (&winograd, &reversed) {
            let (x, g) = (shape.run(x, shape.cin, &sequences), shape.run(g, shape.cout, &sequences));
            winograd.convolve(reversed, g, shape.cout, shape.width, shape.k - 1, grad_inputs);
            let grad_weight = winograd.weight_gradient(x, g, shape.cin, shape.cout, shape.width);
            return Array2::from_shape_vec((shape.cout, shape.rows()), grad_weight).expect("Cout x (Cin * K)");
        }
        let mut grad_weight = Array2::zeros((shape.cout, shape.rows()));
        let mut cols = vec![0.0; shape.rows() * shape.block_columns()];
        let mut grads = Array2::zeros((shape.cout, shape.block_columns()));
        let first = sequences.start;
        for (block, span) in shape.blocks(sequences) {
            let columns = block.len() * span.len();
            let mut grads = grads.slice_mut(s![.., ..columns]);
            for (i, b) in block.clone().enumerate() {
                shape.unfold(&x[b * shape.image_len()..][..shape.image_len()], &span, &mut cols, columns, i);
                let g = &g[b * shape.output_len()..][..shape.output_len()];
                for (mut grads, g) in grads.rows_mut().into_iter().zip(g.chunks_exact(shape.width)) {
                    let grads = &mut grads.as_slice_mut().expect("a row of a standard matrix")[i * span.len()..];
                    grads[..span.len()].copy_from_slice(&g[span.clone()]);
                }
            }
            // dL/dw += grad_out (Cout x columns) times the windows' transpose (columns x rows).
            general_mat_mul(1.0, &grads, &shape.columns(columns, &cols).t(), 1.0, &mut grad_weight);
            // dL/dcols = w^T (rows x Cout) times grad_out (Cout x columns), then
            // every window entry goes back to the position it was read from.
            general_mat_mul(1.0, &w.t(), &grads, 0.0, &mut shape.columns_mut(columns, &mut cols));
            for (i, b) in block.enumerate() {
                let grad_input = &mut grad_inputs[(b - first) * shape.image_len()..][..shape.image_len()];
                shape.fold(&cols, &span, columns, i, grad_input);
            }
        }
        grad_weight
    });
    let grad_weight = partial_sums.into_iter().fold(Array2::zeros((shape.cout, shape.rows())), |sum, part| sum + part);
    let grad_weight = grad_weight.into_shape_with_order(weight.raw_dim()).expect("shaped like the weight");
    (Array3::from_shape_vec(input.raw_dim(), grad_input).expect("shaped like the input"), padded(grad_weight, full))
    // END SOLUTION
}

// BEGIN HIDDEN
/// `grad` (the gradient of the taps the input reaches) inside zeros of the
/// full weight's shape `full`: the taps past the right edge never
/// contributed, so their gradient is 0.
fn padded(grad: Array3<f64>, full: ndarray::Ix3) -> Array3<f64> {
    if grad.raw_dim() == full {
        return grad;
    }
    let mut padded = Array3::zeros(full);
    padded.slice_mut(s![.., .., ..grad.dim().2]).assign(&grad);
    padded
}

/// The sizes of one convolution. The unfolded windows of a sequence form a
/// matrix with one row per weight of an output channel, `(c, k)`, and one
/// column per position `t`: entry `x[c, t + k]`, or zero past the right edge.
/// The kernels unfold one block at a time ([`Shape::blocks`]): a span of
/// output positions of one sequence, or several short sequences whole.
struct Shape {
    batch: usize,
    cin: usize,
    cout: usize,
    width: usize,
    k: usize,
}

impl Shape {
    fn of(input: ArrayView3<f64>, weight: ArrayView3<f64>) -> Shape {
        let (batch, cin, width) = input.dim();
        let (cout, _, k) = weight.dim();
        Shape { batch, cin, cout, width, k }
    }

    /// True when some size is zero: then every output and gradient is zero.
    fn is_empty(&self) -> bool {
        [self.batch, self.cin, self.cout, self.width].contains(&0)
    }

    /// Winograd's transforms, for the kernels they serve, when both channel
    /// counts reach [`WINOGRAD_CHANNELS`].
    fn winograd(&self) -> Option<Winograd> {
        Winograd::new(self.k).filter(|_| self.cin.min(self.cout) >= WINOGRAD_CHANNELS)
    }

    /// The `sequences` of `all`, the batch's arrays of `channels x W` one
    /// after the other.
    fn run<'a>(&self, all: &'a [f64], channels: usize, sequences: &Range<usize>) -> &'a [f64] {
        let len = channels * self.width;
        &all[sequences.start * len..sequences.end * len]
    }

    /// Rows of the unfolded matrix: the weights of one output channel.
    fn rows(&self) -> usize {
        self.cin * self.k
    }

    /// The multiply-adds of the forward: one per weight and output value.
    fn multiply_adds(&self) -> usize {
        self.batch.saturating_mul(self.output_len()).saturating_mul(self.rows())
    }

    fn image_len(&self) -> usize {
        self.cin * self.width
    }

    fn output_len(&self) -> usize {
        self.cout * self.width
    }

    fn output_dim(&self) -> (usize, usize, usize) {
        (self.batch, self.cout, self.width)
    }

    fn weight_matrix<'a>(&self, w: &'a [f64]) -> ArrayView2<'a, f64> {
        ArrayView2::from_shape((self.cout, self.rows()), w).expect("the weight is Cout x (Cin * K)")
    }

    /// The output positions of one span: about [`SPAN_POSITIONS`], the spans
    /// of a sequence as even as possible.
    fn span_len(&self) -> usize {
        self.width.div_ceil(self.width.div_ceil(SPAN_POSITIONS))
    }

    /// The spans of output positions, left to right.
    fn spans(&self) -> impl Iterator<Item = Range<usize>> + use<> {
        let (width, step) = (self.width, self.span_len());
        (0..width).step_by(step).map(move |t| t..(t + step).min(width))
    }

    /// Sequences per block: as many whole sequences as fit in
    /// [`SPAN_POSITIONS`] columns, or 1 when a sequence is cut into spans.
    fn group(&self) -> usize {
        (SPAN_POSITIONS / self.width).max(1)
    }

    /// The most columns of a block.
    fn block_columns(&self) -> usize {
        self.group() * self.span_len()
    }

    /// The blocks of the run `sequences`, each one matrix product: a span
    /// of one long sequence, or a few whole short ones side by side (one
    /// product of 240 columns is faster than four of 60, each of which
    /// would pack the whole weight matrix again).
    fn blocks(&self, sequences: Range<usize>) -> impl Iterator<Item = (Range<usize>, Range<usize>)> + use<> {
        let (group, end) = (self.group(), sequences.end);
        let spans: Vec<Range<usize>> = self.spans().collect();
        sequences
            .step_by(group)
            .flat_map(move |b| spans.clone().into_iter().map(move |span| (b..(b + group).min(end), span)))
    }

    /// The first `rows x columns` entries of `cols`: the windows of a block.
    fn columns<'a>(&self, columns: usize, cols: &'a [f64]) -> ArrayView2<'a, f64> {
        let shape = (self.rows(), columns);
        ArrayView2::from_shape(shape, &cols[..shape.0 * shape.1]).expect("the windows are rows x columns")
    }

    fn columns_mut<'a>(&self, columns: usize, cols: &'a mut [f64]) -> ArrayViewMut2<'a, f64> {
        let shape = (self.rows(), columns);
        ArrayViewMut2::from_shape(shape, &mut cols[..shape.0 * shape.1]).expect("the windows are rows x columns")
    }

    /// Writes the windows of the output positions `span` of one row-major
    /// sequence (`Cin x W`) into its part of `cols`, a `rows x columns`
    /// matrix whose `i`-th group of `span.len()` columns this sequence
    /// owns: row `(c, k)` is channel `c` shifted left by `k`, zero past the
    /// right edge.
    fn unfold(&self, sequence: &[f64], span: &Range<usize>, cols: &mut [f64], columns: usize, i: usize) {
        for (row, out) in cols[..self.rows() * columns].chunks_exact_mut(columns).enumerate() {
            let out = &mut out[i * span.len()..][..span.len()];
            let (c, k) = (row / self.k, row % self.k);
            let kept = span.end.min(self.width.saturating_sub(k)).saturating_sub(span.start);
            let start = (c * self.width + span.start + k).min(sequence.len());
            out[..kept].copy_from_slice(&sequence[start..][..kept]);
            out[kept..].fill(0.0);
        }
    }

    /// Adds every entry of this sequence's part of `cols` to the position
    /// of `sequence` it was read from: the transpose of [`Shape::unfold`].
    fn fold(&self, cols: &[f64], span: &Range<usize>, columns: usize, i: usize, sequence: &mut [f64]) {
        for (row, col) in cols[..self.rows() * columns].chunks_exact(columns).enumerate() {
            let col = &col[i * span.len()..][..span.len()];
            let (c, k) = (row / self.k, row % self.k);
            let kept = span.end.min(self.width.saturating_sub(k)).saturating_sub(span.start);
            let start = (c * self.width + span.start + k).min(sequence.len());
            for (x, value) in sequence[start..][..kept].iter_mut().zip(col) {
                *x += value;
            }
        }
    }
}

/// The output positions per span of unfolded windows. On the course's
/// 2-core machines whole sequences ran S2 and S3 of `cargo bench` 1.3 to 3
/// times slower than spans of 128 to 256 positions: their windows (4.7 MB
/// for 64 channels of 1024 positions and a kernel of 9) spill out of the
/// cache, and the allocator hands such large buffers back to the system and
/// faults them in again at every call. Spans of less than 64 positions are
/// slower again, as every product packs the whole weight matrix.
const SPAN_POSITIONS: usize = 256;

/// The fewest channels, in and out, for which [`Winograd`] runs. Its
/// matrix products sum over a third to a fifth as many terms as the
/// unfolded windows' (`channels` per chunk of three or five weights,
/// against `channels * K`), too few to pay for its transforms when the
/// channels are few: on the 1D shapes of `cargo bench`, in tiles of six
/// points, it made the backward from 1 to 8 channels 60 % slower, and from
/// 8 to 16 channels 12 % slower.
const WINOGRAD_CHANNELS: usize = 16;

/// Below this many multiply-adds a call runs on the calling thread: on the
/// course's 2-core virtual machines, waking a pool thread that has gone to
/// sleep takes up to 0.1 ms, the time of about a million multiply-adds.
const THREAD_THRESHOLD: usize = 1 << 20;

/// Splits the batch into one run of consecutive sequences per thread of
/// rayon's pool and calls `work(sequences, slice)` for each, where `slice`
/// is the run's part of `out` (`per_item` elements per sequence). Returns the
/// results in batch order.
///
/// `work` does `products` matrix products as big as the forward's; less than
/// [`THREAD_THRESHOLD`] multiply-adds in all stay on the calling thread.
/// The pool's threads live as long as the program: starting threads at
/// every call costs 0.1 to 0.2 ms on the course's 2-core virtual machines,
/// more than a small convolution.
fn for_each_batch_slice<R: Send>(
    shape: &Shape,
    products: usize,
    out: &mut [f64],
    per_item: usize,
    work: impl Fn(Range<usize>, &mut [f64]) -> R + Sync,
) -> Vec<R> {
    let threads = rayon::current_num_threads().min(shape.batch);
    if products.saturating_mul(shape.multiply_adds()) < THREAD_THRESHOLD || threads <= 1 || per_item == 0 {
        return vec![work(0..shape.batch, out)];
    }
    let run = shape.batch.div_ceil(threads);
    out.par_chunks_mut(run * per_item)
        .enumerate()
        .map(|(t, slice)| work(t * run..((t + 1) * run).min(shape.batch), slice))
        .collect()
}

#[cfg(test)]
mod tests {
    use ndarray::{Array, s};
    use support::gradcheck::{FORWARD, GRADIENT, check_gradient, first_mismatch};
    use support::random::{rng, uniform};

    use super::*;

    /// The definition, term by term.
    fn by_definition(x: ArrayView3<f64>, w: ArrayView3<f64>) -> Array3<f64> {
        let ((batch, cin, width), (cout, _, k)) = (x.dim(), w.dim());
        Array3::from_shape_fn((batch, cout, width), |(b, o, t)| {
            (0..cin)
                .flat_map(|c| (0..k).map(move |j| (c, j)))
                .filter(|&(_, j)| t + j < width)
                .map(|(c, j)| w[[o, c, j]] * x[[b, c, t + j]])
                .sum()
        })
    }

    const SHAPES: [((usize, usize, usize), usize); 8] = [
        ((1, 1, 4), 3),
        ((2, 3, 7), 2),
        ((1, 2, 3), 5),
        ((3, 1, 1), 1),
        ((2, 2, 6), 6),
        ((1, 4, 9), 4),
        ((2, 3, 5), 1),
        ((16, 2, 40), 5),
    ];

    fn operands(dim: (usize, usize, usize), k: usize, cout: usize, seed: u64) -> [Array3<f64>; 3] {
        let mut rng = rng(seed);
        let x = uniform(dim, &mut rng);
        let w = uniform((cout, dim.1, k), &mut rng);
        let g = uniform((dim.0, cout, dim.2), &mut rng);
        [x, w, g]
    }

    #[test]
    fn forward_follows_the_definition() {
        for (n, &(dim, k)) in SHAPES.iter().enumerate() {
            let [x, w, _] = operands(dim, k, 3, n as u64);
            let expected = by_definition(x.view(), w.view());
            assert_eq!(
                first_mismatch(expected.view(), forward(x.view(), w.view()).view(), FORWARD),
                None,
                "{dim:?} {k}"
            );
        }
    }

    /// The gradients, term by term: every product `w * x` of the definition
    /// sends `grad_out` back to both of its factors.
    fn backward_by_definition(x: ArrayView3<f64>, w: ArrayView3<f64>, g: ArrayView3<f64>) -> [Array3<f64>; 2] {
        let ((_, cin, width), (_, _, k)) = (x.dim(), w.dim());
        let (mut gx, mut gw) = (Array3::zeros(x.raw_dim()), Array3::zeros(w.raw_dim()));
        for ((b, o, t), &grad) in g.indexed_iter() {
            for c in 0..cin {
                for j in (0..k).filter(|j| t + j < width) {
                    gx[[b, c, t + j]] += w[[o, c, j]] * grad;
                    gw[[o, c, j]] += x[[b, c, t + j]] * grad;
                }
            }
        }
        [gx, gw]
    }

    /// Sequences the kernels unfold in several spans: uneven spans, and a
    /// kernel longer than a span.
    const SPANNED: [((usize, usize, usize), usize); 2] = [((2, 2, 700), 7), ((1, 2, 600), 300)];

    /// Asserts that the output and both gradients of `x`, `w` and `g` are
    /// those of the definition, and returns the shape's sizes.
    fn follows_the_definition([x, w, g]: [Array3<f64>; 3]) -> Shape {
        let out = forward(x.view(), w.view());
        let dims = (x.dim(), w.dim());
        assert_eq!(first_mismatch(by_definition(x.view(), w.view()).view(), out.view(), FORWARD), None, "{dims:?}");
        let (gx, gw) = backward(x.view(), w.view(), g.view());
        let [expected_gx, expected_gw] = backward_by_definition(x.view(), w.view(), g.view());
        assert_eq!(first_mismatch(expected_gx.view(), gx.view(), FORWARD), None, "{dims:?}");
        assert_eq!(first_mismatch(expected_gw.view(), gw.view(), FORWARD), None, "{dims:?}");
        Shape::of(x.view(), w.view())
    }

    #[test]
    fn sequences_in_several_spans_follow_the_definition() {
        for (n, &(dim, k)) in SPANNED.iter().enumerate() {
            let shape = follows_the_definition(operands(dim, k, 3, n as u64));
            assert!(shape.spans().count() > 1, "{dim:?} {k}");
        }
    }

    /// Shapes for Winograd's transforms: kernels of one chunk, of several
    /// and with a last chunk filled up, in tiles of 6 points (K = 3, 6) and
    /// of 8 (K = 4, 5, 7, 9), wider than the input, widths under
    /// one tile, between whole tiles and of many tiles, and a batch big
    /// enough to be split over threads and into blocks of tiles.
    const WINOGRAD: [((usize, usize, usize), usize, usize); 12] = [
        ((2, 16, 9), 3, 17),
        ((2, 17, 9), 4, 16),
        ((2, 16, 20), 7, 16),
        ((3, 17, 7), 3, 16),
        ((1, 20, 1), 3, 16),
        ((2, 16, 3), 5, 18),
        ((2, 16, 11), 5, 16),
        ((2, 16, 13), 6, 16),
        ((2, 18, 30), 9, 16),
        ((2, 16, 5), 11, 17),
        ((40, 16, 61), 3, 20),
        ((3, 16, 1100), 5, 16),
    ];

    #[test]
    fn winograd_follows_the_definition() {
        for (n, &(dim, k, cout)) in WINOGRAD.iter().enumerate() {
            let shape = follows_the_definition(operands(dim, k, cout, n as u64));
            assert!(shape.winograd().is_some(), "{dim:?} {k}");
        }
    }

    #[test]
    fn backward_matches_finite_differences() {
        for (n, &(dim, k)) in SHAPES.iter().enumerate().take(7) {
            let [x, w, g] = operands(dim, k, 2, n as u64);
            let (gx, gw) = backward(x.view(), w.view(), g.view());
            check_gradient(|x| forward(x.view(), w.view()), &x, &g, gx.view(), GRADIENT).unwrap();
            check_gradient(|w| forward(x.view(), w.view()), &w, &g, gw.view(), GRADIENT).unwrap();
        }
    }

    #[test]
    fn threads_give_the_same_answer_as_one_sequence_at_a_time() {
        let [x, w, g] = operands((16, 8, 300), 9, 16, 9);
        let out = forward(x.view(), w.view());
        let (gx, gw) = backward(x.view(), w.view(), g.view());
        let mut gw_sum = Array3::zeros(w.raw_dim());
        for b in 0..16 {
            let one = s![b..b + 1, .., ..];
            let (gx_b, gw_b) = backward(x.slice(one), w.view(), g.slice(one));
            assert_eq!(first_mismatch(out.slice(one), forward(x.slice(one), w.view()).view(), FORWARD), None);
            assert_eq!(first_mismatch(gx.slice(one), gx_b.view(), FORWARD), None);
            gw_sum += &gw_b;
        }
        assert_eq!(first_mismatch(gw.view(), gw_sum.view(), FORWARD), None);
    }

    #[test]
    fn strided_views_give_the_same_answer() {
        let [x, w, _] = operands((2, 3, 6), 3, 2, 4);
        let permuted = x.clone().permuted_axes([2, 1, 0]).as_standard_layout().into_owned().permuted_axes([2, 1, 0]);
        let big = Array::from_shape_fn((2, 3, 12), |(b, c, t)| if t % 2 == 0 { x[[b, c, t / 2]] } else { f64::NAN });
        let expected = forward(x.view(), w.view());
        assert_eq!(forward(permuted.view(), w.view()), expected);
        assert_eq!(forward(big.slice(s![.., .., ..;2]), w.view()), expected);
        let reversed = forward(x.slice(s![..;-1, .., ..]), w.view());
        assert_eq!(reversed.slice(s![..;-1, .., ..]), expected);
    }

    #[test]
    fn empty_sizes_give_zeros() {
        for (dim, cout) in [((0, 2, 3), 2), ((2, 0, 3), 2), ((2, 2, 3), 0), ((2, 2, 0), 2)] {
            let [x, w, g] = operands(dim, 2, cout, 1);
            assert_eq!(forward(x.view(), w.view()), Array3::zeros((dim.0, cout, dim.2)));
            let (gx, gw) = backward(x.view(), w.view(), g.view());
            assert_eq!((gx.dim(), gw.dim()), (x.dim(), w.dim()));
            assert!(gx.iter().chain(gw.iter()).all(|&v| v == 0.0));
        }
    }
}
// END HIDDEN
