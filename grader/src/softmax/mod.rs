//! Checks of module 6, `softmax`: max, argmax, softmax, logsoftmax, max
//! pooling, dropout and the backwards.
//!
//! References: the golden file written by JAX (`grader/golden/softmax.py`),
//! properties (a softmax sums to 1 and ignores a constant added to its
//! slice, argmax is one-hot), exact answers on rows like (1000, 1000,
//! -1000), central differences on inputs whose ties are broken by noise,
//! exact ties on purpose, and statistics of dropout's mask.

mod along;
mod cases;
mod dropout;
mod maxpool;
mod ties;

use crate::ShapeError;
use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn};
use numeric::fmt_value;
use numeric::gradcheck::{FORWARD, Tolerance};

use self::along::{example, golden_backward, golden_forward, gradient, refuses_dim, refuses_grad_out, run};
use self::cases::cases;
use crate::check::{agrees, ensure, same_dims};
use crate::edges::{array, exactly, zeros};
use crate::link::{Link, remote};
use crate::pooling::{BackwardFn, Kernel};
use crate::show;
use crate::{Checker, Implementation, Task};

/// A reduction along an axis: `(x, dim) -> y`.
pub type Reduce = &'static dyn Fn(ArrayViewD<f64>, usize) -> Result<ArrayD<f64>, ShapeError>;

/// Its backward: `(x, dim, grad_out) -> grad_x`.
pub type Backward = &'static dyn Fn(ArrayViewD<f64>, usize, ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError>;

/// `dropout(x, rate, seed, training) -> (output, mask, next)`: the runner
/// seeds the generator with `seed` and reports its next draw after the
/// call; `training` is false for the evaluation mode.
pub type Dropout =
    &'static dyn Fn(ArrayViewD<f64>, f64, u64, bool) -> Result<(ArrayD<f64>, ArrayD<f64>, u64), ShapeError>;

/// `dropout_backward(mask, grad_out) -> grad_x`.
pub type DropoutBackward = &'static dyn Fn(ArrayViewD<f64>, ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError>;

/// The functions of the `softmax` module under test.
#[derive(Clone, Copy)]
pub struct Functions {
    pub max: Reduce,
    pub max_backward: Backward,
    pub argmax: Reduce,
    pub softmax: Reduce,
    pub softmax_backward: Backward,
    pub logsoftmax: Reduce,
    pub logsoftmax_backward: Backward,
    pub maxpool2d: &'static dyn Fn(ArrayViewD<f64>, Kernel) -> Result<ndarray::Array4<f64>, ShapeError>,
    pub maxpool2d_backward: BackwardFn,
    pub dropout: Dropout,
    pub dropout_backward: DropoutBackward,
}

impl Functions {
    /// The functions, called through `link`.
    pub fn remote(link: &Link) -> Self {
        Functions {
            max: remote!(link, "max", |x: ArrayViewD<f64>, dim: usize| -> Result<ArrayD<f64>, ShapeError>),
            max_backward: remote!(link, "max_backward", |x: ArrayViewD<f64>, dim: usize, g: ArrayViewD<f64>| -> Result<ArrayD<f64>, ShapeError>),
            argmax: remote!(link, "argmax", |x: ArrayViewD<f64>, dim: usize| -> Result<ArrayD<f64>, ShapeError>),
            softmax: remote!(link, "softmax", |x: ArrayViewD<f64>, dim: usize| -> Result<ArrayD<f64>, ShapeError>),
            softmax_backward: remote!(link, "softmax_backward", |x: ArrayViewD<f64>, dim: usize, g: ArrayViewD<f64>| -> Result<ArrayD<f64>, ShapeError>),
            logsoftmax: remote!(link, "logsoftmax", |x: ArrayViewD<f64>, dim: usize| -> Result<ArrayD<f64>, ShapeError>),
            logsoftmax_backward: remote!(link, "logsoftmax_backward", |x: ArrayViewD<f64>, dim: usize, g: ArrayViewD<f64>| -> Result<ArrayD<f64>, ShapeError>),
            maxpool2d: remote!(link, "maxpool2d", |x: ArrayViewD<f64>, k: Kernel| -> Result<ndarray::Array4<f64>, ShapeError>),
            maxpool2d_backward: remote!(link, "maxpool2d_backward", |x: ArrayViewD<f64>, k: Kernel, g: ArrayViewD<f64>| -> Result<ndarray::Array4<f64>, ShapeError>),
            dropout: remote!(link, "dropout", |x: ArrayViewD<f64>, rate: f64, seed: u64, training: bool| -> Result<(ArrayD<f64>, ArrayD<f64>, u64), ShapeError>),
            dropout_backward: remote!(link, "dropout_backward", |mask: ArrayViewD<f64>, g: ArrayViewD<f64>| -> Result<ArrayD<f64>, ShapeError>),
        }
    }
}

