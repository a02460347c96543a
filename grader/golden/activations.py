"""Writes activations.npz: reference answers for the activations exercises, computed by JAX.

Every expected value here comes from JAX in float64, never from gradlings' code:
jax.nn.relu and jax.nn.sigmoid for the forward values, jax.vjp of each for the
input gradients, and jnp.heaviside(x, 0.0) for the step. The script asserts the
course's conventions at 0 and the saturation of the sigmoid, and checks every
case against plain numpy formulas before it writes anything.

The functions are elementwise, on arrays of any shape:

    relu(x)             = max(x, 0)
    relu_backward(x, g) = g * (x > 0)            so the gradient at x = 0 is 0
    step(x)             = 1 if x > 0 else 0      so step(0) = 0
    sigmoid(x)          = 1 / (1 + exp(-x))      saturating to exactly 0 and 1
    sigmoid_backward(x, g) = g * s * (1 - s)     with s = sigmoid(x)

Case i (two digits) is stored as the float64, C-order arrays caseNN_x and
caseNN_grad_out (the upstream gradient), both of the case's shape, and
caseNN_relu, caseNN_relu_grad, caseNN_step, caseNN_sigmoid and
caseNN_sigmoid_grad of the same shape, where the _grad arrays are the
gradients with respect to x. Shapes run from rank 0 to rank 4, including
empty arrays. The file is written by np.savez, uncompressed.

Run from this directory with the packages of requirements.txt installed:

    pip install -r requirements.txt
    python3 activations.py            # rewrites activations.npz
    python3 activations.py --check    # fails unless the file holds what this script computes

The output is deterministic for the pinned numpy, jax and jaxlib versions.
"""

import numpy as np
import jax
import jax.numpy as jnp

import npzfiles

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

SCRIPT = "activations.py"
FILENAME = "activations.npz"
SEED = 20261203
TOLERANCE = npzfiles.TOLERANCE
ARRAYS = ["x", "grad_out", "relu", "relu_grad", "step", "sigmoid", "sigmoid_grad"]
CASES = 48

# ReLU and step have a kink (a jump) at 0: an input within a rounding error or a
# finite-difference step of 0 may land on either side of it, so the random
# inputs keep |x| >= KINK_MARGIN. The value exactly at 0 has its own cases.
KINK_MARGIN = 1e-3

# Shapes of the first cases, filled with random values; random shapes follow.
EDGE_SHAPES = [
    (),              # rank 0: a scalar array
    (1,),
    (7,),
    (1, 1),
    (3, 4),
    (1, 5),
    (5, 1),
    (2, 3, 4),
    (2, 1, 3),
    (1, 1, 1),
    (3, 1, 1, 2),
    (1, 1, 1, 1),
    (2, 3, 4, 5),
    (0,),            # empty
    (2, 0, 3),       # empty, with non-empty axes around the empty one
]

# Large magnitudes, where exp(-x) overflows or underflows: the sigmoid must
# saturate to exactly 0 and 1 with a zero gradient and no NaN.
LARGE = np.array([20.0, 40.0, 100.0, 700.0, 1000.0, 1e300])

# Exact zeros (both signs) mixed with ordinary values, for the conventions at 0.
ZEROS = np.array([[0.0, -0.0, 0.0], [0.5, 0.0, -0.5], [-0.0, 2.0, -2.0]])


def fixed_inputs():
    """The cases with chosen values: large magnitudes and exact zeros."""
    return [
        np.concatenate([LARGE, -LARGE]),     # (12,)
        np.stack([LARGE, -LARGE]),           # (2, 6), rows of opposite signs
        np.array(1000.0),                    # scalar, saturated high
        np.array(-1000.0),                   # scalar, saturated low
        ZEROS,                               # (3, 3)
        np.array(0.0),                       # scalar zero
        np.array(-0.0),                      # scalar negative zero
    ]


def random_shape(rng):
    """A random shape of rank 0 to 4 with axes of 1 to 4."""
    rank = int(rng.integers(0, 5))
    return tuple(int(d) for d in rng.integers(1, 5, size=rank))


def random_input(rng, shape):
    """Uniform [-3, 3), each value within KINK_MARGIN of 0 pushed KINK_MARGIN away from it."""
    x = rng.uniform(-3.0, 3.0, size=shape)
    x = np.where(np.abs(x) < KINK_MARGIN, x + np.copysign(KINK_MARGIN, x), x)
    assert np.all(np.abs(x) >= KINK_MARGIN), "a random input is too close to the kink"
    return x


