//! Checks of scaled dot-product attention and its backward.

use ndarray::{ArrayD, ArrayViewD, Axis, s};
use numeric::fmt_value;
use numeric::gradcheck::{FORWARD, Tolerance};
use proptest::prelude::*;

use super::cases::attentions;
use super::common::{self, call};
use super::{array, refuses};
use crate::check::{agrees, ensure, same_dims};
use crate::edges::{exactly, zeros};
use crate::show;
use crate::{Checker, Implementation};

const NAMES: &[&str] = &["q", "k", "v"];

/// Shapes `attention` must refuse (`q`, `k`, `v`) and the causal flag.
const MISMATCHED: &[(&[&[usize]], bool, &str)] = &[
    (&[&[2, 3, 4], &[2, 5, 3], &[2, 5, 2]], false, "q and k of different features"),
    (&[&[2, 3, 4], &[2, 5, 4], &[2, 4, 2]], false, "k and v of different keys"),
    (&[&[2, 3, 4], &[1, 5, 4], &[1, 5, 2]], false, "q of another batch"),
    (&[&[2, 3, 4], &[2, 5, 4], &[2, 5, 2]], true, "a causal mask with 3 queries and 5 keys"),
    (&[&[3, 4], &[2, 5, 4], &[2, 5, 2]], false, "q of 2 axes"),
];

/// A tolerance for outputs that should not move at all but pass through
/// another order of additions.
const SAME: Tolerance = Tolerance { abs: 1e-12, rel: 1e-9, ..FORWARD };

pub fn attention(imp: &Implementation, c: &mut Checker) {
    let f = imp.attention.attention;
    c.check("edge: an empty batch, with and without the causal mask", || {
        let (q, k, v) = (zeros(&[0, 3, 4]), zeros(&[0, 3, 4]), zeros(&[0, 3, 5]));
        [false, true].into_iter().try_for_each(|causal| {
            let call = format!("attention(an empty batch (0, 3, 4), causal {causal})");
            exactly(&call, f(q.view(), k.view(), v.view(), causal).map(|a| a.into_dyn()), &zeros(&[0, 3, 5]))
        })
    });
    let run = |ops: &[ArrayViewD<f64>], causal: bool| {
        f(ops[0].view(), ops[1].view(), ops[2].view(), causal).map(|out| out.into_dyn()).map_err(|e| {
            format!(
                "{} refused a valid input: {e}",
                call("attention", NAMES, ops, if causal { ", causal" } else { "" })
            )
        })
    };
    c.check("worked example: equal scores average the values; causal, the first query sees only the first", || {
        let (q, v) = (ArrayD::zeros(ndarray::IxDyn(&[1, 2, 4])), array(&[1, 2, 2], &[1.0, 2.0, 3.0, 4.0]));
        let plain = run(&[q.view(), q.view(), v.view()], false)?;
        agrees(
            || "attention(q = k = 0, v ((1, 2), (3, 4)))".to_string(),
            &array(&[1, 2, 2], &[2.0, 3.0, 2.0, 3.0]).view(),
            &plain,
            FORWARD,
        )?;
        let masked = run(&[q.view(), q.view(), v.view()], true)?;
        agrees(
            || "attention(q = k = 0, v ((1, 2), (3, 4)), causal)".to_string(),
            &array(&[1, 2, 2], &[1.0, 2.0, 2.0, 3.0]).view(),
            &masked,
            FORWARD,
        )
    });
    common::golden_forward(c, "attention", "attn", NAMES, "attention", &run);
    c.property(
        "property: causal, the first query's output is v's first row; the output is B x Tq x Dv",
        attentions(),
        |case| {
            let (ops, _) = case.operands();
            let out = run(&[ops[0].view(), ops[1].view(), ops[2].view()], case.causal)?;
            same_dims(
                || format!("attention({}): the shape", case.describe()),
                &[case.shapes[0][0], case.shapes[0][1], case.shapes[2][2]],
                out.shape(),
            )?;
            if !case.causal {
                return Ok(());
            }
            let (first, expected) =
                (out.slice(s![.., 0, ..]).to_owned().into_dyn(), ops[2].slice(s![.., 0, ..]).into_dyn());
            agrees(|| format!("the first query of attention({})", case.describe()), &expected, &first, FORWARD)
        },
    );
    c.property(
        "property: one vector added to every key changes nothing (each row's scores shift by one constant)",
        (attentions(), -3.0..3.0f64),
        |(case, shift)| {
            let (ops, _) = case.operands();
            let out = run(&[ops[0].view(), ops[1].view(), ops[2].view()], case.causal)?;
            let d = case.shapes[1][2];
            let offset = ndarray::Array1::from_shape_fn(d, |i| shift * (i as f64 + 1.0));
            let moved_keys = &ops[1] + &offset;
            let moved = run(&[ops[0].view(), moved_keys.view(), ops[2].view()], case.causal)?;
            agrees(
                || {
                    format!(
                        "attention({}) with {} added to every key",
                        case.describe(),
                        show::array(&offset.view().into_dyn())
                    )
                },
                &out.view(),
                &moved,
                SAME,
            )
        },
    );
    c.property(
        "property: permuting the keys and values together changes nothing (no mask)",
        (attentions(), any::<u64>()),
        |(case, seed)| {
            let (ops, _) = case.operands();
            let out = run(&[ops[0].view(), ops[1].view(), ops[2].view()], false)?;
            let tk = case.shapes[1][1];
            let mut order: Vec<usize> = (0..tk).collect();
            order.rotate_left((seed % tk as u64) as usize);
            if seed % 2 == 1 {
                order.reverse();
            }
            let (k, v) = (ops[1].select(Axis(1), &order), ops[2].select(Axis(1), &order));
            let permuted = run(&[ops[0].view(), k.view(), v.view()], false)?;
            agrees(
                || format!("attention({}) with keys and values in the order {order:?}", case.describe()),
                &out.view(),
                &permuted,
                SAME,
            )
        },
    );
    c.property(
        "stability: scores in the thousands (q times 1000) give finite weighted averages of v",
        attentions(),
        |case| {
            let (ops, _) = case.operands();
            let q = &ops[0] * 1000.0;
            let out = run(&[q.view(), ops[1].view(), ops[2].view()], case.causal)?;
            ensure(out.iter().all(|v| v.is_finite()), || {
                format!("attention({}, q times 1000) = {}: not finite", case.describe(), show::array(&out.view()))
            })?;
            let v = &ops[2];
            for ((b, _, e), &o) in out.clone().into_dimensionality::<ndarray::Ix3>().expect("3 axes").indexed_iter() {
                let column = v.slice(s![b, .., e]);
                let (lo, hi) =
                    column.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)));
                ensure(o >= lo - 1e-12 && o <= hi + 1e-12, || {
                    format!(
                        "attention({}, q times 1000): {} lies outside the values {}",
                        case.describe(),
                        fmt_value(o),
                        show::array(&column.into_dyn())
                    )
                })?;
            }
            Ok(())
        },
    );
    c.check("refuses mismatched features, keys, batches, ranks, and a causal mask with Tq != Tk", || {
        refuses("attention", MISMATCHED, |ops, causal| f(ops[0].view(), ops[1].view(), ops[2].view(), causal))
    });
}

