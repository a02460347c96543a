//! Benchmarks of the activations and of average pooling, in elements per
//! second (criterion's `thrpt`, `Melem/s`): each bench declares the number
//! of input elements it reads.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput};
use ndarray::{Array4, ArrayD, ArrayView4, ArrayViewD, IxDyn};
use support::ShapeError;
use support::random::{rng, uniform};

/// An activation: `x -> f(x)`, such as `activations::relu::<IxDyn>`.
pub type Unary = fn(ArrayViewD<f64>) -> ArrayD<f64>;

/// An activation's backward: `(x, grad_out) -> grad_x`.
pub type UnaryBackward = fn(ArrayViewD<f64>, ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError>;

/// `avgpool2d`: `(input, (kh, kw)) -> output`.
pub type Pool = fn(ArrayView4<f64>, (usize, usize)) -> Result<Array4<f64>, ShapeError>;

/// `avgpool2d_backward`: `(input, (kh, kw), grad_out) -> grad_input`.
pub type PoolBackward = fn(ArrayView4<f64>, (usize, usize), ArrayView4<f64>) -> Result<Array4<f64>, ShapeError>;

/// The output of LeNet's first layer (S1): 16 images of 8 channels, 28 x 28.
pub const ACTIVATIONS: [usize; 4] = [16, 8, 28, 28];

/// The pooling window after that layer.
pub const WINDOW: (usize, usize) = (2, 2);

/// Seeded `[x, grad_out]` of shape [`ACTIVATIONS`], values in [-3, 3) and
/// [-1, 1).
pub fn activation_operands() -> [ArrayD<f64>; 2] {
    let mut rng = rng(2024);
    let x = uniform(IxDyn(&ACTIVATIONS), &mut rng) * 3.0;
    let g = uniform(IxDyn(&ACTIVATIONS), &mut rng);
    [x, g]
}

/// Registers the group `activations`: one bench per function given, named
/// after it, on an input of shape [`ACTIVATIONS`].
///
/// **Panics** when a function's output is not shaped like its input.
pub fn activation_benches(c: &mut Criterion, forwards: &[(&str, Unary)], backwards: &[(&str, UnaryBackward)]) {
    if forwards.is_empty() && backwards.is_empty() {
        return;
    }
    let [x, g] = activation_operands();
    let mut group = c.benchmark_group("activations");
    group.throughput(Throughput::Elements(x.len() as u64));
    for &(name, f) in forwards {
        assert_eq!(f(x.view()).shape(), x.shape(), "{name}: the output's shape");
        group.bench_function(BenchmarkId::from_parameter(name), |b| b.iter(|| f(black_box(x.view()))));
    }
    for &(name, f) in backwards {
        let grad = f(x.view(), g.view()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(grad.shape(), x.shape(), "{name}: the gradient's shape");
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| f(black_box(x.view()), black_box(g.view())))
        });
    }
    group.finish();
}

/// A pooling function under test, named for the report.
pub type Named<F> = Option<(&'static str, F)>;

/// Registers the group `group` (`pooling` for average pooling, `maxpool`
/// for max pooling): a pooling forward and backward with a [`WINDOW`] on an
/// input of shape [`ACTIVATIONS`] (`None` skips one).
///
/// **Panics** when a function returns an error on the benchmark input.
pub fn pooling_benches(c: &mut Criterion, group: &str, forward: Named<Pool>, backward: Named<PoolBackward>) {
    if forward.is_none() && backward.is_none() {
        return;
    }
    let [x, _] = activation_operands();
    let x: Array4<f64> = x.into_dimensionality().expect("4 axes");
    let (b, ch, h, w) = x.dim();
    let g: Array4<f64> = uniform((b, ch, h / WINDOW.0, w / WINDOW.1), &mut rng(7));
    let mut group = c.benchmark_group(group);
    group.throughput(Throughput::Elements(x.len() as u64));
    if let Some((name, f)) = forward {
        f(x.view(), WINDOW).unwrap_or_else(|e| panic!("{name}: {e}"));
        group.bench_function(name, |bench| bench.iter(|| f(black_box(x.view()), WINDOW)));
    }
    if let Some((name, f)) = backward {
        f(x.view(), WINDOW, g.view()).unwrap_or_else(|e| panic!("{name}: {e}"));
        group.bench_function(name, |bench| bench.iter(|| f(black_box(x.view()), WINDOW, black_box(g.view()))));
    }
    group.finish();
}
