//! Checking the number of axes of an array given to a public function.

use ndarray::{ArrayView, Dimension};

use crate::size::fits;
use crate::{ShapeError, fmt_shape};

/// `view` with the static number of axes `E`, or an error of `function`
/// that names the array and the axes it needs, such as
/// `conv1d: expected input with 3 axes (batch, channels, width), given shape (2, 3)`.
///
/// Also an error when `view` has more elements than an array can hold
/// ([`fits`]): a broadcast view can show one number 2^61 times, and a
/// function that copied it would overflow.
///
/// ```
/// use ndarray::{Array2, Ix3};
/// use support::axes::with_axes;
///
/// let flat = Array2::<f64>::zeros((2, 3)).into_dyn();
/// let err = with_axes::<_, Ix3>("conv1d", "input", "(batch, channels, width)", flat.view()).unwrap_err();
/// assert_eq!(err.to_string(), "conv1d: expected input with 3 axes (batch, channels, width), given shape (2, 3)");
/// ```
pub fn with_axes<'a, D: Dimension, E: Dimension>(
    function: &'static str,
    name: &str,
    axes: &str,
    view: ArrayView<'a, f64, D>,
) -> Result<ArrayView<'a, f64, E>, ShapeError> {
    let shape = view.shape().to_vec();
    let view = view.into_dimensionality::<E>().map_err(|_| {
        let ndim = E::NDIM.map_or_else(|| "any number of".to_string(), |n| n.to_string());
        ShapeError::new(function, format!("{name} with {ndim} axes {axes}"), format!("shape {}", fmt_shape(&shape)))
    })?;
    fits(function, name, &shape)?;
    Ok(view)
}

/// `Ok` when `grad_out` has the shape of `x`, else an error of `function`
/// such as `relu_backward: expected grad_out of shape (2, 3), the input's, given shape (3, 2)`.
///
/// Also an error when `x` has more elements than an array can hold
/// ([`fits`]), as a broadcast view can: no gradient of its shape exists.
///
/// ```
/// use ndarray::Array2;
/// use support::axes::same_shape;
///
/// let x = Array2::<f64>::zeros((2, 3));
/// let g = Array2::<f64>::zeros((3, 2));
/// assert!(same_shape("relu_backward", &x.view(), &x.view()).is_ok());
/// let err = same_shape("relu_backward", &x.view(), &g.view()).unwrap_err();
/// assert_eq!(err.to_string(), "relu_backward: expected grad_out of shape (2, 3), the input's, given shape (3, 2)");
/// ```
pub fn same_shape<D: Dimension>(
    function: &'static str,
    x: &ArrayView<f64, D>,
    grad_out: &ArrayView<f64, D>,
) -> Result<(), ShapeError> {
    if x.shape() == grad_out.shape() {
        return fits(function, "x", x.shape()).map(drop);
    }
    Err(ShapeError::new(
        function,
        format!("grad_out of shape {}, the input's", fmt_shape(x.shape())),
        format!("shape {}", fmt_shape(grad_out.shape())),
    ))
}
