//! Realistic wrong implementations of the `activations` module.

use activations_solution as right;
use ndarray::{Array1, ArrayD, ArrayViewD, Zip};
use support::ShapeError;

use super::Mutant;

pub const MUTANTS: &[Mutant] = &[
    Mutant {
        task: "relu_backward",
        what: "reads element 0 first: panics on empty arrays",
        plant: |i| i.activations.relu_backward = empty_relu_backward,
    },
    Mutant {
        task: "sigmoid_backward",
        what: "reads element 0 first: panics on empty arrays",
        plant: |i| i.activations.sigmoid_backward = empty_sigmoid_backward,
    },
    Mutant { task: "step", what: "works only on contiguous input", plant: |i| i.activations.step = contiguous_step },
    Mutant { task: "relu", what: "a leaky ReLU (0.01 x below 0)", plant: |i| i.activations.relu = leaky },
    Mutant { task: "relu", what: "the absolute value", plant: |i| i.activations.relu = absolute },
    Mutant {
        task: "relu",
        what: "(x + |x|) / 2, which overflows above 8.99e307",
        plant: |i| i.activations.relu = half_sum,
    },
    Mutant { task: "relu", what: "clipped at 6 (ReLU6)", plant: |i| i.activations.relu = relu6 },
    Mutant { task: "relu", what: "flattens its output to one axis", plant: |i| i.activations.relu = flattened },
    Mutant { task: "relu", what: "works only on contiguous input", plant: |i| i.activations.relu = contiguous_relu },
    Mutant {
        task: "relu_backward",
        what: "lets the gradient through at x < 0",
        plant: |i| i.activations.relu_backward = leaking_gradient,
    },
    Mutant {
        task: "relu_backward",
        what: "returns the step, forgetting grad_out",
        plant: |i| i.activations.relu_backward = step_only,
    },
    Mutant {
        task: "relu_backward",
        what: "passes the gradient at x = 0",
        plant: |i| i.activations.relu_backward = open_at_zero,
    },
    Mutant {
        task: "relu_backward",
        what: "never checks grad_out's shape",
        plant: |i| i.activations.relu_backward = unchecked_relu_backward,
    },
    Mutant {
        task: "relu_backward",
        what: "works only on a contiguous grad_out",
        plant: |i| i.activations.relu_backward = contiguous_relu_backward,
    },
    Mutant { task: "step", what: "1 at x = 0 (x >= 0)", plant: |i| i.activations.step = closed_step },
    Mutant { task: "step", what: "the sign function", plant: |i| i.activations.step = sign },
    Mutant { task: "step", what: "flattens its output to one axis", plant: |i| i.activations.step = flattened_step },
    Mutant {
        task: "sigmoid",
        what: "exp(x) / (1 + exp(x)): NaN at x = 1000",
        plant: |i| i.activations.sigmoid = naive_sigmoid,
    },
    Mutant {
        task: "sigmoid",
        what: "1 / (1 + exp(x)): the sign flipped",
        plant: |i| i.activations.sigmoid = flipped_sigmoid,
    },
    Mutant { task: "sigmoid", what: "tanh instead of the sigmoid", plant: |i| i.activations.sigmoid = tanh },
    Mutant {
        task: "sigmoid",
        what: "flattens its output to one axis",
        plant: |i| i.activations.sigmoid = flattened_sigmoid,
    },
    Mutant {
        task: "sigmoid",
        what: "works only on contiguous input",
        plant: |i| i.activations.sigmoid = contiguous_sigmoid,
    },
    Mutant {
        task: "sigmoid_backward",
        what: "s (1 - s), forgetting grad_out",
        plant: |i| i.activations.sigmoid_backward = slope_only,
    },
    Mutant {
        task: "sigmoid_backward",
        what: "x (1 - x) instead of s (1 - s)",
        plant: |i| i.activations.sigmoid_backward = slope_of_x,
    },
    Mutant {
        task: "sigmoid_backward",
        what: "e^-x / (1 + e^-x)^2: NaN at x = -1000",
        plant: |i| i.activations.sigmoid_backward = naive_slope,
    },
    Mutant {
        task: "sigmoid_backward",
        what: "never checks grad_out's shape",
        plant: |i| i.activations.sigmoid_backward = unchecked_sigmoid_backward,
    },
    Mutant {
        task: "sigmoid_backward",
        what: "works only on a contiguous x",
        plant: |i| i.activations.sigmoid_backward = contiguous_sigmoid_backward,
    },
];

fn leaky(x: ArrayViewD<f64>) -> ArrayD<f64> {
    x.mapv(|v| if v > 0.0 { v } else { 0.01 * v })
}

