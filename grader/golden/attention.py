"""Writes attention.npz: reference answers for the attention module, computed by JAX.

Every expected value here comes from JAX in float64, never from gradlings' code:
jax.nn.sigmoid for the gate, jax.nn.softmax for softmax gating, and for
attention the formula written with jnp.einsum and jax.nn.softmax, with jax.vjp
of each for the gradients. Where it applies (values as wide as the keys), the
attention is also compared with JAX's own jax.nn.dot_product_attention, with and
without is_causal; that one computes part of its work in float32 on the CPU, so
it agrees only to LIBRARY_TOLERANCE and the file keeps the float64 formula.
Every case is also checked against plain numpy formulas before anything is
written.

    gate(x, y, r)       = x * sigmoid(r) + y * (1 - sigmoid(r))         any shape
    softmax_gate(x, r)  = sum over n of softmax(r[b])[n] * x[b, n]       x B x N x D, r B x N
    attention(q, k, v)  = softmax(q k^T / sqrt(D)) v, softmax over keys  q B x Tq x D, k B x Tk x D, v B x Tk x Dv

Causal attention masks the keys after each query (Tq = Tk). Backwards are the
gradients of sum(g * f) for an upstream gradient g. The arrays, float64 in C order:

    gateNN_x, _y, _r, _grad_out, _gate, _grad_x, _grad_y, _grad_r
    mixNN_x, _r, _grad_out, _softmax_gate, _grad_x, _grad_r
    attnNN_q, _k, _v, _causal (0-d, 0 or 1), _grad_out, _attention, _grad_q, _grad_k, _grad_v

Run from this directory with the packages of requirements.txt installed:

    pip install -r requirements.txt
    python3 attention.py            # rewrites attention.npz
    python3 attention.py --check    # fails unless the file holds what this script computes

The output is deterministic for the pinned numpy, jax and jaxlib versions.
"""

import functools

import numpy as np
import jax
import jax.numpy as jnp

import npzfiles

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

SCRIPT = "attention.py"
FILENAME = "attention.npz"
SEED = 20261128
TOLERANCE = npzfiles.TOLERANCE
# jax.nn.dot_product_attention against the float64 formula (it differs by ~5e-8).
LIBRARY_TOLERANCE = 1e-6
GATE_CASES = 16
MIX_CASES = 24
ATTENTION_CASES = 40

GATE_SHAPES = [(), (1,), (5,), (3, 4), (2, 3, 4), (2, 1, 3, 2), (0, 3)]

# (B, N, D) of the first softmax-gating cases.
MIX_SHAPES = [(1, 1, 1), (1, 1, 4), (2, 3, 1), (2, 5, 3), (3, 2, 4), (1, 7, 2)]

# (B, Tq, Tk, D, Dv, causal) of the first attention cases.
ATTENTION_SHAPES = [
    (1, 1, 1, 1, 1, False),
    (1, 1, 1, 1, 1, True),
    (2, 3, 3, 4, 4, False),
    (2, 3, 3, 4, 4, True),
    (1, 4, 6, 2, 2, False),   # more keys than queries
    (1, 6, 2, 3, 3, False),   # more queries than keys
    (2, 5, 5, 3, 2, True),    # values narrower than keys
    (1, 3, 4, 2, 5, False),   # values wider than keys
    (3, 1, 5, 8, 1, False),   # one query
    (1, 7, 7, 1, 3, True),    # one feature
]


def sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax_last(s):
    z = s - np.max(s, axis=-1, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=-1, keepdims=True)


def as_numpy(arrays):
    """float64, C-order numpy arrays (np.array keeps a 0-d array 0-d)."""
    out = {}
    for name, a in arrays.items():
        a = np.array(a, dtype=np.float64, order="C")
        assert not np.any(np.isnan(a)), f"{name} has a NaN"
        out[name] = a
    return out


def agree(name, got, want, tolerance=TOLERANCE):
    assert got.shape == want.shape, f"{name}: JAX gives shape {got.shape}, numpy {want.shape}"
    assert np.allclose(got, want, rtol=tolerance, atol=tolerance), f"JAX and numpy differ in {name}"


