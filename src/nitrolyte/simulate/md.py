"""NVT molecular dynamics through ASE, frames streamed to disk.

A Langevin thermostat (ASE) holds the temperature; the equilibration steps are run and discarded
(not written), then the production frames are appended to an extxyz file one at a time, so memory
does not grow with the run length.
"""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nitrolyte.checks import check_positive, check_range

#: Langevin friction, 1/ps (a 100 fs damping time: weak enough to leave hops undisturbed)
FRICTION_PER_PS = 10.0
#: default equilibration as a fraction of the production length
EQUILIBRATION_FRACTION = 0.25


@dataclass(frozen=True)
class MDRun:
    """One finished NVT run: where its frames are and how it was made.

    Times in ps, timestep in fs, temperatures in K; ``atom_steps_per_s`` counts production and
    equilibration steps times atoms over the wall time. ``n_frames`` and ``production_ps`` are
    those of the whole trajectory file; ``resumed_frames`` the frames it held before this run
    continued it (0 for a new run), ``mean_T_K`` that of the frames this run wrote.
    """

    trajectory: str
    formula: str
    n_atoms: int
    T_K: float
    timestep_fs: float
    equilibration_ps: float
    production_ps: float
    frame_interval_ps: float
    n_frames: int
    seed: int
    device: str
    potential: str
    model_version: str
    thermostat: str
    mean_T_K: float
    wall_s: float
    atom_steps_per_s: float
    resumed_frames: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


def to_atoms(structure: Any) -> Any:
    """An :class:`ase.Atoms` from a pymatgen ``Structure`` (or a copy of an ``Atoms``)."""
    from ase import Atoms

    if isinstance(structure, Atoms):
        return structure.copy()
    from pymatgen.io.ase import AseAtomsAdaptor

    return AseAtomsAdaptor.get_atoms(structure)


def _steps(ps: float, timestep_fs: float) -> int:
    return round(ps * 1000.0 / timestep_fs)


