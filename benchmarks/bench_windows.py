"""Benchmark: electrochemical windows of every formula in the database, cached vs. naive.

The cached path reuses one pymatgen ``PhaseDiagram`` per chemical system (and energy source);
the naive path builds a fresh phase diagram for every formula. Both run in this process on the
same formulas, and the script prints both times and their ratio.

Run:  .venv/bin/python benchmarks/bench_windows.py [--repeat N]
"""

from __future__ import annotations

import argparse
import time


def database_formulas() -> list[str]:
    """Every distinct formula of the curated materials plus the reported-window and table phases."""
    from nitrolyte import dataset
    from nitrolyte.stability import reported_windows, thermochemistry

    formulas = [str(f) for f in dataset.materials()["formula"] if isinstance(f, str) and f]
    formulas += list(reported_windows()["formula"]) + list(thermochemistry()["formula"])
    return list(dict.fromkeys(formulas))


def run(formulas: list[str], use_cache: bool) -> tuple[float, int]:
    """Seconds to compute every window, and how many were computable."""
    from nitrolyte.stability import clear_cache, electrochemical_window

    clear_cache()
    start = time.perf_counter()
    ok = sum(electrochemical_window(f, use_cache=use_cache).computable for f in formulas)
    return time.perf_counter() - start, ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="passes over the formula list (default 3)")
    args = parser.parse_args()
    formulas = database_formulas() * args.repeat
    run(formulas[:5], use_cache=True)  # warm imports
    naive, n_ok = run(formulas, use_cache=False)
    cached, n_ok_cached = run(formulas, use_cache=True)
    if n_ok != n_ok_cached:
        raise SystemExit(f"cached and naive disagree: {n_ok_cached} vs {n_ok} computable windows")
    print(f"windows: {len(formulas)} ({len(formulas) // args.repeat} distinct formulas x {args.repeat}), "
          f"{n_ok} computable with the embedded source")
    print(f"naive (fresh phase diagram per formula): {naive:.3f} s  ({1e3 * naive / len(formulas):.2f} ms/window)")
    print(f"cached (one phase diagram per chemical system): {cached:.3f} s  "
          f"({1e3 * cached / len(formulas):.2f} ms/window)")
    print(f"speed-up naive/cached: {naive / cached:.2f}x")


if __name__ == "__main__":
    main()
