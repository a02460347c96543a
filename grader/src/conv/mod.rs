//! The checks shared by `conv1d` and `conv2d`: one convolution with one or
//! two spatial axes, seen through dynamic-rank arrays.
//!
//! References: the golden files written by JAX (`grader/golden/conv.py`),
//! properties that hold for any convolution of the course's convention
//! (linearity, one-hot inputs, shapes), and central differences of
//! `sum(g * conv(x, w))`.

pub mod cases;

use ndarray::{ArrayD, ArrayViewD, Dimension, IxDyn};
use proptest::prelude::*;
use proptest::sample::select;
use support::gradcheck::{FORWARD, GRADIENT, Tolerance, check_gradient, first_mismatch};
use support::{ShapeError, fmt_shape};

use self::cases::{Case, cases};
use crate::check::{Outcome, same_dims};
use crate::strided::{Layout, Strided};
use crate::{Checker, golden};

/// Random problems per finite-difference property: each calls the forward
/// twice per element, and a student's loops run unoptimised.
const GRADIENT_CASES: u32 = 32;

/// A module's forward, `(input, weight) -> output`, as the grader calls it.
pub type ForwardFn<Out> = fn(ArrayViewD<f64>, ArrayViewD<f64>) -> Result<Out, ShapeError>;

/// A module's backward, `(input, weight, grad_out) -> (grad_input, grad_weight)`.
pub type BackwardFn<Out> = fn(ArrayViewD<f64>, ArrayViewD<f64>, ArrayViewD<f64>) -> Result<(Out, Out), ShapeError>;