@jax.jit
def jax_gate(x, y, r, g):
    def gate(x, y, r):
        s = jax.nn.sigmoid(r)
        return x * s + y * (1.0 - s)
    out, pullback = jax.vjp(gate, x, y, r)
    gx, gy, gr = pullback(g)
    return {"gate": out, "grad_x": gx, "grad_y": gy, "grad_r": gr}


def gate_case(rng, shape, scale=3.0):
    x, y, g = (rng.uniform(-1.0, 1.0, size=shape) for _ in range(3))
    r = rng.uniform(-scale, scale, size=shape)
    answers = as_numpy(jax_gate(*(jnp.asarray(a) for a in (x, y, r, g))))
    s = sigmoid(r)
    for name, want in [("gate", x * s + y * (1 - s)), ("grad_x", g * s), ("grad_y", g * (1 - s)),
                       ("grad_r", g * (x - y) * s * (1 - s))]:
        agree(name, answers[name], want)
    return {"x": x, "y": y, "r": r, "grad_out": g, **answers}


@jax.jit
def jax_softmax_gate(x, r, g):
    mix = lambda x, r: jnp.einsum("bn,bnd->bd", jax.nn.softmax(r, axis=1), x)
    out, pullback = jax.vjp(mix, x, r)
    gx, gr = pullback(g)
    return {"softmax_gate": out, "grad_x": gx, "grad_r": gr}


def mix_case(rng, b, n, d, scale=3.0):
    x = rng.uniform(-1.0, 1.0, size=(b, n, d))
    r = rng.uniform(-scale, scale, size=(b, n))
    g = rng.uniform(-1.0, 1.0, size=(b, d))
    answers = as_numpy(jax_softmax_gate(jnp.asarray(x), jnp.asarray(r), jnp.asarray(g)))
    w = softmax_last(r)
    grad_w = np.einsum("bnd,bd->bn", x, g)
    agree("softmax_gate", answers["softmax_gate"], np.einsum("bn,bnd->bd", w, x))
    agree("grad_x", answers["grad_x"], w[:, :, None] * g[:, None, :])
    agree("grad_r", answers["grad_r"], w * (grad_w - np.sum(grad_w * w, axis=1, keepdims=True)))
    return {"x": x, "r": r, "grad_out": g, **answers}


def einsum_attention(q, k, v, causal):
    s = jnp.einsum("bqd,bkd->bqk", q, k) / jnp.sqrt(q.shape[-1])
    if causal:
        s = jnp.where(jnp.tril(jnp.ones(s.shape[-2:], dtype=bool)), s, -jnp.inf)
    return jnp.einsum("bqk,bkd->bqd", jax.nn.softmax(s, axis=-1), v)


@functools.partial(jax.jit, static_argnums=3)
def library_attention(q, k, v, causal):
    """jax.nn.dot_product_attention on one head: B x T x D becomes B x T x 1 x D."""
    head = lambda a: a[:, :, None, :]
    return jax.nn.dot_product_attention(head(q), head(k), head(v), is_causal=causal)[:, :, 0, :]


@functools.partial(jax.jit, static_argnums=3)
def jax_attention(q, k, v, causal, g):
    """The attention and its gradients, jitted so that each new shape costs one compilation."""
    out, pullback = jax.vjp(lambda q, k, v: einsum_attention(q, k, v, causal), q, k, v)
    gq, gk, gv = pullback(g)
    return {"attention": out, "grad_q": gq, "grad_k": gk, "grad_v": gv}


