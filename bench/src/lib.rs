//! Criterion benchmarks of the convolutions, in GFLOP/s, and of the
//! activations and average pooling, in elements per second.
//!
//! `cargo bench -p bench` times the `conv1d` and `conv2d` modules, forward
//! and backward, on three shapes ([`SHAPES`]); a function that still reaches
//! its `todo!()` is reported as not implemented and skipped. Criterion
//! prints each bench's time and, as `thrpt`, its **flops per second**: its
//! "elem/s" (`Gelem/s`) are flop/s (GFLOP/s), since every bench declares
//! its flop count ([`Shape::forward_flops`], [`Shape::backward_flops`]) as
//! its number of elements.
//!
//! The benches of one module form a criterion group named after it, with
//! one bench per function and shape: `conv2d/forward/S1`,
//! `conv2d/backward/S1`, ..., `conv1d/backward/S3`. Run a subset by naming
//! it, save a baseline and compare later runs with it:
//!
//! ```text
//! cargo bench -p bench -- conv2d/forward
//! cargo bench -p bench -- --save-baseline before
//! cargo bench -p bench -- --baseline before
//! ```
//!
//! The library takes the functions under test as plain function pointers,
//! so any crate with the course's API can be timed the same way:
//!
//! ```no_run
//! # fn forward(x: ndarray::ArrayView4<f64>, w: ndarray::ArrayView4<f64>)
//! #     -> Result<ndarray::Array4<f64>, support::ShapeError> { todo!() }
//! # fn backward(x: ndarray::ArrayView4<f64>, w: ndarray::ArrayView4<f64>, g: ndarray::ArrayView4<f64>)
//! #     -> Result<(ndarray::Array4<f64>, ndarray::Array4<f64>), support::ShapeError> { todo!() }
//! let mut c = bench::criterion();
//! // With the course's crates: `Some(conv2d::conv2d::<Ix4>)`, `Some(conv2d::conv2d_backward::<Ix4>)`.
//! bench::conv2d_benches(&mut c, Some(forward), Some(backward));
//! ```

mod attention;
pub mod compare;
mod elementwise;
mod softmax;

pub use attention::{Attention, AttentionBackward, TOKENS, attention_benches, attention_flops, attention_operands};
pub use elementwise::{
    ACTIVATIONS, Named, Pool, PoolBackward, Unary, UnaryBackward, WINDOW, activation_benches, activation_operands,
    pooling_benches,
};
pub use softmax::{Reduce, ReduceBackward, SCORES, score_operands, softmax_benches};

use std::hint::black_box;
use std::panic::{self, AssertUnwindSafe};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};
use ndarray::{Array, Array3, Array4, ArrayView, Dimension, Ix3, Ix4};
use support::ShapeError;
use support::random::{rng, uniform};

/// A convolution: `(input, weight) -> output`, such as
/// `conv2d::conv2d::<Ix4>` (`D = Ix4`) or `conv1d::conv1d::<Ix3>` (`D = Ix3`).
pub type Forward<D> = fn(ArrayView<f64, D>, ArrayView<f64, D>) -> Result<Array<f64, D>, ShapeError>;

/// A convolution's backward: `(input, weight, grad_out) -> (grad_input,
/// grad_weight)`, such as `conv2d::conv2d_backward::<Ix4>`.
pub type Backward<D> =
    fn(ArrayView<f64, D>, ArrayView<f64, D>, ArrayView<f64, D>) -> Result<(Array<f64, D>, Array<f64, D>), ShapeError>;

/// The sizes of one benchmarked convolution, in the 2D course's terms:
/// input `B x Cin x H x W`, weight `Cout x Cin x KH x KW`, output
/// `B x Cout x H x W`.
///
/// The 1D benches use the same sizes flattened ([`conv1d_operands`]): a
/// sequence of width `H * W` and a kernel of `KH * KW` weights, so that a
/// shape costs the same flops in 1D as in 2D and the GFLOP/s of the two
/// modules compare directly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// The bench's name within its group: `S1`, `S2`, `S3`.
    pub name: &'static str,
    pub batch: usize,
    pub cin: usize,
    pub cout: usize,
    pub height: usize,
    pub width: usize,
    pub kh: usize,
    pub kw: usize,
}

/// The benchmarked shapes, from a LeNet's first and second layers to a
/// wider network's middle layer.
pub const SHAPES: [Shape; 3] = [
    // LeNet's first layer on MNIST: one input channel, little work per pixel.
    Shape { name: "S1", batch: 16, cin: 1, cout: 8, height: 28, width: 28, kh: 5, kw: 5 },
    // LeNet's second layer.
    Shape { name: "S2", batch: 16, cin: 8, cout: 16, height: 24, width: 24, kh: 5, kw: 5 },
    // Many channels: the matrix products dominate.
    Shape { name: "S3", batch: 8, cin: 64, cout: 64, height: 32, width: 32, kh: 3, kw: 3 },
];

