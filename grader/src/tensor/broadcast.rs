//! Checks of `shape_broadcast` and `broadcast_index`.

use ndarray::{ArrayD, Dimension, IxDyn};
use numeric::fmt_shape;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use serde::Deserialize;

use super::layouts;
use crate::check::{Outcome, ensure};
use crate::{Checker, Implementation, golden};

#[derive(Deserialize)]
struct Golden {
    shape_broadcast: Vec<BroadcastCase>,
    broadcast_index: Vec<IndexCase>,
}

#[derive(Deserialize)]
struct BroadcastCase {
    a: Vec<usize>,
    b: Vec<usize>,
    result: Option<Vec<usize>>,
}

#[derive(Deserialize)]
struct IndexCase {
    big_index: Vec<usize>,
    big_shape: Vec<usize>,
    shape: Vec<usize>,
    index: Vec<usize>,
}

type Broadcast = &'static dyn Fn(&[usize], &[usize]) -> Result<Vec<usize>, crate::ShapeError>;

/// Checks `f(a, b)` against `expected` (`None`: an error naming the function
/// and both shapes).
fn broadcasts_to(f: Broadcast, a: &[usize], b: &[usize], expected: Option<&[usize]>) -> Outcome {
    let call = || format!("shape_broadcast({}, {})", fmt_shape(a), fmt_shape(b));
    match (f(a, b), expected) {
        (Ok(actual), Some(expected)) => ensure(actual == expected, || {
            format!("{}: expected {}, got {}", call(), fmt_shape(expected), fmt_shape(&actual))
        }),
        (Ok(actual), None) => Err(format!("{}: expected an error, got {}", call(), fmt_shape(&actual))),
        (Err(e), Some(expected)) => Err(format!("{}: expected {}, got the error \"{e}\"", call(), fmt_shape(expected))),
        (Err(e), None) => {
            let message = e.to_string();
            let named = message.contains("shape_broadcast")
                && message.contains(&fmt_shape(a))
                && message.contains(&fmt_shape(b));
            ensure(named, || format!("{}: the error \"{message}\" should name shape_broadcast and both shapes", call()))
        }
    }
}

/// Two shapes that broadcast together: one shape with some axes set to 1
/// and some leading axes dropped, once for each side.
fn compatible() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    let side = || (vec(any::<bool>(), 4), any::<Index>());
    (layouts::shapes(4), side(), side()).prop_map(|(big, a, b)| {
        let derive = |(ones, dropped): (Vec<bool>, Index)| {
            let dropped = dropped.index(big.len() + 1);
            big.iter().zip(ones).skip(dropped).map(|(&d, one)| if one { 1 } else { d }).collect::<Vec<_>>()
        };
        (derive(a), derive(b))
    })
}

/// The shape ndarray's arithmetic broadcasts `a` and `b` to.
fn ndarray_broadcast(a: &[usize], b: &[usize]) -> Vec<usize> {
    (&ArrayD::<f64>::zeros(IxDyn(a)) + &ArrayD::<f64>::zeros(IxDyn(b))).shape().to_vec()
}

