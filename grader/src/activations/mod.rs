//! Checks of module 5, `activations`: ReLU, step, sigmoid and the backwards.
//!
//! References: the golden file written by JAX
//! (`grader/golden/activations.py`), properties that characterise each
//! function (ReLU's `relu(x) - relu(-x) = x`, the sigmoid's symmetry),
//! exact values far out, and central differences on inputs kept away from
//! ReLU's kink.

mod cases;
mod elementwise;

use ndarray::{ArrayD, ArrayViewD, IxDyn};
use numeric::fmt_value;
use numeric::gradcheck::FORWARD;

use self::cases::cases;
use self::elementwise::{Backward, Unary, backward_checks, backward_edges, example, forward_checks, forward_edges};
use crate::check::{agrees, ensure};
use crate::link::{Link, remote};
use crate::show;
use crate::{Checker, Implementation, ShapeError, Task};

/// The functions of the `activations` module under test.
#[derive(Clone, Copy)]
pub struct Functions {
    pub relu: Unary,
    pub relu_backward: Backward,
    pub step: Unary,
    pub sigmoid: Unary,
    pub sigmoid_backward: Backward,
}

impl Functions {
    /// The functions, called through `link`.
    pub fn remote(link: &Link) -> Self {
        Functions {
            relu: remote!(link, "relu", |x: ArrayViewD<f64>| -> ArrayD<f64>),
            relu_backward: remote!(link, "relu_backward", |x: ArrayViewD<f64>, g: ArrayViewD<f64>| -> Result<ArrayD<f64>, ShapeError>),
            step: remote!(link, "step", |x: ArrayViewD<f64>| -> ArrayD<f64>),
            sigmoid: remote!(link, "sigmoid", |x: ArrayViewD<f64>| -> ArrayD<f64>),
            sigmoid_backward: remote!(link, "sigmoid_backward", |x: ArrayViewD<f64>, g: ArrayViewD<f64>| -> Result<ArrayD<f64>, ShapeError>),
        }
    }
}

/// The module's tasks, in the order of the chapter; 20 points in all.
pub fn tasks() -> Vec<Task> {
    let task = |name, points, run| Task { module: "activations", name, points, run };
    vec![
        task("relu", 4.0, relu),
        task("relu_backward", 4.0, relu_backward),
        task("step", 3.0, step),
        task("sigmoid", 5.0, sigmoid),
        task("sigmoid_backward", 4.0, sigmoid_backward),
    ]
}

const EXAMPLE: [f64; 5] = [-2.0, -0.5, 0.0, 0.5, 2.0];

fn relu(imp: &Implementation, c: &mut Checker) {
    let f = imp.activations.relu;
    c.check("worked example: relu(-2, -0.5, 0, 0.5, 2) = (0, 0, 0, 0.5, 2)", || {
        example("relu", f, &EXAMPLE, &[0.0, 0.0, 0.0, 0.5, 2.0])
    });
    forward_checks(c, "relu", f, "relu");
    forward_edges(c, "relu", f, [f64::MAX, 0.0, 1.7e308, f64::MIN_POSITIVE, 5e-324, 0.0, 0.0, 0.0]);
    c.property("property: relu(x) - relu(-x) = x", cases(), |case| {
        let [x, _] = case.operands();
        let difference = f(x.view()) - f((-&x).view());
        agrees(|| format!("relu(x) - relu(-x), {}", case.describe()), &x.view(), &difference, FORWARD)
    });
    c.property("property: relu(c x) = c relu(x) for c > 0", (cases(), 0.01..100.0f64), |(case, scale)| {
        let [x, _] = case.operands();
        let expected = f(x.view()) * scale;
        agrees(
            || format!("relu({} x), {}", fmt_value(scale), case.describe()),
            &expected.view(),
            &f((&x * scale).view()),
            FORWARD,
        )
    });
}

fn relu_backward(imp: &Implementation, c: &mut Checker) {
    let (f, b) = (imp.activations.relu, imp.activations.relu_backward);
    c.check("worked example: at (-2, -0.5, 0, 0.5, 2), grad_out (1, 2, 3, 4, 5) gives (0, 0, 0, 4, 5)", || {
        let (x, g) = (
            ArrayD::from_shape_vec(IxDyn(&[5]), EXAMPLE.to_vec()),
            ArrayD::from_shape_vec(IxDyn(&[5]), vec![1.0, 2.0, 3.0, 4.0, 5.0]),
        );
        let (x, g) = (x.expect("a vector"), g.expect("a vector"));
        let expected = ArrayD::from_shape_vec(IxDyn(&[5]), vec![0.0, 0.0, 0.0, 4.0, 5.0]).expect("a vector");
        let actual = b(x.view(), g.view()).map_err(|e| format!("relu_backward refused matching shapes: {e}"))?;
        agrees(|| "relu_backward(x, grad_out)".to_string(), &expected.view(), &actual, FORWARD)
    });
    backward_checks(c, "relu_backward", f, b, "relu_grad");
    backward_edges(c, "relu_backward", b, [1.0, 0.0, 3.0, 4.0, 5.0, 0.0, 0.0, 0.0]);
}

