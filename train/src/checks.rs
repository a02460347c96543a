//! Checks of the provided code, for any [`Kit`]: the composition of the
//! layers against finite differences, and a tiny training run. With correct
//! functions in the kit (the reference solutions, or yours once they pass
//! the grader) every check passes; `cargo test -p train` runs them on your
//! crates once they are written, and the instructor's tests on the
//! reference solutions.

use anyhow::{Result, bail, ensure};
use ndarray::{Array2, Array4};
use support::random::{rng, uniform};

use crate::kit::Kit;
use crate::layers::{Adam, Param, cross_entropy};
use crate::{lenet, mnist, sequence};

/// The step of the central differences.
const STEP: f64 = 1e-5;

/// Whether an analytic derivative `a` agrees with a numerical one `n`.
fn close(a: f64, n: f64) -> bool {
    (a - n).abs() <= 1e-6 + 1e-4 * n.abs().max(a.abs())
}

/// Compares the gradient that `backward` leaves in the parameters with
/// central differences of `loss`, for every weight of every parameter.
fn compare<M>(
    model: &mut M,
    params: fn(&mut M) -> Vec<&mut Param>,
    loss: &mut dyn FnMut(&mut M) -> Result<f64>,
    backward: &mut dyn FnMut(&mut M) -> Result<()>,
    what: &str,
) -> Result<usize> {
    for p in params(model) {
        p.grad.fill(0.0);
    }
    backward(model)?;
    let analytic: Vec<_> = params(model).iter().map(|p| p.grad.clone()).collect();
    let mut checked = 0;
    for (index, grad) in analytic.iter().enumerate() {
        for (at, &a) in grad.indexed_iter() {
            let mut shifted = |delta: f64, model: &mut M| -> Result<f64> {
                params(model)[index].value[&at] += delta;
                let value = loss(model);
                params(model)[index].value[&at] -= delta;
                value
            };
            let numeric = (shifted(STEP, model)? - shifted(-STEP, model)?) / (2.0 * STEP);
            if !close(a, numeric) {
                bail!(
                    "{what}: parameter {index}, element {at:?}: backward gives {a:e}, finite differences {numeric:e}"
                );
            }
            checked += 1;
        }
    }
    Ok(checked)
}

/// The LeNet's backward (a small one: 2 and 3 channels of 3 x 3 kernels on
/// 8 x 8 images, dropout on) against finite differences of its loss, for
/// every weight. Returns how many weights were checked.
///
/// **Errors** naming the first weight whose gradient disagrees.
pub fn lenet_gradients(kit: &Kit) -> Result<usize> {
    let config =
        lenet::Config { conv1: 2, conv2: 3, kernel: 3, hidden: 5, dropout: 0.5, seed: 7, ..lenet::Config::default() };
    let mut net = lenet::LeNet::new(&config, 8);
    let x: Array4<f64> = uniform((2, 1, 8, 8), &mut rng(11)) * 2.0;
    let labels = [3, 8];
    // The same dropout mask in every forward: a fresh generator each time.
    let mut loss = |net: &mut lenet::LeNet| -> Result<f64> {
        net.dropout.rng = rng(5);
        let logits = net.forward(kit, x.clone(), true)?;
        Ok(cross_entropy(kit, logits.view(), &labels)?.0)
    };
    let mut backward = |net: &mut lenet::LeNet| -> Result<()> {
        net.dropout.rng = rng(5);
        let logits = net.forward(kit, x.clone(), true)?;
        net.backward(kit, cross_entropy(kit, logits.view(), &labels)?.1)?;
        Ok(())
    };
    compare(&mut net, lenet::LeNet::params, &mut loss, &mut backward, "LeNet")
}

/// The sequence model's backward (3 digits, 4 features, 2 attention
/// layers) against finite differences of its loss, for every weight.
///
/// **Errors** naming the first weight whose gradient disagrees.
pub fn sequence_gradients(kit: &Kit) -> Result<usize> {
    let config = sequence::Config { digits: 3, dim: 4, layers: 2, seed: 7, ..sequence::Config::default() };
    let mut model = sequence::Reverser::new(&config);
    let batch = sequence::sequences(3, config.digits, &mut rng(9));
    let (inputs, targets) = sequence::inputs_and_targets(&batch, config.digits);
    let mut loss = |m: &mut sequence::Reverser| -> Result<f64> {
        let logits = m.forward(kit, inputs.clone())?;
        Ok(cross_entropy(kit, logits.view(), &targets)?.0)
    };
    let mut backward = |m: &mut sequence::Reverser| -> Result<()> {
        let logits = m.forward(kit, inputs.clone())?;
        m.backward(kit, cross_entropy(kit, logits.view(), &targets)?.1)
    };
    compare(&mut model, sequence::Reverser::params, &mut loss, &mut backward, "sequence model")
}

/// One epoch of the LeNet on the first 64 training images, in batches of
/// 8: the mean loss on those images before and after.
///
/// **Errors** when a function fails, or the loss does not go down.
pub fn tiny_run(kit: &Kit, data: &mnist::Split) -> Result<(f64, f64)> {
    let small = data.take(64);
    let images = small.normalised();
    let config = lenet::Config { batch: 8, ..lenet::Config::default() };
    let mut net = lenet::LeNet::new(&config, mnist::SIDE);
    let mean_loss = |net: &mut lenet::LeNet| -> Result<f64> {
        let logits: Array2<f64> = net.forward(kit, images.clone(), false)?;
        Ok(cross_entropy(kit, logits.view(), &small.labels)?.0)
    };
    let before = mean_loss(&mut net)?;
    let mut optimiser = Adam::new(config.lr);
    lenet::train_epoch(
        &mut net,
        kit,
        &mut optimiser,
        lenet::Examples { images: &images, labels: &small.labels },
        (config.batch, config.shift),
        &mut rng(1),
        &mut |_, _, _, _| {},
    )?;
    let after = mean_loss(&mut net)?;
    ensure!(after < before, "one epoch on 64 images took the loss from {before} to {after}");
    Ok((before, after))
}
