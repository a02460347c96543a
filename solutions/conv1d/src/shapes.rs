//! The shape checks of the public functions (provided, not graded).

use ndarray::{ArrayView, ArrayView3, Dimension, Ix3};
use support::axes::with_axes;
use support::size::fits;
use support::{ShapeError, fmt_shape};

/// `input` and `weight` as 3-axis views with the same input channels and a
/// kernel of at least one weight, whose output `B x Cout x W` an array can
/// hold (an empty input and weight can ask for a huge output of zeros).
pub fn operands<'a, D: Dimension>(
    function: &'static str,
    input: ArrayView<'a, f64, D>,
    weight: ArrayView<'a, f64, D>,
) -> Result<(ArrayView3<'a, f64>, ArrayView3<'a, f64>), ShapeError> {
    let x = with_axes::<_, Ix3>(function, "input", "(batch, in_channels, width)", input)?;
    let w = with_axes::<_, Ix3>(function, "weight", "(out_channels, in_channels, kernel_width)", weight)?;
    let (_, cin, _) = x.dim();
    let (_, wcin, k) = w.dim();
    if wcin != cin {
        return Err(ShapeError::new(
            function,
            format!("a weight with {cin} input channels, as the input {} has", fmt_shape(x.shape())),
            format!("weight {}", fmt_shape(w.shape())),
        ));
    }
    if k == 0 {
        return Err(ShapeError::new(
            function,
            "a kernel of at least 1 weight",
            format!("weight {}", fmt_shape(w.shape())),
        ));
    }
    let (b, o, width) = output_dim(x, w);
    fits(function, "an output", &[b, o, width])?;
    Ok((x, w))
}

/// The output's shape, `B x Cout x W`.
pub fn output_dim(x: ArrayView3<f64>, w: ArrayView3<f64>) -> (usize, usize, usize) {
    let (b, _, width) = x.dim();
    (b, w.dim().0, width)
}

/// `grad_out` as a 3-axis view of the output's shape `dim`.
pub fn grad_out<'a, D: Dimension>(
    function: &'static str,
    grad_out: ArrayView<'a, f64, D>,
    dim: (usize, usize, usize),
) -> Result<ArrayView3<'a, f64>, ShapeError> {
    let g = with_axes::<_, Ix3>(function, "grad_out", "(batch, out_channels, width)", grad_out)?;
    if g.dim() != dim {
        let (b, o, w) = dim;
        return Err(ShapeError::new(
            function,
            format!("grad_out shaped like the output {}", fmt_shape(&[b, o, w])),
            format!("grad_out {}", fmt_shape(g.shape())),
        ));
    }
    Ok(g)
}
