"""Recompute the packaged ML-energy table ``src/nitrolyte/data/ml_energies.csv`` from the real model.

Relaxes every structure-library entry with CHGNet (CPU, offline) and writes one row per entry. The
report and the ``ml`` energy source read this table when structure hash and model version match, so
CI and ``make run`` need no relaxation; ``tests/test_ml_real.py`` (slow) recomputes a few entries and
checks they agree with the table.

Usage::

    python scripts/compute_ml_energies.py            # all entries, progress bar
    python scripts/compute_ml_energies.py Li LiCl    # only some (the rest of the table is kept)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

TABLE = Path(__file__).resolve().parents[1] / "src" / "nitrolyte" / "data" / "ml_energies.csv"


def main(argv: list[str]) -> int:
    import pandas as pd

    from nitrolyte.structures.atomistic.library_energies import library_energies

    t0 = time.perf_counter()
    frame = library_energies(argv or None, db=False, progress=True)
    if argv and TABLE.exists():
        old = pd.read_csv(TABLE)
        frame = pd.concat([old[~old["name"].isin(frame["name"])], frame], ignore_index=True)
    frame.to_csv(TABLE, index=False, float_format="%.6f")
    print(f"wrote {len(frame)} rows to {TABLE} in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
