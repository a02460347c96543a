//! Checks of dropout: a random function, held to statistics with a bound
//! on false alarms, to exact identities at rates 0 and 1 and in evaluation,
//! and to finite differences with the mask held fixed by the seed.

use ndarray::{ArrayD, ArrayViewD, IxDyn, s};
use numeric::gradcheck::{EXACT, FORWARD, GRADIENT, close};
use numeric::random::{derive_seed, rng, uniform};
use numeric::{fmt_shape, fmt_value};
use proptest::prelude::*;
use proptest::sample::select;
use rand::RngExt;

use super::Dropout;
use super::ties::nonzero;
use crate::check::{Outcome, agrees, ensure, gradient_agrees};
use crate::show;
use crate::strided::{Layout, Strided};
use crate::{Checker, Implementation};

/// Elements per statistical check.
const N: usize = 10_000;

/// Standard deviations a dropped count may stray from `N * rate`: a correct
/// dropout fails one statistical check with a probability under 1e-6 (the
/// two-sided normal tail at 4.9 is 9.6e-7; at these counts the binomial is
/// that close to normal).
const Z: f64 = 4.9;

/// Rates of the statistical checks.
const RATES: [f64; 4] = [0.1, 0.25, 0.5, 0.9];

/// `Ok` when `k` dropped of `n` is within [`Z`] standard deviations of `n * rate`.
fn binomial(what: &dyn Fn() -> String, k: usize, n: usize, rate: f64) -> Outcome {
    let (mean, sd) = (n as f64 * rate, (n as f64 * rate * (1.0 - rate)).sqrt());
    ensure((k as f64 - mean).abs() <= Z * sd, || {
        format!(
            "{}: {k} of {n} dropped, expected {mean} +- {:.0} ({Z} standard deviations, a false alarm under 1e-6)",
            what(),
            Z * sd
        )
    })
}

/// The mask the contract asks for: one `rng.random::<f64>()` per element of
/// `shape`, in row-major order, from a generator seeded with `seed`; 0 where
/// the draw is below `rate`, else `1 / (1 - rate)`. Also the generator's next
/// `u64` after those draws.
fn contract_mask(shape: &[usize], rate: f64, seed: u64) -> (ArrayD<f64>, u64) {
    let mut generator = rng(seed);
    let scale = (1.0 - rate).recip();
    let mask =
        ArrayD::from_shape_simple_fn(IxDyn(shape), || if generator.random::<f64>() < rate { 0.0 } else { scale });
    (mask, rand::Rng::next_u64(&mut generator))
}

/// `dropout(x, rate, rng(seed), training)`, or why it refused.
fn run(f: Dropout, x: ArrayViewD<f64>, rate: f64, seed: u64, training: bool) -> Result<[ArrayD<f64>; 2], String> {
    let shape = fmt_shape(x.shape());
    let mode = if training { "training" } else { "evaluation" };
    f(x, rate, seed, training)
        .map(|(out, mask, _)| [out, mask])
        .map_err(|e| format!("dropout(x of shape {shape}, rate {rate}, {mode}) refused a valid input: {e}"))
}

