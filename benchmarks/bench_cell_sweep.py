"""Pouch-cell designs per second: nitrolyte vs a numba kernel and a numpy expression written here.

Run: ``python benchmarks/bench_cell_sweep.py`` (``--designs`` random designs, default 10^7;
``--axis`` points per axis of the sweep, default 100 -> 10^6 designs; ``--repeat``).

Part 1, random designs (areal capacity, both SSE thicknesses and N/P drawn at random, Li3InCl6 |
β-Li3N stack, NMC811, 10 um foils): ``PouchCell(...).evaluate()`` against what a competent user
would write instead, both computing the same five outputs per design (Wh/kg, Wh/L, mWh/cm2,
mg/cm2, um) into fresh arrays:

* ``numba kernel``: one ``@njit`` loop over the designs (compiled before timing);
* ``numpy expression``: the same formula as whole-array numpy expressions.

Targets: nitrolyte within 1.2x of the numba kernel (issue 24; issue 9 asked 2x); at most 24 bytes of peak memory
per design beyond the inputs and the outputs (measured with tracemalloc, which sees numpy's
allocations).

Part 2, sweep of three axes (Q, SSE thickness, N/P): ``sweep('grid')`` against what a competent
user writes instead, in the same run (issue 24 item 6: within 1.2x of each):

* ``numpy broadcasting``: the expression above on the axes reshaped to broadcast
  (``q[:, None, None]``, ...), one pass per operation;
* ``numba loop``: three nested ``@njit`` loops over the axes writing the five outputs.

Then ``sweep('frame')`` against ``sweep('grid')`` plus building the frame from the grid (target:
no slower), and the pure-Python and ``pouch_cell`` loops.
Every result is checked against the others (rel 1e-12) before timings are printed.
"""

from __future__ import annotations

import argparse
import tracemalloc
from typing import Any

import numpy as np
from _timing import best_of

from nitrolyte.cell import PouchCell, pouch_cell, sweep
from nitrolyte.cell.sweep import OUTPUTS

# the Fig. 17 caption values (NMC811 | Li3InCl6 | β-Li3N | Li | Al, Cu), written out
CAP, VOLT, W, CAP_LI = 200.0, 3.75, 0.9, 3500.0
RHO_CATH, RHO_CATHOLYTE, RHO_NITRIDE, RHO_LI, RHO_AL, RHO_CU = 4.78, 2.59, 1.27, 0.534, 2.7, 8.9
AL_UM = CU_UM = 10.0


def _numba_kernel():
    from numba import njit

    @njit(cache=False)
    def loop(q, tc, tn, n_p, grav, vol, energy, mass, thick):
        for i in range(q.size):
            active = 1000.0 * q[i] / CAP
            comp = active * (1.0 - W) / W
            li = 1000.0 * n_p[i] * q[i] / CAP_LI
            m = (0.1 * (RHO_AL * AL_UM + RHO_CU * CU_UM) + active + comp
                 + 0.1 * RHO_CATHOLYTE * tc[i] + 0.1 * RHO_NITRIDE * tn[i] + li)
            t = (AL_UM + CU_UM + 10.0 * (active / RHO_CATH + comp / RHO_CATHOLYTE) + tc[i] + tn[i]
                 + 10.0 * li / RHO_LI)
            e = q[i] * VOLT
            grav[i], vol[i], energy[i], mass[i], thick[i] = 1000.0 * e / m, 1e4 * e / t, e, m, t

    def kernel(q, tc, tn, n_p):
        out = tuple(np.empty(q.size) for _ in range(5))
        loop(q, tc, tn, n_p, *out)
        return out

    return kernel


def _numba_sweep():
    from numba import njit

    @njit(cache=False)
    def loop(q, t, n_p, grav, vol, energy, mass, thick):
        for i in range(q.size):
            active = 1000.0 * q[i] / CAP
            comp = active * (1.0 - W) / W
            e = q[i] * VOLT
            for j in range(t.size):
                for k in range(n_p.size):
                    li = 1000.0 * n_p[k] * q[i] / CAP_LI
                    m = (0.1 * (RHO_AL * AL_UM + RHO_CU * CU_UM) + active + comp
                         + 0.1 * RHO_CATHOLYTE * t[j] + 0.1 * RHO_NITRIDE * t[j] + li)
                    tt = (AL_UM + CU_UM + 10.0 * (active / RHO_CATH + comp / RHO_CATHOLYTE)
                          + t[j] + t[j] + 10.0 * li / RHO_LI)
                    grav[i, j, k], vol[i, j, k] = 1000.0 * e / m, 1e4 * e / tt
                    energy[i, j, k], mass[i, j, k], thick[i, j, k] = e, m, tt

    def kernel(q, t, n_p):
        out = tuple(np.empty((q.size, t.size, n_p.size)) for _ in range(5))
        loop(q, t, n_p, *out)
        return out

    return kernel


