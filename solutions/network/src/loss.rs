//! Cross-entropy from logits, on the softmax module's functions.

use ndarray::{Array2, ArrayView2};
use softmax_solution::{logsoftmax, softmax};

/// The mean over the batch of `-logsoftmax(logits)[b, labels[b]]`, for
/// validated logits and labels.
pub fn cross_entropy(logits: ArrayView2<f64>, labels: &[usize]) -> f64 {
    // BEGIN SOLUTION: take logsoftmax along axis 1, pick each row's entry at its label, and return minus their mean
    // HINT(cross_entropy): The loss of one example is minus the log-probability the network gives its true class; the batch's loss is the mean of those.
    // HINT(cross_entropy): Call your logsoftmax along axis 1 (the classes) and read entry (b, labels[b]) of each row; the inputs are validated, so it cannot fail.
    // HINT(cross_entropy): Pitfalls: log(softmax(x)) is -inf where softmax underflows (logits ±1000); a sum instead of the mean; forgetting the minus sign.
    let log_probabilities = logsoftmax(logits, 1).expect("validated logits");
    let total: f64 = labels.iter().enumerate().map(|(b, &label)| log_probabilities[[b, label]]).sum();
    -total / labels.len() as f64
    // END SOLUTION
}

/// The gradient of [`cross_entropy`] with respect to the logits.
pub fn cross_entropy_backward(logits: ArrayView2<f64>, labels: &[usize]) -> Array2<f64> {
    // BEGIN SOLUTION: softmax along axis 1, minus 1 at each row's label, all divided by the batch size
    // HINT(cross_entropy_backward): For one example the gradient of -log softmax(z)[y] is softmax(z) - one_hot(y): every row sums to 0.
    // HINT(cross_entropy_backward): Start from your softmax along axis 1, subtract 1 at (b, labels[b]), and divide everything by B, since the loss is a mean.
    // HINT(cross_entropy_backward): Pitfalls: the sign (one_hot - softmax climbs the loss), forgetting the division by B, subtracting 1 at the wrong column.
    // HINT(small_network): The small network is provided: it only chains conv2d, relu, maxpool2d, linear and cross_entropy and their backwards, so it passes once each of them does; grade those first.
    // HINT(small_network): Its gradients are compared with central differences of the loss it returns: a forward that is right and a backward that is off show up here even when each function alone looks plausible.
    // HINT(small_network): Read src/small.rs: each backward gets what its forward kept (the convolution's output for relu_backward, the ReLU's output for maxpool2d_backward, the flat features for linear_backward).
    let mut grad = softmax(logits, 1).expect("validated logits");
    for (mut row, &label) in grad.rows_mut().into_iter().zip(labels) {
        row[label] -= 1.0;
    }
    grad / labels.len() as f64
    // END SOLUTION
}
