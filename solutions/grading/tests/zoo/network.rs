//! Realistic wrong implementations of the `network` module.

use activations_solution::{relu, relu_backward};
use conv2d_solution::{conv2d, conv2d_backward};
use ndarray::{Array1, Array2, ArrayView2, ArrayViewD, Axis, Ix1, Ix2, Ix4, s};
use network_solution as right;
use softmax_solution::{logsoftmax, maxpool2d, maxpool2d_backward, softmax};
use support::ShapeError;

use super::{Mutant, first_element};

type Out = Result<Array2<f64>, ShapeError>;
type Grads = Result<(Array2<f64>, Array2<f64>, Array1<f64>), ShapeError>;
type Loss = Result<f64, ShapeError>;
type NetGrads = Result<(f64, (ndarray::Array4<f64>, Array2<f64>, Array1<f64>)), ShapeError>;

pub const MUTANTS: &[Mutant] = &[
    // linear
    Mutant {
        task: "linear",
        what: "reshapes the weight to (IN, OUT) instead of transposing it",
        plant: |i| i.network.linear = reshaped_weight,
    },
    Mutant {
        task: "linear",
        what: "adds bias[b] to row b: the bias along the wrong axis",
        plant: |i| i.network.linear = bias_per_row,
    },
    Mutant { task: "linear", what: "forgets the bias", plant: |i| i.network.linear = without_bias },
    Mutant { task: "linear", what: "a ReLU fused into the layer", plant: |i| i.network.linear = fused_relu },
    Mutant {
        task: "linear",
        what: "returns the output transposed, (OUT, B)",
        plant: |i| i.network.linear = transposed_output,
    },
    Mutant { task: "linear", what: "works only on contiguous input", plant: |i| i.network.linear = contiguous_linear },
    Mutant {
        task: "linear",
        what: "a fast path past 256 rows that drops the bias",
        plant: |i| i.network.linear = fast_path,
    },
    Mutant {
        task: "linear",
        what: "reads element 0 first: panics on an empty batch",
        plant: |i| i.network.linear = empty_linear,
    },
    Mutant { task: "linear", what: "never checks the shapes", plant: |i| i.network.linear = unchecked_linear },
    // linear_backward
    Mutant {
        task: "linear_backward",
        what: "grad_bias from the first row only, not summed over the batch",
        plant: |i| i.network.linear_backward = first_row_bias,
    },
    Mutant {
        task: "linear_backward",
        what: "grad_weight as x^T grad_out, reshaped to (OUT, IN)",
        plant: |i| i.network.linear_backward = transposed_grad_weight,
    },
    Mutant {
        task: "linear_backward",
        what: "grad_weight divided by the batch size",
        plant: |i| i.network.linear_backward = averaged_grad_weight,
    },
    Mutant {
        task: "linear_backward",
        what: "works only on a contiguous grad_out",
        plant: |i| i.network.linear_backward = contiguous_linear_backward,
    },
    Mutant {
        task: "linear_backward",
        what: "a fast path past 256 rows: grad_bias sums the first 256 only",
        plant: |i| i.network.linear_backward = fast_path_backward,
    },
    Mutant {
        task: "linear_backward",
        what: "reads element 0 first: panics on an empty batch",
        plant: |i| i.network.linear_backward = empty_linear_backward,
    },
    Mutant {
        task: "linear_backward",
        what: "never checks the shape of grad_out",
        plant: |i| i.network.linear_backward = unchecked_linear_backward,
    },
    // cross_entropy
    Mutant {
        task: "cross_entropy",
        what: "the sum over the batch, not the mean",
        plant: |i| i.network.cross_entropy = summed,
    },
    Mutant { task: "cross_entropy", what: "forgets the minus sign", plant: |i| i.network.cross_entropy = unsigned },
    Mutant {
        task: "cross_entropy",
        what: "reads the class after the label",
        plant: |i| i.network.cross_entropy = next_label,
    },
    Mutant {
        task: "cross_entropy",
        what: "log(softmax(x)): the softmax underflows and the loss overflows to inf at ±1000",
        plant: |i| i.network.cross_entropy = log_of_softmax,
    },
    Mutant {
        task: "cross_entropy",
        what: "works only on contiguous logits",
        plant: |i| i.network.cross_entropy = contiguous_cross_entropy,
    },
    Mutant {
        task: "cross_entropy",
        what: "never checks the labels",
        plant: |i| i.network.cross_entropy = unchecked_cross_entropy,
    },
    // cross_entropy_backward
    Mutant {
        task: "cross_entropy_backward",
        what: "softmax - one_hot without the division by B",
        plant: |i| i.network.cross_entropy_backward = undivided,
    },
    Mutant {
        task: "cross_entropy_backward",
        what: "the wrong sign: one_hot - softmax",
        plant: |i| i.network.cross_entropy_backward = flipped,
    },
    Mutant {
        task: "cross_entropy_backward",
        what: "the one-hot one class off",
        plant: |i| i.network.cross_entropy_backward = shifted_one_hot,
    },
    Mutant {
        task: "cross_entropy_backward",
        what: "forgets to subtract the one-hot",
        plant: |i| i.network.cross_entropy_backward = without_one_hot,
    },
    Mutant {
        task: "cross_entropy_backward",
        what: "exp without the max shift overflows: NaN at ±1000",
        plant: |i| i.network.cross_entropy_backward = unshifted,
    },
    Mutant {
        task: "cross_entropy_backward",
        what: "works only on contiguous logits",
        plant: |i| i.network.cross_entropy_backward = contiguous_cross_entropy_backward,
    },
    Mutant {
        task: "cross_entropy_backward",
        what: "never checks the labels",
        plant: |i| i.network.cross_entropy_backward = unchecked_cross_entropy_backward,
    },
    // small_network
    Mutant {
        task: "small_network",
        what: "skips ReLU's backward: the gradient passes where the convolution is negative",
        plant: |i| i.network.small_network = |k, w, b, x, l| network(k, w, b, x, l, Slip::ReluSkipped),
    },
    Mutant {
        task: "small_network",
        what: "max pooling's backward spread over the window, as average pooling does",
        plant: |i| i.network.small_network = |k, w, b, x, l| network(k, w, b, x, l, Slip::AveragePool),
    },
    Mutant {
        task: "small_network",
        what: "the bias gradient of the first image only",
        plant: |i| i.network.small_network = |k, w, b, x, l| network(k, w, b, x, l, Slip::FirstBias),
    },
    Mutant {
        task: "small_network",
        what: "works only on contiguous images",
        plant: |i| i.network.small_network = |k, w, b, x, l| network(k, w, b, contiguous(x), l, Slip::None),
    },
    Mutant {
        task: "small_network",
        what: "never checks the height: crops an odd one",
        plant: |i| i.network.small_network = |k, w, b, x, l| network(k, w, b, x, l, Slip::Crop),
    },
];

