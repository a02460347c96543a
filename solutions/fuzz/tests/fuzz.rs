//! Every public function of the seven solution crates and of `support`,
//! called on hostile shapes, layouts and values (see the crate's
//! documentation): none may panic or take more than a second, and a result
//! has the shape the function promises.
//!
//! `PROPTEST_CASES` sets the cases per property (256 by default).
//!
//! Not covered: the helpers `support` re-exports from the grader's `numeric`
//! crate outside their documented domain: `perturb` panics unless its scale
//! gives `random_range` a valid range (0, negative, NaN and infinite scales
//! do not), `first_mismatch` and `check_gradient` assert that the arrays
//! they compare have one shape, and `uniform` panics for a shape too big for
//! ndarray. They are test helpers that fail loudly on misuse, and live in
//! `grader/`. Nor are the functions that return an array without a `Result`
//! (the activations, `contiguous`) given a broadcast view of 2^40 elements:
//! they must allocate and fill an output that big.

use fuzz::{
    Corruption, Hostile, LIMIT, Template, cap_memory, config, corruption, dim, ensure, hostile, layout, probe, shapes,
    small_shape, survives, value, values, wild, wild_shape,
};
use ndarray::{ArrayD, ArrayViewD, Ix0, Ix1, Ix3, IxDyn};
use proptest::prelude::*;

/// The shapes of one problem and the arrays of those shapes.
struct Problem {
    arrays: Vec<Hostile>,
    backings: Vec<ArrayD<f64>>,
}

impl Problem {
    /// `templates` applied to `sizes` (see [`fuzz::shapes`]), each array in
    /// its own layout.
    fn new(
        mut sizes: Vec<usize>,
        templates: &[Template],
        pick: u64,
        corruption: Option<(usize, Corruption)>,
        layouts: &[fuzz::Layout],
        values: &[f64],
    ) -> Problem {
        cap_memory();
        let shapes = shapes(&mut sizes, templates, pick, corruption);
        let arrays: Vec<Hostile> =
            shapes.into_iter().zip(layouts.iter().cycle()).map(|(s, &l)| Hostile::new(s, l, values)).collect();
        let backings = arrays.iter().map(Hostile::backing).collect();
        Problem { arrays, backings }
    }

    fn view(&self, i: usize) -> ArrayViewD<'_, f64> {
        self.arrays[i].view(&self.backings[i])
    }

    fn shape(&self, i: usize) -> &[usize] {
        &self.arrays[i].shape
    }

    fn describe(&self) -> String {
        format!("{:?}", self.arrays)
    }
}

/// A corruption of one of the problem's shapes, a quarter of the time.
fn maybe_corrupt() -> impl Strategy<Value = Option<(usize, Corruption)>> {
    prop_oneof![3 => Just(None), 1 => (any::<usize>(), corruption()).prop_map(Some)]
}

fn layouts(n: usize) -> impl Strategy<Value = Vec<fuzz::Layout>> {
    proptest::collection::vec(layout(), n)
}

/// An upstream gradient shaped like `shape` in another layout, or a broken
/// one a quarter of the time.
fn like(shape: &[usize], layout: fuzz::Layout, values: &[f64], corruption: Option<Corruption>) -> Hostile {
    let mut shape = shape.to_vec();
    if let Some(c) = corruption {
        c.apply(&mut shape);
    }
    Hostile::new(shape, layout, values)
}

fn maybe_corruption() -> impl Strategy<Value = Option<Corruption>> {
    prop_oneof![3 => Just(None), 1 => corruption().prop_map(Some)]
}

/// A dim: mostly one of the first axes, sometimes past any.
fn axis() -> impl Strategy<Value = usize> {
    prop_oneof![4 => 0..5usize, 1 => wild()]
}

// ---------------------------------------------------------------- support

mod support_crate {
    use support::axes::{same_shape, with_axes};
    use support::gradcheck::{FORWARD, GRADIENT, check_gradient, close, first_mismatch, numerical_gradient};
    use support::random::{derive_seed, perturb, rng, uniform};
    use support::size::fits;
    use support::{ShapeError, TensorData, checked_size, fmt_shape};

