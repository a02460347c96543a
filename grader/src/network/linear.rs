//! Checks of the linear layer and its backward.

use ndarray::{Array1, Array2, ArrayD, ArrayViewD, Axis, IxDyn, s};
use numeric::gradcheck::{FORWARD, GRADIENT};
use numeric::random::{rng, uniform};
use proptest::sample::select;

use super::cases::{Layer, layers};
use super::refuses;
use crate::check::{Outcome, agrees, gradient_agrees, same_dims};
use crate::edges::{array, zeros};
use crate::strided::{Layout, Strided};
use crate::{Checker, Implementation};

/// Random problems per finite-difference property.
const GRADIENT_CASES: u32 = 48;

/// Past the 256 rows (and features) where a blocked or threaded fast path
/// would start.
const LARGE: (usize, usize, usize) = (300, 260, 33);

/// The rows of a large batch cut into pieces of this many.
const PIECE: usize = 7;

/// The chapter's worked example: x, weight, bias, grad_out.
fn example() -> [ArrayD<f64>; 4] {
    [
        array(&[2, 2], &[1.0, 2.0, 3.0, 4.0]),
        array(&[3, 2], &[1.0, 0.0, 0.0, 1.0, 1.0, 1.0]),
        array(&[3], &[0.5, -1.0, 0.0]),
        array(&[2, 3], &[1.0, 0.0, 1.0, 0.0, 1.0, -1.0]),
    ]
}

/// Shapes `linear` must refuse: x, weight, bias.
const MISMATCHED: &[(&[&[usize]], &[usize], &str)] = &[
    (&[&[2, 3], &[4, 2], &[4]], &[], "a weight with 2 columns for 3 features"),
    (&[&[2, 3], &[4, 3], &[3]], &[], "a bias of 3 for 4 outputs"),
    (&[&[2, 3], &[3, 4], &[4]], &[], "a weight given as (IN, OUT)"),
];

fn describe_views(layer: &Layer, layout: Option<Layout>) -> String {
    let on = layout.map(|l| format!(", as a {}", l.describe())).unwrap_or_default();
    format!("{}{on}", layer.describe())
}

