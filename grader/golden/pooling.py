"""Writes pooling.npz: reference answers for the pooling exercises, computed by JAX.

Every expected value here comes from JAX in float64, never from gradlings' code:
jax.lax.conv_general_dilated_patches for the tiles, jax.lax.reduce_window for the
average pooling and jax.vjp of it for the input gradient. The script asserts the
course's worked example and checks every case against plain numpy reshapes
before it writes anything.

The input x is B x C x H x W and the kernel (KH, KW) divides H and W; the windows
do not overlap (the stride is the kernel) and there is no padding:

    tile(x)[b, c, i, j, a * KW + d]   = x[b, c, i * KH + a, j * KW + d]
    avgpool(x)[b, c, i, j]            = mean over a < KH, d < KW of x[b, c, i * KH + a, j * KW + d]
    avgpool_backward(x, g)[b, c, h, w] = g[b, c, h // KH, w // KW] / (KH * KW)

so each window lies row-major along the last axis of tile: on the 4 x 4 grid
1, ..., 16 with a 2 x 2 kernel the first window is 1, 2, 5, 6. The backward is
the gradient of sum(g * avgpool(x)) with respect to x, for an upstream gradient g.

Case i (two digits) is stored as the float64, C-order arrays caseNN_input
(B, C, H, W), caseNN_kernel ([KH, KW], as floats), caseNN_grad_out and
caseNN_avgpool (B, C, H / KH, W / KW), caseNN_tile (B, C, H / KH, W / KW, KH * KW)
and caseNN_avgpool_grad (B, C, H, W). The file is written by np.savez, uncompressed.

Run from this directory with the packages of requirements.txt installed:

    pip install -r requirements.txt
    python3 pooling.py            # rewrites pooling.npz
    python3 pooling.py --check    # fails unless the file holds what this script computes

The output is deterministic for the pinned numpy, jax and jaxlib versions.
"""

import functools

import numpy as np
import jax

import npzfiles

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

SCRIPT = "pooling.py"
FILENAME = "pooling.npz"
SEED = 20261204
TOLERANCE = npzfiles.TOLERANCE
ARRAYS = ["input", "kernel", "grad_out", "tile", "avgpool", "avgpool_grad"]
CASES = 48

# The course's worked example: the 4 x 4 grid 1, ..., 16 (one batch, one channel), 2 x 2 kernel.
GRID = np.arange(1.0, 17.0).reshape(1, 1, 4, 4)

# Shapes of the first cases after the worked example, (B, C, H, W, (KH, KW)),
# filled with random values; random shapes follow.
EDGE_SHAPES = [
    (2, 3, 4, 6, (1, 1)),    # 1x1 kernel: identity pooling
    (2, 2, 4, 6, (4, 6)),    # kernel = image
    (1, 1, 3, 3, (3, 3)),    # kernel = image, square, batch 1 and one channel
    (1, 2, 4, 6, (1, 2)),    # non-square kernel 1x2
    (1, 2, 4, 6, (2, 1)),    # non-square kernel 2x1
    (2, 2, 6, 4, (3, 2)),    # non-square kernel 3x2
    (2, 3, 4, 8, (2, 4)),    # non-square kernel 2x4
    (2, 1, 2, 8, (2, 2)),    # non-square image, wide
    (2, 1, 8, 2, (2, 2)),    # non-square image, tall
    (1, 1, 6, 9, (3, 3)),    # batch 1, one channel, non-square image
    (1, 4, 4, 4, (2, 2)),    # batch 1, four channels
    (3, 4, 6, 4, (2, 2)),    # batch of three, four channels
    (3, 1, 4, 4, (2, 2)),    # batch of three, one channel
    (2, 2, 1, 6, (1, 2)),    # H = 1
    (1, 3, 1, 8, (1, 4)),    # H = 1, kernel 1x4
    (2, 2, 6, 1, (3, 1)),    # W = 1
    (1, 3, 8, 1, (4, 1)),    # W = 1, kernel 4x1
    (2, 2, 1, 1, (1, 1)),    # 1x1 image, 1x1 kernel
    (1, 2, 1, 5, (1, 5)),    # H = 1, kernel = image
    (3, 3, 16, 16, (4, 4)),  # the largest random sizes
]


def random_shape(rng):
    """A random (B, C, H, W, (KH, KW)): B, C in 1..3, H / KH and W / KW in 1..4, KH, KW in 1..4."""
    b, c, rows, cols, kh, kw = (int(v) for v in rng.integers(1, [4, 4, 5, 5, 5, 5], endpoint=False))
    return b, c, rows * kh, cols * kw, (kh, kw)


