//! Checks of `is_contiguous`, `permute`, `view`, `contiguous` and `get`.

use ndarray::IxDyn;
use numeric::{fmt_shape, fmt_value};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use serde::Deserialize;

use crate::tensor::TensorData;

use super::layouts::{self, Layout, as_ndarray, compare, describe, standard_strides};
use crate::check::{Outcome, ensure, same, same_dims, same_value, same_values};
use crate::{Checker, Implementation, golden};

#[derive(Deserialize)]
struct Golden {
    is_contiguous: Vec<ContiguityCase>,
    permute: Vec<PermuteCase>,
    view: Vec<ViewCase>,
    contiguous: Vec<CopyCase>,
    get: Vec<GetCase>,
}

#[derive(Deserialize)]
struct ContiguityCase {
    #[serde(flatten)]
    layout: Layout,
    contiguous: bool,
}

#[derive(Deserialize)]
struct PermuteCase {
    #[serde(flatten)]
    layout: Layout,
    order: Vec<usize>,
    result_shape: Vec<usize>,
    result_strides: Vec<usize>,
}

#[derive(Deserialize)]
struct ViewCase {
    #[serde(flatten)]
    layout: Layout,
    new_shape: Vec<usize>,
    ok: bool,
    result_strides: Option<Vec<usize>>,
}

#[derive(Deserialize)]
struct CopyCase {
    #[serde(flatten)]
    layout: Layout,
    values: Vec<f64>,
}

#[derive(Deserialize)]
struct GetCase {
    #[serde(flatten)]
    layout: Layout,
    index: Vec<usize>,
    value: f64,
}

fn golden() -> Golden {
    golden::parse(golden::TENSOR)
}

fn tensor(values: Vec<f64>, shape: &[usize], strides: &[usize], offset: usize) -> Result<TensorData, String> {
    TensorData::with_storage(values.into(), shape.to_vec(), strides.to_vec(), offset).map_err(|e| e.to_string())
}

/// Checks that `result` is an error naming `function`.
fn refused<T: std::fmt::Debug>(call: &str, function: &str, result: Result<T, crate::ShapeError>) -> Outcome {
    match result {
        Ok(value) => Err(format!("{call}: expected an error, got {value:?}")),
        Err(e) => {
            ensure(e.to_string().contains(function), || format!("{call}: the error \"{e}\" should name {function}"))
        }
    }
}

pub fn is_contiguous(imp: &Implementation, c: &mut Checker) {
    let f = imp.tensor.is_contiguous;
    let says = |t: &TensorData, expected: bool| same(|| format!("is_contiguous({})", describe(t)), expected, f(t));
    c.check("worked example: the grid (4, 2) with strides (2, 1) is contiguous", || {
        says(&tensor(vec![0.0; 8], &[4, 2], &[2, 1], 0)?, true)
    });
    c.check("worked example: its permute (2, 4) with strides (1, 2) is not", || {
        says(&tensor(vec![0.0; 8], &[2, 4], &[1, 2], 0)?, false)
    });
    c.check("edge: axes of size 1 and the offset do not matter", || {
        says(&tensor(vec![0.0; 5], &[1, 3, 1], &[7, 1, 9], 2)?, true)
    });
    c.check("edge: an empty tensor is contiguous whatever its strides; a zero stride on a long axis is not", || {
        says(&tensor(vec![], &[0, 3], &[5, 7], 0)?, true)?;
        says(&tensor(vec![], &[4, 0], &[0, 0], 0)?, true)?;
        says(&tensor(vec![0.0], &[1000], &[0], 0)?, false)?;
        says(&tensor(vec![0.0; 3], &[1000, 3], &[0, 1], 0)?, false)
    });
    c.check("golden: numpy's C_CONTIGUOUS flag", || {
        golden().is_contiguous.iter().try_for_each(|case| says(&case.layout.tensor(), case.contiguous))
    });
    c.property("property: ndarray's is_standard_layout", layouts::strided(4), |layout| {
        let t = layout.tensor();
        says(&t, as_ndarray(&t)?.is_standard_layout())
    });
}

