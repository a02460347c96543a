//! Checks of cross-entropy and its gradient.

use ndarray::{Array0, ArrayD, ArrayViewD, Axis, s};
use numeric::fmt_value;
use numeric::gradcheck::{FORWARD, GRADIENT, Tolerance};
use proptest::sample::select;

use super::cases::{Scores, scores};
use super::refuses;
use crate::check::{Outcome, agrees, ensure, gradient_agrees};
use crate::edges::array;
use crate::strided::{Layout, Strided};
use crate::{Checker, Implementation};

/// Random problems per finite-difference property.
const GRADIENT_CASES: u32 = 48;

/// What both functions must refuse: logits and labels.
const BAD_LABELS: &[(&[&[usize]], &[usize], &str)] = &[
    (&[&[0, 3]], &[], "an empty batch (the mean of nothing)"),
    (&[&[2, 3]], &[0, 3], "a label equal to the number of classes"),
    (&[&[2, 3]], &[0], "fewer labels than examples"),
    (&[&[2, 3]], &[0, 1, 2], "more labels than examples"),
];

/// `|a - e| <= abs + rel |e|` for two numbers.
fn close(what: impl FnOnce() -> String, expected: f64, actual: f64, tol: Tolerance) -> Outcome {
    ensure((actual - expected).abs() <= tol.abs + tol.rel * expected.abs(), || {
        format!("{}: expected {}, got {}", what(), fmt_value(expected), fmt_value(actual))
    })
}

pub fn cross_entropy(imp: &Implementation, c: &mut Checker) {
    let f = imp.network.cross_entropy;
    let call = |z: ArrayViewD<f64>, labels: &[usize]| {
        f(z.view(), labels).map_err(|e| {
            format!("cross_entropy(logits of shape {:?}, labels {labels:?}) refused a valid input: {e}", z.shape())
        })
    };
    c.check("worked example: logits ((1, 2, 3), (0, 0, 0)), labels (2, 0): (ln(1 + 1/e + 1/e^2) + ln 3) / 2", || {
        let z = array(&[2, 3], &[1.0, 2.0, 3.0, 0.0, 0.0, 0.0]);
        let expected = ((1.0 + (-1f64).exp() + (-2f64).exp()).ln() + 3f64.ln()) / 2.0;
        close(
            || "cross_entropy(logits ((1, 2, 3), (0, 0, 0)), labels (2, 0))".into(),
            expected,
            call(z.view(), &[2, 0])?,
            FORWARD,
        )
    });
    c.property(
        "property: equal logits give ln C, whatever the label, and a constant added to a row changes nothing",
        (scores(), -50.0..50.0f64),
        |(case, shift)| {
            let (z, labels) = case.operands();
            let flat = ArrayD::from_elem(z.raw_dim(), shift);
            let what = || format!("cross_entropy(every logit {}, {})", fmt_value(shift), case.describe(&labels));
            close(what, (case.classes as f64).ln(), call(flat.view(), &labels)?, FORWARD)?;
            let moved = &z + &ArrayD::from_shape_fn(z.raw_dim(), |i| shift * (i[0] as f64 + 1.0));
            let what = || {
                format!(
                    "cross_entropy({}) against the same with {} times (row + 1) added to every row",
                    case.describe(&labels),
                    fmt_value(shift)
                )
            };
            close(
                what,
                call(z.view(), &labels)?,
                call(moved.view(), &labels)?,
                Tolerance { abs: 1e-9, rel: 1e-9, step: 0.0 },
            )
        },
    );
    c.property("property: one example of two classes loses ln(1 + e^-(z_label - z_other))", scores(), |case| {
        let (z, labels) = Scores { classes: 2, ..case }.operands();
        let (row, label) = (z.slice(s![0..1, ..]).to_owned().into_dyn(), labels[0]);
        let margin = row[[0, label]] - row[[0, 1 - label]];
        let expected = (-margin).exp().ln_1p();
        close(
            || format!("cross_entropy(logits {:?}, label {label})", row.iter().collect::<Vec<_>>()),
            expected,
            call(row.view(), &[label])?,
            FORWARD,
        )
    });
    c.property("property: the loss of a batch is the mean of its examples' losses", scores(), |case| {
        let (z, labels) = case.operands();
        let whole = call(z.view(), &labels)?;
        let mut total = 0.0;
        for (b, &label) in labels.iter().enumerate() {
            total += call(z.slice(s![b..b + 1, ..]).into_dyn(), &[label])?;
        }
        close(
            || format!("cross_entropy({}) against the mean of each row's", case.describe(&labels)),
            total / labels.len() as f64,
            whole,
            FORWARD,
        )
    });
    c.property(
        "property: the same loss on permuted, sliced or reversed views of the logits",
        (scores(), select(Layout::ALL.to_vec())),
        |(case, layout)| {
            let (z, labels) = case.operands();
            let expected = call(z.view(), &labels)?;
            let strided = Strided::new(&z, layout);
            close(
                || format!("cross_entropy({}, as a {})", case.describe(&labels), layout.describe()),
                expected,
                call(strided.view(), &labels)?,
                FORWARD,
            )
        },
    );
    c.check(
        "stability: logits ((1000, -1000), (-1000, 1000), (1000, 1000)), labels (0, 0, 1) lose (2000 + ln 2) / 3",
        || {
            let z = array(&[3, 2], &[1000.0, -1000.0, -1000.0, 1000.0, 1000.0, 1000.0]);
            let expected = (2000.0 + std::f64::consts::LN_2) / 3.0;
            close(
                || "cross_entropy(logits ((1000, -1000), (-1000, 1000), (1000, 1000)), labels (0, 0, 1))".into(),
                expected,
                call(z.view(), &[0, 0, 1])?,
                FORWARD,
            )
        },
    );
    c.check(
        "refuses an empty batch, a label past the classes and labels of the wrong length with a ShapeError",
        || refuses(Some("cross_entropy"), BAD_LABELS, |ops, labels| f(ops[0].view(), labels)),
    );
}