pub fn linear(imp: &Implementation, c: &mut Checker) {
    let f = imp.network.linear;
    let call = |x: &ArrayD<f64>, w: &ArrayD<f64>, b: &ArrayD<f64>, what: &dyn Fn() -> String| {
        f(x.view(), w.view(), b.view())
            .map(|a| a.into_dyn())
            .map_err(|e| format!("{} refused a valid input: {e}", what()))
    };
    c.check("edge: an empty batch gives an empty (0, OUT), and no features give the bias in every row", || {
        let bias = array(&[2], &[1.0, -2.0]);
        let out = call(&zeros(&[0, 3]), &zeros(&[2, 3]), &bias, &|| "linear(x of shape (0, 3), weight (2, 3))".into())?;
        same_dims(|| "linear(x of shape (0, 3), weight (2, 3)): the shape".into(), &[0, 2], out.shape())?;
        let out = call(&zeros(&[3, 0]), &zeros(&[2, 0]), &bias, &|| "linear(x of shape (3, 0), weight (2, 0))".into())?;
        let expected = array(&[3, 2], &[1.0, -2.0, 1.0, -2.0, 1.0, -2.0]);
        agrees(|| "linear(x of shape (3, 0), weight (2, 0), bias (1, -2))".into(), &expected.view(), &out, FORWARD)
    });
    c.check("worked example: x ((1, 2), (3, 4)), W ((1, 0), (0, 1), (1, 1)), b (0.5, -1, 0)", || {
        let [x, w, b, _] = example();
        let out = call(&x, &w, &b, &|| "linear (the worked example)".into())?;
        let expected = array(&[2, 3], &[1.5, 1.0, 3.0, 3.5, 3.0, 7.0]);
        agrees(
            || "linear(x ((1, 2), (3, 4)), W ((1, 0), (0, 1), (1, 1)), b (0.5, -1, 0))".into(),
            &expected.view(),
            &out,
            FORWARD,
        )
    });
    c.property("property: a one-hot row i of x gives column i of the weight plus the bias", layers(), |layer| {
        let [_, w, b, _] = layer.operands();
        let eye = ArrayD::from_shape_fn(IxDyn(&[layer.inputs, layer.inputs]), |i| if i[0] == i[1] { 1.0 } else { 0.0 });
        let out = call(&eye, &w, &b, &|| format!("linear(the identity as x, {})", layer.describe()))?;
        let expected = (&w.t() + &b).into_dyn();
        agrees(|| format!("linear(the identity as x, {})", layer.describe()), &expected.view(), &out, FORWARD)
    });
    c.property("property: affine in x: f(x + 2y) - f(x) = 2 (f(y) - f(0))", layers(), |layer| {
        let [x, w, b, _] = layer.operands();
        let y = uniform(IxDyn(x.shape()), &mut rng(layer.seed ^ 1));
        let what = || format!("linear, {}", layer.describe());
        let sum = call(&(&x + &(&y * 2.0)), &w, &b, &what)?;
        let (fx, fy, f0) =
            (call(&x, &w, &b, &what)?, call(&y, &w, &b, &what)?, call(&zeros(x.shape()), &w, &b, &what)?);
        agrees(
            || format!("f(x + 2y) - f(x) against 2 (f(y) - f(0)), {}", layer.describe()),
            &((fy - f0) * 2.0).view(),
            &(sum - fx),
            FORWARD,
        )
    });
    c.property("property: the output has shape (B, OUT)", layers(), |layer| {
        let [x, w, b, _] = layer.operands();
        let out = call(&x, &w, &b, &|| format!("linear({})", layer.describe()))?;
        same_dims(|| format!("linear({}): the shape", layer.describe()), &[layer.batch, layer.outputs], out.shape())
    });
    c.property(
        "property: the same output on permuted, sliced or reversed views of x, weight and bias",
        (layers(), select(Layout::ALL.to_vec())),
        |(layer, layout)| {
            let [x, w, b, _] = layer.operands();
            let expected = call(&x, &w, &b, &|| format!("linear({})", layer.describe()))?;
            let (sx, sw, sb) = (Strided::new(&x, layout), Strided::new(&w, layout), Strided::new(&b, layout));
            let what = || format!("linear({})", describe_views(&layer, Some(layout)));
            let out =
                f(sx.view(), sw.view(), sb.view()).map_err(|e| format!("{} refused a valid input: {e}", what()))?;
            agrees(what, &expected.view(), &out.into_dyn(), FORWARD)
        },
    );
    c.check("large: a batch of 300 rows of 260 features, against the same rows 7 at a time", || {
        let (b, i, o) = LARGE;
        let mut r = rng(c_seed(b, i));
        let (x, w, bias): (Array2<f64>, Array2<f64>, Array1<f64>) =
            (uniform((b, i), &mut r), uniform((o, i), &mut r), uniform(o, &mut r));
        let (x, w, bias) = (x.into_dyn(), w.into_dyn(), bias.into_dyn());
        let out = call(&x, &w, &bias, &|| "linear(x of shape (300, 260), weight (33, 260))".into())?;
        same_dims(|| "linear(x of shape (300, 260), weight (33, 260)): the shape".into(), &[b, o], out.shape())?;
        (0..b).step_by(PIECE).try_for_each(|start| {
            let end = (start + PIECE).min(b);
            let piece = x.slice(s![start..end, ..]).to_owned().into_dyn();
            let expected = call(&piece, &w, &bias, &|| format!("linear(rows {start}..{end})"))?;
            let actual = out.slice(s![start..end, ..]).to_owned().into_dyn();
            agrees(
                || {
                    format!(
                        "linear(x of shape (300, 260), weight (33, 260)): rows {start}..{end}, against those rows alone"
                    )
                },
                &expected.view(),
                &actual,
                FORWARD,
            )
        })
    });
    c.check("refuses a weight or a bias that does not fit x with a ShapeError", || {
        refuses(Some("linear"), MISMATCHED, |ops, _| f(ops[0].view(), ops[1].view(), ops[2].view()))
    });
}

/// A fixed seed for the large checks.
fn c_seed(a: usize, b: usize) -> u64 {
    (a * 1000 + b) as u64
}

