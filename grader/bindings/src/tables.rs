//! Each module's functions as a table of function pointers, with the
//! array ranks made dynamic, so that a runner (or a test planting a wrong
//! implementation) can swap any one of them.

use ndarray::{Array1, Array2, Array3, Array4, Array5, ArrayD, ArrayViewD};
use support::random::Rng;
use support::{Index, Shape, ShapeError, Strides, TensorData};

/// A result or the course's error.
pub type Fallible<T> = Result<T, ShapeError>;
/// `f(x, y) -> z` on dynamic-rank views.
pub type Binary<Out> = fn(ArrayViewD<f64>, ArrayViewD<f64>) -> Fallible<Out>;
/// `f(x, y, g) -> (gx, gy)`.
pub type BinaryBackward<Out> = fn(ArrayViewD<f64>, ArrayViewD<f64>, ArrayViewD<f64>) -> Fallible<(Out, Out)>;
/// A window size `(kh, kw)`.
pub type Kernel = (usize, usize);
/// `f(x, dim) -> y`.
pub type Reduce = fn(ArrayViewD<f64>, usize) -> Fallible<ArrayD<f64>>;
/// `f(x, dim, g) -> gx`.
pub type ReduceBackward = fn(ArrayViewD<f64>, usize, ArrayViewD<f64>) -> Fallible<ArrayD<f64>>;
/// `f(x, kernel, g) -> gx`.
pub type PoolBackward = fn(ArrayViewD<f64>, Kernel, ArrayViewD<f64>) -> Fallible<Array4<f64>>;
/// `f(x, y, z) -> (gx, gy, gz)` results.
pub type Grads3<A> = Fallible<(A, A, A)>;
/// `f(x, y, z) -> out`.
pub type Ternary<Out> = fn(ArrayViewD<f64>, ArrayViewD<f64>, ArrayViewD<f64>) -> Fallible<Out>;
/// `dropout(x, rate, rng, training) -> (output, mask)`.
pub type Dropout = fn(ArrayViewD<f64>, f64, &mut Rng, bool) -> Fallible<(ArrayD<f64>, ArrayD<f64>)>;
/// `gate_backward(x, y, r, g) -> (gx, gy, gr)`.
pub type GateBackward = fn(ArrayViewD<f64>, ArrayViewD<f64>, ArrayViewD<f64>, ArrayViewD<f64>) -> Grads3<ArrayD<f64>>;
/// `attention(q, k, v, causal)`.
pub type Attend = fn(ArrayViewD<f64>, ArrayViewD<f64>, ArrayViewD<f64>, bool) -> Fallible<Array3<f64>>;
/// `attention_backward(q, k, v, causal, g) -> (gq, gk, gv)`.
pub type AttendBackward =
    fn(ArrayViewD<f64>, ArrayViewD<f64>, ArrayViewD<f64>, bool, ArrayViewD<f64>) -> Grads3<Array3<f64>>;

/// Module 1: strides and views.
#[derive(Clone, Copy)]
pub struct Tensor {
    pub contiguous_strides: fn(&[usize]) -> Strides,
    pub index_to_position: fn(&[usize], &[usize]) -> usize,
    pub to_index: fn(usize, &[usize]) -> Index,
    pub shape_broadcast: fn(&[usize], &[usize]) -> Fallible<Shape>,
    pub broadcast_index: fn(&[usize], &[usize], &[usize]) -> Index,
    pub is_contiguous: fn(&TensorData) -> bool,
    pub permute: fn(&TensorData, &[usize]) -> Fallible<TensorData>,
    pub view: fn(&TensorData, &[usize]) -> Fallible<TensorData>,
    pub contiguous: fn(&TensorData) -> TensorData,
    pub get: fn(&TensorData, &[usize]) -> Fallible<f64>,
}

