//! Checks of `contiguous_strides`, `index_to_position` and `to_index`.

use ndarray::{Dimension, IxDyn, indices};
use numeric::fmt_shape;
use serde::Deserialize;

use super::layouts::{self, Layout, as_ndarray, standard_strides};
use crate::check::{Outcome, ensure, same};
use crate::{Checker, Implementation, golden};

#[derive(Deserialize)]
struct Golden {
    contiguous_strides: Vec<StridesCase>,
    index_to_position: Vec<PositionCase>,
    to_index: Vec<IndexCase>,
}

#[derive(Deserialize)]
struct StridesCase {
    shape: Vec<usize>,
    strides: Vec<usize>,
}

#[derive(Deserialize)]
struct PositionCase {
    index: Vec<usize>,
    strides: Vec<usize>,
    position: usize,
}

#[derive(Deserialize)]
struct IndexCase {
    shape: Vec<usize>,
    ordinal: usize,
    index: Vec<usize>,
}

fn strides_are(f: &'static dyn Fn(&[usize]) -> Vec<usize>, shape: &[usize], expected: &[usize]) -> Outcome {
    let actual = f(shape);
    ensure(actual == expected, || {
        format!(
            "contiguous_strides({}): expected {}, got {}",
            fmt_shape(shape),
            fmt_shape(expected),
            fmt_shape(&actual)
        )
    })
}

pub fn contiguous_strides(imp: &Implementation, c: &mut Checker) {
    let f = imp.tensor.contiguous_strides;
    c.check("worked example: shape (4, 2, 2) has strides (4, 2, 1)", || strides_are(f, &[4, 2, 2], &[4, 2, 1]));
    c.check("edge: a tensor with no axes has no strides", || strides_are(f, &[], &[]));
    c.check("golden: strides of fresh numpy arrays", || {
        let golden: Golden = golden::parse(golden::TENSOR);
        golden.contiguous_strides.iter().try_for_each(|case| strides_are(f, &case.shape, &case.strides))
    });
    c.property("property: the strides of a fresh ndarray array", layouts::shapes(6), |shape| {
        strides_are(f, &shape, &standard_strides(&shape))
    });
}

fn position_is(
    f: &'static dyn Fn(&[usize], &[usize]) -> usize,
    index: &[usize],
    strides: &[usize],
    expected: usize,
) -> Outcome {
    same(
        || format!("index_to_position(index {}, strides {})", fmt_shape(index), fmt_shape(strides)),
        expected,
        f(index, strides),
    )
}

pub fn index_to_position(imp: &Implementation, c: &mut Checker) {
    let f = imp.tensor.index_to_position;
    c.check("worked example: index (3, 1) with strides (2, 1) is at 7", || position_is(f, &[3, 1], &[2, 1], 7));
    c.check("worked example: index (1, 3) with strides (1, 2) is at 7", || position_is(f, &[1, 3], &[1, 2], 7));
    c.check("edge: the index of a tensor with no axes is at 0", || position_is(f, &[], &[], 0));
    c.check("golden: positions numpy reads in strided views", || {
        let golden: Golden = golden::parse(golden::TENSOR);
        golden.index_to_position.iter().try_for_each(|case| position_is(f, &case.index, &case.strides, case.position))
    });
    c.property(
        "property: the position ndarray reads in permuted and sliced views",
        layouts::strided_with_index(5),
        |(layout, index): (Layout, Vec<usize>)| {
            let t = layout.tensor();
            // The storage holds 0, 1, 2, ...: the element ndarray reads is its slot.
            let slot = as_ndarray(&t)?[IxDyn(&index)] as usize;
            position_is(f, &index, t.strides(), slot - t.offset())
        },
    );
}

pub fn to_index(imp: &Implementation, c: &mut Checker) {
    let f = imp.tensor.to_index;
    let index_is = |ordinal: usize, shape: &[usize], expected: &[usize]| {
        let actual = f(ordinal, shape);
        ensure(actual == expected, || {
            format!(
                "to_index({ordinal}, shape {}): expected {}, got {}",
                fmt_shape(shape),
                fmt_shape(expected),
                fmt_shape(&actual)
            )
        })
    };
    c.check("worked example: in shape (2, 3), ordinal 4 is index (1, 1)", || index_is(4, &[2, 3], &[1, 1]));
    c.check("worked example: in shape (2, 3), ordinal 5 is index (1, 2)", || index_is(5, &[2, 3], &[1, 2]));
    c.check("worked example: in shape (4, 2, 2), ordinal 13 is index (3, 0, 1)", || {
        index_is(13, &[4, 2, 2], &[3, 0, 1])
    });
    c.check("worked example: in shape (10, 10, 10), ordinal 472 is index (4, 7, 2)", || {
        index_is(472, &[10, 10, 10], &[4, 7, 2])
    });
    c.check("golden: numpy's unravel_index", || {
        let golden: Golden = golden::parse(golden::TENSOR);
        golden.to_index.iter().try_for_each(|case| index_is(case.ordinal, &case.shape, &case.index))
    });
    c.property(
        "property: ordinals 0, 1, 2, ... visit every index once, in ndarray's row-major order",
        layouts::shapes(5),
        |shape| {
            indices(IxDyn(&shape))
                .into_iter()
                .enumerate()
                .try_for_each(|(ordinal, expected)| index_is(ordinal, &shape, expected.slice()))
        },
    );
}
