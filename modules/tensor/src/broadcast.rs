//! Broadcasting: numpy's rules for combining tensors of different shapes.

use support::{Index, Shape, ShapeError, fmt_shape};

/// The shape two tensors of shapes `a` and `b` broadcast to.
///
/// Shapes are aligned at their last axis; a missing leading axis counts as
/// size 1; on each axis the sizes must be equal or one of them 1, which
/// stretches to the other.
///
/// **Errors** when some aligned pair of sizes differs and neither is 1, as
/// for `(5, 2)` with `(5,)`.
///
/// ```
/// use tensor::shape_broadcast;
/// assert_eq!(shape_broadcast(&[2, 3, 1], &[4])?, vec![2, 3, 4]);
/// assert_eq!(shape_broadcast(&[5, 1], &[1, 7])?, vec![5, 7]);
/// assert!(shape_broadcast(&[5, 2], &[5]).is_err());
/// # Ok::<(), support::ShapeError>(())
/// ```
pub fn shape_broadcast(a: &[usize], b: &[usize]) -> Result<Shape, ShapeError> {
    todo!(
        "align from the right; on each axis the sizes must match or one must be 1; return a ShapeError naming both shapes otherwise"
    )
}

/// The index into a tensor of `shape` that an index of the broadcast shape
/// `big_shape` reads: axes are aligned at the right, and an axis of size 1
/// always reads coordinate 0.
///
/// Assumes `shape` broadcasts to `big_shape` and `big_index` is in range.
///
/// ```
/// use tensor::broadcast_index;
/// assert_eq!(broadcast_index(&[1, 2, 3], &[2, 3, 4], &[3, 1]), vec![2, 0]);
/// assert_eq!(broadcast_index(&[1, 2], &[2, 3], &[2, 3]), vec![1, 2]);
/// ```
pub fn broadcast_index(big_index: &[usize], big_shape: &[usize], shape: &[usize]) -> Index {
    todo!("skip the leading axes shape lacks; copy each coordinate, or use 0 where shape has size 1")
}
