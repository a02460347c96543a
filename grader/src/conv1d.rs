//! Checks of module 2, `conv1d`: the forward and the backward of a 1D
//! convolution, through the checks shared with `conv2d` in [`crate::conv`].

use ndarray::{Array3, ArrayViewD, array};

use crate::conv::{BackwardExample, BackwardFn, Conv, ForwardExample, ForwardFn};
use crate::link::{Link, remote};
use crate::{Checker, Implementation, ShapeError, Task, golden};

/// The functions of the `conv1d` module under test.
#[derive(Clone, Copy)]
pub struct Functions {
    pub conv1d: ForwardFn<Array3<f64>>,
    pub conv1d_backward: BackwardFn<Array3<f64>>,
}

impl Functions {
    /// The functions, called through `link`.
    pub fn remote(link: &Link) -> Self {
        Functions {
            conv1d: remote!(link, "conv1d", |x: ArrayViewD<f64>, w: ArrayViewD<f64>| -> Result<Array3<f64>, ShapeError>),
            conv1d_backward: remote!(link, "conv1d_backward", |x: ArrayViewD<f64>, w: ArrayViewD<f64>, g: ArrayViewD<f64>| -> Result<(Array3<f64>, Array3<f64>), ShapeError>),
        }
    }
}

/// The module's tasks; 20 points in all.
pub fn tasks() -> Vec<Task> {
    let task = |name, points, run| Task { module: "conv1d", name, points, run };
    vec![task("conv1d_forward", 10.0, forward), task("conv1d_backward", 10.0, backward)]
}

fn conv(imp: &Implementation) -> Conv<'static> {
    let f = imp.conv1d;
    Conv {
        name: "conv1d",
        spatial: 1,
        golden: golden::CONV1D,
        forward: Box::new(move |x, w| (f.conv1d)(x, w).map(|out| out.into_dyn())),
        backward: Box::new(move |x, w, g| (f.conv1d_backward)(x, w, g).map(|(gx, gw)| (gx.into_dyn(), gw.into_dyn()))),
    }
}

fn forward(imp: &Implementation, c: &mut Checker) {
    let examples = [
        ForwardExample {
            name: "worked example: (0, 1, 2, 3) with kernel (1, 2, 3) gives (8, 14, 8, 3)",
            input: array![[[0.0, 1.0, 2.0, 3.0]]].into_dyn(),
            weight: array![[[1.0, 2.0, 3.0]]].into_dyn(),
            output: array![[[8.0, 14.0, 8.0, 3.0]]].into_dyn(),
        },
        ForwardExample {
            name: "worked example: a kernel wider than the input, (1, 2, 3, 4, 5, 6), gives (20, 14, 8, 3)",
            input: array![[[0.0, 1.0, 2.0, 3.0]]].into_dyn(),
            weight: array![[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]]].into_dyn(),
            output: array![[[20.0, 14.0, 8.0, 3.0]]].into_dyn(),
        },
    ];
    conv(imp).forward_task(&examples, c);
}

fn backward(imp: &Implementation, c: &mut Checker) {
    let examples = [BackwardExample {
        name: "worked example: grad_out (1, 2, 0, 1) on (0, 1, 2, 3) and (1, 2, 3) gives (1, 4, 7, 7) and (5, 5, 8)",
        input: array![[[0.0, 1.0, 2.0, 3.0]]].into_dyn(),
        weight: array![[[1.0, 2.0, 3.0]]].into_dyn(),
        grad_out: array![[[1.0, 2.0, 0.0, 1.0]]].into_dyn(),
        grad_input: array![[[1.0, 4.0, 7.0, 7.0]]].into_dyn(),
        grad_weight: array![[[5.0, 5.0, 8.0]]].into_dyn(),
    }];
    conv(imp).backward_task(&examples, c);
}
