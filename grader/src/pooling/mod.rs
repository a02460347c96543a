//! Checks of module 4, `pooling`: `tile`, `avgpool2d` and its backward.
//!
//! References: the golden file written by JAX and numpy
//! (`grader/golden/pooling.py`), properties (every element tiled once,
//! constants pool to themselves, the total is kept), and central
//! differences of `sum(g * avgpool2d(x))`.

pub(crate) mod cases;

use ndarray::{Array4, Array5, ArrayD, ArrayViewD, Dimension, IxDyn};
use numeric::gradcheck::{FORWARD, GRADIENT};
use numeric::{fmt_shape, fmt_value};
use proptest::sample::select;

use crate::ShapeError;
use crate::edges::{array, exactly, zeros};

use self::cases::{Case, cases, small_cases};
use crate::check::{Outcome, agrees, ensure, gradient_agrees, same_dims};
use crate::link::{Link, remote};
use crate::strided::{Layout, Strided};
use crate::{Checker, Implementation, Task, golden};

/// A window size `(kh, kw)`.
pub type Kernel = (usize, usize);

/// `avgpool2d_backward`: `(input, kernel, grad_out) -> grad_input`.
pub type BackwardFn = &'static dyn Fn(ArrayViewD<f64>, Kernel, ArrayViewD<f64>) -> Result<Array4<f64>, ShapeError>;

/// The functions of the `pooling` module under test.
#[derive(Clone, Copy)]
pub struct Functions {
    pub tile: &'static dyn Fn(ArrayViewD<f64>, Kernel) -> Result<Array5<f64>, ShapeError>,
    pub avgpool2d: &'static dyn Fn(ArrayViewD<f64>, Kernel) -> Result<Array4<f64>, ShapeError>,
    pub avgpool2d_backward: BackwardFn,
}

impl Functions {
    /// The functions, called through `link`.
    pub fn remote(link: &Link) -> Self {
        Functions {
            tile: remote!(link, "tile", |x: ArrayViewD<f64>, k: Kernel| -> Result<Array5<f64>, ShapeError>),
            avgpool2d: remote!(link, "avgpool2d", |x: ArrayViewD<f64>, k: Kernel| -> Result<Array4<f64>, ShapeError>),
            avgpool2d_backward: remote!(link, "avgpool2d_backward", |x: ArrayViewD<f64>, k: Kernel, g: ArrayViewD<f64>| -> Result<Array4<f64>, ShapeError>),
        }
    }
}

/// The module's tasks, in the order of the chapter; 15 points in all.
pub fn tasks() -> Vec<Task> {
    let task = |name, points, run| Task { module: "pooling", name, points, run };
    vec![
        task("tile", 5.0, tile),
        task("avgpool2d", 5.0, avgpool2d),
        task("avgpool2d_backward", 5.0, avgpool2d_backward),
    ]
}

/// The chapter's 4 x 4 grid holding 1 to 16.
pub(crate) fn grid() -> ArrayD<f64> {
    ArrayD::from_shape_fn(IxDyn(&[1, 1, 4, 4]), |i| (i[2] * 4 + i[3] + 1) as f64)
}

/// What a function under test returned, or why it refused valid input.
pub(crate) fn ran<T>(
    name: &str,
    x: &ArrayViewD<f64>,
    kernel: Kernel,
    result: Result<T, ShapeError>,
) -> Result<T, String> {
    result.map_err(|e| format!("{name}(input {}, kernel {kernel:?}) refused a valid input: {e}", fmt_shape(x.shape())))
}

/// Inputs and kernels every function must refuse, and why.
fn refusals() -> Vec<(ArrayD<f64>, Kernel, &'static str)> {
    let zeros = |shape: &[usize]| ArrayD::<f64>::zeros(IxDyn(shape));
    vec![
        (zeros(&[1, 1, 4, 6]), (3, 2), "a height of 4 for a kernel of height 3"),
        (zeros(&[1, 1, 4, 6]), (2, 4), "a width of 6 for a kernel of width 4"),
        (zeros(&[1, 1, 4, 4]), (0, 2), "a kernel of height 0"),
        (zeros(&[1, 4, 4]), (2, 2), "an input of 3 axes"),
    ]
}