    use super::*;

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn shapes_and_errors(shape in wild_shape(5), function in prop::sample::select(vec!["", "view", "conv1d_backward"])) {
            survives(|| format!("checked_size({shape:?})"), || checked_size(&shape))?;
            survives(|| format!("fits({shape:?})"), || fits("fits", "an output", &shape).map(|n| n.to_string()))?;
            let text = probe(|| format!("fmt_shape({shape:?})"), || fmt_shape(&shape))?;
            survives(|| format!("ShapeError of {shape:?}"), || ShapeError::new(function, text.clone(), text).to_string())?;
        }

        #[test]
        fn tensor_data(
            shape in prop_oneof![small_shape(4), wild_shape(4)],
            strides in wild_shape(4),
            offset in prop_oneof![Just(0usize), 0..4usize, wild()],
            len in 0..=LIMIT,
            values in values(),
        ) {
            let storage: Vec<f64> = values.iter().copied().cycle().take(len).collect();
            let call = || format!("TensorData::with_storage({len} slots, {shape:?}, {strides:?}, {offset})");
            let made = probe(call, || TensorData::with_storage(storage.clone().into(), shape.clone(), strides.clone(), offset))?;
            survives(|| format!("TensorData::new({len} slots, {shape:?}, {strides:?})"), || TensorData::new(storage.clone(), shape.clone(), strides.clone()))?;
            if let Ok(t) = made {
                let summary = probe(call, || (t.size(), t.ndim(), t.offset(), t.storage().len(), format!("{t:?}"), t.shares_storage(&t)))?;
                ensure(summary.0 == checked_size(&shape).unwrap_or(usize::MAX), || format!("{}: size {}", call(), summary.0))?;
            }
        }

        #[test]
        fn axes_checks(x in hostile(5), g in hostile(5)) {
            cap_memory();
            let (xb, gb) = (x.backing(), g.backing());
            let (xv, gv) = (x.view(&xb), g.view(&gb));
            let call = || format!("with_axes / same_shape({x:?}, {g:?})");
            survives(call, || with_axes::<_, Ix3>("f", "x", "(a, b, c)", xv.clone()).map(|v| v.len()))?;
            survives(call, || with_axes::<_, Ix0>("f", "x", "()", xv.clone()).map(|v| v.len()))?;
            survives(call, || with_axes::<_, Ix1>("f", "x", "(a,)", xv.clone()).map(|v| v.len()))?;
            survives(call, || with_axes::<_, IxDyn>("f", "x", "(...)", xv.clone()).map(|v| v.len()))?;
            survives(call, || same_shape("f", &xv, &gv))?;
            survives(call, || same_shape("f", &xv, &xv))?;
        }

        #[test]
        fn numeric_helpers(x in hostile(4), a in value(), b in value(), seed in any::<u64>(), label in proptest::collection::vec(any::<char>(), 0..8).prop_map(String::from_iter), scale in 1e-9..10.0f64) {
            cap_memory();
            let xb = x.backing();
            let owned = x.view(&xb).to_owned();
            let call = || format!("numeric helpers on {x:?}, {a}, {b}, scale {scale}");
            survives(call, || (close(a, b, FORWARD), close(a, b, GRADIENT), derive_seed(seed, &label)))?;
            survives(call, || first_mismatch(owned.view(), x.view(&xb), FORWARD))?;
            let g = owned.mapv(|v| v * 0.5);
            survives(call, || check_gradient(|x: &ArrayD<f64>| x.clone(), &owned, &g, g.view(), GRADIENT))?;
            survives(call, || numerical_gradient(|x: &ArrayD<f64>| x * 2.0, &owned, &g, 1e-6))?;
            let mut r = rng(seed);
            let mut u: ArrayD<f64> = probe(call, || uniform(IxDyn(&x.shape), &mut r))?;
            survives(call, || perturb(&mut u, scale, &mut r))?;
        }
    }
}

// ----------------------------------------------------------------- tensor

mod tensor {
    use support::TensorData;
    use tensor_solution::{
        broadcast_index, contiguous, contiguous_strides, get, index_to_position, is_contiguous, permute,
        shape_broadcast, to_index, view,
    };

    use super::*;