/// Module 2: 1D convolution.
#[derive(Clone, Copy)]
pub struct Conv1d {
    pub conv1d: Binary<Array3<f64>>,
    pub conv1d_backward: BinaryBackward<Array3<f64>>,
}

/// Module 3: 2D convolution.
#[derive(Clone, Copy)]
pub struct Conv2d {
    pub conv2d: Binary<Array4<f64>>,
    pub conv2d_backward: BinaryBackward<Array4<f64>>,
}

/// Module 4: pooling.
#[derive(Clone, Copy)]
pub struct Pooling {
    pub tile: fn(ArrayViewD<f64>, Kernel) -> Fallible<Array5<f64>>,
    pub avgpool2d: fn(ArrayViewD<f64>, Kernel) -> Fallible<Array4<f64>>,
    pub avgpool2d_backward: PoolBackward,
}

/// Module 5: ReLU, step, sigmoid.
#[derive(Clone, Copy)]
pub struct Activations {
    pub relu: fn(ArrayViewD<f64>) -> ArrayD<f64>,
    pub relu_backward: Binary<ArrayD<f64>>,
    pub step: fn(ArrayViewD<f64>) -> ArrayD<f64>,
    pub sigmoid: fn(ArrayViewD<f64>) -> ArrayD<f64>,
    pub sigmoid_backward: Binary<ArrayD<f64>>,
}

/// Module 6: max, argmax, softmax, max pooling, dropout.
#[derive(Clone, Copy)]
pub struct Softmax {
    pub max: Reduce,
    pub max_backward: ReduceBackward,
    pub argmax: Reduce,
    pub softmax: Reduce,
    pub softmax_backward: ReduceBackward,
    pub logsoftmax: Reduce,
    pub logsoftmax_backward: ReduceBackward,
    pub maxpool2d: fn(ArrayViewD<f64>, Kernel) -> Fallible<Array4<f64>>,
    pub maxpool2d_backward: PoolBackward,
    /// `dropout(x, rate, rng, training) -> (output, mask)`; `training` is
    /// false for the evaluation mode.
    pub dropout: Dropout,
    pub dropout_backward: Binary<ArrayD<f64>>,
}

/// Module 7: gates and attention.
#[derive(Clone, Copy)]
pub struct Attention {
    pub gate: Ternary<ArrayD<f64>>,
    pub gate_backward: GateBackward,
    pub softmax_gate: Binary<Array2<f64>>,
    pub softmax_gate_backward: Ternary<(Array3<f64>, Array2<f64>)>,
    pub attention: Attend,
    pub attention_backward: AttendBackward,
}

/// What the small network returns: the loss, and the gradients of its
/// kernel, weight and bias.
pub type NetworkGrads = Fallible<(f64, (Array4<f64>, Array2<f64>, Array1<f64>))>;
/// `linear_backward(x, weight, grad_out) -> (grad_x, grad_weight, grad_bias)`.
pub type LinearBackward = Ternary<(Array2<f64>, Array2<f64>, Array1<f64>)>;
/// `loss_and_gradients(kernel, weight, bias, x, labels)`.
pub type SmallNetwork =
    fn(ArrayViewD<f64>, ArrayViewD<f64>, ArrayViewD<f64>, ArrayViewD<f64>, &[usize]) -> NetworkGrads;

/// Module 8: a linear layer, cross-entropy, and a small network.
#[derive(Clone, Copy)]
pub struct Network {
    /// `linear(x, weight, bias)`.
    pub linear: Ternary<Array2<f64>>,
    pub linear_backward: LinearBackward,
    pub cross_entropy: fn(ArrayViewD<f64>, &[usize]) -> Fallible<f64>,
    pub cross_entropy_backward: fn(ArrayViewD<f64>, &[usize]) -> Fallible<Array2<f64>>,
    /// `small::loss_and_gradients` for the parameters `(kernel, weight,
    /// bias)`, the images `x` and the labels.
    pub small_network: SmallNetwork,
}

