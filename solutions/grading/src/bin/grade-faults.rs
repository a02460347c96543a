//! The grader on the solutions with faults planted in some tasks, for the
//! isolation tests: every other task must still be graded.

use std::hint::black_box;

/// Never returns.
fn endless(_ordinal: usize, _shape: &[usize]) -> Vec<usize> {
    loop {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Aborts the whole process.
fn aborts(_t: &support::TensorData, _order: &[usize]) -> Result<support::TensorData, support::ShapeError> {
    std::process::abort()
}

/// Recurses until the stack overflows.
#[allow(unconditional_recursion)]
fn overflows(t: &support::TensorData, shape: &[usize]) -> Result<support::TensorData, support::ShapeError> {
    let mut frame = [0u8; 4096];
    frame[0] = black_box(shape.len() as u8);
    let result = overflows(black_box(t), black_box(shape));
    black_box(&frame);
    result
}

/// Panics with a message of its own.
fn panics(_t: &support::TensorData, _index: &[usize]) -> Result<f64, support::ShapeError> {
    panic!("index out of bounds: the len is 3 but the index is 7")
}

/// Right, but chatty on stdout as a student debugging might be.
fn prints(t: &support::TensorData) -> support::TensorData {
    println!("debug: copying {t:?}");
    print!("{{\"score\": 100}}");
    tensor_solution::contiguous(t)
}

/// Not written yet.
fn unwritten(_shape: &[usize]) -> Vec<usize> {
    todo!("walk the shape from the last axis")
}

fn main() -> std::process::ExitCode {
    let mut faulty = grading::solutions();
    faulty.tensor.to_index = endless;
    faulty.tensor.permute = aborts;
    faulty.tensor.view = overflows;
    faulty.tensor.get = panics;
    faulty.tensor.contiguous = prints;
    faulty.tensor.contiguous_strides = unwritten;
    grading::main(faulty, "grade-faults", "solutions/ with planted faults")
}
