//! The layers of the capstone networks, written out for you to read.
//!
//! Every layer has a `forward`, which keeps what its `backward` will need
//! (usually its input), and a `backward`, which takes the gradient of the
//! loss with respect to the layer's output and returns the gradient with
//! respect to its input, adding the gradients of its parameters to their
//! [`Param::grad`] on the way. The arithmetic is yours: each layer calls the
//! functions of your modules through a [`Kit`]. What is written here is only
//! bookkeeping: biases, reshapes, an embedding lookup and the optimiser.

use anyhow::{Context, Result};
use ndarray::{Array, Array2, Array3, Array4, ArrayD, ArrayView2, ArrayView3, Axis, Dimension, Ix1, Ix2, Ix4};
use rand::RngExt;
use support::random::Rng;

use crate::kit::Kit;

/// A tensor of weights, the gradient of the loss with respect to it (summed
/// over a batch by the backwards), and the optimiser's running moments.
#[derive(Clone, Debug)]
pub struct Param {
    pub value: ArrayD<f64>,
    pub grad: ArrayD<f64>,
    m: ArrayD<f64>,
    v: ArrayD<f64>,
}

impl Param {
    /// A parameter of the given shape, drawn uniformly from `[-bound, bound)`.
    pub fn uniform(shape: &[usize], bound: f64, rng: &mut Rng) -> Param {
        let value = ArrayD::from_shape_simple_fn(shape, || rng.random_range(-bound..bound));
        Param::new(value)
    }

    /// A parameter of the given shape, all zeros.
    pub fn zeros(shape: &[usize]) -> Param {
        Param::new(ArrayD::zeros(shape))
    }

    fn new(value: ArrayD<f64>) -> Param {
        let zeros = ArrayD::zeros(value.raw_dim());
        Param { grad: zeros.clone(), m: zeros.clone(), v: zeros, value }
    }

    /// The value with `D` axes.
    pub fn typed<D: Dimension>(&self) -> ndarray::ArrayView<'_, f64, D> {
        self.value.view().into_dimensionality().expect("a parameter keeps its rank")
    }

    /// Adds `grad` (shaped like the value) to the gradient.
    pub fn accumulate<D: Dimension>(&mut self, grad: &Array<f64, D>) {
        self.grad += &grad.view().into_dyn();
    }
}

/// Adam (Kingma and Ba, 2015): each weight moves by `lr` times a running
/// mean of its gradient divided by the root of a running mean of its square.
#[derive(Clone, Debug)]
pub struct Adam {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    steps: i32,
}

impl Adam {
    /// Adam with the usual `beta1 = 0.9`, `beta2 = 0.999`, `eps = 1e-8`.
    pub fn new(lr: f64) -> Adam {
        Adam { lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, steps: 0 }
    }

    /// One update of every parameter from its gradient, which it then zeroes.
    pub fn step(&mut self, params: Vec<&mut Param>) {
        self.steps += 1;
        let (b1, b2) = (self.beta1, self.beta2);
        let (c1, c2) = (1.0 - b1.powi(self.steps), 1.0 - b2.powi(self.steps));
        for p in params {
            ndarray::Zip::from(&mut p.value).and(&mut p.grad).and(&mut p.m).and(&mut p.v).for_each(|w, g, m, v| {
                *m = b1 * *m + (1.0 - b1) * *g;
                *v = b2 * *v + (1.0 - b2) * *g * *g;
                *w -= self.lr * (*m / c1) / ((*v / c2).sqrt() + self.eps);
                *g = 0.0;
            });
        }
    }
}

/// The bound of He's uniform initialisation for `fan_in` inputs per output,
/// which keeps the variance of activations steady through ReLU layers.
pub fn he_bound(fan_in: usize) -> f64 {
    (6.0 / fan_in.max(1) as f64).sqrt()
}

/// A same-size 2D convolution with a bias per output channel:
/// `conv2d(x, w) + b` (your `conv2d` and `conv2d_backward`).
#[derive(Clone, Debug)]
pub struct Conv2d {
    /// `Cout x Cin x K x K`.
    pub weight: Param,
    /// `Cout`.
    pub bias: Param,
    input: Option<Array4<f64>>,
}

impl Conv2d {
    pub fn new(cin: usize, cout: usize, kernel: usize, rng: &mut Rng) -> Conv2d {
        let weight = Param::uniform(&[cout, cin, kernel, kernel], he_bound(cin * kernel * kernel), rng);
        Conv2d { weight, bias: Param::zeros(&[cout]), input: None }
    }

