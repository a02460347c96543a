//! # Module 2: 1D convolution
//!
//! A short kernel of weights slides along a sequence; each output is the
//! weighted sum of the window under the kernel. Shapes:
//!
//! - input `B x Cin x W` (batch, input channels, width);
//! - weight `Cout x Cin x K`;
//! - output `B x Cout x W`: the same width as the input.
//!
//! `out[b, o, t] = sum over c, k of w[o, c, k] * x[b, c, t + k]`: the kernel
//! is anchored at its left end, positions past the right edge read as zero,
//! and the kernel is not flipped. The notes are the `conv1d` chapter of the
//! book.
//!
//! You write the two kernels in `kernel.rs`. The public functions below
//! check the shapes first (in `shapes.rs`), so the kernels may assume
//! valid input; they must accept any layout, including permuted and sliced
//! views.
//!
//! ```
//! use ndarray::{Array3, array};
//! use conv1d::conv1d;
//!
//! let x = array![[[0.0, 1.0, 2.0, 3.0]]];
//! let w = array![[[1.0, 2.0, 3.0]]];
//! let out: Array3<f64> = conv1d(x.view(), w.view())?;
//! assert_eq!(out, array![[[8.0, 14.0, 8.0, 3.0]]]);
//! # Ok::<(), support::ShapeError>(())
//! ```

// Until every `todo!()` is filled in, some parameters and imports go unused.
#![allow(unused_variables, unused_imports)]

mod kernel;
mod shapes;

use ndarray::{Array3, ArrayView, Dimension};
use support::ShapeError;

/// The convolution of `input` (`B x Cin x W`) with `weight`
/// (`Cout x Cin x K`): a `B x Cout x W` array.
///
/// Takes views of any number of axes (`ArrayView3`, or `ArrayViewD` from
/// code that does not know the rank) and refuses what it cannot use.
///
/// **Errors** when an array does not have 3 axes, the channels of input and
/// weight differ, the kernel is empty, or the output would be too big for
/// any array (see [`support::checked_size`]).
///
/// A kernel wider than the input is fine: the taps past the edge read
/// zeros. Empty sizes give zeros: with no input channels (`Cin = 0`) every
/// output is an empty sum, 0. An empty input or weight is answered here,
/// without calling the exercise.
pub fn conv1d<D: Dimension>(input: ArrayView<f64, D>, weight: ArrayView<f64, D>) -> Result<Array3<f64>, ShapeError> {
    let (x, w) = shapes::operands("conv1d", input, weight)?;
    if x.is_empty() || w.is_empty() {
        return Ok(Array3::zeros(shapes::output_dim(x, w)));
    }
    Ok(kernel::forward(x, w))
}

/// The gradients of `L = sum(grad_out * conv1d(input, weight))`:
/// `(dL/d input, dL/d weight)`, shaped like `input` and `weight`.
///
/// **Errors** as [`conv1d`] does, and when `grad_out` is not shaped like the
/// output `B x Cout x W`.
pub fn conv1d_backward<D: Dimension>(
    input: ArrayView<f64, D>,
    weight: ArrayView<f64, D>,
    grad_out: ArrayView<f64, D>,
) -> Result<(Array3<f64>, Array3<f64>), ShapeError> {
    let function = "conv1d_backward";
    let (x, w) = shapes::operands(function, input, weight)?;
    let g = shapes::grad_out(function, grad_out, shapes::output_dim(x, w))?;
    if x.is_empty() || w.is_empty() {
        return Ok((Array3::zeros(x.raw_dim()), Array3::zeros(w.raw_dim())));
    }
    Ok(kernel::backward(x, w, g))
}
