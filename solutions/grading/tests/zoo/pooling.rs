//! Realistic wrong implementations of the `pooling` module.

use ndarray::{Array4, Array5, ArrayViewD, Axis, Dimension, Ix4};
use pooling_solution as right;
use support::ShapeError;

use super::Mutant;

pub const MUTANTS: &[Mutant] = &[
    Mutant {
        task: "tile",
        what: "reads the first image to size its windows: panics on an empty batch",
        plant: |i| i.pooling.tile = empty_tile,
    },
    Mutant {
        task: "avgpool2d",
        what: "reads the first image to size its windows: panics on an empty batch",
        plant: |i| i.pooling.avgpool2d = empty_avgpool,
    },
    Mutant {
        task: "avgpool2d_backward",
        what: "reads the first image to size its windows: panics on an empty batch",
        plant: |i| i.pooling.avgpool2d_backward = empty_avgpool_backward,
    },
    Mutant {
        task: "tile",
        what: "the window's elements column-major",
        plant: |i| i.pooling.tile = column_major_windows,
    },
    Mutant { task: "tile", what: "windows taken across before down", plant: |i| i.pooling.tile = transposed_windows },
    Mutant {
        task: "tile",
        what: "folds the input's storage as it lies (no contiguous copy first)",
        plant: |i| i.pooling.tile = storage_order_windows,
    },
    Mutant { task: "tile", what: "never checks divisibility", plant: |i| i.pooling.tile = unchecked_tile },
    Mutant {
        task: "tile",
        what: "windows that step by 1, not by the kernel",
        plant: |i| i.pooling.tile = overlapping_windows,
    },
    Mutant {
        task: "avgpool2d",
        what: "divides by kh + kw instead of kh * kw",
        plant: |i| i.pooling.avgpool2d = wrong_count,
    },
    Mutant { task: "avgpool2d", what: "sums instead of averaging", plant: |i| i.pooling.avgpool2d = summed },
    Mutant {
        task: "avgpool2d",
        what: "averages only the window's first row",
        plant: |i| i.pooling.avgpool2d = first_row,
    },
    Mutant {
        task: "avgpool2d",
        what: "works only on contiguous input",
        plant: |i| i.pooling.avgpool2d = contiguous_avgpool,
    },
    Mutant {
        task: "avgpool2d",
        what: "never checks divisibility (drops the leftover rows)",
        plant: |i| i.pooling.avgpool2d = truncating_avgpool,
    },
    Mutant {
        task: "avgpool2d_backward",
        what: "forgets to divide by kh * kw",
        plant: |i| i.pooling.avgpool2d_backward = undivided,
    },
    Mutant {
        task: "avgpool2d_backward",
        what: "sends each window's gradient to its top-left input only",
        plant: |i| i.pooling.avgpool2d_backward = corner_only,
    },
    Mutant {
        task: "avgpool2d_backward",
        what: "works only on a contiguous grad_out",
        plant: |i| i.pooling.avgpool2d_backward = contiguous_backward,
    },
    Mutant {
        task: "avgpool2d_backward",
        what: "never checks grad_out's shape",
        plant: |i| i.pooling.avgpool2d_backward = unchecked_backward,
    },
];

/// The right windows, each rearranged by `reorder(window, kh, kw)`.
fn rearranged(
    x: ArrayViewD<f64>,
    (kh, kw): (usize, usize),
    reorder: impl Fn(usize, usize, usize) -> usize,
) -> Result<Array5<f64>, ShapeError> {
    let t = right::tile(x, (kh, kw))?;
    Ok(Array5::from_shape_fn(t.raw_dim(), |(b, c, i, j, k)| t[[b, c, i, j, reorder(k, kh, kw)]]))
}

fn column_major_windows(x: ArrayViewD<f64>, kernel: (usize, usize)) -> Result<Array5<f64>, ShapeError> {
    // Slot k holds row k % kh, column k / kh of the window.
    rearranged(x, kernel, |k, kh, kw| (k % kh) * kw + k / kh)
}

fn transposed_windows(x: ArrayViewD<f64>, (kh, kw): (usize, usize)) -> Result<Array5<f64>, ShapeError> {
    let t = right::tile(x, (kh, kw))?;
    let (b, c, oh, ow, k) = t.dim();
    // Windows numbered down the columns, then stored row by row.
    Ok(Array5::from_shape_fn((b, c, oh, ow, k), |(b, c, i, j, k)| {
        let n = i * ow + j;
        t[[b, c, n % oh, n / oh, k]]
    }))
}

fn storage_order_windows(x: ArrayViewD<f64>, kernel: (usize, usize)) -> Result<Array5<f64>, ShapeError> {
    // Reads the elements in the order they lie in memory, as a view of a
    // non-contiguous array would without a contiguous copy first.
    let in_memory: Vec<f64> = if x.is_standard_layout() {
        x.iter().copied().collect()
    } else {
        let mut slots: Vec<(isize, f64)> = x
            .indexed_iter()
            .map(|(index, &v)| (index.slice().iter().zip(x.strides()).map(|(&i, &s)| i as isize * s).sum(), v))
            .collect();
        slots.sort_by_key(|&(offset, _)| offset);
        slots.into_iter().map(|(_, v)| v).collect()
    };
    let relaid = ndarray::ArrayD::from_shape_vec(x.raw_dim(), in_memory).expect("the same number of elements");
    right::tile(relaid.view(), kernel)
}

