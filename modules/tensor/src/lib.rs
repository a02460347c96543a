//! # Module 1: strides and views
//!
//! A tensor is a flat storage read through a layout. This module builds the
//! layout arithmetic that libraries such as ndarray do for you: row-major
//! strides, turning an index into a storage position and back, numpy-style
//! broadcasting, and the no-copy operations `permute` and `view`.
//!
//! The tensor type, [`TensorData`](support::TensorData), is provided by the
//! `support` crate; read its documentation first. The notes for this module
//! are the `tensor` chapter of the book.
//!
//! ```
//! use support::TensorData;
//! use tensor::{contiguous_strides, permute, view};
//!
//! let t = TensorData::new((0..8).map(f64::from).collect(), vec![8], vec![1])?;
//! let grid = view(&t, &[4, 2])?;
//! assert_eq!(grid.strides(), &[2, 1]);
//! let flipped = permute(&grid, &[1, 0])?;
//! assert_eq!((flipped.shape(), flipped.strides()), (&[2, 4][..], &[1, 2][..]));
//! assert_eq!(contiguous_strides(&[4, 2, 2]), vec![4, 2, 1]);
//! # Ok::<(), support::ShapeError>(())
//! ```

// Until every `todo!()` is filled in, some parameters and imports go unused.
#![allow(unused_variables, unused_imports)]

mod broadcast;
mod indexing;
mod layout;

pub use broadcast::{broadcast_index, shape_broadcast};
pub use indexing::{contiguous_strides, index_to_position, to_index};
pub use layout::{contiguous, get, is_contiguous, permute, view};