/// Checks `permute(t, order)` against ndarray's `permuted_axes`: same
/// storage, same offset, the same element at every index.
fn permutes(f: super::Functions, t: &TensorData, order: &[usize]) -> Outcome {
    let call = format!("permute({}, order {})", describe(t), fmt_shape(order));
    let p = (f.permute)(t, order).map_err(|e| format!("{call}: expected a tensor, got the error \"{e}\""))?;
    ensure(p.shares_storage(t), || format!("{call}: the result copied the storage; a permute moves no data"))?;
    same(|| format!("{call}: offset"), t.offset(), p.offset())?;
    let expected = as_ndarray(t)?.permuted_axes(IxDyn(order));
    let expected_strides: Vec<usize> = expected.strides().iter().map(|&s| s as usize).collect();
    ensure(p.strides() == expected_strides, || {
        format!("{call}: strides: expected {}, got {}", fmt_shape(&expected_strides), fmt_shape(p.strides()))
    })?;
    compare(&expected, &as_ndarray(&p)?).map_err(|e| format!("{call}: {e}"))
}

pub fn permute(imp: &Implementation, c: &mut Checker) {
    let f = imp.tensor;
    // (shape, strides, order, shape of the result, strides of the result), from the chapter.
    let examples: [[&[usize]; 5]; 3] = [
        [&[4, 2], &[2, 1], &[1, 0], &[2, 4], &[1, 2]],
        [&[4, 2, 2], &[4, 2, 1], &[2, 0, 1], &[2, 4, 2], &[1, 4, 2]],
        [&[2, 3, 4], &[12, 4, 1], &[2, 0, 1], &[4, 2, 3], &[1, 12, 4]],
    ];
    for [shape, strides, order, want_shape, want_strides] in examples {
        let name = format!(
            "worked example: shape {} strides {} in order {} is shape {} strides {}",
            fmt_shape(shape),
            fmt_shape(strides),
            fmt_shape(order),
            fmt_shape(want_shape),
            fmt_shape(want_strides)
        );
        c.check(&name, || {
            let size = shape.iter().product::<usize>();
            let t = tensor((0..size).map(|v| v as f64).collect(), shape, strides, 0)?;
            let p = (f.permute)(&t, order).map_err(|e| e.to_string())?;
            let call = || format!("permute({}, order {})", describe(&t), fmt_shape(order));
            same_dims(|| format!("{}: shape", call()), want_shape, p.shape())?;
            same_dims(|| format!("{}: strides", call()), want_strides, p.strides())?;
            permutes(f, &t, order)
        });
    }
    c.check("refuses an order that is not a permutation", || {
        let t = tensor(vec![0.0; 24], &[2, 3, 4], &[12, 4, 1], 0)?;
        for order in [&[0, 0, 1][..], &[0, 1], &[0, 1, 3], &[0, 1, 2, 3]] {
            refused(
                &format!("permute({}, order {})", describe(&t), fmt_shape(order)),
                "permute",
                (f.permute)(&t, order),
            )?;
        }
        Ok(())
    });
    c.check("golden: numpy's transpose", || {
        golden().permute.iter().try_for_each(|case| {
            let t = case.layout.tensor();
            permutes(f, &t, &case.order)?;
            let p = (f.permute)(&t, &case.order).map_err(|e| e.to_string())?;
            ensure(p.shape() == case.result_shape && p.strides() == case.result_strides, || {
                format!(
                    "permute({}, order {}): expected shape {} strides {}, got {}",
                    describe(&t),
                    fmt_shape(&case.order),
                    fmt_shape(&case.result_shape),
                    fmt_shape(&case.result_strides),
                    describe(&p)
                )
            })
        })
    });
    let permuted = (layouts::strided(4), layouts::order_keys(4)).prop_map(|(layout, keys)| {
        let order = layouts::order(&keys, layout.shape.len());
        (layout, order)
    });
    c.property("property: ndarray's permuted_axes, on permuted and sliced views", permuted, |(layout, order)| {
        permutes(f, &layout.tensor(), &order)
    });
    let broken = (layouts::strided(4), vec(0usize..5, 0..6)).prop_filter("not a permutation", |(layout, order)| {
        let mut sorted = order.clone();
        sorted.sort_unstable();
        sorted != (0..layout.shape.len()).collect::<Vec<_>>()
    });
    c.property("property: orders that are not permutations are errors", broken, |(layout, order)| {
        let t = layout.tensor();
        refused(&format!("permute({}, order {})", describe(&t), fmt_shape(&order)), "permute", (f.permute)(&t, &order))
    });
}