    /// `B x Cin x H x W` to `B x Cout x H x W`.
    pub fn forward(&mut self, kit: &Kit, x: Array4<f64>) -> Result<Array4<f64>> {
        let mut y = (kit.conv2d)(x.view(), self.weight.typed::<Ix4>()).context("conv2d")?;
        let bias = self.bias.typed::<Ix1>();
        for (mut channel, &b) in y.axis_iter_mut(Axis(1)).zip(bias.iter()) {
            channel += b;
        }
        self.input = Some(x);
        Ok(y)
    }

    pub fn backward(&mut self, kit: &Kit, grad: Array4<f64>) -> Result<Array4<f64>> {
        let x = self.input.take().context("Conv2d::backward before forward")?;
        let (gx, gw) =
            (kit.conv2d_backward)(x.view(), self.weight.typed::<Ix4>(), grad.view()).context("conv2d_backward")?;
        self.weight.accumulate(&gw);
        // The bias is added to every pixel of its channel.
        self.bias.accumulate(&grad.sum_axis(Axis(3)).sum_axis(Axis(2)).sum_axis(Axis(0)));
        Ok(gx)
    }

    pub fn params(&mut self) -> Vec<&mut Param> {
        vec![&mut self.weight, &mut self.bias]
    }
}

/// Max pooling over `k x k` windows (your `maxpool2d` and its backward).
#[derive(Clone, Debug)]
pub struct MaxPool2d {
    pub kernel: usize,
    input: Option<Array4<f64>>,
}

impl MaxPool2d {
    pub fn new(kernel: usize) -> MaxPool2d {
        MaxPool2d { kernel, input: None }
    }

    pub fn forward(&mut self, kit: &Kit, x: Array4<f64>) -> Result<Array4<f64>> {
        let y = (kit.maxpool2d)(x.view(), (self.kernel, self.kernel)).context("maxpool2d")?;
        self.input = Some(x);
        Ok(y)
    }

    pub fn backward(&mut self, kit: &Kit, grad: Array4<f64>) -> Result<Array4<f64>> {
        let x = self.input.take().context("MaxPool2d::backward before forward")?;
        (kit.maxpool2d_backward)(x.view(), (self.kernel, self.kernel), grad.view()).context("maxpool2d_backward")
    }
}

/// ReLU on an array of any rank (your `relu` and `relu_backward`).
#[derive(Clone, Debug, Default)]
pub struct Relu {
    input: Option<ArrayD<f64>>,
}

impl Relu {
    pub fn forward<D: Dimension>(&mut self, kit: &Kit, x: Array<f64, D>) -> Result<Array<f64, D>> {
        let x = x.into_dyn();
        let y = (kit.relu)(x.view());
        self.input = Some(x);
        Ok(y.into_dimensionality()?)
    }

    pub fn backward<D: Dimension>(&mut self, kit: &Kit, grad: Array<f64, D>) -> Result<Array<f64, D>> {
        let x = self.input.take().context("Relu::backward before forward")?;
        let g = (kit.relu_backward)(x.view(), grad.into_dyn().view()).context("relu_backward")?;
        Ok(g.into_dimensionality()?)
    }
}

/// Inverted dropout while training, the identity while evaluating (your
/// `dropout` and `dropout_backward`). It draws its masks from its own
/// seeded generator, so a run is reproducible.
#[derive(Debug)]
pub struct Dropout {
    pub rate: f64,
    pub rng: Rng,
    mask: Option<ArrayD<f64>>,
}

impl Dropout {
    pub fn new(rate: f64, seed: u64) -> Dropout {
        Dropout { rate, rng: support::random::rng(seed), mask: None }
    }

    pub fn forward<D: Dimension>(&mut self, kit: &Kit, x: Array<f64, D>, train: bool) -> Result<Array<f64, D>> {
        if !train {
            self.mask = None;
            return Ok(x);
        }
        let (y, mask) = (kit.dropout)(x.into_dyn().view(), self.rate, &mut self.rng).context("dropout")?;
        self.mask = Some(mask);
        Ok(y.into_dimensionality()?)
    }

    pub fn backward<D: Dimension>(&mut self, kit: &Kit, grad: Array<f64, D>) -> Result<Array<f64, D>> {
        let Some(mask) = self.mask.take() else { return Ok(grad) };
        let g = (kit.dropout_backward)(mask.view(), grad.into_dyn().view()).context("dropout_backward")?;
        Ok(g.into_dimensionality()?)
    }
}

