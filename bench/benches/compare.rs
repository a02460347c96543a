//! `python3 bench/compare.py` runs this (`cargo bench -p bench --bench
//! compare`) to time your modules beside PyTorch: see
//! [`bench::compare`]. A function that still reaches its `todo!()` is
//! reported as not implemented, and its cases are skipped.

use bench::compare::{Kernels, serve};
use ndarray::{Array3, Array4, ArrayD, Ix3, Ix4, IxDyn};

/// True when `first_call` returns: quiet, since standard output is the
/// script's channel.
fn implemented(_: &str, first_call: impl FnOnce()) -> bool {
    bench::probe(first_call).is_ok()
}

fn main() -> std::io::Result<()> {
    let (x3, x4) = (Array3::<f64>::zeros((1, 2, 4)), Array4::<f64>::zeros((1, 1, 4, 4)));
    let (w3, w4) = (Array3::<f64>::zeros((1, 2, 2)), Array4::<f64>::zeros((1, 1, 2, 2)));
    let (p4, s) = (Array4::<f64>::zeros((1, 1, 2, 2)), ArrayD::<f64>::zeros(IxDyn(&[2, 3])));
    let (q, g) = (Array3::<f64>::zeros((1, 2, 2)), Array3::<f64>::zeros((1, 2, 2)));
    let kernels = Kernels {
        conv1d: (implemented("conv1d", || drop(conv1d::conv1d(x3.view(), w3.view())))
            && implemented("conv1d_backward", || drop(conv1d::conv1d_backward(x3.view(), w3.view(), x3.view()))))
        .then_some((conv1d::conv1d::<Ix3>, conv1d::conv1d_backward::<Ix3>)),
        conv2d: (implemented("conv2d", || drop(conv2d::conv2d(x4.view(), w4.view())))
            && implemented("conv2d_backward", || drop(conv2d::conv2d_backward(x4.view(), w4.view(), x4.view()))))
        .then_some((conv2d::conv2d::<Ix4>, conv2d::conv2d_backward::<Ix4>)),
        softmax: (implemented("softmax", || drop(softmax::softmax(s.view(), 1)))
            && implemented("softmax_backward", || drop(softmax::softmax_backward(s.view(), 1, s.view()))))
        .then_some((softmax::softmax, softmax::softmax_backward)),
        logsoftmax: (implemented("logsoftmax", || drop(softmax::logsoftmax(s.view(), 1)))
            && implemented("logsoftmax_backward", || drop(softmax::logsoftmax_backward(s.view(), 1, s.view()))))
        .then_some((softmax::logsoftmax, softmax::logsoftmax_backward)),
        maxpool: (implemented("maxpool2d", || drop(softmax::maxpool2d(x4.view(), (2, 2))))
            && implemented("maxpool2d_backward", || drop(softmax::maxpool2d_backward(x4.view(), (2, 2), p4.view()))))
        .then_some((softmax::maxpool2d::<Ix4>, softmax::maxpool2d_backward::<Ix4>)),
        avgpool: (implemented("avgpool2d", || drop(pooling::avgpool2d(x4.view(), (2, 2))))
            && implemented("avgpool2d_backward", || drop(pooling::avgpool2d_backward(x4.view(), (2, 2), p4.view()))))
        .then_some((pooling::avgpool2d::<Ix4>, pooling::avgpool2d_backward::<Ix4>)),
        attention: (implemented("attention", || drop(attention::attention(q.view(), q.view(), q.view(), true)))
            && implemented("attention_backward", || {
                drop(attention::attention_backward(q.view(), q.view(), q.view(), true, g.view()))
            }))
        .then_some((attention::attention::<Ix3>, attention::attention_backward::<Ix3>)),
    };
    serve(&kernels)
}
