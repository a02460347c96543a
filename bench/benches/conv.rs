//! `cargo bench -p bench`: your `conv1d` and `conv2d` modules, forward and
//! backward, in GFLOP/s (criterion's `thrpt`, printed as `Gelem/s`).
//!
//! Each function is first tried once on a tiny input: one that still reaches
//! its `todo!()` is reported as not implemented and skipped.

use bench::{PROBE, conv1d_operands, conv2d_operands, implemented};
use criterion::{Criterion, criterion_group, criterion_main};
use ndarray::{Ix3, Ix4};

fn conv1d_benches(c: &mut Criterion) {
    let [x, w, g] = conv1d_operands(&PROBE);
    let forward = implemented("conv1d forward", || drop(conv1d::conv1d(x.view(), w.view())));
    let backward = implemented("conv1d backward", || drop(conv1d::conv1d_backward(x.view(), w.view(), g.view())));
    bench::conv1d_benches(
        c,
        forward.then_some(conv1d::conv1d::<Ix3>),
        backward.then_some(conv1d::conv1d_backward::<Ix3>),
    );
}

fn conv2d_benches(c: &mut Criterion) {
    let [x, w, g] = conv2d_operands(&PROBE);
    let forward = implemented("conv2d forward", || drop(conv2d::conv2d(x.view(), w.view())));
    let backward = implemented("conv2d backward", || drop(conv2d::conv2d_backward(x.view(), w.view(), g.view())));
    bench::conv2d_benches(
        c,
        forward.then_some(conv2d::conv2d::<Ix4>),
        backward.then_some(conv2d::conv2d_backward::<Ix4>),
    );
}

criterion_group! {
    name = benches;
    config = bench::criterion();
    targets = conv1d_benches, conv2d_benches
}
criterion_main!(benches);
