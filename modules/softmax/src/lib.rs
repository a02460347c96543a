//! # Module 6: max, argmax, softmax
//!
//! Reductions along one axis `dim` of an array of any rank, the hard ones
//! and their soft, differentiable versions:
//!
//! - [`max`] and [`argmax`]: the largest value of every slice along `dim`,
//!   and where it is (one-hot);
//! - [`softmax`] and [`logsoftmax`]: the soft argmax, a probability
//!   distribution over every slice, computed so that scores of 1000 neither
//!   overflow nor underflow;
//! - [`maxpool2d`]: the max of every window of an image, on
//!   [`pooling::tile`](pooling::tile);
//! - [`dropout`]: randomly zeroed elements, the survivors scaled up.
//!
//! Every backward returns the gradient of `sum(grad_out * f(x))` with
//! respect to `x`. The notes are the `softmax` chapter of the book.
//!
//! The public functions answer an empty `x` themselves, without calling the
//! exercises: there is nothing to compute, and looping over the slices of
//! an empty array can take forever (an array of shape `(2^20, 0, 2^20)` has
//! 2^40 empty slices along its axis 1).
//!
//! ```
//! use ndarray::array;
//! use softmax::{argmax, max, softmax};
//!
//! let x = array![[1.0, 3.0, 2.0], [1000.0, 1000.0, -1000.0]];
//! assert_eq!(max(x.view(), 1)?, array![[3.0], [1000.0]]);
//! assert_eq!(argmax(x.view(), 0)?, array![[0.0, 0.0, 1.0], [1.0, 1.0, 0.0]]);
//! let p = softmax(x.view(), 1)?;
//! assert_eq!(p.row(1), array![0.5, 0.5, 0.0]);
//! # Ok::<(), support::ShapeError>(())
//! ```

// Until every `todo!()` is filled in, some parameters and imports go unused.
#![allow(unused_variables, unused_imports)]

mod dropout;
mod max;
mod maxpool;
mod shapes;
mod softmax;

use ndarray::{Array, Array4, ArrayD, ArrayView, Dimension};
use support::ShapeError;
use support::random::Rng;

pub use self::dropout::Mode;

/// What [`dropout`] returns: the output, and the mask it multiplied `x` by.
pub type Dropped<D> = (Array<f64, D>, Array<f64, D>);

/// The maximum of every slice of `x` along `dim`; the reduced axis is kept
/// with size 1, so the output broadcasts against `x`.
///
/// An empty `x` (another axis is 0) has no slices: the output is empty.
///
/// **Errors** when `x` has no axis `dim`, or that axis is empty.
pub fn max<D: Dimension>(x: ArrayView<f64, D>, dim: usize) -> Result<Array<f64, D>, ShapeError> {
    let axis = shapes::nonempty_axis("max", &x, dim)?;
    if x.is_empty() {
        let mut reduced = x.raw_dim();
        reduced[axis.index()] = 1;
        return Ok(Array::zeros(reduced));
    }
    Ok(typed(max::max_along(x.into_dyn(), axis)))
}

/// The gradient of `sum(grad_out * max(x, dim))`: every slice's `grad_out`
/// goes to the position of its maximum, 0 elsewhere; on a tie, to one of
/// the tied positions.
///
/// **Errors** as [`max`] does, and when `grad_out` is not shaped like
/// `max`'s output.
pub fn max_backward<D: Dimension>(
    x: ArrayView<f64, D>,
    dim: usize,
    grad_out: ArrayView<f64, D>,
) -> Result<Array<f64, D>, ShapeError> {
    let axis = shapes::nonempty_axis("max_backward", &x, dim)?;
    shapes::reduced("max_backward", &x, axis, &grad_out)?;
    if x.is_empty() {
        return Ok(Array::zeros(x.raw_dim()));
    }
    Ok(typed(max::max_backward_along(x.into_dyn(), axis, grad_out.into_dyn())))
}

