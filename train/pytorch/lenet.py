"""The LeNet of `cargo train mnist`, in PyTorch (f64, CPU), to compare the
time of an epoch with ours on the same machine.

    python3 train/pytorch/lenet.py              # 1 and 2 threads, 3 epochs each, interleaved with ours
    python3 train/pytorch/lenet.py --epochs 10  # PyTorch's accuracy after a full run, without ours

Ours is one epoch of `cargo train-solutions mnist` (the reference
functions) where solutions/ exists, and of `cargo train mnist --unchecked`
(your functions) in a handout, run between PyTorch's epochs so that both
see the same load. The script prints each median and
the ratio ours / PyTorch (below 1: ours is faster). Without PyTorch it says
so and exits 0: nothing else in the project needs it.

The network, the data, the optimiser and the augmentation are those of
train/src/lenet.rs: same-size convolutions padded with zeros at the bottom
and right (the course's anchoring), 2 x 2 max pooling, dropout 0.25 before
the last layer, Adam with a cosine schedule to a tenth, batch 16, shifts of
up to one pixel.
"""

import argparse
import gzip
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "data", "mnist-5k")
MEAN, STD = 0.1307, 0.3081

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as missing:
    print(f"skipped: {missing.name} is not installed (pip install torch numpy)")
    sys.exit(0)


def idx(name):
    with gzip.open(os.path.join(DATA, name)) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def split(kind):
    images = idx(f"{kind}-images-idx3-ubyte.gz").astype(np.float64) / 255.0
    labels = idx(f"{kind}-labels-idx1-ubyte.gz").astype(np.int64)
    x = torch.from_numpy((images - MEAN) / STD).unsqueeze(1)
    return x, torch.from_numpy(labels)


def same(x, weight, bias):
    """The course's same-size convolution: the kernel anchored at its top-left, zeros past the bottom and right."""
    kh, kw = weight.shape[2:]
    return F.conv2d(F.pad(x, (0, kw - 1, 0, kh - 1)), weight, bias)


class LeNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 6, 5)
        self.conv2 = torch.nn.Conv2d(6, 16, 5)
        self.fc1 = torch.nn.Linear(16 * 7 * 7, 120)
        self.fc2 = torch.nn.Linear(120, 10)
        for layer in [self.conv1, self.conv2, self.fc1, self.fc2]:
            fan_in = layer.weight[0].numel()
            torch.nn.init.uniform_(layer.weight, -math.sqrt(6 / fan_in), math.sqrt(6 / fan_in))
            torch.nn.init.zeros_(layer.bias)

    def forward(self, x):
        x = F.max_pool2d(F.relu(same(x, self.conv1.weight, self.conv1.bias)), 2)
        x = F.max_pool2d(F.relu(same(x, self.conv2.weight, self.conv2.bias)), 2)
        x = F.dropout(F.relu(self.fc1(x.flatten(1))), 0.25, self.training)
        return self.fc2(x)


def shifted(x, generator):
    """Each image moved by -1, 0 or 1 pixel along each axis, zeros (the normalised background) filling in."""
    out = torch.full_like(x, -MEAN / STD)
    h, w = x.shape[2:]
    for i, (dy, dx) in enumerate(torch.randint(-1, 2, (x.shape[0], 2), generator=generator).tolist()):
        out[i, :, max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = x[
            i, :, max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
        ]
    return out


def epoch(net, optimiser, x, y, generator, batch=16):
    net.train()
    order = torch.randperm(len(y), generator=generator)
    start = time.perf_counter()
    for i in range(0, len(y), batch):
        chunk = order[i : i + batch]
        optimiser.zero_grad()
        loss = F.cross_entropy(net(shifted(x[chunk], generator)), y[chunk])
        loss.backward()
        optimiser.step()
    return time.perf_counter() - start


def accuracy(net, x, y):
    net.eval()
    with torch.no_grad():
        return (net(x).argmax(1) == y).double().mean().item()


def ours(threads):
    """Seconds of one epoch of our LeNet at `threads` threads."""
    if os.path.isdir(os.path.join(ROOT, "solutions")):
        command = ["cargo", "train-solutions", "mnist"]
    else:
        command = ["cargo", "train", "mnist", "--unchecked"]
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            command + ["--epochs", "1", "--threads", str(threads), "--out", out],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        with open(os.path.join(out, "summary.json")) as f:
            return json.load(f)["seconds_per_epoch"][0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="epochs per thread count")
    parser.add_argument("--threads", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--no-ours", action="store_true", help="time PyTorch only")
    args = parser.parse_args()
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(2026)
    x, y = split("train")
    test_x, test_y = split("t10k")
    compare = not args.no_ours and args.epochs <= 3
    if compare:
        try:
            ours(1)  # builds the release binary outside the timing
        except subprocess.CalledProcessError as failed:
            print(f"ours: `{' '.join(failed.cmd[:3])}` failed; run it to see why. Timing PyTorch only.")
            compare = False
    load = os.getloadavg()[0]
    print(f"PyTorch {torch.__version__}, f64, {len(y)} images per epoch, batch 16; load average {load:.2f}")
    for threads in args.threads:
        torch.set_num_threads(threads)
        net = LeNet()
        generator = torch.Generator().manual_seed(2026)
        optimiser = torch.optim.Adam(net.parameters(), lr=0.002)
        theirs, mine = [], []
        for e in range(args.epochs):
            for group in optimiser.param_groups:
                group["lr"] = 0.002 * (0.1 + 0.45 * (1 + math.cos(math.pi * e / args.epochs)))
            theirs.append(epoch(net, optimiser, x, y, generator))
            if compare:
                mine.append(ours(threads))
        line = f"{threads} thread(s): PyTorch {statistics.median(theirs):.2f} s/epoch"
        line += f", test accuracy {accuracy(net, test_x, test_y):.3f} after {args.epochs} epochs"
        if compare:
            ratio = statistics.median(mine) / statistics.median(theirs)
            line += f"; ours {statistics.median(mine):.2f} s/epoch; ours / PyTorch = {ratio:.2f}"
        print(line)


if __name__ == "__main__":
    main()
