//! The forward's task: worked examples, golden files on fresh and strided
//! arrays, properties (shape, linearity, one-hot inputs) and shape errors.

use ndarray::{ArrayD, Dimension, IxDyn};
use numeric::gradcheck::FORWARD;
use numeric::{fmt_shape, fmt_value};
use proptest::prelude::*;

use super::cases::{self, Case, cases};
use super::golden_cases::golden_cases;
use super::{Conv, ForwardExample, Wrt, shapes};
use crate::Checker;
use crate::check::{Outcome, agrees, same_dims};
use crate::strided::{Layout, Strided};

impl Conv<'_> {
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
        self.large_forward(c);
        self.empty_forward(c);
        self.broadcast_forward(c);
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
        for wrt in [Wrt::Input, Wrt::Weight] {
            let name = format!("property: linear in the {}", wrt.noun());
            let strategy = (cases(spatial, cases::FORWARD), -2.0..2.0f64, -2.0..2.0f64);
            c.property(&name, strategy, |(case, a, b)| self.linear(&case, a, b, wrt));
        }
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

    /// `conv(a x1 + b x2, w) = a conv(x1, w) + b conv(x2, w)`, or the same
    /// in the weight.
    fn linear(&self, case: &Case, a: f64, b: f64, wrt: Wrt) -> Outcome {
        let [x, w, _] = case.operands();
        let [x2, w2, _] = Case { seed: case.seed ^ 1, ..case.clone() }.operands();
        let (one, two, fixed) = match wrt {
            Wrt::Input => (x, x2, w),
            Wrt::Weight => (w, w2, x),
        };
        let run = |varied: &ArrayD<f64>| match wrt {
            Wrt::Input => self.run_forward(varied.view(), fixed.view()),
            Wrt::Weight => self.run_forward(fixed.view(), varied.view()),
        };
        let mixed = run(&(a * &one + b * &two))?;
        let expected = a * run(&one)? + b * run(&two)?;
        let (name, arg) = (self.name, wrt.argument());
        let what = || {
            let described = case.describe();
            format!(
                "{name} of a {arg}1 + b {arg}2 against a {name}(.., {arg}1) + b {name}(.., {arg}2), a = {}, b = {}, {described}",
                fmt_value(a),
                fmt_value(b)
            )
        };
        agrees(what, &expected.view(), &mixed, FORWARD)
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
    pub(super) fn refusals(&self) -> Vec<(ArrayD<f64>, ArrayD<f64>, &'static str)> {
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
}
