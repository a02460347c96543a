// BEGIN HIDDEN
//! The convolution as unfolded windows and matrix products (im2col).
//!
//! The windows of a band of output rows are copied into a matrix with one
//! row per weight of an output channel and one column per pixel; the
//! output is then the weight matrix times it, and the backward is two more
//! products and the sum of every window entry back into its pixel.

use std::ops::Range;

use ndarray::{Array2, ArrayView2, ArrayViewMut2, linalg::general_mat_mul, s};

use super::{Shape, for_each_batch_slice};

/// [`super::forward`] on a valid, non-empty `shape`: `x` is the input and
/// `w` the `Cout x rows` weight matrix, both row-major.
pub(super) fn forward(shape: &Shape, x: &[f64], w: &[f64]) -> Vec<f64> {
    let w = shape.weight_matrix(w);
    let mut out = vec![0.0; shape.batch * shape.output_len()];
    for_each_batch_slice(shape, 1, &mut out, shape.output_len(), |images, outs| {
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
    out
}

/// [`super::backward`] on a valid, non-empty `shape`: the input gradient,
/// and the weight gradient as a `Cout x rows` matrix.
pub(super) fn backward(shape: &Shape, x: &[f64], w: &[f64], g: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let w = shape.weight_matrix(w);
    let mut grad_input = vec![0.0; shape.batch * shape.image_len()];
    // Two matrix products per band, each as big as the forward's.
    let partial_sums = for_each_batch_slice(shape, 2, &mut grad_input, shape.image_len(), |images, grad_images| {
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
    (grad_input, grad_weight.into_iter().collect())
}

/// The pixels per band of unfolded windows. On the course's 2-core machines
/// whole images ran S3 of `cargo bench` 1.4 times and S2 up to 4 times
/// slower than bands of 128 to 256 pixels: their windows (4.7 MB for an
/// image of 64 channels, 32 x 32, and a 3 x 3 kernel) spill out of the
/// cache, and the allocator hands such large buffers back to the system and
/// faults them in again at every call. Bands of less than 64 pixels are
/// slower again, as every product packs the whole weight matrix.
const BAND_PIXELS: usize = 256;

impl Shape {
    fn weight_matrix<'a>(&self, w: &'a [f64]) -> ArrayView2<'a, f64> {
        ArrayView2::from_shape((self.cout, self.rows()), w).expect("the weight is Cout x (Cin * KH * KW)")
    }

    /// The output rows of one band: enough rows for about [`BAND_PIXELS`]
    /// pixels, the bands of an image as even as possible.
    fn band_height(&self) -> usize {
        self.height.div_ceil(self.pixels().div_ceil(BAND_PIXELS))
    }

    /// The bands of output rows, top to bottom.
    pub(super) fn bands(&self) -> impl Iterator<Item = Range<usize>> + use<> {
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
// END HIDDEN
