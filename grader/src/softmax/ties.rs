//! Exact ties on purpose: where two candidates for a maximum are equal,
//! `max_backward`, `argmax` and `maxpool2d_backward` may pick either, but
//! must pick one: all of the slice's gradient at one tied position, none
//! anywhere else.

use ndarray::{ArrayD, Axis, IxDyn, Zip};
use numeric::gradcheck::{FORWARD, close};
use numeric::{fmt_shape, fmt_value};

use crate::check::Outcome;
use crate::show;

/// `Ok` when `result` holds `g` at exactly one position where `values` is
/// largest and 0 everywhere else; else why not, prefixed by `what`.
pub fn one_position(what: &dyn Fn() -> String, values: &[f64], result: &[f64], g: f64) -> Outcome {
    let largest = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let hit: Vec<usize> = (0..result.len()).filter(|&i| result[i] != 0.0).collect();
    let values_text = show::list(values);
    let g_text = fmt_value(g);
    match hit.as_slice() {
        [] => Err(format!(
            "{}: the slice {values_text} gets no gradient at all (expected {g_text} at one maximum)",
            what()
        )),
        [i] if values[*i] != largest => Err(format!(
            "{}: the slice {values_text} sends its gradient to position {i}, which is not a maximum",
            what()
        )),
        [i] if !close(g, result[*i], FORWARD) => Err(format!(
            "{}: the slice {values_text} puts {} at its maximum, expected all of the gradient, {g_text}",
            what(),
            fmt_value(result[*i])
        )),
        [_] => Ok(()),
        many => Err(format!(
            "{}: the slice {values_text} spreads its gradient over positions {many:?} ({}); \
             on a tie, all of it goes to one tied position",
            what(),
            show::list(result)
        )),
    }
}

/// [`one_position`] for every slice of `x` along `dim`, with the upstream
/// gradient `g` of `max`'s shape (all ones for `argmax`).
pub fn along(what: &str, x: &ArrayD<f64>, dim: usize, result: &ArrayD<f64>, g: &ArrayD<f64>) -> Outcome {
    if result.shape() != x.shape() {
        return Err(format!("{what}: the shape: expected {}, got {}", fmt_shape(x.shape()), fmt_shape(result.shape())));
    }
    let mut outcome = Ok(());
    Zip::from(x.lanes(Axis(dim))).and(result.lanes(Axis(dim))).and(g.lanes(Axis(dim))).for_each(|x, r, g| {
        if outcome.is_ok() {
            outcome = one_position(&|| what.to_string(), &x.to_vec(), &r.to_vec(), g[0]);
        }
    });
    outcome
}

/// Values at least 0.5 away from 0: upstream gradients for which "no
/// gradient" and "all of it" differ clearly, and inputs in which a dropped
/// element shows as a 0.
pub fn nonzero(shape: &[usize], seed: u64) -> ArrayD<f64> {
    let mut rng = numeric::random::rng(seed);
    numeric::random::uniform(IxDyn(shape), &mut rng).mapv(|v| if v < 0.0 { v - 0.5 } else { v + 0.5 })
}
