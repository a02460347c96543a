//! Operations on a tensor's layout: contiguity, permute, view, copy, read.

use support::{ShapeError, TensorData, fmt_shape};

use crate::{contiguous_strides, index_to_position, to_index};

/// True when `t` is laid out row-major with no gaps: every axis longer than
/// one has exactly the stride [`contiguous_strides`] gives it. Axes of size 1
/// are never stepped along, so their strides do not matter; nor does the
/// offset. An empty tensor is contiguous.
///
/// ```
/// use support::TensorData;
/// use tensor::is_contiguous;
/// let grid = TensorData::new(vec![0.0; 6], vec![2, 3], vec![3, 1])?;
/// let columns = TensorData::new(vec![0.0; 6], vec![3, 2], vec![1, 3])?;
/// assert!(is_contiguous(&grid));
/// assert!(!is_contiguous(&columns));
/// # Ok::<(), support::ShapeError>(())
/// ```
pub fn is_contiguous(t: &TensorData) -> bool {
    todo!("compare each stride with the row-major one, skipping axes of size 1 (an empty tensor is contiguous)")
}

/// The same storage with its axes reordered: axis `i` of the result is
/// axis `order[i]` of `t`. No data moves, only shape and strides change.
///
/// **Errors** when `order` is not a permutation of `0..t.ndim()`.
///
/// ```
/// use support::TensorData;
/// use tensor::permute;
/// let t = TensorData::new(vec![0.0; 24], vec![2, 3, 4], vec![12, 4, 1])?;
/// let p = permute(&t, &[2, 0, 1])?;
/// assert_eq!((p.shape(), p.strides()), (&[4, 2, 3][..], &[1, 12, 4][..]));
/// assert!(p.shares_storage(&t));
/// assert!(permute(&t, &[0, 0, 1]).is_err());
/// # Ok::<(), support::ShapeError>(())
/// ```
pub fn permute(t: &TensorData, order: &[usize]) -> Result<TensorData, ShapeError> {
    todo!("check that order uses each axis exactly once, then reorder shape and strides together over the same storage")
}

/// The same storage seen with another shape, row-major. No data moves.
///
/// Viewing a contiguous tensor of 8 elements as `(4, 2)` gives strides
/// `(2, 1)`: reading the storage in order fills the rows one after another.
///
/// **Errors** when `t` is not contiguous (a row-major reading of its storage
/// would not visit its elements in order), `shape` has a different number
/// of elements, or no tensor can have `shape` (its lengths other than 0
/// multiply past `isize::MAX`, as for `(2^62, 4)` or `(0, 2^62, 4)`; see
/// [`support::checked_size`]).
///
/// ```
/// use support::TensorData;
/// use tensor::view;
/// let t = TensorData::new((0..8).map(f64::from).collect(), vec![8], vec![1])?;
/// let v = view(&t, &[4, 2])?;
/// assert_eq!((v.shape(), v.strides()), (&[4, 2][..], &[2, 1][..]));
/// assert!(v.shares_storage(&t));
/// assert!(view(&t, &[3, 3]).is_err());
/// # Ok::<(), support::ShapeError>(())
/// ```
pub fn view(t: &TensorData, shape: &[usize]) -> Result<TensorData, ShapeError> {
    check_shape("view", shape)?;
    todo!(
        "refuse a non-contiguous tensor and a shape of another size; otherwise give shape its row-major strides over the same storage and offset"
    )
}

/// A row-major copy of `t` in fresh storage: same shape, same element at
/// every index, contiguous strides, offset 0.
///
/// ```
/// use support::TensorData;
/// use tensor::contiguous;
/// let columns = TensorData::new(vec![1.0, 2.0, 3.0, 4.0], vec![2, 2], vec![1, 2])?;
/// let rows = contiguous(&columns);
/// assert_eq!(rows.strides(), &[2, 1]);
/// assert_eq!(&rows.storage()[..], &[1.0, 3.0, 2.0, 4.0]);
/// # Ok::<(), support::ShapeError>(())
/// ```
pub fn contiguous(t: &TensorData) -> TensorData {
    todo!("visit every index in row-major order (to_index) and copy the element stored there")
}

/// The element of `t` at `index`.
///
/// **Errors** when `index` has the wrong number of coordinates or one of
/// them is out of range.
///
/// ```
/// use support::TensorData;
/// use tensor::get;
/// // The 2 x 2 grid (1, 2; 3, 4) stored column by column after one unused slot.
/// let t = TensorData::with_storage(vec![9.0, 1.0, 3.0, 2.0, 4.0].into(), vec![2, 2], vec![1, 2], 1)?;
/// assert_eq!(get(&t, &[0, 1])?, 2.0);
/// assert_eq!(get(&t, &[1, 0])?, 3.0);
/// assert!(get(&t, &[2, 0]).is_err());
/// # Ok::<(), support::ShapeError>(())
/// ```
pub fn get(t: &TensorData, index: &[usize]) -> Result<f64, ShapeError> {
    check_index("get", t, index)?;
    todo!("the element lives at the tensor's offset plus the position of index under its strides")
}

/// Refuses a shape no tensor can have, whose size or row-major strides would
/// overflow: after this check, the product of `shape` and its
/// [`contiguous_strides`] fit in a `usize`.
fn check_shape(function: &'static str, shape: &[usize]) -> Result<(), ShapeError> {
    if support::checked_size(shape).is_none() {
        return Err(ShapeError::new(
            function,
            "a shape a tensor can have (at most 2^60 - 1 elements, lengths other than 0 multiplying to at most 2^63 - 1)",
            format!("shape {}", fmt_shape(shape)),
        ));
    }
    Ok(())
}

/// Refuses an index of the wrong rank or with a coordinate out of range.
fn check_index(function: &'static str, t: &TensorData, index: &[usize]) -> Result<(), ShapeError> {
    if index.len() != t.ndim() || index.iter().zip(t.shape()).any(|(i, d)| i >= d) {
        return Err(ShapeError::new(
            function,
            format!("an index within shape {}", fmt_shape(t.shape())),
            format!("index {}", fmt_shape(index)),
        ));
    }
    Ok(())
}
