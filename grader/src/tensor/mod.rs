//! Checks of module 1, `tensor`: strides and views.
//!
//! References: `grader/golden/tensor.json` (numpy) and ndarray's own layout
//! arithmetic (`strides`, indexing, `permuted_axes`, `is_standard_layout`,
//! `broadcast`, reshaping), applied to tensors built by [`layouts`].

mod broadcast;
mod indexing;
pub mod layouts;
mod views;

use support::{Index, Shape, ShapeError, Strides, TensorData};

use crate::Task;

/// The functions of the `tensor` module under test.
#[derive(Clone, Copy)]
pub struct Functions {
    pub contiguous_strides: fn(&[usize]) -> Strides,
    pub index_to_position: fn(&[usize], &[usize]) -> usize,
    pub to_index: fn(usize, &[usize]) -> Index,
    pub shape_broadcast: fn(&[usize], &[usize]) -> Result<Shape, ShapeError>,
    pub broadcast_index: fn(&[usize], &[usize], &[usize]) -> Index,
    pub is_contiguous: fn(&TensorData) -> bool,
    pub permute: fn(&TensorData, &[usize]) -> Result<TensorData, ShapeError>,
    pub view: fn(&TensorData, &[usize]) -> Result<TensorData, ShapeError>,
    pub contiguous: fn(&TensorData) -> TensorData,
    pub get: fn(&TensorData, &[usize]) -> Result<f64, ShapeError>,
}

/// The [`Functions`] of a crate with the `tensor` module's API.
#[macro_export]
macro_rules! tensor_functions {
    ($krate:ident) => {
        $crate::tensor::Functions {
            contiguous_strides: $krate::contiguous_strides,
            index_to_position: $krate::index_to_position,
            to_index: $krate::to_index,
            shape_broadcast: $krate::shape_broadcast,
            broadcast_index: $krate::broadcast_index,
            is_contiguous: $krate::is_contiguous,
            permute: $krate::permute,
            view: $krate::view,
            contiguous: $krate::contiguous,
            get: $krate::get,
        }
    };
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
