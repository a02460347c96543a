//! The two functions you write: the convolution and its backward.
//!
//! The inputs are valid and not empty (the public functions checked them,
//! and answered empty ones themselves) but may be in any layout: a permuted
//! or sliced view is as good as a fresh array.

use ndarray::{Array4, ArrayView4};
// BEGIN HIDDEN
mod direct;
mod unfolded;

use std::ops::Range;

use ndarray::s;
use rayon::prelude::*;
// END HIDDEN

/// `out[b, o, i, j] = sum over c, a, d of w[o, c, a, d] * x[b, c, i + a, j + d]`,
/// where positions past the bottom or right edge of `x` read as zero.
///
/// `input` is `B x Cin x H x W`, `weight` is `Cout x Cin x KH x KW`, the
/// result is `B x Cout x H x W`.
pub fn forward(input: ArrayView4<f64>, weight: ArrayView4<f64>) -> Array4<f64> {
    // BEGIN SOLUTION: for every output position, add up weight times input over the channels and the box, reading zero past the bottom and right edges
    // HINT(conv2d_forward): Output (i,j) sums w × x over all input channels and offsets (a,d), at (i+a, j+d); no flip.
    // HINT(conv2d_forward): Zero past the bottom or right edge: skip those terms, keep H × W; the box may be bigger.
    // HINT(conv2d_forward): Pitfalls: flipped box, bottom-right anchor, wrap-around, a shrunk output, channel 0 only.
    forward_by(direct::suits, input, weight)
    // END SOLUTION
}

/// The gradients of `L = sum(grad_out * forward(input, weight))`:
/// `(dL/d input, dL/d weight)`.
///
/// `grad_input[b, c, p, q]` collects `w[o, c, a, d] * grad_out[b, o, p - a, q - d]`
/// over every output that read `x[b, c, p, q]`; `grad_weight[o, c, a, d]` is
/// `sum over b, i, j of grad_out[b, o, i, j] * x[b, c, i + a, j + d]`.
pub fn backward(
    input: ArrayView4<f64>,
    weight: ArrayView4<f64>,
    grad_out: ArrayView4<f64>,
) -> (Array4<f64>, Array4<f64>) {
    // BEGIN SOLUTION: send each grad_out entry back to the inputs and weights that produced it: grad_input is grad_out convolved with the reversed kernel anchored at the bottom-right, grad_weight sums grad_out times the input window over the batch
    // HINT(conv2d_backward): Each term is one w × one x: x's gradient gets grad_out × w, and w's gets grad_out × x.
    // HINT(conv2d_backward): grad_weight: sum over batch, pixels; grad_input: box turned 180°, anchored bottom-right.
    // HINT(conv2d_backward): Pitfalls: grad_weight not summed over batch, an unrotated box, terms past the edges.
    backward_by(direct::suits, input, weight, grad_out)
    // END SOLUTION
}

// BEGIN HIDDEN
/// [`forward`], by direct loops where `direct(shape)` says so, else by
/// unfolded windows and matrix products.
fn forward_by(direct: fn(&Shape) -> bool, input: ArrayView4<f64>, weight: ArrayView4<f64>) -> Array4<f64> {
    // Taps past the bottom or right edge read only zeros: a kernel bigger
    // than the input works as one of at most the input's size.
    let (_, _, h, w) = input.dim();
    let weight = weight.slice(s![.., .., ..weight.dim().2.min(h), ..weight.dim().3.min(w)]);
    let shape = Shape::of(input, weight);
    if shape.is_empty() {
        return Array4::zeros(shape.output_dim());
    }
    let x = input.as_standard_layout();
    let x = x.as_slice().expect("a standard layout is one slice");
    let w = weight.as_standard_layout();
    let w = w.as_slice().expect("a standard layout is one slice");
    let out = if direct(&shape) { direct::forward(&shape, x, w) } else { unfolded::forward(&shape, x, w) };
    Array4::from_shape_vec(shape.output_dim(), out).expect("the output has B * Cout * H * W elements")
}