def _cgroup_cpus(root: str = "/sys/fs/cgroup") -> float | None:
    """CPUs allowed by the cgroup's CPU quota (v2 ``cpu.max``, v1 ``cpu.cfs_quota_us`` /
    ``cpu.cfs_period_us``), or None when there is no quota or it cannot be read."""
    from pathlib import Path

    base = Path(root)
    try:
        text = (base / "cpu.max").read_text().split()
        if text and text[0] != "max":
            return float(text[0]) / float(text[1])
    except (OSError, ValueError, IndexError):
        pass
    try:
        quota = float((base / "cpu" / "cpu.cfs_quota_us").read_text())
        period = float((base / "cpu" / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return quota / period if quota > 0 and period > 0 else None


def available_cpus() -> int:
    """CPUs this process may use: its CPU affinity (``taskset``, container cpusets) where the
    platform has ``os.sched_getaffinity``, else ``os.cpu_count()``, capped by a cgroup CPU quota
    (rounded down, at least 1)."""
    import math
    import os

    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    quota = _cgroup_cpus()
    if quota is not None:
        n = min(n, max(1, math.floor(quota)))
    return max(1, n)


def cpu_threads(n_atoms: int) -> int:
    """torch CPU threads for a cell: one per ~100 atoms, at most the CPUs this process may use
    (:func:`available_cpus`: affinity and cgroup quota, not the machine's core count).

    Small cells gain nothing from more threads and lose a lot when cores are shared.
    """
    return max(1, min(available_cpus(), n_atoms // 100))


def _integrate(dyn: Any, atoms: Any, out: str | Path, n_eq: int, n_prod: int, every: int,
               on_frame: Callable[[int, Any], None] | None = None,
               checkpoint: Callable[[int], None] | None = None,
               resumed_frames: int | None = None) -> tuple[int, float, float]:
    """Equilibrate (nothing written), then stream a frame every ``every`` production steps.

    After each frame ``checkpoint(frames_in_file)`` saves the state. ``resumed_frames``: the
    file already holds that many frames, the last one being the starting state (not written
    again). Returns the frames in the file, the mean temperature (K) of those written and the
    wall time (s); nothing kept per frame grows with the run (a running sum)."""
    from nitrolyte.simulate.trajectory import FrameWriter

    t_sum, written = 0.0, 0
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        # CHGNet's calculator converts to pymatgen, which warns about FixCom on every step
        warnings.filterwarnings("ignore", message="Only FixAtoms and FixCartesian")
        # and CHGNet reads its stress with .item() on a tensor that needs grad (torch warns)
        warnings.filterwarnings("ignore", message="Converting a tensor with requires_grad=True",
                                category=UserWarning)
        if n_eq:
            dyn.run(n_eq)
        with FrameWriter(out, append_after=resumed_frames) as writer:

            def record() -> None:
                nonlocal t_sum, written
                if resumed_frames is not None and dyn.nsteps == 0:
                    return  # the starting state is the file's last frame already
                writer.write(atoms)
                written += 1
                t_sum += float(atoms.get_temperature())
                if checkpoint is not None:
                    checkpoint(writer.n_frames)
                if on_frame is not None:
                    on_frame(writer.n_frames - 1, atoms)

            dyn.attach(record, interval=every)
            dyn.nsteps = 0  # production starts a fresh count: its first frame is written too
            dyn.run(n_prod)
    return writer.n_frames, t_sum / written if written else float("nan"), time.perf_counter() - t0


def _start(structure: Any, out: Path, T: float, timestep_fs: float, every: int, seed: int,
           resume: bool) -> tuple[Any, int | None, Any]:
    """Atoms with their starting momenta, the frames already in ``out`` (None: a new run) and
    the thermostat's random generator."""
    from ase.md.velocitydistribution import Stationary, thermalize_momenta

    from nitrolyte.simulate.restart import check_compatible, cut_trajectory, read_checkpoint

    atoms = to_atoms(structure)
    if not resume:
        rng = np.random.default_rng(seed)
        thermalize_momenta(atoms, temperature_K=T, rng=rng)
        Stationary(atoms)
        return atoms, None, rng
    cp = read_checkpoint(out)
    check_compatible(cp, atoms.get_chemical_symbols(), T, timestep_fs, every)
    cut_trajectory(out, cp.frames)
    atoms.set_cell(cp.atoms.get_cell())
    atoms.set_positions(cp.atoms.get_positions())
    atoms.set_momenta(cp.atoms.get_momenta())
    return atoms, cp.frames, np.random.default_rng([seed, cp.frames])


def _progress_bar(dyn: Any, total: int, label: str, show: bool) -> Any:
    """A tqdm bar on stderr over the ``total`` MD steps (equilibration + production), with the
    time left, advanced by an observer of ``dyn`` about 200 times; None when not ``show``."""
    if not show or total <= 0:
        return None
    from tqdm import tqdm

    bar = tqdm(total=total, desc=label, unit="step", file=sys.stderr, dynamic_ncols=True,
               mininterval=1.0)
    every = max(1, total // 200)
    started = [False]

    def advance() -> None:
        if not started[0]:  # ASE calls observers once before the first step
            started[0] = True
            return
        bar.update(min(every, total - bar.n))

    dyn.attach(advance, interval=every)
    return bar


def run_md(structure: Any, *, T_K: float, ps: float, out: str | Path, timestep_fs: float = 1.0,
           equilibration_ps: float | None = None, frame_interval_fs: float = 10.0, seed: int = 0,
           device: str = "auto", potential: str = "chgnet",
           on_frame: Callable[[int, Any], None] | None = None, resume: bool = False,
           progress: bool = False) -> MDRun:
    """Langevin NVT MD of ``structure`` at ``T_K``; production frames written to ``out``.

    Parameters
    ----------
    structure : pymatgen.core.Structure or ase.Atoms
        The cell (already a supercell).
    T_K : float
        Temperature, K (0 < T <= 5000).
    ps : float
        Production length, ps (the analysed part); with ``resume``, the length added.
    out : path
        extxyz file for the production frames; its checkpoint
        (:func:`nitrolyte.simulate.restart.checkpoint_path`) is rewritten after every frame.
    timestep_fs : float
        Integration step, fs (0 < dt <= 5).
    equilibration_ps : float, optional
        Discarded equilibration before production; default 25 % of ``ps`` (none on resume).
    frame_interval_fs : float
        Time between stored frames, fs (rounded to a whole number of steps).
    seed : int
        Seed of the initial velocities and of the thermostat noise.
    device : {"auto", "cpu", "cuda"}
        Where the potential runs.
    potential : str
        A name in :data:`nitrolyte.potentials.POTENTIALS` (``chgnet``, ``sevennet``, ``lj-toy``).
    on_frame : callable, optional
        ``on_frame(index, atoms)`` after each production frame is written (index in the file,
        from 0): a progress bar or a memory probe (``benchmarks/bench_md_run_length.py``). It
        must not keep ``atoms``, which the integrator goes on moving.
    resume : bool
        Continue ``out`` from its checkpoint (same structure, T, timestep and frame interval):
        the file is cut back to the checkpoint's frames, and ``ps`` more are appended.
    progress : bool
        Show a progress bar with the time left on stderr (tqdm; ``nitrolyte md`` without
        ``--json``).
    """
    from ase import units
    from ase.constraints import FixCom
    from ase.md.langevin import Langevin

    from nitrolyte.potentials import resolve_device
    from nitrolyte.simulate.potentials import get_potential
    from nitrolyte.simulate.restart import write_checkpoint

    T = float(check_range("T_K", T_K, lo=0.0, hi=5000.0, lo_inclusive=False))
    check_range("ps", ps, lo=0.0, hi=1e5, lo_inclusive=False)
    check_range("timestep_fs", timestep_fs, lo=0.0, hi=5.0, lo_inclusive=False)
    check_positive("frame_interval_fs", frame_interval_fs)
    eq_ps = EQUILIBRATION_FRACTION * ps if equilibration_ps is None else float(equilibration_ps)
    check_range("equilibration_ps", eq_ps, lo=0.0)
    every = max(1, round(frame_interval_fs / timestep_fs))
    atoms, resumed, rng = _start(structure, Path(out), T, timestep_fs, every, seed, resume)
    pot = get_potential(potential)
    dev = resolve_device(device)
    atoms.calc = pot.calculator(dev, purpose="md")
    atoms.set_constraint(FixCom())
    dyn = Langevin(atoms, timestep_fs * units.fs, temperature_K=T,
                   friction=FRICTION_PER_PS / (1000.0 * units.fs), fixcm=False, rng=rng)
    n_eq, n_prod = (0 if resume else _steps(eq_ps, timestep_fs)), _steps(ps, timestep_fs)

    def checkpoint(frames: int) -> None:
        write_checkpoint(out, atoms, frames=frames, T_K=T, timestep_fs=timestep_fs,
                         frame_every=every)

    import torch

    threads = torch.get_num_threads()
    if dev == "cpu":
        torch.set_num_threads(cpu_threads(len(atoms)))
    bar = _progress_bar(dyn, n_eq + n_prod, f"MD {atoms.get_chemical_formula()} {T:g} K",
                        progress)
    try:
        n_frames, mean_T, wall = _integrate(dyn, atoms, out, n_eq, n_prod, every, on_frame,
                                            checkpoint, resumed)
        if bar is not None:
            bar.update(bar.total - bar.n)  # the observer's last interval may end short
    finally:
        torch.set_num_threads(threads)
        if bar is not None:
            bar.close()
    return MDRun(
        trajectory=str(out), formula=atoms.get_chemical_formula(mode="hill"), n_atoms=len(atoms),
        T_K=T, timestep_fs=float(timestep_fs), equilibration_ps=n_eq * timestep_fs / 1000.0,
        production_ps=(max(0, (resumed or 1) - 1) * every + n_prod) * timestep_fs / 1000.0,
        frame_interval_ps=every * timestep_fs / 1000.0, n_frames=n_frames, seed=int(seed),
        device=dev, potential=pot.name, model_version=pot.version,
        thermostat=f"Langevin (ASE), friction {FRICTION_PER_PS:g}/ps",
        mean_T_K=mean_T, wall_s=wall,
        atom_steps_per_s=len(atoms) * (n_eq + n_prod) / wall if wall > 0 else float("nan"),
        resumed_frames=resumed or 0)
