"""Writing and checking the .npz golden files: the part every golden script shares.

A script computes its files as {filename: {array name: float64 array}} and hands
them to main(), which writes them next to this file, or with --check compares
them with the stored files and exits non-zero naming every difference.
"""

import os
import sys
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TOLERANCE = 1e-12


def differences(script, filename, stored, fresh):
    """Messages naming every array of the stored file that is missing, extra or different."""
    where = f"grader/golden/{filename}"
    problems = [f"{where}: {n} is missing" for n in fresh if n not in stored]
    problems += [f"{where}: {n} is not written by {script}" for n in stored if n not in fresh]
    for name in (n for n in fresh if n in stored):
        got, want = stored[name], fresh[name]
        if got.dtype != np.float64 or not got.flags.c_contiguous:
            order = "C" if got.flags.c_contiguous else "not C"
            problems.append(f"{where}: {name} is {got.dtype} in {order} order, expected float64 in C order")
        elif got.shape != want.shape:
            problems.append(f"{where}: {name} has shape {got.shape}, expected {want.shape}")
        elif not np.allclose(got, want, rtol=TOLERANCE, atol=TOLERANCE, equal_nan=False):
            worst = float(np.max(np.abs(got - want)))
            problems.append(f"{where}: {name} differs by up to {worst:.3g}")
    return problems


def check(script, files):
    """Exit non-zero with a message unless every stored file matches what the script computes."""
    problems = []
    for filename, fresh in files.items():
        path = os.path.join(HERE, filename)
        if not os.path.exists(path):
            problems.append(f"grader/golden/{filename} is missing")
            continue
        with zipfile.ZipFile(path) as z:
            problems += [f"grader/golden/{filename}: {i.filename} is compressed (the Rust reader has no deflate)"
                         for i in z.infolist() if i.compress_type != zipfile.ZIP_STORED]
        with np.load(path, allow_pickle=False) as stored:
            problems += differences(script, filename, {n: stored[n] for n in stored.files}, fresh)
    if problems:
        sys.exit("\n".join(problems) + f"\nrun grader/golden/{script} to rewrite the files")
    print(", ".join(f"grader/golden/{f}" for f in files) + " up to date")


def main(script, files, versions):
    """Checks the files with --check, else writes them uncompressed (np.savez)."""
    if "--check" in sys.argv[1:]:
        check(script, files)
        return
    for filename, arrays in files.items():
        np.savez(os.path.join(HERE, filename), **arrays)
        print(f"{filename}: {len(arrays)} arrays ({versions})")
