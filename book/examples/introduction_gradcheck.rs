//! Checking a backward function with the provided gradient checker, the
//! way the grader does and the way you can in your own tests.
//!
//! Run it with `cargo run -p book --example introduction_gradcheck`.

use ndarray::{Array1, array};
use support::gradcheck::{GRADIENT, check_gradient};

// ANCHOR: function
/// The function under test: `f(x) = x^3` elementwise.
fn cube(x: &Array1<f64>) -> Array1<f64> {
    x.mapv(|v| v * v * v)
}

/// Its backward: the upstream gradient times `3 x^2`.
fn cube_backward(x: &Array1<f64>, grad_out: &Array1<f64>) -> Array1<f64> {
    3.0 * &x.mapv(|v| v * v) * grad_out
}
// ANCHOR_END: function

fn main() {
    // ANCHOR: check
    let x = array![0.5, -1.25, 2.0];
    let g = array![1.0, -2.0, 0.5];
    let claimed = cube_backward(&x, &g);
    check_gradient(cube, &x, &g, claimed.view(), GRADIENT).expect("the gradient of x^3");
    // ANCHOR_END: check

    // ANCHOR: mismatch
    // A wrong backward (2 x^2 instead of 3 x^2) is caught at its first element.
    let wrong = 2.0 * &x.mapv(|v| v * v) * &g;
    let mismatch = check_gradient(cube, &x, &g, wrong.view(), GRADIENT).unwrap_err();
    assert_eq!(mismatch.index, vec![0]);
    assert_eq!(mismatch.actual, 0.5);
    println!("{mismatch}");
    // ANCHOR_END: mismatch
}
