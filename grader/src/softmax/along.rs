//! Checks shared by the reductions along an axis: golden answers on fresh
//! and strided arrays, finite differences on noise-perturbed inputs, and
//! the refusal of an axis that does not exist.

use ndarray::{ArrayD, ArrayViewD, IxDyn};
use numeric::fmt_shape;
use numeric::gradcheck::{FORWARD, GRADIENT};
use proptest::sample::select;

use crate::ShapeError;

use super::cases::{self, Case, cases};
use super::{Backward, Reduce};
use crate::check::{Outcome, agrees, ensure, gradient_agrees};
use crate::golden::Case as Golden;
use crate::show;
use crate::strided::{Layout, Strided};
use crate::{Checker, golden};

/// Random problems per finite-difference property.
const GRADIENT_CASES: u32 = 48;

/// `f(x, dim)`, or a message saying that it refused a valid input.
pub fn run(name: &str, f: Reduce, x: ArrayViewD<f64>, dim: usize) -> Result<ArrayD<f64>, String> {
    let shape = fmt_shape(x.shape());
    f(x, dim).map_err(|e| format!("{name}(x of shape {shape}, dim {dim}) refused a valid input: {e}"))
}

/// `b(x, dim, g)`, or a message saying that it refused a valid input.
pub fn run_backward(
    name: &str,
    b: Backward,
    x: ArrayViewD<f64>,
    dim: usize,
    g: ArrayViewD<f64>,
) -> Result<ArrayD<f64>, String> {
    let shape = fmt_shape(x.shape());
    b(x, dim, g).map_err(|e| format!("{name}(x of shape {shape}, dim {dim}) refused a valid input: {e}"))
}

/// `f` of `values` (of `shape`) along `dim` is `expected`.
pub fn example(name: &str, f: Reduce, shape: &[usize], values: &[f64], dim: usize, expected: &[f64]) -> Outcome {
    let x = ArrayD::from_shape_vec(IxDyn(shape), values.to_vec()).expect("values for the shape");
    let actual = run(name, f, x.view(), dim)?;
    let expected = ArrayD::from_shape_vec(IxDyn(actual.shape()), expected.to_vec()).map_err(|_| {
        format!("{name}({}, dim {dim}): the shape: got {}", show::array(&x.view()), fmt_shape(actual.shape()))
    })?;
    agrees(|| format!("{name}({}, dim {dim})", show::array(&x.view())), &expected.view(), &actual, FORWARD)
}

/// The golden checks of a forward: the array `field` of the cases of
/// `groups`, on fresh and strided inputs.
pub fn golden_forward(c: &mut Checker, name: &str, f: Reduce, field: &'static str, groups: &'static [&str]) {
    golden::checks(
        c,
        "JAX",
        || groups.iter().flat_map(|group| cases::golden(group)).collect::<Vec<Golden>>(),
        |case| vec![case.get("x")],
        |case, x, layout| {
            let actual = run(name, f, x[0].view(), cases::dim(case))?;
            let what = || {
                format!(
                    "{name}(x of shape {}{layout}, dim {}) [golden {}]",
                    fmt_shape(x[0].shape()),
                    cases::dim(case),
                    case.name
                )
            };
            agrees(what, &case.get(field).view(), &actual, FORWARD)
        },
    );
}

/// The golden checks of a backward: the array `field` of the cases of
/// `groups` for the upstream gradient `grad`, on fresh and strided inputs.
pub fn golden_backward(
    c: &mut Checker,
    name: &str,
    b: Backward,
    (grad, field): (&'static str, &'static str),
    groups: &'static [&str],
) {
    golden::checks(
        c,
        "JAX",
        || groups.iter().flat_map(|group| cases::golden(group)).collect::<Vec<Golden>>(),
        |case| vec![case.get("x"), case.get(grad)],
        |case, operands, layout| {
            let [x, g] = operands else { unreachable!("two operands") };
            let actual = run_backward(name, b, x.view(), cases::dim(case), g.view())?;
            let what = || {
                format!(
                    "{name}(x of shape {}{layout}, dim {}) [golden {}]",
                    fmt_shape(x.shape()),
                    cases::dim(case),
                    case.name
                )
            };
            agrees(what, &case.get(field).view(), &actual, FORWARD)
        },
    );
}

