"""Trajectory files in and out: a registry of readers and a streaming frame writer.

Readers are registered by name (as ASE registers its io formats); each one says which file names it
recognises and reads frames through ASE (extxyz, ASE ``.traj``, VASP ``XDATCAR``). Frames are kept
as light :class:`ase.Atoms` (symbols, positions, cell, pbc only) so that long runs fit in memory.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nitrolyte.errors import InputError


@dataclass(frozen=True)
class TrajectoryFormat:
    """One registered reader: ``ase_format`` for :func:`ase.io.iread`, ``matches(path)``."""

    name: str
    ase_format: str
    matches: Callable[[Path], bool]


#: name -> reader; fill with :func:`register_format`.
FORMATS: dict[str, TrajectoryFormat] = {}


def register_format(name: str, ase_format: str) -> Callable[[Callable[[Path], bool]],
                                                            Callable[[Path], bool]]:
    """Decorator registering ``matches(path) -> bool`` as the file-name test of a format."""

    def deco(func: Callable[[Path], bool]) -> Callable[[Path], bool]:
        FORMATS[name] = TrajectoryFormat(name, ase_format, func)
        return func

    return deco


@register_format("extxyz", "extxyz")
def _is_extxyz(path: Path) -> bool:
    return path.suffix.lower() in (".extxyz", ".xyz")


@register_format("traj", "traj")
def _is_traj(path: Path) -> bool:
    return path.suffix.lower() == ".traj"


@register_format("xdatcar", "vasp-xdatcar")
def _is_xdatcar(path: Path) -> bool:
    return "XDATCAR" in path.name.upper()


def detect_format(path: Path, fmt: str | None = None) -> TrajectoryFormat:
    """The registered format named ``fmt``, or the one whose file-name test ``path`` passes."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise InputError(f"format must be one of {', '.join(FORMATS)}; got {fmt!r}")
        return FORMATS[fmt]
    for spec in FORMATS.values():
        if spec.matches(path):
            return spec
    raise InputError(f"{path}: cannot tell the trajectory format from the file name; name it "
                     f"*.extxyz, *.xyz, *.traj or XDATCAR, or pass format= one of "
                     f"{', '.join(FORMATS)}")


def _light(atoms: Any) -> Any:
    from ase import Atoms

    return Atoms(numbers=atoms.numbers, positions=atoms.positions, cell=atoms.cell, pbc=True)


def iter_frames(path: str | Path, fmt: str | None = None) -> Iterator[Any]:
    """Frames of a trajectory file as light :class:`ase.Atoms`, one at a time.

    Raises
    ------
    InputError
        The file does not exist, its format is unknown, or ASE cannot parse it.
    """
    import ase.io

    p = Path(path)
    if not p.is_file():
        raise InputError(f"trajectory file not found: {p}")
    spec = detect_format(p, fmt)
    n_read, n_atoms = 0, 0
    try:
        for atoms in ase.io.iread(str(p), index=":", format=spec.ase_format):
            frame = _light(atoms)
            check_frame(p, n_read, frame)
            n_read, n_atoms = n_read + 1, len(frame)
            yield frame
    except InputError:
        raise
    except Exception as exc:  # ASE raises many types for malformed files
        if spec.name == "extxyz" and n_read and _only_last_frame_cut(p, n_read, n_atoms):
            import warnings

            from nitrolyte.errors import NitrolyteWarning

            warnings.warn(f"{p.name}: frame {n_read} is incomplete (a run killed while writing "
                          f"it?); using the {n_read} complete frames before it",
                          NitrolyteWarning, stacklevel=2)
            return
        raise InputError(f"{p}: cannot read as {spec.name}: {type(exc).__name__}: {exc}") from None


#: largest cell edge and |position| accepted in a frame, Å (a corrupted file gives 1e300)
MAX_LENGTH_A = 1e5