fn table() -> bindings::tables::Network {
    bindings::network!(network_solution)
}

fn contiguous(x: ArrayViewD<f64>) -> ArrayViewD<f64> {
    x.as_slice().expect("a contiguous array");
    x
}

fn two(x: ArrayViewD<f64>) -> ArrayView2<f64> {
    x.into_dimensionality::<Ix2>().expect("two axes")
}

// linear

fn reshaped_weight(x: ArrayViewD<f64>, w: ArrayViewD<f64>, b: ArrayViewD<f64>) -> Out {
    (table().linear)(x.view(), w.view(), b.view())?;
    let (o, i) = (w.shape()[0], w.shape()[1]);
    let w = w.as_standard_layout().into_owned().into_shape_with_order((i, o)).expect("same size");
    Ok(two(x).dot(&w) + b.into_dimensionality::<Ix1>().expect("one axis"))
}
fn bias_per_row(x: ArrayViewD<f64>, w: ArrayViewD<f64>, b: ArrayViewD<f64>) -> Out {
    let mut out = (table().linear)(x.view(), w.view(), b.view())?;
    let outputs = b.len();
    for (r, mut row) in out.rows_mut().into_iter().enumerate() {
        for (c, v) in row.iter_mut().enumerate() {
            *v += b[[r % outputs]] - b[[c]];
        }
    }
    Ok(out)
}
fn without_bias(x: ArrayViewD<f64>, w: ArrayViewD<f64>, b: ArrayViewD<f64>) -> Out {
    Ok((table().linear)(x, w, b.view())? - b.into_dimensionality::<Ix1>().expect("one axis"))
}
fn fused_relu(x: ArrayViewD<f64>, w: ArrayViewD<f64>, b: ArrayViewD<f64>) -> Out {
    Ok((table().linear)(x, w, b)?.mapv(|v| v.max(0.0)))
}
fn transposed_output(x: ArrayViewD<f64>, w: ArrayViewD<f64>, b: ArrayViewD<f64>) -> Out {
    Ok((table().linear)(x, w, b)?.reversed_axes().as_standard_layout().into_owned())
}
fn contiguous_linear(x: ArrayViewD<f64>, w: ArrayViewD<f64>, b: ArrayViewD<f64>) -> Out {
    (table().linear)(contiguous(x), w, b)
}
fn fast_path(x: ArrayViewD<f64>, w: ArrayViewD<f64>, b: ArrayViewD<f64>) -> Out {
    let out = (table().linear)(x.view(), w, b.view())?;
    if x.shape()[0] > 256 { Ok(out - b.into_dimensionality::<Ix1>().expect("one axis")) } else { Ok(out) }
}
fn empty_linear(x: ArrayViewD<f64>, w: ArrayViewD<f64>, b: ArrayViewD<f64>) -> Out {
    first_element(&x);
    (table().linear)(x, w, b)
}
fn unchecked_linear(x: ArrayViewD<f64>, w: ArrayViewD<f64>, b: ArrayViewD<f64>) -> Out {
    // The product of whatever fits, the bias broadcast if it can be.
    let (x, w) = (two(x), two(w));
    let n = x.ncols().min(w.ncols());
    let mut out = x.slice(s![.., ..n]).dot(&w.slice(s![.., ..n]).t());
    if let Some(b) = b.into_dimensionality::<Ix1>().ok().and_then(|b| b.broadcast(out.raw_dim()).map(|b| b.to_owned()))
    {
        out += &b;
    }
    Ok(out)
}