def _numpy(q: np.ndarray, tc: np.ndarray, tn: np.ndarray, n_p: np.ndarray) -> tuple:
    active = 1000.0 * q / CAP
    comp = active * (1.0 - W) / W
    li = 1000.0 * n_p * q / CAP_LI
    m = (0.1 * (RHO_AL * AL_UM + RHO_CU * CU_UM) + active + comp + 0.1 * RHO_CATHOLYTE * tc
         + 0.1 * RHO_NITRIDE * tn + li)
    t = AL_UM + CU_UM + 10.0 * (active / RHO_CATH + comp / RHO_CATHOLYTE) + tc + tn + 10.0 * li / RHO_LI
    e = q * VOLT
    return 1000.0 * e / m, 1e4 * e / t, e, m, t


def _pure_python(q: float, t: float, n_p: float) -> float:
    mass = (2.7 * 10 * 0.1 + 1000 * q / 200 / 0.9 + 2.59 * t * 0.1 + 1.27 * t * 0.1
            + 1000 * n_p * q / 3500 + 8.9 * 10 * 0.1)
    return 1000 * q * 3.75 / mass


def random_designs(n: int, repeat: int) -> None:
    rng = np.random.default_rng(0)
    q, tc, tn, n_p = (rng.uniform(1, 10, n), rng.uniform(0, 200, n), rng.uniform(0, 200, n),
                      rng.uniform(0, 10, n))
    kernel = _numba_kernel()
    kernel(q[:10], tc[:10], tn[:10], n_p[:10])  # compile outside the timings
    ours = dict(areal_capacity_mAh_cm2=q, catholyte_um=tc, nitride_um=tn, n_p=n_p)
    PouchCell(**{k: v[:70_000] for k, v in ours.items()}).evaluate()  # compile/load ours too
    t_numba, ref = best_of(lambda: kernel(q, tc, tn, n_p), repeat)
    t_numpy, ref_np = best_of(lambda: _numpy(q, tc, tn, n_p), repeat)
    t_ours, res = best_of(lambda: PouchCell(**ours).evaluate(), repeat)
    names = ("gravimetric_Wh_kg", "volumetric_Wh_L", "energy_mWh_cm2", "mass_mg_cm2",
             "thickness_um")
    for k, name in enumerate(names):
        np.testing.assert_allclose(getattr(res, name), ref[k], rtol=1e-12, err_msg=name)
        np.testing.assert_allclose(ref_np[k], ref[k], rtol=1e-12, err_msg=name)
    del res
    tracemalloc.start()
    PouchCell(**ours).evaluate()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    extra = (peak - 5 * 8 * n) / n
    print(f"pouch-cell benchmark, {n:,} random designs (5 outputs each, fresh arrays):")
    print(f"  nitrolyte PouchCell.evaluate : {t_ours * 1e3:8.1f} ms")
    print(f"  numba kernel (written here)  : {t_numba * 1e3:8.1f} ms")
    print(f"  numpy expression (here)      : {t_numpy * 1e3:8.1f} ms")
    print(f"  ratio nitrolyte / numba kernel: {t_ours / t_numba:.2f}x (target <= 1.2: "
          f"{'meets' if t_ours <= 1.2 * t_numba else 'MISSES'}); nitrolyte / numpy: "
          f"{t_ours / t_numpy:.2f}x")
    print(f"  peak memory beyond inputs and outputs: {extra:.1f} bytes/design (target <= 24: "
          f"{'meets' if extra <= 24 else 'MISSES'})")