    /// How a test picks an argument that depends on the tensor: one that
    /// fits it, or one drawn blindly.
    #[derive(Clone, Copy, Debug)]
    enum Fit {
        Fitting,
        Last,
        Blind,
    }

    fn fit() -> impl Strategy<Value = Fit> {
        prop_oneof![Just(Fit::Fitting), Just(Fit::Last), Just(Fit::Blind)]
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn shape_arithmetic(a in wild_shape(5), b in wild_shape(5), index in wild_shape(5), ordinal in wild()) {
            let strides = probe(|| format!("contiguous_strides({a:?})"), || contiguous_strides(&a))?;
            ensure(strides.len() == a.len(), || format!("contiguous_strides({a:?}) = {strides:?}"))?;
            survives(|| format!("index_to_position({index:?}, {b:?})"), || index_to_position(&index, &b))?;
            let i = probe(|| format!("to_index({ordinal}, {a:?})"), || to_index(ordinal, &a))?;
            ensure(i.len() == a.len(), || format!("to_index({ordinal}, {a:?}) = {i:?}"))?;
            let both = probe(|| format!("shape_broadcast({a:?}, {b:?})"), || shape_broadcast(&a, &b))?;
            if let Ok(both) = both {
                ensure(both.len() == a.len().max(b.len()), || format!("shape_broadcast({a:?}, {b:?}) = {both:?}"))?;
            }
            let i = probe(|| format!("broadcast_index({index:?}, {a:?}, {b:?})"), || broadcast_index(&index, &a, &b))?;
            ensure(i.len() == b.len(), || format!("broadcast_index({index:?}, {a:?}, {b:?}) = {i:?}"))?;
        }

        #[test]
        fn layouts(
            shape in prop_oneof![small_shape(4), wild_shape(4)],
            stride_fit in fit(),
            blind_strides in wild_shape(4),
            offset in prop_oneof![3 => Just(0usize), 1 => 0..4usize, 1 => wild()],
            extra in 0..3usize,
            (order_fit, blind_order) in (fit(), proptest::collection::vec(prop_oneof![0..5usize, wild()], 0..=5)),
            (index_fit, blind_index) in (fit(), wild_shape(4)),
            (view_fit, blind_view) in (fit(), prop_oneof![small_shape(4), wild_shape(4)]),
        ) {
            cap_memory();
            let strides = match stride_fit {
                Fit::Fitting => contiguous_strides(&shape),
                Fit::Last => vec![0; shape.len()],
                Fit::Blind => blind_strides,
            };
            let len = support::checked_size(&shape).filter(|&n| n <= LIMIT).unwrap_or(0) + extra;
            let storage: Vec<f64> = (0..len).map(|v| v as f64).collect();
            let made = probe(|| format!("TensorData {shape:?} {strides:?} {offset}"), || TensorData::with_storage(storage.into(), shape.clone(), strides.clone(), offset))?;
            let Ok(t) = made else { return Ok(()) };
            let call = |what: &str| format!("{what} of {t:?}");
            survives(|| call("is_contiguous"), || is_contiguous(&t))?;
            let order = match order_fit {
                Fit::Fitting => (0..t.ndim()).rev().collect(),
                Fit::Last => (0..t.ndim()).collect(),
                Fit::Blind => blind_order,
            };
            let p = probe(|| call(&format!("permute {order:?}")), || permute(&t, &order))?;
            if let Ok(p) = p {
                ensure(p.shares_storage(&t) && p.size() == t.size(), || call("permute"))?;
            }
            let new_shape = match view_fit {
                Fit::Fitting => vec![t.size()],
                Fit::Last => t.shape().iter().rev().copied().collect(),
                Fit::Blind => blind_view,
            };
            survives(|| call(&format!("view {new_shape:?}")), || view(&t, &new_shape))?;
            // A tensor of 2^40 elements from one slot (zero strides) is a legitimate tensor, whose copy
            // takes 8 TiB: only small tensors are copied.
            if t.size() <= 16 * LIMIT {
                let c = probe(|| call("contiguous"), || contiguous(&t))?;
                ensure(c.shape() == t.shape() && is_contiguous(&c), || call("contiguous"))?;
            }
            let index = match index_fit {
                Fit::Fitting => vec![0; t.ndim()],
                Fit::Last => t.shape().iter().map(|d| d.saturating_sub(1)).collect(),
                Fit::Blind => blind_index,
            };
            survives(|| call(&format!("get {index:?}")), || get(&t, &index))?;
        }
    }
}