/// One module's table: what a runner serves.
#[derive(Clone, Copy)]
pub enum Module {
    Tensor(Tensor),
    Conv1d(Conv1d),
    Conv2d(Conv2d),
    Pooling(Pooling),
    Activations(Activations),
    Softmax(Softmax),
    Attention(Attention),
    Network(Network),
}

/// Every module's table: the instructor's binaries serve the solutions,
/// or the solutions with a wrong function planted, from one of these.
#[derive(Clone, Copy)]
pub struct Tables {
    pub tensor: Tensor,
    pub conv1d: Conv1d,
    pub conv2d: Conv2d,
    pub pooling: Pooling,
    pub activations: Activations,
    pub softmax: Softmax,
    pub attention: Attention,
    pub network: Network,
}

impl Tables {
    /// The table of the module named `name`, such as `"conv1d"`.
    pub fn module(&self, name: &str) -> Option<Module> {
        Some(match name {
            "tensor" => Module::Tensor(self.tensor),
            "conv1d" => Module::Conv1d(self.conv1d),
            "conv2d" => Module::Conv2d(self.conv2d),
            "pooling" => Module::Pooling(self.pooling),
            "activations" => Module::Activations(self.activations),
            "softmax" => Module::Softmax(self.softmax),
            "attention" => Module::Attention(self.attention),
            "network" => Module::Network(self.network),
            _ => return None,
        })
    }
}

/// The [`Tensor`] table of a crate with the `tensor` module's API.
#[macro_export]
macro_rules! tensor {
    ($krate:ident) => {
        $crate::tables::Tensor {
            contiguous_strides: $krate::contiguous_strides,
            index_to_position: $krate::index_to_position,
            to_index: $krate::to_index,
            shape_broadcast: $krate::shape_broadcast,
            broadcast_index: $krate::broadcast_index,
            is_contiguous: $krate::is_contiguous,
            permute: $krate::permute,
            view: $krate::view,
            contiguous: $krate::contiguous,
            get: $krate::get,
        }
    };
}

/// The [`Conv1d`] table of a crate with the `conv1d` module's API.
#[macro_export]
macro_rules! conv1d {
    ($krate:ident) => {
        $crate::tables::Conv1d { conv1d: $krate::conv1d, conv1d_backward: $krate::conv1d_backward }
    };
}

/// The [`Conv2d`] table of a crate with the `conv2d` module's API.
#[macro_export]
macro_rules! conv2d {
    ($krate:ident) => {
        $crate::tables::Conv2d { conv2d: $krate::conv2d, conv2d_backward: $krate::conv2d_backward }
    };
}

/// The [`Pooling`] table of a crate with the `pooling` module's API.
#[macro_export]
macro_rules! pooling {
    ($krate:ident) => {
        $crate::tables::Pooling {
            tile: $krate::tile,
            avgpool2d: $krate::avgpool2d,
            avgpool2d_backward: $krate::avgpool2d_backward,
        }
    };
}

/// The [`Activations`] table of a crate with the `activations` module's API.
#[macro_export]
macro_rules! activations {
    ($krate:ident) => {
        $crate::tables::Activations {
            relu: $krate::relu,
            relu_backward: $krate::relu_backward,
            step: $krate::step,
            sigmoid: $krate::sigmoid,
            sigmoid_backward: $krate::sigmoid_backward,
        }
    };
}

/// The [`Softmax`] table of a crate with the `softmax` module's API.
#[macro_export]
macro_rules! softmax {
    ($krate:ident) => {
        $crate::tables::Softmax {
            max: $krate::max,
            max_backward: $krate::max_backward,
            argmax: $krate::argmax,
            softmax: $krate::softmax,
            softmax_backward: $krate::softmax_backward,
            logsoftmax: $krate::logsoftmax,
            logsoftmax_backward: $krate::logsoftmax_backward,
            maxpool2d: $krate::maxpool2d,
            maxpool2d_backward: $krate::maxpool2d_backward,
            dropout: |x, rate, rng, training| {
                let mode = if training { $krate::Mode::Train } else { $krate::Mode::Eval };
                $krate::dropout(x, rate, rng, mode)
            },
            dropout_backward: $krate::dropout_backward,
        }
    };
}