/// Checks that `view(t, shape)` shares storage and reads what ndarray's
/// row-major reshape of `t` reads.
fn views_as(f: super::Functions, t: &TensorData, shape: &[usize]) -> Outcome {
    let call = format!("view({}, {})", describe(t), fmt_shape(shape));
    let v = (f.view)(t, shape).map_err(|e| format!("{call}: expected a tensor, got the error \"{e}\""))?;
    ensure(v.shares_storage(t), || format!("{call}: the result copied the storage; a view moves no data"))?;
    same_dims(|| format!("{call}: shape"), shape, v.shape())?;
    same_dims(|| format!("{call}: strides"), &standard_strides(shape)[..], v.strides())?;
    let expected = as_ndarray(t)?.into_shape_with_order(IxDyn(shape)).map_err(|e| format!("{call}: ndarray: {e}"))?;
    compare(&expected, &as_ndarray(&v)?).map_err(|e| format!("{call}: {e}"))
}

/// A contiguous layout and another shape with as many elements: its sizes
/// reordered, neighbours multiplied together, axes of size 1 inserted.
fn reshaped(max_ndim: usize) -> impl Strategy<Value = (Layout, Vec<usize>)> {
    let merges = vec(any::<bool>(), max_ndim);
    let ones = vec(any::<Index>(), 0..2);
    (layouts::row_major(max_ndim), layouts::order_keys(max_ndim), merges, ones).prop_map(
        |(layout, keys, merges, ones)| {
            let mut shape: Vec<usize> = Vec::new();
            for (axis, merge) in layouts::order(&keys, layout.shape.len()).into_iter().zip(merges) {
                let d = layout.shape[axis];
                match shape.last_mut() {
                    Some(last) if merge => *last *= d,
                    _ => shape.push(d),
                }
            }
            for at in ones {
                shape.insert(at.index(shape.len() + 1), 1);
            }
            (layout, shape)
        },
    )
}

pub fn view(imp: &Implementation, c: &mut Checker) {
    let f = imp.tensor;
    c.check("worked example: 8 contiguous elements viewed as (4, 2) have strides (2, 1)", || {
        views_as(f, &tensor((0..8).map(f64::from).collect(), &[8], &[1], 0)?, &[4, 2])
    });
    c.check("worked example: the permuted grid (2, 4) with strides (1, 2) cannot be viewed as (8,)", || {
        let permuted = tensor((0..8).map(f64::from).collect(), &[2, 4], &[1, 2], 0)?;
        refused("view(shape (2, 4) strides (1, 2) offset 0, (8,))", "view", (f.view)(&permuted, &[8]))
    });
    c.check("refuses a view with another number of elements", || {
        let t = tensor((0..8).map(f64::from).collect(), &[8], &[1], 0)?;
        refused("view(shape (8,) strides (1,), (3, 3))", "view", (f.view)(&t, &[3, 3]))
    });
    c.check("edge: an empty tensor views as any shape without elements", || {
        let empty = tensor(vec![], &[0, 3], &[3, 1], 0)?;
        let v =
            (f.view)(&empty, &[3, 0]).map_err(|e| format!("view(shape (0, 3) strides (3, 1), (3, 0)) refused: {e}"))?;
        same_dims(|| "view(shape (0, 3) strides (3, 1), (3, 0)): the shape".into(), &[3, 0], v.shape())?;
        refused("view(shape (0, 3) strides (3, 1), (1,))", "view", (f.view)(&empty, &[1]))
    });
    c.check("golden: numpy's reshape of contiguous arrays", || {
        golden().view.iter().try_for_each(|case| {
            let t = case.layout.tensor();
            let call = format!("view({}, {})", describe(&t), fmt_shape(&case.new_shape));
            match &case.result_strides {
                Some(strides) if case.ok => {
                    views_as(f, &t, &case.new_shape)?;
                    let v = (f.view)(&t, &case.new_shape).map_err(|e| e.to_string())?;
                    same_dims(|| format!("{call}: strides"), &strides[..], v.strides())
                }
                _ => refused(&call, "view", (f.view)(&t, &case.new_shape)),
            }
        })
    });
    c.property("property: ndarray's reshape, after an offset", reshaped(4), |(layout, shape)| {
        views_as(f, &layout.tensor(), &shape)
    });
    let scattered = layouts::strided(4).prop_filter_map("needs a non-contiguous layout", |layout| {
        let t = layout.tensor();
        let standard = as_ndarray(&t).map(|a| a.is_standard_layout()).unwrap_or(true);
        (!standard).then(|| (layout.clone(), vec![t.size()]))
    });
    c.property("property: non-contiguous views are errors", scattered, |(layout, shape)| {
        let t = layout.tensor();
        refused(&format!("view({}, {})", describe(&t), fmt_shape(&shape)), "view", (f.view)(&t, &shape))
    });
}

