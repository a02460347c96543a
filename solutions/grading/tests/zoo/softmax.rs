//! Realistic wrong implementations of the `softmax` module.

use ndarray::{Array4, ArrayD, ArrayViewD, Axis, IxDyn, Zip};
use rand::{RngExt, SeedableRng};
use softmax_solution as right;
use support::ShapeError;
use support::random::Rng;

use super::Mutant;

type Reduced = Result<ArrayD<f64>, ShapeError>;
type Pooled = Result<Array4<f64>, ShapeError>;
type Dropped = Result<(ArrayD<f64>, ArrayD<f64>), ShapeError>;

pub const MUTANTS: &[Mutant] = &[
    Mutant {
        task: "argmax",
        what: "reads element 0 first: panics on empty input",
        plant: |i| i.softmax.argmax = empty_argmax,
    },
    Mutant {
        task: "softmax",
        what: "reads element 0 first: panics on empty input",
        plant: |i| i.softmax.softmax = empty_softmax,
    },
    Mutant {
        task: "logsoftmax",
        what: "reads element 0 first: panics on empty input",
        plant: |i| i.softmax.logsoftmax = empty_logsoftmax,
    },
    Mutant {
        task: "max_backward",
        what: "reads element 0 to start its search: panics on empty input",
        plant: |i| i.softmax.max_backward = empty_max_backward,
    },
    Mutant {
        task: "softmax_backward",
        what: "reads element 0 to start its sums: panics on empty input",
        plant: |i| i.softmax.softmax_backward = empty_softmax_backward,
    },
    Mutant {
        task: "logsoftmax_backward",
        what: "reads element 0 to start its sums: panics on empty input",
        plant: |i| i.softmax.logsoftmax_backward = empty_logsoftmax_backward,
    },
    Mutant {
        task: "maxpool2d",
        what: "reads the first image to size its windows: panics on an empty batch",
        plant: |i| i.softmax.maxpool2d = empty_maxpool,
    },
    Mutant {
        task: "maxpool2d_backward",
        what: "reads the first image to size its windows: panics on an empty batch",
        plant: |i| i.softmax.maxpool2d_backward = empty_maxpool_backward,
    },
    Mutant {
        task: "dropout",
        what: "draws a number even for an empty array",
        plant: |i| i.softmax.dropout = empty_draws,
    },
    // max
    Mutant { task: "max", what: "the minimum", plant: |i| i.softmax.max = minimum },
    Mutant { task: "max", what: "drops the reduced axis", plant: |i| i.softmax.max = max_without_axis },
    Mutant { task: "max", what: "works only on contiguous input", plant: |i| i.softmax.max = contiguous_max },
    Mutant { task: "max", what: "never checks dim", plant: |i| i.softmax.max = unchecked_max },
    // max_backward
    Mutant {
        task: "max_backward",
        what: "sends the gradient to every tied maximum",
        plant: |i| i.softmax.max_backward = every_tied_max,
    },
    Mutant {
        task: "max_backward",
        what: "spreads the gradient evenly over the slice",
        plant: |i| i.softmax.max_backward = spread_evenly,
    },
    Mutant {
        task: "max_backward",
        what: "works only on a contiguous grad_out",
        plant: |i| i.softmax.max_backward = contiguous_max_backward,
    },
    Mutant {
        task: "max_backward",
        what: "never checks grad_out's shape",
        plant: |i| i.softmax.max_backward = unchecked_max_backward,
    },
    // argmax
    Mutant { task: "argmax", what: "marks every tied maximum", plant: |i| i.softmax.argmax = every_tie },
    Mutant { task: "argmax", what: "marks the minimum", plant: |i| i.softmax.argmax = argmin },
    Mutant { task: "argmax", what: "works only on contiguous input", plant: |i| i.softmax.argmax = contiguous_argmax },
    Mutant { task: "argmax", what: "never checks dim", plant: |i| i.softmax.argmax = unchecked_argmax },
    // softmax
    Mutant {
        task: "softmax",
        what: "no max subtraction: NaN at 1000",
        plant: |i| i.softmax.softmax = unshifted_softmax,
    },
    Mutant { task: "softmax", what: "over the wrong axis", plant: |i| i.softmax.softmax = softmax_wrong_axis },
    Mutant {
        task: "softmax",
        what: "the scores divided by their sum, no exp",
        plant: |i| i.softmax.softmax = proportional,
    },
    Mutant {
        task: "softmax",
        what: "works only on contiguous input",
        plant: |i| i.softmax.softmax = contiguous_softmax,
    },
    Mutant { task: "softmax", what: "never checks dim", plant: |i| i.softmax.softmax = unchecked_softmax },
    // softmax_backward
    Mutant {
        task: "softmax_backward",
        what: "s * g, forgetting the sum term",
        plant: |i| i.softmax.softmax_backward = elementwise_softmax_backward,
    },
    Mutant {
        task: "softmax_backward",
        what: "works only on a contiguous grad_out",
        plant: |i| i.softmax.softmax_backward = contiguous_softmax_backward,
    },
    Mutant {
        task: "softmax_backward",
        what: "never checks grad_out's shape",
        plant: |i| i.softmax.softmax_backward = unchecked_softmax_backward,
    },
    // logsoftmax
    Mutant {
        task: "logsoftmax",
        what: "log(softmax): -inf at -1000",
        plant: |i| i.softmax.logsoftmax = log_of_softmax,
    },
    Mutant {
        task: "logsoftmax",
        what: "subtracts the max inside the log-sum-exp only",
        plant: |i| i.softmax.logsoftmax = half_shifted,
    },
    Mutant {
        task: "logsoftmax",
        what: "works only on contiguous input",
        plant: |i| i.softmax.logsoftmax = contiguous_logsoftmax,
    },
    Mutant { task: "logsoftmax", what: "never checks dim", plant: |i| i.softmax.logsoftmax = unchecked_logsoftmax },
    // logsoftmax_backward
    Mutant {
        task: "logsoftmax_backward",
        what: "g - softmax * g, without the sum",
        plant: |i| i.softmax.logsoftmax_backward = elementwise_logsoftmax_backward,
    },
    Mutant {
        task: "logsoftmax_backward",
        what: "an unshifted softmax inside: NaN at 1000",
        plant: |i| i.softmax.logsoftmax_backward = unshifted_logsoftmax_backward,
    },
    Mutant {
        task: "logsoftmax_backward",
        what: "works only on a contiguous grad_out",
        plant: |i| i.softmax.logsoftmax_backward = contiguous_logsoftmax_backward,
    },
    Mutant {
        task: "logsoftmax_backward",
        what: "never checks grad_out's shape",
        plant: |i| i.softmax.logsoftmax_backward = unchecked_logsoftmax_backward,
    },
    // maxpool2d
    Mutant { task: "maxpool2d", what: "average pooling", plant: |i| i.softmax.maxpool2d = average_pool },
    Mutant { task: "maxpool2d", what: "min pooling", plant: |i| i.softmax.maxpool2d = min_pool },
    Mutant {
        task: "maxpool2d",
        what: "works only on contiguous input",
        plant: |i| i.softmax.maxpool2d = contiguous_maxpool,
    },
    Mutant {
        task: "maxpool2d",
        what: "lets tile's errors through (they name tile)",
        plant: |i| i.softmax.maxpool2d = tile_errors,
    },
    // maxpool2d_backward
    Mutant {
        task: "maxpool2d_backward",
        what: "sends the gradient to every tied maximum of a window",
        plant: |i| i.softmax.maxpool2d_backward = every_tied_window_max,
    },
    Mutant {
        task: "maxpool2d_backward",
        what: "the average pooling's gradient",
        plant: |i| i.softmax.maxpool2d_backward = average_pool_backward,
    },
    Mutant {
        task: "maxpool2d_backward",
        what: "works only on a contiguous grad_out",
        plant: |i| i.softmax.maxpool2d_backward = contiguous_maxpool_backward,
    },
    Mutant {
        task: "maxpool2d_backward",
        what: "never checks grad_out's shape",
        plant: |i| i.softmax.maxpool2d_backward = unchecked_maxpool_backward,
    },
    // dropout
    Mutant { task: "dropout", what: "forgets to scale the survivors", plant: |i| i.softmax.dropout = unscaled },
    Mutant { task: "dropout", what: "keeps with probability rate", plant: |i| i.softmax.dropout = inverted_coin },
    Mutant { task: "dropout", what: "drops the first rate * n elements", plant: |i| i.softmax.dropout = leading },
    Mutant { task: "dropout", what: "ignores the seed (its own generator)", plant: |i| i.softmax.dropout = own_seed },
    Mutant { task: "dropout", what: "drops in evaluation mode too", plant: |i| i.softmax.dropout = always_training },
    Mutant { task: "dropout", what: "0 * inf: NaN at rate 1", plant: |i| i.softmax.dropout = nan_at_one },
    Mutant {
        task: "dropout",
        what: "works only on contiguous input",
        plant: |i| i.softmax.dropout = contiguous_dropout,
    },
    Mutant { task: "dropout", what: "never checks the rate", plant: |i| i.softmax.dropout = unchecked_rate },
    Mutant {
        task: "dropout",
        what: "draws in column-major order",
        plant: |i| i.softmax.dropout = column_major_dropout,
    },
    Mutant {
        task: "dropout",
        what: "draws in memory order, not in the order of the indices",
        plant: |i| i.softmax.dropout = memory_order_dropout,
    },
    Mutant {
        task: "dropout",
        what: "consumes random numbers in evaluation mode",
        plant: |i| i.softmax.dropout = eval_draws,
    },
    // dropout_backward
    Mutant {
        task: "dropout_backward",
        what: "rounds through f32",
        plant: |i| i.softmax.dropout_backward = f32_dropout_backward,
    },
    Mutant {
        task: "dropout_backward",
        what: "a 0/1 mask, forgetting the scale",
        plant: |i| i.softmax.dropout_backward = unscaled_backward,
    },
    Mutant {
        task: "dropout_backward",
        what: "works only on a contiguous grad_out",
        plant: |i| i.softmax.dropout_backward = contiguous_dropout_backward,
    },
    Mutant {
        task: "dropout_backward",
        what: "never checks grad_out's shape",
        plant: |i| i.softmax.dropout_backward = unchecked_dropout_backward,
    },
];