// linear_backward

fn first_row_bias(x: ArrayViewD<f64>, w: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Grads {
    let (gx, gw, _) = (table().linear_backward)(x, w, g.view())?;
    Ok((gx, gw, two(g).row(0).to_owned()))
}
fn transposed_grad_weight(x: ArrayViewD<f64>, w: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Grads {
    let (gx, gw, gb) = (table().linear_backward)(x.view(), w, g.view())?;
    let wrong = two(x)
        .t()
        .dot(&two(g))
        .as_standard_layout()
        .into_owned()
        .into_shape_with_order(gw.raw_dim())
        .expect("same size");
    Ok((gx, wrong, gb))
}
fn averaged_grad_weight(x: ArrayViewD<f64>, w: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Grads {
    let batch = x.shape()[0].max(1) as f64;
    let (gx, gw, gb) = (table().linear_backward)(x, w, g)?;
    Ok((gx, gw / batch, gb))
}
fn contiguous_linear_backward(x: ArrayViewD<f64>, w: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Grads {
    (table().linear_backward)(x, w, contiguous(g))
}
fn fast_path_backward(x: ArrayViewD<f64>, w: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Grads {
    let (gx, gw, gb) = (table().linear_backward)(x, w, g.view())?;
    let g = two(g);
    if g.nrows() > 256 { Ok((gx, gw, g.slice(s![..256, ..]).sum_axis(Axis(0)))) } else { Ok((gx, gw, gb)) }
}
fn empty_linear_backward(x: ArrayViewD<f64>, w: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Grads {
    first_element(&x);
    (table().linear_backward)(x, w, g)
}
fn unchecked_linear_backward(x: ArrayViewD<f64>, w: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Grads {
    let (x, w, g) = (two(x), two(w), two(g));
    // Whatever rows and columns fit.
    let (rows, cols) = (x.nrows().min(g.nrows()), w.nrows().min(g.ncols()));
    let (x, w, g) = (x.slice(s![..rows, ..]), w.slice(s![..cols, ..]), g.slice(s![..rows, ..cols]));
    Ok((g.dot(&w), g.t().dot(&x), g.sum_axis(Axis(0))))
}

// cross_entropy

fn log_probabilities(z: ArrayViewD<f64>) -> Array2<f64> {
    logsoftmax(two(z), 1).expect("two axes")
}
fn picked(log: &Array2<f64>, labels: &[usize], shift: usize) -> f64 {
    labels.iter().enumerate().map(|(b, &l)| log[[b, (l + shift) % log.ncols()]]).sum()
}
fn summed(z: ArrayViewD<f64>, labels: &[usize]) -> Loss {
    (table().cross_entropy)(z.view(), labels)?;
    Ok(-picked(&log_probabilities(z), labels, 0))
}
fn unsigned(z: ArrayViewD<f64>, labels: &[usize]) -> Loss {
    Ok(-(table().cross_entropy)(z, labels)?)
}
fn next_label(z: ArrayViewD<f64>, labels: &[usize]) -> Loss {
    (table().cross_entropy)(z.view(), labels)?;
    Ok(-picked(&log_probabilities(z), labels, 1) / labels.len() as f64)
}
fn log_of_softmax(z: ArrayViewD<f64>, labels: &[usize]) -> Loss {
    (table().cross_entropy)(z.view(), labels)?;
    let log = softmax(two(z), 1).expect("two axes").mapv(f64::ln);
    Ok(-picked(&log, labels, 0) / labels.len() as f64)
}
fn contiguous_cross_entropy(z: ArrayViewD<f64>, labels: &[usize]) -> Loss {
    (table().cross_entropy)(contiguous(z), labels)
}
fn unchecked_cross_entropy(z: ArrayViewD<f64>, labels: &[usize]) -> Loss {
    Ok(-picked(&log_probabilities(z), labels, 0) / labels.len() as f64)
}

// cross_entropy_backward

fn one_hot_off(z: ArrayViewD<f64>, labels: &[usize], shift: usize, scale: f64) -> Array2<f64> {
    let mut grad = softmax(two(z), 1).expect("two axes");
    let classes = grad.ncols();
    for (b, &l) in labels.iter().enumerate() {
        grad[[b, (l + shift) % classes]] -= scale;
    }
    grad
}
fn undivided(z: ArrayViewD<f64>, labels: &[usize]) -> Out {
    (table().cross_entropy_backward)(z.view(), labels)?;
    Ok(one_hot_off(z, labels, 0, 1.0))
}
fn flipped(z: ArrayViewD<f64>, labels: &[usize]) -> Out {
    Ok(-(table().cross_entropy_backward)(z, labels)?)
}
fn shifted_one_hot(z: ArrayViewD<f64>, labels: &[usize]) -> Out {
    (table().cross_entropy_backward)(z.view(), labels)?;
    Ok(one_hot_off(z, labels, 1, 1.0) / labels.len() as f64)
}
fn without_one_hot(z: ArrayViewD<f64>, labels: &[usize]) -> Out {
    (table().cross_entropy_backward)(z.view(), labels)?;
    Ok(one_hot_off(z, labels, 0, 0.0) / labels.len() as f64)
}
fn unshifted(z: ArrayViewD<f64>, labels: &[usize]) -> Out {
    (table().cross_entropy_backward)(z.view(), labels)?;
    let mut grad = two(z).mapv(f64::exp);
    for mut row in grad.rows_mut() {
        let total = row.sum();
        row.mapv_inplace(|v| v / total);
    }
    for (b, &l) in labels.iter().enumerate() {
        grad[[b, l]] -= 1.0;
    }
    Ok(grad / labels.len() as f64)
}
fn contiguous_cross_entropy_backward(z: ArrayViewD<f64>, labels: &[usize]) -> Out {
    (table().cross_entropy_backward)(contiguous(z), labels)
}
fn unchecked_cross_entropy_backward(z: ArrayViewD<f64>, labels: &[usize]) -> Out {
    Ok(one_hot_off(z, labels, 0, 1.0) / labels.len() as f64)
}

// small_network

#[derive(Clone, Copy, PartialEq)]
enum Slip {
    None,
    ReluSkipped,
    AveragePool,
    FirstBias,
    Crop,
}

fn network(
    k: ArrayViewD<f64>,
    w: ArrayViewD<f64>,
    b: ArrayViewD<f64>,
    x: ArrayViewD<f64>,
    labels: &[usize],
    slip: Slip,
) -> NetGrads {
    if slip != Slip::Crop {
        (table().small_network)(k.view(), w.view(), b.view(), x.view(), labels)?;
    }
    let kernel = k.into_dimensionality::<Ix4>().expect("four axes");
    let (weight, bias) = (two(w), b.into_dimensionality::<Ix1>().expect("one axis"));
    let mut x = x.into_dimensionality::<Ix4>().expect("four axes");
    let (_, _, h, wd) = x.dim();
    x.slice_collapse(s![.., .., ..h / 2 * 2, ..wd / 2 * 2]);
    let conv = conv2d(x, kernel)?;
    let activated = relu(conv.view());
    let pooled = maxpool2d(activated.view(), (2, 2))?;
    let (n, c, ph, pw) = pooled.dim();
    let features = pooled.into_shape_with_order((n, c * ph * pw)).expect("fresh");
    let logits = right::linear(features.view(), weight, bias)?;
    let loss = right::cross_entropy(logits.view(), labels)?;
    let grad_logits = right::cross_entropy_backward(logits.view(), labels)?;
    let (grad_features, grad_weight, mut grad_bias) =
        right::linear_backward(features.view(), weight, grad_logits.view())?;
    if slip == Slip::FirstBias {
        grad_bias = grad_logits.row(0).to_owned();
    }
    let grad_pooled = grad_features.into_shape_with_order((n, c, ph, pw)).expect("fresh");
    let grad_activated = if slip == Slip::AveragePool {
        pooling_solution::avgpool2d_backward(activated.view(), (2, 2), grad_pooled.view())?
    } else {
        maxpool2d_backward(activated.view(), (2, 2), grad_pooled.view())?
    };
    let grad_conv =
        if slip == Slip::ReluSkipped { grad_activated } else { relu_backward(conv.view(), grad_activated.view())? };
    let (_, grad_kernel) = conv2d_backward(x, kernel, grad_conv.view())?;
    Ok((loss, (grad_kernel, grad_weight, grad_bias)))
}