def numpy_tile(x, kernel):
    """The tiles by a reshape and a transpose: B x C x H/KH x W/KW x (KH * KW)."""
    (b, c, h, w), (kh, kw) = x.shape, kernel
    return x.reshape(b, c, h // kh, kh, w // kw, kw).transpose(0, 1, 2, 4, 3, 5).reshape(b, c, h // kh, w // kw, kh * kw)


def jax_tile(x, kernel):
    """The tiles by JAX's patch extraction, whose channel axis is (C, KH, KW) flattened."""
    (b, c, h, w), (kh, kw) = x.shape, kernel
    patches = jax.lax.conv_general_dilated_patches(x, kernel, kernel, "VALID",
                                                   dimension_numbers=("NCHW", "OIHW", "NCHW"),
                                                   precision=jax.lax.Precision.HIGHEST)
    return patches.reshape(b, c, kh * kw, h // kh, w // kw).transpose(0, 1, 3, 4, 2)


def jax_avgpool(x, kernel):
    """The mean of each KH x KW window, windows not overlapping, no padding."""
    kh, kw = kernel
    window = (1, 1, kh, kw)
    return jax.lax.reduce_window(x, 0.0, jax.lax.add, window, window, "VALID") / (kh * kw)


@functools.partial(jax.jit, static_argnums=1)
def jax_pooling(x, kernel, g):
    """JAX's tiles, average pooling and, through jax.vjp with upstream gradient g, its input gradient.

    Jitted as a whole so that each new shape and kernel cost one XLA compilation.
    """
    pooled, pullback = jax.vjp(lambda v: jax_avgpool(v, kernel), x)
    return jax_tile(x, kernel), pooled, pullback(g)[0]


def jax_answers(x, kernel, g):
    """jax_pooling's arrays as float64, C-order numpy arrays."""
    arrays = jax_pooling(x, kernel, g)
    assert all(a.dtype == np.float64 for a in arrays), "JAX did not compute in float64"
    return [np.array(a, dtype=np.float64, order="C") for a in arrays]


def numpy_answers(x, kernel, g):
    """The same three arrays from numpy: reshaped windows, their mean, g spread evenly over each window."""
    (b, c, h, w), (kh, kw) = x.shape, kernel
    pooled = x.reshape(b, c, h // kh, kh, w // kw, kw).mean(axis=(3, 5))
    grad = np.repeat(np.repeat(g, kh, axis=2), kw, axis=3) / (kh * kw)
    return [numpy_tile(x, kernel), pooled, grad]


def check_worked_example():
    """The course's example fixes the layout: the first window of the 4 x 4 grid is 1, 2, 5, 6."""
    tiles = np.asarray(jax_tile(GRID, (2, 2)))
    assert tiles[0, 0, 0, 0].tolist() == [1.0, 2.0, 5.0, 6.0], f"JAX's first window is {tiles[0, 0, 0, 0].tolist()}"
    assert tiles[0, 0].tolist() == [[[1.0, 2.0, 5.0, 6.0], [3.0, 4.0, 7.0, 8.0]],
                                    [[9.0, 10.0, 13.0, 14.0], [11.0, 12.0, 15.0, 16.0]]], "JAX's windows are out of order"
    assert numpy_tile(GRID, (2, 2)).tolist() == tiles.tolist(), "numpy's and JAX's tiles of the grid differ"
    pooled = np.asarray(jax_avgpool(GRID, (2, 2)))
    assert pooled[0, 0].tolist() == [[3.5, 5.5], [11.5, 13.5]], f"the grid pools to {pooled[0, 0].tolist()}"


def make_case(x, kernel, g):
    """JAX's answers for x, kernel and g, checked against numpy, as a dict of the case's arrays."""
    (b, c, h, w), (kh, kw) = x.shape, kernel
    assert h % kh == 0 and w % kw == 0, f"kernel {kernel} does not divide {x.shape}"
    answers = jax_answers(x, kernel, g)
    arrays = dict(zip(ARRAYS, [x, np.array(kernel, dtype=np.float64), g] + answers))
    shapes = [(b, c, h, w), (2,), (b, c, h // kh, w // kw), (b, c, h // kh, w // kw, kh * kw),
              (b, c, h // kh, w // kw), (b, c, h, w)]
    for (name, a), shape in zip(arrays.items(), shapes):
        assert a.shape == shape, f"{name} has shape {a.shape}, not {shape}"
        assert a.dtype == np.float64 and a.flags.c_contiguous, f"{name} is not float64 in C order"
    assert np.array_equal(answers[0], numpy_tile(x, kernel)), f"JAX's and numpy's tiles differ for {x.shape}, {kernel}"
    for name, got, want in zip(ARRAYS[3:], answers, numpy_answers(x, kernel, g)):
        assert np.allclose(got, want, rtol=TOLERANCE, atol=TOLERANCE), f"JAX and numpy differ in {name} for {x.shape}, {kernel}"
    return arrays


def golden_arrays():
    """All arrays of the file, keyed caseNN_name: the worked example, edge shapes, then random shapes."""
    rng = np.random.default_rng(SEED)
    inputs = [(GRID, (2, 2))]
    inputs += [(rng.uniform(-1.0, 1.0, size=(b, c, h, w)), k) for b, c, h, w, k in EDGE_SHAPES]
    while len(inputs) < CASES:
        b, c, h, w, k = random_shape(rng)
        inputs.append((rng.uniform(-1.0, 1.0, size=(b, c, h, w)), k))
    arrays = {}
    for i, (x, (kh, kw)) in enumerate(inputs):
        g = rng.uniform(-1.0, 1.0, size=(x.shape[0], x.shape[1], x.shape[2] // kh, x.shape[3] // kw))
        for name, a in make_case(x, (kh, kw), g).items():
            arrays[f"case{i:02d}_{name}"] = a
    return arrays


def main():
    check_worked_example()
    npzfiles.main(SCRIPT, {FILENAME: golden_arrays()}, f"numpy {np.__version__}, jax {jax.__version__}")


if __name__ == "__main__":
    main()
