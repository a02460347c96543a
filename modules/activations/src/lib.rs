//! # Module 5: activations
//!
//! The nonlinearities between the linear layers of a network, applied to
//! every element of an array of any shape:
//!
//! - `relu(x) = max(x, 0)`, whose derivative is the step;
//! - `step(x) = 1` where `x > 0`, else `0` (so `step(0) = 0`);
//! - `sigmoid(x) = 1 / (1 + e^-x)`, the smooth version of the step.
//!
//! A backward takes the forward's input `x` and the upstream gradient
//! `grad_out` and returns the gradient of `sum(grad_out * f(x))` with
//! respect to `x`. The notes are the `activations` chapter of the book.
//!
//! ```
//! use ndarray::array;
//! use activations::{relu, sigmoid, step};
//!
//! let x = array![-2.0, -0.5, 0.0, 0.5, 2.0];
//! assert_eq!(relu(x.view()), array![0.0, 0.0, 0.0, 0.5, 2.0]);
//! assert_eq!(step(x.view()), array![0.0, 0.0, 0.0, 1.0, 1.0]);
//! assert_eq!(sigmoid(array![-1000.0, 0.0, 1000.0].view()), array![0.0, 0.5, 1.0]);
//! ```

// Until every `todo!()` is filled in, some parameters and imports go unused.
#![allow(unused_variables, unused_imports)]

use ndarray::{Array, ArrayView, Dimension, Zip};
use support::ShapeError;
use support::axes::same_shape;

/// `max(x, 0)` for every element.
pub fn relu<D: Dimension>(x: ArrayView<f64, D>) -> Array<f64, D> {
    todo!("keep the positive elements and replace the others with 0")
}

/// The gradient of `sum(grad_out * relu(x))`: `grad_out` where `x > 0`, else 0.
///
/// **Errors** when `grad_out` is not shaped like `x`.
pub fn relu_backward<D: Dimension>(
    x: ArrayView<f64, D>,
    grad_out: ArrayView<f64, D>,
) -> Result<Array<f64, D>, ShapeError> {
    same_shape("relu_backward", &x, &grad_out)?;
    todo!("the upstream gradient passes where x > 0 and is stopped elsewhere (also at 0)")
}

/// 1 where `x > 0`, else 0: the derivative of [`relu`].
pub fn step<D: Dimension>(x: ArrayView<f64, D>) -> Array<f64, D> {
    todo!("1.0 for the positive elements, 0.0 for the others (0 included)")
}

/// `1 / (1 + e^-x)` for every element, exactly 0 and 1 far out and never NaN.
pub fn sigmoid<D: Dimension>(x: ArrayView<f64, D>) -> Array<f64, D> {
    todo!("never take exp of a large positive number: use 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) for x < 0")
}

/// The gradient of `sum(grad_out * sigmoid(x))`: `grad_out * s * (1 - s)`
/// with `s = sigmoid(x)`.
///
/// **Errors** when `grad_out` is not shaped like `x`.
pub fn sigmoid_backward<D: Dimension>(
    x: ArrayView<f64, D>,
    grad_out: ArrayView<f64, D>,
) -> Result<Array<f64, D>, ShapeError> {
    same_shape("sigmoid_backward", &x, &grad_out)?;
    todo!("the derivative of the sigmoid is s (1 - s), times the upstream gradient")
}
