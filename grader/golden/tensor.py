"""Writes tensor.json: reference answers for the tensor module, computed by numpy.

Every expected value here comes from numpy's own layout machinery (strides of
fresh arrays, np.transpose, reshape, as_strided indexing, np.broadcast_shapes,
np.unravel_index, the C_CONTIGUOUS flag), never from gradlings' code.

Run from this directory with the numpy of requirements.txt installed:

    pip install -r requirements.txt
    python3 tensor.py            # rewrites tensor.json
    python3 tensor.py --check    # fails unless tensor.json is what this script writes

The output is deterministic for a given numpy version.
"""

import json
import os
import sys

import numpy as np
from numpy.lib.stride_tricks import as_strided

RNG = np.random.default_rng(20261127)
ITEM = np.dtype(np.float64).itemsize


def random_shape(max_ndim=4, max_dim=4, min_ndim=0):
    ndim = int(RNG.integers(min_ndim, max_ndim + 1))
    return [int(d) for d in RNG.integers(1, max_dim + 1, size=ndim)]


def element_strides(a):
    return [s // ITEM for s in a.strides]


def offset_of(view, base):
    return (view.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // ITEM


EDGE_SHAPES = [[], [1], [7], [1, 1], [4, 2], [4, 2, 2], [1, 5], [5, 1], [2, 1, 3], [3, 1, 1, 2], [2, 3, 4, 5]]


def shapes(count, **kw):
    return EDGE_SHAPES + [random_shape(**kw) for _ in range(count)]


def contiguous_strides_cases():
    return [{"shape": s, "strides": element_strides(np.empty(s))} for s in shapes(30)]


def to_index_cases():
    cases = []
    for s in shapes(20):
        size = int(np.prod(s))
        for ordinal in sorted({0, size - 1, int(RNG.integers(0, size))}):
            index = [int(i) for i in np.unravel_index(ordinal, s)] if s else []
            cases.append({"shape": s, "ordinal": ordinal, "index": index})
    return cases


def strided_views(count):
    """Views of an arange storage: transposes, steps and offsets, as numpy makes them."""
    out = []
    for _ in range(count):
        s = random_shape(min_ndim=1, max_dim=5)
        base = np.arange(int(np.prod(s)), dtype=np.float64)
        a = base.reshape(s)
        kind = RNG.integers(0, 4)
        if kind == 1:
            a = a.transpose(RNG.permutation(len(s)))
        elif kind == 2:
            starts = [int(RNG.integers(0, d)) for d in s]
            steps = [int(RNG.integers(1, 3)) for _ in s]
            a = a[tuple(slice(b, None, st) for b, st in zip(starts, steps))]
        elif kind == 3:
            a = a.transpose(RNG.permutation(len(s)))[..., :1]
        out.append((base, a))
    # Size-1 axes with arbitrary strides are still contiguous for numpy.
    base = np.arange(6, dtype=np.float64)
    out.append((base, base.reshape(2, 3)[:, None, :]))
    out.append((base, base.reshape(2, 3)[:1]))
    out.append((base, base.reshape(2, 3)[:, 1:2]))
    out.append((base, base.reshape(6)[::2]))
    out.append((base, base.reshape(2, 3).T))
    return out


def layout(base, a):
    return {
        "storage_len": int(base.size),
        "shape": list(a.shape),
        "strides": element_strides(a),
        "offset": offset_of(a, base),
    }


def index_to_position_cases():
    cases = []
    for base, a in strided_views(30):
        if a.size == 0:
            continue
        index = [int(RNG.integers(0, d)) for d in a.shape]
        # The storage holds 0, 1, 2, ... so numpy's element is its own slot.
        slot = int(a[tuple(index)])
        cases.append({"index": index, "strides": element_strides(a), "position": slot - offset_of(a, base)})
    return cases


def shape_broadcast_cases():
    pairs = [([5, 2], [5]), ([2, 3, 1], [4]), ([5, 1], [1, 7]), ([], [3]), ([1], [1]), ([3], [4]),
             ([2, 1, 4], [3, 1]), ([8, 1, 6, 1], [7, 1, 5]), ([4, 2], [4, 2]), ([2, 1], [3, 2, 2]),
             ([2, 3], [3, 2]), ([4], [2, 4, 3]), ([1, 3], [2, 2]), ([6, 1, 2], [6, 3])]
    for _ in range(40):
        a = random_shape(max_dim=3)
        b = [d if RNG.random() < 0.5 else int(RNG.choice([1, d, RNG.integers(1, 4)])) for d in a]
        b = b[int(RNG.integers(0, len(b) + 1)):] if b else b
        pairs.append((a, b) if RNG.random() < 0.5 else (b, a))
    cases = []
    for a, b in pairs:
        try:
            result = [int(d) for d in np.broadcast_shapes(tuple(a), tuple(b))]
        except ValueError:
            result = None
        cases.append({"a": a, "b": b, "result": result})
    return cases


def broadcast_index_cases():
    cases = []
    for c in shape_broadcast_cases():
        if c["result"] is None:
            continue
        big = c["result"]
        for small in (c["a"], c["b"]):
            numbered = np.arange(int(np.prod(small))).reshape(small)
            stretched = np.broadcast_to(numbered, big)
            for _ in range(3):
                big_index = [int(RNG.integers(0, d)) for d in big]
                ordinal = int(stretched[tuple(big_index)])
                index = [int(i) for i in np.unravel_index(ordinal, small)] if small else []
                cases.append({"big_index": big_index, "big_shape": big, "shape": small, "index": index})
    return cases


def is_contiguous_cases():
    return [dict(layout(base, a), contiguous=bool(a.flags["C_CONTIGUOUS"])) for base, a in strided_views(40)]


def permute_cases():
    cases = []
    for base, a in strided_views(30):
        order = [int(i) for i in RNG.permutation(a.ndim)]
        p = np.transpose(a, order)
        cases.append(dict(layout(base, a), order=order, result_shape=list(p.shape), result_strides=element_strides(p)))
    return cases


def view_cases():
    cases = []
    for base, a in strided_views(30):
        size = a.size
        candidates = [[size], [1, size], [size, 1]] + [random_shape(max_dim=5) for _ in range(3)]
        new_shape = candidates[int(RNG.integers(0, len(candidates)))]
        ok = bool(a.flags["C_CONTIGUOUS"]) and int(np.prod(new_shape)) == size
        result = element_strides(np.empty(new_shape)) if ok else None
        cases.append(dict(layout(base, a), new_shape=new_shape, ok=ok, result_strides=result))
    # The slides' example: 8 contiguous elements seen as (4, 2).
    base = np.arange(8, dtype=np.float64)
    cases.append(dict(layout(base, base), new_shape=[4, 2], ok=True, result_strides=element_strides(base.reshape(4, 2))))
    return cases


def contiguous_cases():
    return [dict(layout(base, a), values=[float(v) for v in np.ascontiguousarray(a).ravel()])
            for base, a in strided_views(30)]


def get_cases():
    cases = []
    for base, a in strided_views(30):
        if a.size == 0:
            continue
        index = [int(RNG.integers(0, d)) for d in a.shape]
        cases.append(dict(layout(base, a), index=index, value=float(a[tuple(index)])))
    return cases


def main():
    golden = {
        "generator": f"grader/golden/tensor.py with numpy {np.__version__}",
        "contiguous_strides": contiguous_strides_cases(),
        "index_to_position": index_to_position_cases(),
        "to_index": to_index_cases(),
        "shape_broadcast": shape_broadcast_cases(),
        "broadcast_index": broadcast_index_cases(),
        "is_contiguous": is_contiguous_cases(),
        "permute": permute_cases(),
        "view": view_cases(),
        "contiguous": contiguous_cases(),
        "get": get_cases(),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tensor.json")
    text = json.dumps(golden, separators=(",", ":")) + "\n"
    if "--check" in sys.argv[1:]:
        with open(path) as f:
            if f.read() != text:
                sys.exit("grader/golden/tensor.json is not what grader/golden/tensor.py writes: run the script")
        print("grader/golden/tensor.json is up to date")
        return
    with open(path, "w") as f:
        f.write(text)
    print({k: len(v) for k, v in golden.items() if isinstance(v, list)})

if __name__ == "__main__":
    main()
