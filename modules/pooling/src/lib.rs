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
//! use pooling::{avgpool2d, tile};
//!
//! let grid = Array::range(1.0, 17.0, 1.0).into_shape_with_order((1, 1, 4, 4)).unwrap();
//! let windows = tile(grid.view(), (2, 2))?;
//! assert_eq!(windows.shape(), &[1, 1, 2, 2, 4]);
//! assert_eq!(windows.slice(ndarray::s![0, 0, 0, 0, ..]), array![1.0, 2.0, 5.0, 6.0]);
//! let pooled = avgpool2d(grid.view(), (2, 2))?;
//! assert_eq!(pooled.into_shape_with_order((2, 2)).unwrap(), array![[3.5, 5.5], [11.5, 13.5]]);
//! # Ok::<(), support::ShapeError>(())
//! ```

// Until every `todo!()` is filled in, some parameters and imports go unused.
#![allow(unused_variables, unused_imports)]

/// The shape checks of the public functions, also used by `softmax`'s max pooling.
pub mod shapes;

use ndarray::{Array4, Array5, ArrayView, ArrayView4, Dimension};
use support::ShapeError;

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
    todo!(
        "make x contiguous, view it as B x C x H/kh x kh x W/kw x kw, permute to B x C x H/kh x W/kw x kh x kw, make that contiguous and view the last two axes as one"
    )
}

/// The average of every window of a valid, non-empty input.
fn average(x: ArrayView4<f64>, kernel: (usize, usize)) -> Array4<f64> {
    todo!("the mean over the last axis of the tiled windows")
}

/// Every upstream gradient shared equally among the `kh * kw` inputs of its
/// window, for a valid, non-empty input.
fn spread(grad_out: ArrayView4<f64>, (kh, kw): (usize, usize)) -> Array4<f64> {
    todo!("each input of a window gets that window's grad_out divided by kh * kw")
}
