//! The gradlings grader: checks every exercise function of the course and
//! reports a score.
//!
//! - A [`Task`] is one exercise function: a module, a name, points, and the
//!   checks that grade it (worked examples, golden files computed by numpy
//!   or JAX, proptest properties, finite differences, non-contiguous
//!   layouts).
//! - An [`Implementation`] is a table of the functions under test. Each
//!   one is a [`link`]: calling it sends the arguments to a runner process
//!   and reads the results back.
//! - [`runner`] grades each task against a fresh runner (a process bound to
//!   one module's crate, [`build`] compiles it alone), under a time and a
//!   memory limit, so a `todo!()`, a panic, an endless loop, an abort or an
//!   attack in one task never changes another.
//! - [`report`] prints the result for people or as one JSON document.
//!
//! This crate is the judge: it links no crate a student can edit, and
//! holds no solution. Its references are golden files, ndarray's own
//! layout arithmetic, properties, and finite differences.

// The tables of functions under test spell out each function's signature.
#![allow(clippy::type_complexity)]

pub mod activations;
pub mod attention;
pub mod build;
pub mod check;
pub mod cli;
pub mod conv;
pub mod conv1d;
pub mod conv2d;
pub mod credit;
pub mod edges;
pub mod golden;
pub mod hints;
pub mod link;
pub mod mistakes;
pub mod network;
pub mod pooling;
pub mod report;
pub mod runner;
pub mod sandbox;
pub mod sections;
mod shape_error;
pub mod show;
pub mod softmax;
pub mod strided;
pub mod suggest;
pub mod task;
pub mod tensor;
pub mod watch;

pub use check::Checker;
pub use shape_error::ShapeError;
pub use task::{CheckReport, Status, Task, TaskReport};

/// The functions under test, one table per module.
#[derive(Clone)]
pub struct Implementation {
    /// Module 1: strides and views.
    pub tensor: tensor::Functions,
    /// Module 2: 1D convolution.
    pub conv1d: conv1d::Functions,
    /// Module 3: 2D convolution.
    pub conv2d: conv2d::Functions,
    /// Module 4: pooling.
    pub pooling: pooling::Functions,
    /// Module 5: ReLU, step, sigmoid.
    pub activations: activations::Functions,
    /// Module 6: max, argmax, softmax, max pooling, dropout.
    pub softmax: softmax::Functions,
    /// Module 7: gates and attention.
    pub attention: attention::Functions,
    /// Module 8: a linear layer, cross-entropy and a small network.
    pub network: network::Functions,
}

/// Every task of the course, in the order of the notes.
pub fn tasks() -> Vec<Task> {
    [
        tensor::tasks(),
        conv1d::tasks(),
        conv2d::tasks(),
        pooling::tasks(),
        activations::tasks(),
        softmax::tasks(),
        attention::tasks(),
        network::tasks(),
    ]
    .concat()
}

impl Implementation {
    /// Every module's functions, called through `link`. A task calls only
    /// its own module's, so one runner (bound to that module) serves them.
    pub fn remote(link: &link::Link) -> Self {
        Implementation {
            tensor: tensor::Functions::remote(link),
            conv1d: conv1d::Functions::remote(link),
            conv2d: conv2d::Functions::remote(link),
            pooling: pooling::Functions::remote(link),
            activations: activations::Functions::remote(link),
            softmax: softmax::Functions::remote(link),
            attention: attention::Functions::remote(link),
            network: network::Functions::remote(link),
        }
    }
}
