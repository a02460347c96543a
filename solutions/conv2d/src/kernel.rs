//! The two functions you write: the convolution and its backward.
//!
//! The inputs are valid (the public functions checked them) but may be in
//! any layout: a permuted or sliced view is as good as a fresh array.

use ndarray::{Array4, ArrayView4};
// BEGIN HIDDEN
use std::ops::Range;
use std::thread;

use ndarray::{Array2, ArrayView2, ArrayViewMut2, linalg::general_mat_mul};
// END HIDDEN

/// `out[b, o, i, j] = sum over c, a, d of w[o, c, a, d] * x[b, c, i + a, j + d]`,
/// where positions past the bottom or right edge of `x` read as zero.
///
/// `input` is `B x Cin x H x W`, `weight` is `Cout x Cin x KH x KW`, the
/// result is `B x Cout x H x W`.
pub fn forward(input: ArrayView4<f64>, weight: ArrayView4<f64>) -> Array4<f64> {
    // BEGIN SOLUTION: for every output position, add up weight times input over the channels and the box, reading zero past the bottom and right edges
    let shape = Shape::of(input, weight);
    if shape.is_empty() {
        return Array4::zeros(shape.output_dim());
    }
    let x = input.as_standard_layout();
    let x = x.as_slice().expect("a standard layout is one slice");
    let w = weight.as_standard_layout();
    let w = shape.weight_matrix(w.as_slice().expect("a standard layout is one slice"));
    let mut out = vec![0.0; shape.batch * shape.output_len()];
    for_each_batch_slice(&shape, &mut out, shape.output_len(), |images, outs| {
        let mut cols = vec![0.0; shape.rows() * shape.pixels()];
        for (b, out) in images.zip(outs.chunks_exact_mut(shape.output_len())) {
            shape.unfold(&x[b * shape.image_len()..][..shape.image_len()], &mut cols);
            // One matrix product per image: (Cout x rows) times (rows x pixels).
            general_mat_mul(1.0, &w, &shape.columns(&cols), 0.0, &mut shape.output_matrix(out));
        }
    });
    Array4::from_shape_vec(shape.output_dim(), out).expect("the output has B * Cout * H * W elements")
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
    let shape = Shape::of(input, weight);
    if shape.is_empty() {
        return (Array4::zeros(input.raw_dim()), Array4::zeros(weight.raw_dim()));
    }
    let x = input.as_standard_layout();
    let x = x.as_slice().expect("a standard layout is one slice");
    let g = grad_out.as_standard_layout();
    let g = g.as_slice().expect("a standard layout is one slice");
    let w = weight.as_standard_layout();
    let w = shape.weight_matrix(w.as_slice().expect("a standard layout is one slice"));
    let mut grad_input = vec![0.0; shape.batch * shape.image_len()];
    let partial_sums = for_each_batch_slice(&shape, &mut grad_input, shape.image_len(), |images, grad_images| {
        let mut grad_weight = Array2::zeros((shape.cout, shape.rows()));
        let mut cols = vec![0.0; shape.rows() * shape.pixels()];
        for (b, grad_image) in images.zip(grad_images.chunks_exact_mut(shape.image_len())) {
            let g = shape.output_view(&g[b * shape.output_len()..][..shape.output_len()]);
            shape.unfold(&x[b * shape.image_len()..][..shape.image_len()], &mut cols);
            // dL/dw += grad_out (Cout x pixels) times the windows' transpose (pixels x rows).
            general_mat_mul(1.0, &g, &shape.columns(&cols).t(), 1.0, &mut grad_weight);
            // dL/dcols = w^T (rows x Cout) times grad_out (Cout x pixels), then
            // every window entry goes back to the pixel it was read from.
            general_mat_mul(1.0, &w.t(), &g, 0.0, &mut shape.columns_mut(&mut cols));
            shape.fold(&cols, grad_image);
        }
        grad_weight
    });
    let grad_weight = partial_sums.into_iter().fold(Array2::zeros((shape.cout, shape.rows())), |sum, part| sum + part);
    let grad_weight = grad_weight.into_shape_with_order(weight.raw_dim()).expect("shaped like the weight");
    (Array4::from_shape_vec(input.raw_dim(), grad_input).expect("shaped like the input"), grad_weight)
    // END SOLUTION
}