/// The [`Attention`] table of a crate with the `attention` module's API.
#[macro_export]
macro_rules! attention {
    ($krate:ident) => {
        $crate::tables::Attention {
            gate: $krate::gate,
            gate_backward: $krate::gate_backward,
            softmax_gate: $krate::softmax_gate,
            softmax_gate_backward: $krate::softmax_gate_backward,
            attention: $krate::attention,
            attention_backward: $krate::attention_backward,
        }
    };
}

/// The [`Network`] table of a crate with the `network` module's API. The
/// arrays arrive with dynamic rank; one of the wrong rank is refused with
/// the function's name, as the crate's own validation would.
#[macro_export]
macro_rules! network {
    ($krate:ident) => {
        $crate::tables::Network {
            linear: |x, w, b| {
                let f = "linear";
                $krate::linear(
                    $crate::support::axes::with_axes(f, "x", "(batch, features)", x)?,
                    $crate::support::axes::with_axes(f, "weight", "(outputs, features)", w)?,
                    $crate::support::axes::with_axes(f, "bias", "(outputs,)", b)?,
                )
            },
            linear_backward: |x, w, g| {
                let f = "linear_backward";
                $krate::linear_backward(
                    $crate::support::axes::with_axes(f, "x", "(batch, features)", x)?,
                    $crate::support::axes::with_axes(f, "weight", "(outputs, features)", w)?,
                    $crate::support::axes::with_axes(f, "grad_out", "(batch, outputs)", g)?,
                )
            },
            cross_entropy: |z, labels| {
                $krate::cross_entropy(
                    $crate::support::axes::with_axes("cross_entropy", "logits", "(batch, classes)", z)?,
                    labels,
                )
            },
            cross_entropy_backward: |z, labels| {
                let f = "cross_entropy_backward";
                $krate::cross_entropy_backward(
                    $crate::support::axes::with_axes(f, "logits", "(batch, classes)", z)?,
                    labels,
                )
            },
            small_network: |kernel, weight, bias, x, labels| {
                let f = "loss_and_gradients";
                let params = $krate::small::Params {
                    kernel: $crate::support::axes::with_axes(f, "kernel", "(K, C_in, KH, KW)", kernel)?.to_owned(),
                    weight: $crate::support::axes::with_axes(f, "weight", "(classes, features)", weight)?.to_owned(),
                    bias: $crate::support::axes::with_axes(f, "bias", "(classes,)", bias)?.to_owned(),
                };
                let x = $crate::support::axes::with_axes(f, "x", "(batch, channels, height, width)", x)?;
                let (loss, grads) = $krate::small::loss_and_gradients(&params, x, labels)?;
                Ok((loss, (grads.kernel, grads.weight, grads.bias)))
            },
        }
    };
}

/// Every module's [`Tables`], one crate per module.
#[macro_export]
macro_rules! tables {
    (
        tensor: $tensor:ident,
        conv1d: $conv1d:ident,
        conv2d: $conv2d:ident,
        pooling: $pooling:ident,
        activations: $activations:ident,
        softmax: $softmax:ident,
        attention: $attention:ident,
        network: $network:ident
    ) => {
        $crate::Tables {
            tensor: $crate::tensor!($tensor),
            conv1d: $crate::conv1d!($conv1d),
            conv2d: $crate::conv2d!($conv2d),
            pooling: $crate::pooling!($pooling),
            activations: $crate::activations!($activations),
            softmax: $crate::softmax!($softmax),
            attention: $crate::attention!($attention),
            network: $crate::network!($network),
        }
    };
}
