"""Writes conv1d.npz and conv2d.npz: reference answers for the convolution exercises, computed by JAX.

Every expected value here (output, grad_input, grad_weight) comes from JAX:
jax.lax.conv_general_dilated in float64 with stride 1 and zero padding only past
the end of each spatial axis, and jax.vjp of that call for the gradients; never
from gradlings' code. The script asserts the course's worked example and checks
every case against a plain numpy loop before it writes anything.

The convention (cross-correlation, no kernel flip, kernel anchored top-left):

    conv1d: out[b, o, t]    = sum_{c, k}    w[o, c, k]    * x[b, c, t + k]
    conv2d: out[b, o, i, j] = sum_{c, a, d} w[o, c, a, d] * x[b, c, i + a, j + d]

where a term that reads past the right (or bottom) edge of x is zero, so the
output has the input's spatial shape, and the kernel may be larger than the input.

Case i (two digits) is stored as the float64, C-order arrays caseNN_input
(B, Cin, *spatial), caseNN_weight (Cout, Cin, *kernel), caseNN_grad_out and
caseNN_output (B, Cout, *spatial), caseNN_grad_input and caseNN_grad_weight.
The files are written by np.savez, uncompressed.

Run from this directory with the packages of requirements.txt installed:

    pip install -r requirements.txt
    python3 conv.py            # rewrites conv1d.npz and conv2d.npz
    python3 conv.py --check    # fails unless the files hold what this script computes

The output is deterministic for the pinned numpy, jax and jaxlib versions.
"""

import numpy as np
import jax

import npzfiles

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

SCRIPT = "conv.py"
TOLERANCE = npzfiles.TOLERANCE
ARRAYS = ["input", "weight", "grad_out", "output", "grad_input", "grad_weight"]
DIMENSION_NUMBERS = {1: ("NCH", "OIH", "NCH"), 2: ("NCHW", "OIHW", "NCHW")}

# Fixed cases come first: (B, Cin, Cout, spatial shape, kernel shape).
EDGE_1D = [
    (1, 1, 1, (5,), (3,)),   # size-1 batch, one input and one output channel
    (3, 1, 1, (6,), (2,)),   # one channel each, batch of three
    (2, 7, 6, (8,), (3,)),   # many channels
    (1, 8, 1, (5,), (2,)),   # many input channels, one output channel
    (1, 1, 8, (5,), (2,)),   # one input channel, many output channels
    (2, 3, 2, (6,), (1,)),   # K = 1
    (2, 2, 3, (5,), (5,)),   # K = W
    (2, 2, 2, (3,), (5,)),   # K > W
    (1, 3, 2, (4,), (6,)),   # K > W
    (2, 2, 3, (1,), (3,)),   # W = 1, K > W
    (1, 1, 1, (1,), (1,)),   # W = 1, K = 1
    (2, 4, 3, (10,), (6,)),  # the largest random sizes
]
EDGE_2D = [
    (1, 1, 1, (4, 4), (3, 3)),  # size-1 batch, one input and one output channel
    (3, 1, 1, (5, 5), (2, 2)),  # one channel each, batch of three
    (2, 6, 7, (5, 5), (3, 3)),  # many channels
    (2, 3, 2, (4, 5), (1, 1)),  # 1x1 kernel
    (1, 2, 2, (5, 5), (1, 3)),  # non-square kernel 1x3
    (1, 2, 2, (5, 5), (3, 1)),  # non-square kernel 3x1
    (2, 2, 3, (5, 6), (2, 4)),  # non-square kernel 2x4
    (1, 2, 2, (4, 4), (4, 4)),  # kernel = image
    (2, 2, 2, (2, 5), (4, 3)),  # KH > H
    (2, 2, 2, (5, 2), (3, 4)),  # KW > W
    (1, 2, 3, (2, 3), (5, 5)),  # KH > H and KW > W
    (2, 3, 2, (1, 1), (1, 1)),  # 1x1 image, 1x1 kernel
    (1, 2, 2, (1, 1), (3, 2)),  # 1x1 image, larger kernel
    (2, 2, 2, (3, 7), (2, 2)),  # non-square image, wide
    (2, 2, 2, (7, 3), (2, 2)),  # non-square image, tall
    (1, 2, 3, (1, 7), (1, 3)),  # one-row image
    (1, 2, 3, (6, 1), (3, 1)),  # one-column image
]
CASES_PER_FILE = 48


def random_shape_1d(rng):
    """A random (B, Cin, Cout, (W,), (K,)) in the ranges the exercises promise."""
    b, cin, cout = (int(v) for v in rng.integers(1, [4, 5, 5], endpoint=False))
    return b, cin, cout, (int(rng.integers(1, 11)),), (int(rng.integers(1, 7)),)