// ---------------------------------------------------------- convolutions

mod conv {
    use conv1d_solution::{conv1d, conv1d_backward};
    use conv2d_solution::{conv2d, conv2d_backward};

    use super::*;

    /// Sizes `B, Cin, Cout, W, K`: input, weight, output.
    const CONV1D: [Template; 3] = [&[&[0], &[1], &[3]], &[&[2], &[1], &[4]], &[&[0], &[2], &[3]]];
    /// Sizes `B, Cin, Cout, H, W, KH, KW`: input, weight, output.
    const CONV2D: [Template; 3] = [&[&[0], &[1], &[3], &[4]], &[&[2], &[1], &[5], &[6]], &[&[0], &[2], &[3], &[4]]];

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn conv1d_forward_and_backward(
            sizes in proptest::collection::vec(dim(), 5),
            pick in any::<u64>(),
            corruption in maybe_corrupt(),
            layouts in layouts(3),
            values in values(),
        ) {
            let p = Problem::new(sizes, &CONV1D, pick, corruption, &layouts, &values);
            let (x, w, g) = (p.view(0), p.view(1), p.view(2));
            let out = probe(|| format!("conv1d({})", p.describe()), || conv1d(x.clone(), w.clone()))?;
            if let Ok(out) = out {
                let expected = [p.shape(0)[0], p.shape(1)[0], p.shape(0)[2]];
                ensure(out.shape() == expected, || format!("conv1d({}): shape {:?}", p.describe(), out.shape()))?;
            }
            let grads = probe(|| format!("conv1d_backward({})", p.describe()), || conv1d_backward(x.clone(), w.clone(), g))?;
            if let Ok((gx, gw)) = grads {
                ensure(gx.shape() == x.shape() && gw.shape() == w.shape(), || format!("conv1d_backward({})", p.describe()))?;
            }
        }

        #[test]
        fn conv2d_forward_and_backward(
            sizes in proptest::collection::vec(dim(), 7),
            pick in any::<u64>(),
            corruption in maybe_corrupt(),
            layouts in layouts(3),
            values in values(),
        ) {
            let p = Problem::new(sizes, &CONV2D, pick, corruption, &layouts, &values);
            let (x, w, g) = (p.view(0), p.view(1), p.view(2));
            let out = probe(|| format!("conv2d({})", p.describe()), || conv2d(x.clone(), w.clone()))?;
            if let Ok(out) = out {
                let expected = [p.shape(0)[0], p.shape(1)[0], p.shape(0)[2], p.shape(0)[3]];
                ensure(out.shape() == expected, || format!("conv2d({}): shape {:?}", p.describe(), out.shape()))?;
            }
            let grads = probe(|| format!("conv2d_backward({})", p.describe()), || conv2d_backward(x.clone(), w.clone(), g))?;
            if let Ok((gx, gw)) = grads {
                ensure(gx.shape() == x.shape() && gw.shape() == w.shape(), || format!("conv2d_backward({})", p.describe()))?;
            }
        }
    }
}

// --------------------------------------------------------------- pooling

mod pooling {
    use pooling_solution::{avgpool2d, avgpool2d_backward, shapes as checks, tile};
    use softmax_solution::{maxpool2d, maxpool2d_backward};

    use super::*;

    /// Sizes `B, C, OH, OW, KH, KW`: the input `B x C x OH*KH x OW*KW` and
    /// the pooled output.
    const POOL: [Template; 2] = [&[&[0], &[1], &[2, 4], &[3, 5]], &[&[0], &[1], &[2], &[3]]];