def check_frame(path: Path, index: int, atoms: Any) -> None:
    """Refuse a frame no simulation writes: non-finite or absurd positions, a cell that is not
    finite or has no volume (a corrupted ``.traj`` decodes to such frames)."""
    import numpy as np

    where = f"{path}: frame {index}"
    pos, cell = np.asarray(atoms.positions, dtype=float), np.asarray(atoms.cell[:], dtype=float)
    if not (np.isfinite(pos).all() and np.abs(pos).max(initial=0.0) <= MAX_LENGTH_A):
        raise InputError(f"{where}: atom positions must be finite and within {MAX_LENGTH_A:g} Å "
                         "(corrupted file?)")
    with np.errstate(all="ignore"):
        lengths = np.sqrt((cell * cell).sum(axis=1))
        ok = np.isfinite(lengths).all() and lengths.max() <= MAX_LENGTH_A
        volume = abs(float(np.linalg.det(cell))) if ok else math.nan
    # a flat (singular) cell has a volume far below the product of its edges
    if not (ok and volume > max(0.1, 1e-6 * float(lengths.prod()))):
        raise InputError(f"{where}: the periodic cell must be finite, with edges <= "
                         f"{MAX_LENGTH_A:g} Å and a volume > 0.1 Å³, got edges "
                         f"{', '.join(f'{x:g}' for x in lengths)} Å and volume {volume:g} Å³ "
                         "(corrupted file?)")


def _only_last_frame_cut(path: Path, n_read: int, n_atoms: int) -> bool:
    """Whether what follows ``n_read`` complete extxyz frames of ``n_atoms`` atoms (each
    ``n_atoms + 2`` lines) is shorter than one frame: a file cut while its last frame was
    written, not one corrupted in the middle."""
    with path.open("rb") as fh:
        n_lines = sum(1 for _ in fh)
    return n_lines - n_read * (n_atoms + 2) < n_atoms + 2


def read_frames(path: str | Path, fmt: str | None = None) -> list[Any]:
    """All frames of a trajectory (see :func:`iter_frames`); at least 3 frames are required."""
    return read_frames_bounded(path, fmt)[0]


def read_frames_bounded(path: str | Path, fmt: str | None = None,
                        max_atom_frames: int | None = None) -> tuple[list[Any], int]:
    """Frames of a trajectory, every ``stride``-th one when all would exceed ``max_atom_frames``.

    One pass, memory bounded: frames are kept until atoms x frames passes the bound, then every
    second kept frame is dropped and the stride doubles (so ``stride`` is a power of 2 and the
    kept frames are frames 0, stride, 2 stride, ...). None keeps every frame. Returns
    ``(frames, stride)``; at least 3 frames are required.
    """
    frames: list[Any] = []
    stride = 1
    for i, atoms in enumerate(iter_frames(path, fmt)):
        if i % stride:
            continue
        frames.append(atoms)
        if max_atom_frames and len(frames) * len(atoms) > max_atom_frames and len(frames) > 8:
            frames, stride = frames[::2], 2 * stride
    if len(frames) < 3:
        raise InputError(f"{path}: a trajectory needs at least 3 frames, got {len(frames)}")
    n = len(frames[0])
    for i, f in enumerate(frames):
        if len(f) != n:
            raise InputError(f"{path}: frame {i * stride} has {len(f)} atoms, frame 0 has {n}")
    return frames, stride


class FrameWriter:
    """Append frames to an extxyz file as they come (bounded memory), flushing each one.

    Use as a context manager; :meth:`write` takes an :class:`ase.Atoms` and stores symbols,
    positions (Å), cell and pbc only. ``append_after=N`` continues a file of N frames.
    """

    def __init__(self, path: str | Path, append_after: int | None = None):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # append_after: the file already holds that many frames; new ones go after them
        self._fh = self.path.open("w" if append_after is None else "a", encoding="utf-8")
        self.n_frames = append_after or 0

    def write(self, atoms: Any) -> None:
        """Append one frame."""
        import ase.io

        ase.io.write(self._fh, _light(atoms), format="extxyz")
        self._fh.flush()
        self.n_frames += 1

    def close(self) -> None:
        """Close the file."""
        self._fh.close()

    def __enter__(self) -> FrameWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