/// A one-hot array shaped like `x`: 1 at the maximum of every slice along
/// `dim` (one of them on a tie), 0 elsewhere.
///
/// **Errors** as [`max`] does.
pub fn argmax<D: Dimension>(x: ArrayView<f64, D>, dim: usize) -> Result<Array<f64, D>, ShapeError> {
    let axis = shapes::nonempty_axis("argmax", &x, dim)?;
    if x.is_empty() {
        return Ok(Array::zeros(x.raw_dim()));
    }
    Ok(typed(max::argmax_along(x.into_dyn(), axis)))
}

/// `exp(x) / sum(exp(x))` over every slice along `dim`: positive numbers
/// summing to 1, finite for any finite input. An empty `x`, even one of
/// shape `(2^20, 0, 2^20)` along its empty axis, gives an empty output at
/// once.
///
/// **Errors** when `x` has no axis `dim`.
pub fn softmax<D: Dimension>(x: ArrayView<f64, D>, dim: usize) -> Result<Array<f64, D>, ShapeError> {
    let axis = shapes::axis("softmax", &x, dim)?;
    if x.is_empty() {
        return Ok(Array::zeros(x.raw_dim()));
    }
    Ok(typed(softmax::softmax_along(x.into_dyn(), axis)))
}

/// The gradient of `sum(grad_out * softmax(x, dim))`.
///
/// **Errors** when `x` has no axis `dim` or `grad_out` is not shaped like `x`.
pub fn softmax_backward<D: Dimension>(
    x: ArrayView<f64, D>,
    dim: usize,
    grad_out: ArrayView<f64, D>,
) -> Result<Array<f64, D>, ShapeError> {
    let axis = shapes::axis("softmax_backward", &x, dim)?;
    support::axes::same_shape("softmax_backward", &x, &grad_out)?;
    if x.is_empty() {
        return Ok(Array::zeros(x.raw_dim()));
    }
    Ok(typed(softmax::softmax_backward_along(x.into_dyn(), axis, grad_out.into_dyn())))
}

/// `log(softmax(x, dim))`, computed as `x - max - log(sum(exp(x - max)))`
/// so that it stays finite where softmax underflows to 0. An empty `x`
/// gives an empty output at once, as in [`softmax`].
///
/// **Errors** when `x` has no axis `dim`.
pub fn logsoftmax<D: Dimension>(x: ArrayView<f64, D>, dim: usize) -> Result<Array<f64, D>, ShapeError> {
    let axis = shapes::axis("logsoftmax", &x, dim)?;
    if x.is_empty() {
        return Ok(Array::zeros(x.raw_dim()));
    }
    Ok(typed(softmax::logsoftmax_along(x.into_dyn(), axis)))
}

/// The gradient of `sum(grad_out * logsoftmax(x, dim))`.
///
/// **Errors** when `x` has no axis `dim` or `grad_out` is not shaped like `x`.
pub fn logsoftmax_backward<D: Dimension>(
    x: ArrayView<f64, D>,
    dim: usize,
    grad_out: ArrayView<f64, D>,
) -> Result<Array<f64, D>, ShapeError> {
    let axis = shapes::axis("logsoftmax_backward", &x, dim)?;
    support::axes::same_shape("logsoftmax_backward", &x, &grad_out)?;
    if x.is_empty() {
        return Ok(Array::zeros(x.raw_dim()));
    }
    Ok(typed(softmax::logsoftmax_backward_along(x.into_dyn(), axis, grad_out.into_dyn())))
}

