//! `cargo train mnist`: a LeNet on MNIST-5k.
//!
//! ```text
//! 1 x 28 x 28 -> conv 5x5 -> 6 x 28 x 28 -> ReLU -> max pool 2 -> 6 x 14 x 14
//!             -> conv 5x5 -> 16 x 14 x 14 -> ReLU -> max pool 2 -> 16 x 7 x 7
//!             -> flatten 784 -> linear -> 120 -> ReLU -> dropout -> linear -> 10
//! ```

use std::time::Instant;

use anyhow::Result;
use ndarray::{Array2, Array4, Axis};
use rand::RngExt;
use rand::seq::SliceRandom;
use support::random::{Rng, rng};

use crate::kit::Kit;
use crate::layers::{Adam, Conv2d, Dropout, Flatten, Linear, MaxPool2d, Param, Relu, cross_entropy, predictions};

/// The sizes and rates of a network and its training.
#[derive(Clone, Debug)]
pub struct Config {
    pub conv1: usize,
    pub conv2: usize,
    pub kernel: usize,
    pub hidden: usize,
    pub dropout: f64,
    pub epochs: usize,
    pub batch: usize,
    pub lr: f64,
    pub seed: u64,
    /// Training images are moved by up to this many pixels in each
    /// direction, a new random shift every time they are seen (0: never).
    pub shift: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            conv1: 6,
            conv2: 16,
            kernel: 5,
            hidden: 120,
            dropout: 0.25,
            epochs: 10,
            batch: 16,
            lr: 2e-3,
            seed: 2026,
            shift: 1,
        }
    }
}

/// The network: its layers in order.
#[derive(Debug)]
pub struct LeNet {
    pub conv1: Conv2d,
    relu1: Relu,
    pool1: MaxPool2d,
    pub conv2: Conv2d,
    relu2: Relu,
    pool2: MaxPool2d,
    flatten: Flatten,
    pub fc1: Linear,
    relu3: Relu,
    pub dropout: Dropout,
    pub fc2: Linear,
}

impl LeNet {
    /// A network for `side x side` images (`side` divisible by 4) and 10 classes.
    pub fn new(config: &Config, side: usize) -> LeNet {
        let mut rng = rng(config.seed);
        let pooled = side / 4;
        LeNet {
            conv1: Conv2d::new(1, config.conv1, config.kernel, &mut rng),
            relu1: Relu::default(),
            pool1: MaxPool2d::new(2),
            conv2: Conv2d::new(config.conv1, config.conv2, config.kernel, &mut rng),
            relu2: Relu::default(),
            pool2: MaxPool2d::new(2),
            flatten: Flatten::default(),
            fc1: Linear::new(config.conv2 * pooled * pooled, config.hidden, &mut rng),
            relu3: Relu::default(),
            dropout: Dropout::new(config.dropout, config.seed ^ 0xd0),
            fc2: Linear::new(config.hidden, 10, &mut rng),
        }
    }

    /// The logits (`B x 10`) of a batch of images (`B x 1 x H x W`).
    pub fn forward(&mut self, kit: &Kit, x: Array4<f64>, train: bool) -> Result<Array2<f64>> {
        let x = self.conv1.forward(kit, x)?;
        let x = self.relu1.forward(kit, x)?;
        let x = self.pool1.forward(kit, x)?;
        let x = self.conv2.forward(kit, x)?;
        let x = self.relu2.forward(kit, x)?;
        let x = self.pool2.forward(kit, x)?;
        let x = self.flatten.forward(x)?;
        let x = self.fc1.forward(kit, x)?;
        let x = self.relu3.forward(kit, x)?;
        let x = self.dropout.forward(kit, x, train)?;
        self.fc2.forward(kit, x)
    }

    /// Back from the gradient of the loss with respect to the logits, the
    /// layers in reverse order; the parameters' gradients accumulate.
    pub fn backward(&mut self, kit: &Kit, grad: Array2<f64>) -> Result<Array4<f64>> {
        let g = self.fc2.backward(kit, grad)?;
        let g = self.dropout.backward(kit, g)?;
        let g = self.relu3.backward(kit, g)?;
        let g = self.fc1.backward(kit, g)?;
        let g = self.flatten.backward(g)?;
        let g = self.pool2.backward(kit, g)?;
        let g = self.relu2.backward(kit, g)?;
        let g = self.conv2.backward(kit, g)?;
        let g = self.pool1.backward(kit, g)?;
        let g = self.relu1.backward(kit, g)?;
        self.conv1.backward(kit, g)
    }

    pub fn params(&mut self) -> Vec<&mut Param> {
        let mut params = self.conv1.params();
        params.extend(self.conv2.params());
        params.extend(self.fc1.params());
        params.extend(self.fc2.params());
        params
    }

    /// Forward, loss and backward on one batch: the loss and the number of
    /// correct predictions. The gradients are left in the parameters.
    pub fn train_batch(&mut self, kit: &Kit, x: Array4<f64>, labels: &[usize]) -> Result<(f64, usize)> {
        let logits = self.forward(kit, x, true)?;
        let (loss, grad) = cross_entropy(kit, logits.view(), labels)?;
        let correct = predictions(logits.view()).iter().zip(labels).filter(|(p, l)| p == l).count();
        self.backward(kit, grad)?;
        Ok((loss, correct))
    }

