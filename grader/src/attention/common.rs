//! Checks shared by the functions of several operands: golden answers on
//! fresh and strided arrays, and finite differences with respect to every
//! operand.

use ndarray::{ArrayD, ArrayViewD};
use numeric::fmt_shape;
use numeric::gradcheck::{FORWARD, GRADIENT};
use proptest::sample::select;
use proptest::strategy::Strategy;

use super::cases::Case;
use crate::check::{Outcome, agrees, gradient_agrees};
use crate::golden::{self, Case as Golden};
use crate::strided::{Layout, Strided};
use crate::{Checker, golden::ATTENTION};

/// A forward under test on its operands; the `bool` is the causal flag of
/// attention (ignored by the others). An error is already a message.
pub type Forward<'a> = &'a dyn Fn(&[ArrayViewD<f64>], bool) -> Result<ArrayD<f64>, String>;

/// A backward under test: operands, flag and upstream gradient to one
/// gradient per operand.
pub type Backward<'a> = &'a dyn Fn(&[ArrayViewD<f64>], bool, ArrayViewD<f64>) -> Result<Vec<ArrayD<f64>>, String>;

/// Random problems per finite-difference property.
const GRADIENT_CASES: u32 = 48;

/// `"gate(x of shape (2, 3), ...)"` for operands named `names`.
pub fn call(name: &str, names: &[&str], operands: &[ArrayViewD<f64>], layout: &str) -> String {
    let parts: Vec<String> =
        names.iter().zip(operands).map(|(n, a)| format!("{n} of shape {}", fmt_shape(a.shape()))).collect();
    format!("{name}({}{layout})", parts.join(", "))
}

/// The causal flag of a golden attention case; false for the other groups.
fn causal(case: &Golden) -> bool {
    case.name.starts_with("attn") && case.number("causal") != 0.0
}

/// The golden checks of a forward: the cases of `group`, operands `inputs`,
/// expected array `field`.
pub fn golden_forward(
    c: &mut Checker,
    name: &str,
    group: &'static str,
    inputs: &'static [&'static str],
    field: &'static str,
    f: Forward,
) {
    golden::checks(
        c,
        "JAX",
        || golden::group(ATTENTION, group),
        |case| inputs.iter().map(|i| case.get(i)).collect(),
        |case, operands, layout| {
            let actual = f(operands, causal(case))?;
            let what = || format!("{} [golden {}]", call(name, inputs, operands, layout), case.name);
            let expected = case.get(field);
            agrees(what, &expected.view(), &actual, FORWARD).map_err(|message| {
                // Scores left undivided by sqrt(D): the function gives the
                // expected output when the queries come divided already.
                let unscaled = match operands {
                    [q, rest @ ..] if name == "attention" && q.ndim() == 3 => {
                        let scaled = q.mapv(|v| v / (q.shape()[2] as f64).sqrt());
                        let with: Vec<ArrayViewD<f64>> = std::iter::once(scaled.view()).chain(rest.iter().map(|a| a.view())).collect();
                        f(&with, causal(case)).is_ok_and(|out| agrees(String::new, &expected.view(), &out, FORWARD).is_ok())
                    }
                    _ => false,
                };
                if unscaled {
                    format!("{message}\nthis looks like scores not divided by sqrt(D): with the queries divided first, your function gives the expected output (book/src/attention.md#why-divide-by-the-square-root-of-d)")
                } else {
                    message
                }
            })
        },
    );
}

/// The golden checks of a backward: the cases of `group`, operands
/// `inputs` and `grad_out`, expected arrays `fields` (one per operand).
pub fn golden_backward(
    c: &mut Checker,
    name: &str,
    group: &'static str,
    inputs: &'static [&'static str],
    fields: &'static [&'static str],
    b: Backward,
) {
    golden::checks(
        c,
        "JAX",
        || golden::group(ATTENTION, group),
        |case| inputs.iter().chain(&["grad_out"]).map(|i| case.get(i)).collect(),
        |case, operands, layout| {
            let (g, operands) = operands.split_last().expect("grad_out");
            let grads = b(operands, causal(case), g.view())?;
            fields.iter().zip(&grads).try_for_each(|(field, actual)| {
                let what = || format!("{}: {field} [golden {}]", call(name, inputs, operands, layout), case.name);
                agrees(what, &case.get(field).view(), actual, FORWARD)
            })
        },
    );
}

/// Finite differences of `sum(g * f)` with respect to every operand, first
/// on fresh arrays, then with operands and `g` as strided views.
pub fn gradient<S>(c: &mut Checker, name: &str, cases: impl Fn() -> S, f: Forward, b: Backward)
where
    S: Strategy<Value = Case>,
{
    let one = |case: &Case, layout: Option<Layout>| -> Outcome {
        let (operands, g) = case.operands();
        let grads = match layout {
            None => {
                let views: Vec<_> = operands.iter().map(|a| a.view()).collect();
                b(&views, case.causal, g.view())?
            }
            Some(layout) => {
                let strided: Vec<_> = operands.iter().map(|a| Strided::new(a, layout)).collect();
                let views: Vec<_> = strided.iter().map(Strided::view).collect();
                b(&views, case.causal, Strided::new(&g, layout).view())?
            }
        };
        let on = layout.map(|l| format!(", as a {}", l.describe())).unwrap_or_default();
        if grads.len() != operands.len() {
            return Err(format!(
                "{name}({}{on}): {} gradients for {} operands",
                case.describe(),
                grads.len(),
                operands.len()
            ));
        }
        for (i, claimed) in grads.iter().enumerate() {
            let wrt = case.names[i];
            let forward = |x: &ArrayD<f64>| {
                let mut views: Vec<_> = operands.iter().map(|a| a.view()).collect();
                views[i] = x.view();
                match f(&views, case.causal) {
                    Ok(out) if out.shape() == g.shape() => out,
                    _ => ArrayD::from_elem(g.raw_dim(), f64::NAN),
                }
            };
            if claimed.shape() != operands[i].shape() {
                return Err(format!(
                    "{name}({}{on}): the gradient with respect to {wrt} has shape {}, {wrt} has {}",
                    case.describe(),
                    fmt_shape(claimed.shape()),
                    fmt_shape(operands[i].shape())
                ));
            }
            gradient_agrees(forward, &operands[i], &g, claimed.view(), GRADIENT, |mismatch| {
                format!(
                    "{name}({}{on}): with respect to {wrt}: {mismatch} (expected: central differences of the forward)",
                    case.describe()
                )
            })?;
        }
        Ok(())
    };
    c.property_cases(
        "finite differences of sum(g * f) over every element of every input",
        GRADIENT_CASES,
        cases(),
        |case| one(&case, None),
    );
    c.property_cases(
        "finite differences, with the inputs and g given as permuted, sliced or reversed views",
        GRADIENT_CASES,
        (cases(), select(Layout::ALL.to_vec())),
        |(case, layout)| one(&case, Some(layout)),
    );
}
