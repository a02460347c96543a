//! # Module 4: pooling
//!
//! Pooling summarises every `kh x kw` window of an image by one number; the
//! windows do not overlap, so a `B x C x H x W` input becomes
//! `B x C x H/kh x W/kw`. [`tile`] gathers the windows with no arithmetic
//! at all, by viewing the storage in another shape and permuting axes;
//! [`avgpool2d`] then averages each window. The notes are the `pooling`
//! chapter of the book.
//!
//! ```
//! use ndarray::{Array, array};
//! use pooling_solution::{avgpool2d, tile};
//!
//! let grid = Array::range(1.0, 17.0, 1.0).into_shape_with_order((1, 1, 4, 4)).unwrap();
//! let windows = tile(grid.view(), (2, 2))?;
//! assert_eq!(windows.shape(), &[1, 1, 2, 2, 4]);
//! assert_eq!(windows.slice(ndarray::s![0, 0, 0, 0, ..]), array![1.0, 2.0, 5.0, 6.0]);
//! let pooled = avgpool2d(grid.view(), (2, 2))?;
//! assert_eq!(pooled.into_shape_with_order((2, 2)).unwrap(), array![[3.5, 5.5], [11.5, 13.5]]);
//! # Ok::<(), support::ShapeError>(())
//! ```

/// The shape checks of the public functions, also used by `softmax`'s max pooling.
pub mod shapes;

use ndarray::{Array4, Array5, ArrayView, ArrayView4, Dimension};
use support::ShapeError;
// BEGIN HIDDEN
use rayon::prelude::*;
// END HIDDEN

/// The `kh x kw` windows of `input` (`B x C x H x W`):
/// `B x C x H/kh x W/kw x (kh * kw)`, each window row-major in the last axis:
/// `out[b, c, i, j, a * kw + d] = x[b, c, i * kh + a, j * kw + d]`.
///
/// An empty image (height or width 0) has no windows, whatever the kernel:
/// the output is empty too. A kernel taller or wider than a non-empty image
/// does not divide it.
///
/// **Errors** when `input` does not have 4 axes, the kernel is empty, the
/// kernel does not divide the height and the width, or the output would be
/// too big for any array (as for a kernel of `2^62 x 4` over an empty
/// image; see [`support::checked_size`]).
pub fn tile<D: Dimension>(input: ArrayView<f64, D>, kernel: (usize, usize)) -> Result<Array5<f64>, ShapeError> {
    let function = "tile";
    let x = shapes::pooled(function, input, kernel)?;
    let shape = shapes::tiled(function, x, kernel)?;
    if x.is_empty() {
        return Ok(Array5::zeros(shape));
    }
    Ok(windows(x, kernel))
}

/// The mean of every `kh x kw` window: `B x C x H/kh x W/kw`.
///
/// **Errors** as [`tile`] does, except that an empty image takes a kernel
/// of any size: the output has no axis of `kh * kw` windows to overflow.
pub fn avgpool2d<D: Dimension>(input: ArrayView<f64, D>, kernel: (usize, usize)) -> Result<Array4<f64>, ShapeError> {
    let x = shapes::pooled("avgpool2d", input, kernel)?;
    if x.is_empty() {
        return Ok(Array4::zeros(shapes::pooled_dim(x, kernel)));
    }
    Ok(average(x, kernel))
}

/// The gradient of `sum(grad_out * avgpool2d(input))` with respect to
/// `input`: every input receives its window's upstream gradient divided by
/// `kh * kw`.
///
/// **Errors** as [`avgpool2d`] does, and when `grad_out` is not shaped like
/// the output.
pub fn avgpool2d_backward<D: Dimension>(
    input: ArrayView<f64, D>,
    kernel: (usize, usize),
    grad_out: ArrayView<f64, D>,
) -> Result<Array4<f64>, ShapeError> {
    let function = "avgpool2d_backward";
    let x = shapes::pooled(function, input, kernel)?;
    let g = shapes::grad_out(function, x, kernel, grad_out)?;
    if x.is_empty() {
        return Ok(Array4::zeros(x.raw_dim()));
    }
    Ok(spread(g, kernel))
}

