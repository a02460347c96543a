//! The checks of the public functions' arguments (provided, not graded).

use ndarray::{ArrayView1, ArrayView2};
use support::size::fits;
use support::{ShapeError, fmt_shape};

/// `Ok` when `weight` is `OUT x IN` for `x` of `B x IN` and `bias` has `OUT`
/// elements, and the output `B x OUT` can exist.
pub fn linear(
    function: &'static str,
    x: &ArrayView2<f64>,
    weight: &ArrayView2<f64>,
    bias: Option<&ArrayView1<f64>>,
) -> Result<(), ShapeError> {
    if weight.ncols() != x.ncols() {
        return Err(ShapeError::new(
            function,
            format!("weight of shape (OUT, {}), with as many columns as x has features", x.ncols()),
            format!("weight of shape {} for x of shape {}", fmt_shape(weight.shape()), fmt_shape(x.shape())),
        ));
    }
    if let Some(bias) = bias
        && bias.len() != weight.nrows()
    {
        return Err(ShapeError::new(
            function,
            format!("bias of shape ({},), one per row of the weight", weight.nrows()),
            format!("bias of shape {} for weight of shape {}", fmt_shape(bias.shape()), fmt_shape(weight.shape())),
        ));
    }
    fits(function, "x", x.shape())?;
    fits(function, "weight", weight.shape())?;
    fits(function, "output", &[x.nrows(), weight.nrows()]).map(drop)
}

/// `Ok` when `grad_out` is shaped like the output of `linear`: `B x OUT`.
pub fn grad_out(
    function: &'static str,
    x: &ArrayView2<f64>,
    weight: &ArrayView2<f64>,
    grad_out: &ArrayView2<f64>,
) -> Result<(), ShapeError> {
    let expected = [x.nrows(), weight.nrows()];
    if grad_out.shape() == expected {
        return Ok(());
    }
    Err(ShapeError::new(
        function,
        format!("grad_out of shape {}, the output's", fmt_shape(&expected)),
        format!("shape {}", fmt_shape(grad_out.shape())),
    ))
}

/// `Ok` when `logits` (`B x C`) has at least one example and `labels` holds
/// one class below `C` for each.
pub fn labelled(function: &'static str, logits: &ArrayView2<f64>, labels: &[usize]) -> Result<(), ShapeError> {
    let (b, c) = logits.dim();
    if b == 0 {
        return Err(ShapeError::new(
            function,
            "logits with at least one example (the mean over an empty batch is undefined)",
            format!("logits of shape {}", fmt_shape(logits.shape())),
        ));
    }
    if labels.len() != b {
        return Err(ShapeError::new(
            function,
            format!("{b} labels, one per row of the logits"),
            format!("{} labels for logits of shape {}", labels.len(), fmt_shape(logits.shape())),
        ));
    }
    if let Some((i, &label)) = labels.iter().enumerate().find(|&(_, &label)| label >= c) {
        return Err(ShapeError::new(
            function,
            format!("labels below {c}, the number of classes"),
            format!("label {label} at position {i} for logits of shape {}", fmt_shape(logits.shape())),
        ));
    }
    fits(function, "logits", logits.shape()).map(drop)
}
