//! `cargo train sequence`: a causal attention model learns to reverse a
//! sequence of digits.
//!
//! A sequence is `N` random digits, a separator `|`, then the same digits
//! in reverse order. The model reads it one token at a time and, at every
//! position, predicts the next token; only its predictions after the
//! separator are scored, since the first `N` digits are random. To write
//! the `i`-th digit of the answer, position `N + i` must look back at
//! position `N - 1 - i`: exactly what attention does, with weights that the
//! positions' embeddings decide.
//!
//! ```text
//! tokens (B x T) -> token embedding + position embedding -> x (B x T x D)
//!   -> gate(causal self-attention(x), x, x Wr + br) -> linear read-out (D -> 10) -> logits
//! ```

use anyhow::{Context, Result};
use ndarray::{Array2, Array3, Axis, Ix2};
use rand::RngExt;
use support::random::{Rng, rng};

use crate::kit::Kit;
use crate::layers::{Adam, CausalSelfAttention, Embedding, Linear, Param, cross_entropy, predictions};

/// The separator token; the digits are 0 to 9.
pub const SEPARATOR: usize = 10;

/// The sizes and rates of the model and its training.
#[derive(Clone, Debug)]
pub struct Config {
    /// Digits to reverse.
    pub digits: usize,
    /// Features per token.
    pub dim: usize,
    /// Attention layers, each with a residual connection.
    pub layers: usize,
    pub steps: usize,
    pub batch: usize,
    pub lr: f64,
    pub seed: u64,
    /// Steps between two evaluations.
    pub eval_every: usize,
    /// Whether attention is causal; without the mask a position can read
    /// the token it has to predict.
    pub causal: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            digits: 8,
            dim: 32,
            layers: 1,
            steps: 600,
            batch: 64,
            lr: 3e-3,
            seed: 2026,
            eval_every: 25,
            causal: true,
        }
    }
}

/// `count` sequences of `digits` random digits, the separator and the
/// digits reversed: `count x (2 digits + 1)` tokens.
pub fn sequences(count: usize, digits: usize, rng: &mut Rng) -> Array2<usize> {
    let mut out = Array2::zeros((count, 2 * digits + 1));
    for mut row in out.outer_iter_mut() {
        for i in 0..digits {
            let d = rng.random_range(0..10);
            row[i] = d;
            row[2 * digits - i] = d;
        }
        row[digits] = SEPARATOR;
    }
    out
}

/// The model's inputs (every token but the last) and, for the scored
/// positions `digits..2 digits`, the tokens they must predict, row-major.
pub fn inputs_and_targets(batch: &Array2<usize>, digits: usize) -> (Array2<usize>, Vec<usize>) {
    let inputs = batch.slice(ndarray::s![.., ..2 * digits]).to_owned();
    let targets = batch.slice(ndarray::s![.., digits + 1..]).iter().copied().collect();
    (inputs, targets)
}

/// The model.
#[derive(Clone, Debug)]
pub struct Reverser {
    pub tokens: Embedding,
    /// `T x D`: a learned vector added at every position.
    pub positions: Param,
    pub attention: Vec<CausalSelfAttention>,
    /// One per attention layer: `r = x W + b`, the control of the gate
    /// that blends the layer's output with its input.
    pub gates: Vec<Linear>,
    pub readout: Linear,
    digits: usize,
    /// What each gate's backward needs: the layer's output, its input and `r`.
    kept: Vec<[Array3<f64>; 3]>,
}

impl Reverser {
    pub fn new(config: &Config) -> Reverser {
        let mut rng = rng(config.seed);
        let length = 2 * config.digits;
        Reverser {
            tokens: Embedding::new(SEPARATOR + 1, config.dim, &mut rng),
            positions: Param::uniform(&[length, config.dim], 1.0, &mut rng),
            attention: (0..config.layers)
                .map(|_| {
                    let mut layer = CausalSelfAttention::new(config.dim, &mut rng);
                    layer.causal = config.causal;
                    layer
                })
                .collect(),
            gates: (0..config.layers).map(|_| Linear::new(config.dim, config.dim, &mut rng)).collect(),
            readout: Linear::new(config.dim, 10, &mut rng),
            digits: config.digits,
            kept: Vec::new(),
        }
    }

    /// The logits of the scored positions, `(B * digits) x 10`, row-major
    /// by sequence then position.
    pub fn forward(&mut self, kit: &Kit, inputs: Array2<usize>) -> Result<Array2<f64>> {
        let mut x = self.tokens.forward(inputs);
        x += &self.positions.typed::<Ix2>();
        self.kept.clear();
        for (layer, control) in self.attention.iter_mut().zip(&mut self.gates) {
            // A gated residual: each feature of each position takes
            // sigmoid(r) of the layer's output and the rest of its input.
            let mixed = layer.forward(kit, &x)?;
            let r = control.forward3(kit, x.clone())?;
            let out = (kit.gate)(mixed.view().into_dyn(), x.view().into_dyn(), r.view().into_dyn()).context("gate")?;
            self.kept.push([mixed, x, r]);
            x = out.into_dimensionality()?;
        }
        let scored = x.slice(ndarray::s![.., self.digits.., ..]).to_owned();
        let (b, n, d) = scored.dim();
        self.readout.forward(kit, scored.into_shape_with_order((b * n, d))?)
    }