/// The windows of a valid, non-empty input (the kernel divides its height
/// and width).
fn windows(x: ArrayView4<f64>, (kh, kw): (usize, usize)) -> Array5<f64> {
    // BEGIN SOLUTION: make x contiguous, view it as B x C x H/kh x kh x W/kw x kw, permute to B x C x H/kh x W/kw x kh x kw, make that contiguous and view the last two axes as one
    // HINT(tile): Non-overlapping kh × kw windows, row-major in the last axis: 4×4 grid 1..16, 2×2 → first (1,2,5,6).
    // HINT(tile): Make it contiguous, view H as (H/kh, kh), W as (W/kw, kw), move kh, kw last; the merge needs a copy.
    // HINT(tile): Pitfalls: folding storage as it lies, column-major windows, overlapping windows, H/kh, W/kw swapped.
    let (b, c, h, w) = x.dim();
    let x = x.as_standard_layout();
    // Row-major storage read in another shape: only the strides change.
    let folded = x
        .view()
        .into_shape_with_order((b, c, h / kh, kh, w / kw, kw))
        .expect("a contiguous array takes any shape of its size");
    // Bring each window's kh rows next to its kw columns: still no copy.
    let grouped = folded.permuted_axes([0, 1, 2, 4, 3, 5]);
    // The one copy: the windows laid out one after the other.
    let grouped = grouped.as_standard_layout();
    grouped.into_owned().into_shape_with_order((b, c, h / kh, w / kw, kh * kw)).expect("the same number of elements")
    // END SOLUTION
}

/// The average of every window of a valid, non-empty input.
fn average(x: ArrayView4<f64>, kernel: (usize, usize)) -> Array4<f64> {
    // BEGIN SOLUTION: the mean over the last axis of the tiled windows
    // HINT(avgpool2d): Each window becomes the mean of its kh·kw values.
    // HINT(avgpool2d): Reuse tile's windows and take the mean over the last axis: B × C × H/kh × W/kw.
    // HINT(avgpool2d): Pitfalls: no division, dividing by kh + kw, only the first row, needing contiguous input.
    // Each plane's windows are summed in place, row by row, on rayon's
    // threads for big inputs: the same means as tiling, without the copy.
    // The kh rows of a window are added first, along whole rows (which the
    // compiler vectorises), then the kw columns of each window.
    let (kh, kw) = kernel;
    let (b, c, h, w) = x.dim();
    let (oh, ow) = (h / kh, w / kw);
    let x = x.as_standard_layout();
    let x = x.as_slice().expect("standard layout");
    let share = 1.0 / (kh * kw) as f64;
    let mut out = Array4::zeros((b, c, oh, ow));
    for_each_plane(out.as_slice_mut().expect("a new array"), oh * ow, h * w, |p, out| {
        let plane = &x[p * h * w..(p + 1) * h * w];
        let mut columns = vec![0.0; ow * kw];
        for (out, rows) in out.chunks_exact_mut(ow).zip(plane.chunks_exact(kh * w)) {
            let mut rows = rows.chunks_exact(w).map(|row| &row[..ow * kw]);
            columns.copy_from_slice(rows.next().expect("kh is at least 1"));
            rows.for_each(|row| columns.iter_mut().zip(row).for_each(|(sum, x)| *sum += x));
            match kw {
                1 => window_sums::<1>(&columns, share, out),
                2 => window_sums::<2>(&columns, share, out),
                3 => window_sums::<3>(&columns, share, out),
                _ => out.iter_mut().zip(columns.chunks_exact(kw)).for_each(|(o, c)| *o = c.iter().sum::<f64>() * share),
            }
        }
    });
    out
    // END SOLUTION
}

