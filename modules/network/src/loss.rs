//! Cross-entropy from logits, on the softmax module's functions.

use ndarray::{Array2, ArrayView2};
use softmax::{logsoftmax, softmax};

/// The mean over the batch of `-logsoftmax(logits)[b, labels[b]]`, for
/// validated logits and labels.
pub fn cross_entropy(logits: ArrayView2<f64>, labels: &[usize]) -> f64 {
    todo!("take logsoftmax along axis 1, pick each row's entry at its label, and return minus their mean")
}

/// The gradient of [`cross_entropy`] with respect to the logits.
pub fn cross_entropy_backward(logits: ArrayView2<f64>, labels: &[usize]) -> Array2<f64> {
    todo!("softmax along axis 1, minus 1 at each row's label, all divided by the batch size")
}
