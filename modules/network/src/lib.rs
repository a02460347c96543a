//! # Module 8: putting a network together
//!
//! The last pieces of a classifier, and a small network built from every
//! layer of the course:
//!
//! - [`linear`]: the fully connected layer `x W^T + b`, and
//!   [`linear_backward`], its three gradients;
//! - [`cross_entropy`]: the mean over a batch of `-log p(label)`, computed
//!   from the logits with `softmax::logsoftmax` so that logits like ±1000
//!   stay finite, and [`cross_entropy_backward`], `(softmax - one_hot) / B`;
//! - [`small`] (provided, not an exercise): a tiny CNN, conv2d → ReLU → max
//!   pooling → flatten → linear → cross-entropy, whose forward keeps what
//!   each backward needs and whose backward runs the layers in reverse.
//!
//! Shapes: `x` is `B x IN` (a batch of feature vectors), the weight
//! `OUT x IN` (one row per output, as in PyTorch), the bias `OUT`, the
//! logits `B x C` and the labels one class `< C` per example. The notes
//! are the `network` chapter of the book.
//!
//! ```
//! use ndarray::array;
//! use network::{cross_entropy, linear};
//!
//! let x = array![[1.0, 2.0], [3.0, 4.0]];
//! let w = array![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]];
//! let b = array![0.5, -1.0, 0.0];
//! assert_eq!(linear(x.view(), w.view(), b.view())?, array![[1.5, 1.0, 3.0], [3.5, 3.0, 7.0]]);
//! let loss = cross_entropy(array![[0.0, 0.0]].view(), &[1])?;
//! assert!((loss - std::f64::consts::LN_2).abs() < 1e-15);
//! # Ok::<(), support::ShapeError>(())
//! ```

// Until every `todo!()` is filled in, some parameters and imports go unused.
#![allow(unused_variables, unused_imports)]

mod linear;
mod loss;
mod shapes;
pub mod small;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use support::ShapeError;

/// `x (B, IN)` times `weight (OUT, IN)` transposed, plus `bias (OUT)`:
/// `out[b, o] = sum_i x[b, i] * weight[o, i] + bias[o]`, of shape `(B, OUT)`.
///
/// An empty batch gives an empty `(0, OUT)` output; no features (`IN = 0`)
/// give the bias in every row.
///
/// **Errors** when the weight does not have `IN` columns, or the bias does
/// not have one element per row of the weight.
pub fn linear(x: ArrayView2<f64>, weight: ArrayView2<f64>, bias: ArrayView1<f64>) -> Result<Array2<f64>, ShapeError> {
    shapes::linear("linear", &x, &weight, Some(&bias))?;
    if x.is_empty() || weight.is_empty() {
        return Ok(bias.broadcast((x.nrows(), weight.nrows())).expect("one bias per output").to_owned());
    }
    Ok(linear::forward(x, weight, bias))
}

/// The gradients of `sum(grad_out * linear(x, weight, bias))`:
/// `(grad_x (B, IN), grad_weight (OUT, IN), grad_bias (OUT))`. The bias
/// is not needed: the output does not depend on it other than by adding it.
///
/// **Errors** as [`linear`] does, and when `grad_out` is not `(B, OUT)`.
// The three gradients, spelled out: the capstones call it with this signature.
#[allow(clippy::type_complexity)]
pub fn linear_backward(
    x: ArrayView2<f64>,
    weight: ArrayView2<f64>,
    grad_out: ArrayView2<f64>,
) -> Result<(Array2<f64>, Array2<f64>, Array1<f64>), ShapeError> {
    let function = "linear_backward";
    shapes::linear(function, &x, &weight, None)?;
    shapes::grad_out(function, &x, &weight, &grad_out)?;
    if grad_out.is_empty() {
        return Ok((Array2::zeros(x.raw_dim()), Array2::zeros(weight.raw_dim()), grad_out.sum_axis(Axis(0))));
    }
    Ok(linear::backward(x, weight, grad_out))
}

/// The mean over the batch of `-logsoftmax(logits)[b, labels[b]]`, with
/// `logits (B, C)` and one label `< C` per row: the cross-entropy between
/// the one-hot labels and the softmax of the logits, finite for any finite
/// logits (±1000 included).
///
/// **Errors** when the batch is empty (a mean of nothing is undefined),
/// `labels.len()` is not `B`, or a label is not below `C`.
pub fn cross_entropy(logits: ArrayView2<f64>, labels: &[usize]) -> Result<f64, ShapeError> {
    shapes::labelled("cross_entropy", &logits, labels)?;
    Ok(loss::cross_entropy(logits, labels))
}

/// The gradient of [`cross_entropy`] with respect to the logits:
/// `(softmax(logits) - one_hot(labels)) / B`, of shape `(B, C)`.
///
/// **Errors** as [`cross_entropy`] does.
pub fn cross_entropy_backward(logits: ArrayView2<f64>, labels: &[usize]) -> Result<Array2<f64>, ShapeError> {
    shapes::labelled("cross_entropy_backward", &logits, labels)?;
    Ok(loss::cross_entropy_backward(logits, labels))
}
