//! The two functions you write: the convolution and its backward.
//!
//! The inputs are valid and not empty (the public functions checked them,
//! and answered empty ones themselves) but may be in any layout: a permuted
//! or sliced view is as good as a fresh array.

use ndarray::{Array4, ArrayView4};
// BEGIN HIDDEN
use std::ops::Range;

use ndarray::{Array2, ArrayView2, ArrayViewMut2, linalg::general_mat_mul, s};
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
    let w = shape.weight_matrix(w.as_slice().expect("a standard layout is one slice"));
    let mut out = vec![0.0; shape.batch * shape.output_len()];
    for_each_batch_slice(&shape, 1, &mut out, shape.output_len(), |images, outs| {
        // The windows of one band of output rows at a time: a small matrix
        // that stays in cache between being written and being multiplied.
        let mut cols = vec![0.0; shape.rows() * shape.band_height() * shape.width];
        for (b, out) in images.zip(outs.chunks_exact_mut(shape.output_len())) {
            let image = &x[b * shape.image_len()..][..shape.image_len()];
            let mut out = shape.output_matrix(out);
            for band in shape.bands() {
                shape.unfold(image, &band, &mut cols);
                // (Cout x rows) times (rows x band pixels): the band's columns of the output.
                let mut out = out.slice_mut(s![.., shape.pixel_range(&band)]);
                general_mat_mul(1.0, &w, &shape.columns(&band, &cols), 0.0, &mut out);
            }
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
    // HINT(conv2d_backward): Each term is one w × one x: x's gradient gets grad_out × w, and w's gets grad_out × x.
    // HINT(conv2d_backward): grad_weight: sum over batch, pixels; grad_input: box turned 180°, anchored bottom-right.
    // HINT(conv2d_backward): Pitfalls: grad_weight not summed over batch, an unrotated box, terms past the edges.
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
    let w = shape.weight_matrix(w.as_slice().expect("a standard layout is one slice"));
    let mut grad_input = vec![0.0; shape.batch * shape.image_len()];
    // Two matrix products per band, each as big as the forward's.
    let partial_sums = for_each_batch_slice(&shape, 2, &mut grad_input, shape.image_len(), |images, grad_images| {
        let mut grad_weight = Array2::zeros((shape.cout, shape.rows()));
        let mut cols = vec![0.0; shape.rows() * shape.band_height() * shape.width];
        for (b, grad_image) in images.zip(grad_images.chunks_exact_mut(shape.image_len())) {
            let image = &x[b * shape.image_len()..][..shape.image_len()];
            let g = shape.output_view(&g[b * shape.output_len()..][..shape.output_len()]);
            for band in shape.bands() {
                let g = g.slice(s![.., shape.pixel_range(&band)]);
                shape.unfold(image, &band, &mut cols);
                // dL/dw += grad_out (Cout x band pixels) times the windows' transpose (band pixels x rows).
                general_mat_mul(1.0, &g, &shape.columns(&band, &cols).t(), 1.0, &mut grad_weight);
                // dL/dcols = w^T (rows x Cout) times grad_out (Cout x band pixels),
                // then every window entry goes back to the pixel it was read from.
                general_mat_mul(1.0, &w.t(), &g, 0.0, &mut shape.columns_mut(&band, &mut cols));
                shape.fold(&cols, &band, grad_image);
            }
        }
        grad_weight
    });
    let grad_weight = partial_sums.into_iter().fold(Array2::zeros((shape.cout, shape.rows())), |sum, part| sum + part);
    let grad_weight = grad_weight.into_shape_with_order(weight.raw_dim()).expect("shaped like the weight");
    (Array4::from_shape_vec(input.raw_dim(), grad_input).expect("shaped like the input"), padded(grad_weight, full))
    // END SOLUTION
}

// BEGIN HIDDEN
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

/// The sizes of one convolution. The unfolded windows of an image form a
/// matrix with one row per weight of an output channel, `(c, a, d)`, and one
/// column per pixel `(i, j)`: entry `x[c, i + a, j + d]`, or zero past an edge.
/// The kernels unfold one band of output rows `i` at a time ([`Shape::bands`]).
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

    fn weight_matrix<'a>(&self, w: &'a [f64]) -> ArrayView2<'a, f64> {
        ArrayView2::from_shape((self.cout, self.rows()), w).expect("the weight is Cout x (Cin * KH * KW)")
    }

    /// The output rows of one band: enough rows for about [`BAND_PIXELS`]
    /// pixels, the bands of an image as even as possible.
    fn band_height(&self) -> usize {
        self.height.div_ceil(self.pixels().div_ceil(BAND_PIXELS))
    }

    /// The bands of output rows, top to bottom.
    fn bands(&self) -> impl Iterator<Item = Range<usize>> + use<> {
        let (height, step) = (self.height, self.band_height());
        (0..height).step_by(step).map(move |i| i..(i + step).min(height))
    }

    /// The pixels of a band, as indices into a row-major `H x W` image.
    fn pixel_range(&self, band: &Range<usize>) -> Range<usize> {
        band.start * self.width..band.end * self.width
    }

    /// The first `rows x band pixels` entries of `cols`: the windows of `band`.
    fn columns<'a>(&self, band: &Range<usize>, cols: &'a [f64]) -> ArrayView2<'a, f64> {
        let shape = (self.rows(), band.len() * self.width);
        ArrayView2::from_shape(shape, &cols[..shape.0 * shape.1]).expect("the windows are rows x band pixels")
    }

    fn columns_mut<'a>(&self, band: &Range<usize>, cols: &'a mut [f64]) -> ArrayViewMut2<'a, f64> {
        let shape = (self.rows(), band.len() * self.width);
        ArrayViewMut2::from_shape(shape, &mut cols[..shape.0 * shape.1]).expect("the windows are rows x band pixels")
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

    /// Writes the windows of the output rows `band` of one row-major image
    /// (`Cin x H x W`) into `cols`, as a `rows x band pixels` matrix.
    fn unfold(&self, image: &[f64], band: &Range<usize>, cols: &mut [f64]) {
        let (h, w) = (self.height, self.width);
        let n = band.len() * w;
        for (row, out) in cols[..self.rows() * n].chunks_exact_mut(n).enumerate() {
            let (c, a, d) = self.row_origin(row);
            // Row (c, a, d) reads image rows band.start + a, ... of channel c from
            // column d on. In a row-major image these are consecutive values: one
            // copy, then zeros for the rows past the bottom edge...
            let inside = band.end.min(h.saturating_sub(a)).saturating_sub(band.start);
            let kept = (inside * w).saturating_sub(d);
            let start = ((c * h + band.start + a) * w + d).min(image.len());
            out[..kept].copy_from_slice(&image[start..][..kept]);
            out[kept..].fill(0.0);
            // ...and for the last d columns of every row, which ran on into the
            // next image row but lie past the right edge.
            let past = d.min(w);
            if past > 0 {
                out.chunks_exact_mut(w).for_each(|out_row| out_row[w - past..].fill(0.0));
            }
        }
    }

    /// Adds every entry of `cols` (the windows of `band`) to the pixel of
    /// `image` it was read from: the transpose of [`Shape::unfold`].
    fn fold(&self, cols: &[f64], band: &Range<usize>, image: &mut [f64]) {
        let (h, w) = (self.height, self.width);
        let n = band.len() * w;
        for (row, col) in cols[..self.rows() * n].chunks_exact(n).enumerate() {
            let (c, a, d) = self.row_origin(row);
            for (i, col) in band.clone().zip(col.chunks_exact(w)).take_while(|&(i, _)| i + a < h) {
                let start = ((c * h + i + a) * w + d).min(image.len());
                let kept = w.saturating_sub(d);
                for (pixel, value) in image[start..][..kept].iter_mut().zip(col) {
                    *pixel += value;
                }
            }
        }
    }
}

