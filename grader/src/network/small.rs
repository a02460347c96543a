//! The end-to-end check: the small network's gradients of every parameter
//! against central differences of the loss it returns.

use ndarray::{Array0, ArrayD, ArrayViewD};
use numeric::fmt_value;
use numeric::gradcheck::{FORWARD, GRADIENT};
use proptest::sample::select;

use super::cases::{Net, nets};
use super::refuses;
use crate::check::{Outcome, agrees, ensure, gradient_agrees, same_dims};
use crate::edges::{array, zeros};
use crate::strided::{Layout, Strided};
use crate::{Checker, Implementation};

/// Random networks per finite-difference property (each takes one forward
/// per parameter and direction).
const GRADIENT_CASES: u32 = 24;

const PARAMETERS: [&str; 3] = ["kernel", "weight", "bias"];

pub fn small_network(imp: &Implementation, c: &mut Checker) {
    let s = imp.network.small_network;
    let run = |ops: &[ArrayViewD<f64>], labels: &[usize], what: &dyn Fn() -> String| {
        s(ops[0].view(), ops[1].view(), ops[2].view(), ops[3].view(), labels)
            .map(|(loss, (k, w, b))| (loss, [k.into_dyn(), w.into_dyn(), b.into_dyn()]))
            .map_err(|e| format!("{} refused a valid input: {e}", what()))
    };
    c.check("worked example: all parameters 0: the loss is ln C and only the bias has a gradient, softmax - one_hot averaged", || {
        // Two 2 x 2 images, 2 kernels, 3 classes, labels (0, 2).
        let ops = [zeros(&[2, 1, 3, 3]), zeros(&[3, 2]), zeros(&[3]), array(&[2, 1, 2, 2], &[1.0, -2.0, 3.0, 0.5, -1.0, 2.0, 0.25, 4.0])];
        let views: Vec<_> = ops.iter().map(|a| a.view()).collect();
        let what = || "the small network with every parameter 0, 3 classes, labels (0, 2)".to_string();
        let (loss, grads) = run(&views, &[0, 2], &what)?;
        ensure((loss - 3f64.ln()).abs() < 1e-12, || format!("{}: the loss: expected ln 3 = {}, got {}", what(), fmt_value(3f64.ln()), fmt_value(loss)))?;
        let third = 1.0 / 3.0;
        let expected = [zeros(&[2, 1, 3, 3]), zeros(&[3, 2]), array(&[3], &[(third - 0.5), third, (third - 0.5)])];
        PARAMETERS.iter().zip(expected.iter().zip(&grads)).try_for_each(|(name, (e, a))| {
            agrees(|| format!("{}: the gradient of the {name}", what()), &e.view(), a, FORWARD)
        })
    });
    let one = |net: &Net, layout: Option<Layout>| -> Outcome {
        let (ops, labels) = net.operands();
        let on = layout.map(|l| format!(", as a {}", l.describe())).unwrap_or_default();
        let what = || format!("the small network({}{on})", net.describe(&labels));
        let (loss, grads) = match layout {
            None => run(&ops.iter().map(|a| a.view()).collect::<Vec<_>>(), &labels, &what)?,
            Some(l) => {
                let strided: Vec<_> = ops.iter().map(|a| Strided::new(a, l)).collect();
                run(&strided.iter().map(Strided::view).collect::<Vec<_>>(), &labels, &what)?
            }
        };
        ensure(loss.is_finite() && loss >= 0.0, || {
            format!("{}: the loss is {}, not a finite number >= 0", what(), fmt_value(loss))
        })?;
        for (i, name) in PARAMETERS.iter().enumerate() {
            same_dims(
                || format!("{}: the gradient of the {name}: the shape", what()),
                ops[i].shape(),
                grads[i].shape(),
            )?;
            let returned_loss = |p: &ArrayD<f64>| {
                let mut views: Vec<_> = ops.iter().map(|a| a.view()).collect();
                views[i] = p.view();
                let loss = s(views[0].view(), views[1].view(), views[2].view(), views[3].view(), &labels)
                    .map_or(f64::NAN, |(l, _)| l);
                Array0::from_elem((), loss)
            };
            gradient_agrees(returned_loss, &ops[i], &Array0::from_elem((), 1.0), grads[i].view(), GRADIENT, |m| {
                format!(
                    "{}: the gradient of the {name}: {m} (expected: central differences of the returned loss)",
                    what()
                )
            })?;
        }
        Ok(())
    };
    c.property_cases(
        "finite differences of the loss with respect to the kernel, the weight and the bias",
        GRADIENT_CASES,
        nets(),
        |net| one(&net, None),
    );
    c.property_cases(
        "finite differences, with the images and parameters given as permuted, sliced or reversed views",
        GRADIENT_CASES,
        (nets(), select(Layout::ALL.to_vec())),
        |(net, layout)| one(&net, Some(layout)),
    );
    c.check(
        "refuses an odd height, a kernel of another channel count and a weight of the wrong width with a ShapeError",
        || {
            let problems: &[(&[&[usize]], &[usize], &str)] = &[
                (&[&[2, 1, 3, 3], &[3, 2], &[3], &[1, 1, 3, 2]], &[0], "an odd height"),
                (
                    &[&[2, 2, 3, 3], &[3, 2], &[3], &[1, 1, 2, 2]],
                    &[0],
                    "a kernel of 2 input channels for 1-channel images",
                ),
                (&[&[2, 1, 3, 3], &[3, 5], &[3], &[1, 1, 2, 2]], &[0], "a weight of 5 columns for 2 features"),
            ];
            refuses(None, problems, |ops, labels| s(ops[0].view(), ops[1].view(), ops[2].view(), ops[3].view(), labels))
        },
    );
}
