"""Our kernels beside PyTorch's, on the same shapes, machine and load.

    python3 bench/compare.py                 # 1 and 2 threads, 5 interleaved rounds
    python3 bench/compare.py --threads 2 --only attention
    python3 bench/compare.py --markdown      # the tables as Markdown

"Ours" is the reference solutions where solutions/ exists (the server of
solutions/grading/benches/compare.rs), and your own modules in a handout
(bench/benches/compare.rs). The script builds the server, starts it with
RAYON_NUM_THREADS set to each thread count, and then, round after round,
times each case in our server and in PyTorch one after the other, so that
both see the same load. It prints, per thread count, the median of the
rounds, the ratio ours / PyTorch (below 1: ours is faster), the GFLOP/s of
the cases that have a flop count, and the load average before and after.
The ratios are taken within each round and printed as the median of the
rounds with their range: on a shared virtual machine a case can run a
fifth faster or slower from one minute to the next, and the range shows
how much a verdict depends on that.

PyTorch (CPU, float64) is optional: without it the script says so and
exits 0. Its OpenMP threads are made to sleep rather than spin when idle
(OMP_WAIT_POLICY=PASSIVE), or they would steal the CPU from our turns.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
try:
    import torch
    import torch.nn.functional as F
except ImportError as missing:
    print(f"skipped: {missing.name} is not installed (pip install torch); nothing else in the project needs it")
    sys.exit(0)


def server_command():
    """The cargo command of our server: the solutions where they exist, else the student's modules."""
    package = "grading" if os.path.isdir(os.path.join(ROOT, "solutions", "grading")) else "bench"
    return ["cargo", "bench", "--quiet", "--package", package, "--bench", "compare"], package