pub fn linear_backward(imp: &Implementation, c: &mut Checker) {
    let (f, back) = (imp.network.linear, imp.network.linear_backward);
    let grads = |x: ArrayViewD<f64>, w: ArrayViewD<f64>, g: ArrayViewD<f64>, what: &dyn Fn() -> String| {
        back(x, w, g)
            .map(|(gx, gw, gb)| [gx.into_dyn(), gw.into_dyn(), gb.into_dyn()])
            .map_err(|e| format!("{} refused a valid input: {e}", what()))
    };
    c.check("edge: an empty batch gives zero gradients of the weight and the bias", || {
        let what = || "linear_backward(x of shape (0, 3), weight (2, 3), grad_out (0, 2))".to_string();
        let got = grads(zeros(&[0, 3]).view(), zeros(&[2, 3]).view(), zeros(&[0, 2]).view(), &what)?;
        for (name, grad, shape) in
            [("grad_x", &got[0], &[0usize, 3][..]), ("grad_weight", &got[1], &[2, 3]), ("grad_bias", &got[2], &[2])]
        {
            agrees(|| format!("{}: {name}", what()), &zeros(shape).view(), grad, FORWARD)?;
        }
        Ok(())
    });
    c.check("worked example: the chapter's x and W with grad_out ((1, 0, 1), (0, 1, -1))", || {
        let [x, w, _, g] = example();
        let what = || {
            "linear_backward(x ((1, 2), (3, 4)), W ((1, 0), (0, 1), (1, 1)), grad_out ((1, 0, 1), (0, 1, -1)))"
                .to_string()
        };
        let got = grads(x.view(), w.view(), g.view(), &what)?;
        let expected = [
            array(&[2, 2], &[2.0, 1.0, -1.0, 0.0]),
            array(&[3, 2], &[1.0, 2.0, 3.0, 4.0, -2.0, -2.0]),
            array(&[3], &[1.0, 1.0, 0.0]),
        ];
        ["grad_x", "grad_weight", "grad_bias"]
            .iter()
            .zip(expected.iter().zip(&got))
            .try_for_each(|(name, (e, a))| agrees(|| format!("{}: {name}", what()), &e.view(), a, FORWARD))
    });
    let one = |layer: &Layer, layout: Option<Layout>| -> Outcome {
        let [x, w, b, g] = layer.operands();
        let what = || format!("linear_backward({})", describe_views(layer, layout));
        let got = match layout {
            None => grads(x.view(), w.view(), g.view(), &what)?,
            Some(l) => {
                let (sx, sw, sg) = (Strided::new(&x, l), Strided::new(&w, l), Strided::new(&g, l));
                grads(sx.view(), sw.view(), sg.view(), &what)?
            }
        };
        let operands = [&x, &w, &b];
        for (i, name) in ["x", "weight", "bias"].iter().enumerate() {
            same_dims(
                || format!("{}: the gradient with respect to {name}: the shape", what()),
                operands[i].shape(),
                got[i].shape(),
            )?;
            let forward = |v: &ArrayD<f64>| {
                let mut ops = [x.view(), w.view(), b.view()];
                ops[i] = v.view();
                match f(ops[0].view(), ops[1].view(), ops[2].view()) {
                    Ok(out) if out.shape() == g.shape() => out.into_dyn(),
                    _ => ArrayD::from_elem(g.raw_dim(), f64::NAN),
                }
            };
            gradient_agrees(forward, operands[i], &g, got[i].view(), GRADIENT, |m| {
                format!("{}: with respect to {name}: {m} (expected: central differences of linear)", what())
            })?;
        }
        Ok(())
    };
    c.property_cases(
        "finite differences of sum(g * linear) over every element of x, the weight and the bias",
        GRADIENT_CASES,
        layers(),
        |layer| one(&layer, None),
    );
    c.property_cases(
        "finite differences, with x, the weight and g given as permuted, sliced or reversed views",
        GRADIENT_CASES,
        (layers(), select(Layout::ALL.to_vec())),
        |(layer, layout)| one(&layer, Some(layout)),
    );
    c.check("large: a batch of 300 rows of 260 features, against its pieces of 7 rows summed", || {
        let (b, i, o) = LARGE;
        let mut r = rng(c_seed(o, i));
        let (x, w, g): (Array2<f64>, Array2<f64>, Array2<f64>) =
            (uniform((b, i), &mut r), uniform((o, i), &mut r), uniform((b, o), &mut r));
        let what = || "linear_backward(x of shape (300, 260), weight (33, 260), grad_out (300, 33))".to_string();
        let got = grads(x.view().into_dyn(), w.view().into_dyn(), g.view().into_dyn(), &what)?;
        let mut sums = [ArrayD::zeros(IxDyn(&[o, i])), ArrayD::zeros(IxDyn(&[o]))];
        for start in (0..b).step_by(PIECE) {
            let end = (start + PIECE).min(b);
            let (xp, gp) = (x.slice(s![start..end, ..]), g.slice(s![start..end, ..]));
            let piece = grads(xp.into_dyn(), w.view().into_dyn(), gp.into_dyn(), &|| {
                format!("linear_backward(rows {start}..{end})")
            })?;
            let rows = got[0].slice_axis(Axis(0), (start..end).into()).to_owned();
            agrees(
                || format!("{}: grad_x, rows {start}..{end}, against those rows alone", what()),
                &piece[0].view(),
                &rows,
                FORWARD,
            )?;
            sums[0] = &sums[0] + &piece[1];
            sums[1] = &sums[1] + &piece[2];
        }
        agrees(
            || format!("{}: grad_weight, against the sum over the pieces", what()),
            &sums[0].view(),
            &got[1],
            FORWARD,
        )?;
        agrees(|| format!("{}: grad_bias, against the sum over the pieces", what()), &sums[1].view(), &got[2], FORWARD)
    });
    c.check("refuses a weight or a grad_out that does not fit x with a ShapeError", || {
        let problems: &[(&[&[usize]], &[usize], &str)] = &[
            (&[&[2, 3], &[4, 2], &[2, 4]], &[], "a weight with 2 columns for 3 features"),
            (&[&[2, 3], &[4, 3], &[2, 3]], &[], "a grad_out with 3 columns for 4 outputs"),
            (&[&[2, 3], &[4, 3], &[3, 4]], &[], "a grad_out with 3 rows for a batch of 2"),
        ];
        refuses(Some("linear_backward"), problems, |ops, _| back(ops[0].view(), ops[1].view(), ops[2].view()))
    });
}