/// A tiny shape on which [`implemented`] tries a function once.
pub const PROBE: Shape = Shape { name: "probe", batch: 1, cin: 1, cout: 1, height: 3, width: 3, kh: 2, kw: 2 };

/// The seed of every benchmark input.
const SEED: u64 = 2024;

impl Shape {
    /// The flops of one forward: `2 * B * Cout * H * W * Cin * KH * KW`
    /// (a multiply and an add per weight and output pixel).
    pub fn forward_flops(&self) -> u64 {
        let Shape { batch, cin, cout, height, width, kh, kw, .. } = *self;
        2 * [batch, cout, height, width, cin, kh, kw].iter().map(|&n| n as u64).product::<u64>()
    }

    /// The flops of one backward: twice [`Shape::forward_flops`], one
    /// product of that size for the input's gradient and one for the
    /// weight's.
    pub fn backward_flops(&self) -> u64 {
        2 * self.forward_flops()
    }
}

/// Seeded random `[input, weight, grad_out]` for `shape`, shaped
/// `B x Cin x H x W`, `Cout x Cin x KH x KW` and `B x Cout x H x W`, with
/// values in `[-1, 1)`.
///
/// ```
/// let [x, w, g] = bench::conv2d_operands(&bench::SHAPES[0]);
/// assert_eq!((x.dim(), w.dim(), g.dim()), ((16, 1, 28, 28), (8, 1, 5, 5), (16, 8, 28, 28)));
/// ```
pub fn conv2d_operands(shape: &Shape) -> [Array4<f64>; 3] {
    let Shape { batch, cin, cout, height, width, kh, kw, .. } = *shape;
    let mut rng = rng(SEED);
    let x = uniform((batch, cin, height, width), &mut rng);
    let w = uniform((cout, cin, kh, kw), &mut rng);
    let g = uniform((batch, cout, height, width), &mut rng);
    [x, w, g]
}

/// Seeded random `[input, weight, grad_out]` for the 1D analog of `shape`:
/// `B x Cin x (H * W)`, `Cout x Cin x (KH * KW)` and `B x Cout x (H * W)`.
///
/// ```
/// let [x, w, g] = bench::conv1d_operands(&bench::SHAPES[0]);
/// assert_eq!((x.dim(), w.dim(), g.dim()), ((16, 1, 784), (8, 1, 25), (16, 8, 784)));
/// ```
pub fn conv1d_operands(shape: &Shape) -> [Array3<f64>; 3] {
    let Shape { batch, cin, cout, height, width, kh, kw, .. } = *shape;
    let mut rng = rng(SEED);
    let x = uniform((batch, cin, height * width), &mut rng);
    let w = uniform((cout, cin, kh * kw), &mut rng);
    let g = uniform((batch, cout, height * width), &mut rng);
    [x, w, g]
}

/// The criterion settings of these benches: 50 samples from 1 s of warm-up
/// and 3 s of measurement per bench (criterion's defaults are 100 samples,
/// 3 s and 5 s), which command-line options such as `--measurement-time 10`
/// override.
pub fn criterion() -> Criterion {
    Criterion::default().sample_size(50).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3))
}

/// Registers the group `conv2d`: `forward/S1` ... `backward/S3`, for the
/// functions given (`None` skips one).
///
/// **Panics** when a function returns an error or an array of the wrong
/// shape on a benchmark input (checked once per shape, before timing).
pub fn conv2d_benches(c: &mut Criterion, forward: Option<Forward<Ix4>>, backward: Option<Backward<Ix4>>) {
    benches(c, "conv2d", conv2d_operands, forward, backward);
}

/// Registers the group `conv1d`, on the 1D analogs of [`SHAPES`] (see
/// [`Shape`]); as [`conv2d_benches`] otherwise.
///
/// **Panics** as [`conv2d_benches`] does.
pub fn conv1d_benches(c: &mut Criterion, forward: Option<Forward<Ix3>>, backward: Option<Backward<Ix3>>) {
    benches(c, "conv1d", conv1d_operands, forward, backward);
}