def sweeps(axis: int, repeat: int) -> None:
    axes = {"areal_capacity_mAh_cm2": np.linspace(1.0, 10.0, axis),
            "sse_um": np.linspace(0.0, 200.0, axis), "n_p": np.linspace(0.0, 10.0, axis)}
    n = axis ** 3
    q, t, n_p = axes.values()
    loop = _numba_sweep()
    loop(q[:2], t[:2], n_p[:2])  # compile outside the timings
    sweep("grid", **axes)  # first call: numba's cache load
    # interleaved (a busy machine slows all three alike); best of ``repeat`` each
    times: dict[str, list[float]] = {"loop": [], "bcast": [], "grid": []}
    calls = {"loop": lambda: loop(q, t, n_p),
             "bcast": lambda: _numpy(q[:, None, None], t[None, :, None], t[None, :, None],
                                     n_p[None, None, :]),
             "grid": lambda: sweep("grid", **axes)}
    out: dict[str, Any] = {}
    for _ in range(max(1, repeat)):
        for name, func in calls.items():
            seconds, out[name] = best_of(func, 1)
            times[name].append(seconds)
    (t_loop, by_loop), (t_bcast, by_bcast), (t_grid, grid) = (
        (min(times[k]), out[k]) for k in ("loop", "bcast", "grid"))
    for k, name in enumerate(OUTPUTS):
        np.testing.assert_allclose(grid.data[name], by_loop[k], rtol=1e-12, err_msg=name)
        np.testing.assert_allclose(np.broadcast_to(by_bcast[k], grid.shape), by_loop[k],
                                   rtol=1e-12, err_msg=name)
    t_build, built = best_of(grid.to_frame, repeat)
    t_frame, frame = best_of(lambda: sweep("frame", **axes), repeat)
    np.testing.assert_allclose(frame.to_numpy(), built.to_numpy(), rtol=1e-12)
    flat = grid.data["gravimetric_Wh_kg"].ravel()
    mesh = [m.ravel() for m in np.meshgrid(*axes.values(), indexing="ij")]
    idx = np.linspace(0, n - 1, min(500, n)).astype(int)
    t_api, api = best_of(lambda: [pouch_cell(areal_capacity_mAh_cm2=mesh[0][i],
                                             catholyte_um=mesh[1][i], nitride_um=mesh[1][i],
                                             n_p=mesh[2][i]).gravimetric_Wh_kg for i in idx], 1)
    np.testing.assert_allclose(api, flat[idx], rtol=1e-12)
    pidx = np.linspace(0, n - 1, min(100_000, n)).astype(int)
    qs, ts, nps = (mesh[0][pidx].tolist(), mesh[1][pidx].tolist(), mesh[2][pidx].tolist())
    t_pure, pure = best_of(lambda: [_pure_python(a, b, c) for a, b, c in zip(qs, ts, nps,
                                                                             strict=True)], repeat)
    np.testing.assert_allclose(pure, flat[pidx], rtol=1e-12)
    api_full, pure_full = t_api / idx.size * n, t_pure / pidx.size * n
    print(f"sweep of {n:,} designs (3 axes x {axis}):")
    print(f"  sweep('grid')                : {t_grid * 1e3:8.1f} ms")
    print(f"  numpy broadcasting (here)    : {t_bcast * 1e3:8.1f} ms  ratio sweep('grid') / "
          f"numpy: {t_grid / t_bcast:.2f}x (target <= 1.2: "
          f"{'meets' if t_grid <= 1.2 * t_bcast else 'MISSES'})")
    print(f"  numba loop over axes (here)  : {t_loop * 1e3:8.1f} ms  ratio sweep('grid') / "
          f"numba: {t_grid / t_loop:.2f}x (target <= 1.2: "
          f"{'meets' if t_grid <= 1.2 * t_loop else 'MISSES'})")
    print(f"  grid.to_frame()              : {t_build * 1e3:8.1f} ms")
    print(f"  sweep('frame')               : {t_frame * 1e3:8.1f} ms  ratio to grid + to_frame: "
          f"{t_frame / (t_grid + t_build):.2f}x (target <= 1: "
          f"{'meets' if t_frame <= t_grid + t_build else 'MISSES'})")
    print(f"  pure-Python loop             : {pure_full * 1e3:8.1f} ms (extrapolated from "
          f"{pidx.size:,})")
    print(f"  pouch_cell loop              : {api_full:8.1f} s  (extrapolated from {idx.size:,})")
    print(f"  speed-up of sweep('frame'): {pure_full / t_frame:,.1f}x vs the pure-Python loop, "
          f"{api_full / t_frame:,.0f}x vs the pouch_cell loop")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--designs", type=int, default=10_000_000)
    parser.add_argument("--axis", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    random_designs(args.designs, args.repeat)
    sweeps(args.axis, args.repeat)


if __name__ == "__main__":
    main()
