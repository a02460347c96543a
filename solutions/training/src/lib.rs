//! The capstones on the reference solutions: the same training code as
//! `cargo train`, with a [`Kit`] bound to `solutions/` instead of
//! `modules/`. Instructors use it to check the networks train, to measure
//! an epoch, and to draw the plots the notes show.

use ndarray::{Ix3, Ix4, IxDyn};
use train::Kit;

/// The reference functions, as the training code calls them.
pub fn reference() -> Kit {
    Kit {
        conv2d: conv2d_solution::conv2d::<Ix4>,
        conv2d_backward: conv2d_solution::conv2d_backward::<Ix4>,
        maxpool2d: softmax_solution::maxpool2d::<Ix4>,
        maxpool2d_backward: softmax_solution::maxpool2d_backward::<Ix4>,
        relu: activations_solution::relu::<IxDyn>,
        relu_backward: activations_solution::relu_backward::<IxDyn>,
        dropout: |x, rate, rng| softmax_solution::dropout(x, rate, rng, softmax_solution::Mode::Train),
        dropout_backward: softmax_solution::dropout_backward::<IxDyn>,
        linear: network_solution::linear,
        linear_backward: network_solution::linear_backward,
        cross_entropy: network_solution::cross_entropy,
        cross_entropy_backward: network_solution::cross_entropy_backward,
        gate: attention_solution::gate::<IxDyn>,
        gate_backward: attention_solution::gate_backward::<IxDyn>,
        attention: attention_solution::attention::<Ix3>,
        attention_backward: attention_solution::attention_backward::<Ix3>,
    }
}
