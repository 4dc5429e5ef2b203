"""Does ``run_md``'s memory grow with the run length? RSS per frame over a long run, against
the plain loop that keeps its frames in memory.

Each run is a fresh process (``--child``) running Langevin NVT of a beta-Li3N supercell at
600 K, 1 fs steps, no equilibration, that records after every frame, into preallocated arrays,
its resident set size (Linux ``/proc/self/statm``) and its peak RSS since the previous frame
(``VmHWM``, reset each frame through ``/proc/self/clear_refs``), so that the transient peak of
each step's force evaluation is caught, not only the RSS between steps:

* ``run_md``: ``nitrolyte.simulate.md.run_md`` (frames streamed to an extxyz file), sampled by
  its ``on_frame`` hook;
* ``kept`` (baseline, what a competent user writes when the analysis comes after the run): ASE
  ``Langevin`` with the same calculator, thermostat and seed, and every frame kept as
  ``frames.append(atoms.copy())``.

Printed per run: peak RSS, the highest per-step peak over the first ``--window`` steps and over
the last ``--window`` steps, the least-squares growth of the per-step peaks per 1,000 steps (samples after the first 10 % of the run,
which holds the allocator's and lazy imports' warm-up), and its extrapolation to 50,000 steps
(50 ps at 1 fs); then the ratio of the baseline's growth to run_md's. The bytes one kept frame
holds (``atoms.copy()`` arrays) are printed beside the baseline's measured growth.

Two uses: the cheap ``--potential lj-toy`` for thousands of steps isolates the MD loop, frame
streaming and thermostat from the model; ``--potential chgnet`` (few steps, slow on CPU) shows
that the model's per-step memory is recycled rather than accumulated.

Run: ``.venv/bin/python benchmarks/bench_md_run_length.py --potential lj-toy --supercell 8x8x4
--steps 3000 --frame-interval-fs 10`` (2,048 atoms), or ``--potential chgnet --steps 12
--frame-interval-fs 1 --window 3 --runs run_md``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

#: 50 ps at 1 fs
TARGET_STEPS = 50_000


def rss_mb(statm: int) -> float:
    """Resident set size (MB) read from an open ``/proc/self/statm`` descriptor."""
    return int(os.pread(statm, 200, 0).split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


class IntervalPeak:
    """Peak RSS (MB) since the previous call: Linux ``VmHWM``, then reset by writing 5 to
    ``/proc/self/clear_refs`` (NaN where that file cannot be written)."""

    def __init__(self) -> None:
        self.status = os.open("/proc/self/status", os.O_RDONLY)
        try:
            self.clear: int | None = os.open("/proc/self/clear_refs", os.O_WRONLY)
        except OSError:
            self.clear = None

    def __call__(self) -> float:
        if self.clear is None:
            return float("nan")
        text = os.pread(self.status, 4096, 0)
        i = text.index(b"VmHWM:")
        peak = int(text[i + 6:text.index(b"kB", i)]) * 1024 / 1e6
        os.write(self.clear, b"5")
        return peak


def frame_bytes(atoms: object) -> int:
    """Bytes held by the arrays of one ``atoms.copy()`` (what a kept frame costs at least)."""
    return sum(a.nbytes for a in atoms.copy().arrays.values())  # type: ignore[attr-defined]


def _kept_loop(atoms: object, calc: object, steps: int, every: int, probe: object) -> None:
    """The baseline: ASE Langevin like run_md's, every ``every``-th frame kept in a list."""
    from ase import units
    from ase.constraints import FixCom
    from ase.md.langevin import Langevin
    from ase.md.velocitydistribution import Stationary, thermalize_momenta

    from nitrolyte.simulate.md import FRICTION_PER_PS

    rng = np.random.default_rng(0)
    atoms.calc = calc  # type: ignore[attr-defined]
    thermalize_momenta(atoms, temperature_K=600.0, rng=rng)
    Stationary(atoms)
    atoms.set_constraint(FixCom())  # type: ignore[attr-defined]
    dyn = Langevin(atoms, units.fs, temperature_K=600.0,
                   friction=FRICTION_PER_PS / (1000.0 * units.fs), fixcm=False, rng=rng)
    frames: list[object] = []

    def keep() -> None:
        frames.append(atoms.copy())  # type: ignore[attr-defined]
        probe(len(frames) - 1, atoms)  # type: ignore[operator]

    dyn.attach(keep, interval=every)
    dyn.run(steps)