/// `Ok` when `call` refuses every one of [`refusals`] with an error naming `name`.
pub(crate) fn refuses<T>(name: &str, call: impl Fn(ArrayViewD<f64>, Kernel) -> Result<T, ShapeError>) -> Outcome {
    refusals().into_iter().try_for_each(|(x, kernel, what)| match call(x.view(), kernel) {
        Err(e) if e.function == name => Ok(()),
        Err(e) => Err(format!("{name} with {what}: the error names {} instead of {name}", e.function)),
        Ok(_) => Err(format!("{name} with {what}: expected a ShapeError, got a result")),
    })
}

/// The two golden checks of a function (see [`golden::checks`]): its
/// results on the golden inputs against the array `expected` picks from
/// each case. `run` takes an input, the kernel and an upstream gradient
/// (which forwards ignore).
fn golden_checks(
    c: &mut Checker,
    name: &str,
    reference: &str,
    expected: fn(&cases::Golden) -> &ArrayD<f64>,
    run: impl Fn(ArrayViewD<f64>, Kernel, ArrayViewD<f64>) -> Result<ArrayD<f64>, String>,
) {
    golden::checks(
        c,
        reference,
        cases::golden,
        |case| vec![&case.input, &case.grad_out],
        |case, operands, layout| {
            let [x, g] = operands else { unreachable!("two operands") };
            let actual = run(x.view(), case.kernel, g.view())?;
            let what = || {
                let shape = fmt_shape(x.shape());
                format!("{name}(input {shape}{layout}, kernel {:?}) [golden {}]", case.kernel, case.name)
            };
            agrees(what, &expected(case).view(), &actual, FORWARD)
        },
    );
}

fn tile(imp: &Implementation, c: &mut Checker) {
    let f = imp.pooling.tile;
    c.check("edge: an empty batch, no channels, an image of no rows", || {
        for (shape, out) in
            [([0, 2, 4, 4], [0, 2, 2, 2, 4]), ([1, 0, 4, 4], [1, 0, 2, 2, 4]), ([1, 1, 0, 4], [1, 1, 0, 2, 4])]
        {
            let call = format!("tile(an empty {}, (2, 2))", fmt_shape(&shape));
            exactly(&call, f(zeros(&shape).view(), (2, 2)).map(|a| a.into_dyn()), &zeros(&out))?;
        }
        Ok(())
    });
    let tiled = |x: ArrayViewD<f64>, kernel| ran("tile", &x, kernel, f(x.view(), kernel)).map(|t| t.into_dyn());
    c.check("worked example: the 4 x 4 grid 1..16 in 2 x 2 windows starts with (1, 2, 5, 6)", || {
        let expected =
            array(&[1, 1, 2, 2, 4], &[1., 2., 5., 6., 3., 4., 7., 8., 9., 10., 13., 14., 11., 12., 15., 16.]);
        agrees(|| "tile(the 4 x 4 grid, (2, 2))".to_string(), &expected.view(), &tiled(grid().view(), (2, 2))?, FORWARD)
    });
    c.check("worked example: a 2 x 1 kernel reads down the columns: (1, 5), (2, 6), ...", || {
        let expected =
            array(&[1, 1, 2, 4, 2], &[1., 5., 2., 6., 3., 7., 4., 8., 9., 13., 10., 14., 11., 15., 12., 16.]);
        agrees(|| "tile(the 4 x 4 grid, (2, 1))".to_string(), &expected.view(), &tiled(grid().view(), (2, 1))?, FORWARD)
    });
    golden_checks(c, "tile", "numpy and JAX", |case| &case.tile, |x, kernel, _| tiled(x, kernel));
    c.property("property: every input element lands in exactly one window slot", cases(), |case| {
        // Distinct values, so the sorted outputs must be the sorted inputs.
        let x = ArrayD::from_shape_fn(IxDyn(&case.input_shape()), |i| {
            i.slice().iter().fold(0usize, |acc, &k| acc * 16 + k) as f64
        });
        let t = tiled(x.view(), case.kernel)?;
        let windows = [case.batch, case.channels, case.windows.0, case.windows.1, case.kernel.0 * case.kernel.1];
        same_dims(|| format!("tile({}): the shape", case.describe()), &windows, t.shape())?;
        let sorted = |a: &ArrayD<f64>| {
            let mut v: Vec<f64> = a.iter().copied().collect();
            v.sort_by(f64::total_cmp);
            v
        };
        ensure(sorted(&t) == sorted(&x), || {
            format!("tile({}): the windows do not hold each input element once", case.describe())
        })
    });
    c.check("refuses kernels that do not divide the image, empty kernels and wrong ranks", || refuses("tile", f));
}