fn benches<D: Dimension>(
    c: &mut Criterion,
    group: &str,
    operands: fn(&Shape) -> [Array<f64, D>; 3],
    forward: Option<Forward<D>>,
    backward: Option<Backward<D>>,
) {
    if forward.is_none() && backward.is_none() {
        return;
    }
    let mut benches = c.benchmark_group(group);
    for shape in &SHAPES {
        let [x, w, g] = operands(shape);
        let label = |function: &str| format!("{group} {function} on {} {}", shape.name, fmt_shapes(&x, &w));
        if let Some(forward) = forward {
            let out = forward(x.view(), w.view()).unwrap_or_else(|e| panic!("{}: {e}", label("forward")));
            expect_shape(&label("forward"), "output", out.shape(), g.shape());
            benches.throughput(Throughput::Elements(shape.forward_flops()));
            benches.bench_function(BenchmarkId::new("forward", shape.name), |b| {
                b.iter(|| forward(black_box(x.view()), black_box(w.view())))
            });
        }
        if let Some(backward) = backward {
            let (gx, gw) =
                backward(x.view(), w.view(), g.view()).unwrap_or_else(|e| panic!("{}: {e}", label("backward")));
            expect_shape(&label("backward"), "grad_input", gx.shape(), x.shape());
            expect_shape(&label("backward"), "grad_weight", gw.shape(), w.shape());
            benches.throughput(Throughput::Elements(shape.backward_flops()));
            benches.bench_function(BenchmarkId::new("backward", shape.name), |b| {
                b.iter(|| backward(black_box(x.view()), black_box(w.view()), black_box(g.view())))
            });
        }
    }
    benches.finish();
}

fn fmt_shapes<D: Dimension>(x: &Array<f64, D>, w: &Array<f64, D>) -> String {
    format!("(input {}, weight {})", support::fmt_shape(x.shape()), support::fmt_shape(w.shape()))
}

/// **Panics** with a message naming the bench when `given` is not `expected`.
fn expect_shape(label: &str, what: &str, given: &[usize], expected: &[usize]) {
    assert!(
        given == expected,
        "{label}: expected a {what} of shape {}, got {}",
        support::fmt_shape(expected),
        support::fmt_shape(given)
    );
}

/// What `todo!()` panics with.
const TODO_PANIC: &str = "not yet implemented";

/// Calls `first_call` once, without letting a panic print or escape: true
/// when it returns. When it panics, prints `"{label}: not implemented yet,
/// skipped"` for a `todo!()`, or `"{label}: panicked (message), skipped"`
/// for any other panic, and returns false.
///
/// The panic hook is silenced while `first_call` runs and then restored,
/// so call this from the main thread before any benchmark starts.
///
/// ```
/// assert!(bench::implemented("sum", || assert_eq!(1 + 1, 2)));
/// assert!(!bench::implemented("conv2d forward", || todo!()));
/// ```
pub fn implemented(label: &str, first_call: impl FnOnce()) -> bool {
    match probe(first_call) {
        Ok(()) => true,
        Err(message) if message.starts_with(TODO_PANIC) => {
            println!("{label}: not implemented yet, skipped");
            false
        }
        Err(message) => {
            println!("{label}: panicked ({message}), skipped");
            false
        }
    }
}

/// Calls `first_call` once, without letting a panic print or escape, and
/// returns the panic's message if it panics ([`implemented`] without the
/// printing).
///
/// ```
/// assert_eq!(bench::probe(|| todo!()).unwrap_err(), "not yet implemented");
/// ```
pub fn probe(first_call: impl FnOnce()) -> Result<(), String> {
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let outcome = panic::catch_unwind(AssertUnwindSafe(first_call));
    panic::set_hook(hook);
    let Err(payload) = outcome else { return Ok(()) };
    Err(payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic with a non-string payload")
        .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flops_count_a_multiply_and_an_add_per_weight_and_pixel() {
        let [s1, s2, s3] = SHAPES;
        assert_eq!(s1.forward_flops(), 2 * 16 * 8 * 28 * 28 * 25);
        assert_eq!(s2.forward_flops(), 2 * 16 * 16 * 24 * 24 * 8 * 25);
        assert_eq!(s3.forward_flops(), 2 * 8 * 64 * 32 * 32 * 64 * 9);
        assert_eq!(s3.backward_flops(), 2 * s3.forward_flops());
    }

    #[test]
    fn operands_are_seeded_and_the_1d_ones_flatten_the_2d_ones() {
        for shape in &SHAPES {
            let [x, w, g] = conv2d_operands(shape);
            let [x1, w1, g1] = conv1d_operands(shape);
            assert_eq!(conv2d_operands(shape)[0], x);
            assert_eq!(x.shape(), [shape.batch, shape.cin, shape.height, shape.width]);
            assert_eq!(w.shape(), [shape.cout, shape.cin, shape.kh, shape.kw]);
            assert_eq!(g.shape(), [shape.batch, shape.cout, shape.height, shape.width]);
            assert_eq!(x1.shape(), [shape.batch, shape.cin, shape.height * shape.width]);
            assert_eq!(w1.shape(), [shape.cout, shape.cin, shape.kh * shape.kw]);
            assert_eq!(g1.shape(), [shape.batch, shape.cout, shape.height * shape.width]);
        }
    }

    #[test]
    fn implemented_tells_a_todo_and_a_panic_from_a_return() {
        assert!(implemented("returns", || {}));
        assert!(!implemented("todo", || todo!()));
        assert!(!implemented("todo with a hint", || todo!("add up the window")));
        assert!(!implemented("panics", || panic!("index {} out of bounds", 3)));
        assert!(implemented("returns after", || {}));
    }
}
