"""MD checkpoints: a run continued from its checkpoint extends the same trajectory."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nitrolyte.cli import app
from nitrolyte.errors import InputError
from nitrolyte.simulate.restart import checkpoint_path, cut_trajectory, read_checkpoint

runner = CliRunner()
TOY = {"potential": "lj-toy", "device": "cpu", "frame_interval_fs": 10.0}


@pytest.fixture(scope="module")
def cell() -> object:
    from nitrolyte.simulate.pipeline import build_cell

    return build_cell("beta-Li3N", (2, 2, 1), 0.0, 0)


def _positions(path: Path) -> np.ndarray:
    import ase.io

    return np.array([f.positions for f in ase.io.read(path, index=":")])


def test_resume_appends_without_repeating_the_last_frame(cell: object, tmp_path: Path) -> None:
    from nitrolyte.simulate.md import run_md

    out = tmp_path / "md.extxyz"
    first = run_md(cell, T_K=600.0, ps=0.1, out=out, equilibration_ps=0.02, **TOY)
    assert (first.n_frames, first.resumed_frames) == (11, 0)
    assert read_checkpoint(out).frames == 11
    before = _positions(out)
    more = run_md(cell, T_K=600.0, ps=0.1, out=out, resume=True, **TOY)
    assert (more.n_frames, more.resumed_frames, more.equilibration_ps) == (21, 11, 0.0)
    assert more.production_ps == pytest.approx(0.2)
    pos = _positions(out)
    np.testing.assert_array_equal(pos[:11], before)  # the first part untouched
    steps = np.linalg.norm(np.diff(pos, axis=0), axis=2).max(axis=1)
    # the step across the join is an ordinary 10 fs step, not a jump or a repeat (0)
    assert 0.3 * np.median(steps) < steps[10] < 3 * np.median(steps)


def test_resume_after_a_kill_drops_the_half_written_frame(cell: object, tmp_path: Path) -> None:
    from nitrolyte.simulate.md import run_md

    out = tmp_path / "md.extxyz"
    run_md(cell, T_K=600.0, ps=0.05, out=out, equilibration_ps=0.0, **TOY)
    with out.open("a") as fh:  # killed while writing frame 7
        fh.write("32\nLattice=\"1 0 0 0 1 0 0 0 1\"\nLi 0.0 0.0")
    run = run_md(cell, T_K=600.0, ps=0.02, out=out, resume=True, **TOY)
    assert run.n_frames == 6 + 2 and len(_positions(out)) == 8


def test_resume_refuses_what_it_cannot_continue(cell: object, tmp_path: Path) -> None:
    from nitrolyte.simulate.md import run_md
    from nitrolyte.simulate.pipeline import build_cell

    out = tmp_path / "md.extxyz"
    with pytest.raises(InputError, match="nothing to resume"):
        run_md(cell, T_K=600.0, ps=0.02, out=out, resume=True, **TOY)
    run_md(cell, T_K=600.0, ps=0.02, out=out, equilibration_ps=0.0, **TOY)
    with pytest.raises(InputError, match="T_K is 600 in the run being continued, 700 asked"):
        run_md(cell, T_K=700.0, ps=0.02, out=out, resume=True, **TOY)
    with pytest.raises(InputError, match="not this cell"):
        run_md(build_cell("beta-Li3N", (2, 2, 1), 0.1, 0), T_K=600.0, ps=0.02, out=out,
               resume=True, **TOY)
    moved = out.rename(tmp_path / "elsewhere.extxyz")
    with pytest.raises(InputError, match=r"trajectory .* is missing"):
        run_md(cell, T_K=600.0, ps=0.02, out=out, resume=True, **TOY)
    moved.rename(out)
    checkpoint_path(out).write_text("2\n\nLi 0 0 0\nN 1 1 1\n")
    with pytest.raises(InputError, match="not a nitrolyte MD checkpoint"):
        run_md(cell, T_K=600.0, ps=0.02, out=out, resume=True, **TOY)


def test_md_cli_resume_continues_and_reports(tmp_path: Path) -> None:
    args = ["md", "alpha-Li3N", "--T", "600K", "--ps", "0.05", "--potential", "lj-toy",
            "--device", "cpu", "--no-store", "--out", str(tmp_path), "--json"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, [*args, "--resume"])
    assert again.exit_code == 0, again.output
    md = json.loads(again.output)["runs"][0]["md"]
    assert (md["resumed_frames"], md["n_frames"]) == (6, 11)
    other = runner.invoke(app, [a if a != "600K" else "700K" for a in args] + ["--resume"])
    assert other.exit_code == 2
    assert other.output.strip().startswith("error: nothing to resume")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 6), keep=st.integers(1, 8), tail=st.text(max_size=40))
def test_cut_trajectory_keeps_whole_frames_only(tmp_path: Path, n: int, keep: int,
                                                tail: str) -> None:
    frame = "2\nLattice=\"5 0 0 0 5 0 0 0 5\" Properties=species:S:1:pos:R:3\nLi {i} 0 0\nN 1 1 1\n"
    path = tmp_path / "t.extxyz"
    path.write_text("".join(frame.format(i=i) for i in range(n)) + tail.replace("\n", " "))
    if keep > n:
        with pytest.raises(InputError, match=f"holds {n} complete frames"):
            cut_trajectory(path, keep)
        return
    cut_trajectory(path, keep)
    assert path.read_text() == "".join(frame.format(i=i) for i in range(keep))
