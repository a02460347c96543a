//! Finite-difference gradient checking and element-wise comparison.
//!
//! A backward function claims `grad_in[i] = d/dx[i] sum(g * f(x))` for an
//! upstream gradient `g`. [`check_gradient`] tests that claim for every
//! element of `x` with central differences:
//! `(L(x + h e_i) - L(x - h e_i)) / 2h`, where `L(x) = sum(g * f(x))`.
//!
//! ```
//! use ndarray::array;
//! use numeric::gradcheck::{GRADIENT, check_gradient};
//!
//! // f(x) = x^2 elementwise, so the gradient is 2 x g.
//! let x = array![0.5, -1.5, 2.0];
//! let g = array![1.0, 2.0, -1.0];
//! let claimed = 2.0 * &x * &g;
//! check_gradient(|x| x.mapv(|v| v * v), &x, &g, claimed.view(), GRADIENT).unwrap();
//! ```

use std::fmt;

use ndarray::{Array, ArrayView, Dimension};

use crate::{fmt_shape, fmt_value};

/// How close two numbers must be, and the finite-difference step.
///
/// Two values `a` and `b` agree when `|a - b| <= abs` or
/// `|a - b| <= rel * max(|a|, |b|)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    /// Step `h` of the central difference.
    pub step: f64,
    /// Absolute tolerance.
    pub abs: f64,
    /// Relative tolerance.
    pub rel: f64,
}

/// The tolerance for forward results compared with a reference.
pub const FORWARD: Tolerance = Tolerance { step: 0.0, abs: 1e-9, rel: 1e-9 };

/// The tolerance for results that one rounding at most separates from the
/// reference (a product of two numbers): f32 arithmetic anywhere fails it.
pub const EXACT: Tolerance = Tolerance { step: 0.0, abs: 0.0, rel: 1e-15 };

/// The tolerance for backward results compared with central differences in
/// f64: the truncation error is about `h^2` and the rounding error about
/// `1e-16 / h`, both far below these bounds for `h = 1e-6`.
pub const GRADIENT: Tolerance = Tolerance { step: 1e-6, abs: 1e-6, rel: 1e-5 };

/// The first element where two arrays disagree.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// Where, one coordinate per axis.
    pub index: Vec<usize>,
    /// The reference value.
    pub expected: f64,
    /// The value under test.
    pub actual: f64,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at index {}: expected {}, got {}",
            fmt_shape(&self.index),
            fmt_value(self.expected),
            fmt_value(self.actual)
        )
    }
}

/// True when `a` and `b` agree within `tol` (NaN never agrees).
pub fn close(a: f64, b: f64, tol: Tolerance) -> bool {
    approx::relative_eq!(a, b, epsilon = tol.abs, max_relative = tol.rel)
}

/// The first element, in row-major order, where `actual` differs from
/// `expected` beyond `tol`. The two arrays must have the same shape.
pub fn first_mismatch<D: Dimension>(
    expected: ArrayView<f64, D>,
    actual: ArrayView<f64, D>,
    tol: Tolerance,
) -> Option<Mismatch> {
    assert_eq!(expected.shape(), actual.shape(), "first_mismatch compares arrays of one shape");
    expected
        .into_dyn()
        .indexed_iter()
        .zip(actual.iter())
        .find(|&((_, &e), &a)| !close(e, a, tol))
        .map(|((index, &e), &a)| Mismatch { index: index.slice().to_vec(), expected: e, actual: a })
}

/// Central differences of `L(x) = sum(g * f(x))` for every element of `x`.
pub fn numerical_gradient<D, E, F>(f: F, x: &Array<f64, D>, grad_out: &Array<f64, E>, step: f64) -> Array<f64, D>
where
    D: Dimension,
    E: Dimension,
    F: Fn(&Array<f64, D>) -> Array<f64, E>,
{
    let loss = |x: &Array<f64, D>| (&f(x) * grad_out).sum();
    let mut probe = x.clone();
    let mut grad = Array::zeros(x.raw_dim()).into_dyn();
    for (index, slot) in grad.indexed_iter_mut() {
        let original = probe.view().into_dyn()[&index];
        set(&mut probe, &index, original + step);
        let up = loss(&probe);
        set(&mut probe, &index, original - step);
        let down = loss(&probe);
        set(&mut probe, &index, original);
        *slot = (up - down) / (2.0 * step);
    }
    grad.into_dimensionality().expect("the gradient has the dimension of x")
}

fn set<D: Dimension>(x: &mut Array<f64, D>, index: &ndarray::IxDyn, value: f64) {
    x.view_mut().into_dyn()[index] = value;
}

/// Checks a claimed gradient `analytic` of `sum(grad_out * f(x))` with
/// respect to `x` against central differences, element by element.
///
/// **Errors** with the first element that differs, the numerical value
/// being the expected one.
pub fn check_gradient<D, E, F>(
    f: F,
    x: &Array<f64, D>,
    grad_out: &Array<f64, E>,
    analytic: ArrayView<f64, D>,
    tol: Tolerance,
) -> Result<(), Mismatch>
where
    D: Dimension,
    E: Dimension,
    F: Fn(&Array<f64, D>) -> Array<f64, E>,
{
    let numeric = numerical_gradient(f, x, grad_out, tol.step);
    match first_mismatch(numeric.view(), analytic, tol) {
        Some(mismatch) => Err(mismatch),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{Array2, array};

    use super::*;

    #[test]
    fn accepts_the_true_gradient_of_a_product() {
        // f(x)[i, j] = x[i, j] * x[i, (j + 1) % 2]: each entry of the gradient
        // is g times the neighbour plus the neighbour's g times the neighbour.
        let x = array![[0.3, -0.7], [1.1, 0.4]];
        let g = array![[1.0, -2.0], [0.5, 3.0]];
        let f = |x: &Array2<f64>| Array2::from_shape_fn((2, 2), |(i, j)| x[[i, j]] * x[[i, 1 - j]]);
        let claimed = Array2::from_shape_fn((2, 2), |(i, j)| (g[[i, j]] + g[[i, 1 - j]]) * x[[i, 1 - j]]);
        check_gradient(f, &x, &g, claimed.view(), GRADIENT).unwrap();
    }

    #[test]
    fn names_the_first_wrong_element() {
        let x = array![[1.0, 2.0], [3.0, 4.0]];
        let g = Array2::ones((2, 2));
        // d/dx of 3 x is 3 everywhere; claim 3 except at (1, 0).
        let claimed = array![[3.0, 3.0], [2.0, 3.0]];
        let err = check_gradient(|x| 3.0 * x, &x, &g, claimed.view(), GRADIENT).unwrap_err();
        assert_eq!(err.index, vec![1, 0]);
        assert_eq!(err.actual, 2.0);
        assert!((err.expected - 3.0).abs() < 1e-6);
        let message = err.to_string();
        assert!(message.starts_with("at index (1, 0): expected 2.99999") && message.ends_with("got 2"), "{message}");
    }

    #[test]
    fn nan_never_matches() {
        assert!(!close(f64::NAN, f64::NAN, FORWARD));
        assert!(close(1.0, 1.0 + 1e-12, FORWARD));
        assert!(!close(1.0, 1.001, FORWARD));
    }
}
