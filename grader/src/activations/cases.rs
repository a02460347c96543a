//! Random arrays of any rank for the elementwise functions, and the golden
//! cases written by JAX.

use ndarray::{ArrayD, IxDyn};
use numeric::fmt_shape;
use numeric::random::{rng, uniform};
use proptest::prelude::*;

use crate::golden;

/// No input is closer to 0 than this: the finite-difference step (1e-6)
/// never crosses ReLU's kink.
pub const MARGIN: f64 = 1e-3;

/// A shape of 0 to 4 axes (sizes 1 to 4) and the seed of its values.
#[derive(Clone, Debug)]
pub struct Case {
    pub shape: Vec<usize>,
    pub seed: u64,
}

/// Shapes of any rank; empty ones are the edge checks' business.
pub fn cases() -> impl Strategy<Value = Case> {
    (proptest::collection::vec(1..=4usize, 0..=4), any::<u64>()).prop_map(|(shape, seed)| Case { shape, seed })
}

impl Case {
    /// Values in [-3, 3), pushed at least [`MARGIN`] away from 0, and an
    /// upstream gradient in [-1, 1).
    pub fn operands(&self) -> [ArrayD<f64>; 2] {
        let mut rng = rng(self.seed);
        let mut x: ArrayD<f64> = uniform(IxDyn(&self.shape), &mut rng) * 3.0;
        x.mapv_inplace(|v| if v.abs() < MARGIN { MARGIN.copysign(v) } else { v });
        let g = uniform(IxDyn(&self.shape), &mut rng);
        [x, g]
    }

    pub fn describe(&self) -> String {
        format!("x of shape {}", fmt_shape(&self.shape))
    }
}

/// One case of `grader/golden/activations.npz`.
pub struct Golden {
    pub name: String,
    pub x: ArrayD<f64>,
    pub grad_out: ArrayD<f64>,
    pub fields: std::collections::BTreeMap<String, ArrayD<f64>>,
}

/// Every case of the golden file.
pub fn golden() -> Vec<Golden> {
    golden::npz_cases(golden::ACTIVATIONS)
        .into_iter()
        .map(|(name, mut fields)| {
            let mut take = |field: &str| {
                fields
                    .remove(field)
                    .unwrap_or_else(|| panic!("golden file {}: {name} has no {field}", golden::ACTIVATIONS.0))
            };
            let (x, grad_out) = (take("x"), take("grad_out"));
            Golden { name, x, grad_out, fields }
        })
        .collect()
}

impl Golden {
    /// The expected array `field`, such as `relu` or `sigmoid_grad`.
    pub fn expected(&self, field: &str) -> &ArrayD<f64> {
        self.fields
            .get(field)
            .unwrap_or_else(|| panic!("golden file {}: {} has no {field}", golden::ACTIVATIONS.0, self.name))
    }
}