/// `B x C x H x W` to `B x (C * H * W)`, and back for the gradient: no
/// arithmetic, a view of the same numbers in another shape.
#[derive(Clone, Debug, Default)]
pub struct Flatten {
    shape: Option<(usize, usize, usize, usize)>,
}

impl Flatten {
    pub fn forward(&mut self, x: Array4<f64>) -> Result<Array2<f64>> {
        let (b, c, h, w) = x.dim();
        self.shape = Some((b, c, h, w));
        Ok(x.as_standard_layout().into_owned().into_shape_with_order((b, c * h * w))?)
    }

    pub fn backward(&mut self, grad: Array2<f64>) -> Result<Array4<f64>> {
        let shape = self.shape.take().context("Flatten::backward before forward")?;
        Ok(grad.as_standard_layout().into_owned().into_shape_with_order(shape)?)
    }
}

/// A fully connected layer `x W^T + b` (`network::linear` and its backward).
#[derive(Clone, Debug)]
pub struct Linear {
    /// `OUT x IN`.
    pub weight: Param,
    /// `OUT`.
    pub bias: Param,
    input: Option<Array2<f64>>,
}

impl Linear {
    pub fn new(inputs: usize, outputs: usize, rng: &mut Rng) -> Linear {
        Linear {
            weight: Param::uniform(&[outputs, inputs], he_bound(inputs), rng),
            bias: Param::zeros(&[outputs]),
            input: None,
        }
    }

    /// `B x IN` to `B x OUT`.
    pub fn forward(&mut self, kit: &Kit, x: Array2<f64>) -> Result<Array2<f64>> {
        let y = (kit.linear)(x.view(), self.weight.typed::<Ix2>(), self.bias.typed::<Ix1>()).context("linear")?;
        self.input = Some(x);
        Ok(y)
    }

    pub fn backward(&mut self, kit: &Kit, grad: Array2<f64>) -> Result<Array2<f64>> {
        let x = self.input.take().context("Linear::backward before forward")?;
        let (gx, gw, gb) =
            (kit.linear_backward)(x.view(), self.weight.typed::<Ix2>(), grad.view()).context("linear_backward")?;
        self.weight.accumulate(&gw);
        self.bias.accumulate(&gb);
        Ok(gx)
    }

    /// A linear layer applied to every position of a `B x T x IN` sequence.
    pub fn forward3(&mut self, kit: &Kit, x: Array3<f64>) -> Result<Array3<f64>> {
        let (b, t, d) = x.dim();
        let y = self.forward(kit, x.into_shape_with_order((b * t, d))?)?;
        let out = y.ncols();
        Ok(y.into_shape_with_order((b, t, out))?)
    }

    pub fn backward3(&mut self, kit: &Kit, grad: Array3<f64>) -> Result<Array3<f64>> {
        let (b, t, o) = grad.dim();
        let g = self.backward(kit, grad.as_standard_layout().into_owned().into_shape_with_order((b * t, o))?)?;
        let d = g.ncols();
        Ok(g.into_shape_with_order((b, t, d))?)
    }

    pub fn params(&mut self) -> Vec<&mut Param> {
        vec![&mut self.weight, &mut self.bias]
    }
}

/// The loss: `network::cross_entropy` and its gradient with respect to the logits.
pub fn cross_entropy(kit: &Kit, logits: ArrayView2<f64>, labels: &[usize]) -> Result<(f64, Array2<f64>)> {
    let loss = (kit.cross_entropy)(logits, labels).context("cross_entropy")?;
    let grad = (kit.cross_entropy_backward)(logits, labels).context("cross_entropy_backward")?;
    Ok((loss, grad))
}

/// A table of `V` learned vectors of `D` numbers: token `i` becomes row `i`.
/// The lookup is plain indexing, and its backward adds each position's
/// gradient to the row it read.
#[derive(Clone, Debug)]
pub struct Embedding {
    /// `V x D`.
    pub table: Param,
    tokens: Option<Array2<usize>>,
}

impl Embedding {
    pub fn new(vocabulary: usize, dim: usize, rng: &mut Rng) -> Embedding {
        Embedding { table: Param::uniform(&[vocabulary, dim], 1.0, rng), tokens: None }
    }

    /// `B x T` tokens to `B x T x D` vectors.
    pub fn forward(&mut self, tokens: Array2<usize>) -> Array3<f64> {
        let table = self.table.typed::<Ix2>();
        let (b, t) = tokens.dim();
        let out = Array3::from_shape_fn((b, t, table.ncols()), |(i, j, k)| table[[tokens[[i, j]], k]]);
        self.tokens = Some(tokens);
        out
    }