    /// A kernel: the problem's own, or any pair of lengths up to 2^64 - 1.
    fn kernel() -> impl Strategy<Value = Option<(usize, usize)>> {
        prop_oneof![3 => Just(None), 1 => (wild(), wild()).prop_map(Some)]
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn pool_forward_and_backward(
            sizes in proptest::collection::vec(dim(), 6),
            pick in any::<u64>(),
            corruption in maybe_corrupt(),
            other_kernel in kernel(),
            layouts in layouts(2),
            values in values(),
        ) {
            let mut sizes = sizes;
            fuzz::tame(&mut sizes, &POOL, pick);
            let k = other_kernel.unwrap_or((sizes[4], sizes[5]));
            let p = Problem::new(sizes, &POOL, pick, corruption, &layouts, &values);
            let (x, g) = (p.view(0), p.view(1));
            let call = |f: &str| format!("{f}({}, kernel {k:?})", p.describe());
            if let Ok(t) = probe(|| call("tile"), || tile(x.clone(), k))? {
                ensure(t.len() == x.len(), || call("tile"))?;
            }
            for (name, out) in [
                ("avgpool2d", probe(|| call("avgpool2d"), || avgpool2d(x.clone(), k))?),
                ("maxpool2d", probe(|| call("maxpool2d"), || maxpool2d(x.clone(), k))?),
            ] {
                if let Ok(out) = out {
                    let s = x.shape();
                    let expected = [s[0], s[1], s[2] / k.0, s[3] / k.1];
                    ensure(out.shape() == expected, || format!("{}: shape {:?}", call(name), out.shape()))?;
                }
            }
            for (name, grad) in [
                ("avgpool2d_backward", probe(|| call("avgpool2d_backward"), || avgpool2d_backward(x.clone(), k, g.clone()))?),
                ("maxpool2d_backward", probe(|| call("maxpool2d_backward"), || maxpool2d_backward(x.clone(), k, g.clone()))?),
            ] {
                if let Ok(grad) = grad {
                    ensure(grad.shape() == x.shape(), || format!("{}: shape {:?}", call(name), grad.shape()))?;
                }
            }
            // The provided checks are public too.
            let checked = probe(|| call("shapes::pooled"), || checks::pooled("f", x.clone(), k))?;
            if let Ok(x4) = checked {
                survives(|| call("shapes::tiled"), || checks::tiled("f", x4, k))?;
                survives(|| call("shapes::grad_out"), || checks::grad_out("f", x4, k, g.clone()).map(|g| g.len()))?;
            }
            if let Ok(x4) = x.clone().into_dimensionality::<ndarray::Ix4>() {
                survives(|| call("shapes::pooled_dim"), || checks::pooled_dim(x4, k))?;
                survives(|| call("shapes::tiled"), || checks::tiled("f", x4, k))?;
                survives(|| call("shapes::grad_out"), || checks::grad_out("f", x4, k, g.clone()).map(|g| g.len()))?;
            }
        }
    }
}

// ----------------------------------------------------------- activations

mod activations {
    use activations_solution::{relu, relu_backward, sigmoid, sigmoid_backward, step};

    use super::*;

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn elementwise(x in hostile(5), g_layout in layout(), g_values in values(), broken in maybe_corruption()) {
            cap_memory();
            let g = like(&x.shape, g_layout, &g_values, broken);
            let (xb, gb) = (x.backing(), g.backing());
            let (xv, gv) = (x.view(&xb), g.view(&gb));
            let call = |f: &str| format!("{f}({x:?}, {g:?})");
            for (name, f) in [("relu", relu::<IxDyn> as fn(_) -> _), ("step", step), ("sigmoid", sigmoid)] {
                let out = probe(|| call(name), || f(xv.clone()))?;
                ensure(out.shape() == xv.shape(), || call(name))?;
            }
            for (name, f) in [("relu_backward", relu_backward::<IxDyn> as fn(_, _) -> _), ("sigmoid_backward", sigmoid_backward)] {
                if let Ok(out) = probe(|| call(name), || f(xv.clone(), gv.clone()))? {
                    ensure(out.shape() == xv.shape(), || call(name))?;
                }
            }
        }
    }
}

// --------------------------------------------------------------- softmax

mod softmax {
    use softmax_solution::{
        Mode, argmax, dropout, dropout_backward, logsoftmax, logsoftmax_backward, max, max_backward, softmax,
        softmax_backward,
    };
    use support::random::rng;

    use super::*;

