//! Benchmarks of attention in GFLOP/s (criterion's `thrpt`, printed as
//! `Gelem/s`): one head of a small transformer layer, with and without the
//! causal mask.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput};
use ndarray::{Array3, ArrayView3};
use support::ShapeError;
use support::random::{rng, uniform};

/// `attention(q, k, v, causal)`.
pub type Attention = fn(ArrayView3<f64>, ArrayView3<f64>, ArrayView3<f64>, bool) -> Result<Array3<f64>, ShapeError>;

/// `attention_backward(q, k, v, causal, grad_out)`.
pub type AttentionBackward = fn(
    ArrayView3<f64>,
    ArrayView3<f64>,
    ArrayView3<f64>,
    bool,
    ArrayView3<f64>,
) -> Result<(Array3<f64>, Array3<f64>, Array3<f64>), ShapeError>;

/// Batch, tokens (queries = keys) and features (of keys and of values).
pub const TOKENS: (usize, usize, usize) = (8, 128, 64);

/// The flops of one forward: two products of `T x T x D` per batch element
/// (scores, then the weighted values), a multiply and an add each; the
/// softmax is not counted.
pub fn attention_flops() -> u64 {
    let (b, t, d) = TOKENS;
    (2 * 2 * b * t * t * d) as u64
}

/// Seeded `[q, k, v, grad_out]`, each `B x T x D`, values in [-1, 1).
pub fn attention_operands() -> [Array3<f64>; 4] {
    let mut rng = rng(2026);
    std::array::from_fn(|_| uniform(TOKENS, &mut rng))
}

/// Registers the group `attention`: `forward/full`, `forward/causal`,
/// `backward/full` and `backward/causal` for the functions given (`None`
/// skips one). The backward does four products of the forward's size.
///
/// **Panics** when a function returns an error on the benchmark input.
pub fn attention_benches(c: &mut Criterion, forward: Option<Attention>, backward: Option<AttentionBackward>) {
    if forward.is_none() && backward.is_none() {
        return;
    }
    let [q, k, v, g] = attention_operands();
    let mut group = c.benchmark_group("attention");
    for (mask, causal) in [("full", false), ("causal", true)] {
        if let Some(f) = forward {
            f(q.view(), k.view(), v.view(), causal).unwrap_or_else(|e| panic!("attention: {e}"));
            group.throughput(Throughput::Elements(attention_flops()));
            group.bench_function(BenchmarkId::new("forward", mask), |b| {
                b.iter(|| f(black_box(q.view()), black_box(k.view()), black_box(v.view()), causal))
            });
        }
        if let Some(f) = backward {
            f(q.view(), k.view(), v.view(), causal, g.view()).unwrap_or_else(|e| panic!("attention_backward: {e}"));
            group.throughput(Throughput::Elements(2 * attention_flops()));
            group.bench_function(BenchmarkId::new("backward", mask), |b| {
                b.iter(|| f(black_box(q.view()), black_box(k.view()), black_box(v.view()), causal, black_box(g.view())))
            });
        }
    }
    group.finish();
}