    /// The predicted digits of `images`, `batch` at a time, in evaluation mode.
    pub fn predict(&mut self, kit: &Kit, images: &Array4<f64>, batch: usize) -> Result<Vec<usize>> {
        let mut out = Vec::with_capacity(images.dim().0);
        for chunk in images.axis_chunks_iter(Axis(0), batch.max(1)) {
            out.extend(predictions(self.forward(kit, chunk.to_owned(), false)?.view()));
        }
        Ok(out)
    }
}

/// What one epoch measured.
#[derive(Clone, Debug)]
pub struct Epoch {
    pub train_loss: f64,
    pub train_accuracy: f64,
    pub test_accuracy: f64,
    pub seconds: f64,
}

/// Called after every batch with (images done, images in the epoch, mean
/// loss so far, accuracy so far), to drive a progress bar.
pub type Tick = Box<dyn FnMut(usize, usize, f64, f64)>;

/// Images (`N x 1 x H x W`, normalised) and their labels.
#[derive(Clone, Copy, Debug)]
pub struct Examples<'a> {
    pub images: &'a Array4<f64>,
    pub labels: &'a [usize],
}

/// One epoch of Adam over `data` in an order shuffled by `rng`, `batch`
/// images a step, each moved by up to `shift` pixels: the mean loss and
/// the accuracy over the epoch.
pub fn train_epoch(
    net: &mut LeNet,
    kit: &Kit,
    optimiser: &mut Adam,
    data: Examples,
    (batch, shift): (usize, usize),
    rng: &mut Rng,
    progress: &mut dyn FnMut(usize, usize, f64, f64),
) -> Result<(f64, f64)> {
    let Examples { images, labels } = data;
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.shuffle(rng);
    let (mut loss_sum, mut correct, mut seen) = (0.0, 0, 0);
    for chunk in order.chunks(batch.max(1)) {
        let mut x = images.select(Axis(0), chunk);
        if shift > 0 {
            x = shifted(&x, shift, rng);
        }
        let y: Vec<usize> = chunk.iter().map(|&i| labels[i]).collect();
        let (loss, right) = net.train_batch(kit, x, &y)?;
        optimiser.step(net.params());
        loss_sum += loss * chunk.len() as f64;
        correct += right;
        seen += chunk.len();
        progress(seen, labels.len(), loss_sum / seen as f64, correct as f64 / seen as f64);
    }
    Ok((loss_sum / seen.max(1) as f64, correct as f64 / seen.max(1) as f64))
}

/// Trains a fresh network for `config.epochs` epochs; `progress(epoch)`
/// gives the function to call after every batch of that epoch, and
/// `on_epoch` sees each epoch's numbers as soon as it ends.
pub fn train(
    kit: &Kit,
    config: &Config,
    train: Examples,
    test: Examples,
    progress: &mut dyn FnMut(usize) -> Tick,
    on_epoch: &mut dyn FnMut(usize, &Epoch),
) -> Result<(LeNet, Vec<Epoch>)> {
    let mut net = LeNet::new(config, train.images.dim().2);
    let mut optimiser = Adam::new(config.lr);
    let mut shuffle = rng(config.seed ^ 0x5eed);
    let mut epochs = Vec::new();
    for epoch in 0..config.epochs {
        // A cosine schedule: the steps shrink smoothly to a tenth by the end.
        let t = epoch as f64 / config.epochs.max(1) as f64;
        optimiser.lr = config.lr * (0.1 + 0.9 * 0.5 * (1.0 + (std::f64::consts::PI * t).cos()));
        let start = Instant::now();
        let mut tick = progress(epoch);
        let (train_loss, train_accuracy) =
            train_epoch(&mut net, kit, &mut optimiser, train, (config.batch, config.shift), &mut shuffle, &mut *tick)?;
        let seconds = start.elapsed().as_secs_f64();
        let predicted = net.predict(kit, test.images, 100)?;
        let test_accuracy = accuracy(&predicted, test.labels);
        let record = Epoch { train_loss, train_accuracy, test_accuracy, seconds };
        on_epoch(epoch, &record);
        epochs.push(record);
    }
    Ok((net, epochs))
}

/// Every image of `x` (`B x C x H x W`) moved by a random whole number of
/// pixels between `-max` and `max` along each axis; the pixels moved in
/// take the value of the top-left corner (the background).
pub fn shifted(x: &Array4<f64>, max: usize, rng: &mut Rng) -> Array4<f64> {
    let (b, c, h, w) = x.dim();
    let max = max as i64;
    let mut out = Array4::zeros(x.raw_dim());
    for i in 0..b {
        let (dy, dx) = (rng.random_range(-max..=max), rng.random_range(-max..=max));
        let background = x[[i, 0, 0, 0]];
        for ch in 0..c {
            for r in 0..h {
                for col in 0..w {
                    let (sr, sc) = (r as i64 - dy, col as i64 - dx);
                    let inside = (0..h as i64).contains(&sr) && (0..w as i64).contains(&sc);
                    out[[i, ch, r, col]] = if inside { x[[i, ch, sr as usize, sc as usize]] } else { background };
                }
            }
        }
    }
    out
}

/// The share of `predicted` equal to `labels`.
pub fn accuracy(predicted: &[usize], labels: &[usize]) -> f64 {
    predicted.iter().zip(labels).filter(|(p, l)| p == l).count() as f64 / labels.len().max(1) as f64
}

/// `counts[true][predicted]`.
pub fn confusion(predicted: &[usize], labels: &[usize]) -> [[usize; 10]; 10] {
    let mut counts = [[0; 10]; 10];
    for (&p, &l) in predicted.iter().zip(labels) {
        counts[l][p] += 1;
    }
    counts
}