/// The module's tasks, in the order of the chapter; 42 points in all.
pub fn tasks() -> Vec<Task> {
    let task = |name, points, run| Task { module: "softmax", name, points, run };
    vec![
        task("max", 3.0, max),
        task("max_backward", 4.0, max_backward),
        task("argmax", 3.0, argmax),
        task("softmax", 5.0, softmax),
        task("softmax_backward", 4.0, softmax_backward),
        task("logsoftmax", 4.0, logsoftmax),
        task("logsoftmax_backward", 3.0, logsoftmax_backward),
        task("maxpool2d", 4.0, maxpool::maxpool2d),
        task("maxpool2d_backward", 4.0, maxpool::maxpool2d_backward),
        task("dropout", 5.0, dropout::dropout),
        task("dropout_backward", 3.0, dropout::dropout_backward),
    ]
}

/// The function on a broadcast view (stride 0 along an axis of 300) against
/// its own result on the same values stored afresh, along both axes.
fn broadcast_edge(c: &mut Checker, name: &str, f: Reduce) {
    c.check("edge: a broadcast view (stride 0 along a long axis) reads like the array it stands for", || {
        let row = ArrayD::from_shape_fn(IxDyn(&[1, 37]), |i| ((i[1] * 7) % 37) as f64 / 5.0 - 3.0);
        let wide = row.broadcast(IxDyn(&[300, 37])).expect("broadcasts");
        let owned = wide.to_owned();
        (0..2).try_for_each(|dim| {
            let fresh =
                f(owned.view(), dim).map_err(|e| format!("{name}(x of shape (300, 37), dim {dim}) refused: {e}"))?;
            let strided = f(wide.view(), dim)
                .map_err(|e| format!("{name}(a (300, 37) view with strides (0, 1), dim {dim}) refused: {e}"))?;
            agrees(
                || {
                    format!(
                        "{name}(a (300, 37) view with strides (0, 1), dim {dim}) against the same values stored afresh"
                    )
                },
                &fresh.view(),
                &strided,
                FORWARD,
            )
        })
    });
}

/// The chapter's 2 x 3 example.
const GRID: [f64; 6] = [1.0, 3.0, 2.0, 4.0, 0.0, 5.0];

/// Rows whose naive softmax overflows, and whose log of the softmax
/// underflows, with their exact softmax.
const STABLE: [([f64; 3], [f64; 3]); 3] = [
    ([1000.0, 1000.0, -1000.0], [0.5, 0.5, 0.0]),
    ([-1000.0, 1000.0, 1000.0], [0.0, 0.5, 0.5]),
    ([-1000.0, -1000.0, -1000.0], [1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0]),
];

fn stable_rows() -> ArrayD<f64> {
    ArrayD::from_shape_fn(IxDyn(&[3, 3]), |i| STABLE[i[0]].0[i[1]])
}

