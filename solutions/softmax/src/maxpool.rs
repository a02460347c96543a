//! Max pooling on the tiled windows of the pooling module.

use ndarray::{Array4, ArrayView4};
// BEGIN HIDDEN
use std::hint::select_unpredictable;

use pooling_solution::for_each_plane;
// END HIDDEN

/// The maximum of every window of a valid input (the kernel divides its
/// height and width).
pub fn maxpool(x: ArrayView4<f64>, kernel: (usize, usize)) -> Array4<f64> {
    // BEGIN SOLUTION: tile x into windows and take the max over the last axis
    // HINT(maxpool2d): Largest value per window.
    // HINT(maxpool2d): Reuse tile and take the max over its last axis; the input is validated, so tile can't fail.
    // HINT(maxpool2d): Pitfalls: average or min pooling.
    // Each window is read in place, row by row, on rayon's threads for big
    // inputs: the maxima of tiling's windows, without the copy.
    let ((b, c, h, w), (kh, kw)) = (x.dim(), kernel);
    let (oh, ow) = (h / kh, w / kw);
    let x = x.as_standard_layout();
    let x = x.as_slice().expect("standard layout");
    let mut out = Array4::from_elem((b, c, oh, ow), f64::NAN);
    for_each_plane(out.as_slice_mut().expect("a new array"), oh * ow, h * w, |p, out| {
        let plane = &x[p * h * w..(p + 1) * h * w];
        for (i, out) in out.chunks_exact_mut(ow).enumerate() {
            for row in plane.chunks_exact(w).skip(i * kh).take(kh) {
                out.iter_mut()
                    .zip(row.chunks_exact(kw))
                    .for_each(|(o, window)| *o = window.iter().fold(*o, |a, &v| a.max(v)));
            }
        }
    });
    out
    // END SOLUTION
}

/// Every window's `grad_out` sent to the position of the window's maximum.
pub fn maxpool_backward(x: ArrayView4<f64>, (kh, kw): (usize, usize), grad_out: ArrayView4<f64>) -> Array4<f64> {
    // BEGIN SOLUTION: tile x; for every window find the index k of its first maximum, which sits at row k / kw and column k % kw of the window
    // HINT(maxpool2d_backward): Each window's gradient goes to its max only.
    // HINT(maxpool2d_backward): Find the max's index in the flattened window, then its row and column in the window.
    // HINT(maxpool2d_backward): Ties go to one position; don't spread the gradient as average pooling does.
    // Each window is read in place, plane by plane (in parallel for big
    // inputs), in row-major order, so that the first maximum wins: no tiled
    // copy and no view per window. The windows of a row of outputs are
    // searched together, one position of the window at a time, without a
    // branch: on random data a branch "is this larger?" is mispredicted
    // half the time, which made it 3/4 of this function's time.
    let (b, c, h, w) = x.dim();
    let (_, _, oh, ow) = grad_out.dim();
    let x = x.as_standard_layout();
    let x = x.as_slice().expect("standard layout");
    let g = grad_out.as_standard_layout();
    let g = g.as_slice().expect("standard layout");
    let mut grad = Array4::zeros((b, c, h, w));
    for_each_plane(grad.as_slice_mut().expect("a new array"), h * w, h * w, |p, grad| {
        let (plane, g) = (&x[p * h * w..(p + 1) * h * w], &g[p * oh * ow..(p + 1) * oh * ow]);
        let (mut top, mut best) = (vec![f64::NAN; ow], vec![0; ow]);
        for (i, g) in g.chunks_exact(ow).enumerate() {
            top.fill(f64::NAN);
            best.fill(0);
            for r in 0..kh {
                let row = &plane[(i * kh + r) * w..(i * kh + r + 1) * w];
                for c in 0..kw {
                    // The position in the plane relative to the window's
                    // top-left corner (no division by kw afterwards).
                    let k = r * w + c;
                    for ((top, best), window) in top.iter_mut().zip(&mut best).zip(row.chunks_exact(kw)) {
                        // Skipping NaN as f64::max does. `select_unpredictable`
                        // asks for a conditional move rather than a branch.
                        let v = window[c];
                        let better = (v > *top) | (top.is_nan() & !v.is_nan());
                        *best = select_unpredictable(better, k, *best);
                        *top = top.max(v);
                    }
                }
            }
            for (j, (&k, &g)) in best.iter().zip(g).enumerate() {
                grad[i * kh * w + j * kw + k] = g;
            }
        }
    });
    grad
    // END SOLUTION
}