def numpy_attention(q, k, v, causal, g):
    s = np.einsum("bqd,bkd->bqk", q, k) / np.sqrt(q.shape[-1])
    if causal:
        s = np.where(np.tril(np.ones(s.shape[-2:], dtype=bool)), s, -np.inf)
    p = softmax_last(s)
    grad_p = np.einsum("bqe,bke->bqk", g, v)
    grad_s = p * (grad_p - np.sum(grad_p * p, axis=-1, keepdims=True))
    scale = 1.0 / np.sqrt(q.shape[-1])
    return {
        "attention": np.einsum("bqk,bke->bqe", p, v),
        "grad_q": np.einsum("bqk,bkd->bqd", grad_s, k) * scale,
        "grad_k": np.einsum("bqk,bqd->bkd", grad_s, q) * scale,
        "grad_v": np.einsum("bqk,bqe->bke", p, g),
    }


def attention_case(rng, b, tq, tk, d, dv, causal, scale=1.0):
    q = rng.uniform(-1.0, 1.0, size=(b, tq, d)) * scale
    k = rng.uniform(-1.0, 1.0, size=(b, tk, d)) * scale
    v = rng.uniform(-1.0, 1.0, size=(b, tk, dv))
    g = rng.uniform(-1.0, 1.0, size=(b, tq, dv))
    answers = as_numpy(jax_attention(*(jnp.asarray(a) for a in (q, k, v)), causal, jnp.asarray(g)))
    if d == dv:
        library = np.asarray(library_attention(*(jnp.asarray(a) for a in (q, k, v)), causal))
        agree("jax.nn.dot_product_attention", library, answers["attention"], LIBRARY_TOLERANCE)
    for name, want in numpy_attention(q, k, v, causal, g).items():
        agree(name, answers[name], want)
    return {"q": q, "k": k, "v": v, "causal": np.array(float(causal)), "grad_out": g, **answers}


def golden_arrays():
    """All arrays of the file: gate, softmax gating and attention cases."""
    rng = np.random.default_rng(SEED)
    arrays = {}
    gates = [(s, 3.0) for s in GATE_SHAPES] + [((2, 6), 1000.0)]
    while len(gates) < GATE_CASES:
        gates.append((tuple(int(n) for n in rng.integers(1, 5, size=int(rng.integers(1, 4)))), 3.0))
    for i, (shape, scale) in enumerate(gates):
        for name, a in gate_case(rng, shape, scale).items():
            arrays[f"gate{i:02d}_{name}"] = a
    mixes = [(s, 3.0) for s in MIX_SHAPES] + [((2, 4, 3), 1000.0)]
    while len(mixes) < MIX_CASES:
        mixes.append((tuple(int(n) for n in rng.integers(1, 6, size=3)), 3.0))
    for i, ((b, n, d), scale) in enumerate(mixes):
        for name, a in mix_case(rng, b, n, d, scale).items():
            arrays[f"mix{i:02d}_{name}"] = a
    attentions = [(s, 1.0) for s in ATTENTION_SHAPES] + [((2, 4, 4, 3, 3, True), 30.0), ((1, 3, 5, 4, 2, False), 30.0)]
    while len(attentions) < ATTENTION_CASES:
        b, t, d, dv = (int(n) for n in rng.integers(1, 6, size=4))
        causal = bool(rng.integers(0, 2))
        tk = t if causal else int(rng.integers(1, 7))
        attentions.append(((b, t, tk, d, dv, causal), 1.0))
    for i, (shape, scale) in enumerate(attentions):
        for name, a in attention_case(rng, *shape, scale=scale).items():
            arrays[f"attn{i:02d}_{name}"] = a
    return arrays


def check_conventions():
    """The causal first row is V's first row, in JAX's own attention."""
    rng = np.random.default_rng(1)
    q, k, v = (jnp.asarray(rng.uniform(-1, 1, size=(1, 4, 1, 3))) for _ in range(3))
    out = np.asarray(jax.nn.dot_product_attention(q, k, v, is_causal=True))
    assert np.array_equal(out[0, 0, 0], np.asarray(v)[0, 0, 0]), "JAX's causal first row is not v's first row"


def main():
    check_conventions()
    npzfiles.main(SCRIPT, {FILENAME: golden_arrays()}, f"numpy {np.__version__}, jax {jax.__version__}")


if __name__ == "__main__":
    main()
