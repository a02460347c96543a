//! `cargo bench -p grading --bench solutions`: the benches of
//! `cargo bench -p bench` (same groups, shapes and flop counts), run on the
//! reference solutions instead of the students' modules.

use bench::{Reduce, ReduceBackward, Unary, UnaryBackward};
use criterion::{Criterion, criterion_group, criterion_main};
use ndarray::{Ix3, Ix4};

fn conv1d_benches(c: &mut Criterion) {
    bench::conv1d_benches(c, Some(conv1d_solution::conv1d::<Ix3>), Some(conv1d_solution::conv1d_backward::<Ix3>));
}

fn conv2d_benches(c: &mut Criterion) {
    bench::conv2d_benches(c, Some(conv2d_solution::conv2d::<Ix4>), Some(conv2d_solution::conv2d_backward::<Ix4>));
}

fn pooling_benches(c: &mut Criterion) {
    bench::pooling_benches(
        c,
        "pooling",
        Some(("avgpool2d", pooling_solution::avgpool2d::<Ix4>)),
        Some(("avgpool2d_backward", pooling_solution::avgpool2d_backward::<Ix4>)),
    );
}

fn softmax_benches(c: &mut Criterion) {
    use softmax_solution as s;
    let forwards: [(&str, Reduce); 4] =
        [("max", s::max), ("argmax", s::argmax), ("softmax", s::softmax), ("logsoftmax", s::logsoftmax)];
    let backwards: [(&str, ReduceBackward); 3] = [
        ("max_backward", s::max_backward),
        ("softmax_backward", s::softmax_backward),
        ("logsoftmax_backward", s::logsoftmax_backward),
    ];
    bench::softmax_benches(c, &forwards, &backwards);
    bench::pooling_benches(
        c,
        "maxpool",
        Some(("maxpool2d", s::maxpool2d::<Ix4>)),
        Some(("maxpool2d_backward", s::maxpool2d_backward::<Ix4>)),
    );
}

fn activation_benches(c: &mut Criterion) {
    use activations_solution as a;
    let forwards: [(&str, Unary); 3] = [("relu", a::relu), ("step", a::step), ("sigmoid", a::sigmoid)];
    let backwards: [(&str, UnaryBackward); 2] =
        [("relu_backward", a::relu_backward), ("sigmoid_backward", a::sigmoid_backward)];
    bench::activation_benches(c, &forwards, &backwards);
}

fn attention_benches(c: &mut Criterion) {
    use attention_solution as a;
    bench::attention_benches(c, Some(a::attention::<Ix3>), Some(a::attention_backward::<Ix3>));
}

criterion_group! {
    name = benches;
    config = bench::criterion();
    targets = conv1d_benches, conv2d_benches, pooling_benches, activation_benches, softmax_benches, attention_benches
}
criterion_main!(benches);