    type Reduce = fn(ArrayViewD<f64>, usize) -> Result<ArrayD<f64>, support::ShapeError>;
    type Backward = fn(ArrayViewD<f64>, usize, ArrayViewD<f64>) -> Result<ArrayD<f64>, support::ShapeError>;

    fn rate() -> impl Strategy<Value = f64> {
        prop_oneof![
            3 => 0.0..=1.0f64,
            1 => Just(0.0),
            1 => Just(1.0),
            1 => Just(-0.0),
            1 => Just(f64::NAN),
            1 => Just(f64::INFINITY),
            1 => Just(-0.5),
            1 => Just(1.5),
        ]
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn reductions_along_an_axis(
            x in hostile(5),
            dim in axis(),
            g_layout in layout(),
            g_values in values(),
            broken in maybe_corruption(),
        ) {
            cap_memory();
            let mut reduced = x.shape.clone();
            if let Some(d) = reduced.get_mut(dim) {
                *d = 1;
            }
            // Along an empty axis the reduced shape may be huge and full: keep it small.
            fuzz::tame_shape(&mut reduced, 0);
            let g = like(&x.shape, g_layout, &g_values, broken);
            let g_max = like(&reduced, g_layout, &g_values, broken);
            let (xb, gb, gmb) = (x.backing(), g.backing(), g_max.backing());
            let (xv, gv, gmv) = (x.view(&xb), g.view(&gb), g_max.view(&gmb));
            let call = |f: &str| format!("{f}({x:?}, dim {dim}, {g:?})");
            let forwards: [(&str, Reduce, &[usize]); 4] = [
                ("max", max, &reduced),
                ("argmax", argmax, &x.shape),
                ("softmax", softmax, &x.shape),
                ("logsoftmax", logsoftmax, &x.shape),
            ];
            for (name, f, shape) in forwards {
                if let Ok(out) = probe(|| call(name), || f(xv.clone(), dim))? {
                    ensure(out.shape() == shape, || format!("{}: shape {:?}", call(name), out.shape()))?;
                    if name == "argmax" && !out.is_empty() {
                        let ones = out.lanes(ndarray::Axis(dim)).into_iter().all(|l| l.sum() == 1.0);
                        ensure(ones, || format!("{}: not one 1 per slice: {out}", call(name)))?;
                    }
                }
            }
            let backwards: [(&str, Backward, ArrayViewD<f64>); 3] = [
                ("max_backward", max_backward, gmv),
                ("softmax_backward", softmax_backward, gv.clone()),
                ("logsoftmax_backward", logsoftmax_backward, gv.clone()),
            ];
            for (name, f, g) in backwards {
                if let Ok(out) = probe(|| call(name), || f(xv.clone(), dim, g))? {
                    ensure(out.shape() == xv.shape(), || format!("{}: shape {:?}", call(name), out.shape()))?;
                }
            }
        }

        #[test]
        fn dropout_and_its_backward(
            x in hostile(5),
            rate in rate(),
            train in any::<bool>(),
            seed in any::<u64>(),
            g_layout in layout(),
            g_values in values(),
            broken in maybe_corruption(),
        ) {
            cap_memory();
            let mode = if train { Mode::Train } else { Mode::Eval };
            let g = like(&x.shape, g_layout, &g_values, broken);
            let (xb, gb) = (x.backing(), g.backing());
            let (xv, gv) = (x.view(&xb), g.view(&gb));
            let call = |f: &str| format!("{f}({x:?}, rate {rate}, {mode:?}, {g:?})");
            let mut r = rng(seed);
            let out = probe(|| call("dropout"), || dropout(xv.clone(), rate, &mut r, mode))?;
            ensure(out.is_ok() == (0.0..=1.0).contains(&rate), || call("dropout"))?;
            survives(|| call("dropout_backward"), || dropout_backward(xv.clone(), gv.clone()))?;
            if let Ok((_, mask)) = out {
                let back = probe(|| call("dropout_backward"), || dropout_backward(mask.view(), gv.clone()))?;
                ensure(back.is_ok() == (g.shape == x.shape), || call("dropout_backward"))?;
            }
        }
    }
}

// ------------------------------------------------------------- attention

