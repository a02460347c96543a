//! `cargo bench -p grading --bench solutions`: the benches of
//! `cargo bench -p bench` (same groups, shapes and flop counts), run on the
//! reference solutions instead of the students' modules.

use criterion::{Criterion, criterion_group, criterion_main};
use ndarray::{Ix3, Ix4};

fn conv1d_benches(c: &mut Criterion) {
    bench::conv1d_benches(c, Some(conv1d_solution::conv1d::<Ix3>), Some(conv1d_solution::conv1d_backward::<Ix3>));
}

fn conv2d_benches(c: &mut Criterion) {
    bench::conv2d_benches(c, Some(conv2d_solution::conv2d::<Ix4>), Some(conv2d_solution::conv2d_backward::<Ix4>));
}

criterion_group! {
    name = benches;
    config = bench::criterion();
    targets = conv1d_benches, conv2d_benches
}
criterion_main!(benches);