pub fn dropout(imp: &Implementation, c: &mut Checker) {
    let f = imp.softmax.dropout;
    let seed = c.seed();
    c.check("edge: rate 0 is the identity, rate 1 gives zeros (not NaN), with the masks to match", || {
        let x = nonzero(&[3, 4], seed);
        let [out, mask] = run(f, x.view(), 0.0, seed, true)?;
        agrees(|| "dropout(x, rate 0)".to_string(), &x.view(), &out, FORWARD)?;
        agrees(|| "the mask of dropout(x, rate 0)".to_string(), &ArrayD::ones(x.raw_dim()).view(), &mask, FORWARD)?;
        let [out, mask] = run(f, x.view(), 1.0, seed, true)?;
        let zeros = ArrayD::zeros(x.raw_dim());
        agrees(|| "dropout(x, rate 1)".to_string(), &zeros.view(), &out, FORWARD)?;
        agrees(|| "the mask of dropout(x, rate 1)".to_string(), &zeros.view(), &mask, FORWARD)
    });
    c.check(
        "statistics: the share dropped is within a binomial bound of the rate, in both halves of the array",
        || {
            RATES.iter().try_for_each(|&rate| {
                let x = ArrayD::ones(IxDyn(&[100, N / 100]));
                let s = derive_seed(seed, &rate.to_string());
                let [out, _] = run(f, x.view(), rate, s, true)?;
                let what = |part: &'static str| move || format!("dropout of {N} ones at rate {rate}, seed {s}, {part}");
                let dropped = |a: ArrayViewD<f64>| a.iter().filter(|&&v| v == 0.0).count();
                binomial(&what("in all"), dropped(out.view()), N, rate)?;
                binomial(&what("the first half"), dropped(out.slice(s![..50, ..]).into_dyn()), N / 2, rate)?;
                binomial(&what("the second half"), dropped(out.slice(s![50.., ..]).into_dyn()), N / 2, rate)
            })
        },
    );
    c.check("scale: survivors are multiplied by 1 / (1 - rate), and the output is x times the mask", || {
        RATES.iter().try_for_each(|&rate| {
            let x = nonzero(&[20, 30], seed);
            let [out, mask] = run(f, x.view(), rate, seed, true)?;
            let scale = (1.0 - rate).recip();
            ensure(mask.iter().all(|&m| m == 0.0 || close(m, scale, FORWARD)), || {
                format!(
                    "dropout at rate {rate}: the mask holds values other than 0 and {}: {}",
                    fmt_value(scale),
                    show::array(&mask.view())
                )
            })?;
            let what = || format!("dropout(x, rate {rate}) against x times its mask");
            agrees(what, &(&x * &mask).view(), &out, FORWARD)?;
            ensure(out.iter().zip(&x).all(|(&o, &v)| o == 0.0 || close(o, v * scale, FORWARD)), || {
                format!(
                    "dropout at rate {rate}: a survivor is not x / (1 - rate) = x * {}: {}",
                    fmt_value(scale),
                    show::array(&out.view())
                )
            })
        })
    });
    c.check("seeded: the same seed gives the same mask, another seed another mask", || {
        let x = nonzero(&[40, 50], seed);
        let [first, _] = run(f, x.view(), 0.5, seed, true)?;
        let [again, _] = run(f, x.view(), 0.5, seed, true)?;
        agrees(|| format!("dropout twice with seed {seed}"), &first.view(), &again, FORWARD)?;
        let [other, _] = run(f, x.view(), 0.5, seed ^ 1, true)?;
        ensure(other != first, || format!("dropout with seeds {seed} and {}: the same 2000 elements dropped", seed ^ 1))
    });
    c.check("contract: evaluation mode passes x through, with a mask of ones, for any rate", || {
        [0.0, 0.5, 1.0].iter().try_for_each(|&rate| {
            let x = nonzero(&[3, 4, 5], seed);
            let [out, mask] = run(f, x.view(), rate, seed, false)?;
            agrees(|| format!("dropout(x, rate {rate}) in evaluation"), &x.view(), &out, FORWARD)?;
            agrees(|| format!("the mask in evaluation, rate {rate}"), &ArrayD::ones(x.raw_dim()).view(), &mask, FORWARD)
        })
    });
    c.property(
        "contract: one draw per element in row-major order (a draw below the rate drops), on any layout",
        (shapes(), select(vec![0.2, 0.5, 0.7]), any::<u64>(), proptest::option::of(select(Layout::ALL.to_vec()))),
        |(shape, rate, s, layout)| {
            let x = nonzero(&shape, s);
            let strided = layout.map(|l| Strided::new(&x, l));
            let view = strided.as_ref().map_or(x.view(), |v| v.view());
            let (out, mask, next) = f(view, rate, s, true)
                .map_err(|e| format!("dropout(x of shape {}, rate {rate}) refused a valid input: {e}", fmt_shape(&shape)))?;
            let (expected, expected_next) = contract_mask(&shape, rate, s);
            let on = layout.map(|l| format!(" as a {}", l.describe())).unwrap_or_default();
            let what = || {
                format!(
                    "the mask of dropout(x of shape {}{on}, rate {rate}, seed {s}) against rng.random::<f64>() drawn once per element in row-major order",
                    fmt_shape(&shape)
                )
            };
            agrees(what, &expected.view(), &mask, FORWARD)?;
            agrees(|| format!("dropout(x of shape {}{on}, rate {rate}) against x times that mask", fmt_shape(&shape)), &(&x * &expected).view(), &out, FORWARD)?;
            ensure(next == expected_next, || {
                format!(
                    "dropout(x of shape {}, rate {rate}, seed {s}) drew other than one number per element: the generator is not where {} draws leave it",
                    fmt_shape(&shape),
                    shape.iter().product::<usize>()
                )
            })
        },
    );
    c.check("edge: an empty array draws nothing and gives empty arrays", || {
        let x = ArrayD::<f64>::zeros(IxDyn(&[0, 3]));
        let (out, mask, next) =
            f(x.view(), 0.5, seed, true).map_err(|e| format!("dropout(an empty (0, 3), rate 0.5) refused: {e}"))?;
        ensure(out.shape() == [0, 3] && mask.shape() == [0, 3], || {
            format!("dropout(an empty (0, 3)): output {} and mask {}", fmt_shape(out.shape()), fmt_shape(mask.shape()))
        })?;
        ensure(next == rand::Rng::next_u64(&mut rng(seed)), || {
            "dropout(an empty (0, 3)) drew random numbers".to_string()
        })
    });
    c.check("contract: evaluation mode leaves the generator untouched", || {
        [0.0, 0.5, 1.0].iter().try_for_each(|&rate| {
            let x = nonzero(&[3, 4, 5], seed);
            let (_, _, next) = f(x.view(), rate, seed, false)
                .map_err(|e| format!("dropout(x of shape (3, 4, 5), rate {rate}) in evaluation refused: {e}"))?;
            let untouched = rand::Rng::next_u64(&mut rng(seed));
            ensure(next == untouched, || {
                format!("dropout(x of shape (3, 4, 5), rate {rate}) in evaluation mode drew from the generator; evaluation must not consume random numbers")
            })
        })
    });
    c.property(
        "property: on permuted, sliced and reversed views too, the output is x times the mask",
        (shapes(), select(Layout::ALL.to_vec())),
        |(shape, layout)| {
            let x = nonzero(&shape, seed);
            let strided = Strided::new(&x, layout);
            let [out, mask] = run(f, strided.view(), 0.5, seed, true)?;
            let what = || {
                format!(
                    "dropout(x of shape {} as a {}, rate 0.5) against x times its mask",
                    fmt_shape(&shape),
                    layout.describe()
                )
            };
            ensure(mask.shape() == x.shape(), || {
                format!("{}: the mask's shape is {}", what(), fmt_shape(mask.shape()))
            })?;
            agrees(what, &(&x * &mask).view(), &out, FORWARD)
        },
    );
    c.check("refuses a rate below 0, above 1 or NaN with a ShapeError", || {
        let x = ArrayD::<f64>::zeros(IxDyn(&[2, 3]));
        [-0.1, 1.5, f64::NAN].into_iter().try_for_each(|rate| match f(x.view(), rate, seed, true) {
            Err(e) if e.function == "dropout" => Ok(()),
            Err(e) => Err(format!("dropout at rate {rate}: the error names {} instead of dropout", e.function)),
            Ok(_) => Err(format!("dropout at rate {rate}: expected a ShapeError, got a result")),
        })
    });
}