mod attention {
    use attention_solution::{attention, attention_backward, gate, gate_backward, softmax_gate, softmax_gate_backward};

    use super::*;

    /// Sizes `B, N, D`: `x`, `r`, the output.
    const MIX: [Template; 3] = [&[&[0], &[1], &[2]], &[&[0], &[1]], &[&[0], &[2]]];
    /// Sizes `B, Tq, Tk, D, Dv`: `q`, `k`, `v`, the output, and the scores of
    /// one batch (never an argument, but allocated inside).
    const ATTEND: [Template; 5] =
        [&[&[0], &[1], &[3]], &[&[0], &[2], &[3]], &[&[0], &[2], &[4]], &[&[0], &[1], &[4]], &[&[1], &[2]]];

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn gates(
            x in hostile(5),
            layouts in layouts(4),
            values in values(),
            which in 0..4usize,
            broken in maybe_corruption(),
        ) {
            cap_memory();
            let arrays: Vec<Hostile> = (0..4)
                .map(|i| like(&x.shape, layouts[i], &values, if i == which { broken } else { None }))
                .collect();
            let backings: Vec<ArrayD<f64>> = arrays.iter().map(Hostile::backing).collect();
            let v: Vec<ArrayViewD<f64>> = arrays.iter().zip(&backings).map(|(a, b)| a.view(b)).collect();
            let call = |f: &str| format!("{f}({arrays:?})");
            if let Ok(out) = probe(|| call("gate"), || gate(v[0].clone(), v[1].clone(), v[2].clone()))? {
                ensure(out.shape() == x.shape.as_slice(), || call("gate"))?;
            }
            if let Ok((a, b, c)) = probe(|| call("gate_backward"), || gate_backward(v[0].clone(), v[1].clone(), v[2].clone(), v[3].clone()))? {
                ensure([a.shape(), b.shape(), c.shape()].iter().all(|s| *s == x.shape.as_slice()), || call("gate_backward"))?;
            }
        }

        #[test]
        fn softmax_gates(
            sizes in proptest::collection::vec(dim(), 3),
            pick in any::<u64>(),
            corruption in maybe_corrupt(),
            layouts in layouts(3),
            values in values(),
        ) {
            let p = Problem::new(sizes, &MIX, pick, corruption, &layouts, &values);
            let (x, r, g) = (p.view(0), p.view(1), p.view(2));
            if let Ok(out) = probe(|| format!("softmax_gate({})", p.describe()), || softmax_gate(x.clone(), r.clone()))? {
                ensure(out.shape() == [p.shape(0)[0], p.shape(0)[2]], || format!("softmax_gate({})", p.describe()))?;
            }
            if let Ok((gx, gr)) = probe(|| format!("softmax_gate_backward({})", p.describe()), || softmax_gate_backward(x.clone(), r.clone(), g))? {
                ensure(gx.shape() == x.shape() && gr.shape() == r.shape(), || format!("softmax_gate_backward({})", p.describe()))?;
            }
        }

        #[test]
        fn scaled_dot_product_attention(
            sizes in proptest::collection::vec(dim(), 5),
            causal in any::<bool>(),
            pick in any::<u64>(),
            corruption in maybe_corrupt(),
            layouts in layouts(4),
            values in values(),
        ) {
            let mut sizes = sizes;
            if causal {
                sizes[2] = sizes[1];
            }
            let p = Problem::new(sizes, &ATTEND, pick, corruption, &layouts, &values);
            let (q, k, v, g) = (p.view(0), p.view(1), p.view(2), p.view(3));
            let call = |f: &str| format!("{f}({}, causal {causal})", p.describe());
            if let Ok(out) = probe(|| call("attention"), || attention(q.clone(), k.clone(), v.clone(), causal))? {
                ensure(out.shape() == [p.shape(0)[0], p.shape(0)[1], p.shape(2)[2]], || call("attention"))?;
            }
            if let Ok((gq, gk, gv)) = probe(|| call("attention_backward"), || attention_backward(q.clone(), k.clone(), v.clone(), causal, g))? {
                ensure(gq.shape() == q.shape() && gk.shape() == k.shape() && gv.shape() == v.shape(), || call("attention_backward"))?;
            }
        }
    }
}