pub fn cross_entropy_backward(imp: &Implementation, c: &mut Checker) {
    let (f, back) = (imp.network.cross_entropy, imp.network.cross_entropy_backward);
    let call = |z: ArrayViewD<f64>, labels: &[usize]| {
        back(z.view(), labels).map(|g| g.into_dyn()).map_err(|e| {
            format!(
                "cross_entropy_backward(logits of shape {:?}, labels {labels:?}) refused a valid input: {e}",
                z.shape()
            )
        })
    };
    c.check("worked example: logits ((0, 0), (ln 3, 0)), labels (1, 0) give ((1/4, -1/4), (-1/8, 1/8))", || {
        let z = array(&[2, 2], &[0.0, 0.0, 3f64.ln(), 0.0]);
        let expected = array(&[2, 2], &[0.25, -0.25, -0.125, 0.125]);
        agrees(
            || "cross_entropy_backward(logits ((0, 0), (ln 3, 0)), labels (1, 0))".into(),
            &expected.view(),
            &call(z.view(), &[1, 0])?,
            FORWARD,
        )
    });
    let one = |case: &Scores, layout: Option<Layout>| -> Outcome {
        let (z, labels) = case.operands();
        let on = layout.map(|l| format!(", as a {}", l.describe())).unwrap_or_default();
        let claimed = match layout {
            None => call(z.view(), &labels)?,
            Some(l) => call(Strided::new(&z, l).view(), &labels)?,
        };
        let loss = |v: &ArrayD<f64>| Array0::from_elem((), f(v.view(), &labels).unwrap_or(f64::NAN));
        if claimed.shape() != z.shape() {
            return Err(format!(
                "cross_entropy_backward({}{on}): the gradient has shape {:?}, the logits {:?}",
                case.describe(&labels),
                claimed.shape(),
                z.shape()
            ));
        }
        gradient_agrees(loss, &z, &Array0::from_elem((), 1.0), claimed.view(), GRADIENT, |m| {
            format!(
                "cross_entropy_backward({}{on}): {m} (expected: central differences of cross_entropy)",
                case.describe(&labels)
            )
        })
    };
    c.property_cases("finite differences of cross_entropy over every logit", GRADIENT_CASES, scores(), |case| {
        one(&case, None)
    });
    c.property_cases(
        "finite differences, with the logits given as permuted, sliced or reversed views",
        GRADIENT_CASES,
        (scores(), select(Layout::ALL.to_vec())),
        |(case, layout)| one(&case, Some(layout)),
    );
    c.property("property: every row of the gradient sums to 0, and only the label's entry is negative", scores(), |case| {
        let (z, labels) = case.operands();
        let grad = call(z.view(), &labels)?;
        let sums = grad.sum_axis(Axis(1));
        agrees(|| format!("the row sums of cross_entropy_backward({})", case.describe(&labels)), &ArrayD::zeros(sums.raw_dim()).view(), &sums, FORWARD)?;
        for (b, &label) in labels.iter().enumerate() {
            for k in 0..case.classes {
                let v = grad[[b, k]];
                ensure((k == label) == (v < 0.0) || v == 0.0, || {
                    format!("cross_entropy_backward({}): entry ({b}, {k}) is {}: only the label's entry may be negative", case.describe(&labels), fmt_value(v))
                })?;
            }
        }
        Ok(())
    });
    c.check("stability: logits ((1000, -1000), (1000, 1000)), labels (0, 1) give ((0, 0), (1/4, -1/4))", || {
        let z = array(&[2, 2], &[1000.0, -1000.0, 1000.0, 1000.0]);
        let expected = array(&[2, 2], &[0.0, 0.0, 0.25, -0.25]);
        agrees(
            || "cross_entropy_backward(logits ((1000, -1000), (1000, 1000)), labels (0, 1))".into(),
            &expected.view(),
            &call(z.view(), &[0, 1])?,
            FORWARD,
        )
    });
    c.check(
        "refuses an empty batch, a label past the classes and labels of the wrong length with a ShapeError",
        || refuses(Some("cross_entropy_backward"), BAD_LABELS, |ops, labels| back(ops[0].view(), labels)),
    );
}
