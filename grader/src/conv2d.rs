//! Checks of module 3, `conv2d`: the forward and the backward of a 2D
//! convolution, through the checks shared with `conv1d` in [`crate::conv`].

use ndarray::{Array4, ArrayViewD, array};

use crate::conv::{BackwardExample, BackwardFn, Conv, ForwardExample, ForwardFn};
use crate::link::{Link, remote};
use crate::{Checker, Implementation, ShapeError, Task, golden};

/// The functions of the `conv2d` module under test.
#[derive(Clone, Copy)]
pub struct Functions {
    pub conv2d: ForwardFn<Array4<f64>>,
    pub conv2d_backward: BackwardFn<Array4<f64>>,
}

impl Functions {
    /// The functions, called through `link`.
    pub fn remote(link: &Link) -> Self {
        Functions {
            conv2d: remote!(link, "conv2d", |x: ArrayViewD<f64>, w: ArrayViewD<f64>| -> Result<Array4<f64>, ShapeError>),
            conv2d_backward: remote!(link, "conv2d_backward", |x: ArrayViewD<f64>, w: ArrayViewD<f64>, g: ArrayViewD<f64>| -> Result<(Array4<f64>, Array4<f64>), ShapeError>),
        }
    }
}

/// The module's tasks; 20 points in all.
pub fn tasks() -> Vec<Task> {
    let task = |name, points, run| Task { module: "conv2d", name, points, run };
    vec![task("conv2d_forward", 10.0, forward), task("conv2d_backward", 10.0, backward)]
}

fn conv(imp: &Implementation) -> Conv<'static> {
    let f = imp.conv2d;
    Conv {
        name: "conv2d",
        spatial: 2,
        golden: golden::CONV2D,
        forward: Box::new(move |x, w| (f.conv2d)(x, w).map(|out| out.into_dyn())),
        backward: Box::new(move |x, w, g| (f.conv2d_backward)(x, w, g).map(|(gx, gw)| (gx.into_dyn(), gw.into_dyn()))),
    }
}

/// The chapter's example: a 3 x 3 image and a 2 x 2 kernel.
fn image() -> ndarray::ArrayD<f64> {
    array![[[[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [2.0, 1.0, 1.0]]]].into_dyn()
}

fn kernel() -> ndarray::ArrayD<f64> {
    array![[[[1.0, 0.0], [2.0, 1.0]]]].into_dyn()
}

fn forward(imp: &Implementation, c: &mut Checker) {
    let examples = [ForwardExample {
        name: "worked example: the 3 x 3 image and the 2 x 2 kernel of the notes",
        input: image(),
        weight: kernel(),
        output: array![[[[2.0, 7.0, 6.0], [5.0, 4.0, 5.0], [2.0, 1.0, 1.0]]]].into_dyn(),
    }];
    conv(imp).forward_task(&examples, c);
}

fn backward(imp: &Implementation, c: &mut Checker) {
    let examples = [BackwardExample {
        name: "worked example: grad_out all ones on the 3 x 3 image and the 2 x 2 kernel of the notes",
        input: image(),
        weight: kernel(),
        grad_out: ndarray::ArrayD::ones(ndarray::IxDyn(&[1, 1, 3, 3])),
        grad_input: array![[[[1.0, 1.0, 1.0], [3.0, 4.0, 4.0], [3.0, 4.0, 4.0]]]].into_dyn(),
        grad_weight: array![[[[11.0, 8.0], [8.0, 6.0]]]].into_dyn(),
    }];
    conv(imp).backward_task(&examples, c);
}