/// Every upstream gradient shared equally among the `kh * kw` inputs of its
/// window, for a valid, non-empty input.
fn spread(grad_out: ArrayView4<f64>, (kh, kw): (usize, usize)) -> Array4<f64> {
    // BEGIN SOLUTION: each input of a window gets that window's grad_out divided by kh * kw
    // HINT(avgpool2d_backward): Each input adds 1/(kh·kw) to exactly one mean.
    // HINT(avgpool2d_backward): Spread each grad_out entry evenly over its window's inputs.
    // HINT(avgpool2d_backward): Pitfalls: no division, only the top-left input, assuming a contiguous grad_out.
    let (b, c, oh, ow) = grad_out.dim();
    let share = 1.0 / (kh * kw) as f64;
    let g = grad_out.as_standard_layout();
    let g = g.as_slice().expect("standard layout");
    let mut grad = Array4::zeros((b, c, oh * kh, ow * kw));
    // The first row of each band of kh rows is filled window by window,
    // and copied into the others.
    for_each_plane(grad.as_slice_mut().expect("a new array"), oh * kh * ow * kw, oh * kh * ow * kw, |p, grad| {
        let g = &g[p * oh * ow..(p + 1) * oh * ow];
        for (band, g) in grad.chunks_exact_mut(kh * ow * kw).zip(g.chunks_exact(ow)) {
            let (first, rest) = band.split_at_mut(ow * kw);
            match kw {
                1 => spread_row::<1>(g, share, first),
                2 => spread_row::<2>(g, share, first),
                3 => spread_row::<3>(g, share, first),
                _ => first.chunks_exact_mut(kw).zip(g).for_each(|(window, &g)| window.fill(g * share)),
            }
            rest.chunks_exact_mut(ow * kw).for_each(|row| row.copy_from_slice(first));
        }
    });
    grad
    // END SOLUTION
}

// BEGIN HIDDEN
/// `out[j]` = `share` times the sum of the `KW` numbers of window `j` of
/// `columns`: with `KW` known, the compiler vectorises the sums (with `kw`
/// known only when it runs, average pooling of 2 x 2 took twice as long).
fn window_sums<const KW: usize>(columns: &[f64], share: f64, out: &mut [f64]) {
    out.iter_mut().zip(columns.chunks_exact(KW)).for_each(|(o, c)| *o = c.iter().sum::<f64>() * share);
}

/// Every window of `KW` numbers of `row` set to `share` times its number
/// of `g`: [`window_sums`] the other way.
fn spread_row<const KW: usize>(g: &[f64], share: f64, row: &mut [f64]) {
    row.chunks_exact_mut(KW).zip(g).for_each(|(window, &g)| window.fill(g * share));
}

/// Inputs smaller than this many elements stay on the calling thread: on
/// the course's 2-core virtual machines, waking a pool thread that has gone
/// to sleep takes up to 0.1 ms, about the time of pooling this many.
const PARALLEL_ELEMENTS: usize = 1 << 16;

/// Calls `f(p, plane)` for every plane `p` of `out`, a `B x C x ...` array
/// as a slice of `B * C` planes of `plane` elements each; the input's
/// planes have `input_plane` elements. Big inputs are cut into one run of
/// planes per thread of rayon's pool.
pub fn for_each_plane(out: &mut [f64], plane: usize, input_plane: usize, f: impl Fn(usize, &mut [f64]) + Sync + Send) {
    if plane == 0 {
        return;
    }
    let (planes, threads) = (out.len() / plane, rayon::current_num_threads());
    if threads <= 1 || planes * input_plane < PARALLEL_ELEMENTS {
        out.chunks_exact_mut(plane).enumerate().for_each(|(p, out)| f(p, out));
    } else {
        let run = planes.div_ceil(threads);
        out.par_chunks_mut(run * plane).enumerate().for_each(|(t, planes)| {
            planes.chunks_exact_mut(plane).enumerate().for_each(|(p, out)| f(t * run + p, out))
        });
    }
}
// END HIDDEN

// BEGIN HIDDEN
#[cfg(test)]
mod tests {
    use ndarray::{Array, s};
    use support::gradcheck::{GRADIENT, check_gradient};
    use support::random::{rng, uniform};

    use super::*;

    #[test]
    fn every_element_lands_in_its_window_once() {
        let x = Array::range(0.0, 2.0 * 3.0 * 6.0 * 4.0, 1.0).into_shape_with_order((2, 3, 6, 4)).unwrap();
        let t = tile(x.view(), (3, 2)).unwrap();
        assert_eq!(t.shape(), &[2, 3, 2, 2, 6]);
        for ((b, c, i, j, k), &v) in t.indexed_iter() {
            assert_eq!(v, x[[b, c, i * 3 + k / 2, j * 2 + k % 2]]);
        }
        let strided = x.slice(s![.., .., ..;-1, ..]);
        let reversed = tile(strided, (3, 2)).unwrap();
        assert_eq!(reversed, tile(strided.as_standard_layout().view(), (3, 2)).unwrap());
    }

