"""MD checkpoints: the state after the last written frame, so a run can be continued.

``run_md`` writes ``<trajectory stem>.restart.extxyz`` after every frame (positions, momenta,
cell; replaced atomically, so a killed run leaves the last complete one). ``run_md(...,
resume=True)`` starts from it: the trajectory is cut back to the frames the checkpoint counts (a
frame half-written by a killed run goes), no new equilibration, and new frames are appended. The
continued run is statistically the same NVT run (same positions and velocities; the thermostat's
random numbers come from ``(seed, frames)``), not bit-identical to an uninterrupted one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nitrolyte.errors import InputError


@dataclass(frozen=True)
class Checkpoint:
    """The state after frame ``frames - 1`` of a trajectory (T in K, timestep in fs)."""

    atoms: Any
    frames: int
    T_K: float
    timestep_fs: float
    frame_every: int


def checkpoint_path(trajectory: str | Path) -> Path:
    """``md_600K_seed0.extxyz`` -> ``md_600K_seed0.restart.extxyz``."""
    p = Path(trajectory)
    return p.with_name(f"{p.stem}.restart.extxyz")


def write_checkpoint(trajectory: str | Path, atoms: Any, *, frames: int, T_K: float,
                     timestep_fs: float, frame_every: int) -> Path:
    """Write (atomically) the checkpoint of ``trajectory`` after its ``frames`` frames."""
    import ase.io
    from ase import Atoms

    path = checkpoint_path(trajectory)
    state = Atoms(symbols=atoms.get_chemical_symbols(), positions=atoms.get_positions(),
                  momenta=atoms.get_momenta(), cell=atoms.get_cell(), pbc=atoms.get_pbc())
    state.info.update(frames=int(frames), T_K=float(T_K), timestep_fs=float(timestep_fs),
                      frame_every=int(frame_every))
    tmp = path.with_name(path.name + ".tmp")
    ase.io.write(tmp, state, format="extxyz")
    os.replace(tmp, path)
    return path


def read_checkpoint(trajectory: str | Path) -> Checkpoint:
    """The checkpoint of ``trajectory``; :class:`InputError` when there is none or it is broken."""
    import ase.io

    path = checkpoint_path(trajectory)
    if not path.is_file():
        raise InputError(f"nothing to resume: no checkpoint {path} (run without resume first)")
    try:
        atoms = ase.io.read(path, format="extxyz")
        info = atoms.info
        cp = Checkpoint(atoms=atoms, frames=int(info["frames"]), T_K=float(info["T_K"]),
                        timestep_fs=float(info["timestep_fs"]),
                        frame_every=int(info["frame_every"]))
    except (KeyError, ValueError, TypeError, OSError) as exc:
        raise InputError(f"{path}: not a nitrolyte MD checkpoint ({type(exc).__name__}: {exc})") \
            from None
    if "momenta" not in atoms.arrays or cp.frames < 1:
        raise InputError(f"{path}: not a nitrolyte MD checkpoint (no momenta or no frame)")
    return cp


def check_compatible(cp: Checkpoint, symbols: list[str], T_K: float, timestep_fs: float,
                     frame_every: int) -> None:
    """:class:`InputError` naming the setting a continuation would change."""
    for field, asked, had in (("T_K", T_K, cp.T_K), ("timestep_fs", timestep_fs, cp.timestep_fs),
                              ("frame interval (steps)", frame_every, cp.frame_every)):
        if abs(float(asked) - float(had)) > 1e-9:
            raise InputError(f"resume: {field} is {had:g} in the run being continued, "
                             f"{asked:g} asked; continue with the same settings")
    if cp.atoms.get_chemical_symbols() != symbols:
        raise InputError("resume: the checkpoint's atoms are not this cell's (other structure, "
                         "supercell, vacancies or seed)")


def cut_trajectory(trajectory: str | Path, frames: int) -> None:
    """Keep the first ``frames`` frames of an extxyz trajectory (drops a half-written tail).

    The file is truncated in place after its last kept frame (nothing is copied).
    :class:`InputError` when the file holds fewer complete frames than that.
    """
    path = Path(trajectory)
    if not path.is_file():
        raise InputError(f"resume: the trajectory {path} is missing (only its checkpoint is there)")
    kept, end = 0, 0
    with path.open("rb") as src:
        while kept < frames:
            head = src.readline()
            try:
                n_atoms = int(head)
            except ValueError:
                break
            lines = [src.readline() for _ in range(n_atoms + 1)]
            if not lines[-1].endswith(b"\n"):
                break
            kept, end = kept + 1, src.tell()
    if kept < frames:
        raise InputError(f"resume: {path} holds {kept} complete frames, its checkpoint counts "
                         f"{frames}")
    if path.stat().st_size > end:
        os.truncate(path, end)