fn step(imp: &Implementation, c: &mut Checker) {
    let f = imp.activations.step;
    c.check("worked example: step(-2, -0.5, 0, 0.5, 2) = (0, 0, 0, 1, 1)", || {
        example("step", f, &EXAMPLE, &[0.0, 0.0, 0.0, 1.0, 1.0])
    });
    forward_checks(c, "step", f, "step");
    forward_edges(c, "step", f, [1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
    c.property("property: only 0 and 1, and step(x) + step(-x) = 1 away from 0", cases(), |case| {
        let [x, _] = case.operands();
        let sum = f(x.view()) + f((-&x).view());
        let values = f(x.view());
        ensure(values.iter().all(|&v| v == 0.0 || v == 1.0), || {
            format!("step({}) = {}: not only 0 and 1", case.describe(), show::array(&values.view()))
        })?;
        agrees(|| format!("step(x) + step(-x), {}", case.describe()), &ArrayD::ones(x.raw_dim()).view(), &sum, FORWARD)
    });
}

/// Inputs far out, where a naive formula overflows, and the exact sigmoid
/// of each.
const FAR: [(f64, f64); 6] = [(-1e300, 0.0), (-1000.0, 0.0), (-750.0, 0.0), (750.0, 1.0), (1000.0, 1.0), (1e300, 1.0)];

fn sigmoid(imp: &Implementation, c: &mut Checker) {
    let f = imp.activations.sigmoid;
    c.check("worked example: sigmoid(0) = 0.5, sigmoid(2) = 0.8807970779778823", || {
        example("sigmoid", f, &[0.0, 2.0, -2.0], &[0.5, 0.8807970779778823, 0.11920292202211755])
    });
    forward_checks(c, "sigmoid", f, "sigmoid");
    forward_edges(c, "sigmoid", f, [1.0, 0.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5]);
    c.check("stability: exactly 0 and 1, to the last bit, at -750, -1000 and beyond, never NaN", || {
        let (inputs, expected): (Vec<f64>, Vec<f64>) = FAR.iter().copied().unzip();
        let x = ArrayD::from_shape_vec(IxDyn(&[inputs.len()]), inputs).expect("a vector");
        let actual = f(x.view());
        ensure(actual.iter().copied().eq(expected.iter().copied()), || {
            format!(
                "sigmoid({}) = {}: expected exactly {}",
                show::array(&x.view()),
                show::array(&actual.view()),
                show::list(&expected)
            )
        })
    });
    c.property("property: sigmoid(-x) = 1 - sigmoid(x), within [0, 1]", (cases(), 1.0..50.0f64), |(case, scale)| {
        let [x, _] = case.operands();
        let x = x * scale;
        let (s, mirrored) = (f(x.view()), f((-&x).view()));
        ensure(s.iter().all(|v| (0.0..=1.0).contains(v)), || {
            format!("sigmoid of {} leaves [0, 1]: {}", case.describe(), show::array(&s.view()))
        })?;
        agrees(
            || format!("sigmoid(-x) against 1 - sigmoid(x), {}", case.describe()),
            &(1.0 - &s).view(),
            &mirrored,
            numeric::gradcheck::Tolerance { abs: 1e-15, ..FORWARD },
        )
    });
}

fn sigmoid_backward(imp: &Implementation, c: &mut Checker) {
    let (f, b) = (imp.activations.sigmoid, imp.activations.sigmoid_backward);
    let at = |x: &[f64], g: &[f64]| {
        let (x, g) = (
            ArrayD::from_shape_vec(IxDyn(&[x.len()]), x.to_vec()),
            ArrayD::from_shape_vec(IxDyn(&[g.len()]), g.to_vec()),
        );
        b(x.expect("a vector").view(), g.expect("a vector").view())
            .map_err(|e| format!("sigmoid_backward refused matching shapes: {e}"))
    };
    c.check("worked example: the slope at 0 is 0.25", || {
        let actual = at(&[0.0, 0.0], &[1.0, 2.0])?;
        let expected = ArrayD::from_shape_vec(IxDyn(&[2]), vec![0.25, 0.5]).expect("a vector");
        agrees(|| "sigmoid_backward(x (0, 0), grad_out (1, 2))".to_string(), &expected.view(), &actual, FORWARD)
    });
    backward_checks(c, "sigmoid_backward", f, b, "sigmoid_grad");
    backward_edges(c, "sigmoid_backward", b, [0.0, 0.0, 0.0, 1.0, 1.25, 1.5, 1.75, 2.0]);
    c.check("stability: the slope is 0, not NaN, at -1000 and 1000 and beyond", || {
        let inputs: Vec<f64> = FAR.iter().map(|&(x, _)| x).collect();
        let actual = at(&inputs, &vec![1.0; inputs.len()])?;
        let expected = ArrayD::zeros(IxDyn(&[inputs.len()]));
        agrees(
            || format!("sigmoid_backward(x {}, grad_out all ones)", show::list(&inputs)),
            &expected.view(),
            &actual,
            FORWARD,
        )
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn far_inputs_are_where_the_naive_formulas_overflow() {
        for (x, _) in FAR {
            let naive = x.exp() / (1.0 + x.exp());
            assert!(naive.is_nan() || naive == 0.0, "{x}");
        }
    }
}
