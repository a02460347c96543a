//! The capstones of the course: whole networks trained on your functions.
//!
//! - `cargo train mnist`: a LeNet ([`lenet`]) learns to read the digits of
//!   MNIST-5k ([`mnist`]);
//! - `cargo train sequence`: a small causal attention model ([`sequence`])
//!   learns to reverse a sequence of digits.
//!
//! The layers ([`layers`]) call your functions through a [`Kit`], a table of
//! function pointers that `src/main.rs` fills with your crates; the plots
//! ([`plots`]) are SVG drawn by code.

pub mod app;
pub mod checks;
pub mod gate;
pub mod kit;
pub mod layers;
pub mod lenet;
pub mod mnist;
pub mod plots;
pub mod sequence;

pub use kit::{Kit, Uses};
