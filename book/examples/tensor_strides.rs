//! The layouts that the `tensor` chapter draws, built with the provided
//! `support::TensorData` and checked slot by slot.
//!
//! Run it with `cargo run -p book --example tensor_strides`.

use support::{ShapeError, TensorData, fmt_shape};

fn main() -> Result<(), ShapeError> {
    // ANCHOR: grid
    // Eight numbers in one flat storage, seen as 4 rows of 2.
    let values: Vec<f64> = (0..8).map(f64::from).collect();
    let grid = TensorData::new(values, vec![4, 2], vec![2, 1])?;
    assert_eq!(grid.shape(), &[4, 2]);
    assert_eq!(grid.strides(), &[2, 1]);
    assert_eq!(grid.offset(), 0);
    assert_eq!(grid.size(), 8);
    // ANCHOR_END: grid

    // ANCHOR: position
    // Element (3, 1): offset 0, plus 3 steps of 2, plus 1 step of 1.
    let slot = grid.offset() + 3 * 2 + 1;
    assert_eq!(slot, 7);
    assert_eq!(grid.storage()[slot], 7.0);
    // ANCHOR_END: position

    // ANCHOR: swapped
    // The same storage read column by column: shape (2, 4), strides (1, 2).
    // `with_storage` shares the storage instead of copying it.
    let swapped = TensorData::with_storage(grid.storage().clone(), vec![2, 4], vec![1, 2], 0)?;
    assert!(swapped.shares_storage(&grid));
    // Element (1, 3) of the swapped layout is element (3, 1) of the grid.
    assert_eq!(swapped.storage()[1 + 3 * 2], 7.0);
    // ANCHOR_END: swapped

    // ANCHOR: offset
    // Row 2 of the grid on its own: one axis of length 2, starting at slot 4.
    let row = TensorData::with_storage(grid.storage().clone(), vec![2], vec![1], 4)?;
    assert_eq!(row.storage()[row.offset()], 4.0);
    assert_eq!(row.storage()[row.offset() + row.strides()[0]], 5.0);
    // ANCHOR_END: offset

    // ANCHOR: refused
    // Strides that would read past the end of the storage are refused.
    let err = TensorData::new(vec![0.0; 7], vec![4, 2], vec![2, 1]).unwrap_err();
    assert_eq!(err.function, "TensorData");
    println!("{err}");
    // ANCHOR_END: refused

    println!(
        "grid {} strides {}; swapped {} strides {}",
        fmt_shape(grid.shape()),
        fmt_shape(grid.strides()),
        fmt_shape(swapped.shape()),
        fmt_shape(swapped.strides())
    );
    Ok(())
}
