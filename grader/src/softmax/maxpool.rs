//! Checks of `maxpool2d` and its backward: the pooling module's problems,
//! with the max of every window in place of the mean.

use ndarray::{Array4, ArrayD, ArrayViewD, IxDyn};
use numeric::gradcheck::{FORWARD, GRADIENT};
use numeric::random::{perturb, rng, uniform};
use numeric::{fmt_shape, fmt_value};
use proptest::sample::select;

use super::cases::{self, GAP, NOISE};
use super::ties;
use crate::check::{Outcome, agrees, ensure, gradient_agrees, same_dims};
use crate::edges::{array, exactly, zeros};
use crate::golden;
use crate::pooling::cases::{Case, cases, small_cases};
use crate::pooling::{Kernel, grid, ran, refuses};
use crate::strided::{Layout, Strided};
use crate::{Checker, Implementation};

/// The values of window `(b, c, i, j)` of `x`, row-major.
fn window(x: &ArrayD<f64>, (kh, kw): Kernel, [b, c, i, j]: [usize; 4]) -> Vec<f64> {
    (0..kh * kw).map(|k| x[[b, c, i * kh + k / kw, j * kw + k % kw]]).collect()
}

/// Every window index of a pooled output shape.
fn windows(shape: [usize; 4]) -> impl Iterator<Item = [usize; 4]> {
    let [b, c, h, w] = shape;
    (0..b).flat_map(move |b| (0..c).flat_map(move |c| (0..h).flat_map(move |i| (0..w).map(move |j| [b, c, i, j]))))
}

/// An input whose windows hold no two values closer than [`GAP`] (integers
/// plus noise drawn from the seed), and an upstream gradient.
fn untied(case: &Case) -> [ArrayD<f64>; 2] {
    let mut rng = rng(case.seed);
    let base = ArrayD::from_shape_fn(IxDyn(&case.input_shape()), |i| ((i[2] + 2 * i[3]) % 5) as f64 - 2.0);
    let x = loop {
        let mut x = base.clone();
        perturb(&mut x, NOISE, &mut rng);
        let apart = windows(case.output_shape()).all(|at| {
            let mut values = window(&x, case.kernel, at);
            values.sort_by(f64::total_cmp);
            values.windows(2).all(|pair| pair[1] - pair[0] >= GAP)
        });
        if apart {
            break x;
        }
    };
    let g = uniform(IxDyn(&case.output_shape()), &mut rng);
    [x, g]
}

pub fn maxpool2d(imp: &Implementation, c: &mut Checker) {
    let f = imp.softmax.maxpool2d;
    let pooled = |x: ArrayViewD<f64>, kernel| ran("maxpool2d", &x, kernel, f(x.view(), kernel)).map(Array4::into_dyn);
    c.check("edge: an empty batch, no channels, an image of no rows", || {
        for (shape, out) in [([0, 2, 4, 4], [0, 2, 2, 2]), ([1, 0, 4, 4], [1, 0, 2, 2]), ([1, 1, 0, 4], [1, 1, 0, 2])] {
            let call = format!("maxpool2d(an empty {}, (2, 2))", numeric::fmt_shape(&shape));
            exactly(&call, f(zeros(&shape).view(), (2, 2)).map(Array4::into_dyn), &zeros(&out))?;
        }
        Ok(())
    });
    c.check("worked example: the 4 x 4 grid 1..16 pools to [[6, 8], [14, 16]]", || {
        let expected = array(&[1, 1, 2, 2], &[6.0, 8.0, 14.0, 16.0]);
        agrees(
            || "maxpool2d(the 4 x 4 grid, (2, 2))".to_string(),
            &expected.view(),
            &pooled(grid().view(), (2, 2))?,
            FORWARD,
        )
    });
    golden::checks(
        c,
        "JAX",
        || cases::golden("pool"),
        |case| vec![case.get("input")],
        |case, x, layout| {
            let what = || {
                format!(
                    "maxpool2d(input {}{layout}, kernel {:?}) [golden {}]",
                    fmt_shape(x[0].shape()),
                    cases::kernel(case),
                    case.name
                )
            };
            agrees(what, &case.get("maxpool").view(), &pooled(x[0].view(), cases::kernel(case))?, FORWARD)
        },
    );
    c.property("property: every output is the largest value of its window", cases(), |case| {
        let [x, _] = untied(&case);
        let out = pooled(x.view(), case.kernel)?;
        same_dims(|| format!("maxpool2d({}): the shape", case.describe()), &case.output_shape(), out.shape())?;
        windows(case.output_shape()).try_for_each(|at| {
            let largest = window(&x, case.kernel, at).into_iter().fold(f64::NEG_INFINITY, f64::max);
            ensure(out[at.as_slice()] == largest, || {
                format!(
                    "maxpool2d({}): window {} gives {}, its largest value is {}",
                    case.describe(),
                    fmt_shape(&at),
                    fmt_value(out[at.as_slice()]),
                    fmt_value(largest)
                )
            })
        })
    });
    c.check("refuses kernels that do not divide the image, empty kernels and wrong ranks", || refuses("maxpool2d", f));
}

