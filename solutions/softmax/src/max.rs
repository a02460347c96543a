//! The hard reductions: max, its gradient, and argmax.

use ndarray::{Array, ArrayD, ArrayViewD, Axis, Zip};

/// The maximum of every slice along `axis` (not empty), kept as an axis of size 1.
pub fn max_along(x: ArrayViewD<f64>, axis: Axis) -> ArrayD<f64> {
    // BEGIN SOLUTION: fold every lane along the axis with f64::max, then insert the reduced axis back with size 1
    // HINT(max): The largest value of every slice along dim, with that axis kept at length 1.
    // HINT(max): Fold each lane from −inf (or its first element), never from 0: a slice may be all negative.
    // HINT(max): Pitfalls: dropping the axis, the wrong axis, the minimum.
    // Starting from NaN, which f64::max skips, a slice of only NaN keeps NaN.
    x.fold_axis(axis, f64::NAN, |&best, &v| best.max(v)).insert_axis(axis)
    // END SOLUTION
}

/// `grad_out` (size 1 along `axis`) sent to the maximum of every slice.
pub fn max_backward_along(x: ArrayViewD<f64>, axis: Axis, grad_out: ArrayViewD<f64>) -> ArrayD<f64> {
    // BEGIN SOLUTION: the one-hot argmax of x times grad_out, which broadcasts along the reduced axis
    // HINT(max_backward): Only the maximum influenced the output.
    // HINT(max_backward): A one-hot of the max position times grad_out, which broadcasts along dim.
    // HINT(max_backward): On a tie, exactly one tied position gets it: not all of them, and not spread over the slice.
    argmax_along(x, axis) * &grad_out
    // END SOLUTION
}

/// 1 at the maximum of every slice along `axis` (the first one on a tie), 0 elsewhere.
pub fn argmax_along(x: ArrayViewD<f64>, axis: Axis) -> ArrayD<f64> {
    // BEGIN SOLUTION: start from zeros; in every lane along the axis find the index of the first maximum and set it to 1
    // HINT(argmax): One-hot with x's shape, a single 1 per slice.
    // HINT(argmax): Mark one maximum of each lane, say the first (any one tied position is accepted).
    // HINT(argmax): Pitfalls: marking every tie, marking the minimum, needing contiguous input.
    let mut hot = Array::zeros(x.raw_dim());
    Zip::from(hot.lanes_mut(axis)).and(x.lanes(axis)).for_each(|mut hot, lane| hot[first_max(lane)] = 1.0);
    hot
    // END SOLUTION
}

// BEGIN HIDDEN
/// The index of the first largest element of a non-empty lane, skipping
/// NaN as f64::max does (0 for a lane of only NaN).
pub(crate) fn first_max(lane: ndarray::ArrayView1<f64>) -> usize {
    let mut best = 0;
    for (i, &v) in lane.indexed_iter() {
        if v > lane[best] || (lane[best].is_nan() && !v.is_nan()) {
            best = i;
        }
    }
    best
}
// END HIDDEN
