//! The student's functions that training uses, as a table of plain
//! function pointers.
//!
//! The training code never names a module crate: it calls whatever a [`Kit`]
//! holds. `cargo train` binds a kit to your crates (`src/main.rs`); an
//! instructor can bind one to the reference solutions and train the same
//! networks with them.

use std::panic::{self, AssertUnwindSafe};

use ndarray::{Array1, Array2, Array3, Array4, ArrayD, ArrayView1, ArrayView2, ArrayView3, ArrayView4, ArrayViewD};
use support::ShapeError;
use support::random::{Rng, rng};

/// `conv2d(input, weight)`.
pub type Conv2d = fn(ArrayView4<f64>, ArrayView4<f64>) -> Result<Array4<f64>, ShapeError>;
/// `conv2d_backward(input, weight, grad_out) -> (grad_input, grad_weight)`.
pub type Conv2dBackward =
    fn(ArrayView4<f64>, ArrayView4<f64>, ArrayView4<f64>) -> Result<(Array4<f64>, Array4<f64>), ShapeError>;
/// `maxpool2d(input, kernel)`.
pub type Pool = fn(ArrayView4<f64>, (usize, usize)) -> Result<Array4<f64>, ShapeError>;
/// `maxpool2d_backward(input, kernel, grad_out)`.
pub type PoolBackward = fn(ArrayView4<f64>, (usize, usize), ArrayView4<f64>) -> Result<Array4<f64>, ShapeError>;
/// `relu(x)`.
pub type Unary = fn(ArrayViewD<f64>) -> ArrayD<f64>;
/// `relu_backward(x, grad_out)`.
pub type UnaryBackward = fn(ArrayViewD<f64>, ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError>;
/// `dropout(x, rate, rng, Mode::Train) -> (output, mask)`: the training mode
/// only, since evaluation is the identity.
pub type Dropout = fn(ArrayViewD<f64>, f64, &mut Rng) -> Result<(ArrayD<f64>, ArrayD<f64>), ShapeError>;
/// `dropout_backward(mask, grad_out)`.
pub type DropoutBackward = fn(ArrayViewD<f64>, ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError>;
/// `linear(x, weight, bias) = x W^T + b`, `x` `B x IN`, `W` `OUT x IN`.
pub type Linear = fn(ArrayView2<f64>, ArrayView2<f64>, ArrayView1<f64>) -> Result<Array2<f64>, ShapeError>;
/// `linear_backward(x, weight, grad_out) -> (grad_x, grad_weight, grad_bias)`.
pub type LinearBackward = fn(
    ArrayView2<f64>,
    ArrayView2<f64>,
    ArrayView2<f64>,
) -> Result<(Array2<f64>, Array2<f64>, Array1<f64>), ShapeError>;
/// `cross_entropy(logits, labels)`: the mean negative log-likelihood.
pub type CrossEntropy = fn(ArrayView2<f64>, &[usize]) -> Result<f64, ShapeError>;
/// `cross_entropy_backward(logits, labels) = (softmax(logits) - onehot) / B`.
pub type CrossEntropyBackward = fn(ArrayView2<f64>, &[usize]) -> Result<Array2<f64>, ShapeError>;
/// `gate(x, y, r) = x sigmoid(r) + y (1 - sigmoid(r))`, elementwise.
pub type Gate = fn(ArrayViewD<f64>, ArrayViewD<f64>, ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError>;
/// `gate_backward(x, y, r, grad_out) -> (grad_x, grad_y, grad_r)`.
pub type GateBackward = fn(
    ArrayViewD<f64>,
    ArrayViewD<f64>,
    ArrayViewD<f64>,
    ArrayViewD<f64>,
) -> Result<(ArrayD<f64>, ArrayD<f64>, ArrayD<f64>), ShapeError>;
/// `attention(q, k, v, causal)`.
pub type Attention = fn(ArrayView3<f64>, ArrayView3<f64>, ArrayView3<f64>, bool) -> Result<Array3<f64>, ShapeError>;
/// `attention_backward(q, k, v, causal, grad_out) -> (grad_q, grad_k, grad_v)`.
pub type AttentionBackward = fn(
    ArrayView3<f64>,
    ArrayView3<f64>,
    ArrayView3<f64>,
    bool,
    ArrayView3<f64>,
) -> Result<(Array3<f64>, Array3<f64>, Array3<f64>), ShapeError>;

/// A function's name, the capstone that needs it, and a call of it on a tiny input.
type Probe<'a> = (&'static str, Uses, Box<dyn Fn() + 'a>);

/// One field per exercise function that the networks call.
#[derive(Clone, Copy)]
pub struct Kit {
    pub conv2d: Conv2d,
    pub conv2d_backward: Conv2dBackward,
    pub maxpool2d: Pool,
    pub maxpool2d_backward: PoolBackward,
    pub relu: Unary,
    pub relu_backward: UnaryBackward,
    pub dropout: Dropout,
    pub dropout_backward: DropoutBackward,
    pub linear: Linear,
    pub linear_backward: LinearBackward,
    pub cross_entropy: CrossEntropy,
    pub cross_entropy_backward: CrossEntropyBackward,
    pub gate: Gate,
    pub gate_backward: GateBackward,
    pub attention: Attention,
    pub attention_backward: AttentionBackward,
}

/// Which capstone a check is for: each needs only some of the functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Uses {
    /// The image network: convolutions, max pooling, ReLU, dropout, linear
    /// layers and the loss.
    Mnist,
    /// The sequence model: gates, attention, linear layers and the loss.
    Sequence,
}

impl Kit {
    /// The functions `uses` needs that still stop at a `todo!()` (or panic
    /// otherwise) on a tiny input, each as `"module::function"`, in the
    /// order of the notes. Empty when all of them run.
    ///
    /// Each is called once, with the panic hook silenced, as
    /// `bench::implemented` does; call this before training starts.
    pub fn missing(&self, uses: Uses) -> Vec<String> {
        let k = *self;
        let x4 = Array4::<f64>::zeros((1, 1, 4, 4));
        let w4 = Array4::<f64>::zeros((1, 1, 2, 2));
        let p4 = Array4::<f64>::zeros((1, 1, 2, 2));
        let xd = ArrayD::<f64>::zeros(vec![2, 3]);
        let (x2, w2, b1) = (Array2::<f64>::zeros((2, 3)), Array2::<f64>::zeros((4, 3)), Array1::<f64>::zeros(4));
        let logits = Array2::<f64>::zeros((2, 4));
        let q = Array3::<f64>::zeros((1, 2, 2));
        let mut probes: Vec<Probe> = vec![
            ("conv2d::conv2d", Uses::Mnist, Box::new(|| drop((k.conv2d)(x4.view(), w4.view())))),
            (
                "conv2d::conv2d_backward",
                Uses::Mnist,
                Box::new(|| drop((k.conv2d_backward)(x4.view(), w4.view(), x4.view()))),
            ),
            ("activations::relu", Uses::Mnist, Box::new(|| drop((k.relu)(xd.view())))),
            ("activations::relu_backward", Uses::Mnist, Box::new(|| drop((k.relu_backward)(xd.view(), xd.view())))),
            ("softmax::maxpool2d", Uses::Mnist, Box::new(|| drop((k.maxpool2d)(x4.view(), (2, 2))))),
            (
                "softmax::maxpool2d_backward",
                Uses::Mnist,
                Box::new(|| drop((k.maxpool2d_backward)(x4.view(), (2, 2), p4.view()))),
            ),
            ("softmax::dropout", Uses::Mnist, Box::new(|| drop((k.dropout)(xd.view(), 0.5, &mut rng(0))))),
            ("softmax::dropout_backward", Uses::Mnist, Box::new(|| drop((k.dropout_backward)(xd.view(), xd.view())))),
            ("attention::gate", Uses::Sequence, Box::new(|| drop((k.gate)(xd.view(), xd.view(), xd.view())))),
            (
                "attention::gate_backward",
                Uses::Sequence,
                Box::new(|| drop((k.gate_backward)(xd.view(), xd.view(), xd.view(), xd.view()))),
            ),
            (
                "attention::attention",
                Uses::Sequence,
                Box::new(|| drop((k.attention)(q.view(), q.view(), q.view(), true))),
            ),
            (
                "attention::attention_backward",
                Uses::Sequence,
                Box::new(|| drop((k.attention_backward)(q.view(), q.view(), q.view(), true, q.view()))),
            ),
        ];
        for uses in [Uses::Mnist, Uses::Sequence] {
            probes.push(("network::linear", uses, Box::new(|| drop((k.linear)(x2.view(), w2.view(), b1.view())))));
            probes.push((
                "network::linear_backward",
                uses,
                Box::new(|| drop((k.linear_backward)(x2.view(), w2.view(), logits.view()))),
            ));
            probes.push(("network::cross_entropy", uses, Box::new(|| drop((k.cross_entropy)(logits.view(), &[0, 1])))));
            probes.push((
                "network::cross_entropy_backward",
                uses,
                Box::new(|| drop((k.cross_entropy_backward)(logits.view(), &[0, 1]))),
            ));
        }
        let hook = panic::take_hook();
        panic::set_hook(Box::new(|_| {}));
        let missing = probes
            .iter()
            .filter(|(_, u, _)| *u == uses)
            .filter(|(_, _, probe)| panic::catch_unwind(AssertUnwindSafe(probe)).is_err())
            .map(|(name, _, _)| name.to_string())
            .collect();
        panic::set_hook(hook);
        missing
    }
}
