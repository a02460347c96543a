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
//! use activations_solution::{relu, sigmoid, step};
//!
//! let x = array![-2.0, -0.5, 0.0, 0.5, 2.0];
//! assert_eq!(relu(x.view()), array![0.0, 0.0, 0.0, 0.5, 2.0]);
//! assert_eq!(step(x.view()), array![0.0, 0.0, 0.0, 1.0, 1.0]);
//! assert_eq!(sigmoid(array![-1000.0, 0.0, 1000.0].view()), array![0.0, 0.5, 1.0]);
//! ```

use ndarray::{Array, ArrayView, Dimension, Zip};
use support::ShapeError;
use support::axes::same_shape;

/// `max(x, 0)` for every element.
pub fn relu<D: Dimension>(x: ArrayView<f64, D>) -> Array<f64, D> {
    // BEGIN SOLUTION: keep the positive elements and replace the others with 0
    // HINT: ReLU keeps each positive element as it is and sends everything else, zero and negatives, to 0; every element is handled on its own.
    // HINT: Map elementwise over the view into a new array of the same shape and dimension type, with an iteration that follows the view's strides, not its raw slice.
    // HINT: The grader catches a leaky or clipped ReLU, |x|, the form (x + |x|) / 2 (it overflows near the largest f64), a flattened output, and needing contiguous input.
    x.mapv(|v| if v > 0.0 { v } else { 0.0 })
    // END SOLUTION
}

/// The gradient of `sum(grad_out * relu(x))`: `grad_out` where `x > 0`, else 0.
///
/// **Errors** when `grad_out` is not shaped like `x`.
pub fn relu_backward<D: Dimension>(
    x: ArrayView<f64, D>,
    grad_out: ArrayView<f64, D>,
) -> Result<Array<f64, D>, ShapeError> {
    same_shape("relu_backward", &x, &grad_out)?;
    // BEGIN SOLUTION: the upstream gradient passes where x > 0 and is stopped elsewhere (also at 0)
    // HINT: Chain rule, element by element: each input's gradient is its upstream gradient times ReLU's slope there, and that slope is the step (1 if x > 0, else 0).
    // HINT: Walk x and grad_out together (both can be permuted or sliced views of the same shape) and let the upstream value through only where the input was positive.
    // HINT: Pitfalls: returning the step and forgetting grad_out, and letting the gradient through at x = 0 (the course takes the slope from the left there, so 0).
    Ok(Zip::from(&x).and(&grad_out).map_collect(|&x, &g| if x > 0.0 { g } else { 0.0 }))
    // END SOLUTION
}

/// 1 where `x > 0`, else 0: the derivative of [`relu`].
pub fn step<D: Dimension>(x: ArrayView<f64, D>) -> Array<f64, D> {
    // BEGIN SOLUTION: 1.0 for the positive elements, 0.0 for the others (0 included)
    // HINT: The step is ReLU's derivative read as a yes/no answer: 1.0 where an element is strictly positive, 0.0 everywhere else, including at 0 and -0.0.
    // HINT: An elementwise map over the view into an array of the same shape; no backward is needed, since the step's own slope is zero everywhere.
    // HINT: Pitfalls the grader catches: a test of x >= 0 (giving 1 at zero), the sign function (giving -1 for negatives), and flattening or needing contiguous input.
    x.mapv(|v| if v > 0.0 { 1.0 } else { 0.0 })
    // END SOLUTION
}

