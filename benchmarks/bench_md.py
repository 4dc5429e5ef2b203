"""MD throughput (atom-steps/s) of ``nitrolyte.simulate.run_md`` with CHGNet, cells of ~100 to
~2,000 atoms, against the loop a competent user writes by hand in the same process: ASE Langevin
with CHGNet's ``CHGNetCalculator`` at its defaults (energy, forces, stress and magnetic moments
every step) and an ASE ``Trajectory`` writer (no nitrolyte), on the CPU with the torch threads
run_md uses for the cell (issue 23: the same cell and threads).

Run: ``.venv/bin/python benchmarks/bench_md.py`` (options: ``--supercells 3x2x2,4x4x4,8x8x4``
of beta-Li3N (8 atoms per cell: 96, 512, 2048 atoms); ``--steps`` per run, default 5;
``--device auto|cpu|cuda``; ``--potential``; ``--rss-only``: just run_md's peak RSS per size).

Printed per size: atom-steps/s of run_md and of the hand loop, their ratio, where the time
goes (share of the step spent in the potential's energy/force/stress evaluation, the rest being
integrator, thermostat and frame writing), and the peak RSS (GB) of a fresh process running
run_md for the same steps (model load included) against a fresh process running the hand loop,
so the memory of one never hides in the other's. On a machine with CUDA the same sizes run on the GPU
as well and the GPU/CPU ratio is printed; without CUDA that line says so.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np


def _cell(supercell: tuple[int, int, int]) -> object:
    from nitrolyte.structures import structure

    return structure("beta-Li3N") * supercell


def _force_time(atoms: object, calc: object, repeat: int) -> float:
    """Mean wall time (s) of one energy+forces+stress evaluation (cache defeated)."""
    a = atoms.copy()  # type: ignore[attr-defined]
    a.calc = calc
    rng = np.random.default_rng(0)
    a.get_forces()  # warm-up (graph build, lazy init)
    t0 = time.perf_counter()
    for _ in range(repeat):
        a.positions += rng.normal(0, 1e-3, a.positions.shape)
        a.get_forces()
    return (time.perf_counter() - t0) / repeat


def _plain_calculator(potential: str, device: str) -> object:
    """The calculator a user builds by hand: CHGNet's own defaults (all properties, default
    torch threads); the registry's for other potentials."""
    if potential != "chgnet":
        from nitrolyte.simulate.potentials import get_potential

        return get_potential(potential).calculator(device)
    from chgnet.model.dynamics import CHGNetCalculator

    from nitrolyte.structures.atomistic.potential import load_chgnet

    return CHGNetCalculator(model=load_chgnet(device), use_device=device)


def _hand_loop(atoms: object, calc: object, steps: int, out: Path) -> float:
    """atom-steps/s of plain ASE Langevin + CHGNetCalculator + ASE Trajectory."""
    from ase import units
    from ase.io.trajectory import Trajectory
    from ase.md.langevin import Langevin

    a = atoms.copy()  # type: ignore[attr-defined]
    a.calc = calc
    dyn = Langevin(a, 1.0 * units.fs, temperature_K=600, friction=0.01 / units.fs,
                   rng=np.random.default_rng(0))
    traj = Trajectory(str(out), "w", a)
    dyn.attach(traj.write, interval=1)
    t0 = time.perf_counter()
    dyn.run(steps)
    wall = time.perf_counter() - t0
    traj.close()
    return len(a) * steps / wall


_RSS_CHILD = """
import sys, tempfile
from pathlib import Path
sys.path.insert(0, {here!r})
import bench_md as b
sc, steps, device, potential, which = {args!r}
with tempfile.TemporaryDirectory() as d:
    if which == "run_md":
        from nitrolyte.simulate.md import run_md
        run_md(b._cell(sc), T_K=600.0, ps=steps / 1000.0, out=Path(d) / "t.extxyz",
               equilibration_ps=0.0, frame_interval_fs=1.0, device=device, potential=potential)
    else:
        from pymatgen.io.ase import AseAtomsAdaptor
        atoms = AseAtomsAdaptor.get_atoms(b._cell(sc))
        b._hand_loop(atoms, b._plain_calculator(potential, device), steps, Path(d) / "h.traj")
# VmHWM: this process image's own high-water mark (ru_maxrss would also count the parent's RSS
# at fork time, which Linux carries across exec)
print(next(int(ln.split()[1]) for ln in open("/proc/self/status") if ln.startswith("VmHWM")))
"""


