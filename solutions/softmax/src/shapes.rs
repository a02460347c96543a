//! The checks of the public functions' arguments (provided, not graded).

use ndarray::{ArrayView, Axis, Dimension};
use support::size::fits;
use support::{ShapeError, fmt_shape};

/// The axis `dim` of `x`, or an error of `function` when `x` has no such
/// axis or more elements than an array can hold (a broadcast view can).
pub fn axis<D: Dimension>(function: &'static str, x: &ArrayView<f64, D>, dim: usize) -> Result<Axis, ShapeError> {
    fits(function, "x", x.shape())?;
    if dim < x.ndim() {
        return Ok(Axis(dim));
    }
    Err(ShapeError::new(
        function,
        format!("dim < {} (the number of axes of x)", x.ndim()),
        format!("dim {dim} for x of shape {}", fmt_shape(x.shape())),
    ))
}

/// As [`axis`], and the axis holds at least one element: there is no
/// maximum of nothing.
pub fn nonempty_axis<D: Dimension>(
    function: &'static str,
    x: &ArrayView<f64, D>,
    dim: usize,
) -> Result<Axis, ShapeError> {
    let axis = axis(function, x, dim)?;
    if x.len_of(axis) == 0 {
        return Err(ShapeError::new(
            function,
            format!("at least one element along dim {dim}"),
            format!("x of shape {}", fmt_shape(x.shape())),
        ));
    }
    Ok(axis)
}

/// `Ok` when `grad_out` is shaped like `x` with `axis` reduced to size 1,
/// the shape of [`crate::max`]'s output.
pub fn reduced<D: Dimension>(
    function: &'static str,
    x: &ArrayView<f64, D>,
    axis: Axis,
    grad_out: &ArrayView<f64, D>,
) -> Result<(), ShapeError> {
    let mut expected = x.shape().to_vec();
    expected[axis.index()] = 1;
    if grad_out.shape() == expected {
        return Ok(());
    }
    Err(ShapeError::new(
        function,
        format!("grad_out of shape {}, the output's", fmt_shape(&expected)),
        format!("shape {}", fmt_shape(grad_out.shape())),
    ))
}

/// `rate` when it is a probability, else an error of `function`.
pub fn rate(function: &'static str, rate: f64) -> Result<f64, ShapeError> {
    if (0.0..=1.0).contains(&rate) {
        return Ok(rate);
    }
    Err(ShapeError::new(function, "a rate between 0 and 1", format!("rate {rate}")))
}

/// `Ok` when `grad_out` has the shape of dropout's `mask`, and an array can
/// hold that many elements.
pub fn like_mask<D: Dimension>(
    function: &'static str,
    mask: &ArrayView<f64, D>,
    grad_out: &ArrayView<f64, D>,
) -> Result<(), ShapeError> {
    if mask.shape() == grad_out.shape() {
        return fits(function, "mask", mask.shape()).map(drop);
    }
    Err(ShapeError::new(
        function,
        format!("grad_out of shape {}, the mask's", fmt_shape(mask.shape())),
        format!("shape {}", fmt_shape(grad_out.shape())),
    ))
}