/// `1 / (1 + e^-x)` for every element, exactly 0 and 1 far out and never NaN.
pub fn sigmoid<D: Dimension>(x: ArrayView<f64, D>) -> Array<f64, D> {
    // BEGIN SOLUTION: never take exp of a large positive number: use 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) for x < 0
    // HINT: The sigmoid squashes any real number into [0, 1] with sigmoid(0) = 0.5 and sigmoid(-x) = 1 - sigmoid(x); at +-1000 it must be exactly 1 and 0, never NaN.
    // HINT: Write it for one number and map it over the array (the backward needs it too); branch on the sign of x so that the exponential only ever sees -|x|.
    // HINT: Pitfalls: e^x / (1 + e^x) alone is inf / inf = NaN at x = 1000, 1 / (1 + e^x) flips the curve, and tanh is a different S-curve.
    x.mapv(logistic)
    // END SOLUTION
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
    // BEGIN SOLUTION: the derivative of the sigmoid is s (1 - s), times the upstream gradient
    // HINT: Elementwise chain rule: each input's gradient is its own upstream gradient times the sigmoid's slope at that input, and nothing is summed across elements.
    // HINT: The backward gets the input x, not the forward's output: recompute s with your stable sigmoid and express the slope through s only, never a raw exponential.
    // HINT: Pitfalls: forgetting grad_out, using x (1 - x) instead of s (1 - s), and the form e^-x / (1 + e^-x)^2, which is inf / inf = NaN at x = -1000.
    Ok(Zip::from(&x).and(&grad_out).map_collect(|&x, &g| {
        let s = logistic(x);
        g * s * (1.0 - s)
    }))
    // END SOLUTION
}

// BEGIN HIDDEN
/// The sigmoid of one number. Each branch takes `exp` of a non-positive
/// number only, which cannot overflow.
fn logistic(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{Array2, ArrayD, IxDyn, array};
    use support::gradcheck::{GRADIENT, check_gradient};
    use support::random::{rng, uniform};

    use super::*;

    #[test]
    fn sigmoid_is_exact_far_out_and_symmetric() {
        let x = array![-1e300, -1000.0, -40.0, 0.0, 40.0, 1000.0, 1e300, f64::INFINITY, f64::NEG_INFINITY];
        let s = sigmoid(x.view());
        assert_eq!((s[0], s[1], s[3], s[5], s[6], s[7], s[8]), (0.0, 0.0, 0.5, 1.0, 1.0, 1.0, 0.0));
        assert!(s.iter().all(|v| v.is_finite()));
        let y = uniform((4, 5), &mut rng(1)) * 30.0;
        let sum = sigmoid(y.view()) + sigmoid((-&y).view());
        assert!(sum.iter().all(|v| (v - 1.0).abs() < 1e-15));
    }

    #[test]
    fn backwards_match_finite_differences() {
        let mut x: Array2<f64> = uniform((3, 4), &mut rng(2)) * 3.0;
        x.mapv_inplace(|v| if v.abs() < 1e-3 { 1e-3 } else { v });
        let g = uniform((3, 4), &mut rng(3));
        check_gradient(|x| relu(x.view()), &x, &g, relu_backward(x.view(), g.view()).unwrap().view(), GRADIENT)
            .unwrap();
        check_gradient(|x| sigmoid(x.view()), &x, &g, sigmoid_backward(x.view(), g.view()).unwrap().view(), GRADIENT)
            .unwrap();
    }

    #[test]
    fn any_rank_and_any_layout() {
        let scalar = ArrayD::from_elem(IxDyn(&[]), -1.0);
        assert_eq!(relu(scalar.view())[IxDyn(&[])], 0.0);
        let x = uniform((2, 3, 4), &mut rng(4));
        let t = x.t();
        assert_eq!(relu(t), relu(x.view()).t());
        assert_eq!(step(x.view()).shape(), &[2, 3, 4]);
    }

    #[test]
    fn backwards_refuse_mismatched_shapes() {
        let x = Array2::<f64>::zeros((2, 3));
        let g = Array2::<f64>::zeros((3, 2));
        assert_eq!(relu_backward(x.view(), g.view()).unwrap_err().function, "relu_backward");
        assert_eq!(sigmoid_backward(x.view(), g.view()).unwrap_err().function, "sigmoid_backward");
    }
}
// END HIDDEN
