//! The checks shared by `conv1d` and `conv2d`: one convolution with one or
//! two spatial axes, seen through dynamic-rank arrays.
//!
//! References: the golden files written by JAX (`grader/golden/conv.py`),
//! properties that hold for any convolution of the course's convention
//! (linearity, one-hot inputs, shapes), and central differences of
//! `sum(g * conv(x, w))`.

mod backward;
pub mod cases;
mod forward;
mod golden_cases;
mod large;

use ndarray::{ArrayD, ArrayViewD};
use numeric::fmt_shape;
use numeric::gradcheck::FORWARD;

use crate::ShapeError;

use crate::check::{Outcome, agrees};
use crate::golden;

/// A module's forward, `(input, weight) -> output`, as the grader calls it.
pub type ForwardFn<Out> = &'static dyn Fn(ArrayViewD<f64>, ArrayViewD<f64>) -> Result<Out, ShapeError>;

/// A module's backward, `(input, weight, grad_out) -> (grad_input, grad_weight)`.
pub type BackwardFn<Out> =
    &'static dyn Fn(ArrayViewD<f64>, ArrayViewD<f64>, ArrayViewD<f64>) -> Result<(Out, Out), ShapeError>;

/// A forward under test, on dynamic-rank views.
pub type Forward<'a> = Box<dyn Fn(ArrayViewD<f64>, ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError> + 'a>;

/// A backward under test: `(input, weight, grad_out) -> (grad_input, grad_weight)`.
pub type Backward<'a> = Box<
    dyn Fn(ArrayViewD<f64>, ArrayViewD<f64>, ArrayViewD<f64>) -> Result<(ArrayD<f64>, ArrayD<f64>), ShapeError> + 'a,
>;

/// One convolution module under test.
pub struct Conv<'a> {
    /// The module and forward function, `"conv1d"` or `"conv2d"`.
    pub name: &'static str,
    /// Spatial axes: 1 or 2.
    pub spatial: usize,
    pub golden: golden::File<[u8]>,
    pub forward: Forward<'a>,
    pub backward: Backward<'a>,
}

/// A worked example of the notes, for the forward.
pub struct ForwardExample {
    pub name: &'static str,
    pub input: ArrayD<f64>,
    pub weight: ArrayD<f64>,
    pub output: ArrayD<f64>,
}

/// A worked example of the notes, for the backward.
pub struct BackwardExample {
    pub name: &'static str,
    pub input: ArrayD<f64>,
    pub weight: ArrayD<f64>,
    pub grad_out: ArrayD<f64>,
    pub grad_input: ArrayD<f64>,
    pub grad_weight: ArrayD<f64>,
}

fn shapes(x: &ArrayViewD<f64>, w: &ArrayViewD<f64>) -> String {
    format!("input {}, weight {}", fmt_shape(x.shape()), fmt_shape(w.shape()))
}

impl Conv<'_> {
    fn backward_name(&self) -> String {
        format!("{}_backward", self.name)
    }

    /// The forward's result, or a message when it refuses valid input.
    fn run_forward(&self, x: ArrayViewD<f64>, w: ArrayViewD<f64>) -> Result<ArrayD<f64>, String> {
        let described = shapes(&x, &w);
        (self.forward)(x, w).map_err(|e| format!("{}({described}) refused valid shapes: {e}", self.name))
    }

    fn run_backward(
        &self,
        x: ArrayViewD<f64>,
        w: ArrayViewD<f64>,
        g: ArrayViewD<f64>,
    ) -> Result<(ArrayD<f64>, ArrayD<f64>), String> {
        let described = format!("{}, grad_out {}", shapes(&x, &w), fmt_shape(g.shape()));
        (self.backward)(x, w, g).map_err(|e| format!("{}({described}) refused valid shapes: {e}", self.backward_name()))
    }

    /// Compares the forward on `(x, w)` with `expected`.
    fn forward_is(&self, x: ArrayViewD<f64>, w: ArrayViewD<f64>, expected: ArrayViewD<f64>, note: &str) -> Outcome {
        let what = || format!("{}({}){note}", self.name, shapes(&x, &w));
        let actual = self.run_forward(x.view(), w.view())?;
        agrees(what, &expected, &actual, FORWARD).map_err(|message| {
            // A true convolution gives the expected output when handed the
            // kernel flipped back.
            let mut flipped = w.view();
            (2..w.ndim()).for_each(|axis| flipped.invert_axis(ndarray::Axis(axis)));
            match (self.forward)(x.view(), flipped) {
                Ok(out) if agrees(String::new, &expected, &out, FORWARD).is_ok() => format!(
                    "{message}\nthis looks like a flipped kernel (a true convolution): with the kernel reversed, your function gives the expected output; the course slides the kernel as it is (book/src/conv1d.md#conventions)"
                ),
                _ => message,
            }
        })
    }

    /// Compares the backward on `(x, w, g)` with the expected gradients.
    fn backward_is(
        &self,
        (x, w, g): (ArrayViewD<f64>, ArrayViewD<f64>, ArrayViewD<f64>),
        (grad_input, grad_weight): (ArrayViewD<f64>, ArrayViewD<f64>),
        note: &str,
    ) -> Outcome {
        let (gx, gw) = self.run_backward(x.view(), w.view(), g.view())?;
        let what = |grad: &'static str| {
            let head = format!("{}({}, grad_out {}){note}", self.backward_name(), shapes(&x, &w), fmt_shape(g.shape()));
            move || format!("{head}, {grad}")
        };
        agrees(what("grad_input"), &grad_input, &gx, FORWARD)?;
        agrees(what("grad_weight"), &grad_weight, &gw, FORWARD)
    }
}

/// The argument a gradient is taken with respect to.
#[derive(Clone, Copy)]
enum Wrt {
    Input,
    Weight,
}

impl Wrt {
    /// The argument's name in prose.
    fn noun(self) -> &'static str {
        match self {
            Wrt::Input => "input",
            Wrt::Weight => "weight",
        }
    }

    /// The argument's letter in formulas.
    fn argument(self) -> &'static str {
        match self {
            Wrt::Input => "x",
            Wrt::Weight => "w",
        }
    }

    /// The backward's result for it.
    fn name(self) -> &'static str {
        match self {
            Wrt::Input => "grad_input",
            Wrt::Weight => "grad_weight",
        }
    }
}
