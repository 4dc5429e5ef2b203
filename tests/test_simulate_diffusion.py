"""nitrolyte.simulate.diffusion / ``nitrolyte diffusion``: kinisi recovers D of synthetic random
walks whose tracer and collective D are known in closed form.

A Gaussian random walk with per-axis step variance 2 D dt has MSD = 6 D t exactly (3-D), so
D* = D. When particles move in rigid groups of g, the charge displacement of the group is g times
one particle's, so D_sigma = g D and the Haven ratio D*/D_sigma = 1/g.
"""

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
from nitrolyte.units import E_CHARGE, K_B

D_A2_PS = 0.1  # 0.1 Å²/ps = 1e-5 cm²/s
D_CM2_S = D_A2_PS * 1e-4
DT_PS = 0.1
BOX_A = 12.0
runner = CliRunner()


def random_walk(rng: np.random.Generator, n_li: int, n_frames: int, group: int = 1) -> list:
    """Frames of ``n_li`` Li walkers (moving in rigid groups of ``group``) plus 2 fixed N atoms,
    wrapped into a periodic cubic box."""
    from ase import Atoms

    steps = rng.normal(0.0, np.sqrt(2 * D_A2_PS * DT_PS), size=(n_frames, n_li // group, 3))
    steps[0] = 0.0
    pos = np.cumsum(np.repeat(steps, group, axis=1), axis=0) + rng.uniform(0, BOX_A, (1, n_li, 3))
    frame_n = rng.uniform(0, BOX_A, (2, 3))
    return [Atoms(f"Li{n_li}N2", positions=np.vstack([p % BOX_A, frame_n]),
                  cell=[BOX_A] * 3, pbc=True) for p in pos]


@pytest.fixture(scope="module")
def walk_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import ase.io

    path = tmp_path_factory.mktemp("walk") / "walk.extxyz"
    ase.io.write(path, random_walk(np.random.default_rng(7), 32, 1500))
    return path


def test_cli_recovers_tracer_D_from_an_unseen_extxyz(walk_file: Path) -> None:
    res = runner.invoke(app, ["diffusion", str(walk_file), "--species", "Li",
                              "--frame-interval", "0.1ps", "--T", "600K", "--start", "0.5ps",
                              "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["D_cm2_s"] == pytest.approx(D_CM2_S, rel=0.10)
    assert 0 < doc["D_cm2_s_stderr"] < 0.1 * doc["D_cm2_s"]
    # Nernst-Einstein in closed form from the recovered D
    expect = 32 * E_CHARGE**2 * doc["D_cm2_s"] / (BOX_A**3 * 1e-24 * K_B * 600.0)
    assert doc["sigma_S_cm"] == pytest.approx(expect, rel=1e-3)
    assert doc["diffusive"] is True
    assert doc["msd_exponent"] == pytest.approx(1.0, abs=0.1)
    assert doc["n_ions"] == 32 and doc["n_frames"] == 1500


def test_collective_D_and_haven_ratio_of_paired_walkers() -> None:
    """Pairs moving together: D_sigma = 2 D*, Haven ratio 1/2 (16 independent replicas)."""
    from nitrolyte.simulate.diffusion import analyze_diffusion

    rng = np.random.default_rng(11)
    reps = [random_walk(rng, 8, 4000, group=2) for _ in range(16)]
    res = analyze_diffusion(reps, frame_interval_ps=DT_PS, T_K=600.0, start_ps=0.3, n_points=40)
    assert res.n_replicas == 16
    assert res.D_cm2_s == pytest.approx(D_CM2_S, rel=0.10)
    assert res.D_sigma_cm2_s == pytest.approx(2 * D_CM2_S, rel=0.10)
    assert res.haven_ratio == pytest.approx(0.5, rel=0.15)
    assert res.sigma_collective_S_cm == pytest.approx(2 * res.sigma_S_cm, rel=0.15)


@pytest.mark.parametrize(("fmt", "name"), [("traj", "walk.traj"), ("vasp-xdatcar", "XDATCAR")])
def test_readers_give_the_same_D_as_extxyz(walk_file: Path, tmp_path: Path, fmt: str,
                                           name: str) -> None:
    import ase.io

    from nitrolyte.simulate.diffusion import analyze_diffusion

    frames = ase.io.read(walk_file, index=":")[:300]
    other = tmp_path / name
    ase.io.write(other, frames, format=fmt)
    short = tmp_path / "short.extxyz"
    ase.io.write(short, frames)
    a = analyze_diffusion(short, frame_interval_ps=DT_PS, T_K=600.0)
    b = analyze_diffusion(other, frame_interval_ps=DT_PS, T_K=600.0)
    assert b.n_frames == a.n_frames == 300
    # the same frames (XDATCAR rounds to 8 digits): equal within MCMC noise, far below the s.d.
    assert abs(b.D_cm2_s - a.D_cm2_s) < 0.2 * a.D_cm2_s_stderr


@pytest.mark.parametrize(("args", "match"), [
    (["--species", "Na"], "species 'Na' is not in the trajectory"),
    (["--frame-interval", "0.1"], "--frame-interval: cannot read"),
    (["--T", "-5K"], "--T must be above 0 K"),
    (["--start", "1000ps"], "start_ps must be"),
])
def test_cli_bad_input_exits_2_with_one_error_line(walk_file: Path, args: list[str],
                                                   match: str) -> None:
    base = {"--species": "Li", "--frame-interval": "0.1ps", "--T": "600K"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    res = runner.invoke(app, ["diffusion", str(walk_file), *[x for kv in base.items() for x in kv]])
    assert res.exit_code == 2
    assert res.output.startswith("error:") and match in res.output
    assert "Traceback" not in res.output


def test_unreadable_and_unknown_files(tmp_path: Path) -> None:
    from nitrolyte.simulate.trajectory import read_frames

    with pytest.raises(InputError, match="not found"):
        read_frames(tmp_path / "missing.extxyz")
    (tmp_path / "x.dat").write_text("1 2 3")
    with pytest.raises(InputError, match="cannot tell the trajectory format"):
        read_frames(tmp_path / "x.dat")
    (tmp_path / "bad.extxyz").write_text("not a number\nfoo\n")
    with pytest.raises(InputError, match="cannot read as extxyz"):
        read_frames(tmp_path / "bad.extxyz")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(interval=st.text(max_size=8), temp=st.text(max_size=8))
def test_fuzz_cli_never_tracebacks(walk_file: Path, interval: str, temp: str) -> None:
    res = runner.invoke(app, ["diffusion", str(walk_file), "--frame-interval", interval or "x",
                              "--T", temp or "x", "--json"])
    assert res.exit_code in (0, 2)
    assert "Traceback" not in res.output
    if res.exit_code == 2:
        assert "error:" in res.output


def test_time_quantities_in_ps() -> None:
    from nitrolyte.units import parse_quantity

    assert parse_quantity("0.1ps", "time", "--frame-interval") == pytest.approx(0.1)
    assert parse_quantity("10fs", "time", "--frame-interval") == pytest.approx(0.01)
    assert parse_quantity("2 ns", "time", "--ps") == pytest.approx(2000.0)
    with pytest.raises(InputError, match="--start must be > 0"):
        parse_quantity("-1ps", "time", "--start")
    with pytest.raises(InputError, match="write a number with a unit"):
        parse_quantity("10 s", "time", "--start")


# ------------------------------------------------------------ honest answers: "unknown", never a number
def lattice_frames(rng: np.random.Generator, n_frames: int, amplitude_A: float) -> list:
    """32 Li on fixed sites of a 12 Å box, each axis vibrating harmonically around its site
    (periods 50-150 fs, random phases, ``amplitude_A`` rms per axis): no hop, ever (a frozen
    crystal when the amplitude is 0). Frames 10 fs apart."""
    from ase import Atoms

    sites = rng.uniform(0, BOX_A, (34, 3))
    omega = 2 * np.pi / rng.uniform(0.05, 0.15, (34, 3))
    phase = rng.uniform(0, 2 * np.pi, (34, 3))
    amp = amplitude_A * np.sqrt(2)
    t = np.arange(n_frames) * 0.01
    return [Atoms("Li32N2", positions=(sites + amp * np.cos(omega * ti + phase)) % BOX_A,
                  cell=[BOX_A] * 3, pbc=True) for ti in t]


@pytest.mark.parametrize("amplitude_A", [0.0, 0.25])
def test_frozen_or_vibrating_crystal_answers_unknown(amplitude_A: float) -> None:
    """A flat MSD (frozen: exactly zero; vibrating: a plateau of 6 x 0.25² Å²) has no D: the
    answer is NaN with the reasons, never a fitted number (kinisi gave 1e15 cm²/s here)."""
    import math

    from nitrolyte.simulate.diffusion import analyze_diffusion

    res = analyze_diffusion(lattice_frames(np.random.default_rng(3), 600, amplitude_A),
                            frame_interval_ps=0.01, T_K=600.0)
    assert res.diffusive is False and res.n_hops == 0
    for value in (res.D_cm2_s, res.D_cm2_s_stderr, res.sigma_S_cm, res.D_sigma_cm2_s,
                  res.sigma_collective_S_cm, res.haven_ratio, res.msd_intercept_A2):
        assert math.isnan(value)
    assert "0 Li hops >= 1.5 Å in the run (need >= 20)" in res.reason
    assert "flat" in res.reason and "need > 4 Å²" in res.reason
    # the diagnostic MSD is still reported: 0 when frozen, the plateau 2 x 3 x amplitude² when
    # vibrating (two independent positions, three axes)
    assert np.mean(res.msd_A2[-20:]) == pytest.approx(6 * amplitude_A**2, rel=0.1, abs=1e-12)


def test_too_few_hops_or_too_short_window_answers_unknown() -> None:
    """A random walk cut to 6 frames has too short a window and too few hops; the whole walk is
    diffusive, but asked for more hops than it has it answers unknown too."""
    from nitrolyte.simulate.diffusion import analyze_diffusion

    walk = random_walk(np.random.default_rng(7), 32, 200)
    short = analyze_diffusion(walk[:6], frame_interval_ps=DT_PS, T_K=600.0)
    assert not short.diffusive and "fit window has 3 time lags (need >= 10)" in short.reason
    ok = analyze_diffusion(walk, frame_interval_ps=DT_PS, T_K=600.0)
    assert ok.diffusive and ok.reason is None and ok.D_cm2_s > 0 and ok.n_hops > 100
    strict = analyze_diffusion(walk, frame_interval_ps=DT_PS, T_K=600.0,
                               min_hops=ok.n_hops + 1)
    assert not strict.diffusive and strict.D_cm2_s != strict.D_cm2_s
    assert f"{ok.n_hops} Li hops" in strict.reason


def test_count_hops_counts_site_changes_not_vibrations() -> None:
    """One ion hopping k times 2.1 Å back and forth while vibrating 0.3 Å: k hops."""
    from nitrolyte.simulate.regime import count_hops

    rng = np.random.default_rng(0)
    sites = np.repeat(np.array([0.0, 2.1, 0.0, 2.1, 4.2]), 50)  # 4 hops
    pos = np.zeros((len(sites), 1, 3))
    pos[:, 0, 0] = sites + 0.3 * np.sin(np.arange(len(sites)) * 2.0)
    pos += rng.normal(0, 0.05, pos.shape)
    assert count_hops(pos, smooth_frames=8) == 4
    assert count_hops(pos[:50], smooth_frames=8) == 0


def test_cli_says_unknown_in_one_line_and_json_null(tmp_path: Path) -> None:
    import ase.io

    path = tmp_path / "frozen.extxyz"
    ase.io.write(path, lattice_frames(np.random.default_rng(1), 200, 0.2))
    base = ["diffusion", str(path), "--frame-interval", "10fs", "--T", "600K"]
    res = runner.invoke(app, base)
    assert res.exit_code == 0, res.output
    assert res.output.count("\n") == 1
    assert res.output.startswith("Li at 600 K: D unknown, not diffusive in 1.99 ps: 0 Li hops")
    doc = json.loads(runner.invoke(app, [*base, "--json"]).output)
    assert doc["diffusive"] is False and "hops" in doc["reason"] and doc["n_hops"] == 0
    for key in ("D_cm2_s", "D_cm2_s_stderr", "sigma_S_cm", "D_sigma_cm2_s", "haven_ratio"):
        assert doc[key] is None


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n_frames=st.integers(3, 120), cap=st.integers(10, 400))
def test_bounded_read_keeps_every_stride_th_frame(tmp_path: Path, n_frames: int,
                                                  cap: int) -> None:
    """One pass, atoms x frames held stays near the bound; the kept frames are 0, s, 2s, ..."""
    import ase.io
    from ase import Atoms

    from nitrolyte.simulate.trajectory import read_frames_bounded

    path = tmp_path / f"f{n_frames}_{cap}.extxyz"
    ase.io.write(path, [Atoms("LiN", positions=[[i * 1e-3, 0, 0], [1, 1, 1]], cell=[5] * 3,
                              pbc=True) for i in range(n_frames)])
    frames, stride = read_frames_bounded(path, max_atom_frames=cap)
    assert stride & (stride - 1) == 0  # a power of 2
    assert [round(f.positions[0, 0] * 1e3) for f in frames] == list(range(0, n_frames, stride))
    assert len(frames) * 2 <= cap or len(frames) <= 8  # 2 atoms per frame
    assert read_frames_bounded(path)[1] == 1


def test_long_file_is_analysed_at_a_stride_with_the_same_D(walk_file: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A trajectory over the atom-frame bound is read every 2nd frame: D still recovered."""
    import nitrolyte.simulate.diffusion as diffusion

    monkeypatch.setattr(diffusion, "MAX_ATOM_FRAMES", 34 * 1000)  # 1,500 frames of 34 atoms
    res = diffusion.analyze_diffusion(walk_file, frame_interval_ps=DT_PS, T_K=600.0,
                                      start_ps=0.5)
    assert res.frame_stride == 2
    assert res.frame_interval_ps == pytest.approx(2 * DT_PS)
    assert res.n_frames == 750
    assert res.D_cm2_s == pytest.approx(D_CM2_S, rel=0.10)
