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
    // BEGIN SOLUTION: in Eval, x and a mask of ones; in Train, one draw rng.random::<f64>() per element in row-major order, dropped (mask 0) when it is below rate, else mask 1 / (1 - rate); the output is x * mask
    // HINT(dropout): Train: drop with probability rate, scale survivors by 1/(1−rate). Eval: x as is, a mask of ones.
    // HINT(dropout): One uniform draw per element from rng, in row-major index order; dropped when the draw < rate.
    // HINT(dropout): Pitfalls: no scale, keeping with probability rate, memory order, drawing in Eval, 0·inf at rate 1.
    let mask = match mode {
        Mode::Eval => Array::ones(x.raw_dim()),
        Mode::Train => {
            let keep = 1.0 / (1.0 - rate);
            Array::from_shape_simple_fn(x.raw_dim(), || if rng.random::<f64>() < rate { 0.0 } else { keep })
        }
    };
    (&x * &mask, mask)
    // END SOLUTION
}

/// `grad_out` times the mask of the forward.
pub fn backward(mask: ArrayViewD<f64>, grad_out: ArrayViewD<f64>) -> ArrayD<f64> {
    // BEGIN SOLUTION: the forward multiplied every element by its mask, so the gradient is grad_out * mask
    // HINT(dropout_backward): The forward multiplied by a constant mask.
    // HINT(dropout_backward): Multiply grad_out by that same mask, scale included.
    // HINT(dropout_backward): Pitfalls: a 0/1 mask, assuming a contiguous grad_out.
    &grad_out * &mask
    // END SOLUTION
}
