"""Designs per second of a vectorised pouch-cell sweep vs plain Python loops over the same designs.

Run: ``.venv/bin/python benchmarks/bench_cell_sweep.py`` (options: ``--axis N`` points per axis,
3 axes, default 100 -> 10^6 designs; ``--loop-sample``; ``--repeat``).

Three ways to evaluate the same N designs (areal capacity x SSE thickness x N/P, Li3InCl6 stack):

* ``sweep``: :func:`nitrolyte.cell.sweep` (one numpy pass; grid output, and the long DataFrame);
* ``pouch_cell loop``: the public scalar API called once per design, as a user without
  vectorisation would (timed on an evenly spaced subsample, extrapolated to N);
* ``pure-Python loop``: the same equations as plain float arithmetic in a for-loop (timed on a
  subsample, extrapolated to N) - the fastest non-numpy baseline.

Every loop result is checked against the sweep on the subsample before timings are printed.
"""

from __future__ import annotations

import argparse

import numpy as np
from _timing import best_of

from nitrolyte.cell import pouch_cell, sweep


def _pure_python(q: float, t: float, n_p: float) -> float:
    """Gravimetric energy density (Wh/kg) with the Fig. 17 caption constants, plain floats."""
    mass = (2.7 * 10 * 0.1 + 1000 * q / 200 / 0.9 + 2.59 * t * 0.1 + 1.27 * t * 0.1
            + 1000 * n_p * q / 3500 + 8.9 * 10 * 0.1)
    return 1000 * q * 3.75 / mass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--axis", type=int, default=100, help="points per axis (3 axes)")
    parser.add_argument("--loop-sample", type=int, default=2000,
                        help="designs timed with the pouch_cell loop")
    parser.add_argument("--pure-sample", type=int, default=100_000,
                        help="designs timed with the pure-Python loop")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    axes = {"areal_capacity_mAh_cm2": np.linspace(1.0, 10.0, args.axis),
            "sse_um": np.linspace(0.0, 200.0, args.axis),
            "n_p": np.linspace(0.0, 10.0, args.axis)}
    n = args.axis ** 3

    t_grid, grid = best_of(lambda: sweep("grid", **axes), args.repeat)
    t_frame, _ = best_of(lambda: sweep("frame", **axes), args.repeat)
    flat = grid.data["gravimetric_Wh_kg"].ravel()
    mesh = [m.ravel() for m in np.meshgrid(*axes.values(), indexing="ij")]

    idx = np.linspace(0, n - 1, min(args.loop_sample, n)).astype(int)

    def api_loop() -> list[float]:
        return [pouch_cell(areal_capacity_mAh_cm2=mesh[0][i], catholyte_um=mesh[1][i],
                           nitride_um=mesh[1][i], n_p=mesh[2][i]).gravimetric_Wh_kg for i in idx]

    t_api, api = best_of(api_loop, 1)
    np.testing.assert_allclose(api, flat[idx], rtol=1e-12)

    pidx = np.linspace(0, n - 1, min(args.pure_sample, n)).astype(int)
    qs, ts, nps = (mesh[0][pidx].tolist(), mesh[1][pidx].tolist(), mesh[2][pidx].tolist())

    def pure_loop() -> list[float]:
        return [_pure_python(q, t, p) for q, t, p in zip(qs, ts, nps, strict=True)]

    t_pure, pure = best_of(pure_loop, args.repeat)
    np.testing.assert_allclose(pure, flat[pidx], rtol=1e-12)

    api_full = t_api / idx.size * n
    pure_full = t_pure / pidx.size * n
    print(f"pouch-cell sweep benchmark: {n:,} designs (3 axes x {args.axis}), Li3InCl6 stack")
    print(f"  sweep (grid)      : {t_grid:8.3f} s  {n / t_grid:14,.0f} designs/s  (best of "
          f"{args.repeat})")
    print(f"  sweep (DataFrame) : {t_frame:8.3f} s  {n / t_frame:14,.0f} designs/s")
    print(f"  pouch_cell loop   : {api_full:8.1f} s  {n / api_full:14,.0f} designs/s  "
          f"(timed on {idx.size:,} designs, extrapolated to {n:,})")
    print(f"  pure-Python loop  : {pure_full:8.3f} s  {n / pure_full:14,.0f} designs/s  "
          f"(timed on {pidx.size:,} designs, extrapolated to {n:,})")
    print(f"  speed-up of sweep (grid): {api_full / t_grid:,.0f}x vs the pouch_cell loop, "
          f"{pure_full / t_grid:,.1f}x vs the pure-Python loop")
    print("  results of both loops agree with the sweep to rel 1e-12 on their subsamples")


if __name__ == "__main__":
    main()