/// Shapes of 1 to 4 axes of 1 to 5 elements.
fn shapes() -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(1..=5usize, 1..=4)
}

pub fn dropout_backward(imp: &Implementation, c: &mut Checker) {
    let (f, b) = (imp.softmax.dropout, imp.softmax.dropout_backward);
    let name = "dropout_backward";
    let grad = |mask: ArrayViewD<f64>, g: ArrayViewD<f64>| {
        let shape = fmt_shape(mask.shape());
        b(mask, g).map_err(|e| format!("{name}(mask of shape {shape}) refused a valid input: {e}"))
    };
    c.check("worked example: mask (0, 2, 2, 0) and grad_out (1, 2, 3, 4) give (0, 4, 6, 0)", || {
        let vector = |v: Vec<f64>| ArrayD::from_shape_vec(IxDyn(&[4]), v).expect("4");
        let actual = grad(vector(vec![0.0, 2.0, 2.0, 0.0]).view(), vector(vec![1.0, 2.0, 3.0, 4.0]).view())?;
        agrees(
            || format!("{name}(mask (0, 2, 2, 0), grad_out (1, 2, 3, 4))"),
            &vector(vec![0.0, 4.0, 6.0, 0.0]).view(),
            &actual,
            FORWARD,
        )
    });
    let differences = |(shape, rate, seed, layout): (Vec<usize>, f64, u64, Option<Layout>)| -> Outcome {
        let x = nonzero(&shape, seed);
        let g = uniform(IxDyn(&shape), &mut rng(seed ^ 2));
        let [_, mask] = run(f, x.view(), rate, seed, true)?;
        let claimed = match layout {
            None => grad(mask.view(), g.view())?,
            Some(layout) => {
                let (m, gs) = (Strided::new(&mask, layout), Strided::new(&g, layout));
                grad(m.view(), gs.view())?
            }
        };
        // The same seed draws the same mask for every x: a fixed linear map.
        let forward = |x: &ArrayD<f64>| match f(x.view(), rate, seed, true) {
            Ok((out, _, _)) if out.shape() == x.shape() => out,
            _ => ArrayD::from_elem(x.raw_dim(), f64::NAN),
        };
        let on = layout.map(|l| format!(", as a {}", l.describe())).unwrap_or_default();
        gradient_agrees(forward, &x, &g, claimed.view(), GRADIENT, |mismatch| {
            format!(
                "{name}(x of shape {}{on}, rate {rate}): {mismatch} (expected: central differences of dropout with the seed held)",
                fmt_shape(&shape)
            )
        })
    };
    c.property_cases(
        "finite differences of sum(g * dropout(x)) with the seed, so the mask, held fixed",
        48,
        (shapes(), select(vec![0.0, 0.3, 0.5, 0.8, 1.0]), any::<u64>()),
        |(shape, rate, seed)| differences((shape, rate, seed, None)),
    );
    c.property_cases(
        "finite differences, with the mask and g given as permuted, sliced or reversed views",
        48,
        (shapes(), select(vec![0.3, 0.5]), any::<u64>(), select(Layout::ALL.to_vec())),
        |(shape, rate, seed, layout)| differences((shape, rate, seed, Some(layout))),
    );
    c.property(
        "contract: grad_out times the mask, exactly, for masks of any rate and any layout",
        (shapes(), select(vec![0.1, 0.5, 0.9]), any::<u64>(), proptest::option::of(select(Layout::ALL.to_vec()))),
        |(shape, rate, s, layout)| {
            let (mask, _) = contract_mask(&shape, rate, s);
            let g = uniform(IxDyn(&shape), &mut rng(s ^ 2)) * 1e3;
            let actual = match layout {
                None => grad(mask.view(), g.view())?,
                Some(layout) => grad(Strided::new(&mask, layout).view(), Strided::new(&g, layout).view())?,
            };
            let on = layout.map(|l| format!(" as a {}", l.describe())).unwrap_or_default();
            agrees(
                || {
                    format!(
                        "{name}(mask of shape {}{on}, rate {rate}) against grad_out * mask, to the last bit",
                        fmt_shape(&shape)
                    )
                },
                &(&g * &mask).view(),
                &actual,
                EXACT,
            )
        },
    );
    c.check("refuses a grad_out not shaped like the mask", || {
        let mask = ArrayD::<f64>::ones(IxDyn(&[2, 3]));
        [vec![3, 2], vec![6], vec![2, 3, 1]].into_iter().try_for_each(|shape| {
            let g = ArrayD::<f64>::zeros(IxDyn(&shape));
            match b(mask.view(), g.view()) {
                Err(e) if e.function == name => Ok(()),
                Err(e) => {
                    Err(format!("{name}(mask (2, 3), grad_out {}): the error names {}", fmt_shape(&shape), e.function))
                }
                Ok(_) => Err(format!(
                    "{name}(mask (2, 3), grad_out {}): expected a ShapeError, got a gradient",
                    fmt_shape(&shape)
                )),
            }
        })
    });
}
