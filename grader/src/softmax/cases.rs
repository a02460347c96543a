//! Random reductions along an axis, and the golden cases written by JAX.

use std::collections::BTreeMap;

use ndarray::{ArrayD, Axis, IxDyn};
use proptest::prelude::*;
use rand::RngExt;
use support::fmt_shape;
use support::random::{Rng, perturb, rng, uniform};

use crate::golden;

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

/// One case of `grader/golden/softmax.npz`: its arrays by field name.
pub struct Golden {
    pub name: String,
    fields: BTreeMap<String, ArrayD<f64>>,
}

/// The cases of the golden file whose names start with `group`: `axis`
/// (reductions without ties), `stable` (rows like (1000, 1000, -1000),
/// softmax and logsoftmax only) or `pool` (max pooling).
pub fn golden(group: &str) -> Vec<Golden> {
    golden::npz_cases(golden::SOFTMAX)
        .into_iter()
        .filter(|(name, _)| name.starts_with(group))
        .map(|(name, fields)| Golden { name, fields })
        .collect()
}

impl Golden {
    /// The array `field`, such as `x`, `softmax` or `maxpool_grad`.
    pub fn get(&self, field: &str) -> &ArrayD<f64> {
        self.fields
            .get(field)
            .unwrap_or_else(|| panic!("golden file {}: {} has no {field}", golden::SOFTMAX.0, self.name))
    }

    /// The axis of a reduction case.
    pub fn dim(&self) -> usize {
        self.get("dim").iter().next().map_or(0, |&d| d as usize)
    }

    /// The kernel of a pooling case.
    pub fn kernel(&self) -> (usize, usize) {
        let k = self.get("kernel");
        (k[0] as usize, k[1] as usize)
    }
}