class Server:
    """Our side: the Rust server of bench/src/compare.rs, over its standard input and output."""

    def __init__(self, threads):
        command, _ = server_command()
        env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
        self.process = subprocess.Popen(
            command + ["--"], cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def ask(self, line):
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def cases(self):
        self.process.stdin.write("list\n")
        self.process.stdin.flush()
        cases = []
        for line in iter(self.process.stdout.readline, ""):
            line = line.strip()
            if line == "end":
                return cases
            name, op, *fields = line.split()
            cases.append((name, op, {k: int(v) for k, v in (f.split("=") for f in fields)}))
        raise SystemExit("the server stopped before listing its cases")

    def time(self, name, seconds):
        answer = self.ask(f"time {name} {seconds}")
        return None if answer.startswith("skipped") else float(answer)

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def uniform(*shape, grad=False):
    return (torch.rand(*shape, dtype=torch.float64) * 2 - 1).requires_grad_(grad)


def torch_case(op, s):
    """A function running PyTorch's version of a case, built from the shape the server listed."""
    if op == "conv2d":
        x, w = uniform(s["b"], s["cin"], s["h"], s["w"], grad=True), uniform(s["cout"], s["cin"], s["kh"], s["kw"], grad=True)
        g = uniform(s["b"], s["cout"], s["h"], s["w"])
        # The course's same-size convolution: zeros past the bottom and the right.
        pad = (0, s["kw"] - 1, 0, s["kh"] - 1)
        return lambda: torch.autograd.grad(F.conv2d(F.pad(x, pad), w), (x, w), g)
    if op == "conv1d":
        x, w = uniform(s["b"], s["cin"], s["w"], grad=True), uniform(s["cout"], s["cin"], s["k"], grad=True)
        g = uniform(s["b"], s["cout"], s["w"])
        return lambda: torch.autograd.grad(F.conv1d(F.pad(x, (0, s["k"] - 1)), w), (x, w), g)
    if op in ("softmax", "logsoftmax"):
        f = torch.softmax if op == "softmax" else torch.log_softmax
        x, g = uniform(s["rows"], s["cols"], grad=True), uniform(s["rows"], s["cols"])
        forward_only = x.detach()
        return (lambda: f(forward_only, 1)), (lambda: torch.autograd.grad(f(x, 1), x, g))
    if op in ("maxpool", "avgpool"):
        f = F.max_pool2d if op == "maxpool" else F.avg_pool2d
        kernel = (s["kh"], s["kw"])
        x = uniform(s["b"], s["c"], s["h"], s["w"], grad=True)
        g = uniform(s["b"], s["c"], s["h"] // s["kh"], s["w"] // s["kw"])
        forward_only = x.detach()
        return (lambda: f(forward_only, kernel)), (lambda: torch.autograd.grad(f(x, kernel), x, g))
    if op == "attention":
        q, k, v = (uniform(s["b"], s["t"], s["d"], grad=True) for _ in range(3))
        g = uniform(s["b"], s["t"], s["d"])
        causal = bool(s["causal"])
        return lambda: torch.autograd.grad(F.scaled_dot_product_attention(q, k, v, is_causal=causal), (q, k, v), g)
    if op == "gemm":
        a, b = uniform(s["n"], s["n"]), uniform(s["n"], s["n"])
        return lambda: a @ b
    raise SystemExit(f"the server listed a case of an unknown kind: {op}")


def torch_cases(cases):
    """PyTorch's function for each of our cases, by name (forward-only and fwd+bwd cases share inputs)."""
    functions = {}
    for name, op, spec in cases:
        f = torch_case(op, spec)
        if isinstance(f, tuple):
            f = f[0] if name.endswith("-fwd") else f[1]
        functions[name] = f
    return functions


def median_seconds(f, budget):
    """The same measure as the server's: one warm-up call, then calls until `budget` seconds (at least 3)."""
    f()
    start, times = time.perf_counter(), []
    while len(times) < 3 or time.perf_counter() - start < budget:
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure(threads, rounds, seconds, only):
    torch.set_num_threads(threads)
    server = Server(threads)
    cases = [c for c in server.cases() if re.search(only, c[0])]
    functions = torch_cases(cases)
    load_before = os.getloadavg()[0]
    ours, theirs = {n: [] for n, _, _ in cases}, {n: [] for n, _, _ in cases}
    for r in range(rounds):
        for name, _, _ in cases:
            turns = [
                lambda: ours[name].append(server.time(name, seconds)),
                lambda: theirs[name].append(median_seconds(functions[name], seconds)),
            ]
            # Alternate who goes first, so neither always runs on a warmer machine.
            for turn in turns if r % 2 == 0 else reversed(turns):
                turn()
    server.close()
    load_after = os.getloadavg()[0]
    return cases, ours, theirs, (load_before, load_after)


def spread(values, form):
    """The median of `values` and, when the rounds disagree, their range: "0.51 (0.47-0.55)"; "" for none."""
    if not values:
        return ""
    low, mid, high = (form(f(values)) for f in (min, statistics.median, max))
    return mid if low == high else f"{mid} ({low}-{high})"


def report(threads, cases, ours, theirs, load, markdown):
    gemm_name = next((n for n, op, _ in cases if op == "gemm" and None not in ours[n]), None)
    gemm_flops = next((s["flops"] for n, op, s in cases if op == "gemm"), None)
    header = ["case", "ours (ms)", "PyTorch (ms)", "ours / PyTorch", "ours GFLOP/s", "PyTorch GFLOP/s", "ours / our GEMM rate"]
    rows = []
    for name, op, spec in cases:
        mine = None if None in ours[name] else statistics.median(ours[name])
        other = statistics.median(theirs[name])
        flops = spec.get("flops")
        rate = lambda t: f"{flops / t / 1e9:.1f}" if flops and t else ""
        # Ratios are taken round by round, of times measured one after the
        # other, so that the machine's drift between rounds cancels out.
        ratios = [m / t for m, t in zip(ours[name], theirs[name])] if mine else []
        shares = []
        if flops and mine and gemm_name and op != "gemm":
            shares = [flops / m / (gemm_flops / g) for m, g in zip(ours[name], ours[gemm_name])]
        rows.append([
            name,
            f"{mine * 1e3:.3f}" if mine else "not implemented",
            f"{other * 1e3:.3f}",
            spread(ratios, lambda r: f"{r:.2f}"),
            rate(mine),
            rate(other),
            spread([100 * s for s in shares], lambda s: f"{s:.0f}%"),
        ])
    title = (f"{threads} thread(s), load average {load[0]:.2f} before and {load[1]:.2f} after; "
             "ratios: the median of the rounds (their range)")
    if markdown:
        print(f"\n{title}\n")
        print("| " + " | ".join(header) + " |")
        print("|" + " --- |" * len(header))
        for row in rows:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
        print(f"\n{title}")
        for row in [header] + rows:
            print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="thread counts (default: 1 2)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds; the median is reported (default: 5)")
    parser.add_argument("--seconds", type=float, default=0.2, help="time budget of one case in one round (default: 0.2)")
    parser.add_argument("--only", default="", help="a regular expression the case names must match")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    args = parser.parse_args()
    command, package = server_command()
    print(f"ours: `{' '.join(command)}` ({'the reference solutions' if package == 'grading' else 'your modules'}); "
          f"PyTorch {torch.__version__}, float64 on the CPU; {os.cpu_count()} CPUs")
    built = subprocess.run(command + ["--no-run"], cwd=ROOT)
    if built.returncode != 0:
        raise SystemExit("could not build our server (see cargo's message above)")
    for threads in args.threads:
        report(threads, *measure(threads, args.rounds, args.seconds, args.only), args.markdown)


if __name__ == "__main__":
    main()