def child(which: str, supercell: tuple[int, int, int], steps: int, every: int,
          potential: str) -> dict:
    """One run in this process; RSS (MB) after each frame."""
    from pymatgen.io.ase import AseAtomsAdaptor

    from nitrolyte.simulate.md import run_md
    from nitrolyte.structures import structure

    cell = structure("beta-Li3N") * supercell
    n_frames = steps // every + 1
    rss = np.full(n_frames, np.nan)  # preallocated: the probe itself allocates nothing
    peak = np.full(n_frames, np.nan)
    statm = os.open("/proc/self/statm", os.O_RDONLY)
    interval_peak = IntervalPeak()

    def probe(i: int, atoms: object) -> None:
        if i < n_frames:
            rss[i] = rss_mb(statm)
            peak[i] = interval_peak()

    with tempfile.TemporaryDirectory() as tmp:
        if which == "run_md":
            run_md(cell, T_K=600.0, ps=steps / 1000.0, out=Path(tmp) / "t.extxyz",
                   equilibration_ps=0.0, frame_interval_fs=float(every), seed=0, device="cpu",
                   potential=potential, on_frame=probe)
        else:
            from nitrolyte.simulate.potentials import get_potential

            atoms = AseAtomsAdaptor.get_atoms(cell)
            _kept_loop(atoms, get_potential(potential).calculator("cpu"), steps, every, probe)
    status = Path("/proc/self/status").read_text().splitlines()
    hwm = next(int(ln.split()[1]) for ln in status if ln.startswith("VmHWM"))
    atoms = AseAtomsAdaptor.get_atoms(cell)
    atoms.set_momenta(np.zeros((len(atoms), 3)))
    return {"which": which, "atoms": len(cell), "every": every, "rss_MB": rss.tolist(),
            "interval_peak_MB": peak.tolist(),
            "peak_MB": max(hwm * 1024 / 1e6, float(np.nanmax(peak))),
            "frame_bytes": frame_bytes(atoms)}


def _walk_frames(cell: object, n_frames: int) -> Iterator[object]:
    """Frames of a Li random walk in ``cell`` (N and the rest fixed), one at a time."""
    from ase import Atoms

    pos0 = cell.cart_coords  # type: ignore[attr-defined]
    li = np.array([s.symbol == "Li" for s in cell.species])  # type: ignore[attr-defined]
    rng = np.random.default_rng(0)
    pos = pos0.copy()
    for t in range(n_frames):
        if t:
            pos[li] += rng.normal(0.0, 0.3, (int(li.sum()), 3))
        yield Atoms(numbers=cell.atomic_numbers, positions=pos.copy(),  # type: ignore[attr-defined]
                    cell=cell.lattice.matrix, pbc=True)  # type: ignore[attr-defined]


def analysis_child(supercell: tuple[int, int, int], n_frames: int, from_file: bool) -> dict:
    """Peak RSS of ``analyze_diffusion`` on a random walk of the cell's Li: frames in memory, or
    (``from_file``) an extxyz file read with the model loaded, as ``nitrolyte md`` does."""
    from nitrolyte.simulate.diffusion import analyze_diffusion
    from nitrolyte.simulate.trajectory import FrameWriter
    from nitrolyte.structures import structure

    cell = structure("beta-Li3N") * supercell
    with tempfile.TemporaryDirectory() as tmp:
        if from_file:
            source: object = Path(tmp) / "walk.extxyz"
            with FrameWriter(source) as writer:  # type: ignore[arg-type]
                for atoms in _walk_frames(cell, n_frames):
                    writer.write(atoms)
            from nitrolyte.simulate.potentials import get_potential

            model = get_potential("chgnet").calculator("cpu")  # noqa: F841 (held, as in md)
        else:
            source = list(_walk_frames(cell, n_frames))
        status = Path("/proc/self/status").read_text().splitlines()
        before = next(int(ln.split()[1]) for ln in status if ln.startswith("VmRSS"))
        res = analyze_diffusion(source, frame_interval_ps=0.01, T_K=600.0)  # type: ignore[arg-type]
    status = Path("/proc/self/status").read_text().splitlines()
    hwm = next(int(ln.split()[1]) for ln in status if ln.startswith("VmHWM"))
    return {"atoms": len(cell), "frames": n_frames, "frames_MB": before * 1024 / 1e6,
            "peak_MB": hwm * 1024 / 1e6, "diffusive": bool(res.diffusive),
            "stride": res.frame_stride}


def analysis_report(rows: list[dict], target_frames: int) -> None:
    """Peak RSS of the analysis per frame count and a line through the two longest runs."""
    print("| atoms | frames | stride read | RSS before the analysis (MB) | analysis peak RSS (MB)"
          " | diffusive |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['atoms']} | {r['frames']} | {r.get('stride', 1)} | {r['frames_MB']:.0f} | "
              f"{r['peak_MB']:.0f} | {r['diffusive']} |")
    if len(rows) >= 2:
        a, b = sorted(rows, key=lambda r: r["frames"])[-2:]
        slope = (b["peak_MB"] - a["peak_MB"]) / (b["frames"] - a["frames"])
        print(f"analysis peak: {1000 * slope:.0f} MB per 1,000 frames; extrapolated to "
              f"{target_frames} frames: {b['peak_MB'] + slope * (target_frames - b['frames']):.0f}"
              " MB")


