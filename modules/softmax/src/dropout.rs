//! Inverted dropout and its gradient.

use ndarray::{Array, ArrayD, ArrayViewD};
use rand::RngExt;
use support::random::Rng;

/// Whether a network is learning (dropout drops) or being used (it does not).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Training: drop elements at random and scale the survivors.
    Train,
    /// Evaluation: the identity.
    Eval,
}

/// The output and the mask of dropout at a valid `rate` (between 0 and 1).
pub fn apply(x: ArrayViewD<f64>, rate: f64, rng: &mut Rng, mode: Mode) -> (ArrayD<f64>, ArrayD<f64>) {
    todo!(
        "in Eval, x and a mask of ones; in Train, one draw rng.random::<f64>() per element in row-major order, dropped (mask 0) when it is below rate, else mask 1 / (1 - rate); the output is x * mask"
    )
}

/// `grad_out` times the mask of the forward.
pub fn backward(mask: ArrayViewD<f64>, grad_out: ArrayViewD<f64>) -> ArrayD<f64> {
    todo!("the forward multiplied every element by its mask, so the gradient is grad_out * mask")
}
