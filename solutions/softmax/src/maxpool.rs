//! Max pooling on the tiled windows of the pooling module.

use ndarray::{Array4, ArrayView4, Axis};
use pooling_solution::tile;

/// The maximum of every window of a valid input (the kernel divides its
/// height and width).
pub fn maxpool(x: ArrayView4<f64>, kernel: (usize, usize)) -> Array4<f64> {
    // BEGIN SOLUTION: tile x into windows and take the max over the last axis
    // HINT(maxpool2d): Largest value per window.
    // HINT(maxpool2d): Reuse tile and take the max over its last axis; the input is validated, so tile can't fail.
    // HINT(maxpool2d): Pitfalls: average or min pooling.
    let windows = tile(x, kernel).expect("a validated input");
    windows.fold_axis(Axis(4), f64::NAN, |&best, &v| best.max(v))
    // END SOLUTION
}

/// Every window's `grad_out` sent to the position of the window's maximum.
pub fn maxpool_backward(x: ArrayView4<f64>, (kh, kw): (usize, usize), grad_out: ArrayView4<f64>) -> Array4<f64> {
    // BEGIN SOLUTION: tile x; for every window find the index k of its first maximum, which sits at row k / kw and column k % kw of the window
    // HINT(maxpool2d_backward): Each window's gradient goes to its max only.
    // HINT(maxpool2d_backward): Find the max's index in the flattened window, then its row and column in the window.
    // HINT(maxpool2d_backward): Ties go to one position; don't spread the gradient as average pooling does.
    // Each window is read in place, plane by plane, in row-major order (so
    // the first maximum is the one of smallest flattened index k, at row
    // k / kw and column k % kw): no tiled copy and no view per window,
    // which made this the slowest layer of `cargo train mnist`.
    let mut grad = Array4::zeros(x.raw_dim());
    for ((mut grad_image, image), g_image) in grad.outer_iter_mut().zip(x.outer_iter()).zip(grad_out.outer_iter()) {
        for ((mut plane_grad, plane), g_plane) in
            grad_image.outer_iter_mut().zip(image.outer_iter()).zip(g_image.outer_iter())
        {
            for ((i, j), &g) in g_plane.indexed_iter() {
                let mut best = (i * kh, j * kw);
                for r in i * kh..(i + 1) * kh {
                    for c in j * kw..(j + 1) * kw {
                        let (v, top) = (plane[[r, c]], plane[best]);
                        // Skipping NaN as f64::max does.
                        if v > top || (top.is_nan() && !v.is_nan()) {
                            best = (r, c);
                        }
                    }
                }
                plane_grad[best] = g;
            }
        }
    }
    grad
    // END SOLUTION
}