    #[test]
    fn backward_matches_finite_differences() {
        let x = uniform((2, 2, 4, 6), &mut rng(1));
        let g = uniform((2, 2, 2, 2), &mut rng(2));
        let claimed = avgpool2d_backward(x.view(), (2, 3), g.view()).unwrap();
        check_gradient(|x| avgpool2d(x.view(), (2, 3)).unwrap(), &x, &g, claimed.view(), GRADIENT).unwrap();
    }

    #[test]
    fn every_kernel_width_averages_and_spreads_its_windows() {
        // Widths with a loop of their own (1 to 3) and without (4).
        for kernel in [(1, 1), (1, 3), (2, 2), (3, 1), (2, 4), (3, 3)] {
            let x = uniform((2, 3, 6 * kernel.0, 5 * kernel.1), &mut rng(3));
            let means = tile(x.view(), kernel).unwrap().mean_axis(ndarray::Axis(4)).unwrap();
            let pooled = avgpool2d(x.view(), kernel).unwrap();
            assert!(pooled.iter().zip(&means).all(|(a, b)| (a - b).abs() < 1e-14), "{kernel:?}");
            let g = uniform(pooled.raw_dim(), &mut rng(4));
            let spread = avgpool2d_backward(x.view(), kernel, g.view()).unwrap();
            let share = 1.0 / (kernel.0 * kernel.1) as f64;
            for ((b, c, i, j), &v) in spread.indexed_iter() {
                assert_eq!(v, g[[b, c, i / kernel.0, j / kernel.1]] * share, "{kernel:?} at {b}, {c}, {i}, {j}");
            }
        }
    }

    #[test]
    fn refuses_what_it_cannot_pool() {
        let x = Array4::<f64>::zeros((1, 1, 4, 6));
        assert_eq!(tile(x.view(), (3, 2)).unwrap_err().function, "tile");
        assert_eq!(avgpool2d(x.view(), (0, 2)).unwrap_err().function, "avgpool2d");
        let g = Array4::<f64>::zeros((1, 1, 2, 2));
        assert!(avgpool2d_backward(x.view(), (2, 2), g.view()).is_err());
        assert!(avgpool2d_backward(x.view(), (2, 3), g.view()).is_ok());
    }

    #[test]
    fn empty_images_pool_to_empty_outputs_whatever_the_kernel() {
        let huge = 1 << 62;
        let x = Array4::<f64>::zeros((2, 3, 0, 4));
        let column = Array4::<f64>::zeros((1, 1, 0, 1));
        assert_eq!(tile(column.view(), (huge, 1)).unwrap().shape(), &[1, 1, 0, 1, huge]);
        // The windows' axis of 2^63 elements: more than any array.
        assert_eq!(tile(x.view(), (huge, 2)).unwrap_err().function, "tile");
        assert_eq!(avgpool2d(x.view(), (huge, 4)).unwrap().shape(), &[2, 3, 0, 1]);
        let g = Array4::<f64>::zeros((2, 3, 0, 1));
        assert_eq!(avgpool2d_backward(x.view(), (huge, 4), g.view()).unwrap().shape(), &[2, 3, 0, 4]);
        // Any kernel divides an image of 0 x 0; kh * kw overflows.
        let nothing = Array4::<f64>::zeros((2, 3, 0, 0));
        assert!(tile(nothing.view(), (huge, huge)).unwrap_err().expected.contains("kh * kw"));
        assert_eq!(avgpool2d(nothing.view(), (huge, huge)).unwrap().shape(), &[2, 3, 0, 0]);
        // A kernel bigger than a non-empty image does not divide it.
        assert!(avgpool2d(Array4::<f64>::zeros((1, 1, 2, 2)).view(), (4, 4)).is_err());
    }
}
// END HIDDEN