fn max(imp: &Implementation, c: &mut Checker) {
    let f = imp.softmax.max;
    c.check("worked example: max of [[1, 3, 2], [4, 0, 5]] along dim 1 is [[3], [5]], along dim 0 [[4, 3, 5]]", || {
        example("max", f, &[2, 3], &GRID, 1, &[3.0, 5.0])?;
        example("max", f, &[2, 3], &GRID, 0, &[4.0, 3.0, 5.0])
    });
    golden_forward(c, "max", f, "max", &["axis"]);
    c.property(
        "property: the reduced axis is kept with size 1, and the max is an element of its slice",
        cases(),
        |case| {
            let x = case.tied();
            let m = run("max", f, x.view(), case.dim)?;
            same_dims(|| format!("max({}): the shape", case.describe()), &case.reduced_shape(), m.shape())?;
            let mut outcome = Ok(());
            ndarray::Zip::from(x.lanes(Axis(case.dim))).and(m.lanes(Axis(case.dim))).for_each(|lane, m| {
                if outcome.is_ok() && !(lane.iter().all(|&v| v <= m[0]) && lane.iter().any(|&v| v == m[0])) {
                    outcome = Err(format!(
                        "max({}): {} is not the maximum of the slice {}",
                        case.describe(),
                        fmt_value(m[0]),
                        show::array(&lane.into_dyn())
                    ));
                }
            });
            outcome
        },
    );
    broadcast_edge(c, "max", f);
    c.check("edge: across empty axes, and at the ends of the float range", || {
        exactly("max(an empty (0, 4), dim 1)", f(zeros(&[0, 4]).view(), 1), &zeros(&[0, 1]))?;
        let x = array(&[3], &[f64::MAX, -f64::MAX, 5e-324]);
        exactly("max((MAX, -MAX, 5e-324), dim 0)", f(x.view(), 0), &array(&[1], &[f64::MAX]))
    });
    c.check("refuses a dim past the last axis, and an empty axis, with a ShapeError", || refuses_dim("max", true, f));
}

fn max_backward(imp: &Implementation, c: &mut Checker) {
    let (f, b) = (imp.softmax.max, imp.softmax.max_backward);
    c.check(
        "worked example: along dim 1 of [[1, 3, 2], [4, 0, 5]], grad_out [[10], [20]] gives [[0, 10, 0], [0, 0, 20]]",
        || {
            let x = ArrayD::from_shape_vec(IxDyn(&[2, 3]), GRID.to_vec()).expect("2 x 3");
            let g = ArrayD::from_shape_vec(IxDyn(&[2, 1]), vec![10.0, 20.0]).expect("2 x 1");
            let expected = ArrayD::from_shape_vec(IxDyn(&[2, 3]), vec![0.0, 10.0, 0.0, 0.0, 0.0, 20.0]).expect("2 x 3");
            let actual = along::run_backward("max_backward", b, x.view(), 1, g.view())?;
            agrees(|| "max_backward(x, dim 1, grad_out [[10], [20]])".to_string(), &expected.view(), &actual, FORWARD)
        },
    );
    golden_backward(c, "max_backward", b, ("grad_max", "max_grad"), &["axis"]);
    c.check("edge: across empty axes", || {
        exactly(
            "max_backward(an empty (0, 4), dim 1, an empty (0, 1))",
            b(zeros(&[0, 4]).view(), 1, zeros(&[0, 1]).view()),
            &zeros(&[0, 4]),
        )
    });
    gradient(c, "max_backward", f, b, true);
    c.property("ties: all of a slice's gradient goes to one tied maximum, not split or duplicated", cases(), |case| {
        let x = case.tied();
        let g = ties::nonzero(&case.reduced_shape(), case.seed);
        let result = along::run_backward("max_backward", b, x.view(), case.dim, g.view())?;
        ties::along(&format!("max_backward({}, tied integers)", case.describe()), &x, case.dim, &result, &g)
    });
    c.check("refuses a dim past the last axis and a grad_out not shaped like max's output", || {
        refuses_dim("max_backward", true, |x, dim| {
            let mut shape = x.shape().to_vec();
            if let Some(d) = shape.get_mut(dim) {
                *d = 1;
            }
            b(x.view(), dim, ArrayD::zeros(IxDyn(&shape)).view())
        })?;
        refuses_grad_out("max_backward", b, true)
    });
}