pub fn shape_broadcast(imp: &Implementation, c: &mut Checker) {
    let f = imp.tensor.shape_broadcast;
    c.check("worked example: (2, 3, 1) with (4,) gives (2, 3, 4)", || {
        broadcasts_to(f, &[2, 3, 1], &[4], Some(&[2, 3, 4]))
    });
    c.check("worked example: (5, 2) with (5,) is an error", || broadcasts_to(f, &[5, 2], &[5], None));
    c.check("edge: an axis of length 0 broadcasts like any other size", || {
        broadcasts_to(f, &[0], &[1], Some(&[0]))?;
        broadcasts_to(f, &[1], &[0], Some(&[0]))?;
        broadcasts_to(f, &[2, 0, 3], &[3], Some(&[2, 0, 3]))?;
        broadcasts_to(f, &[0], &[2], None)
    });
    c.check("golden: numpy's broadcast_shapes", || {
        let golden: Golden = golden::parse(golden::TENSOR);
        golden.shape_broadcast.iter().try_for_each(|case| broadcasts_to(f, &case.a, &case.b, case.result.as_deref()))
    });
    c.property("property: the shape ndarray's arithmetic broadcasts to", compatible(), |(a, b)| {
        broadcasts_to(f, &a, &b, Some(&ndarray_broadcast(&a, &b)))
    });
    let clash = (compatible(), 2usize..5).prop_filter_map("needs an axis in both shapes", |((a, b), size)| {
        let (mut a, mut b) = (a, b);
        let (la, lb) = (a.len(), b.len());
        (la > 0 && lb > 0).then(|| {
            a[la - 1] = size;
            b[lb - 1] = size + 1;
            (a, b)
        })
    });
    c.property("property: sizes that differ and are not 1 are an error", clash, |(a, b)| {
        broadcasts_to(f, &a, &b, None)
    });
}

pub fn broadcast_index(imp: &Implementation, c: &mut Checker) {
    let f = imp.tensor.broadcast_index;
    // Checks the index f maps `big_index` to by the element it reads: in a
    // tensor numbered 0, 1, 2, ..., stretched to `big` by ndarray.
    let reads = |big_index: &[usize], big: &[usize], small: &[usize]| -> Outcome {
        let call = || format!("broadcast_index({}, {}, {})", fmt_shape(big_index), fmt_shape(big), fmt_shape(small));
        let size = small.iter().product::<usize>();
        let numbered = ArrayD::from_shape_vec(IxDyn(small), (0..size).map(|v| v as f64).collect())
            .map_err(|e| format!("{}: {e}", call()))?;
        let stretched =
            numbered.broadcast(IxDyn(big)).ok_or_else(|| format!("{}: ndarray cannot broadcast", call()))?;
        let actual = f(big_index, big, small);
        let expected_value = stretched[IxDyn(big_index)];
        let in_range = actual.len() == small.len() && actual.iter().zip(small).all(|(i, d)| i < d);
        let expected_index = ndarray::indices(IxDyn(small)).into_iter().nth(expected_value as usize);
        let expected = expected_index.map(|i| i.slice().to_vec()).unwrap_or_default();
        ensure(in_range && numbered[IxDyn(&actual)] == expected_value, || {
            format!("{}: expected {}, got {}", call(), fmt_shape(&expected), fmt_shape(&actual))
        })
    };
    c.check("worked example: index (1, 2, 3) of (2, 3, 4) reads (2, 0) of (3, 1)", || {
        reads(&[1, 2, 3], &[2, 3, 4], &[3, 1])
    });
    c.check("worked example: index (3, 1) of (4, 2) reads (1,) of (2,)", || reads(&[3, 1], &[4, 2], &[2]));
    c.check("golden: numpy's broadcast_to", || {
        let golden: Golden = golden::parse(golden::TENSOR);
        golden.broadcast_index.iter().try_for_each(|case| {
            let actual = f(&case.big_index, &case.big_shape, &case.shape);
            ensure(actual == case.index, || {
                format!(
                    "broadcast_index({}, {}, {}): expected {}, got {}",
                    fmt_shape(&case.big_index),
                    fmt_shape(&case.big_shape),
                    fmt_shape(&case.shape),
                    fmt_shape(&case.index),
                    fmt_shape(&actual)
                )
            })
        })
    });
    let stretched = (compatible(), vec(any::<Index>(), 4)).prop_map(|((a, b), picks)| {
        let big = ndarray_broadcast(&a, &b);
        let index = layouts::pick_index(&big, &picks);
        (a, big, index)
    });
    c.property("property: the element ndarray's broadcast reads", stretched, |(small, big, big_index)| {
        reads(&big_index, &big, &small)
    });
}