@jax.jit
def jax_activations(x, g):
    """JAX's five answers for input x and upstream gradient g.

    Jitted as a whole so that each new shape costs one XLA compilation.
    """
    relu, relu_pullback = jax.vjp(jax.nn.relu, x)
    sigmoid, sigmoid_pullback = jax.vjp(jax.nn.sigmoid, x)
    step = jnp.heaviside(x, 0.0)
    return relu, relu_pullback(g)[0], step, sigmoid, sigmoid_pullback(g)[0]


def jax_answers(x, g):
    """jax_activations' arrays as float64, C-order numpy arrays.

    np.array(order="C") rather than np.ascontiguousarray, which turns a 0-d array into shape (1,).
    """
    arrays = jax_activations(x, g)
    assert all(a.dtype == np.float64 for a in arrays), "JAX did not compute in float64"
    return [np.array(a, dtype=np.float64, order="C") for a in arrays]


def numpy_answers(x, g):
    """The same five arrays from plain numpy formulas, the sigmoid in its stable form."""
    positive = x > 0
    e = np.exp(-np.abs(x))                   # in (0, 1]: never overflows
    s = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return [np.maximum(x, 0.0), g * positive, positive.astype(np.float64), s, g * s * (1.0 - s)]


def check_conventions():
    """The course's conventions at 0 and at saturation hold in JAX itself."""
    for zero in (0.0, -0.0):
        assert float(jax.grad(jax.nn.relu)(zero)) == 0.0, f"JAX's relu derivative at {zero} is not 0"
        assert float(jnp.heaviside(zero, 0.0)) == 0.0, f"step({zero}) is not 0"
        assert float(jax.nn.sigmoid(zero)) == 0.5, f"sigmoid({zero}) is not 1/2"
    for x, want in [(1000.0, 1.0), (-1000.0, 0.0), (1e300, 1.0), (-1e300, 0.0)]:
        got = float(jax.nn.sigmoid(x))
        assert got == want, f"sigmoid({x}) is {got!r}, not exactly {want}"
        assert float(jax.grad(jax.nn.sigmoid)(x)) == 0.0, f"the sigmoid's derivative at {x} is not 0"


def make_case(x, g):
    """JAX's answers for x and g, checked against numpy, as a dict of the case's arrays."""
    answers = jax_answers(x, g)
    arrays = dict(zip(ARRAYS, [x, g] + answers))
    for name, a in arrays.items():
        assert a.shape == x.shape, f"{name} has shape {a.shape}, not {x.shape}"
        assert not np.any(np.isnan(a)), f"{name} has a NaN for shape {x.shape}"
    for name, got, want in zip(ARRAYS[2:], answers, numpy_answers(x, g)):
        assert np.allclose(got, want, rtol=TOLERANCE, atol=TOLERANCE), f"JAX and numpy differ in {name} for shape {x.shape}"
    at_zero = x == 0
    assert np.all(arrays["relu_grad"][at_zero] == 0.0), "JAX's relu gradient at 0 is not 0"
    assert np.all(arrays["step"][at_zero] == 0.0), "step(0) is not 0"
    for big, want in [(1000.0, 1.0), (-1000.0, 0.0), (1e300, 1.0), (-1e300, 0.0)]:
        assert np.all(arrays["sigmoid"][x == big] == want), f"sigmoid({big}) is not exactly {want}"
    return arrays


def golden_arrays():
    """All arrays of the file, keyed caseNN_name: edge shapes, chosen values, then random shapes."""
    rng = np.random.default_rng(SEED)
    inputs = [random_input(rng, s) for s in EDGE_SHAPES] + fixed_inputs()
    while len(inputs) < CASES:
        inputs.append(random_input(rng, random_shape(rng)))
    arrays = {}
    for i, x in enumerate(inputs):
        g = rng.uniform(-1.0, 1.0, size=x.shape)
        for name, a in make_case(x, g).items():
            arrays[f"case{i:02d}_{name}"] = a
    return arrays


def main():
    check_conventions()
    npzfiles.main(SCRIPT, {FILENAME: golden_arrays()}, f"numpy {np.__version__}, jax {jax.__version__}")


if __name__ == "__main__":
    main()