/// Checks that `contiguous(t)` is row-major with the elements of `t`.
fn copies(f: super::Functions, t: &TensorData) -> Outcome {
    let call = format!("contiguous({})", describe(t));
    let copy = (f.contiguous)(t);
    same_dims(|| format!("{call}: strides"), &standard_strides(t.shape())[..], copy.strides())?;
    compare(&as_ndarray(t)?, &as_ndarray(&copy)?).map_err(|e| format!("{call}: {e}"))
}

pub fn contiguous(imp: &Implementation, c: &mut Checker) {
    let f = imp.tensor;
    c.check("worked example: the permuted grid (2, 4) with strides (1, 2) is copied as 0, 2, 4, 6, 1, 3, 5, 7", || {
        let t = tensor((0..8).map(f64::from).collect(), &[2, 4], &[1, 2], 0)?;
        copies(f, &t)?;
        let copy = (f.contiguous)(&t);
        let rows = layouts::as_ndarray(&copy)?.iter().copied().collect::<Vec<_>>();
        let expected = vec![0.0, 2.0, 4.0, 6.0, 1.0, 3.0, 5.0, 7.0];
        same_values(|| "contiguous(shape (2, 4) strides (1, 2) offset 0): elements in order".into(), &expected, &rows)
    });
    c.check("edge: an empty tensor copies to an empty one of its shape", || {
        let empty = tensor(vec![], &[2, 0, 3], &[9, 4, 1], 0)?;
        let copy = (f.contiguous)(&empty);
        same_dims(|| "contiguous(shape (2, 0, 3) strides (9, 4, 1)): the shape".into(), &[2, 0, 3], copy.shape())
    });
    c.check("golden: numpy's ascontiguousarray", || {
        golden().contiguous.iter().try_for_each(|case| {
            let t = case.layout.tensor();
            copies(f, &t)?;
            let copy = (f.contiguous)(&t);
            let values = as_ndarray(&copy)?.iter().copied().collect::<Vec<_>>();
            same_values(|| format!("contiguous({}): elements in row-major order", describe(&t)), &case.values, &values)
        })
    });
    c.property("property: the elements ndarray reads, on permuted and sliced views", layouts::strided(4), |layout| {
        copies(f, &layout.tensor())
    });
}

pub fn get(imp: &Implementation, c: &mut Checker) {
    let f = imp.tensor.get;
    let reads = |t: &TensorData, index: &[usize], expected: f64| {
        let call = || format!("get({}, {})", describe(t), fmt_shape(index));
        match f(t, index) {
            Ok(actual) => same_value(call, expected, actual),
            Err(e) => Err(format!("{}: expected {}, got the error \"{e}\"", call(), fmt_value(expected))),
        }
    };
    c.check("worked example: row 2 of the grid, index (1,) reads slot 5", || {
        reads(&tensor((0..8).map(f64::from).collect(), &[2], &[1], 4)?, &[1], 5.0)
    });
    c.check("worked example: a grid stored by columns after one unused slot", || {
        let t = tensor(vec![9.0, 1.0, 3.0, 2.0, 4.0], &[2, 2], &[1, 2], 1)?;
        reads(&t, &[0, 1], 2.0)?;
        reads(&t, &[1, 0], 3.0)
    });
    c.check("refuses an index out of range or of the wrong rank", || {
        let t = tensor(vec![0.0; 6], &[2, 3], &[3, 1], 0)?;
        for index in [&[2, 0][..], &[0, 3], &[0], &[0, 0, 0]] {
            refused(&format!("get({}, {})", describe(&t), fmt_shape(index)), "get", f(&t, index))?;
        }
        Ok(())
    });
    c.check("golden: numpy's indexing of strided views", || {
        golden().get.iter().try_for_each(|case| reads(&case.layout.tensor(), &case.index, case.value))
    });
    c.property("property: the element ndarray reads", layouts::strided_with_index(5), |(layout, index)| {
        let t = layout.tensor();
        let expected = as_ndarray(&t)?[IxDyn(&index)];
        reads(&t, &index, expected)
    });
}
