//! Random reductions along an axis, and the golden cases written by JAX.

use ndarray::{ArrayD, Axis, IxDyn};
use numeric::fmt_shape;
use numeric::random::{Rng, perturb, rng, uniform};
use proptest::prelude::*;
use rand::RngExt;

use crate::golden::{self, Case as Golden};

/// The finite-difference step never reorders two elements of a slice: after
/// the noise, the elements of every slice along `dim` lie at least this far
/// apart.
pub const GAP: f64 = 1e-4;

/// The amplitude of the noise added to integer-valued inputs.
pub const NOISE: f64 = 0.25;

/// An input of 1 to 4 axes (sizes 1 to 4), an axis of it, and the seed of
/// its values.
#[derive(Clone, Debug)]
pub struct Case {
    pub shape: Vec<usize>,
    pub dim: usize,
    pub seed: u64,
}

/// Inputs of any rank with an axis to reduce.
pub fn cases() -> impl Strategy<Value = Case> {
    (proptest::collection::vec(1..=4usize, 1..=4), any::<u64>(), any::<prop::sample::Index>())
        .prop_map(|(shape, seed, dim)| Case { dim: dim.index(shape.len()), shape, seed })
}

impl Case {
    /// The shape of `max`'s output: `dim` reduced to size 1.
    pub fn reduced_shape(&self) -> Vec<usize> {
        let mut shape = self.shape.clone();
        shape[self.dim] = 1;
        shape
    }

    /// Integers from -2 to 2: slices full of exact ties.
    pub fn tied(&self) -> ArrayD<f64> {
        integers(&self.shape, &mut rng(self.seed))
    }

    /// The tied input plus noise drawn from the seed, drawn again until the
    /// elements of every slice lie [`GAP`] apart; an upstream gradient
    /// shaped like `x` and one shaped like `max`'s output.
    pub fn operands(&self) -> [ArrayD<f64>; 3] {
        let mut rng = rng(self.seed);
        let base = integers(&self.shape, &mut rng);
        let x = loop {
            let mut x = base.clone();
            perturb(&mut x, NOISE, &mut rng);
            if apart(&x, Axis(self.dim)) {
                break x;
            }
        };
        let g = uniform(IxDyn(&self.shape), &mut rng);
        let g_max = uniform(IxDyn(&self.reduced_shape()), &mut rng);
        [x, g, g_max]
    }

    pub fn describe(&self) -> String {
        format!("x of shape {}, dim {}", fmt_shape(&self.shape), self.dim)
    }
}

fn integers(shape: &[usize], rng: &mut Rng) -> ArrayD<f64> {
    ArrayD::from_shape_simple_fn(IxDyn(shape), || f64::from(rng.random_range(-2i32..=2)))
}

/// Whether the elements of every slice along `axis` lie [`GAP`] apart.
fn apart(x: &ArrayD<f64>, axis: Axis) -> bool {
    x.lanes(axis).into_iter().all(|lane| {
        let mut sorted = lane.to_vec();
        sorted.sort_by(f64::total_cmp);
        sorted.windows(2).all(|pair| pair[1] - pair[0] >= GAP)
    })
}

/// The cases of `grader/golden/softmax.npz` whose names start with
/// `group`: `axis` (reductions without ties), `stable` (rows like (1000,
/// 1000, -1000), softmax and logsoftmax only) or `pool` (max pooling).
pub fn golden(group: &str) -> Vec<Golden> {
    golden::group(golden::SOFTMAX, group)
}

/// The axis of a reduction case.
pub fn dim(case: &Golden) -> usize {
    case.number("dim") as usize
}

/// The kernel of a pooling case.
pub fn kernel(case: &Golden) -> (usize, usize) {
    let k = case.get("kernel");
    (k[0] as usize, k[1] as usize)
}