/// [`backward`], by direct loops where `direct(shape)` says so.
fn backward_by(
    direct: fn(&Shape) -> bool,
    input: ArrayView4<f64>,
    weight: ArrayView4<f64>,
    grad_out: ArrayView4<f64>,
) -> (Array4<f64>, Array4<f64>) {
    let full = weight.raw_dim();
    // Taps past the bottom or right edge read only zeros: a kernel bigger
    // than the input works as one of at most the input's size.
    let (_, _, h, w) = input.dim();
    let weight = weight.slice(s![.., .., ..weight.dim().2.min(h), ..weight.dim().3.min(w)]);
    let shape = Shape::of(input, weight);
    if shape.is_empty() {
        return (Array4::zeros(input.raw_dim()), Array4::zeros(full));
    }
    let x = input.as_standard_layout();
    let x = x.as_slice().expect("a standard layout is one slice");
    let g = grad_out.as_standard_layout();
    let g = g.as_slice().expect("a standard layout is one slice");
    let w = weight.as_standard_layout();
    let w = w.as_slice().expect("a standard layout is one slice");
    let (grad_input, grad_weight) =
        if direct(&shape) { direct::backward(&shape, x, w, g) } else { unfolded::backward(&shape, x, w, g) };
    let grad_weight = Array4::from_shape_vec(weight.raw_dim(), grad_weight).expect("shaped like the weight");
    let grad_input = Array4::from_shape_vec(input.raw_dim(), grad_input).expect("shaped like the input");
    (grad_input, padded(grad_weight, full))
}

/// `grad` (the gradient of the taps the input reaches) inside zeros of the
/// full weight's shape `full`: the taps past the bottom or right edge never
/// contributed, so their gradient is 0.
fn padded(grad: Array4<f64>, full: ndarray::Ix4) -> Array4<f64> {
    if grad.raw_dim() == full {
        return grad;
    }
    let mut padded = Array4::zeros(full);
    let (_, _, kh, kw) = grad.dim();
    padded.slice_mut(s![.., .., ..kh, ..kw]).assign(&grad);
    padded
}

/// The sizes of one convolution. Both methods number the weights of an
/// output channel `(c, a, d)` in row-major order, as "rows": the rows of
/// the unfolded matrix of [`unfolded`], the taps of [`direct`].
struct Shape {
    batch: usize,
    cin: usize,
    cout: usize,
    height: usize,
    width: usize,
    kh: usize,
    kw: usize,
}

impl Shape {
    fn of(input: ArrayView4<f64>, weight: ArrayView4<f64>) -> Shape {
        let (batch, cin, height, width) = input.dim();
        let (cout, _, kh, kw) = weight.dim();
        Shape { batch, cin, cout, height, width, kh, kw }
    }

    /// True when some size is zero: then every output and gradient is zero.
    fn is_empty(&self) -> bool {
        [self.batch, self.cin, self.cout, self.height, self.width].contains(&0)
    }

    fn pixels(&self) -> usize {
        self.height * self.width
    }

    /// Rows of the unfolded matrix: the weights of one output channel.
    fn rows(&self) -> usize {
        self.cin * self.kh * self.kw
    }

    /// The multiply-adds of the forward: one per weight and output value.
    fn multiply_adds(&self) -> usize {
        self.batch.saturating_mul(self.output_len()).saturating_mul(self.rows())
    }

    fn image_len(&self) -> usize {
        self.cin * self.pixels()
    }

    fn output_len(&self) -> usize {
        self.cout * self.pixels()
    }

    fn output_dim(&self) -> (usize, usize, usize, usize) {
        (self.batch, self.cout, self.height, self.width)
    }

    /// The row of the unfolded matrix that holds weight `(c, a, d)`.
    fn row_origin(&self, row: usize) -> (usize, usize, usize) {
        (row / (self.kh * self.kw), row / self.kw % self.kh, row % self.kw)
    }
}

/// Below this many multiply-adds a call runs on the calling thread: on the
/// course's 2-core virtual machines, waking a pool thread that has gone to
/// sleep takes up to 0.1 ms, the time of about a million multiply-adds.
const THREAD_THRESHOLD: usize = 1 << 20;

