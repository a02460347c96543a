//! `cargo bench -p bench`: your `conv1d` and `conv2d` modules, forward and
//! backward, in GFLOP/s (criterion's `thrpt`, printed as `Gelem/s`), and
//! your `pooling`, `activations` and `softmax` in elements per second, and
//! your `attention` in GFLOP/s again.
//!
//! Each function is first tried once on a tiny input: one that still reaches
//! its `todo!()` is reported as not implemented and skipped.

use bench::{PROBE, Reduce, ReduceBackward, Unary, UnaryBackward, conv1d_operands, conv2d_operands, implemented};
use criterion::{Criterion, criterion_group, criterion_main};
use ndarray::{Array3, Array4, ArrayD, Ix3, Ix4, IxDyn};

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
        "pooling",
        forward.then_some(("avgpool2d", pooling::avgpool2d::<Ix4>)),
        backward.then_some(("avgpool2d_backward", pooling::avgpool2d_backward::<Ix4>)),
    );
}

fn softmax_benches(c: &mut Criterion) {
    use softmax as s;
    let x = ArrayD::<f64>::zeros(IxDyn(&[2, 3]));
    let m = ArrayD::<f64>::zeros(IxDyn(&[2, 1]));
    let forwards: [(&str, Reduce); 4] =
        [("max", s::max), ("argmax", s::argmax), ("softmax", s::softmax), ("logsoftmax", s::logsoftmax)];
    let backwards: [(&str, ReduceBackward); 3] = [
        ("max_backward", s::max_backward),
        ("softmax_backward", s::softmax_backward),
        ("logsoftmax_backward", s::logsoftmax_backward),
    ];
    let forwards: Vec<_> =
        forwards.into_iter().filter(|(name, f)| implemented(name, || drop(f(x.view(), 1)))).collect();
    let backwards: Vec<_> = backwards
        .into_iter()
        .filter(|(name, f)| {
            let g = if *name == "max_backward" { &m } else { &x };
            implemented(name, || drop(f(x.view(), 1, g.view())))
        })
        .collect();
    bench::softmax_benches(c, &forwards, &backwards);
    let (x, g) = (Array4::<f64>::zeros((1, 1, 4, 4)), Array4::<f64>::zeros((1, 1, 2, 2)));
    let forward = implemented("maxpool2d", || drop(s::maxpool2d(x.view(), (2, 2))));
    let backward = implemented("maxpool2d_backward", || drop(s::maxpool2d_backward(x.view(), (2, 2), g.view())));
    bench::pooling_benches(
        c,
        "maxpool",
        forward.then_some(("maxpool2d", s::maxpool2d::<Ix4>)),
        backward.then_some(("maxpool2d_backward", s::maxpool2d_backward::<Ix4>)),
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

fn attention_benches(c: &mut Criterion) {
    let (x, g) = (Array3::<f64>::zeros((1, 2, 2)), Array3::<f64>::zeros((1, 2, 2)));
    let forward = implemented("attention", || drop(attention::attention(x.view(), x.view(), x.view(), true)));
    let backward = implemented("attention_backward", || {
        drop(attention::attention_backward(x.view(), x.view(), x.view(), true, g.view()))
    });
    bench::attention_benches(
        c,
        forward.then_some(attention::attention::<Ix3>),
        backward.then_some(attention::attention_backward::<Ix3>),
    );
}

criterion_group! {
    name = benches;
    config = bench::criterion();
    targets = conv1d_benches, conv2d_benches, pooling_benches, activation_benches, softmax_benches, attention_benches
}
criterion_main!(benches);
