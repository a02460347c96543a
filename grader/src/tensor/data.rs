//! The judge's strided tensor: the layout the `tensor` checks build and
//! read back, the same four fields as the course's `TensorData`.

use std::fmt;
use std::sync::Arc;

use numeric::fmt_shape;

/// Storage plus layout: element `index` lives at slot
/// `offset + sum(index[i] * strides[i])`. Cloning shares the storage.
#[derive(Clone, PartialEq)]
pub struct TensorData {
    storage: Arc<[f64]>,
    shape: Vec<usize>,
    strides: Vec<usize>,
    offset: usize,
}

impl TensorData {
    /// A layout over `storage`; an error unless every index lands inside it.
    pub fn with_storage(
        storage: Arc<[f64]>,
        shape: Vec<usize>,
        strides: Vec<usize>,
        offset: usize,
    ) -> Result<Self, String> {
        if shape.len() != strides.len() {
            return Err(format!("shape {} with strides {}", fmt_shape(&shape), fmt_shape(&strides)));
        }
        if !shape.contains(&0) {
            let last = shape
                .iter()
                .zip(&strides)
                .try_fold(offset, |sum, (&d, &s)| (d - 1).checked_mul(s).and_then(|step| sum.checked_add(step)));
            if last.is_none_or(|last| last >= storage.len()) {
                return Err(format!(
                    "shape {} with strides {} and offset {offset} reaches past a storage of {} elements",
                    fmt_shape(&shape),
                    fmt_shape(&strides),
                    storage.len()
                ));
            }
        }
        Ok(TensorData { storage, shape, strides, offset })
    }

    pub fn storage(&self) -> &Arc<[f64]> {
        &self.storage
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    pub fn strides(&self) -> &[usize] {
        &self.strides
    }

    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The number of elements.
    pub fn size(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether both read the very same storage (no copy was made).
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
