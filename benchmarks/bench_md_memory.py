"""Peak memory of CHGNet force evaluations per cell size: what bounds ``nitrolyte md``'s memory.

Each (cell, mode) runs in a fresh process (model load included, one torch thread) that evaluates
energy and forces ``--evals`` times on a rattled beta-Li3N supercell and reports its peak RSS
(``resource.getrusage`` ru_maxrss) and CPU seconds per force. Modes:

* ``chgnet``: CHGNet's own ``CHGNetCalculator`` at its defaults (energy, forces, stress, magnetic
  moments; second-derivative graph kept): what a competent user writes without nitrolyte;
* ``lean``: nitrolyte's calculator with CHGNet's own forward pass (first derivative only);
* ``chunked``: message passing in checkpointed blocks (``nitrolyte.simulate.chunked_chgnet``);
* ``chunked+trim``: the same, and glibc told to hand freed large blocks back to the OS
  (``release_freed_memory``): what ``nitrolyte md`` uses for large cells.

Printed: a table per size and mode, the ratio of each mode's peak to the ``chgnet`` baseline at
the same size where both ran, and per mode a straight line through its two largest sizes
extrapolated to 2,000 atoms (a measurement replaces it when a 2,000+-atom cell was run).

Run: ``.venv/bin/python benchmarks/bench_md_memory.py`` (options: ``--supercells
3x3x2,4x4x4`` (144, 512 atoms), ``--modes``, ``--evals``, ``--max-gb`` to skip runs predicted
above it). Run ``--supercells 8x8x4 --modes chunked+trim`` to measure 2,048 atoms.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

MODES = ("chgnet", "lean", "chunked", "chunked+trim")

_CHILD = r"""
import json, resource, sys, time
import numpy as np
import torch
torch.set_num_threads(1)
from pymatgen.io.ase import AseAtomsAdaptor
from nitrolyte.structures import structure
from nitrolyte.structures.atomistic.potential import load_chgnet
sc, mode, evals = tuple(json.loads(sys.argv[1])), sys.argv[2], int(sys.argv[3])
atoms = AseAtomsAdaptor.get_atoms(structure("beta-Li3N") * sc)
atoms.positions += np.random.default_rng(1).normal(0, 0.05, atoms.positions.shape)
model = load_chgnet("cpu")
if mode == "chgnet":
    from chgnet.model.dynamics import CHGNetCalculator
    calc = CHGNetCalculator(model=model, use_device="cpu")
else:
    from nitrolyte.simulate.lean_chgnet import LeanCHGNetCalculator, release_freed_memory
    if mode == "chunked+trim":
        release_freed_memory()
    calc = LeanCHGNetCalculator(model, "cpu", chunk_rows=None if mode == "lean" else 8192,
                                low_memory=False)
atoms.calc = calc
cpu = []
for _ in range(evals):
    atoms.positions += 0.01
    t = time.process_time()
    atoms.get_forces()
    cpu.append(time.process_time() - t)
print(json.dumps({"atoms": len(atoms), "mode": mode, "cpu_s": float(np.mean(cpu)),
                  "peak_GB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}))
"""


def measure(supercell: tuple[int, int, int], mode: str, evals: int) -> dict:
    """Peak RSS (GB) and CPU s per force of one fresh process."""
    done = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(supercell), mode, str(evals)],
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{mode} {supercell}: {done.stderr[-800:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def extrapolate(rows: list[dict], mode: str, atoms: int = 2000) -> str:
    """Peak at ``atoms`` from a line through the mode's two largest cells (or the measurement)."""
    mine = sorted((r for r in rows if r["mode"] == mode), key=lambda r: r["atoms"])
    big = [r for r in mine if r["atoms"] >= atoms]
    if big:
        return f"{big[0]['peak_GB']:.2f} GB measured at {big[0]['atoms']} atoms"
    if len(mine) < 2:
        return "needs two sizes"
    (a, b) = mine[-2:]
    slope = (b["peak_GB"] - a["peak_GB"]) / (b["atoms"] - a["atoms"])
    return (f"{b['peak_GB'] + slope * (atoms - b['atoms']):.2f} GB extrapolated "
            f"({1000 * slope:.2f} MB per atom)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--supercells", default="3x3x2,4x4x4")
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--evals", type=int, default=2)
    ap.add_argument("--max-gb", type=float, default=8.0,
                    help="skip a run whose peak the previous size predicts above this")
    args = ap.parse_args()
    cells = [tuple(int(x) for x in s.split("x")) for s in args.supercells.split(",")]
    modes = [m for m in args.modes.split(",") if m]
    rows: list[dict] = []
    print("| atoms | mode | peak RSS (GB) | CPU s per force | peak / chgnet |")
    print("| --- | --- | --- | --- | --- |")
    for cell in cells:
        n = 8 * cell[0] * cell[1] * cell[2]
        for mode in modes:
            prev = [r for r in rows if r["mode"] == mode]
            if prev and prev[-1]["peak_GB"] * n / prev[-1]["atoms"] > args.max_gb:
                print(f"| {n} | {mode} | skipped (> {args.max_gb:g} GB predicted) | | |")
                continue
            r = measure(cell, mode, args.evals)
            rows.append(r)
            base = [b for b in rows if b["mode"] == "chgnet" and b["atoms"] == r["atoms"]]
            ratio = f"{r['peak_GB'] / base[0]['peak_GB']:.2f}" if base else ""
            print(f"| {r['atoms']} | {mode} | {r['peak_GB']:.2f} | {r['cpu_s']:.2f} | {ratio} |",
                  flush=True)
    for mode in modes:
        print(f"{mode}: peak at 2,000 atoms: {extrapolate(rows, mode)}")


if __name__ == "__main__":
    main()