/// The pixels per band of unfolded windows. On the course's 2-core machines
/// whole images ran S3 of `cargo bench` 1.4 times and S2 up to 4 times
/// slower than bands of 128 to 256 pixels: their windows (4.7 MB for an
/// image of 64 channels, 32 x 32, and a 3 x 3 kernel) spill out of the
/// cache, and the allocator hands such large buffers back to the system and
/// faults them in again at every call. Bands of less than 64 pixels are
/// slower again, as every product packs the whole weight matrix.
const BAND_PIXELS: usize = 256;

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

    /// Images the kernels unfold in several bands: uneven bands, a kernel
    /// taller than a band, bands of one row wider than [`BAND_PIXELS`].
    const BANDED: [Problem; 3] = [((2, 2, 40, 13), (4, 3)), ((1, 2, 30, 20), (12, 2)), ((1, 1, 3, 300), (2, 5))];

    #[test]
    fn images_in_several_bands_follow_the_definition() {
        for (n, &(dim, k)) in BANDED.iter().enumerate() {
            let [x, w, g] = operands(dim, k, 3, n as u64);
            assert!(Shape::of(x.view(), w.view()).bands().count() > 1, "{dim:?} {k:?}");
            let out = forward(x.view(), w.view());
            assert_eq!(first_mismatch(by_definition(x.view(), w.view()).view(), out.view(), FORWARD), None);
            let (gx, gw) = backward(x.view(), w.view(), g.view());
            let [expected_gx, expected_gw] = backward_by_definition(x.view(), w.view(), g.view());
            assert_eq!(first_mismatch(expected_gx.view(), gx.view(), FORWARD), None, "{dim:?} {k:?}");
            assert_eq!(first_mismatch(expected_gw.view(), gw.view(), FORWARD), None, "{dim:?} {k:?}");
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