fn argmax(imp: &Implementation, c: &mut Checker) {
    let f = imp.softmax.argmax;
    c.check("worked example: argmax of [[1, 3, 2], [4, 0, 5]] along dim 1 is [[0, 1, 0], [0, 0, 1]]", || {
        example("argmax", f, &[2, 3], &GRID, 1, &[0.0, 1.0, 0.0, 0.0, 0.0, 1.0])?;
        example("argmax", f, &[2, 3], &GRID, 0, &[0.0, 1.0, 0.0, 1.0, 0.0, 1.0])
    });
    golden_forward(c, "argmax", f, "argmax", &["axis"]);
    c.property("ties: exactly one 1 per slice, at one of the tied maxima", cases(), |case| {
        let x = case.tied();
        let hot = run("argmax", f, x.view(), case.dim)?;
        let ones = ArrayD::ones(IxDyn(&case.reduced_shape()));
        ties::along(&format!("argmax({}, tied integers)", case.describe()), &x, case.dim, &hot, &ones)
    });
    c.check("refuses a dim past the last axis, and an empty axis, with a ShapeError", || {
        refuses_dim("argmax", true, f)
    });
    broadcast_edge(c, "argmax", f);
    c.check("edge: across empty axes, and at the ends of the float range", || {
        exactly("argmax(an empty (0, 4), dim 1)", f(zeros(&[0, 4]).view(), 1), &zeros(&[0, 4]))?;
        let x = array(&[3], &[-f64::MAX, f64::MAX, 0.0]);
        exactly("argmax((-MAX, MAX, 0), dim 0)", f(x.view(), 0), &array(&[3], &[0.0, 1.0, 0.0]))
    });
}

/// The stability check of softmax or logsoftmax: the rows of [`STABLE`]
/// along dim 1 give `expected(row)` exactly enough, and nothing infinite or NaN.
fn stability(name: &str, f: Reduce, expected: impl Fn(&[f64; 3]) -> [f64; 3]) -> crate::check::Outcome {
    let x = stable_rows();
    let actual = run(name, f, x.view(), 1)?;
    ensure(actual.iter().all(|v| v.is_finite()), || {
        format!("{name}({}, dim 1) = {}: not finite", show::array(&x.view()), show::array(&actual.view()))
    })?;
    let want: Vec<f64> = STABLE.iter().flat_map(|(_, s)| expected(s)).collect();
    let want = ArrayD::from_shape_vec(IxDyn(&[3, 3]), want).expect("3 x 3");
    agrees(|| format!("{name}({}, dim 1)", show::array(&x.view())), &want.view(), &actual, FORWARD)
}

/// Scores shifted by a constant per slice: softmax must not change.
fn shift_invariance(name: &str, f: Reduce, c: &mut Checker) {
    c.property(
        &format!("property: {name} is unchanged by a constant added to every slice"),
        (cases(), -50.0..50.0f64),
        |(case, shift)| {
            let [x, _, _] = case.operands();
            let shifted = &x + shift;
            let (a, b) = (run(name, f, x.view(), case.dim)?, run(name, f, shifted.view(), case.dim)?);
            let tolerance = Tolerance { abs: 1e-12, rel: 1e-9, ..FORWARD };
            agrees(
                || format!("{name}(x + {}) against {name}(x), {}", fmt_value(shift), case.describe()),
                &a.view(),
                &b,
                tolerance,
            )
        },
    );
}