// BEGIN HIDDEN
/// The sizes of one convolution. The unfolded windows of an image form a
/// matrix with one row per weight of an output channel, `(c, a, d)`, and one
/// column per pixel `(i, j)`: entry `x[c, i + a, j + d]`, or zero past an edge.
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
        self.batch * self.cin * self.cout * self.pixels() == 0
    }

    fn pixels(&self) -> usize {
        self.height * self.width
    }

    /// Rows of the unfolded matrix: the weights of one output channel.
    fn rows(&self) -> usize {
        self.cin * self.kh * self.kw
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

    fn weight_matrix<'a>(&self, w: &'a [f64]) -> ArrayView2<'a, f64> {
        ArrayView2::from_shape((self.cout, self.rows()), w).expect("the weight is Cout x (Cin * KH * KW)")
    }

    fn columns<'a>(&self, cols: &'a [f64]) -> ArrayView2<'a, f64> {
        ArrayView2::from_shape((self.rows(), self.pixels()), cols).expect("the windows are rows x pixels")
    }

    fn columns_mut<'a>(&self, cols: &'a mut [f64]) -> ArrayViewMut2<'a, f64> {
        ArrayViewMut2::from_shape((self.rows(), self.pixels()), cols).expect("the windows are rows x pixels")
    }

    fn output_view<'a>(&self, out: &'a [f64]) -> ArrayView2<'a, f64> {
        ArrayView2::from_shape((self.cout, self.pixels()), out).expect("an output image is Cout x pixels")
    }

    fn output_matrix<'a>(&self, out: &'a mut [f64]) -> ArrayViewMut2<'a, f64> {
        ArrayViewMut2::from_shape((self.cout, self.pixels()), out).expect("an output image is Cout x pixels")
    }

    /// The row of the unfolded matrix that holds weight `(c, a, d)`.
    fn row_origin(&self, row: usize) -> (usize, usize, usize) {
        (row / (self.kh * self.kw), row / self.kw % self.kh, row % self.kw)
    }

    /// Writes the windows of one row-major image (`Cin x H x W`) into `cols`.
    fn unfold(&self, image: &[f64], cols: &mut [f64]) {
        let (h, w) = (self.height, self.width);
        for (row, out) in cols.chunks_exact_mut(self.pixels()).enumerate() {
            let (c, a, d) = self.row_origin(row);
            for (i, out) in out.chunks_exact_mut(w).enumerate() {
                // Row i of this window row reads image row i + a from column d on.
                let kept = if i + a < h { w.saturating_sub(d) } else { 0 };
                let start = (c * h + i + a) * w + d;
                out[..kept].copy_from_slice(&image[start.min(image.len())..][..kept]);
                out[kept..].fill(0.0);
            }
        }
    }

    /// Adds every entry of `cols` to the pixel of `image` it was read from:
    /// the transpose of [`Shape::unfold`].
    fn fold(&self, cols: &[f64], image: &mut [f64]) {
        let (h, w) = (self.height, self.width);
        for (row, col) in cols.chunks_exact(self.pixels()).enumerate() {
            let (c, a, d) = self.row_origin(row);
            for (i, col) in col.chunks_exact(w).enumerate().take(h.saturating_sub(a)) {
                let start = ((c * h + i + a) * w + d).min(image.len());
                let kept = w.saturating_sub(d);
                for (pixel, value) in image[start..][..kept].iter_mut().zip(col) {
                    *pixel += value;
                }
            }
        }
    }
}

/// Below this many multiply-adds a call runs on the calling thread: starting
/// a thread costs about as much as 50 000 of them.
const THREAD_THRESHOLD: usize = 1 << 18;

/// Splits the batch into one run of consecutive images per thread and calls
/// `work(images, slice)` for each, where `slice` is the run's part of `out`
/// (`per_image` elements per image). Returns the results in batch order.
fn for_each_batch_slice<R: Send>(
    shape: &Shape,
    out: &mut [f64],
    per_image: usize,
    work: impl Fn(Range<usize>, &mut [f64]) -> R + Sync,
) -> Vec<R> {
    let flops = shape.batch * shape.output_len() * shape.rows();
    let threads = thread::available_parallelism().map_or(1, |n| n.get());
    let threads = if flops < THREAD_THRESHOLD { 1 } else { threads.min(shape.batch) };
    if threads <= 1 || per_image == 0 {
        return vec![work(0..shape.batch, out)];
    }
    let run = shape.batch.div_ceil(threads);
    thread::scope(|scope| {
        let work = &work;
        let handles: Vec<_> = out
            .chunks_mut(run * per_image)
            .enumerate()
            .map(|(t, slice)| {
                let images = t * run..((t + 1) * run).min(shape.batch);
                scope.spawn(move || work(images, slice))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
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

    #[test]
    fn forward_follows_the_definition() {
        for (n, &(dim, k)) in SHAPES.iter().enumerate() {
            let [x, w, _] = operands(dim, k, 3, n as u64);
            let expected = by_definition(x.view(), w.view());
            assert_eq!(
                first_mismatch(expected.view(), forward(x.view(), w.view()).view(), FORWARD),
                None,
                "{dim:?} {k:?}"
            );
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
    fn threads_give_the_same_answer_as_one_image_at_a_time() {
        let [x, w, g] = operands((16, 8, 12, 12), (5, 5), 16, 9);
        let out = forward(x.view(), w.view());
        let (gx, gw) = backward(x.view(), w.view(), g.view());
        let mut gw_sum = Array4::zeros(w.raw_dim());
        for b in 0..16 {
            let one = s![b..b + 1, .., .., ..];
            let (gx_b, gw_b) = backward(x.slice(one), w.view(), g.slice(one));
            assert_eq!(first_mismatch(out.slice(one), forward(x.slice(one), w.view()).view(), FORWARD), None);
            assert_eq!(first_mismatch(gx.slice(one), gx_b.view(), FORWARD), None);
            gw_sum += &gw_b;
        }
        assert_eq!(first_mismatch(gw.view(), gw_sum.view(), FORWARD), None);
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
