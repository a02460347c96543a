//! Checks shared by the elementwise functions and their backwards: worked
//! examples, golden files on fresh and strided arrays, shapes of any rank,
//! finite differences and shape errors.

use crate::ShapeError;
use ndarray::{ArrayD, ArrayViewD, IxDyn};
use numeric::fmt_shape;
use numeric::gradcheck::{EXACT, FORWARD, GRADIENT};
use proptest::sample::select;

use super::cases::{self, Case, cases};
use crate::check::{Outcome, agrees, gradient_agrees, same_dims};
use crate::show;
use crate::strided::{Layout, Strided};
use crate::{Checker, golden};

/// An elementwise function under test.
pub type Unary = &'static dyn Fn(ArrayViewD<f64>) -> ArrayD<f64>;

/// A backward under test: `(x, grad_out) -> grad_x`.
pub type Backward = &'static dyn Fn(ArrayViewD<f64>, ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError>;

/// Random problems per finite-difference property.
const GRADIENT_CASES: u32 = 48;

fn vector(values: &[f64]) -> ArrayD<f64> {
    ArrayD::from_shape_vec(IxDyn(&[values.len()]), values.to_vec()).expect("a vector")
}

/// `f` of the vector `input` is exactly `expected`.
pub fn example(name: &str, f: Unary, input: &[f64], expected: &[f64]) -> Outcome {
    let x = vector(input);
    agrees(|| format!("{name}({})", show::list(input)), &vector(expected).view(), &f(x.view()), FORWARD)
}

/// The checks every elementwise forward gets: golden answers (the golden
/// array `field`) on fresh and strided arrays, and the output's shape.
pub fn forward_checks(c: &mut Checker, name: &str, f: Unary, field: &str) {
    golden::checks(
        c,
        "JAX",
        cases::golden,
        |case| vec![&case.x],
        |case, x, layout| {
            let what = || format!("{name}(x of shape {}{layout}) [golden {}]", fmt_shape(case.x.shape()), case.name);
            agrees(what, &case.expected(field).view(), &f(x[0].view()), FORWARD)
        },
    );
    c.property("property: the output has the input's shape, for any number of axes", cases(), |case| {
        let [x, _] = case.operands();
        same_dims(|| format!("{name}({}): the output's shape", case.describe()), x.shape(), f(x.view()).shape())
    });
}

/// The checks of a backward: golden answers (the golden array `field`) on
/// fresh and strided arrays, finite differences of `sum(g * forward(x))`
/// on inputs kept away from 0, and the shape error.
pub fn backward_checks(c: &mut Checker, name: &str, forward: Unary, backward: Backward, field: &str) {
    let run = |x: ArrayViewD<f64>, g: ArrayViewD<f64>| {
        let shape = fmt_shape(x.shape());
        backward(x, g).map_err(|e| format!("{name}(x of shape {shape}) refused matching shapes: {e}"))
    };
    golden::checks(
        c,
        "JAX",
        cases::golden,
        |case| vec![&case.x, &case.grad_out],
        |case, operands, layout| {
            let [x, g] = operands else { unreachable!("two operands") };
            let what = || format!("{name}(x of shape {}{layout}) [golden {}]", fmt_shape(case.x.shape()), case.name);
            agrees(what, &case.expected(field).view(), &run(x.view(), g.view())?, FORWARD)
        },
    );
    let gradient = |case: &Case, layout: Option<Layout>| -> Outcome {
        let [x, g] = case.operands();
        let claimed = match layout {
            None => run(x.view(), g.view())?,
            Some(layout) => {
                let (xs, gs) = (Strided::new(&x, layout), Strided::new(&g, layout));
                run(xs.view(), gs.view())?
            }
        };
        let on = layout.map(|l| format!(", a {}", l.describe())).unwrap_or_default();
        same_dims(|| format!("{name}({}{on}): the shape", case.describe()), x.shape(), claimed.shape())?;
        let f = |x: &ArrayD<f64>| {
            let out = forward(x.view());
            if out.shape() == x.shape() { out } else { ArrayD::from_elem(x.raw_dim(), f64::NAN) }
        };
        gradient_agrees(f, &x, &g, claimed.view(), GRADIENT, |mismatch| {
            format!("{name}({}{on}): {mismatch} (expected: central differences of the forward)", case.describe())
        })
    };
    c.property_cases(
        "finite differences of sum(g * f(x)) over every element, no input within 1e-3 of 0",
        GRADIENT_CASES,
        cases(),
        |case| gradient(&case, None),
    );
    c.property_cases(
        "finite differences, with x and g given as permuted, sliced or reversed views",
        GRADIENT_CASES,
        (cases(), select(Layout::ALL.to_vec())),
        |(case, layout)| gradient(&case, Some(layout)),
    );
    c.check("refuses a grad_out of another shape with a ShapeError", || {
        let x = ArrayD::<f64>::zeros(IxDyn(&[2, 3]));
        [vec![3, 2], vec![2, 3, 1], vec![6], vec![]].into_iter().try_for_each(|shape| {
            let g = ArrayD::<f64>::zeros(IxDyn(&shape));
            match backward(x.view(), g.view()) {
                Err(e) if e.function == name => Ok(()),
                Err(e) => {
                    Err(format!("{name}(x (2, 3), grad_out {}): the error names {}", fmt_shape(&shape), e.function))
                }
                Ok(_) => Err(format!(
                    "{name}(x (2, 3), grad_out {}): expected a ShapeError, got a gradient",
                    fmt_shape(&shape)
                )),
            }
        })
    });
}