fn softmax(imp: &Implementation, c: &mut Checker) {
    let f = imp.softmax.softmax;
    c.check("worked example: softmax(1, 2, 3) = (0.0900, 0.2447, 0.6652)", || {
        example(
            "softmax",
            f,
            &[3],
            &[1.0, 2.0, 3.0],
            0,
            &[0.09003057317038046, 0.24472847105479764, 0.6652409557748219],
        )
    });
    golden_forward(c, "softmax", f, "softmax", &["axis", "stable"]);
    c.check("stability: (1000, 1000, -1000) gives (0.5, 0.5, 0), finite", || stability("softmax", f, |s| *s));
    c.property("property: positive, summing to 1 along dim", cases(), |case| {
        let [x, _, _] = case.operands();
        let s = run("softmax", f, (&x * 10.0).view(), case.dim)?;
        same_dims(|| format!("softmax({}): the shape", case.describe()), x.shape(), s.shape())?;
        ensure(s.iter().all(|&v| v >= 0.0), || {
            format!("softmax(10 x, {}) has a negative element: {}", case.describe(), show::array(&s.view()))
        })?;
        let sums = s.sum_axis(Axis(case.dim));
        let ones = ArrayD::ones(sums.raw_dim());
        agrees(|| format!("the sums of softmax(10 x, {}) along dim", case.describe()), &ones.view(), &sums, FORWARD)
    });
    shift_invariance("softmax", f, c);
    broadcast_edge(c, "softmax", f);
    c.check("edge: along and across empty axes, and at the ends of the float range", || {
        exactly("softmax(an empty (0, 4), dim 1)", f(zeros(&[0, 4]).view(), 1), &zeros(&[0, 4]))?;
        exactly("softmax(an empty (3, 0), dim 1)", f(zeros(&[3, 0]).view(), 1), &zeros(&[3, 0]))?;
        let x = array(&[3], &[f64::MAX, -f64::MAX, 0.0]);
        exactly("softmax((MAX, -MAX, 0), dim 0)", f(x.view(), 0), &array(&[3], &[1.0, 0.0, 0.0]))?;
        let x = array(&[2], &[5e-324, 0.0]);
        exactly("softmax((5e-324, 0), dim 0)", f(x.view(), 0), &array(&[2], &[0.5, 0.5]))
    });
    c.check("refuses a dim past the last axis with a ShapeError", || refuses_dim("softmax", false, f));
}

fn softmax_backward(imp: &Implementation, c: &mut Checker) {
    let (f, b) = (imp.softmax.softmax, imp.softmax.softmax_backward);
    c.check("worked example: at x = (0, 0), grad_out (1, 0) gives (0.25, -0.25)", || {
        let (x, g) = (ArrayD::zeros(IxDyn(&[2])), ArrayD::from_shape_vec(IxDyn(&[2]), vec![1.0, 0.0]).expect("2"));
        let expected = ArrayD::from_shape_vec(IxDyn(&[2]), vec![0.25, -0.25]).expect("2");
        let actual = along::run_backward("softmax_backward", b, x.view(), 0, g.view())?;
        agrees(|| "softmax_backward(x (0, 0), dim 0, grad_out (1, 0))".to_string(), &expected.view(), &actual, FORWARD)
    });
    golden_backward(c, "softmax_backward", b, ("grad_out", "softmax_grad"), &["axis", "stable"]);
    gradient(c, "softmax_backward", f, b, false);
    c.check("edge: along and across empty axes", || {
        exactly(
            "softmax_backward(an empty (0, 4), dim 1, an empty (0, 4))",
            b(zeros(&[0, 4]).view(), 1, zeros(&[0, 4]).view()),
            &zeros(&[0, 4]),
        )?;
        exactly(
            "softmax_backward(an empty (3, 0), dim 1, an empty (3, 0))",
            b(zeros(&[3, 0]).view(), 1, zeros(&[3, 0]).view()),
            &zeros(&[3, 0]),
        )
    });
    c.check("refuses a dim past the last axis and a grad_out of another shape", || {
        refuses_dim("softmax_backward", false, |x, dim| b(x.view(), dim, x.view()))?;
        refuses_grad_out("softmax_backward", b, false)
    });
}

