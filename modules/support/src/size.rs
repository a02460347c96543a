//! How many elements an array of a given shape has, and whether such an
//! array can exist at all.
//!
//! A shape is just a list of numbers, so a hostile caller can ask for
//! `(2^62, 4)`, whose element count does not fit in a `usize`, or
//! `(2^62, 0, 4)`, which holds no element but whose row-major strides do not
//! fit either. The public functions of the course check the shapes they are
//! given and the shapes they are about to allocate with [`fits`], and refuse
//! the impossible ones with a [`ShapeError`] instead of overflowing.

use crate::{ShapeError, fmt_shape};

/// The most elements an array of `f64` can hold: `isize::MAX` bytes, the
/// largest allocation Rust allows, over 8 bytes an element (`2^60 - 1`).
pub const MAX_ELEMENTS: usize = isize::MAX as usize / std::mem::size_of::<f64>();

/// The number of elements of an array of `shape` (1 for no axes), or `None`
/// when no such array can exist:
///
/// - the lengths other than 0 multiply to more than `isize::MAX`: ndarray
///   refuses such a shape even when another length is 0, and so does numpy.
///   The rule keeps every row-major stride of the shape, a product of some
///   of its lengths, inside `isize`;
/// - or no length is 0 and the elements need more than `isize::MAX` bytes
///   (more than [`MAX_ELEMENTS`]), more than one allocation can hold.
///
/// An array that passes may still be too big for the memory of the machine;
/// allocating it then aborts, as any allocation that fails does in Rust.
///
/// ```
/// use support::checked_size;
/// assert_eq!(checked_size(&[4, 2]), Some(8));
/// assert_eq!(checked_size(&[]), Some(1));
/// assert_eq!(checked_size(&[1 << 62, 0]), Some(0));
/// assert_eq!(checked_size(&[1 << 62, 4]), None);
/// assert_eq!(checked_size(&[1 << 62, 0, 4]), None);
/// assert_eq!(checked_size(&[1 << 61]), None);
/// ```
pub fn checked_size(shape: &[usize]) -> Option<usize> {
    let nonzero = shape.iter().filter(|&&d| d != 0).try_fold(1usize, |product, &d| product.checked_mul(d))?;
    if nonzero > isize::MAX as usize {
        None
    } else if shape.contains(&0) {
        Some(0)
    } else {
        Some(nonzero).filter(|&size| size <= MAX_ELEMENTS)
    }
}

/// The number of elements of an array of `shape`, or an error of `function`
/// when no such array can exist (see [`checked_size`]). `what` names the
/// array, as in `an output` or `input`.
///
/// ```
/// use support::size::fits;
/// assert_eq!(fits("conv1d", "an output", &[2, 3, 4])?, 24);
/// let err = fits("conv1d", "an output", &[1 << 30, 1 << 30, 1 << 30]).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "conv1d: expected an output that an array can hold (at most 2^60 - 1 elements, \
///      lengths other than 0 multiplying to at most 2^63 - 1), \
///      given an output of shape (1073741824, 1073741824, 1073741824)"
/// );
/// # Ok::<(), support::ShapeError>(())
/// ```
pub fn fits(function: &'static str, what: &str, shape: &[usize]) -> Result<usize, ShapeError> {
    checked_size(shape).ok_or_else(|| {
        ShapeError::new(
            function,
            format!(
                "{what} that an array can hold (at most 2^60 - 1 elements, \
                 lengths other than 0 multiplying to at most 2^63 - 1)"
            ),
            format!("{what} of shape {}", fmt_shape(shape)),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_the_elements_of_ordinary_shapes() {
        assert_eq!(checked_size(&[4, 2, 2]), Some(16));
        assert_eq!(checked_size(&[0]), Some(0));
        assert_eq!(checked_size(&[3, 0, 5]), Some(0));
    }

    #[test]
    fn the_limits_are_those_of_ndarray_and_of_one_allocation() {
        assert_eq!(MAX_ELEMENTS, (1 << 60) - 1);
        assert_eq!(checked_size(&[MAX_ELEMENTS]), Some(MAX_ELEMENTS));
        assert_eq!(checked_size(&[MAX_ELEMENTS + 1]), None);
        // Empty arrays only need their shape to be valid for ndarray.
        assert_eq!(checked_size(&[isize::MAX as usize, 0]), Some(0));
        assert_eq!(checked_size(&[isize::MAX as usize + 1, 0]), None);
        assert_eq!(checked_size(&[1 << 31, 0, 1 << 31, 1 << 31]), None);
        assert_eq!(checked_size(&[usize::MAX, usize::MAX]), None);
    }

    #[test]
    fn an_impossible_array_is_a_shape_error_of_the_function() {
        let err = fits("tile", "an output", &[1 << 62, 4]).unwrap_err();
        assert_eq!(err.function, "tile");
        assert_eq!(err.given, "an output of shape (4611686018427387904, 4)");
    }
}
