//! Random pooling problems and the golden cases written by JAX.

use ndarray::{ArrayD, IxDyn};
use numeric::fmt_shape;
use numeric::random::{rng, uniform};
use proptest::prelude::*;

use crate::golden;

/// A batch of images whose height and width the kernel divides.
#[derive(Clone, Debug)]
pub struct Case {
    pub batch: usize,
    pub channels: usize,
    /// Windows down and across.
    pub windows: (usize, usize),
    pub kernel: (usize, usize),
    pub seed: u64,
}

/// Problems of up to `batch` images of `batch` channels, with up to
/// `windows` x `windows` windows of up to `kernel` x `kernel`.
fn cases_up_to(batch: usize, windows: usize, kernel: usize) -> impl Strategy<Value = Case> {
    (1..=batch, 1..=batch, (1..=windows, 1..=windows), (1..=kernel, 1..=kernel), any::<u64>())
        .prop_map(|(batch, channels, windows, kernel, seed)| Case { batch, channels, windows, kernel, seed })
}

/// For properties of the forward: up to 3 images of 3 channels, 4 x 4
/// windows of up to 4 x 4.
pub fn cases() -> impl Strategy<Value = Case> {
    cases_up_to(3, 4, 4)
}

/// For finite differences, which call the forward twice per element: up
/// to 2 images of 2 channels, 2 x 2 windows of up to 3 x 3.
pub fn small_cases() -> impl Strategy<Value = Case> {
    cases_up_to(2, 2, 3)
}

impl Case {
    pub fn input_shape(&self) -> [usize; 4] {
        [self.batch, self.channels, self.windows.0 * self.kernel.0, self.windows.1 * self.kernel.1]
    }

    pub fn output_shape(&self) -> [usize; 4] {
        [self.batch, self.channels, self.windows.0, self.windows.1]
    }

    /// An input and an upstream gradient, uniform in [-1, 1).
    pub fn operands(&self) -> [ArrayD<f64>; 2] {
        let mut rng = rng(self.seed);
        [uniform(IxDyn(&self.input_shape()), &mut rng), uniform(IxDyn(&self.output_shape()), &mut rng)]
    }

    pub fn describe(&self) -> String {
        format!("input {}, kernel {:?}", fmt_shape(&self.input_shape()), self.kernel)
    }
}

/// One case of `grader/golden/pooling.npz`.
pub struct Golden {
    pub name: String,
    pub input: ArrayD<f64>,
    pub kernel: (usize, usize),
    pub grad_out: ArrayD<f64>,
    pub tile: ArrayD<f64>,
    pub avgpool: ArrayD<f64>,
    pub avgpool_grad: ArrayD<f64>,
}

/// Every case of the golden file.
pub fn golden() -> Vec<Golden> {
    let path = golden::POOLING.0;
    golden::npz_cases(golden::POOLING)
        .into_iter()
        .map(|(name, mut fields)| {
            let mut take = |field: &str| {
                fields.remove(field).unwrap_or_else(|| panic!("golden file {path}: {name} has no {field}"))
            };
            let kernel = take("kernel");
            let kernel = match kernel.as_slice() {
                Some(&[kh, kw]) => (kh as usize, kw as usize),
                _ => panic!("golden file {path}: {name}_kernel is not [kh, kw]"),
            };
            Golden {
                input: take("input"),
                kernel,
                grad_out: take("grad_out"),
                tile: take("tile"),
                avgpool: take("avgpool"),
                avgpool_grad: take("avgpool_grad"),
                name,
            }
        })
        .collect()
}
