//! Benchmarks of the softmax module in elements per second (criterion's
//! `thrpt`): the reductions over the last axis of a 256 x 1000 batch of
//! scores (PERFORMANCE.md's softmax shape). Max pooling is timed by
//! [`crate::pooling_benches`].

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput};
use ndarray::{ArrayD, ArrayViewD, IxDyn};
use support::ShapeError;
use support::random::{rng, uniform};

/// A reduction along an axis: `(x, dim) -> y`, such as `softmax::softmax::<IxDyn>`.
pub type Reduce = fn(ArrayViewD<f64>, usize) -> Result<ArrayD<f64>, ShapeError>;

/// Its backward: `(x, dim, grad_out) -> grad_x`.
pub type ReduceBackward = fn(ArrayViewD<f64>, usize, ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError>;

/// 256 rows of 1000 scores, reduced along the last axis.
pub const SCORES: [usize; 2] = [256, 1000];

/// Seeded `[x, grad_out]` of shape [`SCORES`], scores in [-10, 10).
pub fn score_operands() -> [ArrayD<f64>; 2] {
    let mut rng = rng(2025);
    let x = uniform(IxDyn(&SCORES), &mut rng) * 10.0;
    let g = uniform(IxDyn(&SCORES), &mut rng);
    [x, g]
}

/// Registers the group `softmax`: every reduction and backward given,
/// along the last axis of [`SCORES`]. A backward takes an upstream
/// gradient shaped like the input, except `max_backward`, whose is
/// shaped like `max`'s output.
///
/// **Panics** when a function returns an error on the benchmark input.
pub fn softmax_benches(c: &mut Criterion, forwards: &[(&str, Reduce)], backwards: &[(&str, ReduceBackward)]) {
    if forwards.is_empty() && backwards.is_empty() {
        return;
    }
    let [x, g] = score_operands();
    let g_max = uniform(IxDyn(&[SCORES[0], 1]), &mut rng(3));
    let dim = SCORES.len() - 1;
    let mut group = c.benchmark_group("softmax");
    group.throughput(Throughput::Elements(x.len() as u64));
    for &(name, f) in forwards {
        f(x.view(), dim).unwrap_or_else(|e| panic!("{name}: {e}"));
        group.bench_function(BenchmarkId::from_parameter(name), |b| b.iter(|| f(black_box(x.view()), dim)));
    }
    for &(name, f) in backwards {
        let g = if name == "max_backward" { &g_max } else { &g };
        f(x.view(), dim, g.view()).unwrap_or_else(|e| panic!("{name}: {e}"));
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| f(black_box(x.view()), dim, black_box(g.view())))
        });
    }
    group.finish();
}
