//! The figures of the book that are drawn by code, one file per chapter.
//!
//! Regenerate them with `cargo run -p book --bin figures`, which rewrites
//! every generated SVG in `book/src/figures/`. `cargo test -p book --test
//! figures` fails when a checked-in SVG differs from what this code draws,
//! so change a figure here, never in the SVG file.
//!
//! The numbers drawn are the chapters' worked examples, written out as
//! literal tables: the book carries no implementation of the exercises, not
//! even one that draws pictures. Plots of functions are the exception: a
//! curve needs hundreds of values, so [`activations`] samples ReLU, step
//! and sigmoid (the latter through its tanh identity, on a range where no
//! care is needed), one `f64` at a time, to draw them, and [`softmax`]
//! does the same for the maximum and the softmax of the pair (x, 0), and
//! [`attention`] for the weights of a sigmoid gate.

pub mod activations;
pub mod attention;
pub mod conv1d;
pub mod conv2d;
pub mod pooling;
pub mod softmax;
pub mod svg;

use std::path::PathBuf;

/// One generated figure: its file name in `book/src/figures/` and its text.
pub struct Figure {
    pub name: &'static str,
    pub svg: String,
}

/// Every generated figure, drawn in memory.
pub fn all() -> Vec<Figure> {
    let mut figures = conv1d::figures();
    figures.extend(conv2d::figures());
    figures.extend(pooling::figures());
    figures.extend(activations::figures());
    figures.extend(softmax::figures());
    figures.extend(attention::figures());
    figures
}

/// The directory the figures are written to: `book/src/figures/`.
pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src").join("figures")
}
