//! Checks of softmax gating and its backward.

use ndarray::{ArrayViewD, Axis};
use numeric::fmt_value;
use numeric::gradcheck::{FORWARD, Tolerance};
use proptest::prelude::*;

use super::cases::mixes;
use super::common::{self, call};
use super::{array, refuses};
use crate::check::{agrees, same_dims};
use crate::edges::{exactly, zeros};
use crate::{Checker, Implementation};

const NAMES: &[&str] = &["x", "r"];

/// Shapes `softmax_gate` must refuse (`x`, `r`).
const MISMATCHED: &[(&[&[usize]], bool, &str)] = &[
    (&[&[2, 3], &[2, 3]], false, "x of 2 axes"),
    (&[&[2, 3, 4], &[2, 3, 1]], false, "r of 3 axes"),
    (&[&[2, 3, 4], &[2, 4]], false, "r with a score too many"),
    (&[&[2, 3, 4], &[1, 3]], false, "r of another batch"),
];

pub fn softmax_gate(imp: &Implementation, c: &mut Checker) {
    let f = imp.attention.softmax_gate;
    c.check("edge: an empty batch, and rows with no features", || {
        exactly(
            "softmax_gate(an empty (0, 3, 2), an empty (0, 3))",
            f(zeros(&[0, 3, 2]).view(), zeros(&[0, 3]).view()).map(|a| a.into_dyn()),
            &zeros(&[0, 2]),
        )?;
        exactly(
            "softmax_gate(an empty (2, 3, 0), r of zeros (2, 3))",
            f(zeros(&[2, 3, 0]).view(), zeros(&[2, 3]).view()).map(|a| a.into_dyn()),
            &zeros(&[2, 0]),
        )
    });
    let run = |ops: &[ArrayViewD<f64>], _: bool| {
        f(ops[0].view(), ops[1].view())
            .map(|out| out.into_dyn())
            .map_err(|e| format!("{} refused a valid input: {e}", call("softmax_gate", NAMES, ops, "")))
    };
    c.check("worked example: equal scores average the rows (1, 0), (0, 1), (2, 2) to (1, 1)", || {
        let x = array(&[1, 3, 2], &[1.0, 0.0, 0.0, 1.0, 2.0, 2.0]);
        let r = array(&[1, 3], &[0.5, 0.5, 0.5]);
        let actual = run(&[x.view(), r.view()], false)?;
        agrees(
            || "softmax_gate(x, r (0.5, 0.5, 0.5))".to_string(),
            &array(&[1, 2], &[1.0, 1.0]).view(),
            &actual,
            FORWARD,
        )
    });
    common::golden_forward(c, "softmax_gate", "mix", NAMES, "softmax_gate", &run);
    c.property(
        "property: one score 1000 above the others returns its row",
        (mixes(), any::<prop::sample::Index>()),
        |(case, pick)| {
            let (mut ops, _) = case.operands();
            let n = case.shapes[1][1];
            let at = pick.index(n);
            ops[1].index_axis_mut(Axis(1), at).mapv_inplace(|v| v + 1000.0);
            let out = run(&[ops[0].view(), ops[1].view()], false)?;
            let row = ops[0].index_axis(Axis(1), at).to_owned();
            agrees(
                || format!("softmax_gate({}) with row {at} scored 1000 higher", case.describe()),
                &row.view(),
                &out,
                FORWARD,
            )
        },
    );
    c.property(
        "property: a constant added to every score changes nothing; the output is B x D",
        (mixes(), -50.0..50.0f64),
        |(case, shift)| {
            let (ops, _) = case.operands();
            let out = run(&[ops[0].view(), ops[1].view()], false)?;
            same_dims(
                || format!("softmax_gate({}): the shape", case.describe()),
                &[case.shapes[0][0], case.shapes[0][2]],
                out.shape(),
            )?;
            let shifted = &ops[1] + shift;
            let moved = run(&[ops[0].view(), shifted.view()], false)?;
            agrees(
                || format!("softmax_gate(x, r + {}) against softmax_gate(x, r), {}", fmt_value(shift), case.describe()),
                &out.view(),
                &moved,
                Tolerance { abs: 1e-12, rel: 1e-9, ..FORWARD },
            )
        },
    );
    c.check("refuses wrong ranks and scores that do not match the rows with a ShapeError", || {
        refuses("softmax_gate", MISMATCHED, |ops, _| f(ops[0].view(), ops[1].view()))
    });
}

pub fn softmax_gate_backward(imp: &Implementation, c: &mut Checker) {
    let (f, b) = (imp.attention.softmax_gate, imp.attention.softmax_gate_backward);
    c.check("edge: an empty batch", || {
        let (gx, gr) = b(zeros(&[0, 3, 2]).view(), zeros(&[0, 3]).view(), zeros(&[0, 2]).view())
            .map_err(|e| format!("softmax_gate_backward of an empty batch refused: {e}"))?;
        exactly("softmax_gate_backward(an empty batch): grad_x", Ok(gx.into_dyn()), &zeros(&[0, 3, 2]))?;
        exactly("softmax_gate_backward(an empty batch): grad_r", Ok(gr.into_dyn()), &zeros(&[0, 3]))
    });
    let name = "softmax_gate_backward";
    let run = |ops: &[ArrayViewD<f64>], _: bool| {
        f(ops[0].view(), ops[1].view())
            .map(|out| out.into_dyn())
            .map_err(|e| format!("{} refused a valid input: {e}", call("softmax_gate", NAMES, ops, "")))
    };
    let grads = |ops: &[ArrayViewD<f64>], _: bool, g: ArrayViewD<f64>| {
        b(ops[0].view(), ops[1].view(), g)
            .map(|(gx, gr)| vec![gx.into_dyn(), gr.into_dyn()])
            .map_err(|e| format!("{} refused a valid input: {e}", call(name, NAMES, ops, "")))
    };
    c.check("worked example: equal scores over rows (1, 0) and (0, 1), grad_out (1, 0): grad_x halves it, grad_r (0.25, -0.25)", || {
        let (x, r, g) = (array(&[1, 2, 2], &[1.0, 0.0, 0.0, 1.0]), array(&[1, 2], &[0.0, 0.0]), array(&[1, 2], &[1.0, 0.0]));
        let actual = grads(&[x.view(), r.view()], false, g.view())?;
        let expected = [array(&[1, 2, 2], &[0.5, 0.0, 0.5, 0.0]), array(&[1, 2], &[0.25, -0.25])];
        expected.iter().zip(&actual).zip(["grad_x", "grad_r"]).try_for_each(|((e, a), what)| {
            agrees(|| format!("{name}(x, r (0, 0), grad_out (1, 0)): {what}"), &e.view(), a, FORWARD)
        })
    });
    common::golden_backward(c, name, "mix", NAMES, &["grad_x", "grad_r"], &grads);
    common::gradient(c, name, mixes, &run, &grads);
    c.check("refuses a grad_out that is not B x D, and what softmax_gate refuses", || {
        let wrong: &[(&[&[usize]], bool, &str)] = &[
            (&[&[2, 3, 4], &[2, 3], &[2, 3]], false, "grad_out of B x N"),
            (&[&[2, 3, 4], &[2, 3], &[2, 3, 4]], false, "grad_out of 3 axes"),
            (&[&[2, 3, 4], &[2, 4], &[2, 4]], false, "r with a score too many"),
            (&[&[2, 3], &[2, 3], &[2, 3]], false, "x of 2 axes"),
        ];
        refuses(name, wrong, |ops, _| b(ops[0].view(), ops[1].view(), ops[2].view()))
    });
}
