//! # Module 3: 2D convolution
//!
//! A small box of weights slides over every position of an image; each
//! output pixel is the weighted sum of the box's window. Shapes:
//!
//! - input `B x Cin x H x W` (batch, input channels, height, width);
//! - weight `Cout x Cin x KH x KW`;
//! - output `B x Cout x H x W`: the same height and width as the input.
//!
//! `out[b, o, i, j] = sum over c, a, d of w[o, c, a, d] * x[b, c, i + a, j + d]`:
//! the box is anchored at its top-left corner, positions past the bottom or
//! right edge read as zero, and the kernel is not flipped. The notes are the
//! `conv2d` chapter of the book.
//!
//! You write the two kernels in `kernel.rs`. The public functions below
//! check the shapes first (in `shapes.rs`), so the kernels may assume
//! valid input; they must accept any layout, including permuted and sliced
//! views.
//!
//! ```
//! use ndarray::{Array4, array};
//! use conv2d_solution::conv2d;
//!
//! let x = array![[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [2.0, 1.0, 1.0]].into_shape_with_order((1, 1, 3, 3)).unwrap();
//! let w = array![[1.0, 0.0], [2.0, 1.0]].into_shape_with_order((1, 1, 2, 2)).unwrap();
//! let out: Array4<f64> = conv2d(x.view(), w.view())?;
//! let expected = array![[2.0, 7.0, 6.0], [5.0, 4.0, 5.0], [2.0, 1.0, 1.0]];
//! assert_eq!(out.into_shape_with_order((3, 3)).unwrap(), expected);
//! # Ok::<(), support::ShapeError>(())
//! ```

mod kernel;
mod shapes;

use ndarray::{Array4, ArrayView, Dimension};
use support::ShapeError;

/// The convolution of `input` (`B x Cin x H x W`) with `weight`
/// (`Cout x Cin x KH x KW`): a `B x Cout x H x W` array.
///
/// Takes views of any number of axes (`ArrayView4`, or `ArrayViewD` from
/// code that does not know the rank) and refuses what it cannot use.
///
/// **Errors** when an array does not have 4 axes, the channels of input and
/// weight differ, the kernel is empty, or the output would be too big for
/// any array (see [`support::checked_size`]).
///
/// A kernel wider than the input is fine: the taps past the edge read
/// zeros. Empty sizes give zeros: with no input channels (`Cin = 0`) every
/// output is an empty sum, 0. An empty input or weight is answered here,
/// without calling the exercise.
pub fn conv2d<D: Dimension>(input: ArrayView<f64, D>, weight: ArrayView<f64, D>) -> Result<Array4<f64>, ShapeError> {
    let (x, w) = shapes::operands("conv2d", input, weight)?;
    if x.is_empty() || w.is_empty() {
        return Ok(Array4::zeros(shapes::output_dim(x, w)));
    }
    Ok(kernel::forward(x, w))
}

/// The gradients of `L = sum(grad_out * conv2d(input, weight))`:
/// `(dL/d input, dL/d weight)`, shaped like `input` and `weight`.
///
/// **Errors** as [`conv2d`] does, and when `grad_out` is not shaped like the
/// output `B x Cout x H x W`.
pub fn conv2d_backward<D: Dimension>(
    input: ArrayView<f64, D>,
    weight: ArrayView<f64, D>,
    grad_out: ArrayView<f64, D>,
) -> Result<(Array4<f64>, Array4<f64>), ShapeError> {
    let function = "conv2d_backward";
    let (x, w) = shapes::operands(function, input, weight)?;
    let g = shapes::grad_out(function, grad_out, shapes::output_dim(x, w))?;
    if x.is_empty() || w.is_empty() {
        return Ok((Array4::zeros(x.raw_dim()), Array4::zeros(w.raw_dim())));
    }
    Ok(kernel::backward(x, w, g))
}
