//! Checks of the sigmoid gate and its backward.

use ndarray::{ArrayD, ArrayViewD};
use numeric::fmt_value;
use numeric::gradcheck::{FORWARD, Tolerance};

use super::cases::gates;
use super::common::{self, call};
use super::{array, refuses};
use crate::check::{agrees, ensure, same_dims};
use crate::edges::{exactly, zeros};
use crate::show;
use crate::{Checker, Implementation};

const NAMES: &[&str] = &["x", "y", "r"];

/// Shapes every gate must refuse.
const MISMATCHED: &[(&[&[usize]], bool, &str)] = &[
    (&[&[2, 3], &[3, 2], &[2, 3], &[2, 3]], false, "y of another shape"),
    (&[&[2, 3], &[2, 3], &[6], &[2, 3]], false, "r of another shape"),
    (&[&[2, 3], &[2, 3], &[2, 3], &[2, 3, 1]], false, "grad_out of another shape"),
];

pub fn gate(imp: &Implementation, c: &mut Checker) {
    let f = imp.attention.gate;
    c.check("edge: empty arrays, and gates at the ends of the float range", || {
        let e = zeros(&[2, 0]);
        exactly("gate(three empty (2, 0))", f(e.view(), e.view(), e.view()), &e)?;
        let (x, y) = (array(&[3], &[1.0, 2.0, 3.0]), array(&[3], &[-1.0, -2.0, -3.0]));
        let r = array(&[3], &[f64::MAX, -f64::MAX, 5e-324]);
        exactly(
            "gate((1, 2, 3), (-1, -2, -3), r (MAX, -MAX, 5e-324))",
            f(x.view(), y.view(), r.view()),
            &array(&[3], &[1.0, -2.0, 0.0]),
        )
    });
    let run = |ops: &[ArrayViewD<f64>], _: bool| {
        f(ops[0].view(), ops[1].view(), ops[2].view())
            .map_err(|e| format!("{} refused a valid input: {e}", call("gate", NAMES, ops, "")))
    };
    c.check("worked example: x (2, -1, 4), y (0, 3, 4), r (0, 1000, -1000) give (1, -1, 4)", || {
        let (x, y, r) =
            (array(&[3], &[2.0, -1.0, 4.0]), array(&[3], &[0.0, 3.0, 4.0]), array(&[3], &[0.0, 1000.0, -1000.0]));
        let actual = run(&[x.view(), y.view(), r.view()], false)?;
        agrees(
            || "gate(x (2, -1, 4), y (0, 3, 4), r (0, 1000, -1000))".to_string(),
            &array(&[3], &[1.0, -1.0, 4.0]).view(),
            &actual,
            FORWARD,
        )
    });
    common::golden_forward(c, "gate", "gate", NAMES, "gate", &run);
    c.property("property: r = +inf gives x and r = -inf gives y, exactly", gates(), |case| {
        let (ops, _) = case.operands();
        for (score, picked, which) in [(f64::INFINITY, &ops[0], "x"), (f64::NEG_INFINITY, &ops[1], "y")] {
            let r = ArrayD::from_elem(ops[0].raw_dim(), score);
            let out = run(&[ops[0].view(), ops[1].view(), r.view()], false)?;
            ensure(out == *picked, || {
                format!(
                    "gate({}, r = {} everywhere) = {}: expected {which}",
                    case.describe(),
                    fmt_value(score),
                    show::array(&out.view())
                )
            })?;
        }
        Ok(())
    });
    c.property("property: gate(x, x, r) = x, and the output has x's shape", gates(), |case| {
        let (ops, _) = case.operands();
        let out = run(&[ops[0].view(), ops[0].view(), ops[2].view()], false)?;
        same_dims(|| format!("gate({}): the shape", case.describe()), ops[0].shape(), out.shape())?;
        agrees(
            || format!("gate(x, x, r), {}", case.describe()),
            &ops[0].view(),
            &out,
            Tolerance { abs: 1e-15, ..FORWARD },
        )
    });
    c.check("refuses inputs of different shapes with a ShapeError", || {
        refuses("gate", &MISMATCHED[..2], |ops, _| f(ops[0].view(), ops[1].view(), ops[2].view()))
    });
}

pub fn gate_backward(imp: &Implementation, c: &mut Checker) {
    let (f, b) = (imp.attention.gate, imp.attention.gate_backward);
    c.check("edge: empty arrays", || {
        let e = zeros(&[2, 0]);
        let (gx, gy, gr) = b(e.view(), e.view(), e.view(), e.view())
            .map_err(|err| format!("gate_backward of empty (2, 0) arrays refused: {err}"))?;
        [gx, gy, gr].iter().try_for_each(|g| exactly("gate_backward of four empty (2, 0)", Ok(g.clone()), &e))
    });
    let run = |ops: &[ArrayViewD<f64>], _: bool| {
        f(ops[0].view(), ops[1].view(), ops[2].view())
            .map_err(|e| format!("{} refused a valid input: {e}", call("gate", NAMES, ops, "")))
    };
    let grads = |ops: &[ArrayViewD<f64>], _: bool, g: ArrayViewD<f64>| {
        b(ops[0].view(), ops[1].view(), ops[2].view(), g)
            .map(|(gx, gy, gr)| vec![gx, gy, gr])
            .map_err(|e| format!("{} refused a valid input: {e}", call("gate_backward", NAMES, ops, "")))
    };
    c.check("worked example: at r = 0, x - y = 2 and grad_out 1: (0.5, 0.5, 0.5)", || {
        let (x, y, r, g) = (array(&[1], &[3.0]), array(&[1], &[1.0]), array(&[1], &[0.0]), array(&[1], &[1.0]));
        let actual = grads(&[x.view(), y.view(), r.view()], false, g.view())?;
        let half = array(&[1], &[0.5]);
        ["grad_x", "grad_y", "grad_r"].iter().zip(&actual).try_for_each(|(name, a)| {
            agrees(|| format!("gate_backward(x 3, y 1, r 0, grad_out 1): {name}"), &half.view(), a, FORWARD)
        })
    });
    common::golden_backward(c, "gate_backward", "gate", NAMES, &["grad_x", "grad_y", "grad_r"], &grads);
    common::gradient(c, "gate_backward", gates, &run, &grads);
    c.check("stability: at r = +-1000 the gradients are finite, all of grad_out going to one branch", || {
        let (x, y, g) = (array(&[2], &[1.0, 2.0]), array(&[2], &[3.0, 5.0]), array(&[2], &[1.0, 1.0]));
        let r = array(&[2], &[1000.0, -1000.0]);
        let actual = grads(&[x.view(), y.view(), r.view()], false, g.view())?;
        let expected = [array(&[2], &[1.0, 0.0]), array(&[2], &[0.0, 1.0]), array(&[2], &[0.0, 0.0])];
        expected.iter().zip(&actual).zip(["grad_x", "grad_y", "grad_r"]).try_for_each(|((e, a), name)| {
            agrees(|| format!("gate_backward(r (1000, -1000)): {name}"), &e.view(), a, FORWARD)
        })
    });
    c.check("refuses inputs and a grad_out of different shapes with a ShapeError", || {
        refuses("gate_backward", MISMATCHED, |ops, _| b(ops[0].view(), ops[1].view(), ops[2].view(), ops[3].view()))
    });
}