fn half_sum(x: ArrayViewD<f64>) -> ArrayD<f64> {
    x.mapv(|v| (v + v.abs()) / 2.0)
}
fn absolute(x: ArrayViewD<f64>) -> ArrayD<f64> {
    x.mapv(f64::abs)
}

fn relu6(x: ArrayViewD<f64>) -> ArrayD<f64> {
    x.mapv(|v| v.clamp(0.0, 6.0))
}

fn flatten(out: ArrayD<f64>) -> ArrayD<f64> {
    Array1::from_iter(out.iter().copied()).into_dyn()
}

fn flattened(x: ArrayViewD<f64>) -> ArrayD<f64> {
    flatten(right::relu(x))
}

fn contiguous(x: ArrayViewD<f64>) -> ArrayViewD<f64> {
    let slice = x.to_slice().expect("a contiguous array");
    ArrayViewD::from_shape(x.raw_dim(), slice).expect("the shape of x")
}

fn contiguous_relu(x: ArrayViewD<f64>) -> ArrayD<f64> {
    right::relu(contiguous(x))
}

fn zipped(x: ArrayViewD<f64>, g: ArrayViewD<f64>, f: impl Fn(f64, f64) -> f64) -> ArrayD<f64> {
    Zip::from(&x).and(&g).map_collect(|&x, &g| f(x, g))
}

fn leaking_gradient(x: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError> {
    support::axes::same_shape("relu_backward", &x, &g)?;
    Ok(zipped(x, g, |x, g| if x > 0.0 { g } else { 0.5 * g }))
}

fn step_only(x: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError> {
    support::axes::same_shape("relu_backward", &x, &g)?;
    Ok(right::step(x))
}

fn open_at_zero(x: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError> {
    support::axes::same_shape("relu_backward", &x, &g)?;
    Ok(zipped(x, g, |x, g| if x >= 0.0 { g } else { 0.0 }))
}

fn unchecked_relu_backward(x: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError> {
    match right::relu_backward(x.view(), g) {
        Err(_) => Ok(ArrayD::zeros(x.raw_dim())),
        ok => ok,
    }
}

fn contiguous_relu_backward(x: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError> {
    right::relu_backward(x, contiguous(g))
}

fn closed_step(x: ArrayViewD<f64>) -> ArrayD<f64> {
    x.mapv(|v| if v >= 0.0 { 1.0 } else { 0.0 })
}

fn sign(x: ArrayViewD<f64>) -> ArrayD<f64> {
    x.mapv(|v| {
        if v > 0.0 {
            1.0
        } else if v < 0.0 {
            -1.0
        } else {
            0.0
        }
    })
}

fn flattened_step(x: ArrayViewD<f64>) -> ArrayD<f64> {
    flatten(right::step(x))
}

fn naive_sigmoid(x: ArrayViewD<f64>) -> ArrayD<f64> {
    x.mapv(|v| v.exp() / (1.0 + v.exp()))
}

fn flipped_sigmoid(x: ArrayViewD<f64>) -> ArrayD<f64> {
    right::sigmoid((-&x).view())
}

fn tanh(x: ArrayViewD<f64>) -> ArrayD<f64> {
    x.mapv(f64::tanh)
}

fn flattened_sigmoid(x: ArrayViewD<f64>) -> ArrayD<f64> {
    flatten(right::sigmoid(x))
}

fn contiguous_sigmoid(x: ArrayViewD<f64>) -> ArrayD<f64> {
    right::sigmoid(contiguous(x))
}

fn slope_only(x: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError> {
    right::sigmoid_backward(x.view(), ArrayD::ones(g.raw_dim()).view())
}

fn slope_of_x(x: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError> {
    support::axes::same_shape("sigmoid_backward", &x, &g)?;
    Ok(zipped(x, g, |x, g| g * x * (1.0 - x)))
}

fn naive_slope(x: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError> {
    support::axes::same_shape("sigmoid_backward", &x, &g)?;
    Ok(zipped(x, g, |x, g| g * (-x).exp() / (1.0 + (-x).exp()).powi(2)))
}

fn unchecked_sigmoid_backward(x: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError> {
    match right::sigmoid_backward(x.view(), g) {
        Err(_) => Ok(ArrayD::zeros(x.raw_dim())),
        ok => ok,
    }
}

fn contiguous_sigmoid_backward(x: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError> {
    right::sigmoid_backward(contiguous(x), g)
}

fn contiguous_step(x: ArrayViewD<f64>) -> ArrayD<f64> {
    right::step(contiguous(x))
}

fn empty_relu_backward(x: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError> {
    super::first_element(&x);
    right::relu_backward(x, g)
}
fn empty_sigmoid_backward(x: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError> {
    super::first_element(&x);
    right::sigmoid_backward(x, g)
}
