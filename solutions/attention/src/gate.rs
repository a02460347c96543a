//! The sigmoid gate between two arrays, and its gradients.

use activations_solution::sigmoid;
use ndarray::{ArrayD, ArrayViewD, Zip};

/// `x * s + y * (1 - s)` with `s = sigmoid(r)`, on arrays of one shape.
pub fn forward(x: ArrayViewD<f64>, y: ArrayViewD<f64>, r: ArrayViewD<f64>) -> ArrayD<f64> {
    // BEGIN SOLUTION: with s = sigmoid(r) from the activations module, blend x and y elementwise by s and 1 - s
    // HINT(gate): Elementwise blend of x and y by sigmoid(r) and 1 − sigmoid(r).
    // HINT(gate): Use the stable sigmoid of the activations module (its exponent is never positive).
    // HINT(gate): Pitfalls: weights swapped, y also weighted by sigmoid(r), e^r/(1+e^r) = NaN at r = 1000.
    let s = sigmoid(r);
    Zip::from(&x).and(&y).and(&s).map_collect(|&x, &y, &s| x * s + y * (1.0 - s))
    // END SOLUTION
}

/// `(g s, g (1 - s), g (x - y) s (1 - s))` with `s = sigmoid(r)`.
pub fn backward(
    x: ArrayViewD<f64>,
    y: ArrayViewD<f64>,
    r: ArrayViewD<f64>,
    grad_out: ArrayViewD<f64>,
) -> (ArrayD<f64>, ArrayD<f64>, ArrayD<f64>) {
    // BEGIN SOLUTION: each branch's gradient is grad_out scaled by its weight; r's is grad_out (x - y) s (1 - s)
    // HINT(gate_backward): Linear in x and y, so their gradients are grad_out × their weights.
    // HINT(gate_backward): r's gradient is grad_out × (x − y) × s(1 − s), with s = sigmoid(r).
    // HINT(gate_backward): Pitfalls: missing (x − y), grad_x and grad_y swapped, e^−r/(1+e^−r)² = NaN at r = −1000.
    let s = sigmoid(r);
    let grad_x = &grad_out * &s;
    let grad_y = Zip::from(&grad_out).and(&s).map_collect(|&g, &s| g * (1.0 - s));
    let grad_r = Zip::from(&grad_out).and(&x).and(&y).and(&s).map_collect(|&g, &x, &y, &s| g * (x - y) * s * (1.0 - s));
    (grad_x, grad_y, grad_r)
    // END SOLUTION
}
