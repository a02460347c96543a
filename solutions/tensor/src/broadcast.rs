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
/// use tensor_solution::shape_broadcast;
/// assert_eq!(shape_broadcast(&[2, 3, 1], &[4])?, vec![2, 3, 4]);
/// assert_eq!(shape_broadcast(&[5, 1], &[1, 7])?, vec![5, 7]);
/// assert!(shape_broadcast(&[5, 2], &[5]).is_err());
/// # Ok::<(), support::ShapeError>(())
/// ```
pub fn shape_broadcast(a: &[usize], b: &[usize]) -> Result<Shape, ShapeError> {
    // BEGIN SOLUTION: align from the right; on each axis the sizes must match or one must be 1; return a ShapeError naming both shapes otherwise
    // HINT: numpy's rules: write the two shapes aligned on the right, count the missing leading axes of the shorter one as length 1, then compare axis by axis.
    // HINT: The result has as many axes as the longer shape; on each axis equal lengths stay, a 1 stretches to the other length, and any other pair is a ShapeError.
    // HINT: Pitfalls: aligning at the left (so (5, 2) with (5,) wrongly passes), taking the larger length without checking, and forgetting that 0 against 1 gives 0.
    let ndim = a.len().max(b.len());
    let padded = |s: &[usize], axis: usize| {
        let missing = ndim - s.len();
        if axis < missing { 1 } else { s[axis - missing] }
    };
    (0..ndim)
        .map(|axis| match (padded(a, axis), padded(b, axis)) {
            (x, y) if x == y || y == 1 => Ok(x),
            (1, y) => Ok(y),
            _ => Err(ShapeError::new(
                "shape_broadcast",
                "shapes whose aligned sizes are equal or 1",
                format!("{} and {}", fmt_shape(a), fmt_shape(b)),
            )),
        })
        .collect()
    // END SOLUTION
}

/// The index into a tensor of `shape` that an index of the broadcast shape
/// `big_shape` reads: axes are aligned at the right, and an axis of size 1
/// always reads coordinate 0.
///
/// Assumes `shape` broadcasts to `big_shape` and `big_index` is in range.
///
// BEGIN HIDDEN
/// This reference never panics: otherwise the result still has one
/// coordinate per axis of `shape`, and a coordinate that `big_index` lacks
/// reads as 0.
///
// END HIDDEN
/// ```
/// use tensor_solution::broadcast_index;
/// assert_eq!(broadcast_index(&[1, 2, 3], &[2, 3, 4], &[3, 1]), vec![2, 0]);
/// assert_eq!(broadcast_index(&[1, 2], &[2, 3], &[2, 3]), vec![1, 2]);
/// ```
pub fn broadcast_index(big_index: &[usize], big_shape: &[usize], shape: &[usize]) -> Index {
    // BEGIN SOLUTION: skip the leading axes shape lacks; copy each coordinate, or use 0 where shape has size 1
    // HINT: This maps an index of the big, broadcast shape back to the small shape: the axes line up on the right, and a stretched axis of length 1 reads coordinate 0.
    // HINT: The result has one coordinate per axis of the small shape; the big index has (difference of the ranks) extra leading coordinates that are simply dropped.
    // HINT: Worked example: big shape (2, 3, 4), small shape (3, 1), big index (1, 2, 3) gives (2, 0); copying the coordinate on the size-1 axis reads past its end.
    let skipped = big_shape.len().saturating_sub(shape.len());
    let coordinate = |axis: usize| big_index.get(skipped + axis).copied().unwrap_or(0);
    shape.iter().enumerate().map(|(axis, &dim)| if dim == 1 { 0 } else { coordinate(axis) }).collect()
    // END SOLUTION
}

// BEGIN HIDDEN
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasting_is_symmetric() {
        assert_eq!(shape_broadcast(&[4], &[2, 3, 1]).unwrap(), vec![2, 3, 4]);
        assert_eq!(shape_broadcast(&[], &[2, 3]).unwrap(), vec![2, 3]);
    }

    #[test]
    fn the_error_names_both_shapes() {
        let err = shape_broadcast(&[5, 2], &[5]).unwrap_err();
        assert_eq!(err.function, "shape_broadcast");
        assert_eq!(err.given, "(5, 2) and (5,)");
    }

    #[test]
    fn huge_and_empty_axes_broadcast_by_the_same_rules() {
        let huge = 1 << 62;
        assert_eq!(shape_broadcast(&[huge, 1], &[1, 0]).unwrap(), vec![huge, 0]);
        assert_eq!(shape_broadcast(&[0], &[huge, 1]).unwrap(), vec![huge, 0]);
        assert!(shape_broadcast(&[0], &[2]).is_err());
        assert!(shape_broadcast(&[huge], &[huge - 1]).is_err());
    }

    #[test]
    fn broadcast_index_never_panics_on_mismatched_lengths() {
        assert_eq!(broadcast_index(&[], &[2, 3], &[3]), vec![0]);
        assert_eq!(broadcast_index(&[1, 2], &[3], &[2, 3]), vec![1, 2]);
        assert_eq!(broadcast_index(&[4], &[], &[2, 1, 5]), vec![4, 0, 0]);
    }
}
// END HIDDEN
