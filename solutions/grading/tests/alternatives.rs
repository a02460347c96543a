//! Right implementations written differently from the reference solutions
//! get full marks too: the checks hold a function to its contract, not to
//! the solution's arithmetic (here, the order of the sums).

use bindings::Tables as Implementation;
use grader::Status;
use grading::{capture_panics, grade_here};
use ndarray::{Array3, Array4, ArrayView, ArrayView3, ArrayView4, ArrayViewD, Dimension, Ix3, Ix4};
use support::ShapeError;

/// An input and a weight of a static rank.
type Operands<'a, D> = (ArrayView<'a, f64, D>, ArrayView<'a, f64, D>);

/// The shape checks of the public functions, through the solutions (they
/// are provided code, the same in the stubs).
fn views<'a, D: Dimension>(
    x: ArrayViewD<'a, f64>,
    w: ArrayViewD<'a, f64>,
    check: impl FnOnce(ArrayViewD<f64>, ArrayViewD<f64>) -> Result<(), ShapeError>,
) -> Result<Operands<'a, D>, ShapeError> {
    check(x.view(), w.view())?;
    Ok((x.into_dimensionality().expect("checked"), w.into_dimensionality().expect("checked")))
}

/// conv1d term by term, one scalar sum per output.
fn loops_conv1d(x: ArrayView3<f64>, w: ArrayView3<f64>) -> Array3<f64> {
    let ((batch, cin, width), (cout, _, k)) = (x.dim(), w.dim());
    Array3::from_shape_fn((batch, cout, width), |(b, o, t)| {
        let mut sum = 0.0;
        for c in 0..cin {
            for j in 0..k.min(width - t) {
                sum += w[[o, c, j]] * x[[b, c, t + j]];
            }
        }
        sum
    })
}

/// conv1d's backward by scattering each upstream entry.
fn loops_conv1d_backward(x: ArrayView3<f64>, w: ArrayView3<f64>, g: ArrayView3<f64>) -> (Array3<f64>, Array3<f64>) {
    let ((batch, cin, width), (cout, _, k)) = (x.dim(), w.dim());
    let (mut gx, mut gw) = (Array3::zeros(x.raw_dim()), Array3::zeros(w.raw_dim()));
    for b in 0..batch {
        for o in 0..cout {
            for t in 0..width {
                for c in 0..cin {
                    for j in 0..k.min(width - t) {
                        gx[[b, c, t + j]] += w[[o, c, j]] * g[[b, o, t]];
                        gw[[o, c, j]] += x[[b, c, t + j]] * g[[b, o, t]];
                    }
                }
            }
        }
    }
    (gx, gw)
}

/// conv2d term by term.
fn loops_conv2d(x: ArrayView4<f64>, w: ArrayView4<f64>) -> Array4<f64> {
    let ((batch, cin, h, width), (cout, _, kh, kw)) = (x.dim(), w.dim());
    Array4::from_shape_fn((batch, cout, h, width), |(b, o, i, j)| {
        let mut sum = 0.0;
        for c in 0..cin {
            for a in 0..kh.min(h - i) {
                for d in 0..kw.min(width - j) {
                    sum += w[[o, c, a, d]] * x[[b, c, i + a, j + d]];
                }
            }
        }
        sum
    })
}

/// conv2d's backward by scattering each upstream entry.
fn loops_conv2d_backward(x: ArrayView4<f64>, w: ArrayView4<f64>, g: ArrayView4<f64>) -> (Array4<f64>, Array4<f64>) {
    let ((_, cin, h, width), (_, _, kh, kw)) = (x.dim(), w.dim());
    let (mut gx, mut gw) = (Array4::zeros(x.raw_dim()), Array4::zeros(w.raw_dim()));
    for ((b, o, i, j), &up) in g.indexed_iter() {
        for c in 0..cin {
            for a in 0..kh.min(h - i) {
                for d in 0..kw.min(width - j) {
                    gx[[b, c, i + a, j + d]] += w[[o, c, a, d]] * up;
                    gw[[o, c, a, d]] += x[[b, c, i + a, j + d]] * up;
                }
            }
        }
    }
    (gx, gw)
}

fn forward_check1(x: ArrayViewD<f64>, w: ArrayViewD<f64>) -> Result<(), ShapeError> {
    conv1d_solution::conv1d(x, w).map(drop)
}

fn forward_check2(x: ArrayViewD<f64>, w: ArrayViewD<f64>) -> Result<(), ShapeError> {
    conv2d_solution::conv2d(x, w).map(drop)
}

fn plant(implementation: &mut Implementation) {
    implementation.conv1d.conv1d = |x, w| {
        let (x, w) = views::<Ix3>(x, w, forward_check1)?;
        Ok(loops_conv1d(x, w))
    };
    implementation.conv1d.conv1d_backward = |x, w, g| {
        conv1d_solution::conv1d_backward(x.view(), w.view(), g.view())?;
        let (x, w) = views::<Ix3>(x, w, forward_check1)?;
        Ok(loops_conv1d_backward(x, w, g.into_dimensionality().expect("checked")))
    };
    implementation.conv2d.conv2d = |x, w| {
        let (x, w) = views::<Ix4>(x, w, forward_check2)?;
        Ok(loops_conv2d(x, w))
    };
    implementation.conv2d.conv2d_backward = |x, w, g| {
        conv2d_solution::conv2d_backward(x.view(), w.view(), g.view())?;
        let (x, w) = views::<Ix4>(x, w, forward_check2)?;
        Ok(loops_conv2d_backward(x, w, g.into_dimensionality().expect("checked")))
    };
}

#[test]
fn plain_loops_get_full_marks() {
    capture_panics();
    let mut implementation = grading::solutions();
    plant(&mut implementation);
    for seed in [1, 2, 3] {
        for task in grader::tasks().iter().filter(|t| t.module.starts_with("conv")) {
            let report = grade_here(task, &implementation, seed);
            drop(std::panic::take_hook()); // Print this test's own failure.
            assert_eq!(report.status, Status::Passed, "{} (seed {seed}): {:#?}", task.name, report.checks);
            capture_panics();
        }
    }
}
