//! Checks of module 1, `tensor`: strides and views.
//!
//! References: `grader/golden/tensor.json` (numpy) and ndarray's own layout
//! arithmetic (`strides`, indexing, `permuted_axes`, `is_standard_layout`,
//! `broadcast`, reshaping), applied to tensors built by [`layouts`].

mod broadcast;
mod indexing;
pub mod layouts;
mod views;

pub use self::data::TensorData;
use crate::link::{Link, remote};
use crate::{ShapeError, Task};

mod data;

/// A result or a refusal.
type Fallible<T> = Result<T, ShapeError>;

/// The functions of the `tensor` module under test.
#[derive(Clone, Copy)]
pub struct Functions {
    pub contiguous_strides: &'static dyn Fn(&[usize]) -> Vec<usize>,
    pub index_to_position: &'static dyn Fn(&[usize], &[usize]) -> usize,
    pub to_index: &'static dyn Fn(usize, &[usize]) -> Vec<usize>,
    pub shape_broadcast: &'static dyn Fn(&[usize], &[usize]) -> Fallible<Vec<usize>>,
    pub broadcast_index: &'static dyn Fn(&[usize], &[usize], &[usize]) -> Vec<usize>,
    pub is_contiguous: &'static dyn Fn(&TensorData) -> bool,
    pub permute: &'static dyn Fn(&TensorData, &[usize]) -> Fallible<TensorData>,
    pub view: &'static dyn Fn(&TensorData, &[usize]) -> Fallible<TensorData>,
    pub contiguous: &'static dyn Fn(&TensorData) -> TensorData,
    pub get: &'static dyn Fn(&TensorData, &[usize]) -> Fallible<f64>,
}

impl Functions {
    /// The functions, called through `link`.
    pub fn remote(link: &Link) -> Self {
        Functions {
            contiguous_strides: remote!(link, "contiguous_strides", |shape: &[usize]| -> Vec<usize>),
            index_to_position: remote!(link, "index_to_position", |index: &[usize], strides: &[usize]| -> usize),
            to_index: remote!(link, "to_index", |ordinal: usize, shape: &[usize]| -> Vec<usize>),
            shape_broadcast: remote!(link, "shape_broadcast", |a: &[usize], b: &[usize]| -> Fallible<Vec<usize>>),
            broadcast_index: remote!(link, "broadcast_index", |big: &[usize], big_shape: &[usize], shape: &[usize]| -> Vec<usize>),
            is_contiguous: remote!(link, "is_contiguous", |t: &TensorData| -> bool),
            permute: remote!(link, "permute", |t: &TensorData, order: &[usize]| -> Fallible<TensorData>),
            view: remote!(link, "view", |t: &TensorData, shape: &[usize]| -> Fallible<TensorData>),
            contiguous: remote!(link, "contiguous", |t: &TensorData| -> TensorData),
            get: remote!(link, "get", |t: &TensorData, index: &[usize]| -> Fallible<f64>),
        }
    }
}

/// The module's tasks, in the order of the chapter; 40 points in all.
pub fn tasks() -> Vec<Task> {
    let task = |name, points, run| Task { module: "tensor", name, points, run };
    vec![
        task("contiguous_strides", 3.0, indexing::contiguous_strides),
        task("index_to_position", 3.0, indexing::index_to_position),
        task("to_index", 4.0, indexing::to_index),
        task("is_contiguous", 4.0, views::is_contiguous),
        task("permute", 5.0, views::permute),
        task("view", 5.0, views::view),
        task("contiguous", 4.0, views::contiguous),
        task("get", 3.0, views::get),
        task("shape_broadcast", 5.0, broadcast::shape_broadcast),
        task("broadcast_index", 4.0, broadcast::broadcast_index),
    ]
}