/// Splits the batch into one run of consecutive images per thread of
/// rayon's pool and calls `work(images, slice)` for each, where `slice`
/// is the run's part of `out` (`per_image` elements per image). Returns the
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
    per_image: usize,
    work: impl Fn(Range<usize>, &mut [f64]) -> R + Sync,
) -> Vec<R> {
    let threads = rayon::current_num_threads().min(shape.batch);
    if products.saturating_mul(shape.multiply_adds()) < THREAD_THRESHOLD || threads <= 1 || per_image == 0 {
        return vec![work(0..shape.batch, out)];
    }
    let run = shape.batch.div_ceil(threads);
    out.par_chunks_mut(run * per_image)
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
    fn by_definition(x: ArrayView4<f64>, w: ArrayView4<f64>) -> Array4<f64> {
        let ((batch, cin, h, width), (cout, _, kh, kw)) = (x.dim(), w.dim());
        Array4::from_shape_fn((batch, cout, h, width), |(b, o, i, j)| {
            let mut sum = 0.0;
            for c in 0..cin {
                for a in 0..kh {
                    for d in 0..kw {
                        if i + a < h && j + d < width {
                            sum += w[[o, c, a, d]] * x[[b, c, i + a, j + d]];
                        }
                    }
                }
            }
            sum
        })
    }

    /// An input's shape and a kernel's size.
    type Problem = ((usize, usize, usize, usize), (usize, usize));

    const SHAPES: [Problem; 8] = [
        ((1, 1, 3, 3), (2, 2)),
        ((2, 3, 5, 4), (3, 2)),
        ((1, 2, 2, 3), (4, 5)),
        ((3, 1, 1, 1), (1, 1)),
        ((2, 2, 6, 1), (2, 1)),
        ((1, 4, 4, 4), (4, 4)),
        ((2, 3, 7, 5), (1, 3)),
        ((16, 2, 9, 9), (3, 3)),
    ];

    fn operands(dim: (usize, usize, usize, usize), k: (usize, usize), cout: usize, seed: u64) -> [Array4<f64>; 3] {
        let mut rng = rng(seed);
        let x = uniform(dim, &mut rng);
        let w = uniform((cout, dim.1, k.0, k.1), &mut rng);
        let g = uniform((dim.0, cout, dim.2, dim.3), &mut rng);
        [x, w, g]
    }

    /// Whether a shape takes the direct loops.
    type Choice = fn(&Shape) -> bool;

    /// The two methods, each forced.
    const METHODS: [(&str, Choice); 2] = [("unfolded", |_| false), ("direct", |_| true)];

    /// Output channels that fill the direct loops' blocks, and leave some over.
    const COUTS: [usize; 4] = [1, 2, 3, 9];

    #[test]
    fn forward_follows_the_definition() {
        for (method, direct) in METHODS {
            for (n, &(dim, k)) in SHAPES.iter().enumerate() {
                for cout in COUTS {
                    let [x, w, _] = operands(dim, k, cout, n as u64);
                    let expected = by_definition(x.view(), w.view());
                    let out = forward_by(direct, x.view(), w.view());
                    assert_eq!(
                        first_mismatch(expected.view(), out.view(), FORWARD),
                        None,
                        "{method} {dim:?} {k:?} {cout}"
                    );
                }
            }
        }
    }

    /// The gradients, term by term: every product `w * x` of the definition
    /// sends `grad_out` back to both of its factors.
    fn backward_by_definition(x: ArrayView4<f64>, w: ArrayView4<f64>, g: ArrayView4<f64>) -> [Array4<f64>; 2] {
        let ((_, cin, h, width), (_, _, kh, kw)) = (x.dim(), w.dim());
        let (mut gx, mut gw) = (Array4::zeros(x.raw_dim()), Array4::zeros(w.raw_dim()));
        for ((b, o, i, j), &grad) in g.indexed_iter() {
            for c in 0..cin {
                for a in 0..kh {
                    for d in 0..kw {
                        if i + a < h && j + d < width {
                            gx[[b, c, i + a, j + d]] += w[[o, c, a, d]] * grad;
                            gw[[o, c, a, d]] += x[[b, c, i + a, j + d]] * grad;
                        }
                    }
                }
            }
        }
        [gx, gw]
    }

    #[test]
    fn backward_follows_the_definition() {
        for (method, direct) in METHODS {
            for (n, &(dim, k)) in SHAPES.iter().chain(&BANDED).enumerate() {
                for cout in COUTS {
                    let [x, w, g] = operands(dim, k, cout, n as u64);
                    let (gx, gw) = backward_by(direct, x.view(), w.view(), g.view());
                    let [expected_gx, expected_gw] = backward_by_definition(x.view(), w.view(), g.view());
                    let case = format!("{method} {dim:?} {k:?} {cout}");
                    assert_eq!(first_mismatch(expected_gx.view(), gx.view(), FORWARD), None, "{case}");
                    assert_eq!(first_mismatch(expected_gw.view(), gw.view(), FORWARD), None, "{case}");
                }
            }
        }
    }

    /// Images the unfolded products take in several bands: uneven bands, a
    /// kernel taller than a band, bands of one row wider than `BAND_PIXELS`;
    /// for the direct loops, rows that end inside a run of pixels.
    const BANDED: [Problem; 3] = [((2, 2, 40, 13), (4, 3)), ((1, 2, 30, 20), (12, 2)), ((1, 1, 3, 300), (2, 5))];

    #[test]
    fn images_in_several_bands_follow_the_definition() {
        for (method, direct) in METHODS {
            for (n, &(dim, k)) in BANDED.iter().enumerate() {
                let [x, w, _] = operands(dim, k, 3, n as u64);
                assert!(Shape::of(x.view(), w.view()).bands().count() > 1, "{dim:?} {k:?}");
                let out = forward_by(direct, x.view(), w.view());
                let expected = by_definition(x.view(), w.view());
                assert_eq!(first_mismatch(expected.view(), out.view(), FORWARD), None, "{method} {dim:?} {k:?}");
            }
        }
    }

    #[test]
    fn backward_matches_finite_differences() {
        for (method, direct) in METHODS {
            for (n, &(dim, k)) in SHAPES.iter().enumerate().take(7) {
                let [x, w, g] = operands(dim, k, 2, n as u64);
                let (gx, gw) = backward_by(direct, x.view(), w.view(), g.view());
                let forward = |x: ArrayView4<f64>, w: ArrayView4<f64>| forward_by(direct, x, w);
                check_gradient(|x| forward(x.view(), w.view()), &x, &g, gx.view(), GRADIENT)
                    .unwrap_or_else(|e| panic!("{method} {dim:?} {k:?}: {e:?}"));
                check_gradient(|w| forward(x.view(), w.view()), &w, &g, gw.view(), GRADIENT)
                    .unwrap_or_else(|e| panic!("{method} {dim:?} {k:?}: {e:?}"));
            }
        }
    }

    #[test]
    fn threads_give_the_same_answer_as_one_image_at_a_time() {
        for (method, direct) in METHODS {
            // Both big enough to be shared between threads.
            for (dim, cout) in [((16, 8, 12, 12), 16), ((16, 1, 28, 28), 8)] {
                let [x, w, g] = operands(dim, (5, 5), cout, 9);
                let out = forward_by(direct, x.view(), w.view());
                let (gx, gw) = backward_by(direct, x.view(), w.view(), g.view());
                let mut gw_sum = Array4::zeros(w.raw_dim());
                for b in 0..16 {
                    let one = s![b..b + 1, .., .., ..];
                    let (gx_b, gw_b) = backward_by(direct, x.slice(one), w.view(), g.slice(one));
                    let out_b = forward_by(direct, x.slice(one), w.view());
                    assert_eq!(first_mismatch(out.slice(one), out_b.view(), FORWARD), None, "{method} {dim:?}");
                    assert_eq!(first_mismatch(gx.slice(one), gx_b.view(), FORWARD), None, "{method} {dim:?}");
                    gw_sum += &gw_b;
                }
                assert_eq!(first_mismatch(gw.view(), gw_sum.view(), FORWARD), None, "{method} {dim:?}");
            }
        }
    }

    #[test]
    fn strided_views_give_the_same_answer() {
        let [x, w, _] = operands((2, 3, 6, 5), (2, 3), 2, 4);
        let permuted =
            x.clone().permuted_axes([0, 1, 3, 2]).as_standard_layout().into_owned().permuted_axes([0, 1, 3, 2]);
        let big =
            Array::from_shape_fn((2, 3, 12, 5), |(b, c, i, j)| if i % 2 == 0 { x[[b, c, i / 2, j]] } else { f64::NAN });
        let sliced = big.slice(s![.., .., ..;2, ..]);
        let reversed = x.slice(s![..;-1, .., .., ..]);
        let expected = forward(x.view(), w.view());
        assert_eq!(forward(permuted.view(), w.view()), expected);
        assert_eq!(forward(sliced, w.view()), expected);
        let flipped_back = forward(reversed, w.view());
        assert_eq!(flipped_back.slice(s![..;-1, .., .., ..]), expected);
        let w_columns =
            w.clone().permuted_axes([3, 2, 1, 0]).as_standard_layout().into_owned().permuted_axes([3, 2, 1, 0]);
        assert_eq!(forward(x.view(), w_columns.view()), expected);
    }

    #[test]
    fn empty_sizes_give_zeros() {
        for (dim, cout) in [((0, 2, 3, 3), 2), ((2, 0, 3, 3), 2), ((2, 2, 3, 3), 0), ((2, 2, 0, 3), 2)] {
            let [x, w, g] = operands(dim, (2, 2), cout, 1);
            assert_eq!(forward(x.view(), w.view()), Array4::zeros((dim.0, cout, dim.2, dim.3)));
            let (gx, gw) = backward(x.view(), w.view(), g.view());
            assert_eq!((gx.dim(), gw.dim()), (x.dim(), w.dim()));
            assert!(gx.iter().chain(gw.iter()).all(|&v| v == 0.0));
        }
    }
}
// END HIDDEN
