//! Checks of module 8, `network`: the linear layer, cross-entropy, their
//! gradients, and the small network that composes the course's layers.
//!
//! References: the worked examples of the chapter, properties that pin the
//! functions down without computing them (a one-hot row of x picks a
//! column of the weight, the layer is affine, the loss of a batch is the
//! mean of its examples' losses, equal logits give ln C), central
//! differences with respect to every input and parameter, the same calls
//! on strided views and on batches cut into pieces, and logits of ±1000.

mod cases;
mod linear;
mod loss;
mod small;

use ndarray::{Array1, Array2, Array4, ArrayD, ArrayViewD, IxDyn};
use numeric::fmt_shape;

use crate::check::Outcome;
use crate::link::{Link, remote};
use crate::{ShapeError, Task};

/// `linear(x, weight, bias)`.
pub type LinearFn =
    &'static dyn Fn(ArrayViewD<f64>, ArrayViewD<f64>, ArrayViewD<f64>) -> Result<Array2<f64>, ShapeError>;

/// `linear_backward(x, weight, grad_out) -> (grad_x, grad_weight, grad_bias)`.
pub type LinearBackwardFn = &'static dyn Fn(
    ArrayViewD<f64>,
    ArrayViewD<f64>,
    ArrayViewD<f64>,
) -> Result<(Array2<f64>, Array2<f64>, Array1<f64>), ShapeError>;

/// `cross_entropy(logits, labels)`.
pub type LossFn = &'static dyn Fn(ArrayViewD<f64>, &[usize]) -> Result<f64, ShapeError>;

/// `cross_entropy_backward(logits, labels)`.
pub type LossBackwardFn = &'static dyn Fn(ArrayViewD<f64>, &[usize]) -> Result<Array2<f64>, ShapeError>;

/// The loss and the gradients of the kernel, the weight and the bias.
pub type NetworkGrads = Result<(f64, (Array4<f64>, Array2<f64>, Array1<f64>)), ShapeError>;

/// `small::loss_and_gradients(kernel, weight, bias, x, labels)`.
pub type SmallFn =
    &'static dyn Fn(ArrayViewD<f64>, ArrayViewD<f64>, ArrayViewD<f64>, ArrayViewD<f64>, &[usize]) -> NetworkGrads;

/// The functions of the `network` module under test.
#[derive(Clone, Copy)]
pub struct Functions {
    pub linear: LinearFn,
    pub linear_backward: LinearBackwardFn,
    pub cross_entropy: LossFn,
    pub cross_entropy_backward: LossBackwardFn,
    pub small_network: SmallFn,
}

impl Functions {
    /// The functions, called through `link`.
    pub fn remote(link: &Link) -> Self {
        Functions {
            linear: remote!(link, "linear", |x: ArrayViewD<f64>, w: ArrayViewD<f64>, b: ArrayViewD<f64>| -> Result<Array2<f64>, ShapeError>),
            linear_backward: remote!(link, "linear_backward", |x: ArrayViewD<f64>, w: ArrayViewD<f64>, g: ArrayViewD<f64>| -> Result<(Array2<f64>, Array2<f64>, Array1<f64>), ShapeError>),
            cross_entropy: remote!(link, "cross_entropy", |z: ArrayViewD<f64>, labels: &[usize]| -> Result<f64, ShapeError>),
            cross_entropy_backward: remote!(link, "cross_entropy_backward", |z: ArrayViewD<f64>, labels: &[usize]| -> Result<Array2<f64>, ShapeError>),
            small_network: remote!(link, "small_network", |k: ArrayViewD<f64>, w: ArrayViewD<f64>, b: ArrayViewD<f64>, x: ArrayViewD<f64>, labels: &[usize]| -> NetworkGrads),
        }
    }
}

/// The module's tasks, in the order of the chapter; 26 points in all.
pub fn tasks() -> Vec<Task> {
    let task = |name, points, run| Task { module: "network", name, points, run };
    vec![
        task("linear", 5.0, linear::linear),
        task("linear_backward", 6.0, linear::linear_backward),
        task("cross_entropy", 4.0, loss::cross_entropy),
        task("cross_entropy_backward", 5.0, loss::cross_entropy_backward),
        task("small_network", 6.0, small::small_network),
    ]
}

/// Zeros of each shape, for the checks of refusals.
fn zeros_of(shapes: &[&[usize]]) -> Vec<ArrayD<f64>> {
    shapes.iter().map(|s| ArrayD::zeros(IxDyn(s))).collect()
}

/// `Ok` when `call` refuses every listed problem with a ShapeError (of
/// `name` when one is given). A problem is its operands' shapes, labels
/// and what is wrong.
fn refuses<T>(
    name: Option<&str>,
    problems: &[(&[&[usize]], &[usize], &str)],
    call: impl Fn(&[ArrayViewD<f64>], &[usize]) -> Result<T, ShapeError>,
) -> Outcome {
    let function = name.unwrap_or("the network");
    problems.iter().try_for_each(|&(shapes, labels, what)| {
        let arrays = zeros_of(shapes);
        let views: Vec<_> = arrays.iter().map(|a| a.view()).collect();
        let given = shapes.iter().map(|s| fmt_shape(s)).collect::<Vec<_>>().join(", ");
        match call(&views, labels) {
            Err(e) if name.is_none_or(|n| e.function == n) => Ok(()),
            Err(e) => Err(format!("{function} with {what} ({given}): the error names {} instead", e.function)),
            Ok(_) => {
                Err(format!("{function} with {what} ({given}, labels {labels:?}): expected a ShapeError, got a result"))
            }
        }
    })
}
