"""The constants of the exponentials in src/softmax.rs and src/softmax/avx512.rs.

    pip install mpmath && python3 solutions/softmax/exp_polynomial.py

Each polynomial is 1 + r + r^2 q(r), so that the two leading coefficients
are exact, and approximates e^r on |r| <= ln(2) / (2 N):

- N = 1, q of degree 9, for `reduce` (the portable `exp`);
- N = 16, q of degree 4, for the AVX-512 `exp`, whose table holds
  2^(j/16), j = 0..16, as a double and a relative tail.

q is chosen, in 50-digit arithmetic, so that the relative error of the
polynomial takes equal and alternating values at the Chebyshev extrema
of the interval (one step of Remez's algorithm, which already brings the
error within a few per cent of the smallest possible). Prints the
largest relative error on a fine grid and the coefficients of q, highest
power first, as Rust writes them (for `reduce`, followed by those of r
and 1), then the table.
"""

import mpmath as mp

mp.mp.dps = 50


def fit(n, degree):
    """The coefficients of q, lowest power first, and the largest relative error."""
    h = mp.log(2) / (2 * n)
    points = [h * mp.cos(mp.pi * i / (degree + 1)) for i in range(degree + 2)]
    rows, rhs = [], []
    for i, r in enumerate(points):
        e = mp.exp(r)
        # (1 + r + r^2 q(r)) / e^r - 1 = (-1)^i E, unknowns q_0..q_degree and E.
        rows.append([r ** (j + 2) / e for j in range(degree + 1)] + [(-1) ** i])
        rhs.append(1 - (1 + r) / e)
    solution = mp.lu_solve(mp.matrix(rows), mp.matrix(rhs))
    q = [solution[j] for j in range(degree + 1)]
    grid = [h * (2 * mp.mpf(i) / 4000 - 1) for i in range(4001)]
    worst = max(abs((1 + r + r * r * mp.polyval(q[::-1], r)) / mp.exp(r) - 1) for r in grid)
    return q, worst


for n, degree, name in [(1, 9, "reduce"), (16, 4, "avx512::Q")]:
    q, worst = fit(n, degree)
    print(f"{name}: largest relative error {mp.nstr(worst, 3)}")
    for c in reversed(q):
        print(f"{float(c)!r},")
    if n == 1:
        print("1.0,\n1.0,")

print("avx512::TABLE and avx512::TAIL:")
for j in range(16):
    power = mp.mpf(2) ** (mp.mpf(j) / 16)
    double = float(power)
    print(f"{double!r}, {float((power - double) / double)!r}")