/// The maximum of every `kh x kw` window of `input` (`B x C x H x W`):
/// `B x C x H/kh x W/kw`.
///
/// An empty image (height or width 0) has no windows, whatever the kernel:
/// the output is empty too. A kernel taller or wider than a non-empty image
/// does not divide it.
///
/// **Errors** when `input` does not have 4 axes, the kernel is empty, or
/// the kernel does not divide the height and the width.
pub fn maxpool2d<D: Dimension>(input: ArrayView<f64, D>, kernel: (usize, usize)) -> Result<Array4<f64>, ShapeError> {
    let x = pooling::shapes::pooled("maxpool2d", input, kernel)?;
    if x.is_empty() {
        return Ok(Array4::zeros(pooling::shapes::pooled_dim(x, kernel)));
    }
    Ok(maxpool::maxpool(x, kernel))
}

/// The gradient of `sum(grad_out * maxpool2d(input))` with respect to
/// `input`: every window's upstream gradient goes to the position of its
/// maximum (one of them on a tie), 0 elsewhere.
///
/// **Errors** as [`maxpool2d`] does, and when `grad_out` is not shaped like
/// the output.
pub fn maxpool2d_backward<D: Dimension>(
    input: ArrayView<f64, D>,
    kernel: (usize, usize),
    grad_out: ArrayView<f64, D>,
) -> Result<Array4<f64>, ShapeError> {
    let function = "maxpool2d_backward";
    let x = pooling::shapes::pooled(function, input, kernel)?;
    let g = pooling::shapes::grad_out(function, x, kernel, grad_out)?;
    if x.is_empty() {
        return Ok(Array4::zeros(x.raw_dim()));
    }
    Ok(maxpool::maxpool_backward(x, kernel, g))
}

/// Inverted dropout. In [`Mode::Train`], every element is dropped (set to
/// 0) with probability `rate`, one draw from `rng` per element in row-major
/// order, and the survivors are scaled by `1 / (1 - rate)` so that the
/// expected output is `x`. In [`Mode::Eval`], `x` passes unchanged and
/// `rng` is not used.
///
/// Returns the output and the mask: the factor each element was multiplied
/// by (0 or `1 / (1 - rate)`; 1 in evaluation), which [`dropout_backward`]
/// needs.
///
/// ```
/// use ndarray::array;
/// use softmax::{Mode, dropout};
/// use support::random::rng;
///
/// let x = array![1.0, 2.0, 3.0, 4.0];
/// let (out, mask) = dropout(x.view(), 0.5, &mut rng(7), Mode::Train)?;
/// assert!(mask.iter().all(|&m| m == 0.0 || m == 2.0));
/// assert_eq!(out, &x * &mask);
/// assert_eq!(dropout(x.view(), 0.5, &mut rng(7), Mode::Eval)?.0, x);
/// # Ok::<(), support::ShapeError>(())
/// ```
///
/// **Errors** when `rate` is not between 0 and 1 (NaN is not), or `x` has
/// more elements than an array can hold (a broadcast view can).
pub fn dropout<D: Dimension>(
    x: ArrayView<f64, D>,
    rate: f64,
    rng: &mut Rng,
    mode: Mode,
) -> Result<Dropped<D>, ShapeError> {
    let rate = shapes::rate("dropout", rate)?;
    support::size::fits("dropout", "x", x.shape())?;
    let (output, mask) = dropout::apply(x.into_dyn(), rate, rng, mode);
    Ok((typed(output), typed(mask)))
}

/// The gradient of `sum(grad_out * output)` for the `output` and `mask`
/// that [`dropout`] returned: `grad_out` times the same mask.
///
/// **Errors** when `grad_out` is not shaped like `mask`.
pub fn dropout_backward<D: Dimension>(
    mask: ArrayView<f64, D>,
    grad_out: ArrayView<f64, D>,
) -> Result<Array<f64, D>, ShapeError> {
    shapes::like_mask("dropout_backward", &mask, &grad_out)?;
    Ok(typed(dropout::backward(mask.into_dyn(), grad_out.into_dyn())))
}

/// An array computed on dynamic-rank views, back with the static rank of
/// the input it was computed from.
fn typed<D: Dimension>(a: ArrayD<f64>) -> Array<f64, D> {
    a.into_dimensionality().expect("the exercises keep the rank of their input")
}
