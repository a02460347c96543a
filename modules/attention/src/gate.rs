//! The sigmoid gate between two arrays, and its gradients.

use activations::sigmoid;
use ndarray::{ArrayD, ArrayViewD, Zip};

/// `x * s + y * (1 - s)` with `s = sigmoid(r)`, on arrays of one shape.
pub fn forward(x: ArrayViewD<f64>, y: ArrayViewD<f64>, r: ArrayViewD<f64>) -> ArrayD<f64> {
    todo!("with s = sigmoid(r) from the activations module, blend x and y elementwise by s and 1 - s")
}

/// `(g s, g (1 - s), g (x - y) s (1 - s))` with `s = sigmoid(r)`.
pub fn backward(
    x: ArrayViewD<f64>,
    y: ArrayViewD<f64>,
    r: ArrayViewD<f64>,
    grad_out: ArrayViewD<f64>,
) -> (ArrayD<f64>, ArrayD<f64>, ArrayD<f64>) {
    todo!("each branch's gradient is grad_out scaled by its weight; r's is grad_out (x - y) s (1 - s)")
}
