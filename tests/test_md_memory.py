"""run_md's memory does not grow with the run length: frames are streamed, not kept.

The resident set size of this process is read after every frame (``on_frame`` hook, Linux
``/proc/self/statm``). The bound is what keeping the frames would cost, from the bytes of one
``atoms.copy()`` times the frames; a calibration in the same test shows that the probe sees a
kept trajectory of that size. Memory, not timing: nothing here depends on the machine's speed.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

import numpy as np
import pytest

STATM = Path("/proc/self/statm")
pytestmark = pytest.mark.skipif(not STATM.exists(), reason="needs Linux /proc/self/statm")


def _rss_bytes(fd: int) -> int:
    return int(os.pread(fd, 200, 0).split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _cell() -> object:
    from nitrolyte.structures import structure

    return structure("beta-Li3N") * (4, 4, 4)  # 512 atoms


def _frame_bytes(atoms: object) -> int:
    return sum(a.nbytes for a in atoms.arrays.values())  # type: ignore[attr-defined]


def test_run_md_rss_flat_while_kept_frames_would_grow(tmp_path: Path) -> None:
    from nitrolyte.simulate.md import run_md

    fd = os.open(STATM, os.O_RDONLY)
    steps, skip = 300, 30
    # warm-up run: lazy imports, the potential's first call, the writer's first frame
    run_md(_cell(), T_K=600.0, ps=0.02, out=tmp_path / "warm.extxyz", equilibration_ps=0.0,
           frame_interval_fs=1.0, device="cpu", potential="lj-toy")
    gc.collect()
    rss = np.zeros(steps + 1, dtype=np.int64)
    held: dict[str, int] = {}

    def probe(i: int, atoms: object) -> None:
        rss[i] = _rss_bytes(fd)
        if i == 0:
            held["frame"] = _frame_bytes(atoms.copy())  # type: ignore[attr-defined]

    run = run_md(_cell(), T_K=600.0, ps=steps / 1000.0, out=tmp_path / "t.extxyz",
                 equilibration_ps=0.0, frame_interval_fs=1.0, device="cpu",
                 potential="lj-toy", on_frame=probe)
    assert run.n_frames == steps + 1
    assert (rss > 0).all()  # on_frame saw every frame, indices 0..n-1
    kept = held["frame"] * (steps - skip)  # what the frames after ``skip`` would hold if kept
    assert kept > 5e6  # 512 atoms x 56 bytes x 270 frames = 7.7 MB, far above page noise
    growth = int(rss[skip:].max()) - int(rss[skip])
    assert growth < kept / 4, (growth, kept)

    # calibration: the same probe sees that many frames kept (so the bound above can fail)
    from pymatgen.io.ase import AseAtomsAdaptor

    atoms = AseAtomsAdaptor.get_atoms(_cell())
    atoms.set_momenta(np.zeros((len(atoms), 3)))
    gc.collect()
    before = _rss_bytes(fd)
    frames = [atoms.copy() for _ in range(steps - skip)]
    for f in frames:
        f.positions += 1e-3  # every kept frame owns its arrays
    # (freed heap left by the runs above may absorb part of it: half is asked)
    assert _rss_bytes(fd) - before > 0.5 * kept
    os.close(fd)
