//! The provided strided tensor: a flat storage seen through a shape, strides
//! and an offset.

use std::fmt;
use std::sync::Arc;

use crate::error::{ShapeError, fmt_shape};
use crate::size::checked_size;

/// The flat numbers behind a tensor, shared (not copied) between views.
pub type Storage = Arc<[f64]>;
/// The length of each axis, outermost first.
pub type Shape = Vec<usize>;
/// How many storage slots one step along each axis moves.
pub type Strides = Vec<usize>;
/// A position in a tensor: one coordinate per axis.
pub type Index = Vec<usize>;

/// A tensor as storage plus layout: element `index` lives at storage slot
/// `offset + sum(index[i] * strides[i])`.
///
/// Cloning a `TensorData` clones the layout and shares the storage; a view
/// or a permute builds a new layout over the same storage with
/// [`TensorData::with_storage`]. The constructors check that every index the
/// layout can reach lands inside the storage, so reading any in-range index
/// of a `TensorData` never goes out of bounds, and that the shape is one an
/// array can have ([`checked_size`](crate::checked_size)), so its size and
/// its row-major strides never overflow a `usize`, even when an axis is 0.
#[derive(Clone, PartialEq)]
pub struct TensorData {
    storage: Storage,
    shape: Shape,
    strides: Strides,
    offset: usize,
}

impl TensorData {
    /// A tensor over fresh storage `values`, starting at slot 0.
    ///
    /// **Errors** when `shape` and `strides` have different lengths, some
    /// index would reach past the end of `values`, or no array can have
    /// `shape`: its lengths other than 0 multiply past `isize::MAX` (as for
    /// `(2^62, 4)`, or `(2^62, 0, 4)` whose strides would not fit), or it
    /// holds more than [`MAX_ELEMENTS`](crate::size::MAX_ELEMENTS) elements
    /// (a zero stride can give a small storage that many).
    pub fn new(values: Vec<f64>, shape: Shape, strides: Strides) -> Result<Self, ShapeError> {
        Self::with_storage(values.into(), shape, strides, 0)
    }

    /// A tensor over existing (possibly shared) storage: no data is copied.
    ///
    /// **Errors** as [`TensorData::new`], and when `offset` lies outside the
    /// storage of a non-empty tensor.
    pub fn with_storage(storage: Storage, shape: Shape, strides: Strides, offset: usize) -> Result<Self, ShapeError> {
        if shape.len() != strides.len() {
            return Err(ShapeError::new(
                "TensorData",
                format!("one stride per axis of shape {}", fmt_shape(&shape)),
                format!("strides {}", fmt_shape(&strides)),
            ));
        }
        if checked_size(&shape).is_none() {
            return Err(ShapeError::new(
                "TensorData",
                "a shape an array can have (at most 2^60 - 1 elements, lengths other than 0 multiplying to at most 2^63 - 1)",
                format!("shape {}", fmt_shape(&shape)),
            ));
        }
        if shape.contains(&0) {
            // No index exists, so no slot is ever read.
            return Ok(TensorData { storage, shape, strides, offset });
        }
        // The farthest slot any index reaches: every coordinate at its maximum.
        let last = shape
            .iter()
            .zip(&strides)
            .try_fold(offset, |sum, (&d, &s)| (d - 1).checked_mul(s).and_then(|step| sum.checked_add(step)));
        if last.is_none_or(|last| last >= storage.len()) {
            let reach = last.map_or("beyond any slot".to_string(), |last| format!("which reaches slot {last}"));
            return Err(ShapeError::new(
                "TensorData",
                format!("a layout inside a storage of {} elements", storage.len()),
                format!(
                    "shape {} with strides {} and offset {offset}, {reach}",
                    fmt_shape(&shape),
                    fmt_shape(&strides)
                ),
            ));
        }
        Ok(TensorData { storage, shape, strides, offset })
    }

    /// The shared storage.
    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// The length of each axis.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The step in storage slots along each axis.
    pub fn strides(&self) -> &[usize] {
        &self.strides
    }

    /// The storage slot of the element at index `(0, 0, ..., 0)`.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The number of axes.
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// The number of elements: the product of the shape (1 for no axes).
    /// It never overflows: the constructors refuse shapes whose size does not
    /// fit.
    pub fn size(&self) -> usize {
        checked_size(&self.shape).unwrap_or(0)
    }

    /// True when both tensors read the same storage (no copy was made).
    pub fn shares_storage(&self, other: &TensorData) -> bool {
        Arc::ptr_eq(&self.storage, &other.storage)
    }
}

impl fmt::Debug for TensorData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TensorData {{ shape: {}, strides: {}, offset: {}, storage: {} elements }}",
            fmt_shape(&self.shape),
            fmt_shape(&self.strides),
            self.offset,
            self.storage.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_layout_that_fits() {
        // A 3 x 2 grid read column by column from slot 1: last slot 1 + 2 + 3 = 6.
        let t = TensorData::with_storage(vec![0.0; 7].into(), vec![3, 2], vec![1, 3], 1).unwrap();
        assert_eq!((t.ndim(), t.size(), t.offset()), (2, 6, 1));
    }

    #[test]
    fn refuses_a_layout_that_reads_past_the_storage() {
        let err = TensorData::with_storage(vec![0.0; 6].into(), vec![3, 2], vec![1, 3], 1).unwrap_err();
        assert_eq!(err.function, "TensorData");
        assert!(err.to_string().contains("reaches slot 6"), "{err}");
    }

    #[test]
    fn refuses_a_layout_whose_reach_overflows() {
        let err = TensorData::new(vec![0.0; 4], vec![2, 2], vec![usize::MAX, 1]).unwrap_err();
        assert!(err.to_string().ends_with("beyond any slot"), "{err}");
    }

    #[test]
    fn refuses_a_shape_whose_size_overflows() {
        let err = TensorData::new(vec![0.0], vec![1 << 62, 4], vec![0, 0]).unwrap_err();
        assert!(err.to_string().ends_with("given shape (4611686018427387904, 4)"), "{err}");
        // Empty, but its row-major strides would not fit in a usize.
        assert!(TensorData::new(vec![], vec![1 << 62, 0, 4], vec![0, 0, 0]).is_err());
        // A zero stride makes one slot look like 2^61 elements: more than memory can hold.
        assert!(TensorData::new(vec![0.0], vec![1 << 61], vec![0]).is_err());
        let t = TensorData::new(vec![], vec![1 << 62, 0], vec![0, 0]).unwrap();
        assert_eq!(t.size(), 0);
    }

    #[test]
    fn an_empty_tensor_reads_nothing_so_any_layout_fits() {
        let t = TensorData::with_storage(vec![].into(), vec![3, 0], vec![5, 1], 9).unwrap();
        assert_eq!(t.size(), 0);
    }

    #[test]
    fn refuses_strides_of_the_wrong_rank() {
        let err = TensorData::new(vec![0.0; 6], vec![3, 2], vec![2]).unwrap_err();
        assert!(err.to_string().contains("one stride per axis of shape (3, 2)"), "{err}");
    }

    #[test]
    fn a_scalar_has_no_axes_and_one_element() {
        let t = TensorData::new(vec![7.0], vec![], vec![]).unwrap();
        assert_eq!((t.ndim(), t.size()), (0, 1));
    }

    #[test]
    fn clones_share_storage() {
        let t = TensorData::new(vec![1.0, 2.0], vec![2], vec![1]).unwrap();
        let copy = TensorData::new(vec![1.0, 2.0], vec![2], vec![1]).unwrap();
        assert!(t.clone().shares_storage(&t));
        assert!(!copy.shares_storage(&t));
    }
}
