//! Realistic wrong implementations of `conv1d` and `conv2d`. Each is built
//! from the reference solution and a transformation of its operands or
//! results that has exactly the effect of the mistake it names, so that one
//! definition serves both modules.

use ndarray::{ArrayD, ArrayViewD, Axis, Dimension, Slice};
use support::ShapeError;

/// A right forward or backward on dynamic-rank arrays.
pub type Forward = fn(ArrayViewD<f64>, ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError>;
pub type Backward =
    fn(ArrayViewD<f64>, ArrayViewD<f64>, ArrayViewD<f64>) -> Result<(ArrayD<f64>, ArrayD<f64>), ShapeError>;

fn spatial_axes(a: &ArrayD<f64>) -> std::ops::Range<usize> {
    2..a.ndim()
}

/// The kernel flipped on every spatial axis: a true convolution.
pub fn flipped(right: Forward, x: ArrayViewD<f64>, w: ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError> {
    right(x, flip(w.to_owned()).view())
}

fn flip(mut w: ArrayD<f64>) -> ArrayD<f64> {
    for axis in spatial_axes(&w) {
        w.invert_axis(Axis(axis));
    }
    w
}

/// `out[t] = sum_k w[k] x[t + k - (K - 1)]`: the kernel's right (bottom)
/// end sits on the output position, zeros before the start.
pub fn anchored_right(right: Forward, x: ArrayViewD<f64>, w: ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError> {
    if x.ndim() < 3 || w.ndim() != x.ndim() {
        return right(x, w);
    }
    // Pad every spatial axis with K - 1 zeros in front, then keep the first W outputs.
    let kernel = &w.shape()[2..];
    let padded_shape: Vec<usize> =
        (0..x.ndim()).map(|a| if a < 2 { x.shape()[a] } else { x.shape()[a] + kernel[a - 2].max(1) - 1 }).collect();
    let mut padded = ArrayD::zeros(ndarray::IxDyn(&padded_shape));
    let mut target = padded.view_mut();
    for axis in 2..x.ndim() {
        target.slice_axis_inplace(Axis(axis), Slice::from(kernel[axis - 2].max(1) - 1..));
    }
    target.assign(&x);
    let out = right(padded.view(), w)?;
    Ok(out
        .slice_each_axis(|ax| {
            Slice::from(..if ax.axis.index() < 2 { out.shape()[ax.axis.index()] } else { x.shape()[ax.axis.index()] })
        })
        .to_owned())
}

/// Positions past the end wrap around to the start instead of reading 0.
pub fn wrapped(right: Forward, x: ArrayViewD<f64>, w: ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError> {
    if x.ndim() < 3 || w.ndim() != x.ndim() || x.is_empty() {
        return right(x, w);
    }
    // Tile the input enough times on every spatial axis, then keep the first W.
    let mut tiled = x.to_owned();
    for axis in 2..x.ndim() {
        let copies = w.shape()[axis] / x.shape()[axis] + 2;
        let views = vec![tiled.view(); copies];
        tiled = ndarray::concatenate(Axis(axis), &views).expect("copies of one array");
    }
    let out = right(tiled.view(), w)?;
    let crop: Vec<_> =
        (0..out.ndim()).map(|a| Slice::from(..if a < 2 { out.shape()[a] } else { x.shape()[a] })).collect();
    Ok(out.slice_each_axis(|ax| crop[ax.axis.index()]).to_owned())
}

/// Only input channel 0 is read.
pub fn first_channel(right: Forward, x: ArrayViewD<f64>, w: ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError> {
    let mut x = x.to_owned();
    if x.ndim() > 1 {
        x.slice_axis_mut(Axis(1), Slice::from(1..)).fill(0.0);
    }
    right(x.view(), w)
}

/// `if t + k < W - 1`: the last column (and row) of the input is never read.
pub fn short_edge(right: Forward, x: ArrayViewD<f64>, w: ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError> {
    let mut x = x.to_owned();
    for axis in 2..x.ndim() {
        let n = x.shape()[axis];
        x.slice_axis_mut(Axis(axis), Slice::from(n.saturating_sub(1)..)).fill(0.0);
    }
    right(x.view(), w)
}

/// A "valid" convolution: the output shrinks to `W - K + 1`.
pub fn valid_only(right: Forward, x: ArrayViewD<f64>, w: ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError> {
    let out = right(x.view(), w.view())?;
    let keep: Vec<usize> = (0..out.ndim())
        .map(|a| if a < 2 { out.shape()[a] } else { (x.shape()[a] + 1).saturating_sub(w.shape()[a]) })
        .collect();
    Ok(out.slice_each_axis(|ax| Slice::from(..keep[ax.axis.index()])).to_owned())
}

/// The output starts from ones instead of zeros.
pub fn ones_start(right: Forward, x: ArrayViewD<f64>, w: ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError> {
    right(x, w).map(|out| out + 1.0)
}

/// Reads the storage as one slice: panics on any view that is not a fresh
/// row-major array.
pub fn contiguous_only(right: Forward, x: ArrayViewD<f64>, w: ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError> {
    let slice = x.as_slice().expect("a contiguous input");
    let x = ArrayViewD::from_shape(x.raw_dim(), slice).expect("the shape of x");
    right(x, w)
}

/// Unwraps the rank instead of returning a ShapeError.
pub fn unwrapped_rank<E: Dimension>(
    right: Forward,
    x: ArrayViewD<f64>,
    w: ArrayViewD<f64>,
) -> Result<ArrayD<f64>, ShapeError> {
    let x = x.into_dimensionality::<E>().expect("input of the right rank");
    let w = w.into_dimensionality::<E>().expect("weight of the right rank");
    right(x.into_dyn(), w.into_dyn())
}

/// grad_weight from the first image only: forgets to sum over the batch.
pub fn first_image_grad_weight(
    right: Backward,
    x: ArrayViewD<f64>,
    w: ArrayViewD<f64>,
    g: ArrayViewD<f64>,
) -> Result<(ArrayD<f64>, ArrayD<f64>), ShapeError> {
    let (gx, gw) = right(x.view(), w.view(), g.view())?;
    if x.shape()[0] == 0 {
        return Ok((gx, gw));
    }
    let first = |a: ArrayViewD<f64>| a.slice_axis(Axis(0), Slice::from(..1)).to_owned();
    let (_, gw_first) = right(first(x).view(), w, first(g).view())?;
    Ok((gx, gw_first))
}

/// grad_input slides the kernel as it is, without reversing it.
pub fn unreversed_grad_input(
    right: Backward,
    x: ArrayViewD<f64>,
    w: ArrayViewD<f64>,
    g: ArrayViewD<f64>,
) -> Result<(ArrayD<f64>, ArrayD<f64>), ShapeError> {
    let (_, gw) = right(x.view(), w.view(), g.view())?;
    let (gx, _) = right(x, flip(w.to_owned()).view(), g)?;
    Ok((gx, gw))
}

/// Reads grad_out as one slice: panics on any strided view.
pub fn contiguous_only_backward(
    right: Backward,
    x: ArrayViewD<f64>,
    w: ArrayViewD<f64>,
    g: ArrayViewD<f64>,
) -> Result<(ArrayD<f64>, ArrayD<f64>), ShapeError> {
    let slice = g.as_slice().expect("a contiguous grad_out");
    right(x, w, ArrayViewD::from_shape(g.raw_dim(), slice).expect("the shape of g"))
}

/// Never checks grad_out's shape: answers zeros when it does not fit.
pub fn unchecked_grad_out(
    right: Backward,
    x: ArrayViewD<f64>,
    w: ArrayViewD<f64>,
    g: ArrayViewD<f64>,
) -> Result<(ArrayD<f64>, ArrayD<f64>), ShapeError> {
    match right(x.view(), w.view(), g) {
        Err(e) if e.expected.starts_with("grad_out") => Ok((ArrayD::zeros(x.raw_dim()), ArrayD::zeros(w.raw_dim()))),
        other => other,
    }
}

/// Output positions per band of a blocked unfold, and multiply-adds above
/// which a batch is split among threads (the reference's thresholds).
const BAND: usize = 256;
const THREADS: usize = 1 << 20;

/// A blocked unfold that forgets each band's start: every band past the
/// first repeats the first band's outputs (bands of whole rows in 2D).
pub fn band_restarts(right: Forward, x: ArrayViewD<f64>, w: ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError> {
    let out = right(x.view(), w)?;
    let (rows, row_len) = match out.ndim() {
        3 => (out.shape()[2], 1),
        4 => (out.shape()[2], out.shape()[3]),
        _ => return Ok(out),
    };
    let band_rows = (BAND / row_len.max(1)).max(1);
    if rows * row_len <= BAND {
        return Ok(out);
    }
    let mut wrong = out.clone();
    for start in (band_rows..rows).step_by(band_rows) {
        let end = (start + band_rows).min(rows);
        let first = out.slice_axis(Axis(2), Slice::from(0..end - start)).to_owned();
        wrong.slice_axis_mut(Axis(2), Slice::from(start..end)).assign(&first);
    }
    Ok(wrong)
}

/// Whether a problem is big enough for the reference to use threads.
fn threaded(x: &ArrayViewD<f64>, w: &ArrayViewD<f64>) -> bool {
    let outputs: usize = x.shape()[2..].iter().product::<usize>() * x.shape()[0] * w.shape()[0];
    x.ndim() == w.ndim() && x.ndim() >= 3 && outputs * w.shape()[1..].iter().product::<usize>() >= THREADS
}

/// A threaded path that gives every thread but the first no images: the
/// second half of a large batch comes out zero.
pub fn first_thread_only(right: Forward, x: ArrayViewD<f64>, w: ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError> {
    let mut out = right(x.view(), w.view())?;
    if threaded(&x, &w) {
        let half = out.shape()[0].div_ceil(2);
        out.slice_axis_mut(Axis(0), Slice::from(half..)).fill(0.0);
    }
    Ok(out)
}

/// The same in the backward: the second half of a large batch adds nothing.
pub fn first_thread_only_backward(
    right: Backward,
    x: ArrayViewD<f64>,
    w: ArrayViewD<f64>,
    g: ArrayViewD<f64>,
) -> Result<(ArrayD<f64>, ArrayD<f64>), ShapeError> {
    let (gx, gw) = right(x.view(), w.view(), g.view())?;
    if !threaded(&x, &w) {
        return Ok((gx, gw));
    }
    let half = x.shape()[0].div_ceil(2);
    let first = |a: ArrayViewD<f64>| a.slice_axis(Axis(0), Slice::from(..half)).to_owned();
    let (_, gw_first) = right(first(x.view()).view(), w, first(g).view())?;
    let mut gx = gx;
    gx.slice_axis_mut(Axis(0), Slice::from(half..)).fill(0.0);
    Ok((gx, gw_first))
}

/// Gradients rounded through f32.
pub fn f32_backward(
    right: Backward,
    x: ArrayViewD<f64>,
    w: ArrayViewD<f64>,
    g: ArrayViewD<f64>,
) -> Result<(ArrayD<f64>, ArrayD<f64>), ShapeError> {
    let (gx, gw) = right(x, w, g)?;
    let round = |a: ArrayD<f64>| a.mapv(|v| f64::from(v as f32));
    Ok((round(gx), round(gw)))
}

/// Reads the first element to start its sums: panics on an empty batch.
pub fn empty_backward_panics(
    right: Backward,
    x: ArrayViewD<f64>,
    w: ArrayViewD<f64>,
    g: ArrayViewD<f64>,
) -> Result<(ArrayD<f64>, ArrayD<f64>), ShapeError> {
    super::first_element(&x);
    right(x, w, g)
}

/// The mutants of one convolution module, named after its functions.
macro_rules! conv_mutants {
    ($module:ident, $right:ident, $forward:ident, $backward:ident, $rank:ty) => {
        pub mod $module {
            use ndarray::{ArrayD, ArrayViewD};
            use support::ShapeError;

            use super::super::Mutant;

            type Out = ndarray::Array<f64, $rank>;

            fn right_forward(x: ArrayViewD<f64>, w: ArrayViewD<f64>) -> Result<ArrayD<f64>, ShapeError> {
                $right::$forward(x, w).map(|out| out.into_dyn())
            }

            fn right_backward(
                x: ArrayViewD<f64>,
                w: ArrayViewD<f64>,
                g: ArrayViewD<f64>,
            ) -> Result<(ArrayD<f64>, ArrayD<f64>), ShapeError> {
                $right::$backward(x, w, g).map(|(gx, gw)| (gx.into_dyn(), gw.into_dyn()))
            }

            fn typed(out: ArrayD<f64>) -> Out {
                out.into_dimensionality().expect("the module's rank")
            }

            macro_rules! forward {
                ($name:ident) => {
                    fn $name(x: ArrayViewD<f64>, w: ArrayViewD<f64>) -> Result<Out, ShapeError> {
                        super::$name(right_forward, x, w).map(typed)
                    }
                };
            }
            macro_rules! backward {
                ($name:ident) => {
                    fn $name(
                        x: ArrayViewD<f64>,
                        w: ArrayViewD<f64>,
                        g: ArrayViewD<f64>,
                    ) -> Result<(Out, Out), ShapeError> {
                        super::$name(right_backward, x, w, g).map(|(gx, gw)| (typed(gx), typed(gw)))
                    }
                };
            }
            forward!(flipped);
            forward!(anchored_right);
            forward!(wrapped);
            forward!(first_channel);
            forward!(short_edge);
            forward!(valid_only);
            forward!(ones_start);
            forward!(contiguous_only);
            forward!(band_restarts);
            forward!(first_thread_only);
            fn unwrapped_rank(x: ArrayViewD<f64>, w: ArrayViewD<f64>) -> Result<Out, ShapeError> {
                super::unwrapped_rank::<$rank>(right_forward, x, w).map(typed)
            }
            backward!(first_image_grad_weight);
            backward!(unreversed_grad_input);
            backward!(contiguous_only_backward);
            backward!(unchecked_grad_out);
            backward!(first_thread_only_backward);
            backward!(f32_backward);
            backward!(empty_backward_panics);

            const FORWARD: &str = concat!(stringify!($module), "_forward");
            const BACKWARD: &str = concat!(stringify!($module), "_backward");

            pub const MUTANTS: &[Mutant] = &[
                Mutant {
                    task: FORWARD,
                    what: "flips the kernel (a true convolution)",
                    plant: |i| i.$module.$forward = flipped,
                },
                Mutant {
                    task: FORWARD,
                    what: "anchors the kernel at its right end",
                    plant: |i| i.$module.$forward = anchored_right,
                },
                Mutant {
                    task: FORWARD,
                    what: "wraps around instead of reading zeros",
                    plant: |i| i.$module.$forward = wrapped,
                },
                Mutant {
                    task: FORWARD,
                    what: "reads only the first input channel",
                    plant: |i| i.$module.$forward = first_channel,
                },
                Mutant {
                    task: FORWARD,
                    what: "off by one: never reads the last column or row",
                    plant: |i| i.$module.$forward = short_edge,
                },
                Mutant {
                    task: FORWARD,
                    what: "a valid convolution: the output shrinks",
                    plant: |i| i.$module.$forward = valid_only,
                },
                Mutant {
                    task: FORWARD,
                    what: "an output initialised with ones",
                    plant: |i| i.$module.$forward = ones_start,
                },
                Mutant {
                    task: FORWARD,
                    what: "works only on contiguous input (as_slice().unwrap())",
                    plant: |i| i.$module.$forward = contiguous_only,
                },
                Mutant {
                    task: FORWARD,
                    what: "unwraps the rank instead of returning a ShapeError",
                    plant: |i| i.$module.$forward = unwrapped_rank,
                },
                Mutant {
                    task: FORWARD,
                    what: "a blocked unfold that forgets each band's start",
                    plant: |i| i.$module.$forward = band_restarts,
                },
                Mutant {
                    task: FORWARD,
                    what: "a threaded path that gives the second thread no images",
                    plant: |i| i.$module.$forward = first_thread_only,
                },
                Mutant {
                    task: BACKWARD,
                    what: "grad_weight forgets to sum over the batch",
                    plant: |i| i.$module.$backward = first_image_grad_weight,
                },
                Mutant {
                    task: BACKWARD,
                    what: "grad_input uses the kernel without reversing it",
                    plant: |i| i.$module.$backward = unreversed_grad_input,
                },
                Mutant {
                    task: BACKWARD,
                    what: "works only on a contiguous grad_out",
                    plant: |i| i.$module.$backward = contiguous_only_backward,
                },
                Mutant {
                    task: BACKWARD,
                    what: "never checks grad_out's shape",
                    plant: |i| i.$module.$backward = unchecked_grad_out,
                },
                Mutant {
                    task: BACKWARD,
                    what: "a threaded path that gives the second thread no images",
                    plant: |i| i.$module.$backward = first_thread_only_backward,
                },
                Mutant {
                    task: BACKWARD,
                    what: "starts its sums from element 0: panics on an empty batch",
                    plant: |i| i.$module.$backward = empty_backward_panics,
                },
                Mutant {
                    task: BACKWARD,
                    what: "gradients rounded through f32",
                    plant: |i| i.$module.$backward = f32_backward,
                },
            ];
        }
    };
}

conv_mutants!(conv1d, conv1d_solution, conv1d, conv1d_backward, ndarray::Ix3);
conv_mutants!(conv2d, conv2d_solution, conv2d, conv2d_backward, ndarray::Ix4);