fn overlapping_windows(x: ArrayViewD<f64>, (kh, kw): (usize, usize)) -> Result<Array5<f64>, ShapeError> {
    let t = right::tile(x.view(), (kh, kw))?;
    let x = x.into_dimensionality::<Ix4>().expect("checked by tile");
    // x[b, c, i + a, j + d] where x[b, c, i * kh + a, j * kw + d] was meant.
    Ok(Array5::from_shape_fn(t.raw_dim(), |(b, c, i, j, k)| x[[b, c, i + k / kw, j + k % kw]]))
}

fn unchecked_tile(x: ArrayViewD<f64>, (kh, kw): (usize, usize)) -> Result<Array5<f64>, ShapeError> {
    let x4 = x.view().into_dimensionality::<Ix4>().map_err(|_| ShapeError::new("tile", "4 axes", "other"))?;
    let (_, _, h, w) = x4.dim();
    if kh == 0 || kw == 0 || h % kh == 0 && w % kw == 0 {
        return right::tile(x, (kh, kw));
    }
    // Drops the rows and columns the kernel does not cover.
    let cropped = x4.slice(ndarray::s![.., .., ..h / kh * kh, ..w / kw * kw]).to_owned().into_dyn();
    right::tile(cropped.view(), (kh, kw))
}

fn rescaled(x: ArrayViewD<f64>, (kh, kw): (usize, usize), by: f64) -> Result<Array4<f64>, ShapeError> {
    Ok(right::avgpool2d(x, (kh, kw))? * by)
}

fn wrong_count(x: ArrayViewD<f64>, (kh, kw): (usize, usize)) -> Result<Array4<f64>, ShapeError> {
    rescaled(x, (kh, kw), (kh * kw) as f64 / (kh + kw) as f64)
}

fn summed(x: ArrayViewD<f64>, (kh, kw): (usize, usize)) -> Result<Array4<f64>, ShapeError> {
    rescaled(x, (kh, kw), (kh * kw) as f64)
}

fn first_row(x: ArrayViewD<f64>, (kh, kw): (usize, usize)) -> Result<Array4<f64>, ShapeError> {
    let t = right::tile(x, (kh, kw)).map_err(|e| ShapeError { function: "avgpool2d", ..e })?;
    Ok(t.slice(ndarray::s![.., .., .., .., ..kw]).mean_axis(Axis(4)).expect("a non-empty row"))
}

fn contiguous_avgpool(x: ArrayViewD<f64>, kernel: (usize, usize)) -> Result<Array4<f64>, ShapeError> {
    let slice = x.to_slice().expect("a contiguous input");
    right::avgpool2d(ArrayViewD::from_shape(x.raw_dim(), slice).expect("the shape of x"), kernel)
}

fn truncating_avgpool(x: ArrayViewD<f64>, (kh, kw): (usize, usize)) -> Result<Array4<f64>, ShapeError> {
    match unchecked_tile(x, (kh, kw)) {
        Ok(t) => Ok(t.mean_axis(Axis(4)).expect("a non-empty kernel")),
        Err(e) => Err(ShapeError { function: "avgpool2d", ..e }),
    }
}

fn undivided(x: ArrayViewD<f64>, (kh, kw): (usize, usize), g: ArrayViewD<f64>) -> Result<Array4<f64>, ShapeError> {
    Ok(right::avgpool2d_backward(x, (kh, kw), g)? * (kh * kw) as f64)
}

fn corner_only(x: ArrayViewD<f64>, (kh, kw): (usize, usize), g: ArrayViewD<f64>) -> Result<Array4<f64>, ShapeError> {
    let spread = right::avgpool2d_backward(x, (kh, kw), g)?;
    Ok(Array4::from_shape_fn(spread.raw_dim(), |(b, c, i, j)| {
        if i % kh == 0 && j % kw == 0 { spread[[b, c, i, j]] * (kh * kw) as f64 } else { 0.0 }
    }))
}

fn contiguous_backward(
    x: ArrayViewD<f64>,
    kernel: (usize, usize),
    g: ArrayViewD<f64>,
) -> Result<Array4<f64>, ShapeError> {
    let slice = g.to_slice().expect("a contiguous grad_out");
    right::avgpool2d_backward(x, kernel, ArrayViewD::from_shape(g.raw_dim(), slice).expect("the shape of g"))
}

fn unchecked_backward(
    x: ArrayViewD<f64>,
    kernel: (usize, usize),
    g: ArrayViewD<f64>,
) -> Result<Array4<f64>, ShapeError> {
    match right::avgpool2d_backward(x.view(), kernel, g) {
        Err(e) if e.expected.starts_with("grad_out") => {
            let x = x.into_dimensionality::<Ix4>().expect("4 axes");
            Ok(Array4::zeros(x.raw_dim()))
        }
        other => other,
    }
}

fn empty_tile(x: ArrayViewD<f64>, kernel: (usize, usize)) -> Result<Array5<f64>, ShapeError> {
    super::first_element(&x);
    right::tile(x, kernel)
}
fn empty_avgpool(x: ArrayViewD<f64>, kernel: (usize, usize)) -> Result<Array4<f64>, ShapeError> {
    super::first_element(&x);
    right::avgpool2d(x, kernel)
}
fn empty_avgpool_backward(
    x: ArrayViewD<f64>,
    kernel: (usize, usize),
    g: ArrayViewD<f64>,
) -> Result<Array4<f64>, ShapeError> {
    super::first_element(&x);
    right::avgpool2d_backward(x, kernel, g)
}
