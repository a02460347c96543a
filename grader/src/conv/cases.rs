//! Random convolution problems for properties: sizes drawn by proptest (so
//! a failure shrinks to small sizes), values drawn from a seed.

use ndarray::{ArrayD, IxDyn};
use numeric::fmt_shape;
use numeric::random::{rng, uniform};
use proptest::prelude::*;

/// The sizes of one convolution problem and the seed of its values.
#[derive(Clone, Debug)]
pub struct Case {
    pub batch: usize,
    pub in_channels: usize,
    pub out_channels: usize,
    /// Width, or height and width.
    pub size: Vec<usize>,
    /// Kernel width, or kernel height and width.
    pub kernel: Vec<usize>,
    pub seed: u64,
}

/// The largest sizes a [`cases`] strategy draws.
#[derive(Clone, Copy)]
pub struct Limits {
    pub batch: usize,
    pub channels: usize,
    pub size: usize,
    pub kernel: usize,
}

/// For properties of the forward: kernels from 1 up to wider than the input.
pub const FORWARD: Limits = Limits { batch: 3, channels: 3, size: 7, kernel: 5 };

/// For finite differences, which call the forward twice per element.
pub const GRADIENT: Limits = Limits { batch: 2, channels: 2, size: 5, kernel: 4 };

/// Problems with `spatial` spatial axes within `limits`.
pub fn cases(spatial: usize, limits: Limits) -> impl Strategy<Value = Case> {
    (
        1..=limits.batch,
        1..=limits.channels,
        1..=limits.channels,
        proptest::collection::vec(1..=limits.size, spatial),
        proptest::collection::vec(1..=limits.kernel, spatial),
        any::<u64>(),
    )
        .prop_map(|(batch, in_channels, out_channels, size, kernel, seed)| Case {
            batch,
            in_channels,
            out_channels,
            size,
            kernel,
            seed,
        })
}

impl Case {
    pub fn input_shape(&self) -> Vec<usize> {
        [vec![self.batch, self.in_channels], self.size.clone()].concat()
    }

    pub fn weight_shape(&self) -> Vec<usize> {
        [vec![self.out_channels, self.in_channels], self.kernel.clone()].concat()
    }

    pub fn output_shape(&self) -> Vec<usize> {
        [vec![self.batch, self.out_channels], self.size.clone()].concat()
    }

    /// Input, weight and upstream gradient, uniform in [-1, 1).
    pub fn operands(&self) -> [ArrayD<f64>; 3] {
        let mut rng = rng(self.seed);
        let x = uniform(IxDyn(&self.input_shape()), &mut rng);
        let w = uniform(IxDyn(&self.weight_shape()), &mut rng);
        let g = uniform(IxDyn(&self.output_shape()), &mut rng);
        [x, w, g]
    }

    /// `input (2, 3, 5), weight (4, 3, 2)`, for messages.
    pub fn describe(&self) -> String {
        format!("input {}, weight {}", fmt_shape(&self.input_shape()), fmt_shape(&self.weight_shape()))
    }
}