def summarise(r: dict, window: int) -> dict:
    """Peak, first/last-window RSS, fitted growth per 1,000 steps and its 50 ps extrapolation."""
    rss = np.asarray(r["interval_peak_MB"], dtype=float)
    if np.isnan(rss).all():  # no clear_refs: the RSS at each frame
        rss = np.asarray(r["rss_MB"], dtype=float)
    steps = np.arange(len(rss)) * r["every"]
    ok = ~np.isnan(rss)
    steps, rss = steps[ok], rss[ok]
    w = max(1, window // r["every"])
    fit = steps >= 0.1 * steps[-1]
    slope, se = float("nan"), float("nan")
    if fit.sum() >= 4:
        coef, cov = np.polyfit(steps[fit], rss[fit], 1, cov=True)
        slope, se = coef[0], float(np.sqrt(cov[0, 0]))
    elif fit.sum() >= 2:
        slope = np.polyfit(steps[fit], rss[fit], 1)[0]
    per_1000 = 1000.0 * slope
    return {**r, "first_MB": float(rss[:w].max()), "last_MB": float(rss[-w:].max()),
            "growth_MB_per_1000": float(per_1000), "growth_se": 1000.0 * se,
            "steps": int(steps[-1]),
            # a falling trend is not extrapolated (taken as no growth)
            "at_50ps_MB": float(rss[-1] + max(per_1000, 0.0) * (TARGET_STEPS - steps[-1]) / 1000),
            "between_MB": (float(np.nanmin(r["rss_MB"][:w + 1])), float(r["rss_MB"][-1]))}


def run_child(which: str, args: argparse.Namespace) -> dict:
    """The child run in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", which, "--supercell", args.supercell,
         "--steps", str(args.steps), "--frame-interval-fs", str(args.frame_interval_fs),
         "--potential", args.potential, *(["--from-file"] if args.from_file else [])],
        capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{which}: {done.stderr[-1500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(rows: list[dict]) -> None:
    """The table and the growth ratio of the baseline to run_md."""
    print("| run | atoms | steps | frame every (fs) | peak RSS (MB) | per-step peak, first window (MB) | "
          "per-step peak, last window (MB) | growth ± s.e. (MB / 1,000 steps) | extrapolated at 50,000 steps (MB) | "
          "RSS between steps, start -> end (MB) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for s in rows:
        print(f"| {s['which']} | {s['atoms']} | {s['steps']} | {s['every']} | "
              f"{s['peak_MB']:.1f} | {s['first_MB']:.1f} | {s['last_MB']:.1f} | "
              f"{s['growth_MB_per_1000']:+.3f} ± {s['growth_se']:.3f} | {s['at_50ps_MB']:.0f} | "
              f"{s['between_MB'][0]:.0f} -> {s['between_MB'][1]:.0f} |")
    by = {s["which"]: s for s in rows}
    if "kept" in by:
        k = by["kept"]
        expect = k["frame_bytes"] * 1000.0 / k["every"] / 1e6
        print(f"kept frame: {k['frame_bytes']} bytes of arrays -> {expect:.3f} MB per 1,000 "
              f"steps expected, {k['growth_MB_per_1000']:.3f} measured")
    if {"kept", "run_md"} <= by.keys():
        ours = by["run_md"]["growth_MB_per_1000"]
        # RSS moves in 4 kB pages: below one page per 1,000 steps the growth is not resolved
        floor = 4096 / 1e6
        ratio = by["kept"]["growth_MB_per_1000"] / max(ours, floor)
        sign = ">" if ours < floor else ""
        print(f"ratio growth kept / run_md: {sign}{ratio:.0f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--supercell", default="8x8x4", help="of beta-Li3N (8 atoms per cell)")
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--frame-interval-fs", type=int, default=10)
    ap.add_argument("--potential", default="lj-toy")
    ap.add_argument("--window", type=int, default=100, help="steps in the first/last window")
    ap.add_argument("--runs", default="run_md,kept")
    ap.add_argument("--save", help="also write the per-frame samples (JSON) to this file")
    ap.add_argument("--load", help="report the samples saved by --save instead of running")
    ap.add_argument("--analysis-frames", default="",
                    help="instead: peak RSS of the diffusion analysis for these frame counts")
    ap.add_argument("--from-file", action="store_true",
                    help="with --analysis-frames: write the walk to an extxyz file and analyse "
                         "the file with the CHGNet model loaded (what nitrolyte md does)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    sc = tuple(int(x) for x in args.supercell.split("x"))
    if args.child == "analysis":
        print(json.dumps(analysis_child(sc, args.steps, args.from_file)))
        return
    if args.analysis_frames:
        rows = []
        for n in (int(x) for x in args.analysis_frames.split(",")):
            args.steps = n
            rows.append(run_child("analysis", args))
        target = TARGET_STEPS // args.frame_interval_fs + 1
        analysis_report(rows, target)
        return
    if args.child:
        print(json.dumps(child(args.child, sc, args.steps, args.frame_interval_fs,
                               args.potential)))
        return
    if args.load:
        rows = json.loads(Path(args.load).read_text())
    else:
        rows = [run_child(w, args) for w in args.runs.split(",") if w]
    if args.save:
        Path(args.save).write_text(json.dumps(rows))
    report([summarise(r, args.window) for r in rows])


if __name__ == "__main__":
    main()
