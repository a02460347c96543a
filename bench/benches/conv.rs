//! `cargo bench -p bench`: your `conv1d` and `conv2d` modules, forward and
//! backward, in GFLOP/s (criterion's `thrpt`, printed as `Gelem/s`), and
//! your `pooling` and `activations` in elements per second.
//!
//! Each function is first tried once on a tiny input: one that still reaches
//! its `todo!()` is reported as not implemented and skipped.

use bench::{PROBE, Unary, UnaryBackward, conv1d_operands, conv2d_operands, implemented};
use criterion::{Criterion, criterion_group, criterion_main};
use ndarray::{Array4, ArrayD, Ix3, Ix4, IxDyn};

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

fn pooling_benches(c: &mut Criterion) {
    let (x, g) = (Array4::<f64>::zeros((1, 1, 4, 4)), Array4::<f64>::zeros((1, 1, 2, 2)));
    let forward = implemented("avgpool2d", || drop(pooling::avgpool2d(x.view(), (2, 2))));
    let backward = implemented("avgpool2d_backward", || drop(pooling::avgpool2d_backward(x.view(), (2, 2), g.view())));
    bench::pooling_benches(
        c,
        forward.then_some(pooling::avgpool2d::<Ix4>),
        backward.then_some(pooling::avgpool2d_backward::<Ix4>),
    );
}

fn activation_benches(c: &mut Criterion) {
    let x = ArrayD::<f64>::zeros(IxDyn(&[3]));
    let forwards: [(&str, Unary); 3] =
        [("relu", activations::relu), ("step", activations::step), ("sigmoid", activations::sigmoid)];
    let backwards: [(&str, UnaryBackward); 2] =
        [("relu_backward", activations::relu_backward), ("sigmoid_backward", activations::sigmoid_backward)];
    let forwards: Vec<_> = forwards.into_iter().filter(|(name, f)| implemented(name, || drop(f(x.view())))).collect();
    let backwards: Vec<_> =
        backwards.into_iter().filter(|(name, f)| implemented(name, || drop(f(x.view(), x.view())))).collect();
    bench::activation_benches(c, &forwards, &backwards);
}

criterion_group! {
    name = benches;
    config = bench::criterion();
    targets = conv1d_benches, conv2d_benches, pooling_benches, activation_benches
}
criterion_main!(benches);