/// Finite differences of `sum(g * forward(x, dim))` against `backward`
/// over every element, on inputs with noise that breaks every tie, first
/// as fresh arrays, then as strided views. `reduced` says that the
/// forward's output (and so `g`) has `dim` reduced to size 1.
pub fn gradient(c: &mut Checker, name: &str, forward: Reduce, backward: Backward, reduced: bool) {
    let one = |case: &Case, layout: Option<Layout>| -> Outcome {
        let [x, g, g_max] = case.operands();
        let g = if reduced { g_max } else { g };
        let claimed = match layout {
            None => run_backward(name, backward, x.view(), case.dim, g.view())?,
            Some(layout) => {
                let (xs, gs) = (Strided::new(&x, layout), Strided::new(&g, layout));
                run_backward(name, backward, xs.view(), case.dim, gs.view())?
            }
        };
        let on = layout.map(|l| format!(", as a {}", l.describe())).unwrap_or_default();
        let f = |x: &ArrayD<f64>| match forward(x.view(), case.dim) {
            Ok(out) if out.shape() == g.shape() => out,
            _ => ArrayD::from_elem(g.raw_dim(), f64::NAN),
        };
        ensure(claimed.shape() == x.shape(), || {
            format!(
                "{name}({on}{}): the shape: expected {}, got {}",
                case.describe(),
                fmt_shape(x.shape()),
                fmt_shape(claimed.shape())
            )
        })?;
        gradient_agrees(f, &x, &g, claimed.view(), GRADIENT, |mismatch| {
            format!("{name}({}{on}): {mismatch} (expected: central differences of the forward)", case.describe())
        })
    };
    c.property_cases(
        "finite differences of sum(g * f(x)) over every element, ties broken by noise drawn from the seed",
        GRADIENT_CASES,
        cases(),
        |case| one(&case, None),
    );
    c.property_cases(
        "finite differences, with x and g given as permuted, sliced or reversed views",
        GRADIENT_CASES,
        (cases(), select(Layout::ALL.to_vec())),
        |(case, layout)| one(&case, Some(layout)),
    );
}

/// `Ok` when `call` gives an error of `name` for an axis past the last (and,
/// with `empty`, for an empty axis).
pub fn refuses_dim<T>(
    name: &str,
    empty: bool,
    call: impl Fn(ArrayViewD<f64>, usize) -> Result<T, ShapeError>,
) -> Outcome {
    let mut bad = vec![(vec![2, 3], 2), (vec![4], 1), (vec![2, 3, 4], 7)];
    if empty {
        bad.push((vec![2, 0], 1));
    }
    bad.into_iter().try_for_each(|(shape, dim)| {
        let x = ArrayD::<f64>::zeros(IxDyn(&shape));
        let given = format!("{name}(x of shape {}, dim {dim})", fmt_shape(&shape));
        match call(x.view(), dim) {
            Err(e) if e.function == name => Ok(()),
            Err(e) => Err(format!("{given}: the error names {} instead of {name}", e.function)),
            Ok(_) => Err(format!("{given}: expected a ShapeError, got a result")),
        }
    })
}

/// `Ok` when `backward` refuses upstream gradients of the wrong shape for
/// an x of shape (2, 3) along dim 1; `reduced` says the right one is (2, 1).
pub fn refuses_grad_out(name: &str, backward: Backward, reduced: bool) -> Outcome {
    let x = ArrayD::<f64>::zeros(IxDyn(&[2, 3]));
    let wrong: Vec<Vec<usize>> =
        if reduced { vec![vec![2, 3], vec![1, 3], vec![2]] } else { vec![vec![2, 1], vec![3, 2], vec![6]] };
    wrong.into_iter().try_for_each(|shape| {
        let g = ArrayD::<f64>::zeros(IxDyn(&shape));
        let given = format!("{name}(x of shape (2, 3), dim 1, grad_out of shape {})", fmt_shape(&shape));
        match backward(x.view(), 1, g.view()) {
            Err(e) if e.function == name => Ok(()),
            Err(e) => Err(format!("{given}: the error names {} instead of {name}", e.function)),
            Ok(_) => Err(format!("{given}: expected a ShapeError, got a gradient")),
        }
    })
}
