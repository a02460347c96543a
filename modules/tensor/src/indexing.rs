//! From an index to a storage position and back.

use support::{Index, Strides};

/// The row-major strides of `shape`: the last axis moves one slot, each
/// earlier axis moves past a whole block of the axes after it.
///
/// ```
/// use tensor::contiguous_strides;
/// assert_eq!(contiguous_strides(&[4, 2, 2]), vec![4, 2, 1]);
/// assert_eq!(contiguous_strides(&[5]), vec![1]);
/// assert_eq!(contiguous_strides(&[]), Vec::<usize>::new());
/// ```
pub fn contiguous_strides(shape: &[usize]) -> Strides {
    todo!("walk the shape from the last axis to the first, multiplying the sizes seen so far")
}

/// The storage position of `index` under `strides`, relative to the
/// tensor's offset: `sum(index[i] * strides[i])`.
///
/// Assumes `index` and `strides` have the same length.
///
/// ```
/// use tensor::index_to_position;
/// assert_eq!(index_to_position(&[1, 2], &[3, 1]), 5);
/// assert_eq!(index_to_position(&[1, 2], &[1, 2]), 5);
/// assert_eq!(index_to_position(&[], &[]), 0);
/// ```
pub fn index_to_position(index: &[usize], strides: &[usize]) -> usize {
    todo!("multiply each coordinate by its stride and add them up")
}

/// The `ordinal`-th index of `shape` in row-major order: as `ordinal` runs
/// over `0..size`, the result runs over every index exactly once, the last
/// axis changing fastest.
///
/// Assumes `ordinal` is less than the product of `shape`.
///
/// ```
/// use tensor::to_index;
/// assert_eq!(to_index(0, &[2, 3]), vec![0, 0]);
/// assert_eq!(to_index(4, &[2, 3]), vec![1, 1]);
/// assert_eq!(to_index(5, &[2, 3]), vec![1, 2]);
/// ```
pub fn to_index(ordinal: usize, shape: &[usize]) -> Index {
    todo!("peel coordinates off from the last axis with % and /")
}
