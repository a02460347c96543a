//! `cargo train mnist` and `cargo train sequence`, on your crates.

use std::process::ExitCode;

use ndarray::{Ix4, IxDyn};
use train::Kit;

/// Your functions, as the training code calls them.
pub fn student() -> Kit {
    Kit {
        conv2d: conv2d::conv2d::<Ix4>,
        conv2d_backward: conv2d::conv2d_backward::<Ix4>,
        maxpool2d: softmax::maxpool2d::<Ix4>,
        maxpool2d_backward: softmax::maxpool2d_backward::<Ix4>,
        relu: activations::relu::<IxDyn>,
        relu_backward: activations::relu_backward::<IxDyn>,
        dropout: |x, rate, rng| softmax::dropout(x, rate, rng, softmax::Mode::Train),
        dropout_backward: softmax::dropout_backward::<IxDyn>,
        linear: network::linear,
        linear_backward: network::linear_backward,
        cross_entropy: network::cross_entropy,
        cross_entropy_backward: network::cross_entropy_backward,
        gate: attention::gate::<IxDyn>,
        gate_backward: attention::gate_backward::<IxDyn>,
        attention: attention::attention::<ndarray::Ix3>,
        attention_backward: attention::attention_backward::<ndarray::Ix3>,
    }
}

fn main() -> ExitCode {
    train::app::main(student(), train::app::Gate::Grader)
}