def random_shape_2d(rng):
    """A random (B, Cin, Cout, (H, W), (KH, KW)) in the ranges the exercises promise."""
    b, cin, cout = (int(v) for v in rng.integers(1, [4, 5, 5], endpoint=False))
    spatial = tuple(int(v) for v in rng.integers(1, 8, size=2))
    kernel = tuple(int(v) for v in rng.integers(1, 6, size=2))
    return b, cin, cout, spatial, kernel


def jax_conv(x, w):
    """Stride 1, zeros padded only past the end of each axis, output the size of x."""
    ndim = x.ndim - 2
    padding = [(0, k - 1) for k in w.shape[2:]]
    return jax.lax.conv_general_dilated(x, w, window_strides=(1,) * ndim, padding=padding,
                                        dimension_numbers=DIMENSION_NUMBERS[ndim])


@jax.jit
def jax_vjp(x, w, g):
    """JAX's output and, through jax.vjp with upstream gradient g, grad_input and grad_weight.

    Jitted as a whole so that each new shape costs one XLA compilation, not three.
    """
    out, pullback = jax.vjp(jax_conv, x, w)
    grad_x, grad_w = pullback(g)
    return out, grad_x, grad_w


def jax_forward_backward(x, w, g):
    """jax_vjp's three arrays as float64, C-order numpy arrays."""
    arrays = jax_vjp(x, w, g)
    assert all(a.dtype == np.float64 for a in arrays), "JAX did not compute in float64"
    return [np.ascontiguousarray(np.asarray(a)) for a in arrays]


def loop_forward_backward(x, w, g):
    """The same three arrays from a plain loop over output positions and kernel offsets."""
    spatial, kernel = x.shape[2:], w.shape[2:]
    out = np.zeros((x.shape[0], w.shape[0]) + spatial)
    grad_x, grad_w = np.zeros_like(x), np.zeros_like(w)
    for pos in np.ndindex(*spatial):
        at = (slice(None), slice(None)) + pos
        for off in np.ndindex(*kernel):
            src = tuple(p + o for p, o in zip(pos, off))
            if any(s >= n for s, n in zip(src, spatial)):
                continue  # reads past the edge: a zero term
            read = (slice(None), slice(None)) + src
            tap = (slice(None), slice(None)) + off
            out[at] += x[read] @ w[tap].T        # (B, Cin) @ (Cin, Cout)
            grad_x[read] += g[at] @ w[tap]       # (B, Cout) @ (Cout, Cin)
            grad_w[tap] += g[at].T @ x[read]     # (Cout, B) @ (B, Cin)
    return [out, grad_x, grad_w]


def check_worked_example():
    """The course's example fixes the padding convention: x = 0,1,2,3 and w = 1,2,3 give 8,14,8,3."""
    x = np.arange(4.0).reshape(1, 1, 4)
    w = np.array([1.0, 2.0, 3.0]).reshape(1, 1, 3)
    out = np.asarray(jax_conv(x, w)).ravel()
    assert out.tolist() == [8.0, 14.0, 8.0, 3.0], f"worked example gives {out.tolist()}"


def make_case(rng, shape):
    """Uniform [-1, 1) input, weight and grad_out for one shape, and JAX's answers for them."""
    b, cin, cout, spatial, kernel = shape
    x = rng.uniform(-1.0, 1.0, size=(b, cin) + spatial)
    w = rng.uniform(-1.0, 1.0, size=(cout, cin) + kernel)
    g = rng.uniform(-1.0, 1.0, size=(b, cout) + spatial)
    out, grad_x, grad_w = jax_forward_backward(x, w, g)
    for name, got, want in zip(ARRAYS[3:], [out, grad_x, grad_w], loop_forward_backward(x, w, g)):
        assert np.allclose(got, want, rtol=TOLERANCE, atol=TOLERANCE), f"JAX and the numpy loop differ in {name} for {shape}"
    return dict(zip(ARRAYS, [x, w, g, out, grad_x, grad_w]))


def golden_arrays(seed, edge_shapes, random_shape):
    """All arrays of one file, keyed caseNN_name, edge cases first and then random ones."""
    rng = np.random.default_rng(seed)
    arrays = {}
    for i in range(CASES_PER_FILE):
        shape = edge_shapes[i] if i < len(edge_shapes) else random_shape(rng)
        for name, a in make_case(rng, shape).items():
            arrays[f"case{i:02d}_{name}"] = a
    return arrays


def golden_files():
    """File name -> arrays, for both files."""
    return {
        "conv1d.npz": golden_arrays(20261201, EDGE_1D, random_shape_1d),
        "conv2d.npz": golden_arrays(20261202, EDGE_2D, random_shape_2d),
    }


def main():
    check_worked_example()
    npzfiles.main(SCRIPT, golden_files(), f"numpy {np.__version__}, jax {jax.__version__}")


if __name__ == "__main__":
    main()
