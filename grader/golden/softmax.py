"""Writes softmax.npz: reference answers for the softmax module, computed by JAX.

Every expected value here comes from JAX in float64, never from gradlings' code:
jnp.max(keepdims=True), jax.nn.one_hot of jnp.argmax, jax.nn.softmax,
jax.nn.log_softmax and jax.lax.reduce_window (max pooling), with jax.vjp of each
for the input gradients. Every case is checked against plain numpy formulas
before anything is written.

Reductions along the axis `dim` of an input x of rank 1 to 4 (the reduced axis
of max is kept with size 1); backwards are gradients of sum(g * f(x)):

    axisNN_x, axisNN_dim (a 0-d float), axisNN_grad_out (x's shape),
    axisNN_grad_max (max's shape: the upstream gradient of max),
    axisNN_max, axisNN_max_grad, axisNN_argmax (one-hot, x's shape),
    axisNN_softmax, axisNN_softmax_grad, axisNN_logsoftmax, axisNN_logsoftmax_grad

The values of an axis case never tie, so max, argmax and their gradients have
one answer. The stability cases hold rows such as (1000, 1000, -1000), whose
maximum ties, so they store softmax and logsoftmax only:

    stableNN_x, stableNN_dim, stableNN_grad_out, stableNN_softmax,
    stableNN_softmax_grad, stableNN_logsoftmax, stableNN_logsoftmax_grad

Max pooling of input B x C x H x W by non-overlapping (KH, KW) windows (no ties):

    poolNN_input, poolNN_kernel ([KH, KW] as floats), poolNN_grad_out and
    poolNN_maxpool (B x C x H/KH x W/KW), poolNN_maxpool_grad (the input's shape)

Run from this directory with the packages of requirements.txt installed:

    pip install -r requirements.txt
    python3 softmax.py            # rewrites softmax.npz
    python3 softmax.py --check    # fails unless the file holds what this script computes

The output is deterministic for the pinned numpy, jax and jaxlib versions.
"""

import functools

import numpy as np
import jax
import jax.numpy as jnp

import npzfiles

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

SCRIPT = "softmax.py"
FILENAME = "softmax.npz"
SEED = 20261127
TOLERANCE = npzfiles.TOLERANCE
AXIS_CASES = 48
POOL_CASES = 24

# (shape, dim) of the first axis cases, with random values; random ones follow.
EDGE_AXES = [
    ((1,), 0),           # one element: max is it, softmax is 1
    ((5,), 0),
    ((1, 1), 1),
    ((3, 4), 0),
    ((3, 4), 1),
    ((4, 1), 1),         # reduce an axis of size 1
    ((1, 4), 0),
    ((2, 3, 4), 0),
    ((2, 3, 4), 1),
    ((2, 3, 4), 2),
    ((2, 0, 3), 0),      # empty: no slices at all
    ((2, 3, 1, 2), 3),
    ((3, 2, 2, 3), 1),
]

# Rows of large scores: a softmax without the max subtraction overflows, a
# log of the softmax underflows. Untied ones serve as axis cases.
LARGE_UNTIED = [
    (np.array([[1000.0, 999.0, -1000.0], [-1000.0, -999.0, -998.0]]), 1),
    (np.array([800.0, -800.0, 0.0, 750.0]), 0),
]
LARGE_TIED = [
    (np.array([[1000.0, 1000.0, -1000.0], [-1000.0, -1000.0, 1000.0]]), 1),
    (np.array([[1000.0, -1000.0], [1000.0, 1000.0], [-1000.0, 1000.0]]), 0),
    (np.array([-1000.0, -1000.0, -1000.0]), 0),
]

# (B, C, H, W, (KH, KW)) of the first pooling cases; random ones follow.
EDGE_POOLS = [
    (1, 1, 4, 4, (2, 2)),
    (2, 3, 4, 6, (1, 1)),    # identity
    (2, 2, 4, 6, (4, 6)),    # kernel = image
    (1, 1, 3, 6, (3, 2)),
    (2, 1, 6, 2, (2, 2)),
    (1, 2, 1, 4, (1, 2)),    # height 1
    (1, 2, 4, 1, (2, 1)),    # width 1
    (3, 1, 2, 2, (2, 2)),
]


def distinct_along(x, axis):
    """Whether no two values of any slice along axis lie within 1e-3 of each other."""
    if x.size == 0:
        return True
    s = np.sort(x, axis=axis)
    return bool(np.all(np.diff(s, axis=axis) > 1e-3))