pub fn attention_backward(imp: &Implementation, c: &mut Checker) {
    let (f, b) = (imp.attention.attention, imp.attention.attention_backward);
    c.check("edge: an empty batch", || {
        let (q, v, g) = (zeros(&[0, 3, 4]), zeros(&[0, 3, 5]), zeros(&[0, 3, 5]));
        let (gq, gk, gv) = b(q.view(), q.view(), v.view(), true, g.view())
            .map_err(|e| format!("attention_backward of an empty batch refused: {e}"))?;
        exactly("attention_backward(an empty batch): grad_q", Ok(gq.into_dyn()), &q)?;
        exactly("attention_backward(an empty batch): grad_k", Ok(gk.into_dyn()), &q)?;
        exactly("attention_backward(an empty batch): grad_v", Ok(gv.into_dyn()), &v)
    });
    let name = "attention_backward";
    let run = |ops: &[ArrayViewD<f64>], causal: bool| {
        f(ops[0].view(), ops[1].view(), ops[2].view(), causal)
            .map(|out| out.into_dyn())
            .map_err(|e| format!("{} refused a valid input: {e}", call("attention", NAMES, ops, "")))
    };
    let grads = |ops: &[ArrayViewD<f64>], causal: bool, g: ArrayViewD<f64>| {
        b(ops[0].view(), ops[1].view(), ops[2].view(), causal, g)
            .map(|(gq, gk, gv)| vec![gq.into_dyn(), gk.into_dyn(), gv.into_dyn()])
            .map_err(|e| {
                format!("{} refused a valid input: {e}", call(name, NAMES, ops, if causal { ", causal" } else { "" }))
            })
    };
    common::golden_backward(c, name, "attn", NAMES, &["grad_q", "grad_k", "grad_v"], &grads);
    common::gradient(c, name, attentions, &run, &grads);
    c.property("stability: with q times 1000 the gradients are finite", attentions(), |case| {
        let (ops, g) = case.operands();
        let q = &ops[0] * 1000.0;
        let all = grads(&[q.view(), ops[1].view(), ops[2].view()], case.causal, g.view())?;
        ensure(all.iter().all(|a| a.iter().all(|v| v.is_finite())), || {
            format!("{name}({}, q times 1000): a gradient is not finite", case.describe())
        })
    });
    c.check("refuses a grad_out that is not B x Tq x Dv, and what attention refuses", || {
        let wrong: &[(&[&[usize]], bool, &str)] = &[
            (&[&[2, 3, 4], &[2, 5, 4], &[2, 5, 2], &[2, 3, 4]], false, "grad_out as wide as q"),
            (&[&[2, 3, 4], &[2, 5, 4], &[2, 5, 2], &[2, 5, 2]], false, "grad_out with a row per key"),
            (&[&[2, 3, 4], &[2, 5, 4], &[2, 5, 2], &[3, 2]], false, "grad_out of 2 axes"),
            (&[&[2, 3, 4], &[2, 5, 3], &[2, 5, 2], &[2, 3, 2]], false, "q and k of different features"),
            (&[&[2, 3, 4], &[2, 5, 4], &[2, 5, 2], &[2, 3, 2]], true, "a causal mask with 3 queries and 5 keys"),
        ];
        refuses(name, wrong, |ops, causal| b(ops[0].view(), ops[1].view(), ops[2].view(), causal, ops[3].view()))
    });
}
