//! From an index to a storage position and back.

use support::{Index, Strides};

/// The row-major strides of `shape`: the last axis moves one slot, each
/// earlier axis moves past a whole block of the axes after it.
///
// BEGIN HIDDEN
/// This reference never panics: a stride too big for a `usize` saturates at
/// `usize::MAX`. That happens only for shapes no tensor can have (a
/// [`TensorData`](support::TensorData) refuses a shape whose lengths other
/// than 0 multiply past `isize::MAX`), such as `(0, 2^62, 4)`: the stride of
/// its first axis, `2^64`, becomes `usize::MAX`.
///
// END HIDDEN
/// ```
/// use tensor_solution::contiguous_strides;
/// assert_eq!(contiguous_strides(&[4, 2, 2]), vec![4, 2, 1]);
/// assert_eq!(contiguous_strides(&[5]), vec![1]);
/// assert_eq!(contiguous_strides(&[]), Vec::<usize>::new());
// BEGIN HIDDEN
/// assert_eq!(contiguous_strides(&[0, 1 << 62, 4]), vec![usize::MAX, 4, 1]);
// END HIDDEN
/// ```
pub fn contiguous_strides(shape: &[usize]) -> Strides {
    // BEGIN SOLUTION: walk the shape from the last axis to the first, multiplying the sizes seen so far
    // HINT: Row-major means the last axis moves fastest: it gets stride 1, and each earlier axis steps over one whole block made of all the axes after it.
    // HINT: Go from the last axis to the first keeping a running product of the lengths already passed; an axis's stride is that product before its own length joins.
    // HINT: Classic slips: including an axis's own length in its stride (off by one axis), column-major strides, and a usize loop that underflows on the shape ().
    let mut strides = vec![0; shape.len()];
    let mut block: usize = 1;
    for (stride, &dim) in strides.iter_mut().zip(shape).rev() {
        *stride = block;
        block = block.saturating_mul(dim);
    }
    strides
    // END SOLUTION
}

/// The storage position of `index` under `strides`, relative to the
/// tensor's offset: `sum(index[i] * strides[i])`.
///
/// Assumes `index` and `strides` have the same length.
///
// BEGIN HIDDEN
/// This reference never panics: extra entries of the longer one are
/// ignored, and a position too big for a `usize` saturates at `usize::MAX`,
/// past the end of any storage (an index inside a
/// [`TensorData`](support::TensorData)'s shape never gets there).
///
// END HIDDEN
/// ```
/// use tensor_solution::index_to_position;
/// assert_eq!(index_to_position(&[1, 2], &[3, 1]), 5);
/// assert_eq!(index_to_position(&[1, 2], &[1, 2]), 5);
/// assert_eq!(index_to_position(&[], &[]), 0);
// BEGIN HIDDEN
/// assert_eq!(index_to_position(&[2, 1], &[usize::MAX, 1]), usize::MAX);
// END HIDDEN
/// ```
pub fn index_to_position(index: &[usize], strides: &[usize]) -> usize {
    // BEGIN SOLUTION: multiply each coordinate by its stride and add them up
    // HINT: A position is how many slots the index lies past the tensor's offset: each coordinate counts steps along its axis, and each step moves stride slots.
    // HINT: Pair coordinate k with stride k (same axis, same order) and add up the products; the index () of a scalar is position 0, and the offset is not added here.
    // HINT: The grader catches a sum that starts at 1, a loop that skips the last axis, and strides paired in reverse order.
    index.iter().zip(strides).fold(0usize, |position, (&i, &s)| position.saturating_add(i.saturating_mul(s)))
    // END SOLUTION
}

/// The `ordinal`-th index of `shape` in row-major order: as `ordinal` runs
/// over `0..size`, the result runs over every index exactly once, the last
/// axis changing fastest.
///
/// Assumes `ordinal` is less than the product of `shape`.
///
// BEGIN HIDDEN
/// This reference never panics: otherwise the result is still an index of
/// `shape.len()` coordinates, a larger ordinal wraps around in the first
/// axis, and an axis of length 0 (where no index exists) gets coordinate 0.
///
// END HIDDEN
/// ```
/// use tensor_solution::to_index;
/// assert_eq!(to_index(0, &[2, 3]), vec![0, 0]);
/// assert_eq!(to_index(4, &[2, 3]), vec![1, 1]);
/// assert_eq!(to_index(5, &[2, 3]), vec![1, 2]);
// BEGIN HIDDEN
/// assert_eq!(to_index(7, &[2, 0, 3]), vec![0, 0, 1]);
// END HIDDEN
/// ```
pub fn to_index(ordinal: usize, shape: &[usize]) -> Index {
    // BEGIN SOLUTION: peel coordinates off from the last axis with % and /
    // HINT: Read the ordinal as a number in mixed bases: the coordinates are its digits, the last axis is the lowest digit and changes fastest, like a counter.
    // HINT: Worked example for shape (4, 2, 2) and ordinal 13: 13 mod 2 is 1 leaving 6, 6 mod 2 is 0 leaving 3, 3 mod 4 is 3, so the index is (3, 0, 1).
    // HINT: Pitfalls: letting the first axis change fastest, starting from ordinal + 1, and dividing by an axis of length 0 (that tensor has no elements at all).
    let mut index = vec![0; shape.len()];
    let mut rest = ordinal;
    for (coordinate, &dim) in index.iter_mut().zip(shape).rev() {
        *coordinate = rest.checked_rem(dim).unwrap_or(0);
        rest = rest.checked_div(dim).unwrap_or(0);
    }
    index
    // END SOLUTION
}

// BEGIN HIDDEN
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_index_once_in_row_major_order() {
        let shape = [2, 3, 2];
        let all: Vec<Index> = (0..12).map(|n| to_index(n, &shape)).collect();
        let mut expected = Vec::new();
        for i in 0..2 {
            for j in 0..3 {
                for k in 0..2 {
                    expected.push(vec![i, j, k]);
                }
            }
        }
        assert_eq!(all, expected);
    }

    #[test]
    fn positions_of_contiguous_strides_count_up() {
        let shape = [3, 1, 4];
        let strides = contiguous_strides(&shape);
        let positions: Vec<usize> = (0..12).map(|n| index_to_position(&to_index(n, &shape), &strides)).collect();
        assert_eq!(positions, (0..12).collect::<Vec<_>>());
    }

    #[test]
    fn hostile_shapes_saturate_instead_of_overflowing() {
        assert_eq!(contiguous_strides(&[1 << 62, 4]), vec![4, 1]);
        assert_eq!(contiguous_strides(&[3, 1 << 62, 4]), vec![usize::MAX, 4, 1]);
        assert_eq!(contiguous_strides(&[usize::MAX, usize::MAX, 0]), vec![0, 0, 1]);
        assert_eq!(index_to_position(&[usize::MAX, 1], &[2, 3]), usize::MAX);
        assert_eq!(to_index(5, &[0]), vec![0]);
        assert_eq!(to_index(usize::MAX, &[0, 0]), vec![0, 0]);
        assert_eq!(to_index(6, &[2, 3]), vec![0, 0]);
    }
}
// END HIDDEN