def random_untied(rng, shape, axes):
    """Uniform [-3, 3) values, drawn again until no slice along the given axes holds two within 1e-3."""
    while True:
        x = rng.uniform(-3.0, 3.0, size=shape)
        if all(distinct_along(x, a) for a in axes):
            return x


@functools.partial(jax.jit, static_argnums=1)
def jax_axis(x, dim, g, g_max):
    """JAX's answers for the reductions of x along dim."""
    m, max_pullback = jax.vjp(lambda v: jnp.max(v, axis=dim, keepdims=True), x)
    hot = jax.nn.one_hot(jnp.argmax(x, axis=dim), x.shape[dim], axis=dim, dtype=jnp.float64) if x.size else jnp.zeros_like(x)
    s, s_pullback = jax.vjp(lambda v: jax.nn.softmax(v, axis=dim), x)
    ls, ls_pullback = jax.vjp(lambda v: jax.nn.log_softmax(v, axis=dim), x)
    return {
        "max": m, "max_grad": max_pullback(g_max)[0], "argmax": hot,
        "softmax": s, "softmax_grad": s_pullback(g)[0],
        "logsoftmax": ls, "logsoftmax_grad": ls_pullback(g)[0],
    }


def numpy_axis(x, dim, g, g_max):
    """The same answers from plain numpy formulas."""
    m = np.max(x, axis=dim, keepdims=True) if x.size else np.zeros(tuple(1 if i == dim else n for i, n in enumerate(x.shape)))
    hot = (x == m).astype(np.float64)
    z = x - m
    e = np.exp(z)
    total = np.sum(e, axis=dim, keepdims=True)
    s = e / total
    ls = z - np.log(total)
    return {
        "max": m, "max_grad": hot * g_max, "argmax": hot,
        "softmax": s, "softmax_grad": s * (g - np.sum(g * s, axis=dim, keepdims=True)),
        "logsoftmax": ls, "logsoftmax_grad": g - s * np.sum(g, axis=dim, keepdims=True),
    }


def as_numpy(arrays):
    """float64, C-order numpy arrays (np.array keeps a 0-d array 0-d)."""
    out = {}
    for name, a in arrays.items():
        assert a.dtype == np.float64, f"JAX did not compute {name} in float64"
        out[name] = np.array(a, dtype=np.float64, order="C")
    return out


def axis_case(rng, x, dim, tied=False):
    """The arrays of one reduction case, JAX's answers checked against numpy."""
    g = rng.uniform(-1.0, 1.0, size=x.shape)
    reduced = tuple(1 if i == dim else n for i, n in enumerate(x.shape))
    g_max = rng.uniform(-1.0, 1.0, size=reduced)
    jax_answers = as_numpy(jax_axis(jnp.asarray(x), dim, jnp.asarray(g), jnp.asarray(g_max)))
    numpy_answers = numpy_axis(x, dim, g, g_max)
    fields = ["softmax", "softmax_grad", "logsoftmax", "logsoftmax_grad"]
    if not tied:
        fields = ["max", "max_grad", "argmax"] + fields
    arrays = {"x": x, "dim": np.array(float(dim)), "grad_out": g}
    if not tied:
        arrays["grad_max"] = g_max
    for name in fields:
        got, want = jax_answers[name], numpy_answers[name]
        assert got.shape == want.shape, f"{name}: JAX gives shape {got.shape}, numpy {want.shape}"
        assert np.all(np.isfinite(got)), f"{name} is not finite for x {x.shape} along {dim}"
        assert np.allclose(got, want, rtol=TOLERANCE, atol=TOLERANCE), f"JAX and numpy differ in {name} for x {x.shape} along {dim}"
        arrays[name] = got
    if not tied and x.size:
        assert np.all(np.sum(arrays["argmax"], axis=dim) == 1.0), "argmax is not one-hot"
    return {k: np.array(v, dtype=np.float64, order="C") for k, v in arrays.items()}


@functools.partial(jax.jit, static_argnums=1)
def jax_maxpool(x, kernel, g):
    """JAX's max pooling of x and its gradient for the upstream gradient g."""
    window = (1, 1) + tuple(kernel)
    pool = lambda v: jax.lax.reduce_window(v, -jnp.inf, jax.lax.max, window, window, "VALID")
    out, pullback = jax.vjp(pool, x)
    return {"maxpool": out, "maxpool_grad": pullback(g)[0]}


