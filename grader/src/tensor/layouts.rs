//! Test tensors: layouts from golden files and from proptest, read back
//! through ndarray, which does the index arithmetic independently.

use std::fmt;
use std::sync::Arc;

use ndarray::{ArrayView, ArrayViewD, IxDyn, ShapeBuilder, Slice};
use numeric::fmt_shape;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use serde::Deserialize;

use crate::check::with_picture;
use crate::tensor::TensorData;

/// A tensor's layout over a storage holding `0, 1, 2, ...`, so that every
/// element read back is the storage slot it came from.
#[derive(Clone, PartialEq, Deserialize)]
pub struct Layout {
    pub storage_len: usize,
    pub shape: Vec<usize>,
    pub strides: Vec<usize>,
    pub offset: usize,
}

impl Layout {
    /// The tensor this layout describes.
    pub fn tensor(&self) -> TensorData {
        let storage: Arc<[f64]> = (0..self.storage_len).map(|v| v as f64).collect();
        TensorData::with_storage(storage, self.shape.clone(), self.strides.clone(), self.offset)
            .expect("test layouts fit their storage")
    }

    /// A contiguous layout of `shape` after `pad` unused slots.
    pub fn row_major(shape: &[usize], pad: usize) -> Layout {
        let standard = ndarray::ArrayD::<f64>::zeros(IxDyn(shape));
        Layout {
            storage_len: pad + standard.len(),
            shape: shape.to_vec(),
            strides: standard.strides().iter().map(|&s| s as usize).collect(),
            offset: pad,
        }
    }
}

impl fmt::Debug for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", describe(&self.tensor()))
    }
}

/// `shape (2, 3) strides (1, 2) offset 1`: how messages name a tensor.
pub fn describe(t: &TensorData) -> String {
    format!("shape {} strides {} offset {}", fmt_shape(t.shape()), fmt_shape(t.strides()), t.offset())
}

/// The tensor as an ndarray view: ndarray computes every position itself.
pub fn as_ndarray(t: &TensorData) -> Result<ArrayViewD<'_, f64>, String> {
    let storage = t.storage().get(t.offset()..).unwrap_or(&[]);
    ArrayView::from_shape(IxDyn(t.shape()).strides(IxDyn(t.strides())), storage)
        .map_err(|e| format!("ndarray cannot read {}: {e}", describe(t)))
}

/// Row-major strides as ndarray gives them to a fresh array.
pub fn standard_strides(shape: &[usize]) -> Vec<usize> {
    Layout::row_major(shape, 0).strides
}

/// The first index where two tensors (or arrays) differ, as a message.
pub fn compare(expected: &ArrayViewD<f64>, actual: &ArrayViewD<f64>) -> Result<(), String> {
    if expected.shape() != actual.shape() {
        return Err(format!("shape: expected {}, got {}", fmt_shape(expected.shape()), fmt_shape(actual.shape())));
    }
    match numeric::gradcheck::first_mismatch(expected.view(), actual.view(), numeric::gradcheck::FORWARD) {
        Some(m) => Err(with_picture(format!("element {m}"), expected, actual, numeric::gradcheck::FORWARD)),
        None => Ok(()),
    }
}

/// Shapes of up to `max_ndim` axes of length 1 to 4.
pub fn shapes(max_ndim: usize) -> impl Strategy<Value = Vec<usize>> {
    vec(1usize..=4, 0..=max_ndim)
}

/// Contiguous layouts, sometimes after a few unused slots.
pub fn row_major(max_ndim: usize) -> impl Strategy<Value = Layout> {
    (shapes(max_ndim), 0usize..3).prop_map(|(shape, pad)| Layout::row_major(&shape, pad))
}

/// Layouts as ndarray makes them: a row-major block after a few unused
/// slots, then maybe sliced with steps and its axes permuted. Many are not
/// contiguous.
///
/// Every part is drawn independently (no `prop_flat_map`), so proptest
/// shrinks a failure quickly, towards fewer axes, shorter axes and no
/// transformation.
pub fn strided(max_ndim: usize) -> impl Strategy<Value = Layout> {
    let cuts = vec((0usize..3, 1isize..3), max_ndim);
    (shapes(max_ndim), 0usize..3, order_keys(max_ndim), cuts, any::<bool>()).prop_map(
        |(shape, pad, keys, cuts, transform)| {
            let base = Layout::row_major(&shape, pad);
            if !transform {
                return base;
            }
            let storage = vec![0.0f64; base.storage_len];
            let block = ArrayView::from_shape(IxDyn(&shape), &storage[pad..]).expect("the block fits");
            let mut cut = cuts.iter();
            let sliced = block.slice_each_axis(|axis| {
                let (start, step) = *cut.next().expect("one cut per axis");
                Slice::new(start.min(axis.len - 1) as isize, None, step)
            });
            let moved = sliced.permuted_axes(IxDyn(&order(&keys, shape.len())));
            Layout {
                storage_len: base.storage_len,
                shape: moved.shape().to_vec(),
                strides: moved.strides().iter().map(|&s| s as usize).collect(),
                offset: (moved.as_ptr() as usize - storage.as_ptr() as usize) / size_of::<f64>(),
            }
        },
    )
}

/// Keys that [`order`] turns into a permutation; they shrink towards all
/// equal, which is the identity.
pub fn order_keys(max_ndim: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), max_ndim)
}

/// The permutation of `0..n` that sorts the first `n` keys (ties keep
/// their order).
pub fn order(keys: &[u8], n: usize) -> Vec<usize> {
    let mut axes: Vec<usize> = (0..n).collect();
    axes.sort_by_key(|&axis| keys[axis]);
    axes
}

/// Picks one coordinate per axis of `shape`.
pub fn pick_index(shape: &[usize], picks: &[Index]) -> Vec<usize> {
    shape.iter().zip(picks).map(|(&d, pick)| pick.index(d)).collect()
}

/// A layout with an index inside it.
pub fn strided_with_index(max_ndim: usize) -> impl Strategy<Value = (Layout, Vec<usize>)> {
    (strided(max_ndim), vec(any::<Index>(), max_ndim)).prop_map(|(layout, picks)| {
        let index = pick_index(&layout.shape, &picks);
        (layout, index)
    })
}