/// Operands the backward must refuse, and what is wrong with them.
type Refusal = (ArrayD<f64>, ArrayD<f64>, ArrayD<f64>, &'static str);

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

/// One case of a golden file.
struct GoldenCase {
    name: String,
    input: ArrayD<f64>,
    weight: ArrayD<f64>,
    grad_out: ArrayD<f64>,
    output: ArrayD<f64>,
    grad_input: ArrayD<f64>,
    grad_weight: ArrayD<f64>,
}

fn golden_cases(file: golden::File<[u8]>) -> Vec<GoldenCase> {
    golden::npz_cases(file)
        .into_iter()
        .map(|(name, mut arrays)| {
            let mut take = |field: &str| {
                arrays.remove(field).unwrap_or_else(|| panic!("golden file {}: {name} has no {field}", file.0))
            };
            GoldenCase {
                input: take("input"),
                weight: take("weight"),
                grad_out: take("grad_out"),
                output: take("output"),
                grad_input: take("grad_input"),
                grad_weight: take("grad_weight"),
                name,
            }
        })
        .collect()
}

fn shapes(x: &ArrayViewD<f64>, w: &ArrayViewD<f64>) -> String {
    format!("input {}, weight {}", fmt_shape(x.shape()), fmt_shape(w.shape()))
}

/// `Ok` when `actual` has `expected`'s shape and values within `tol`.
fn agrees(what: impl Fn() -> String, expected: &ArrayViewD<f64>, actual: &ArrayD<f64>, tol: Tolerance) -> Outcome {
    same_dims(|| format!("{}: the shape", what()), expected.shape(), actual.shape())?;
    match first_mismatch(expected.view(), actual.view(), tol) {
        Some(mismatch) => Err(format!("{}: {mismatch}", what())),
        None => Ok(()),
    }
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
        agrees(what, &expected, &actual, FORWARD)
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

    /// Worked examples, golden files on fresh and strided arrays, properties
    /// and shape errors of the forward.
    pub fn forward_task(&self, examples: &[ForwardExample], c: &mut Checker) {
        for example in examples {
            c.check(example.name, || {
                self.forward_is(example.input.view(), example.weight.view(), example.output.view(), "")
            });
        }
        c.check("golden: outputs computed by JAX", || {
            golden_cases(self.golden).iter().try_for_each(|case| {
                let note = format!(" [golden {}]", case.name);
                self.forward_is(case.input.view(), case.weight.view(), case.output.view(), &note)
            })
        });
        c.check("golden, on permuted, sliced and reversed views", || {
            golden_cases(self.golden).iter().try_for_each(|case| {
                Layout::ALL.iter().try_for_each(|&layout| {
                    let (x, w) = (Strided::new(&case.input, layout), Strided::new(&case.weight, layout));
                    let note = format!(" [golden {}, {}]", case.name, layout.describe());
                    self.forward_is(x.view(), w.view(), case.output.view(), &note)
                })
            })
        });
        let spatial = self.spatial;
        c.property(
            "property: the output is batch x out_channels x the input's size",
            cases(spatial, cases::FORWARD),
            |case| {
                let [x, w, _] = case.operands();
                let out = self.run_forward(x.view(), w.view())?;
                same_dims(
                    || format!("{}({}): the output's shape", self.name, case.describe()),
                    &case.output_shape(),
                    out.shape(),
                )
            },
        );
        c.property(
            "property: linear in the input",
            (cases(spatial, cases::FORWARD), -2.0..2.0f64, -2.0..2.0f64),
            |(case, a, b)| {
                let [x1, w, _] = case.operands();
                let [x2, _, _] = Case { seed: case.seed ^ 1, ..case.clone() }.operands();
                let mixed = self.run_forward((a * &x1 + b * &x2).view(), w.view())?;
                let expected =
                    a * self.run_forward(x1.view(), w.view())? + b * self.run_forward(x2.view(), w.view())?;
                agrees(
                    || {
                        format!(
                            "{}(a x1 + b x2, w) against a {0}(x1, w) + b {0}(x2, w) with a = {a}, b = {b}, {}",
                            self.name,
                            case.describe()
                        )
                    },
                    &expected.view(),
                    &mixed,
                    FORWARD,
                )
            },
        );
        c.property(
            "property: linear in the weight",
            (cases(spatial, cases::FORWARD), -2.0..2.0f64, -2.0..2.0f64),
            |(case, a, b)| {
                let [x, w1, _] = case.operands();
                let [_, w2, _] = Case { seed: case.seed ^ 1, ..case.clone() }.operands();
                let mixed = self.run_forward(x.view(), (a * &w1 + b * &w2).view())?;
                let expected =
                    a * self.run_forward(x.view(), w1.view())? + b * self.run_forward(x.view(), w2.view())?;
                agrees(
                    || {
                        format!(
                            "{}(x, a w1 + b w2) against a {0}(x, w1) + b {0}(x, w2) with a = {a}, b = {b}, {}",
                            self.name,
                            case.describe()
                        )
                    },
                    &expected.view(),
                    &mixed,
                    FORWARD,
                )
            },
        );
        c.property(
            "property: a one-hot input gives the kernel reversed, ending at the hot position",
            (cases(spatial, cases::FORWARD), any::<proptest::sample::Index>()),
            |(case, hot)| self.one_hot(&case, hot),
        );
        c.check("refuses wrong ranks, mismatched channels and empty kernels with a ShapeError", || {
            self.refusals().into_iter().try_for_each(|(x, w, what)| match (self.forward)(x.view(), w.view()) {
                Err(e) if e.function == self.name => Ok(()),
                Err(e) => Err(format!(
                    "{}({}) with {what}: the error names {} instead of {}",
                    self.name,
                    shapes(&x.view(), &w.view()),
                    e.function,
                    self.name
                )),
                Ok(out) => Err(format!(
                    "{}({}) with {what}: expected a ShapeError, got an output of shape {}",
                    self.name,
                    shapes(&x.view(), &w.view()),
                    fmt_shape(out.shape())
                )),
            })
        });
    }

    /// A one at `hot` (an index into the input) and zeros elsewhere: output
    /// `(b, o, t)` holds `w[o, c, p - t]` where the hot element is
    /// `(b, c, p)` and `0 <= p - t < K` on every spatial axis, else 0.
    fn one_hot(&self, case: &Case, hot: proptest::sample::Index) -> Outcome {
        let [_, w, _] = case.operands();
        let mut x = ArrayD::zeros(IxDyn(&case.input_shape()));
        let position = hot.index(x.len());
        let hot_index = ndarray::indices(x.raw_dim()).into_iter().nth(position).expect("a position inside x");
        x[&hot_index] = 1.0;
        let out = self.run_forward(x.view(), w.view())?;
        let hot_index = hot_index.slice().to_vec();
        let expected = ArrayD::from_shape_fn(IxDyn(&case.output_shape()), |t| {
            let t = t.slice();
            let offsets: Option<Vec<usize>> = (2..t.len())
                .map(|axis| hot_index[axis].checked_sub(t[axis]).filter(|k| *k < w.shape()[axis]))
                .collect();
            match offsets {
                Some(k) if t[0] == hot_index[0] => w[IxDyn(&[&[t[1], hot_index[1]][..], &k].concat())],
                _ => 0.0,
            }
        });
        agrees(
            || format!("{}({}) with a single 1 at input index {}", self.name, case.describe(), fmt_shape(&hot_index)),
            &expected.view(),
            &out,
            FORWARD,
        )
    }

    /// Inputs the forward must refuse, and what is wrong with each.
    fn refusals(&self) -> Vec<(ArrayD<f64>, ArrayD<f64>, &'static str)> {
        let n = self.spatial;
        let zeros = |shape: Vec<usize>| ArrayD::<f64>::zeros(IxDyn(&shape));
        let size = vec![4; n];
        let kernel = vec![2; n];
        let input = |channels: usize| zeros([vec![2, channels], size.clone()].concat());
        let weight = |channels: usize, kernel: &[usize]| zeros([&[3, channels][..], kernel].concat());
        vec![
            (zeros([vec![3], size.clone()].concat()), weight(3, &kernel), "an input missing its batch axis"),
            (input(3), zeros([vec![3], kernel.clone()].concat()), "a weight missing its input-channel axis"),
            (zeros([vec![2, 3, 1], size.clone()].concat()), weight(3, &kernel), "an input with an extra axis"),
            (input(3), weight(2, &kernel), "3 input channels against a weight for 2"),
            (input(3), weight(3, &vec![0; n]), "an empty kernel"),
            (input(3), weight(3, &[vec![2; n - 1], vec![0]].concat()), "a kernel with no columns"),
        ]
    }

    /// Worked examples, golden files on fresh and strided arrays, finite
    /// differences and shape errors of the backward.
    pub fn backward_task(&self, examples: &[BackwardExample], c: &mut Checker) {
        for e in examples {
            c.check(e.name, || {
                self.backward_is(
                    (e.input.view(), e.weight.view(), e.grad_out.view()),
                    (e.grad_input.view(), e.grad_weight.view()),
                    "",
                )
            });
        }
        c.check("golden: gradients computed by JAX", || {
            golden_cases(self.golden).iter().try_for_each(|case| {
                let note = format!(" [golden {}]", case.name);
                self.backward_is(
                    (case.input.view(), case.weight.view(), case.grad_out.view()),
                    (case.grad_input.view(), case.grad_weight.view()),
                    &note,
                )
            })
        });
        c.check("golden, on permuted, sliced and reversed views", || {
            golden_cases(self.golden).iter().try_for_each(|case| {
                Layout::ALL.iter().try_for_each(|&layout| {
                    let strided = [&case.input, &case.weight, &case.grad_out].map(|a| Strided::new(a, layout));
                    let note = format!(" [golden {}, {}]", case.name, layout.describe());
                    self.backward_is(
                        (strided[0].view(), strided[1].view(), strided[2].view()),
                        (case.grad_input.view(), case.grad_weight.view()),
                        &note,
                    )
                })
            })
        });
        let spatial = self.spatial;
        c.property_cases(
            "finite differences of sum(g * conv(x, w)) over every element of x",
            GRADIENT_CASES,
            cases(spatial, cases::GRADIENT),
            |case| self.finite_differences(&case, None, Wrt::Input),
        );
        c.property_cases(
            "finite differences of sum(g * conv(x, w)) over every element of w",
            GRADIENT_CASES,
            cases(spatial, cases::GRADIENT),
            |case| self.finite_differences(&case, None, Wrt::Weight),
        );
        c.property_cases(
            "finite differences, with x, w and g given as permuted, sliced or reversed views",
            GRADIENT_CASES,
            (cases(spatial, cases::GRADIENT), select(Layout::ALL.to_vec())),
            |(case, layout)| {
                self.finite_differences(&case, Some(layout), Wrt::Input)?;
                self.finite_differences(&case, Some(layout), Wrt::Weight)
            },
        );
        c.check("refuses a grad_out of the wrong shape and the forward's bad shapes with a ShapeError", || {
            self.backward_refusals().into_iter().try_for_each(|(x, w, g, what)| {
                let name = self.backward_name();
                let described = || {
                    format!("{name}({}, grad_out {}) with {what}", shapes(&x.view(), &w.view()), fmt_shape(g.shape()))
                };
                match (self.backward)(x.view(), w.view(), g.view()) {
                    Err(e) if e.function == name => Ok(()),
                    Err(e) => Err(format!("{}: the error names {} instead of {name}", described(), e.function)),
                    Ok(_) => Err(format!("{}: expected a ShapeError, got gradients", described())),
                }
            })
        });
    }

    fn backward_refusals(&self) -> Vec<Refusal> {
        let n = self.spatial;
        let zeros = |shape: Vec<usize>| ArrayD::<f64>::zeros(IxDyn(&shape));
        let x = zeros([vec![2, 3], vec![4; n]].concat());
        let w = zeros([vec![5, 3], vec![2; n]].concat());
        let g = |shape: Vec<usize>| zeros(shape);
        let mut refusals = vec![
            (
                x.clone(),
                w.clone(),
                g([vec![2, 3], vec![4; n]].concat()),
                "a grad_out with the input's channels, not the weight's outputs",
            ),
            (x.clone(), w.clone(), g([vec![1, 5], vec![4; n]].concat()), "a grad_out for a smaller batch"),
            (x.clone(), w.clone(), g([vec![2, 5], vec![3; n]].concat()), "a grad_out smaller than the input"),
            (x.clone(), w.clone(), g([vec![5], vec![4; n]].concat()), "a grad_out missing its batch axis"),
        ];
        refusals
            .extend(self.refusals().into_iter().map(|(x, w, what)| (x, w, g([vec![2, 3], vec![4; n]].concat()), what)));
        refusals
    }

    /// Checks the backward's gradient with respect to `wrt` against central
    /// differences of the forward, on fresh arrays or on `layout`.
    fn finite_differences(&self, case: &Case, layout: Option<Layout>, wrt: Wrt) -> Outcome {
        let [x, w, g] = case.operands();
        let (gx, gw) = match layout {
            None => self.run_backward(x.view(), w.view(), g.view())?,
            Some(layout) => {
                let [xs, ws, gs] = [&x, &w, &g].map(|a| Strided::new(a, layout));
                self.run_backward(xs.view(), ws.view(), gs.view())?
            }
        };
        let on = layout.map(|l| format!(" on a {}", l.describe())).unwrap_or_default();
        let what = || format!("{}({}){on}, {}", self.backward_name(), case.describe(), wrt.name());
        let (claimed, expected_shape) = match wrt {
            Wrt::Input => (gx, x.shape()),
            Wrt::Weight => (gw, w.shape()),
        };
        same_dims(|| format!("{}: the shape", what()), expected_shape, claimed.shape())?;
        // A forward that fails here is reported by the forward's own task.
        let forward = |x: &ArrayD<f64>, w: &ArrayD<f64>| match (self.forward)(x.view(), w.view()) {
            Ok(out) if out.shape() == case.output_shape() => out,
            _ => ArrayD::from_elem(IxDyn(&case.output_shape()), f64::NAN),
        };
        let verdict = match wrt {
            Wrt::Input => check_gradient(|x| forward(x, &w), &x, &g, claimed.view(), GRADIENT),
            Wrt::Weight => check_gradient(|w| forward(&x, w), &w, &g, claimed.view(), GRADIENT),
        };
        verdict.map_err(|mismatch| format!("{}: {mismatch} (expected: central differences of {})", what(), self.name))
    }
}

/// The argument a gradient is taken with respect to.
#[derive(Clone, Copy)]
enum Wrt {
    Input,
    Weight,
}

impl Wrt {
    fn name(self) -> &'static str {
        match self {
            Wrt::Input => "grad_input",
            Wrt::Weight => "grad_weight",
        }
    }
}
