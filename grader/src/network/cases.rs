//! Random problems of the network module, each drawn from one seed.

use ndarray::{Array1, Array2, ArrayD, IxDyn};
use numeric::random::{perturb, rng, uniform};
use proptest::prelude::*;
use rand::RngExt;

/// A linear layer's problem: `x` `B x IN`, weight `OUT x IN`, bias `OUT`,
/// and an upstream gradient `B x OUT`.
#[derive(Clone, Debug)]
pub struct Layer {
    pub batch: usize,
    pub inputs: usize,
    pub outputs: usize,
    pub seed: u64,
}

impl Layer {
    /// `[x, weight, bias, grad_out]`, uniform in [-2, 2) (the gradient in [-1, 1)).
    pub fn operands(&self) -> [ArrayD<f64>; 4] {
        let mut rng = rng(self.seed);
        let (b, i, o) = (self.batch, self.inputs, self.outputs);
        [
            uniform(IxDyn(&[b, i]), &mut rng) * 2.0,
            uniform(IxDyn(&[o, i]), &mut rng) * 2.0,
            uniform(IxDyn(&[o]), &mut rng) * 2.0,
            uniform(IxDyn(&[b, o]), &mut rng),
        ]
    }

    pub fn describe(&self) -> String {
        format!(
            "x of shape ({}, {}), weight of shape ({}, {}), bias of shape ({},)",
            self.batch, self.inputs, self.outputs, self.inputs, self.outputs
        )
    }
}

/// Layers of 1 to 4 examples, 1 to 5 inputs and 1 to 4 outputs.
pub fn layers() -> impl Strategy<Value = Layer> {
    (1..=4usize, 1..=5usize, 1..=4usize, any::<u64>()).prop_map(|(batch, inputs, outputs, seed)| Layer {
        batch,
        inputs,
        outputs,
        seed,
    })
}

/// A classification problem: logits `B x C` and one label per row.
#[derive(Clone, Debug)]
pub struct Scores {
    pub batch: usize,
    pub classes: usize,
    pub seed: u64,
}

impl Scores {
    /// Logits uniform in [-3, 3) and labels uniform among the classes.
    pub fn operands(&self) -> (ArrayD<f64>, Vec<usize>) {
        let mut rng = rng(self.seed);
        let logits = uniform(IxDyn(&[self.batch, self.classes]), &mut rng) * 3.0;
        let labels = (0..self.batch).map(|_| rng.random_range(0..self.classes)).collect();
        (logits, labels)
    }

    pub fn describe(&self, labels: &[usize]) -> String {
        format!("logits of shape ({}, {}), labels {labels:?}", self.batch, self.classes)
    }
}

/// 1 to 5 examples of 1 to 6 classes.
pub fn scores() -> impl Strategy<Value = Scores> {
    (1..=5usize, 1..=6usize, any::<u64>()).prop_map(|(batch, classes, seed)| Scores { batch, classes, seed })
}

/// A problem of the small network: `B` single-channel `H x W` images,
/// `K` kernels of 3 x 3, `C` classes.
#[derive(Clone, Debug)]
pub struct Net {
    pub batch: usize,
    pub kernels: usize,
    pub height: usize,
    pub width: usize,
    pub classes: usize,
    pub seed: u64,
}

/// The network's parameters and a batch: `[kernel, weight, bias, x]`, and labels.
pub type NetOperands = ([ArrayD<f64>; 4], Vec<usize>);

impl Net {
    /// Parameters and images uniform, with noise so that no two values of
    /// a pooling window tie and no ReLU input sits at 0.
    pub fn operands(&self) -> NetOperands {
        let mut rng = rng(self.seed);
        let features = self.kernels * (self.height / 2) * (self.width / 2);
        let kernel: ArrayD<f64> = uniform(IxDyn(&[self.kernels, 1, 3, 3]), &mut rng);
        let weight: Array2<f64> = uniform((self.classes, features), &mut rng);
        let bias: Array1<f64> = uniform(self.classes, &mut rng) * 0.5;
        let mut x: ArrayD<f64> = uniform(IxDyn(&[self.batch, 1, self.height, self.width]), &mut rng) * 2.0;
        perturb(&mut x, 0.05, &mut rng);
        let labels = (0..self.batch).map(|_| rng.random_range(0..self.classes)).collect();
        ([kernel, weight.into_dyn(), bias.into_dyn(), x], labels)
    }

    pub fn describe(&self, labels: &[usize]) -> String {
        format!(
            "x of shape ({}, 1, {}, {}), kernel of shape ({}, 1, 3, 3), {} classes, labels {labels:?}",
            self.batch, self.height, self.width, self.kernels, self.classes
        )
    }
}

/// 1 to 3 images of 2 x 2 to 4 x 6, 1 or 2 kernels, 2 to 4 classes.
pub fn nets() -> impl Strategy<Value = Net> {
    (1..=3usize, 1..=2usize, 1..=2usize, 1..=3usize, 2..=4usize, any::<u64>()).prop_map(
        |(batch, kernels, h, w, classes, seed)| Net { batch, kernels, height: 2 * h, width: 2 * w, classes, seed },
    )
}
