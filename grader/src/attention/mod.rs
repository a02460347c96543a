//! Checks of module 7, `attention`: the sigmoid gate, softmax gating,
//! scaled dot-product attention and the backwards.
//!
//! References: the golden file written by JAX (`grader/golden/attention.py`,
//! cross-checked with `jax.nn.dot_product_attention`), properties (a gate
//! at r = +inf is x, one huge score picks its row, attention ignores a
//! vector added to every key and a permutation of the keys and values, the
//! causal first row is the first value), central differences with respect
//! to every input, and large scores.

mod cases;
mod common;
mod gate;
mod mix;
mod scaled;

use ndarray::{Array2, Array3, ArrayD, ArrayViewD, IxDyn};
use numeric::fmt_shape;

use crate::ShapeError;

use crate::Task;
use crate::check::Outcome;
use crate::edges::array;
use crate::link::{Link, remote};

/// `gate(x, y, r)`.
pub type GateFn = &'static dyn Fn(ArrayViewD<f64>, ArrayViewD<f64>, ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError>;

/// The three gradients of a function of three inputs.
pub type Grads3<A> = Result<(A, A, A), ShapeError>;

/// `gate_backward(x, y, r, grad_out) -> (grad_x, grad_y, grad_r)`.
pub type GateBackwardFn =
    &'static dyn Fn(ArrayViewD<f64>, ArrayViewD<f64>, ArrayViewD<f64>, ArrayViewD<f64>) -> Grads3<ArrayD<f64>>;

/// `softmax_gate(x, r)`.
pub type MixFn = &'static dyn Fn(ArrayViewD<f64>, ArrayViewD<f64>) -> Result<Array2<f64>, ShapeError>;

/// `softmax_gate_backward(x, r, grad_out) -> (grad_x, grad_r)`.
pub type MixBackwardFn = &'static dyn Fn(
    ArrayViewD<f64>,
    ArrayViewD<f64>,
    ArrayViewD<f64>,
) -> Result<(Array3<f64>, Array2<f64>), ShapeError>;

/// `attention(q, k, v, causal)`.
pub type AttentionFn =
    &'static dyn Fn(ArrayViewD<f64>, ArrayViewD<f64>, ArrayViewD<f64>, bool) -> Result<Array3<f64>, ShapeError>;

/// `attention_backward(q, k, v, causal, grad_out) -> (grad_q, grad_k, grad_v)`.
pub type AttentionBackwardFn =
    &'static dyn Fn(ArrayViewD<f64>, ArrayViewD<f64>, ArrayViewD<f64>, bool, ArrayViewD<f64>) -> Grads3<Array3<f64>>;

/// The functions of the `attention` module under test.
#[derive(Clone, Copy)]
pub struct Functions {
    pub gate: GateFn,
    pub gate_backward: GateBackwardFn,
    pub softmax_gate: MixFn,
    pub softmax_gate_backward: MixBackwardFn,
    pub attention: AttentionFn,
    pub attention_backward: AttentionBackwardFn,
}

impl Functions {
    /// The functions, called through `link`.
    pub fn remote(link: &Link) -> Self {
        Functions {
            gate: remote!(link, "gate", |x: ArrayViewD<f64>, y: ArrayViewD<f64>, r: ArrayViewD<f64>| -> Result<ArrayD<f64>, ShapeError>),
            gate_backward: remote!(link, "gate_backward", |x: ArrayViewD<f64>, y: ArrayViewD<f64>, r: ArrayViewD<f64>, g: ArrayViewD<f64>| -> Grads3<ArrayD<f64>>),
            softmax_gate: remote!(link, "softmax_gate", |x: ArrayViewD<f64>, r: ArrayViewD<f64>| -> Result<Array2<f64>, ShapeError>),
            softmax_gate_backward: remote!(link, "softmax_gate_backward", |x: ArrayViewD<f64>, r: ArrayViewD<f64>, g: ArrayViewD<f64>| -> Result<(Array3<f64>, Array2<f64>), ShapeError>),
            attention: remote!(link, "attention", |q: ArrayViewD<f64>, k: ArrayViewD<f64>, v: ArrayViewD<f64>, causal: bool| -> Result<Array3<f64>, ShapeError>),
            attention_backward: remote!(link, "attention_backward", |q: ArrayViewD<f64>, k: ArrayViewD<f64>, v: ArrayViewD<f64>, causal: bool, g: ArrayViewD<f64>| -> Grads3<Array3<f64>>),
        }
    }
}

/// The module's tasks, in the order of the chapter; 32 points in all.
pub fn tasks() -> Vec<Task> {
    let task = |name, points, run| Task { module: "attention", name, points, run };
    vec![
        task("gate", 4.0, gate::gate),
        task("gate_backward", 5.0, gate::gate_backward),
        task("softmax_gate", 4.0, mix::softmax_gate),
        task("softmax_gate_backward", 5.0, mix::softmax_gate_backward),
        task("attention", 7.0, scaled::attention),
        task("attention_backward", 7.0, scaled::attention_backward),
    ]
}

/// `Ok` when `call` refuses every listed problem with an error of `name`.
/// A problem is its operands' shapes, the causal flag and what is wrong.
fn refuses<T>(
    name: &str,
    problems: &[(&[&[usize]], bool, &str)],
    call: impl Fn(&[ArrayViewD<f64>], bool) -> Result<T, ShapeError>,
) -> Outcome {
    problems.iter().try_for_each(|&(shapes, causal, what)| {
        let arrays: Vec<ArrayD<f64>> = shapes.iter().map(|s| ArrayD::zeros(IxDyn(s))).collect();
        let views: Vec<_> = arrays.iter().map(|a| a.view()).collect();
        let given = shapes.iter().map(|s| fmt_shape(s)).collect::<Vec<_>>().join(", ");
        match call(&views, causal) {
            Err(e) if e.function == name => Ok(()),
            Err(e) => Err(format!("{name} with {what} ({given}): the error names {} instead of {name}", e.function)),
            Ok(_) => Err(format!("{name} with {what} ({given}): expected a ShapeError, got a result")),
        }
    })
}
