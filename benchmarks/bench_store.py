"""Benchmark: the store's bulk import against pandas.to_sql, and read latency as the data grows.

1. Import N measurement rows from a CSV file with ``Database.import_file`` (validation, name
   resolution, provenance, all-or-nothing) against what a competent user would write instead,
   ``pandas.read_csv(path).to_sql(...)`` of the same file into a plain SQLite table (no
   validation). Prints rows/s, the time ratio and the peak-memory ratio (tracemalloc).
2. ``get("beta-Li3N")``, ``conductivity("beta-Li3N", 300 K)`` (what ``nitrolyte sigma`` runs),
   ``materials()`` and ``materials(family="nitride halide")`` on a database holding 0, 10^4
   and 10^5 user rows (on 1 user material per 100 rows), as ratios to the empty database.
3. ``get()`` of one material holding all N rows against ``pandas.read_sql`` of the same rows
   (``SELECT * FROM measurements WHERE material_id = ?``), interleaved in the same run: the
   record reads columns and builds each measurement on access (issue 24 item 6).

Run:  .venv/bin/python benchmarks/bench_store.py [--rows 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_of

HEADER = "name,formula,family,property,value,unit,temperature,temperature_unit,method,note\n"


def write_csv(path: Path, n: int, start: int = 0) -> Path:
    """``n`` user conductivities (100 per material) as an import CSV."""
    with path.open("w") as fh:
        fh.write(HEADER)
        for i in range(start, start + n):
            fh.write(f"Bench sample {i // 100},Li3N,other ternary nitride,ionic_conductivity,"
                     f"{1e-6 * (1 + i % 997)!r},S/cm,{20 + i % 80},C,EIS,row {i}\n")
    return path


def peak_mb(func: Callable[[], Any]) -> float:
    """Peak Python memory (MB, tracemalloc) of one call."""
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def fresh_db(folder: Path, name: str) -> Any:
    from nitrolyte.store import Database

    db = Database(folder / f"{name}.sqlite")
    db.ensure()
    return db


def to_sql(path: Path, folder: Path, name: str) -> None:
    """The baseline: read the CSV with pandas and append it to a plain SQLite table."""
    import pandas as pd
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{folder / name}.sqlite")
    pd.read_csv(path).to_sql("measurements", engine, if_exists="append", index=False)
    engine.dispose()


def bench_import(folder: Path, rows: int, repeat: int) -> None:
    path = write_csv(folder / "import.csv", rows)
    warm = write_csv(folder / "warm.csv", 100)  # first-use imports (pymatgen, pydantic) once
    fresh_db(folder, "warm").import_file(warm)
    to_sql(warm, folder, "warmplain")
    runs = iter(range(10**6))
    ours, _ = best_of(lambda: fresh_db(folder, f"ours{next(runs)}").import_file(path), repeat)
    base, _ = best_of(lambda: to_sql(path, folder, f"plain{next(runs)}"), repeat)
    db = fresh_db(folder, "mem")
    ours_mb = peak_mb(lambda: db.import_file(path))
    base_mb = peak_mb(lambda: to_sql(path, folder, "plainmem"))
    assert len(db.table("measurements", "user")) == rows  # every row stored
    print(f"import {rows} rows: import_file {ours:.3f} s ({rows / ours:,.0f} rows/s), "
          f"pandas.to_sql {base:.3f} s ({rows / base:,.0f} rows/s)")
    print(f"ratio import_file / to_sql time: {ours / base:.2f}; "
          f"peak memory {ours_mb:.0f} MB / {base_mb:.0f} MB = {ours_mb / base_mb:.2f}")


def calls(db: Any) -> dict[str, Callable[[], Any]]:
    """The four reads on ``db``."""
    from nitrolyte import api
    from nitrolyte.transport.conductivity import conductivity

    return {"get()": lambda: api.get("beta-Li3N", db=db),
            "sigma": lambda: conductivity("beta-Li3N", 300.0, db=db),
            "materials()": lambda: api.materials(db=db),
            "materials(family)": lambda: api.materials(family="nitride halide", db=db)}


def bench_reads(folder: Path, rows: int, repeat: int) -> None:
    """Each read on databases of 0, 10^4 and 10^5 user rows, timed in turn (interleaved, so a
    busy machine slows all sizes alike), best of ``repeat``."""
    import time

    sizes = sorted({0, min(10_000, rows), rows})
    dbs = {}
    for size in sizes:
        dbs[size] = fresh_db(folder, f"reads{size}")
        if size:
            dbs[size].import_file(write_csv(folder / f"add{size}.csv", size))
    best = {size: dict.fromkeys(calls(dbs[size]), float("inf")) for size in sizes}
    for size in sizes:  # first calls pay one-off imports and caches
        for f in calls(dbs[size]).values():
            f()
    for _ in range(repeat):
        for name in best[0]:
            for size in sizes:
                f = calls(dbs[size])[name]
                t0 = time.perf_counter()
                f()
                best[size][name] = min(best[size][name], time.perf_counter() - t0)
    for size in sizes:
        text = ", ".join(f"{k} {v * 1e3:.1f} ms (x{v / best[0][k]:.2f})"
                         for k, v in best[size].items())
        print(f"{size:>7} user rows: {text}")


def bench_one_material(folder: Path, rows: int, repeat: int) -> None:
    """``get()`` of a material holding ``rows`` rows vs ``pandas.read_sql`` of those rows."""
    import statistics
    import time

    import pandas as pd
    from sqlalchemy import create_engine, text

    from nitrolyte import api

    path = folder / "one.csv"
    with path.open("w") as fh:
        fh.write(HEADER)
        for i in range(rows):
            fh.write(f"Bench one,Li3N,other ternary nitride,ionic_conductivity,"
                     f"{1e-6 * (1 + i % 997)!r},S/cm,{20 + i % 80},C,EIS,row {i}\n")
    db = fresh_db(folder, "one")
    db.import_file(path)
    material_id = db.resolve("Bench one")
    engine = create_engine(f"sqlite:///{folder / 'one.sqlite'}")
    query = text("SELECT * FROM measurements WHERE material_id = :m ORDER BY id")

    def read_sql() -> Any:
        with engine.connect() as conn:
            return pd.read_sql(query, conn, params={"m": material_id})

    calls = {"get()": lambda: api.get("Bench one", db=db), "read_sql": read_sql}
    times: dict[str, list[float]] = {k: [] for k in calls}
    for f in calls.values():  # first calls pay one-off imports
        f()
    for _ in range(repeat):
        for name, f in calls.items():
            t0 = time.perf_counter()
            out = f()
            times[name].append(time.perf_counter() - t0)
    assert len(api.get("Bench one", db=db).measurements) == len(out) == rows
    engine.dispose()
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"one material of {rows} rows: get() {med['get()']:.3f} s, pandas.read_sql of the same "
          f"rows {med['read_sql']:.3f} s (medians of {repeat}); "
          f"ratio get / read_sql: {med['get()'] / med['read_sql']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="user rows (default 1e5)")
    parser.add_argument("--repeat", type=int, default=7, help="best of N (default 7)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench_import(Path(tmp), args.rows, args.repeat)
        bench_reads(Path(tmp), args.rows, args.repeat)
        bench_one_material(Path(tmp), args.rows, args.repeat)
    print("ratios are to the same call on the database with 0 user rows (target <= 2 for get() "
          "and sigma)")


if __name__ == "__main__":
    main()