    pub fn backward(&mut self, grad: ArrayView3<f64>) -> Result<()> {
        let tokens = self.tokens.take().context("Embedding::backward before forward")?;
        let mut table = ArrayD::<f64>::zeros(self.table.value.raw_dim());
        for ((i, j), &token) in tokens.indexed_iter() {
            let mut row = table.index_axis_mut(Axis(0), token);
            row += &grad.slice(ndarray::s![i, j, ..]).into_dyn();
        }
        self.table.grad += &table;
        Ok(())
    }
}

/// Causal single-head self-attention with learned projections:
/// `attention(x Wq, x Wk, x Wv, causal) Wo` (your `attention` and
/// `attention_backward`, with `causal = true`, and four linear layers).
#[derive(Clone, Debug)]
pub struct CausalSelfAttention {
    pub query: Linear,
    pub key: Linear,
    pub value: Linear,
    pub output: Linear,
    /// Whether position `t` sees only the positions up to `t` (the causal
    /// mask); `new` turns it on.
    pub causal: bool,
    cache: Option<[Array3<f64>; 3]>,
}

impl CausalSelfAttention {
    pub fn new(dim: usize, rng: &mut Rng) -> CausalSelfAttention {
        let mut layer = || {
            let mut l = Linear::new(dim, dim, rng);
            // Smaller than He's bound: no ReLU follows.
            l.weight.value.mapv_inplace(|w| w / 2f64.sqrt());
            l
        };
        CausalSelfAttention { query: layer(), key: layer(), value: layer(), output: layer(), causal: true, cache: None }
    }

    /// `B x T x D` to `B x T x D`: position `t` mixes the values of positions `0..=t`.
    pub fn forward(&mut self, kit: &Kit, x: &Array3<f64>) -> Result<Array3<f64>> {
        let q = self.query.forward3(kit, x.clone())?;
        let k = self.key.forward3(kit, x.clone())?;
        let v = self.value.forward3(kit, x.clone())?;
        let mixed = (kit.attention)(q.view(), k.view(), v.view(), self.causal).context("attention")?;
        self.cache = Some([q, k, v]);
        self.output.forward3(kit, mixed)
    }

    /// The attention weights of the last forward, `B x T x T`: row `t` is
    /// the softmax over the keys `0..=t` (all keys without the mask) that
    /// position `t` used. Computed
    /// here for the plots only (the training uses your `attention`).
    pub fn weights(&self) -> Result<Array3<f64>> {
        let [q, k, _] = self.cache.as_ref().context("CausalSelfAttention::weights before forward")?;
        let (b, t, d) = q.dim();
        let mut weights = Array3::zeros((b, t, t));
        for i in 0..b {
            let scores = q.index_axis(Axis(0), i).dot(&k.index_axis(Axis(0), i).t()) / (d as f64).sqrt();
            for row in 0..t {
                let seen = if self.causal { row + 1 } else { t };
                let max = (0..seen).map(|c| scores[[row, c]]).fold(f64::NEG_INFINITY, f64::max);
                let sum: f64 = (0..seen).map(|c| (scores[[row, c]] - max).exp()).sum();
                for c in 0..seen {
                    weights[[i, row, c]] = (scores[[row, c]] - max).exp() / sum;
                }
            }
        }
        Ok(weights)
    }

    /// The gradient with respect to `x`, the sum of what flows back through
    /// the query, key and value projections.
    pub fn backward(&mut self, kit: &Kit, grad: Array3<f64>) -> Result<Array3<f64>> {
        let g = self.output.backward3(kit, grad)?;
        let [q, k, v] = self.cache.take().context("CausalSelfAttention::backward before forward")?;
        let (gq, gk, gv) = (kit.attention_backward)(q.view(), k.view(), v.view(), self.causal, g.view())
            .context("attention_backward")?;
        let mut gx = self.query.backward3(kit, gq)?;
        gx += &self.key.backward3(kit, gk)?;
        gx += &self.value.backward3(kit, gv)?;
        Ok(gx)
    }

    pub fn params(&mut self) -> Vec<&mut Param> {
        let mut params = self.query.params();
        params.extend(self.key.params());
        params.extend(self.value.params());
        params.extend(self.output.params());
        params
    }
}

/// The index of the largest logit of every row.
pub fn predictions(logits: ArrayView2<f64>) -> Vec<usize> {
    logits
        .outer_iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .fold((0, f64::NEG_INFINITY), |best, (i, &v)| if v > best.1 { (i, v) } else { best })
                .0
        })
        .collect()
}
