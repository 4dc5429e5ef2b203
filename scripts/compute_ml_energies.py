"""Recompute the packaged ML-energy table ``src/nitrolyte/data/ml_energies.csv`` from a real model.

Relaxes every structure-library entry with one registered potential (CPU, offline) and writes one
row per entry; the rows of the other models are kept (the table holds one row per entry and model
version). The report and the ``ml`` energy sources read this table when structure hash and model
version match, so CI and ``make run`` need no relaxation; ``tests/test_ml_real.py`` (slow)
recomputes a few entries and checks they agree with the table.

The table is rewritten after every entry (cheapest first), so an interrupted run keeps what it
finished and a second run with ``--missing`` goes on from there. Torch runs on one thread by
default: on a shared machine more threads spin against each other (SevenNet took 3-50 s per
optimiser step of an 8-atom cell with two threads at a load of 12, against 0.6 s with one).

Usage::

    python scripts/compute_ml_energies.py                          # CHGNet, all entries
    nice -n 10 python scripts/compute_ml_energies.py --potential sevennet --missing
    python scripts/compute_ml_energies.py --potential chgnet Li LiCl   # only some (rest kept)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

TABLE = Path(__file__).resolve().parents[1] / "src" / "nitrolyte" / "data" / "ml_energies.csv"


def main(argv: list[str]) -> int:
    import pandas as pd

    from nitrolyte.structures.atomistic.library_energies import default_potential, library_energies

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--potential", default=None, help="registered potential (default: the default model)")
    parser.add_argument("--missing", action="store_true", help="only entries this model has no row for")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    parser.add_argument("names", nargs="*", help="library entries (default: all)")
    args = parser.parse_args(argv)
    import torch

    from nitrolyte.structures.library import all_entries

    torch.set_num_threads(args.threads)
    pot = default_potential(args.potential)
    old = pd.read_csv(TABLE) if TABLE.exists() else pd.DataFrame(columns=["name", "model_version"])
    names = args.names or [e.name for e in all_entries(None)]
    if args.missing:
        have = set(old.loc[old["model_version"] == pot.version, "name"])
        names = [n for n in names if n not in have]
    names = sorted(names, key=_cost)
    t0 = time.perf_counter()
    for i, name in enumerate(names, 1):
        t1 = time.perf_counter()
        row = library_energies([name], pot, db=False)
        keep = (old["model_version"] != pot.version) | (old["name"] != name)
        old = pd.concat([old[keep], row], ignore_index=True)
        old.to_csv(TABLE, index=False, float_format="%.6f")
        print(f"[{i}/{len(names)}] {name}: {row.iloc[0]['n_steps']} steps, {time.perf_counter() - t1:.0f} s",
              flush=True)
    print(f"wrote {len(names)} rows of {pot.version} to {TABLE} in {time.perf_counter() - t0:.0f} s")
    return 0


def _cost(name: str) -> float:
    """Atoms x CHGNet's optimiser steps in the table (unknown entries last): cheapest first."""
    import pandas as pd

    old = pd.read_csv(TABLE)
    own = old[(old["name"] == name) & old["model_version"].str.startswith("chgnet")]
    return float(own["n_atoms"].iloc[0] * own["n_steps"].iloc[0]) if len(own) else float("inf")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