fn avgpool2d(imp: &Implementation, c: &mut Checker) {
    let f = imp.pooling.avgpool2d;
    c.check("edge: an empty batch, no channels, an image of no rows", || {
        for (shape, out) in [([0, 2, 4, 4], [0, 2, 2, 2]), ([1, 0, 4, 4], [1, 0, 2, 2]), ([1, 1, 0, 4], [1, 1, 0, 2])] {
            let call = format!("avgpool2d(an empty {}, (2, 2))", fmt_shape(&shape));
            exactly(&call, f(zeros(&shape).view(), (2, 2)).map(|a| a.into_dyn()), &zeros(&out))?;
        }
        Ok(())
    });
    let pooled = |x: ArrayViewD<f64>, kernel| ran("avgpool2d", &x, kernel, f(x.view(), kernel)).map(|t| t.into_dyn());
    c.check("worked example: the 4 x 4 grid 1..16 pools to [[3.5, 5.5], [11.5, 13.5]]", || {
        let expected = array(&[1, 1, 2, 2], &[3.5, 5.5, 11.5, 13.5]);
        agrees(
            || "avgpool2d(the 4 x 4 grid, (2, 2))".to_string(),
            &expected.view(),
            &pooled(grid().view(), (2, 2))?,
            FORWARD,
        )
    });
    golden_checks(c, "avgpool2d", "JAX", |case| &case.avgpool, |x, kernel, _| pooled(x, kernel));
    c.property(
        "property: a constant image pools to the same constant, of the pooled shape",
        (cases(), -5.0..5.0f64),
        |(case, value)| {
            let x = ArrayD::from_elem(IxDyn(&case.input_shape()), value);
            let expected = ArrayD::from_elem(IxDyn(&case.output_shape()), value);
            agrees(
                || format!("avgpool2d of the constant {}, {}", fmt_value(value), case.describe()),
                &expected.view(),
                &pooled(x.view(), case.kernel)?,
                FORWARD,
            )
        },
    );
    c.property("property: the outputs times kh * kw add up to the inputs' total", cases(), |case| {
        let [x, _] = case.operands();
        let total = pooled(x.view(), case.kernel)?.sum() * (case.kernel.0 * case.kernel.1) as f64;
        let expected = x.sum();
        ensure(numeric::gradcheck::close(expected, total, FORWARD), || {
            format!(
                "avgpool2d({}): the outputs times kh * kw add up to {}, the inputs to {}",
                case.describe(),
                fmt_value(total),
                fmt_value(expected)
            )
        })
    });
    c.check("refuses kernels that do not divide the image, empty kernels and wrong ranks", || refuses("avgpool2d", f));
}

