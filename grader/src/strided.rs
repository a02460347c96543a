//! Non-contiguous arrays with the same elements as a given one, to check
//! that a function reads its input through the strides and does not assume
//! a fresh row-major array.

use ndarray::{ArrayD, ArrayViewD, Axis, Slice};

/// One way of laying out an array's elements in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Every axis in reverse order in memory (column-major): a permuted view.
    Permuted,
    /// Every other slot of a larger storage along the last axis, and a first
    /// row skipped: a sliced view with a step and an offset.
    Sliced,
    /// Every axis stored backwards: negative strides.
    Reversed,
}

impl Layout {
    /// Every non-contiguous layout.
    pub const ALL: [Layout; 3] = [Layout::Permuted, Layout::Sliced, Layout::Reversed];

    /// How check messages name it.
    pub fn describe(self) -> &'static str {
        match self {
            Layout::Permuted => "permuted (column-major) view",
            Layout::Sliced => "sliced view with a step of 2 and an offset",
            Layout::Reversed => "view with negative strides",
        }
    }
}

/// An array's elements held in some [`Layout`]; [`Strided::view`] reads
/// them back in their original logical order.
pub struct Strided {
    layout: Layout,
    storage: ArrayD<f64>,
}

impl Strided {
    /// `a`'s elements laid out as `layout` says. Slots that the view skips
    /// hold NaN, so a function that reads them gives NaN.
    pub fn new(a: &ArrayD<f64>, layout: Layout) -> Strided {
        let storage = match layout {
            Layout::Permuted => a.t().as_standard_layout().into_owned().reversed_axes(),
            Layout::Sliced => {
                let ndim = a.ndim();
                let shape: Vec<usize> =
                    a.shape().iter().enumerate().map(|(i, &n)| Self::stored_len(i, ndim, n)).collect();
                let mut storage = ArrayD::from_elem(shape, f64::NAN);
                storage.slice_each_axis_mut(|ax| Self::sliced(ax.axis, ndim)).assign(a);
                storage
            }
            Layout::Reversed => {
                let mut storage = a.clone();
                for axis in 0..a.ndim() {
                    storage.invert_axis(Axis(axis));
                }
                storage.as_standard_layout().into_owned()
            }
        };
        Strided { layout, storage }
    }

    /// The first axis starts one slot in (an offset); the last axis takes
    /// every other slot (a step of 2).
    fn sliced(axis: Axis, ndim: usize) -> Slice {
        let start = if axis.index() == 0 { 1 } else { 0 };
        let step = if axis.index() + 1 == ndim { 2 } else { 1 };
        Slice::new(start, None, step)
    }

    /// The storage's length along `axis` for `n` elements under [`Strided::sliced`].
    fn stored_len(axis: usize, ndim: usize, n: usize) -> usize {
        let offset = if axis == 0 { 1 } else { 0 };
        let step = if axis + 1 == ndim { 2 } else { 1 };
        offset + n * step
    }

    /// The elements in their original order, through non-contiguous strides.
    pub fn view(&self) -> ArrayViewD<'_, f64> {
        match self.layout {
            Layout::Permuted => self.storage.view(),
            Layout::Sliced => self.storage.slice_each_axis(|ax| Self::sliced(ax.axis, self.storage.ndim())),
            Layout::Reversed => self.storage.slice_each_axis(|_| Slice::new(0, None, -1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{Array, Dimension, IxDyn};

    use super::*;

    #[test]
    fn every_layout_reads_back_the_same_elements_through_other_strides() {
        let a = Array::from_shape_fn(IxDyn(&[2, 3, 4]), |i| (i[0] * 100 + i[1] * 10 + i[2]) as f64);
        for layout in Layout::ALL {
            let strided = Strided::new(&a, layout);
            let view = strided.view();
            assert_eq!(view, a.view(), "{layout:?}");
            assert!(!view.is_standard_layout(), "{layout:?}");
        }
    }

    #[test]
    fn one_axis_empty_and_scalar_arrays_read_back_too() {
        for shape in [vec![5], vec![1], vec![0], vec![], vec![2, 0, 3]] {
            let a = Array::from_shape_fn(IxDyn(&shape), |i| i.slice().iter().sum::<usize>() as f64);
            for layout in Layout::ALL {
                assert_eq!(Strided::new(&a, layout).view(), a.view(), "{shape:?} {layout:?}");
            }
        }
    }

    #[test]
    fn sliced_storage_holds_nan_in_the_skipped_slots() {
        let a = ArrayD::from_elem(IxDyn(&[2, 2]), 1.0);
        let strided = Strided::new(&a, Layout::Sliced);
        assert_eq!(strided.storage.shape(), &[3, 4]);
        assert_eq!(strided.storage.iter().filter(|v| v.is_nan()).count(), 3 * 4 - 4);
    }
}
