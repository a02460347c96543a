//! A small convolutional network built from the course's layers (provided,
//! not an exercise): the end-to-end check of the grader trains nothing, but
//! compares this module's gradients with finite differences of its loss.
//!
//! ```text
//! x (B, C_in, H, W)
//!   → conv2d with kernel (K, C_in, KH, KW)  → (B, K, H, W)
//!   → relu                                  → (B, K, H, W)
//!   → 2 × 2 max pooling                     → (B, K, H/2, W/2)
//!   → flatten                               → (B, K·H/2·W/2)
//!   → linear with weight (C, K·H/2·W/2), bias (C) → logits (B, C)
//!   → cross_entropy with the labels         → loss
//! ```
//!
//! The forward keeps what each backward needs (the convolution's output
//! for ReLU's backward, ReLU's output for max pooling's, the flattened
//! features for the linear layer's, the logits for the loss's), and the
//! backward runs the layers in reverse, each turning the gradient of its
//! output into the gradient of its input and of its parameters.

use activations::{relu, relu_backward};
use conv2d::{conv2d, conv2d_backward};
use ndarray::{Array1, Array2, Array4, ArrayView4};
use softmax::{maxpool2d, maxpool2d_backward};
use support::random::{Rng, uniform};
use support::{ShapeError, fmt_shape};

use crate::{cross_entropy, cross_entropy_backward, linear, linear_backward};

/// The pooling window.
pub const POOL: (usize, usize) = (2, 2);

/// The network's parameters, or their gradients (the same shapes).
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// The convolution's kernel, `K x C_in x KH x KW`.
    pub kernel: Array4<f64>,
    /// The linear layer's weight, `C x (K * H/2 * W/2)`.
    pub weight: Array2<f64>,
    /// The linear layer's bias, `C`.
    pub bias: Array1<f64>,
}

impl Params {
    /// Random parameters for `channels` kernels of 3 x 3 over single-channel
    /// `height x width` images and `classes` classes, uniform in
    /// `[-1/sqrt(fan_in), 1/sqrt(fan_in))` per layer.
    pub fn random(channels: usize, height: usize, width: usize, classes: usize, rng: &mut Rng) -> Params {
        let features = channels * (height / POOL.0) * (width / POOL.1);
        let kernel: Array4<f64> = uniform((channels, 1, 3, 3), rng) / 3.0;
        let weight: Array2<f64> = uniform((classes, features), rng) / (features.max(1) as f64).sqrt();
        Params { kernel, weight, bias: Array1::zeros(classes) }
    }
}

/// What the forward keeps for the backward.
struct Kept {
    conv: Array4<f64>,
    activated: Array4<f64>,
    features: Array2<f64>,
    logits: Array2<f64>,
}

/// The forward pass: the loss and what the backward needs.
fn forward(params: &Params, x: ArrayView4<f64>, labels: &[usize]) -> Result<(f64, Kept), ShapeError> {
    let function = "loss_and_gradients";
    let (b, c_in, h, w) = x.dim();
    if params.kernel.shape()[1] != c_in || h % POOL.0 != 0 || w % POOL.1 != 0 {
        return Err(ShapeError::new(
            function,
            format!("x with the kernel's {} channels and an even height and width", params.kernel.shape()[1]),
            format!("x of shape {} for a kernel of shape {}", fmt_shape(x.shape()), fmt_shape(params.kernel.shape())),
        ));
    }
    let conv = conv2d(x, params.kernel.view())?;
    let activated = relu(conv.view());
    let pooled = maxpool2d(activated.view(), POOL)?;
    let features = pooled
        .into_shape_with_order((b, params.kernel.shape()[0] * (h / POOL.0) * (w / POOL.1)))
        .expect("a fresh array flattens");
    let logits = linear(features.view(), params.weight.view(), params.bias.view())?;
    let loss = cross_entropy(logits.view(), labels)?;
    Ok((loss, Kept { conv, activated, features, logits }))
}

/// The network's loss on a batch `x` (`B x C_in x H x W`, `H` and `W`
/// even) with `labels` (one class per image).
///
/// **Errors** when the shapes do not fit together (the first layer that
/// refuses them names itself), or as [`cross_entropy`] does.
pub fn loss(params: &Params, x: ArrayView4<f64>, labels: &[usize]) -> Result<f64, ShapeError> {
    forward(params, x, labels).map(|(loss, _)| loss)
}

/// The loss, as [`loss`], and its gradient with respect to every
/// parameter, shaped like `params`.
///
/// **Errors** as [`loss`] does.
pub fn loss_and_gradients(params: &Params, x: ArrayView4<f64>, labels: &[usize]) -> Result<(f64, Params), ShapeError> {
    let (loss, kept) = forward(params, x, labels)?;
    let grad_logits = cross_entropy_backward(kept.logits.view(), labels)?;
    let (grad_features, weight, bias) =
        linear_backward(kept.features.view(), params.weight.view(), grad_logits.view())?;
    let (b, k, h, w) = kept.activated.dim();
    let grad_pooled = grad_features.into_shape_with_order((b, k, h / POOL.0, w / POOL.1)).expect("a fresh array");
    let grad_activated = maxpool2d_backward(kept.activated.view(), POOL, grad_pooled.view())?;
    let grad_conv = relu_backward(kept.conv.view(), grad_activated.view())?;
    let (_, kernel) = conv2d_backward(x, params.kernel.view(), grad_conv.view())?;
    Ok((loss, Params { kernel, weight, bias }))
}
