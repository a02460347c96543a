//! Random problems of the attention module: each a list of operands and an
//! upstream gradient, all drawn from one seed.

use ndarray::{ArrayD, IxDyn};
use numeric::fmt_shape;
use numeric::random::{rng, uniform};
use proptest::prelude::*;

/// A problem: operand shapes, the upstream gradient's shape, and a seed.
#[derive(Clone, Debug)]
pub struct Case {
    /// The operands' names, for messages.
    pub names: &'static [&'static str],
    pub shapes: Vec<Vec<usize>>,
    pub grad_shape: Vec<usize>,
    /// Attention only: whether the mask is on.
    pub causal: bool,
    pub seed: u64,
}

impl Case {
    /// The operands, uniform in [-2, 2), and the upstream gradient in [-1, 1).
    pub fn operands(&self) -> (Vec<ArrayD<f64>>, ArrayD<f64>) {
        let mut rng = rng(self.seed);
        let operands = self.shapes.iter().map(|s| uniform(IxDyn(s), &mut rng) * 2.0).collect();
        (operands, uniform(IxDyn(&self.grad_shape), &mut rng))
    }

    pub fn describe(&self) -> String {
        let parts: Vec<String> =
            self.names.iter().zip(&self.shapes).map(|(n, s)| format!("{n} of shape {}", fmt_shape(s))).collect();
        let mask = if self.causal { ", causal" } else { "" };
        format!("{}{mask}", parts.join(", "))
    }
}

/// Gates: `x`, `y`, `r` and `grad_out` of one shape of 0 to 4 axes, none empty.
pub fn gates() -> impl Strategy<Value = Case> {
    (proptest::collection::vec(1..=4usize, 0..=4), any::<u64>()).prop_map(|(shape, seed)| Case {
        names: &["x", "y", "r"],
        shapes: vec![shape.clone(); 3],
        grad_shape: shape,
        causal: false,
        seed,
    })
}

/// Softmax gating: `x` `B x N x D`, `r` `B x N`, `grad_out` `B x D`.
pub fn mixes() -> impl Strategy<Value = Case> {
    (1..=3usize, 1..=5usize, 1..=4usize, any::<u64>()).prop_map(|(b, n, d, seed)| Case {
        names: &["x", "r"],
        shapes: vec![vec![b, n, d], vec![b, n]],
        grad_shape: vec![b, d],
        causal: false,
        seed,
    })
}

/// Attention: `q` `B x Tq x D`, `k` `B x Tk x D`, `v` `B x Tk x Dv`,
/// `grad_out` `B x Tq x Dv`, with `Tq = Tk` when causal.
pub fn attentions() -> impl Strategy<Value = Case> {
    (1..=2usize, 1..=4usize, 1..=4usize, 1..=4usize, 1..=3usize, any::<bool>(), any::<u64>()).prop_map(
        |(b, tq, tk, d, dv, causal, seed)| {
            let tk = if causal { tq } else { tk };
            Case {
                names: &["q", "k", "v"],
                shapes: vec![vec![b, tq, d], vec![b, tk, d], vec![b, tk, dv]],
                grad_shape: vec![b, tq, dv],
                causal,
                seed,
            }
        },
    )
}