    pub fn backward(&mut self, kit: &Kit, grad: Array2<f64>) -> Result<()> {
        let g = self.readout.backward(kit, grad)?;
        let d = g.ncols();
        let b = g.nrows() / self.digits;
        let mut gx = Array3::zeros((b, 2 * self.digits, d));
        gx.slice_mut(ndarray::s![.., self.digits.., ..]).assign(&g.into_shape_with_order((b, self.digits, d))?);
        let kept = std::mem::take(&mut self.kept);
        for ((layer, control), [mixed, x, r]) in self.attention.iter_mut().zip(&mut self.gates).zip(kept).rev() {
            // The gradient reaches x three ways: around the layer through
            // the gate, through the layer, and through the gate's control.
            let (g_mixed, g_x, g_r) = (kit.gate_backward)(
                mixed.view().into_dyn(),
                x.view().into_dyn(),
                r.view().into_dyn(),
                gx.view().into_dyn(),
            )
            .context("gate_backward")?;
            let mut g_x: Array3<f64> = g_x.into_dimensionality()?;
            g_x += &layer.backward(kit, g_mixed.into_dimensionality()?)?;
            g_x += &control.backward3(kit, g_r.into_dimensionality()?)?;
            gx = g_x;
        }
        self.positions.grad += &gx.sum_axis(Axis(0)).into_dyn();
        self.tokens.backward(gx.view())
    }

    pub fn params(&mut self) -> Vec<&mut Param> {
        let mut params = vec![&mut self.tokens.table, &mut self.positions];
        for layer in &mut self.attention {
            params.extend(layer.params());
        }
        for control in &mut self.gates {
            params.extend(control.params());
        }
        params.extend(self.readout.params());
        params
    }
}

/// One evaluation during training.
#[derive(Clone, Debug)]
pub struct Checkpoint {
    pub step: usize,
    /// The mean training loss since the previous checkpoint.
    pub train_loss: f64,
    /// The share of answer tokens right on the held-out sequences.
    pub token_accuracy: f64,
    /// The share of held-out sequences reversed without a mistake.
    pub sequence_accuracy: f64,
}

/// Token and whole-sequence accuracy of `model` on `test`.
pub fn evaluate(model: &mut Reverser, kit: &Kit, test: &Array2<usize>, digits: usize) -> Result<(f64, f64)> {
    let (inputs, targets) = inputs_and_targets(test, digits);
    let predicted = predictions(model.forward(kit, inputs)?.view());
    let right: Vec<bool> = predicted.iter().zip(&targets).map(|(p, t)| p == t).collect();
    let tokens = right.iter().filter(|&&r| r).count() as f64 / right.len().max(1) as f64;
    let sequences = right.chunks(digits).filter(|c| c.iter().all(|&r| r)).count() as f64 / test.nrows().max(1) as f64;
    Ok((tokens, sequences))
}

/// Trains a fresh model on freshly drawn sequences every step, evaluating
/// on `test` every `config.eval_every` steps; `on_step` sees (step, loss)
/// after every step and `on_checkpoint` every evaluation.
pub fn train(
    kit: &Kit,
    config: &Config,
    test: &Array2<usize>,
    on_step: &mut dyn FnMut(usize, f64),
    on_checkpoint: &mut dyn FnMut(&Checkpoint),
) -> Result<(Reverser, Vec<Checkpoint>)> {
    let mut model = Reverser::new(config);
    let mut optimiser = Adam::new(config.lr);
    let mut data = rng(config.seed ^ 0xda7a);
    let mut checkpoints = Vec::new();
    let (mut loss_sum, mut since) = (0.0, 0);
    for step in 1..=config.steps {
        let t = step as f64 / config.steps.max(1) as f64;
        optimiser.lr = config.lr * (0.1 + 0.9 * 0.5 * (1.0 + (std::f64::consts::PI * t).cos()));
        let (inputs, targets) = inputs_and_targets(&sequences(config.batch, config.digits, &mut data), config.digits);
        let logits = model.forward(kit, inputs)?;
        let (loss, grad) = cross_entropy(kit, logits.view(), &targets)?;
        model.backward(kit, grad)?;
        optimiser.step(model.params());
        loss_sum += loss;
        since += 1;
        on_step(step, loss);
        if step % config.eval_every.max(1) == 0 || step == config.steps {
            let (token_accuracy, sequence_accuracy) = evaluate(&mut model, kit, test, config.digits)?;
            let checkpoint =
                Checkpoint { step, train_loss: loss_sum / since as f64, token_accuracy, sequence_accuracy };
            on_checkpoint(&checkpoint);
            checkpoints.push(checkpoint);
            (loss_sum, since) = (0.0, 0);
        }
    }
    Ok((model, checkpoints))
}

/// A token as the plots write it.
pub fn token_label(token: usize) -> String {
    if token == SEPARATOR { "|".to_string() } else { token.to_string() }
}