/// `x`, or a panic when it is not contiguous (as `as_slice().expect(..)` does).
fn contiguous(x: ArrayViewD<f64>) -> ArrayViewD<f64> {
    x.as_slice().expect("a contiguous array");
    x
}

/// `x`'s slices along `dim`, each mapped by `f` into a slice of the same length.
fn lanes(x: ArrayViewD<f64>, dim: usize, f: impl Fn(&[f64]) -> Vec<f64>) -> ArrayD<f64> {
    let mut out = ArrayD::zeros(x.raw_dim());
    Zip::from(out.lanes_mut(Axis(dim))).and(x.lanes(Axis(dim))).for_each(|mut out, lane| {
        for (o, v) in out.iter_mut().zip(f(&lane.to_vec())) {
            *o = v;
        }
    });
    out
}

/// The largest value of a slice.
fn top(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

fn minimum(x: ArrayViewD<f64>, dim: usize) -> Reduced {
    right::max((-&x).view(), dim).map(|m| -m)
}
fn max_without_axis(x: ArrayViewD<f64>, dim: usize) -> Reduced {
    right::max(x, dim).map(|m| m.remove_axis(Axis(dim)))
}
fn contiguous_max(x: ArrayViewD<f64>, dim: usize) -> Reduced {
    right::max(contiguous(x), dim)
}
fn unchecked_max(x: ArrayViewD<f64>, dim: usize) -> Reduced {
    Ok(x.fold_axis(Axis(dim), f64::NEG_INFINITY, |&a, &b| a.max(b)).insert_axis(Axis(dim)))
}

fn every_tied_max(x: ArrayViewD<f64>, dim: usize, g: ArrayViewD<f64>) -> Reduced {
    Ok(every_tie(x, dim)? * &g)
}
fn spread_evenly(x: ArrayViewD<f64>, dim: usize, g: ArrayViewD<f64>) -> Reduced {
    right::max_backward(x.view(), dim, g.view())?;
    Ok(ArrayD::ones(x.raw_dim()) * &g / x.len_of(Axis(dim)) as f64)
}
fn contiguous_max_backward(x: ArrayViewD<f64>, dim: usize, g: ArrayViewD<f64>) -> Reduced {
    right::max_backward(x, dim, contiguous(g))
}
fn unchecked_max_backward(x: ArrayViewD<f64>, dim: usize, g: ArrayViewD<f64>) -> Reduced {
    let hot = right::argmax(x, dim)?;
    Ok(&hot * &g.broadcast(hot.raw_dim()).unwrap_or_else(|| g.view()))
}

fn every_tie(x: ArrayViewD<f64>, dim: usize) -> Reduced {
    right::argmax(x.view(), dim)?;
    Ok(lanes(x, dim, |v| v.iter().map(|&e| f64::from(e == top(v))).collect()))
}
fn argmin(x: ArrayViewD<f64>, dim: usize) -> Reduced {
    right::argmax((-&x).view(), dim)
}
fn contiguous_argmax(x: ArrayViewD<f64>, dim: usize) -> Reduced {
    right::argmax(contiguous(x), dim)
}
fn unchecked_argmax(x: ArrayViewD<f64>, dim: usize) -> Reduced {
    Ok(lanes(x, dim, |v| {
        let at = v.iter().position(|&e| e == top(v)).unwrap_or(0);
        (0..v.len()).map(|i| f64::from(i == at)).collect()
    }))
}

fn naive_softmax(v: &[f64]) -> Vec<f64> {
    let total: f64 = v.iter().map(|e| e.exp()).sum();
    v.iter().map(|e| e.exp() / total).collect()
}
fn unshifted_softmax(x: ArrayViewD<f64>, dim: usize) -> Reduced {
    right::softmax(x.view(), dim)?;
    Ok(lanes(x, dim, naive_softmax))
}
fn softmax_wrong_axis(x: ArrayViewD<f64>, dim: usize) -> Reduced {
    right::softmax(x.view(), dim)?;
    right::softmax(x.view(), x.ndim() - 1 - dim)
}
fn proportional(x: ArrayViewD<f64>, dim: usize) -> Reduced {
    right::softmax(x.view(), dim)?;
    Ok(lanes(x, dim, |v| {
        let total: f64 = v.iter().sum();
        v.iter().map(|e| e / total).collect()
    }))
}
fn contiguous_softmax(x: ArrayViewD<f64>, dim: usize) -> Reduced {
    right::softmax(contiguous(x), dim)
}
fn unchecked_softmax(x: ArrayViewD<f64>, dim: usize) -> Reduced {
    Ok(lanes(x, dim, |v| {
        let m = top(v);
        naive_softmax(&v.iter().map(|e| e - m).collect::<Vec<_>>())
    }))
}

fn elementwise_softmax_backward(x: ArrayViewD<f64>, dim: usize, g: ArrayViewD<f64>) -> Reduced {
    right::softmax_backward(x.view(), dim, g.view())?;
    Ok(right::softmax(x, dim)? * &g)
}
fn contiguous_softmax_backward(x: ArrayViewD<f64>, dim: usize, g: ArrayViewD<f64>) -> Reduced {
    right::softmax_backward(x, dim, contiguous(g))
}
fn unchecked_softmax_backward(x: ArrayViewD<f64>, dim: usize, g: ArrayViewD<f64>) -> Reduced {
    let s = right::softmax(x, dim)?;
    let g = g.broadcast(s.raw_dim()).unwrap_or_else(|| g.view()).to_owned();
    let weighted = (&g * &s).sum_axis(Axis(dim)).insert_axis(Axis(dim));
    Ok(&s * &(&g - &weighted))
}

fn log_of_softmax(x: ArrayViewD<f64>, dim: usize) -> Reduced {
    right::softmax(x, dim).map(|s| s.mapv(f64::ln))
}
fn half_shifted(x: ArrayViewD<f64>, dim: usize) -> Reduced {
    right::logsoftmax(x.view(), dim)?;
    Ok(lanes(x, dim, |v| {
        let m = top(v);
        let log_total = v.iter().map(|e| (e - m).exp()).sum::<f64>().ln();
        v.iter().map(|e| e - log_total).collect()
    }))
}
fn contiguous_logsoftmax(x: ArrayViewD<f64>, dim: usize) -> Reduced {
    right::logsoftmax(contiguous(x), dim)
}
fn unchecked_logsoftmax(x: ArrayViewD<f64>, dim: usize) -> Reduced {
    Ok(lanes(x, dim, |v| {
        let m = top(v);
        let log_total = v.iter().map(|e| (e - m).exp()).sum::<f64>().ln();
        v.iter().map(|e| e - m - log_total).collect()
    }))
}

fn elementwise_logsoftmax_backward(x: ArrayViewD<f64>, dim: usize, g: ArrayViewD<f64>) -> Reduced {
    right::logsoftmax_backward(x.view(), dim, g.view())?;
    Ok(&g - &(right::softmax(x, dim)? * &g))
}
fn unshifted_logsoftmax_backward(x: ArrayViewD<f64>, dim: usize, g: ArrayViewD<f64>) -> Reduced {
    right::logsoftmax_backward(x.view(), dim, g.view())?;
    let s = lanes(x, dim, naive_softmax);
    let total = g.sum_axis(Axis(dim)).insert_axis(Axis(dim));
    Ok(&g - &(s * &total))
}
fn contiguous_logsoftmax_backward(x: ArrayViewD<f64>, dim: usize, g: ArrayViewD<f64>) -> Reduced {
    right::logsoftmax_backward(x, dim, contiguous(g))
}
fn unchecked_logsoftmax_backward(x: ArrayViewD<f64>, dim: usize, g: ArrayViewD<f64>) -> Reduced {
    let s = right::softmax(x, dim)?;
    let g = g.broadcast(s.raw_dim()).unwrap_or_else(|| g.view()).to_owned();
    let total = g.sum_axis(Axis(dim)).insert_axis(Axis(dim));
    Ok(&g - &(s * &total))
}

fn average_pool(x: ArrayViewD<f64>, kernel: (usize, usize)) -> Pooled {
    right::maxpool2d(x.view(), kernel)?;
    pooling_solution::avgpool2d(x, kernel)
}
fn min_pool(x: ArrayViewD<f64>, kernel: (usize, usize)) -> Pooled {
    right::maxpool2d((-&x).view(), kernel).map(|m| -m)
}
fn contiguous_maxpool(x: ArrayViewD<f64>, kernel: (usize, usize)) -> Pooled {
    right::maxpool2d(contiguous(x), kernel)
}
fn tile_errors(x: ArrayViewD<f64>, kernel: (usize, usize)) -> Pooled {
    let windows = pooling_solution::tile(x, kernel)?;
    Ok(windows.fold_axis(Axis(4), f64::NEG_INFINITY, |&a, &b| a.max(b)))
}

/// Every input of a window that equals the window's max gets the window's gradient.
fn every_tied_window_max(x: ArrayViewD<f64>, (kh, kw): (usize, usize), g: ArrayViewD<f64>) -> Pooled {
    let right = right::maxpool2d_backward(x.view(), (kh, kw), g.view())?;
    let m = right::maxpool2d(x.view(), (kh, kw))?;
    Ok(Array4::from_shape_fn(right.raw_dim(), |(b, c, i, j)| {
        let at = [b, c, i / kh, j / kw];
        if x[[b, c, i, j]] == m[at] { g[IxDyn(&at)] } else { 0.0 }
    }))
}
fn average_pool_backward(x: ArrayViewD<f64>, kernel: (usize, usize), g: ArrayViewD<f64>) -> Pooled {
    right::maxpool2d_backward(x.view(), kernel, g.view())?;
    pooling_solution::avgpool2d_backward(x, kernel, g)
}
fn contiguous_maxpool_backward(x: ArrayViewD<f64>, kernel: (usize, usize), g: ArrayViewD<f64>) -> Pooled {
    right::maxpool2d_backward(x, kernel, contiguous(g))
}
fn unchecked_maxpool_backward(x: ArrayViewD<f64>, (kh, kw): (usize, usize), g: ArrayViewD<f64>) -> Pooled {
    let x =
        x.into_dimensionality::<ndarray::Ix4>().map_err(|_| ShapeError::new("maxpool2d_backward", "4 axes", "?"))?;
    let (b, c, h, w) = x.dim();
    let g = g.broadcast(IxDyn(&[b, c, h / kh, w / kw])).unwrap_or_else(|| g.view());
    right::maxpool2d_backward(x.into_dyn(), (kh, kw), g)
}

fn mode(training: bool) -> right::Mode {
    if training { right::Mode::Train } else { right::Mode::Eval }
}
/// Dropout by `keep(draw, rate) -> factor`, one draw per element in row-major order; no rate check.
fn by_draws(x: ArrayViewD<f64>, rate: f64, rng: &mut Rng, keep: impl Fn(f64, f64) -> f64) -> Dropped {
    let mask = ArrayD::from_shape_simple_fn(x.raw_dim(), || keep(rng.random::<f64>(), rate));
    Ok((&x * &mask, mask))
}
fn unscaled(x: ArrayViewD<f64>, rate: f64, rng: &mut Rng, training: bool) -> Dropped {
    let (_, mask) = right::dropout(x.view(), rate, rng, mode(training))?;
    let mask = mask.mapv(|m| f64::from(m != 0.0));
    Ok((&x * &mask, mask))
}
fn inverted_coin(x: ArrayViewD<f64>, rate: f64, rng: &mut Rng, training: bool) -> Dropped {
    right::dropout(x.view(), rate, &mut Rng::seed_from_u64(0), mode(training))?;
    if !training {
        return right::dropout(x, rate, rng, mode(training));
    }
    by_draws(x, rate, rng, |draw, rate| if draw < rate { 1.0 / (1.0 - rate) } else { 0.0 })
}
fn leading(x: ArrayViewD<f64>, rate: f64, rng: &mut Rng, training: bool) -> Dropped {
    let (_, mask) = right::dropout(x.view(), rate, rng, mode(training))?;
    let dropped = mask.iter().filter(|&&m| m == 0.0).count();
    let keep = mask.iter().copied().fold(0.0, f64::max);
    let mask =
        ArrayD::from_shape_vec(x.raw_dim(), (0..x.len()).map(|i| if i < dropped { 0.0 } else { keep }).collect())
            .expect("x's size");
    Ok((&x * &mask, mask))
}
fn own_seed(x: ArrayViewD<f64>, rate: f64, _rng: &mut Rng, training: bool) -> Dropped {
    right::dropout(x, rate, &mut Rng::seed_from_u64(0), mode(training))
}
fn always_training(x: ArrayViewD<f64>, rate: f64, rng: &mut Rng, _training: bool) -> Dropped {
    right::dropout(x, rate, rng, right::Mode::Train)
}
fn nan_at_one(x: ArrayViewD<f64>, rate: f64, rng: &mut Rng, training: bool) -> Dropped {
    let (out, mask) = right::dropout(x.view(), rate, rng, mode(training))?;
    if training && rate == 1.0 {
        let mask = mask.mapv(|_| 0.0 * (1.0 / (1.0 - rate)));
        return Ok((&x * &mask, mask));
    }
    Ok((out, mask))
}
fn contiguous_dropout(x: ArrayViewD<f64>, rate: f64, rng: &mut Rng, training: bool) -> Dropped {
    right::dropout(contiguous(x), rate, rng, mode(training))
}
fn unchecked_rate(x: ArrayViewD<f64>, rate: f64, rng: &mut Rng, training: bool) -> Dropped {
    if !training {
        return Ok((x.to_owned(), ArrayD::ones(x.raw_dim())));
    }
    by_draws(x, rate, rng, |draw, rate| if draw < rate { 0.0 } else { 1.0 / (1.0 - rate) })
}

fn column_major_dropout(x: ArrayViewD<f64>, rate: f64, rng: &mut Rng, training: bool) -> Dropped {
    if !training {
        return right::dropout(x, rate, rng, mode(training));
    }
    right::dropout(x.view(), rate, &mut Rng::seed_from_u64(0), mode(training))?;
    let reversed: Vec<usize> = (0..x.ndim()).rev().collect();
    let mut mask_t = ArrayD::zeros(x.view().permuted_axes(reversed.clone()).raw_dim());
    mask_t.mapv_inplace(|_| if rng.random::<f64>() < rate { 0.0 } else { 1.0 / (1.0 - rate) });
    let mask = mask_t.permuted_axes(reversed).as_standard_layout().into_owned();
    Ok((&x * &mask, mask))
}
fn memory_order_dropout(x: ArrayViewD<f64>, rate: f64, rng: &mut Rng, training: bool) -> Dropped {
    if !training {
        return right::dropout(x, rate, rng, mode(training));
    }
    right::dropout(x.view(), rate, &mut Rng::seed_from_u64(0), mode(training))?;
    let mut mask = ArrayD::zeros(x.raw_dim());
    // Walk x's memory: follow its strides instead of its indices.
    let mut mask_view = mask.view_mut();
    for axis in 0..x.ndim() {
        if x.strides()[axis] < 0 {
            mask_view.invert_axis(Axis(axis));
        }
    }
    let mut order: Vec<usize> = (0..x.ndim()).collect();
    order.sort_by_key(|&a| std::cmp::Reverse(x.strides()[a].unsigned_abs()));
    let mut walked = mask_view.permuted_axes(order);
    walked.iter_mut().for_each(|m| *m = if rng.random::<f64>() < rate { 0.0 } else { 1.0 / (1.0 - rate) });
    Ok((&x * &mask, mask))
}
fn eval_draws(x: ArrayViewD<f64>, rate: f64, rng: &mut Rng, training: bool) -> Dropped {
    if !training {
        let _ = rng.random::<f64>();
    }
    right::dropout(x, rate, rng, mode(training))
}
fn f32_dropout_backward(mask: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Reduced {
    Ok(right::dropout_backward(mask, g)?.mapv(|v| f64::from(v as f32)))
}
fn unscaled_backward(mask: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Reduced {
    right::dropout_backward(mask.view(), g.view())?;
    Ok(mask.mapv(|m| f64::from(m != 0.0)) * &g)
}
fn contiguous_dropout_backward(mask: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Reduced {
    right::dropout_backward(mask, contiguous(g))
}
fn unchecked_dropout_backward(mask: ArrayViewD<f64>, g: ArrayViewD<f64>) -> Reduced {
    Ok(&mask * &g.broadcast(mask.raw_dim()).unwrap_or_else(|| g.view()))
}

fn empty_max_backward(x: ArrayViewD<f64>, dim: usize, g: ArrayViewD<f64>) -> Reduced {
    super::first_element(&x);
    right::max_backward(x, dim, g)
}
fn empty_softmax_backward(x: ArrayViewD<f64>, dim: usize, g: ArrayViewD<f64>) -> Reduced {
    super::first_element(&x);
    right::softmax_backward(x, dim, g)
}
fn empty_logsoftmax_backward(x: ArrayViewD<f64>, dim: usize, g: ArrayViewD<f64>) -> Reduced {
    super::first_element(&x);
    right::logsoftmax_backward(x, dim, g)
}
fn empty_maxpool(x: ArrayViewD<f64>, kernel: (usize, usize)) -> Pooled {
    super::first_element(&x);
    right::maxpool2d(x, kernel)
}
fn empty_maxpool_backward(x: ArrayViewD<f64>, kernel: (usize, usize), g: ArrayViewD<f64>) -> Pooled {
    super::first_element(&x);
    right::maxpool2d_backward(x, kernel, g)
}
fn empty_draws(x: ArrayViewD<f64>, rate: f64, rng: &mut Rng, training: bool) -> Dropped {
    if x.is_empty() && training {
        let _ = rng.random::<f64>();
    }
    right::dropout(x, rate, rng, mode(training))
}

fn empty_argmax(x: ArrayViewD<f64>, dim: usize) -> Reduced {
    super::first_element(&x);
    right::argmax(x, dim)
}
fn empty_softmax(x: ArrayViewD<f64>, dim: usize) -> Reduced {
    super::first_element(&x);
    right::softmax(x, dim)
}
fn empty_logsoftmax(x: ArrayViewD<f64>, dim: usize) -> Reduced {
    super::first_element(&x);
    right::logsoftmax(x, dim)
}