/// Inputs at the edges of the float range: the largest finite values, the
/// smallest normal and subnormal ones, zeros of both signs.
pub const EDGE_INPUTS: [f64; 8] = [f64::MAX, -f64::MAX, 1.7e308, f64::MIN_POSITIVE, 5e-324, -5e-324, 0.0, -0.0];

/// `f` on an empty array, on [`EDGE_INPUTS`] (against `expected`), and on a
/// broadcast view with a zero stride along a long axis.
pub fn forward_edges(c: &mut Checker, name: &str, f: Unary, expected: [f64; 8]) {
    c.check("edge: empty arrays, subnormals and the largest finite values", || {
        for shape in [vec![0], vec![3, 0, 2]] {
            let empty = ArrayD::<f64>::zeros(IxDyn(&shape));
            let out = f(empty.view());
            same_dims(|| format!("{name} of an empty array of shape {}", fmt_shape(&shape)), &shape, out.shape())?;
        }
        let x = ArrayD::from_shape_vec(IxDyn(&[EDGE_INPUTS.len()]), EDGE_INPUTS.to_vec()).expect("a vector");
        let want = ArrayD::from_shape_vec(IxDyn(&[expected.len()]), expected.to_vec()).expect("a vector");
        agrees(|| format!("{name}({EDGE_INPUTS:?})"), &want.view(), &f(x.view()), EXACT)
    });
    c.check("edge: a broadcast view (stride 0 along a long axis) reads like the array it stands for", || {
        let row = ArrayD::from_shape_fn(IxDyn(&[1, 37]), |i| (i[1] as f64 - 18.0) / 7.0);
        let wide = row.broadcast(IxDyn(&[300, 37])).expect("broadcasts");
        let owned = wide.to_owned();
        agrees(
            || format!("{name} of a (300, 37) view with strides (0, 1)"),
            &f(owned.view()).view(),
            &f(wide.view()),
            EXACT,
        )
    });
}

/// `b` on an empty array, and on [`EDGE_INPUTS`] with grad_out 1, 2, ...
/// (against `expected`).
pub fn backward_edges(c: &mut Checker, name: &str, b: Backward, expected: [f64; 8]) {
    c.check("edge: empty arrays, subnormals and the largest finite values", || {
        let empty = ArrayD::<f64>::zeros(IxDyn(&[2, 0]));
        let out = b(empty.view(), empty.view()).map_err(|e| format!("{name} refused two empty (2, 0) arrays: {e}"))?;
        same_dims(|| format!("{name} of empty (2, 0) arrays"), &[2, 0], out.shape())?;
        let x = ArrayD::from_shape_vec(IxDyn(&[EDGE_INPUTS.len()]), EDGE_INPUTS.to_vec()).expect("a vector");
        let g = ArrayD::from_shape_fn(IxDyn(&[EDGE_INPUTS.len()]), |i| (i[0] + 1) as f64);
        let actual = b(x.view(), g.view()).map_err(|e| format!("{name} refused matching shapes: {e}"))?;
        let want = ArrayD::from_shape_vec(IxDyn(&[expected.len()]), expected.to_vec()).expect("a vector");
        agrees(|| format!("{name}(x {EDGE_INPUTS:?}, grad_out (1, 2, ..., 8))"), &want.view(), &actual, FORWARD)
    });
}
