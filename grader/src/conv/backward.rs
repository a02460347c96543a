//! The backward's task: worked examples, golden files on fresh and strided
//! arrays, finite differences over every element and shape errors.

use ndarray::{ArrayD, IxDyn};
use numeric::fmt_shape;
use numeric::gradcheck::GRADIENT;
use proptest::sample::select;

use super::cases::{self, Case, cases};
use super::golden_cases::golden_cases;
use super::{BackwardExample, Conv, Wrt, shapes};
use crate::Checker;
use crate::check::{Outcome, gradient_agrees, same_dims};
use crate::strided::{Layout, Strided};

/// Random problems per finite-difference property: each calls the forward
/// twice per element, and a student's loops run unoptimised.
const GRADIENT_CASES: u32 = 32;

/// Operands the backward must refuse, and what is wrong with them.
type Refusal = (ArrayD<f64>, ArrayD<f64>, ArrayD<f64>, &'static str);

impl Conv<'_> {
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
        self.large_backward(c);
        self.empty_backward(c);
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
        let describe =
            |mismatch: &_| format!("{}: {mismatch} (expected: central differences of {})", what(), self.name);
        match wrt {
            Wrt::Input => gradient_agrees(|x| forward(x, &w), &x, &g, claimed.view(), GRADIENT, describe),
            Wrt::Weight => gradient_agrees(|w| forward(&x, w), &w, &g, claimed.view(), GRADIENT, describe),
        }
    }
}