def numpy_maxpool(x, kernel, g):
    """Max pooling by reshapes, its gradient by comparing every input with its window's max."""
    b, c, h, w = x.shape
    kh, kw = kernel
    windows = x.reshape(b, c, h // kh, kh, w // kw, kw)
    out = windows.max(axis=(3, 5))
    spread = lambda a: np.repeat(np.repeat(a, kh, axis=2), kw, axis=3)
    return {"maxpool": out, "maxpool_grad": (x == spread(out)) * spread(g)}


def pool_case(rng, b, c, h, w, kernel):
    """The arrays of one pooling case, JAX's answers checked against numpy."""
    kh, kw = kernel
    while True:
        x = rng.uniform(-3.0, 3.0, size=(b, c, h, w))
        windows = x.reshape(b, c, h // kh, kh, w // kw, kw).transpose(0, 1, 2, 4, 3, 5).reshape(b, c, h // kh, w // kw, kh * kw)
        if distinct_along(windows, 4):
            break
    g = rng.uniform(-1.0, 1.0, size=(b, c, h // kh, w // kw))
    jax_answers = as_numpy(jax_maxpool(jnp.asarray(x), kernel, jnp.asarray(g)))
    for name, want in numpy_maxpool(x, kernel, g).items():
        assert np.allclose(jax_answers[name], want, rtol=TOLERANCE, atol=TOLERANCE), f"JAX and numpy differ in {name}"
    arrays = {"input": x, "kernel": np.array([float(kh), float(kw)]), "grad_out": g, **jax_answers}
    return {k: np.array(v, dtype=np.float64, order="C") for k, v in arrays.items()}


def random_axis(rng):
    """A random shape of rank 1 to 4 with axes of 1 to 5, and one of its axes."""
    rank = int(rng.integers(1, 5))
    shape = tuple(int(d) for d in rng.integers(1, 6, size=rank))
    return shape, int(rng.integers(0, rank))


def random_pool(rng):
    """A random pooling problem whose kernel divides the image."""
    kh, kw = (int(k) for k in rng.integers(1, 4, size=2))
    b, c, oh, ow = (int(n) for n in rng.integers(1, 4, size=4))
    return b, c, oh * kh, ow * kw, (kh, kw)


def check_conventions():
    """The stability rows and a worked example hold in JAX itself."""
    s = np.asarray(jax.nn.softmax(jnp.array([1000.0, 1000.0, -1000.0])))
    assert list(s) == [0.5, 0.5, 0.0], f"JAX's softmax of (1000, 1000, -1000) is {s}"
    ls = np.asarray(jax.nn.log_softmax(jnp.array([1000.0, 1000.0, -1000.0])))
    assert np.all(np.isfinite(ls)) and ls[0] == -np.log(2.0), f"JAX's log_softmax of (1000, 1000, -1000) is {ls}"
    s = np.asarray(jax.nn.softmax(jnp.array([1.0, 2.0, 3.0])))
    assert np.allclose(s, [0.09003057317038046, 0.24472847105479764, 0.6652409557748219], rtol=1e-15)


def golden_arrays():
    """All arrays of the file: axis cases, stability cases, then pooling cases."""
    rng = np.random.default_rng(SEED)
    arrays = {}
    axes = [(random_untied(rng, shape, [dim]), dim) for shape, dim in EDGE_AXES] + LARGE_UNTIED
    axes += [(500.0 * random_untied(rng, (3, 4), [1]), 1)]
    while len(axes) < AXIS_CASES:
        shape, dim = random_axis(rng)
        axes.append((random_untied(rng, shape, [dim]), dim))
    for i, (x, dim) in enumerate(axes):
        for name, a in axis_case(rng, x, dim).items():
            arrays[f"axis{i:02d}_{name}"] = a
    for i, (x, dim) in enumerate(LARGE_TIED):
        for name, a in axis_case(rng, x, dim, tied=True).items():
            arrays[f"stable{i:02d}_{name}"] = a
    pools = list(EDGE_POOLS)
    while len(pools) < POOL_CASES:
        pools.append(random_pool(rng))
    for i, (b, c, h, w, kernel) in enumerate(pools):
        for name, a in pool_case(rng, b, c, h, w, kernel).items():
            arrays[f"pool{i:02d}_{name}"] = a
    return arrays


def main():
    check_conventions()
    versions = f"numpy {np.__version__}, jax {jax.__version__}"
    npzfiles.main(SCRIPT, {FILENAME: golden_arrays()}, versions)


if __name__ == "__main__":
    main()
