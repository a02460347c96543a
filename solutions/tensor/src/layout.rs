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
/// use tensor_solution::is_contiguous;
/// let grid = TensorData::new(vec![0.0; 6], vec![2, 3], vec![3, 1])?;
/// let columns = TensorData::new(vec![0.0; 6], vec![3, 2], vec![1, 3])?;
/// assert!(is_contiguous(&grid));
/// assert!(!is_contiguous(&columns));
/// # Ok::<(), support::ShapeError>(())
/// ```
pub fn is_contiguous(t: &TensorData) -> bool {
    // BEGIN SOLUTION: compare each stride with the row-major one, skipping axes of size 1 (an empty tensor is contiguous)
    // HINT: In this course contiguity is a test on the strides alone: every axis longer than 1 must have exactly the stride a row-major layout of the shape gives it.
    // HINT: Compute the row-major strides of the tensor's own shape with contiguous_strides and compare axis by axis, ignoring axes of length 1 and the offset.
    // HINT: Edge cases the grader checks: a tensor with no elements is contiguous, a stride-0 (broadcast) axis longer than 1 is not, and decreasing strides are not enough.
    let expected = contiguous_strides(t.shape());
    t.size() == 0 || t.shape().iter().zip(t.strides()).zip(&expected).all(|((&dim, &s), &e)| dim == 1 || s == e)
    // END SOLUTION
}

