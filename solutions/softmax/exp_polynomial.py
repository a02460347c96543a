"""The coefficients of `reduce` in src/softmax.rs: e^r on |r| <= ln(2)/2.

    pip install mpmath && python3 solutions/softmax/exp_polynomial.py

The polynomial is 1 + r + r^2 q(r), with q of degree 9, so that the two
leading coefficients are exact. q is chosen, in 50-digit arithmetic, so
that the relative error of the polynomial takes equal and alternating
values at the 11 Chebyshev extrema of the interval (one step of Remez's
algorithm, which already brings the error within a few per cent of the
smallest possible). Prints the largest relative error on a fine grid and
the coefficients, highest power first, as Rust writes them.
"""

import mpmath as mp

mp.mp.dps = 50
H = mp.log(2) / 2
DEGREE = 9  # of q


def polynomial(q, r):
    return 1 + r + r * r * mp.polyval(q[::-1], r)


points = [H * mp.cos(mp.pi * i / (DEGREE + 1)) for i in range(DEGREE + 2)]
rows, rhs = [], []
for i, r in enumerate(points):
    e = mp.exp(r)
    # (1 + r + r^2 q(r)) / e^r - 1 = (-1)^i E, unknowns q_0..q_9 and E.
    rows.append([r ** (j + 2) / e for j in range(DEGREE + 1)] + [(-1) ** i])
    rhs.append(1 - (1 + r) / e)
solution = mp.lu_solve(mp.matrix(rows), mp.matrix(rhs))
q = [solution[j] for j in range(DEGREE + 1)]
grid = [H * (2 * mp.mpf(i) / 4000 - 1) for i in range(4001)]
worst = max(abs(polynomial(q, r) / mp.exp(r) - 1) for r in grid)
print(f"largest relative error: {mp.nstr(worst, 3)}")
for c in reversed(q):
    print(f"{float(c)!r},")
print("1.0,\n1.0,")
