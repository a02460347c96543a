//! What ndarray, the array library of the later modules, does with the
//! same ideas: strides, transposes, standard layout and broadcasting.
//!
//! Run it with `cargo run -p book --example tensor_ndarray`.

use ndarray::{Array, Array1, Array2, ShapeError};

fn main() -> Result<(), ShapeError> {
    // ANCHOR: strides
    let a = Array::from_shape_vec((4, 2, 2), (0..16).map(f64::from).collect())?;
    assert_eq!(a.strides(), &[4, 2, 1]);
    assert!(a.is_standard_layout());
    // ANCHOR_END: strides

    // ANCHOR: transpose
    let m = Array2::from_shape_vec((4, 2), (0..8).map(f64::from).collect())?;
    let t = m.t(); // a view: no number moves
    assert_eq!(t.shape(), &[2, 4]);
    assert_eq!(t.strides(), &[1, 2]);
    assert!(!t.is_standard_layout());
    assert_eq!(t[[1, 3]], m[[3, 1]]);

    // A row-major copy, made only when the layout needs one.
    let copy = t.as_standard_layout();
    assert!(copy.is_owned());
    assert_eq!(copy.strides(), &[4, 1]);
    assert!(m.as_standard_layout().is_view());
    // ANCHOR_END: transpose

    // ANCHOR: reshape
    // Reshaping gives a view of a standard-layout array and a copy otherwise.
    let folded = m.to_shape((2, 4))?;
    assert!(folded.is_view());
    let refolded = t.to_shape((4, 2))?;
    assert!(refolded.is_owned());
    // ANCHOR_END: reshape

    // ANCHOR: unit_axis
    // An axis of length 1 is never stepped along, so its stride is free.
    let column = Array2::from_shape_vec((3, 1), vec![1.0, 2.0, 3.0])?;
    let row = column.t();
    assert_eq!(row.shape(), &[1, 3]);
    assert_eq!(row.strides(), &[1, 1]);
    assert!(row.is_standard_layout());
    // ANCHOR_END: unit_axis

    // ANCHOR: broadcast
    let bias = Array1::from_vec(vec![10.0, 20.0]);
    let stretched = bias.broadcast((4, 2)).expect("(2,) stretches to (4, 2)");
    assert_eq!(stretched.strides(), &[0, 1]);
    assert_eq!(stretched[[3, 1]], 20.0);

    // Shapes are aligned on the right: (5,) does not fit (5, 2).
    let five = Array1::<f64>::zeros(5);
    assert!(five.broadcast((5, 2)).is_none());

    // Arithmetic broadcasts both operands the same way.
    let sum = &m + &bias;
    assert_eq!(sum.shape(), &[4, 2]);
    assert_eq!(sum[[3, 1]], 27.0);
    // ANCHOR_END: broadcast

    println!("ndarray agrees with the chapter");
    Ok(())
}