fn avgpool2d_backward(imp: &Implementation, c: &mut Checker) {
    let (f, b) = (imp.pooling.avgpool2d, imp.pooling.avgpool2d_backward);
    c.check("edge: an empty batch", || {
        let result = b(zeros(&[0, 2, 4, 4]).view(), (2, 2), zeros(&[0, 2, 2, 2]).view()).map(|a| a.into_dyn());
        exactly(
            "avgpool2d_backward(an empty (0, 2, 4, 4), (2, 2), an empty (0, 2, 2, 2))",
            result,
            &zeros(&[0, 2, 4, 4]),
        )
    });
    let name = "avgpool2d_backward";
    let grad = |x: ArrayViewD<f64>, kernel, g: ArrayViewD<f64>| {
        ran(name, &x, kernel, b(x.view(), kernel, g)).map(|t| t.into_dyn())
    };
    c.check("worked example: grad_out all ones on the 4 x 4 grid gives 0.25 everywhere", || {
        let expected = ArrayD::from_elem(IxDyn(&[1, 1, 4, 4]), 0.25);
        let ones = ArrayD::ones(IxDyn(&[1, 1, 2, 2]));
        agrees(
            || "avgpool2d_backward(the 4 x 4 grid, (2, 2), ones)".to_string(),
            &expected.view(),
            &grad(grid().view(), (2, 2), ones.view())?,
            FORWARD,
        )
    });
    golden_checks(c, name, "JAX", |case| &case.avgpool_grad, grad);
    let differences = |case: &Case, layout: Option<Layout>| -> Outcome {
        let [x, g] = case.operands();
        let claimed = match layout {
            None => grad(x.view(), case.kernel, g.view())?,
            Some(layout) => {
                let (xs, gs) = (Strided::new(&x, layout), Strided::new(&g, layout));
                grad(xs.view(), case.kernel, gs.view())?
            }
        };
        let on = layout.map(|l| format!(" as a {}", l.describe())).unwrap_or_default();
        same_dims(|| format!("{name}({}{on}): the shape", case.describe()), x.shape(), claimed.shape())?;
        let forward = |x: &ArrayD<f64>| match f(x.view(), case.kernel) {
            Ok(out) if out.shape() == case.output_shape() => out.into_dyn(),
            _ => ArrayD::from_elem(IxDyn(&case.output_shape()), f64::NAN),
        };
        gradient_agrees(forward, &x, &g, claimed.view(), GRADIENT, |mismatch| {
            format!("{name}({}{on}): {mismatch} (expected: central differences of avgpool2d)", case.describe())
        })
    };
    c.property_cases("finite differences of sum(g * avgpool2d(x)) over every element of x", 48, cases(), |case| {
        differences(&case, None)
    });
    c.property_cases(
        "finite differences, with x and g given as permuted, sliced or reversed views",
        32,
        (small_cases(), select(Layout::ALL.to_vec())),
        |(case, layout)| differences(&case, Some(layout)),
    );
    c.check("refuses a grad_out of the wrong shape, and what avgpool2d refuses", || {
        let x = ArrayD::<f64>::zeros(IxDyn(&[2, 3, 4, 6]));
        for (shape, what) in [
            (&[2, 3, 4, 6][..], "grad_out shaped like the input"),
            (&[2, 3, 3, 2], "grad_out of a 2 x 2 pooling"),
            (&[3, 2, 2], "grad_out of 3 axes"),
        ] {
            let g = ArrayD::<f64>::zeros(IxDyn(shape));
            match b(x.view(), (2, 3), g.view()) {
                Err(e) if e.function == name => {}
                Err(e) => return Err(format!("{name} with {what}: the error names {}", e.function)),
                Ok(_) => return Err(format!("{name} with {what}: expected a ShapeError, got a gradient")),
            }
        }
        refuses(name, |x, kernel| {
            let g = ArrayD::<f64>::zeros(IxDyn(&[1, 1, 2, 2]));
            b(x, kernel, g.view())
        })
    });
}
