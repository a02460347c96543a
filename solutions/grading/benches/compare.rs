//! `python3 bench/compare.py` runs this (`cargo bench -p grading --bench
//! compare`) where `solutions/` exists: the reference solutions timed
//! beside PyTorch, with the server of [`bench::compare`].

use bench::compare::{Kernels, serve};
use ndarray::{Ix3, Ix4};

fn main() -> std::io::Result<()> {
    use softmax_solution as s;
    serve(&Kernels {
        conv1d: Some((conv1d_solution::conv1d::<Ix3>, conv1d_solution::conv1d_backward::<Ix3>)),
        conv2d: Some((conv2d_solution::conv2d::<Ix4>, conv2d_solution::conv2d_backward::<Ix4>)),
        softmax: Some((s::softmax, s::softmax_backward)),
        logsoftmax: Some((s::logsoftmax, s::logsoftmax_backward)),
        maxpool: Some((s::maxpool2d::<Ix4>, s::maxpool2d_backward::<Ix4>)),
        avgpool: Some((pooling_solution::avgpool2d::<Ix4>, pooling_solution::avgpool2d_backward::<Ix4>)),
        attention: Some((attention_solution::attention::<Ix3>, attention_solution::attention_backward::<Ix3>)),
    })
}