def peak_rss_gb(supercell: tuple[int, int, int], steps: int, device: str, potential: str,
                which: str) -> float:
    """Peak resident memory (GB) of a fresh Python process doing ``which`` ("run_md" or
    "hand") for ``steps`` steps of the cell (Linux ``VmHWM`` of /proc/self/status, kB)."""
    import subprocess
    import sys

    code = _RSS_CHILD.format(here=str(Path(__file__).parent),
                             args=(supercell, steps, device, potential, which))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return int(done.stdout.strip().splitlines()[-1]) / 1024**2


def bench(supercell: tuple[int, int, int], steps: int, device: str, potential: str,
          tmp: Path) -> dict[str, float]:
    """One size on one device: run_md and hand-loop throughput, force-evaluation share.

    The force share is measured with the threads run_md uses for this cell."""
    from pymatgen.io.ase import AseAtomsAdaptor

    from nitrolyte.simulate.md import run_md
    from nitrolyte.simulate.potentials import get_potential

    cell = _cell(supercell)
    atoms = AseAtomsAdaptor.get_atoms(cell)
    import torch

    from nitrolyte.simulate.md import cpu_threads

    calc = get_potential(potential).calculator(device)
    default_threads = torch.get_num_threads()
    if device == "cpu":
        torch.set_num_threads(cpu_threads(len(atoms)))
    t_force = _force_time(atoms, calc, max(2, steps // 2))
    torch.set_num_threads(default_threads)
    run = run_md(cell, T_K=600.0, ps=steps / 1000.0, out=tmp / "md.extxyz", timestep_fs=1.0,
                 equilibration_ps=0.0, frame_interval_fs=1.0, device=device, potential=potential)
    ours = run.atom_steps_per_s
    if device == "cpu":  # the same threads as run_md (issue 23: same cell and threads)
        torch.set_num_threads(cpu_threads(len(atoms)))
    theirs = _hand_loop(atoms, _plain_calculator(potential, device), steps, tmp / "hand.traj")
    torch.set_num_threads(default_threads)
    step_s = len(atoms) / ours
    return {"n_atoms": len(atoms), "ours": ours, "hand": theirs,
            "force_share": min(1.0, t_force / step_s),
            "rss_ours": peak_rss_gb(supercell, steps, device, potential, "run_md"),
            "rss_hand": peak_rss_gb(supercell, steps, device, potential, "hand")}


def main() -> None:
    """Parse options, run each size, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--supercells", default="3x2x2,4x4x4,8x8x4")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--potential", default="chgnet")
    parser.add_argument("--rss-only", action="store_true",
                        help="only the peak RSS of run_md per size (fresh process each; no hand "
                             "loop, whose CHGNet calculator needs ~2x the memory)")
    args = parser.parse_args()
    import torch

    sizes = [tuple(int(x) for x in s.split("x")) for s in args.supercells.split(",")]
    if args.rss_only:
        print(f"{'atoms':>6} {'run_md peak RSS (GB)':>21}")
        for sc in sizes:
            n = len(_cell(sc))  # type: ignore[arg-type]
            print(f"{n:>6} {peak_rss_gb(sc, args.steps, 'cpu', args.potential, 'run_md'):>21.2f}",
                  flush=True)
        return
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        print(f"{'atoms':>6} {'device':>6} {'run_md atom-steps/s':>20} "
              f"{'hand loop':>12} {'ratio run_md/hand':>18} {'force share':>12} "
              f"{'peak RSS GB run_md/hand':>24}")
        cpu = {}
        for sc in sizes:
            r = bench(sc, args.steps, "cpu", args.potential, tmp)  # type: ignore[arg-type]
            cpu[sc] = r
            print(f"{r['n_atoms']:>6} {'cpu':>6} {r['ours']:>20.1f} {r['hand']:>12.1f} "
                  f"{r['ours'] / r['hand']:>18.2f} {r['force_share']:>12.0%} "
                  f"{r['rss_ours']:>14.2f} / {r['rss_hand']:.2f}")
        if torch.cuda.is_available() and args.device in ("auto", "cuda"):
            for sc in sizes:
                g = bench(sc, args.steps, "cuda", args.potential, tmp)  # type: ignore[arg-type]
                print(f"{g['n_atoms']:>6} {'cuda':>6} {g['ours']:>20.1f} {g['hand']:>12.1f} "
                      f"{g['ours'] / g['hand']:>18.2f} {g['force_share']:>12.0%} "
                      f"{g['rss_ours']:>14.2f} / {g['rss_hand']:.2f}   "
                      f"GPU/CPU ratio {g['ours'] / cpu[sc]['ours']:.1f}")
        else:
            print("GPU/CPU ratio: not measured (torch sees no CUDA device on this machine)")
    print("ratio run_md/hand printed above (1.0 = no overhead over the hand-written ASE loop)")


if __name__ == "__main__":
    main()
