//! The shape checks of the public functions (provided, not graded).

use ndarray::{ArrayView, ArrayView4, Dimension, Ix4};
use support::axes::with_axes;
use support::size::fits;
use support::{ShapeError, fmt_shape};

/// `input` as a 4-axis view whose height and width the kernel divides.
pub fn pooled<'a, D: Dimension>(
    function: &'static str,
    input: ArrayView<'a, f64, D>,
    (kh, kw): (usize, usize),
) -> Result<ArrayView4<'a, f64>, ShapeError> {
    let x = with_axes::<_, Ix4>(function, "input", "(batch, channels, height, width)", input)?;
    let (_, _, h, w) = x.dim();
    if kh == 0 || kw == 0 {
        return Err(ShapeError::new(function, "a kernel of at least 1 x 1", format!("kernel ({kh}, {kw})")));
    }
    if h % kh != 0 || w % kw != 0 {
        return Err(ShapeError::new(
            function,
            format!("a height and width divisible by the kernel ({kh}, {kw})"),
            format!("input {}", fmt_shape(x.shape())),
        ));
    }
    Ok(x)
}

/// The pooled shape of `x`: `B x C x H/kh x W/kw` (an empty kernel has no
/// windows: 0 along its empty axis).
pub fn pooled_dim(x: ArrayView4<f64>, (kh, kw): (usize, usize)) -> (usize, usize, usize, usize) {
    let (b, c, h, w) = x.dim();
    (b, c, h.checked_div(kh).unwrap_or(0), w.checked_div(kw).unwrap_or(0))
}

/// The shape of the tiled windows of `x`, `B x C x H/kh x W/kw x (kh * kw)`,
/// or an error of `function` when no array can have it: over an empty image
/// a kernel may be as big as it likes, and `kh * kw` may overflow.
pub fn tiled(function: &'static str, x: ArrayView4<f64>, kernel: (usize, usize)) -> Result<[usize; 5], ShapeError> {
    let (b, c, oh, ow) = pooled_dim(x, kernel);
    let Some(window) = kernel.0.checked_mul(kernel.1) else {
        return Err(ShapeError::new(
            function,
            "a kernel whose kh * kw fits in a usize",
            format!("kernel ({}, {})", kernel.0, kernel.1),
        ));
    };
    let shape = [b, c, oh, ow, window];
    fits(function, "an output", &shape)?;
    Ok(shape)
}

/// `grad_out` as a 4-axis view of the pooled shape of `x`.
pub fn grad_out<'a, D: Dimension>(
    function: &'static str,
    x: ArrayView4<f64>,
    (kh, kw): (usize, usize),
    grad_out: ArrayView<'a, f64, D>,
) -> Result<ArrayView4<'a, f64>, ShapeError> {
    let g = with_axes::<_, Ix4>(function, "grad_out", "(batch, channels, height, width)", grad_out)?;
    let (b, c, oh, ow) = pooled_dim(x, (kh, kw));
    let pooled = [b, c, oh, ow];
    if g.shape() != pooled {
        return Err(ShapeError::new(
            function,
            format!("grad_out shaped like the output {}", fmt_shape(&pooled)),
            format!("grad_out {}", fmt_shape(g.shape())),
        ));
    }
    Ok(g)
}