fn logsoftmax(imp: &Implementation, c: &mut Checker) {
    let f = imp.softmax.logsoftmax;
    c.check(
        "worked example: logsoftmax(0, 0) = (-ln 2, -ln 2), logsoftmax(1, 2, 3) = (-2.4076, -1.4076, -0.4076)",
        || {
            let ln2 = std::f64::consts::LN_2;
            example("logsoftmax", f, &[2], &[0.0, 0.0], 0, &[-ln2, -ln2])?;
            example(
                "logsoftmax",
                f,
                &[3],
                &[1.0, 2.0, 3.0],
                0,
                &[-2.4076059644443806, -1.4076059644443804, -0.4076059644443804],
            )
        },
    );
    golden_forward(c, "logsoftmax", f, "logsoftmax", &["axis", "stable"]);
    c.check("stability: (1000, 1000, -1000) gives (-ln 2, -ln 2, -2000 - ln 2), finite", || {
        stability("logsoftmax", f, |s| {
            // The exact logarithms of STABLE's softmax rows, from the scores.
            let row = STABLE.iter().find(|(_, p)| p == s).map(|(x, _)| *x).unwrap_or_default();
            let top = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let count = row.iter().filter(|&&v| v == top).count() as f64;
            row.map(|v| v - top - count.ln())
        })
    });
    c.property("property: exp(logsoftmax) sums to 1 along dim", cases(), |case| {
        let [x, _, _] = case.operands();
        let l = run("logsoftmax", f, (&x * 10.0).view(), case.dim)?;
        same_dims(|| format!("logsoftmax({}): the shape", case.describe()), x.shape(), l.shape())?;
        let sums = l.mapv(f64::exp).sum_axis(Axis(case.dim));
        let ones = ArrayD::ones(sums.raw_dim());
        agrees(
            || format!("the sums of exp(logsoftmax(10 x, {})) along dim", case.describe()),
            &ones.view(),
            &sums,
            FORWARD,
        )
    });
    shift_invariance("logsoftmax", f, c);
    broadcast_edge(c, "logsoftmax", f);
    c.check("edge: along and across empty axes, and at the ends of the float range", || {
        exactly("logsoftmax(an empty (0, 4), dim 1)", f(zeros(&[0, 4]).view(), 1), &zeros(&[0, 4]))?;
        exactly("logsoftmax(an empty (3, 0), dim 1)", f(zeros(&[3, 0]).view(), 1), &zeros(&[3, 0]))?;
        let x = array(&[2], &[f64::MAX, 0.0]);
        exactly("logsoftmax((MAX, 0), dim 0)", f(x.view(), 0), &array(&[2], &[0.0, -f64::MAX]))
    });
    c.check("refuses a dim past the last axis with a ShapeError", || refuses_dim("logsoftmax", false, f));
}

fn logsoftmax_backward(imp: &Implementation, c: &mut Checker) {
    let (f, b) = (imp.softmax.logsoftmax, imp.softmax.logsoftmax_backward);
    golden_backward(c, "logsoftmax_backward", b, ("grad_out", "logsoftmax_grad"), &["axis", "stable"]);
    gradient(c, "logsoftmax_backward", f, b, false);
    c.check("stability: finite at (1000, 1000, -1000)", || {
        let x = stable_rows();
        let g = ArrayD::ones(x.raw_dim());
        let actual = along::run_backward("logsoftmax_backward", b, x.view(), 1, g.view())?;
        ensure(actual.iter().all(|v| v.is_finite()), || {
            format!(
                "logsoftmax_backward(x {}, dim 1, grad_out of ones) = {}: not finite",
                show::array(&x.view()),
                show::array(&actual.view())
            )
        })
    });
    c.check("edge: along and across empty axes", || {
        exactly(
            "logsoftmax_backward(an empty (0, 4), dim 1, an empty (0, 4))",
            b(zeros(&[0, 4]).view(), 1, zeros(&[0, 4]).view()),
            &zeros(&[0, 4]),
        )?;
        exactly(
            "logsoftmax_backward(an empty (3, 0), dim 1, an empty (3, 0))",
            b(zeros(&[3, 0]).view(), 1, zeros(&[3, 0]).view()),
            &zeros(&[3, 0]),
        )
    });
    c.check("refuses a dim past the last axis and a grad_out of another shape", || {
        refuses_dim("logsoftmax_backward", false, |x, dim| b(x.view(), dim, x.view()))?;
        refuses_grad_out("logsoftmax_backward", b, false)
    });
}