pub fn maxpool2d_backward(imp: &Implementation, c: &mut Checker) {
    let (f, b) = (imp.softmax.maxpool2d, imp.softmax.maxpool2d_backward);
    let name = "maxpool2d_backward";
    let grad = |x: ArrayViewD<f64>, kernel, g: ArrayViewD<f64>| {
        ran(name, &x, kernel, b(x.view(), kernel, g)).map(Array4::into_dyn)
    };
    c.check("edge: an empty batch", || {
        let result = b(zeros(&[0, 2, 4, 4]).view(), (2, 2), zeros(&[0, 2, 2, 2]).view()).map(Array4::into_dyn);
        exactly(
            "maxpool2d_backward(an empty (0, 2, 4, 4), (2, 2), an empty (0, 2, 2, 2))",
            result,
            &zeros(&[0, 2, 4, 4]),
        )
    });
    c.check("worked example: grad_out all ones on the 4 x 4 grid reaches 6, 8, 14 and 16 only", || {
        let expected =
            array(&[1, 1, 4, 4], &(1..=16).map(|v| f64::from([6, 8, 14, 16].contains(&v))).collect::<Vec<_>>());
        let ones = ArrayD::ones(IxDyn(&[1, 1, 2, 2]));
        agrees(
            || format!("{name}(the 4 x 4 grid, (2, 2), ones)"),
            &expected.view(),
            &grad(grid().view(), (2, 2), ones.view())?,
            FORWARD,
        )
    });
    golden::checks(
        c,
        "JAX",
        || cases::golden("pool"),
        |case| vec![case.get("input"), case.get("grad_out")],
        |case, operands, layout| {
            let [x, g] = operands else { unreachable!("two operands") };
            let what = || {
                format!(
                    "{name}(input {}{layout}, kernel {:?}) [golden {}]",
                    fmt_shape(x.shape()),
                    cases::kernel(case),
                    case.name
                )
            };
            agrees(what, &case.get("maxpool_grad").view(), &grad(x.view(), cases::kernel(case), g.view())?, FORWARD)
        },
    );
    let differences = |case: &Case, layout: Option<Layout>| -> Outcome {
        let [x, g] = untied(case);
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
            format!("{name}({}{on}): {mismatch} (expected: central differences of maxpool2d)", case.describe())
        })
    };
    c.property_cases(
        "finite differences of sum(g * maxpool2d(x)) over every element, ties broken by noise drawn from the seed",
        48,
        cases(),
        |case| differences(&case, None),
    );
    c.property_cases(
        "finite differences, with x and g given as permuted, sliced or reversed views",
        32,
        (small_cases(), select(Layout::ALL.to_vec())),
        |(case, layout)| differences(&case, Some(layout)),
    );
    c.property("ties: all of a window's gradient goes to one tied maximum, not split or duplicated", cases(), |case| {
        // Integers from -1 to 1: most windows hold a tied maximum.
        let x = uniform(IxDyn(&case.input_shape()), &mut rng(case.seed)).mapv(f64::round);
        let g = ties::nonzero(&case.output_shape(), case.seed);
        let result = grad(x.view(), case.kernel, g.view())?;
        same_dims(|| format!("{name}({}): the shape", case.describe()), x.shape(), result.shape())?;
        windows(case.output_shape()).try_for_each(|at| {
            let what = || format!("{name}({}, tied integers), window {}", case.describe(), fmt_shape(&at));
            ties::one_position(&what, &window(&x, case.kernel, at), &window(&result, case.kernel, at), g[at.as_slice()])
        })
    });
    c.check("refuses a grad_out of the wrong shape, and what maxpool2d refuses", || {
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
        refuses(name, |x, kernel| b(x, kernel, ArrayD::<f64>::zeros(IxDyn(&[1, 1, 2, 2])).view()))
    });
}
