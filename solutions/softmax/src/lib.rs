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
//!   [`pooling::tile`](pooling_solution::tile);
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
//! use softmax_solution::{argmax, max, softmax};
//!
//! let x = array![[1.0, 3.0, 2.0], [1000.0, 1000.0, -1000.0]];
//! assert_eq!(max(x.view(), 1)?, array![[3.0], [1000.0]]);
//! assert_eq!(argmax(x.view(), 0)?, array![[0.0, 0.0, 1.0], [1.0, 1.0, 0.0]]);
//! let p = softmax(x.view(), 1)?;
//! assert_eq!(p.row(1), array![0.5, 0.5, 0.0]);
//! # Ok::<(), support::ShapeError>(())
//! ```

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
// BEGIN HIDDEN
/// This reference skips NaN elements, as [`f64::max`] skips them: the
/// maximum of `(NaN, 1)` is 1, and only a slice of nothing but NaN has
/// maximum NaN.
///
// END HIDDEN
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
// BEGIN HIDDEN
/// This reference skips NaN elements as in [`max`]: the 1 marks the largest
/// number of the slice (the first on a tie), and lands on the first element
/// of a slice of nothing but NaN. There is always exactly one 1 per slice.
///
// END HIDDEN
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
// BEGIN HIDDEN
/// In this reference a slice holding `+inf` or NaN, or only `-inf`, gives
/// NaN.
///
// END HIDDEN
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
    let x = pooling_solution::shapes::pooled("maxpool2d", input, kernel)?;
    if x.is_empty() {
        return Ok(Array4::zeros(pooling_solution::shapes::pooled_dim(x, kernel)));
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
    let x = pooling_solution::shapes::pooled(function, input, kernel)?;
    let g = pooling_solution::shapes::grad_out(function, x, kernel, grad_out)?;
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
/// use softmax_solution::{Mode, dropout};
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

// BEGIN HIDDEN
/// The softmax of each row of `n` numbers of `x`, written into `out`: the
/// kernel of [`softmax`] for callers that keep their rows in buffers of
/// their own (attention's blocks, whose causal rows differ in length).
///
/// **Panics** when `out` is not as long as `x` or `n` does not divide it.
pub fn softmax_rows(x: &[f64], out: &mut [f64], n: usize) {
    softmax::softmax_rows(x, out, n)
}
// END HIDDEN

/// An array computed on dynamic-rank views, back with the static rank of
/// the input it was computed from.
fn typed<D: Dimension>(a: ArrayD<f64>) -> Array<f64, D> {
    a.into_dimensionality().expect("the exercises keep the rank of their input")
}

// BEGIN HIDDEN
#[cfg(test)]
mod tests {
    use ndarray::{Array, Array2, ArrayD, IxDyn, array, s};
    use support::gradcheck::{GRADIENT, check_gradient};
    use support::random::{perturb, rng, uniform};

    use super::*;

    #[test]
    fn softmax_and_logsoftmax_are_stable_at_1000() {
        let x = array![[1000.0, 1000.0, -1000.0], [1.0, 2.0, 3.0]];
        let p = softmax(x.view(), 1).unwrap();
        assert_eq!(p.row(0), array![0.5, 0.5, 0.0]);
        let log = logsoftmax(x.view(), 1).unwrap();
        assert_eq!(log[[0, 0]], -std::f64::consts::LN_2);
        assert_eq!(log[[0, 2]], -2000.0 - std::f64::consts::LN_2);
        assert!((&p.row(1) - &log.row(1).mapv(f64::exp)).iter().all(|d| d.abs() < 1e-15));
        assert!((p.sum_axis(ndarray::Axis(1)) - 1.0).iter().all(|d| d.abs() < 1e-15));
    }

    #[test]
    fn fast_exp_is_within_an_ulp_of_libm() {
        // Subnormal results included: they are rounded once, as libm's.
        for exp in [softmax::exp_negative::<false>, softmax::exp_negative::<true>] {
            let worst = softmax::exp_test_points().map(|x| softmax::ulps(exp(x), x.exp())).max();
            assert!(worst <= Some(1), "{worst:?}");
            assert_eq!(exp(0.0), 1.0);
            assert_eq!(exp(-745.1), (-745.1f64).exp());
            assert!(exp(-745.1) > 0.0);
            for zero in [-745.2, -800.0, -1e5, -1e308, f64::MIN, f64::NEG_INFINITY] {
                assert_eq!(exp(zero), 0.0, "{zero}");
            }
            assert!(exp(f64::NAN).is_nan() && exp(-f64::NAN).is_nan());
        }
    }

    #[test]
    fn rows_reaching_below_the_normal_numbers_are_exact() {
        // e^-720 is subnormal, rounded once as libm rounds it; e^-800 is
        // 0, and so are masked scores of -inf.
        let x = array![
            [0.0, -720.0, -800.0, f64::NEG_INFINITY],
            [0.0, -700.0, -1.0, -2.0],
            [0.0, f64::NEG_INFINITY, -3.0, f64::NEG_INFINITY]
        ];
        let p = softmax(x.view(), 1).unwrap();
        let e = x.mapv(f64::exp);
        let expected = &e / &e.sum_axis(ndarray::Axis(1)).insert_axis(ndarray::Axis(1));
        assert!(p.iter().zip(&expected).all(|(p, e)| (p - e).abs() <= 4e-16 * e), "{p}");
        assert!(p[[0, 1]] > 0.0 && p[[0, 2]] == 0.0 && p[[0, 3]] == 0.0);
        assert!(p[[2, 1]] == 0.0 && p[[2, 3]] == 0.0);
    }

    #[test]
    fn big_and_strided_inputs_match_the_formulas() {
        // 300 x 500 is split across threads along axis 1; along axis 0, and
        // on a transposed input, the slices have strides.
        let x: Array2<f64> = uniform((300, 500), &mut rng(5)) * 20.0;
        let g: Array2<f64> = uniform((300, 500), &mut rng(6));
        let (xt, gt) = (x.t().to_owned(), g.t().to_owned());
        for (x, g, dim) in
            [(x.view(), g.view(), 1), (x.view(), g.view(), 0), (xt.t(), g.view(), 1), (x.view(), gt.t(), 1)]
        {
            let axis = ndarray::Axis(dim);
            let e = x.mapv(f64::exp);
            let p = &e / &e.sum_axis(axis).insert_axis(axis);
            let close = |a: &Array2<f64>, b: &Array2<f64>| {
                a.iter().zip(b).all(|(a, b)| (a - b).abs() <= 1e-13 * b.abs().max(1.0))
            };
            assert!(close(&softmax(x, dim).unwrap(), &p));
            assert!(close(&logsoftmax(x, dim).unwrap(), &p.mapv(f64::ln)));
            let weighted = (&p * &g).sum_axis(axis).insert_axis(axis);
            assert!(close(&softmax_backward(x, dim, g).unwrap(), &(&p * &(&g - &weighted))));
            let total = g.sum_axis(axis).insert_axis(axis);
            assert!(close(&logsoftmax_backward(x, dim, g).unwrap(), &(&g - &(&p * &total))));
        }
    }

    #[test]
    fn backwards_match_finite_differences_along_every_axis() {
        let mut x: ArrayD<f64> = uniform(IxDyn(&[2, 3, 4]), &mut rng(1)) * 3.0;
        perturb(&mut x, 0.1, &mut rng(2));
        for dim in 0..3 {
            let g = uniform(IxDyn(&[2, 3, 4]), &mut rng(3));
            let backward = softmax_backward(x.view(), dim, g.view()).unwrap();
            check_gradient(|x| softmax(x.view(), dim).unwrap(), &x, &g, backward.view(), GRADIENT).unwrap();
            let backward = logsoftmax_backward(x.view(), dim, g.view()).unwrap();
            check_gradient(|x| logsoftmax(x.view(), dim).unwrap(), &x, &g, backward.view(), GRADIENT).unwrap();
            let mut reduced = vec![2, 3, 4];
            reduced[dim] = 1;
            let g = uniform(IxDyn(&reduced), &mut rng(4));
            let backward = max_backward(x.view(), dim, g.view()).unwrap();
            check_gradient(|x| max(x.view(), dim).unwrap(), &x, &g, backward.view(), GRADIENT).unwrap();
        }
        let x = uniform((2, 3, 4, 6), &mut rng(5));
        let g = uniform((2, 3, 2, 2), &mut rng(6));
        let backward = maxpool2d_backward(x.view(), (2, 3), g.view()).unwrap();
        check_gradient(|x| maxpool2d(x.view(), (2, 3)).unwrap(), &x, &g, backward.view(), GRADIENT).unwrap();
    }

    #[test]
    fn ties_send_the_gradient_to_one_position() {
        let x = array![[2.0, 5.0, 5.0, 1.0]];
        assert_eq!(argmax(x.view(), 1).unwrap(), array![[0.0, 1.0, 0.0, 0.0]]);
        assert_eq!(max_backward(x.view(), 1, array![[3.0]].view()).unwrap(), array![[0.0, 3.0, 0.0, 0.0]]);
        let flat = Array::from_elem((1, 1, 2, 2), 7.0);
        let g = Array::from_elem((1, 1, 1, 1), 1.0);
        assert_eq!(maxpool2d_backward(flat.view(), (2, 2), g.view()).unwrap().sum(), 1.0);
    }

    #[test]
    fn maxpool_on_strided_views() {
        let x = uniform((2, 2, 4, 6), &mut rng(7));
        let reversed = x.slice(s![.., .., ..;-1, ..]);
        assert_eq!(maxpool2d(reversed, (2, 2)).unwrap(), maxpool2d(reversed.to_owned().view(), (2, 2)).unwrap());
    }

    #[test]
    fn dropout_drops_about_rate_and_scales() {
        let x = Array2::<f64>::ones((100, 100));
        let (out, mask) = dropout(x.view(), 0.3, &mut rng(8), Mode::Train).unwrap();
        let dropped = out.iter().filter(|&&v| v == 0.0).count() as f64 / 1e4;
        assert!((dropped - 0.3).abs() < 0.03, "{dropped}");
        assert!(out.iter().all(|&v| v == 0.0 || (v - 1.0 / 0.7).abs() < 1e-15));
        let g = uniform((100, 100), &mut rng(9));
        assert_eq!(dropout_backward(mask.view(), g.view()).unwrap(), &g * &mask);
        assert_eq!(dropout(x.view(), 1.0, &mut rng(8), Mode::Train).unwrap().0, Array2::zeros((100, 100)));
        assert_eq!(dropout(x.view(), 0.0, &mut rng(8), Mode::Train).unwrap().0, x);
    }

    #[test]
    fn bad_arguments_are_refused_with_the_function_named() {
        let x = Array2::<f64>::zeros((2, 3));
        assert_eq!(
            softmax(x.view(), 2).unwrap_err().to_string(),
            "softmax: expected dim < 2 (the number of axes of x), given dim 2 for x of shape (2, 3)"
        );
        assert_eq!(max(Array2::<f64>::zeros((2, 0)).view(), 1).unwrap_err().function, "max");
        assert_eq!(max_backward(x.view(), 1, x.view()).unwrap_err().function, "max_backward");
        assert_eq!(dropout(x.view(), 1.5, &mut rng(1), Mode::Train).unwrap_err().function, "dropout");
        assert_eq!(maxpool2d(x.view(), (2, 2)).unwrap_err().function, "maxpool2d");
    }
}
// END HIDDEN
