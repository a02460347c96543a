//! The shape checks of the public functions (provided, not graded).

use ndarray::{ArrayView, ArrayView2, ArrayView3, Dimension, Ix2, Ix3};
use support::axes::with_axes;
use support::size::fits;
use support::{ShapeError, fmt_shape};

/// `Ok` when every named array has the shape of the first, and an array
/// can hold that many elements (a broadcast view can show more).
pub fn same_shapes<D: Dimension>(
    function: &'static str,
    arrays: &[(&str, &ArrayView<f64, D>)],
) -> Result<(), ShapeError> {
    let Some(((first, x), rest)) = arrays.split_first() else { return Ok(()) };
    match rest.iter().find(|(_, a)| a.shape() != x.shape()) {
        None => fits(function, first, x.shape()).map(drop),
        Some((name, a)) => Err(ShapeError::new(
            function,
            format!("{name} of shape {}, the shape of {first}", fmt_shape(x.shape())),
            format!("shape {}", fmt_shape(a.shape())),
        )),
    }
}

/// `x` as `B x N x D` and `r` as `B x N` with the same `B` and `N`, whose
/// output `B x D` an array can hold (with `N = 0`, `x` is empty whatever
/// `B` and `D`).
pub fn gated<'a, D: Dimension, E: Dimension>(
    function: &'static str,
    x: ArrayView<'a, f64, D>,
    r: ArrayView<'a, f64, E>,
) -> Result<(ArrayView3<'a, f64>, ArrayView2<'a, f64>), ShapeError> {
    let x = with_axes::<_, Ix3>(function, "x", "(batch, elements, features)", x)?;
    let r = with_axes::<_, Ix2>(function, "r", "(batch, elements)", r)?;
    let (b, n, _) = x.dim();
    if r.dim() != (b, n) {
        return Err(ShapeError::new(
            function,
            format!("r of shape ({b}, {n}), one score per row of x {}", fmt_shape(x.shape())),
            format!("shape {}", fmt_shape(r.shape())),
        ));
    }
    let (_, _, d) = x.dim();
    fits(function, "an output", &[b, d])?;
    Ok((x, r))
}

/// `q` (`B x Tq x D`), `k` (`B x Tk x D`) and `v` (`B x Tk x Dv`) with
/// matching sizes, `Tq = Tk` when `causal`, and an output `B x Tq x Dv` that
/// an array can hold (empty inputs can ask for a huge output).
pub fn attended<'a, D: Dimension>(
    function: &'static str,
    q: ArrayView<'a, f64, D>,
    k: ArrayView<'a, f64, D>,
    v: ArrayView<'a, f64, D>,
    causal: bool,
) -> Result<[ArrayView3<'a, f64>; 3], ShapeError> {
    let q = with_axes::<_, Ix3>(function, "q", "(batch, queries, features)", q)?;
    let k = with_axes::<_, Ix3>(function, "k", "(batch, keys, features)", k)?;
    let v = with_axes::<_, Ix3>(function, "v", "(batch, keys, value features)", v)?;
    let ((bq, tq, d), (bk, tk, dk), (bv, tv, _)) = (q.dim(), k.dim(), v.dim());
    let shapes = || format!("q {}, k {}, v {}", fmt_shape(q.shape()), fmt_shape(k.shape()), fmt_shape(v.shape()));
    if bq != bk || bq != bv {
        return Err(ShapeError::new(function, "q, k and v with the same batch", shapes()));
    }
    if d != dk {
        return Err(ShapeError::new(function, "q and k with the same number of features", shapes()));
    }
    if tk != tv {
        return Err(ShapeError::new(function, "k and v with the same number of keys", shapes()));
    }
    if causal && tq != tk {
        return Err(ShapeError::new(function, "as many queries as keys for a causal mask", shapes()));
    }
    fits(function, "an output", &[bq, tq, v.dim().2])?;
    Ok([q, k, v])
}

/// `grad_out` as a view of the output's shape `expected`.
pub fn grad_out<'a, D: Dimension, E: Dimension>(
    function: &'static str,
    expected: E,
    grad_out: ArrayView<'a, f64, D>,
) -> Result<ArrayView<'a, f64, E>, ShapeError> {
    let shape = grad_out.shape().to_vec();
    match grad_out.into_dimensionality::<E>() {
        Ok(g) if g.raw_dim() == expected => Ok(g),
        _ => Err(ShapeError::new(
            function,
            format!("grad_out shaped like the output {}", fmt_shape(expected.slice())),
            format!("shape {}", fmt_shape(&shape)),
        )),
    }
}
