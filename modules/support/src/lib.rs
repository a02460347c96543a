//! Provided code that every gradlings exercise builds on. Nothing here is
//! graded; read it, call it, and build on it.
//!
//! - [`ShapeError`]: the one error type of the course. Every public exercise
//!   function that can be given a bad shape returns it, naming the function,
//!   what it expected and what it was given.
//! - [`TensorData`]: a minimal strided tensor (shared storage, shape, strides,
//!   offset), the subject of the `tensor` module.
//! - [`axes`]: the check that a public function was given arrays with the
//!   number of axes it needs.
//! - [`size`]: the number of elements of a shape, checked, so that a hostile
//!   shape such as `(2^62, 4)` is refused instead of overflowing.
//! - [`random`]: seeded random arrays and noise, so that every run can be
//!   reproduced from one number.
//! - [`gradcheck`]: the finite-difference gradient checker that the grader
//!   uses, and that you may call in your own tests (it lives in the
//!   grader's `numeric` crate, outside `modules/`, and is re-exported here).
//!
//! ```
//! use support::{ShapeError, TensorData};
//!
//! // Eight numbers seen as a 4 x 2 grid, row-major.
//! let t = TensorData::new(vec![0.0; 8], vec![4, 2], vec![2, 1])?;
//! assert_eq!(t.shape(), &[4, 2]);
//! assert_eq!(t.strides(), &[2, 1]);
//! assert_eq!(t.size(), 8);
//! # Ok::<(), ShapeError>(())
//! ```

pub mod axes;
pub mod error;
pub use numeric::{gradcheck, random};
pub mod size;
pub mod tensor_data;

pub use error::{ShapeError, fmt_shape};
pub use size::checked_size;
pub use tensor_data::{Index, Shape, Storage, Strides, TensorData};