/// The same storage with its axes reordered: axis `i` of the result is
/// axis `order[i]` of `t`. No data moves, only shape and strides change.
///
/// **Errors** when `order` is not a permutation of `0..t.ndim()`.
///
/// ```
/// use support::TensorData;
/// use tensor_solution::permute;
/// let t = TensorData::new(vec![0.0; 24], vec![2, 3, 4], vec![12, 4, 1])?;
/// let p = permute(&t, &[2, 0, 1])?;
/// assert_eq!((p.shape(), p.strides()), (&[4, 2, 3][..], &[1, 12, 4][..]));
/// assert!(p.shares_storage(&t));
/// assert!(permute(&t, &[0, 0, 1]).is_err());
/// # Ok::<(), support::ShapeError>(())
/// ```
pub fn permute(t: &TensorData, order: &[usize]) -> Result<TensorData, ShapeError> {
    // BEGIN SOLUTION: check that order uses each axis exactly once, then reorder shape and strides together over the same storage
    // HINT: A permute moves no data: axis i of the result is axis order[i] of the input, and it carries both its length and its stride along; storage and offset stay.
    // HINT: Validate first: order needs exactly one entry per axis and must name each axis once (no repeat, none out of range); then look up shape and strides through it.
    // HINT: Pitfalls: reordering the shape but not the strides, using the inverse permutation, copying the data instead of sharing the storage, accepting a repeated axis.
    let mut seen = vec![false; t.ndim()];
    for &axis in order {
        if axis >= seen.len() || std::mem::replace(&mut seen[axis], true) {
            break;
        }
    }
    if order.len() != t.ndim() || !seen.iter().all(|&s| s) {
        let identity: Vec<usize> = (0..t.ndim()).collect();
        return Err(ShapeError::new(
            "permute",
            format!("a permutation of the axes {}", fmt_shape(&identity)),
            format!("order {} for shape {}", fmt_shape(order), fmt_shape(t.shape())),
        ));
    }
    let shape = order.iter().map(|&axis| t.shape()[axis]).collect();
    let strides = order.iter().map(|&axis| t.strides()[axis]).collect();
    TensorData::with_storage(t.storage().clone(), shape, strides, t.offset())
    // END SOLUTION
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
/// use tensor_solution::view;
/// let t = TensorData::new((0..8).map(f64::from).collect(), vec![8], vec![1])?;
/// let v = view(&t, &[4, 2])?;
/// assert_eq!((v.shape(), v.strides()), (&[4, 2][..], &[2, 1][..]));
/// assert!(v.shares_storage(&t));
/// assert!(view(&t, &[3, 3]).is_err());
/// # Ok::<(), support::ShapeError>(())
/// ```
pub fn view(t: &TensorData, shape: &[usize]) -> Result<TensorData, ShapeError> {
    check_shape("view", shape)?;
    // BEGIN SOLUTION: refuse a non-contiguous tensor and a shape of another size; otherwise give shape its row-major strides over the same storage and offset
    // HINT: A view reads the same storage from the same offset under a new shape with that shape's row-major strides; nothing is copied.
    // HINT: It is only right when the tensor is contiguous and the new shape has the same number of elements; refuse either failure with a ShapeError naming view.
    // HINT: The grader catches a view of a permuted tensor, strides kept from the old shape, a dropped offset, and refusing empty tensors that are perfectly viewable.
    let describe = || format!("shape {} with strides {}", fmt_shape(t.shape()), fmt_shape(t.strides()));
    if !is_contiguous(t) {
        return Err(ShapeError::new("view", "a contiguous tensor", describe()));
    }
    let size: usize = shape.iter().product();
    if size != t.size() {
        return Err(ShapeError::new(
            "view",
            format!("a shape of {} elements like {}", t.size(), fmt_shape(t.shape())),
            fmt_shape(shape),
        ));
    }
    TensorData::with_storage(t.storage().clone(), shape.to_vec(), contiguous_strides(shape), t.offset())
    // END SOLUTION
}

/// A row-major copy of `t` in fresh storage: same shape, same element at
/// every index, contiguous strides, offset 0.
///
/// ```
/// use support::TensorData;
/// use tensor_solution::contiguous;
/// let columns = TensorData::new(vec![1.0, 2.0, 3.0, 4.0], vec![2, 2], vec![1, 2])?;
/// let rows = contiguous(&columns);
/// assert_eq!(rows.strides(), &[2, 1]);
/// assert_eq!(&rows.storage()[..], &[1.0, 3.0, 2.0, 4.0]);
/// # Ok::<(), support::ShapeError>(())
/// ```
pub fn contiguous(t: &TensorData) -> TensorData {
    // BEGIN SOLUTION: visit every index in row-major order (to_index) and copy the element stored there
    // HINT: The result has the same shape and the same element at every index, but in fresh storage laid out row-major, with offset 0.
    // HINT: Visit the indices in row-major order (ordinal by ordinal), find where each lives in the input with its offset and strides, and append that value.
    // HINT: Pitfalls: copying the storage in the order it lies (wrong for a permuted tensor), returning the input as it is, and turning an empty tensor into shape (0,).
    let values = (0..t.size())
        .map(|n| t.storage()[t.offset() + index_to_position(&to_index(n, t.shape()), t.strides())])
        .collect();
    TensorData::new(values, t.shape().to_vec(), contiguous_strides(t.shape()))
        .expect("row-major strides fit a storage of exactly the tensor's size")
    // END SOLUTION
}

/// The element of `t` at `index`.
///
/// **Errors** when `index` has the wrong number of coordinates or one of
/// them is out of range.
///
/// ```
/// use support::TensorData;
/// use tensor_solution::get;
/// // The 2 x 2 grid (1, 2; 3, 4) stored column by column after one unused slot.
/// let t = TensorData::with_storage(vec![9.0, 1.0, 3.0, 2.0, 4.0].into(), vec![2, 2], vec![1, 2], 1)?;
/// assert_eq!(get(&t, &[0, 1])?, 2.0);
/// assert_eq!(get(&t, &[1, 0])?, 3.0);
/// assert!(get(&t, &[2, 0]).is_err());
/// # Ok::<(), support::ShapeError>(())
/// ```
pub fn get(t: &TensorData, index: &[usize]) -> Result<f64, ShapeError> {
    check_index("get", t, index)?;
    // BEGIN SOLUTION: the element lives at the tensor's offset plus the position of index under its strides
    // HINT: The element at an index sits in the storage slot offset + sum of coordinate times stride; the provided check has already refused a bad index.
    // HINT: Reuse index_to_position with the tensor's own strides (not row-major ones), add the offset, and read that slot of the storage.
    // HINT: Pitfalls: ignoring the offset (a tensor may start mid-storage, like one row of a grid) or assuming row-major strides on a permuted tensor.
    Ok(t.storage()[t.offset() + index_to_position(index, t.strides())])
    // END SOLUTION
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

// BEGIN HIDDEN
#[cfg(test)]
mod tests {
    use super::*;

    fn arange(shape: Vec<usize>) -> TensorData {
        let size = shape.iter().product::<usize>();
        let strides = contiguous_strides(&shape);
        TensorData::new((0..size).map(|v| v as f64).collect(), shape, strides).unwrap()
    }

    #[test]
    fn permute_then_contiguous_transposes_the_values() {
        let t = permute(&arange(vec![2, 3]), &[1, 0]).unwrap();
        assert!(!is_contiguous(&t));
        let c = contiguous(&t);
        assert_eq!(&c.storage()[..], &[0.0, 3.0, 1.0, 4.0, 2.0, 5.0]);
        assert!(is_contiguous(&c));
    }

    #[test]
    fn view_refuses_a_permuted_tensor_and_names_it() {
        let t = permute(&arange(vec![2, 3]), &[1, 0]).unwrap();
        let err = view(&t, &[6]).unwrap_err();
        assert_eq!(err.to_string(), "view: expected a contiguous tensor, given shape (3, 2) with strides (1, 3)");
    }

    #[test]
    fn size_one_axes_do_not_break_contiguity() {
        let t = TensorData::new(vec![0.0; 3], vec![1, 3, 1], vec![7, 1, 9]).unwrap();
        assert!(is_contiguous(&t));
    }

    #[test]
    fn permute_refuses_orders_of_the_wrong_length_or_out_of_range() {
        let t = arange(vec![2, 3]);
        assert!(permute(&t, &[0]).is_err());
        assert!(permute(&t, &[0, 2]).is_err());
        assert!(permute(&t, &[1, 0, 2]).is_err());
    }

    #[test]
    fn get_refuses_the_wrong_rank() {
        let err = get(&arange(vec![2, 3]), &[1]).unwrap_err();
        assert_eq!(err.to_string(), "get: expected an index within shape (2, 3), given index (1,)");
    }

    /// An empty tensor with an axis of 2^62.
    fn huge_and_empty() -> TensorData {
        TensorData::new(vec![], vec![1 << 62, 0], vec![0, 1]).unwrap()
    }

    #[test]
    fn view_refuses_shapes_whose_size_overflows() {
        let err = view(&huge_and_empty(), &[0, 1 << 62, 4]).unwrap_err();
        assert_eq!(err.function, "view");
        assert!(err.to_string().ends_with("given shape (0, 4611686018427387904, 4)"), "{err}");
        let err = view(&arange(vec![8]), &[1 << 62, 4]).unwrap_err();
        assert_eq!(err.function, "view");
        let v = view(&huge_and_empty(), &[0, 1 << 62]).unwrap();
        assert_eq!((v.shape(), v.strides()), (&[0, 1 << 62][..], &[1 << 62, 1][..]));
    }

    #[test]
    fn empty_tensors_with_huge_axes_permute_copy_and_refuse_every_index() {
        let t = huge_and_empty();
        assert!(is_contiguous(&t));
        let p = permute(&t, &[1, 0]).unwrap();
        assert_eq!(p.shape(), &[0, 1 << 62]);
        let c = contiguous(&p);
        assert_eq!((c.shape(), c.strides(), c.storage().len()), (&[0, 1 << 62][..], &[1 << 62, 1][..], 0));
        assert_eq!(get(&t, &[0, 0]).unwrap_err().function, "get");
        assert!(get(&t, &[usize::MAX, usize::MAX]).is_err());
    }
}
// END HIDDEN
