"""nitrolyte.simulate.md / pipeline / ``nitrolyte md``: MD plumbing with the cheap lj-toy
potential, charge-balanced vacancy cells, storage as MD measurements; one slow CHGNet run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nitrolyte.cli import app
from nitrolyte.errors import InputError

runner = CliRunner()


@pytest.mark.parametrize(("x", "formula", "n_li", "n_n"), [
    (0.027, "Li2.92N0.97", 105, 35),   # review Fig. 3D, 3x3x2 beta cell (36 f.u.)
    (0.056, "Li2.83N0.94", 102, 34),
])
def test_vacancy_supercell_is_charge_balanced_as_fig_3d(x: float, formula: str, n_li: int,
                                                        n_n: int) -> None:
    from pymatgen.core import Composition

    from nitrolyte.structures import structure, vacancy_supercell

    cell = vacancy_supercell(structure("beta-Li3N"), x, (3, 3, 2), seed=1)
    comp = cell.composition
    assert (comp["Li"], comp["N"]) == (n_li, n_n)
    assert comp["Li"] - 3 * comp["N"] == 0  # Li+ and N3- balance
    per_fu = Composition({"Li": comp["Li"] / 36, "N": comp["N"] / 36})
    target = Composition(formula)
    assert per_fu["Li"] == pytest.approx(target["Li"], abs=0.01)
    assert per_fu["N"] == pytest.approx(target["N"], abs=0.01)


@settings(max_examples=15, deadline=None)
@given(x=st.floats(0, 0.45), seed=st.integers(0, 100))
def test_vacancy_supercell_always_neutral(x: float, seed: int) -> None:
    from nitrolyte.structures import structure, vacancy_supercell

    try:
        comp = vacancy_supercell(structure("beta-Li3N"), x, (3, 3, 2), seed=seed).composition
    except InputError as exc:  # too few Li to remove even one charge-balanced Li3N unit
        assert x * 108 < 1.5 and "use a larger supercell" in str(exc)
        return
    assert comp["Li"] == 3 * comp["N"]
    assert abs(comp["Li"] / 108 - (1 - x)) <= 1.5 / 108 + 1e-9


def test_run_md_streams_the_stated_frames(tmp_path: Path) -> None:
    import ase.io

    from nitrolyte.simulate.md import run_md
    from nitrolyte.structures import structure

    cell = structure("alpha-Li3N") * (2, 2, 2)
    run = run_md(cell, T_K=600.0, ps=0.1, out=tmp_path / "t.extxyz", timestep_fs=1.0,
                 equilibration_ps=0.02, frame_interval_fs=5.0, potential="lj-toy", device="cpu")
    frames = ase.io.read(run.trajectory, index=":")
    assert run.n_frames == len(frames) == 100 / 5 + 1
    assert run.equilibration_ps == pytest.approx(0.02)
    assert run.production_ps == pytest.approx(0.1)
    assert run.frame_interval_ps == pytest.approx(0.005)
    assert len(frames[0]) == run.n_atoms == 32
    assert 300 < run.mean_T_K < 900  # a 32-atom Langevin run fluctuates about 600 K


def test_run_md_bad_input(tmp_path: Path) -> None:
    from nitrolyte.simulate.md import run_md
    from nitrolyte.structures import structure

    cell = structure("alpha-Li3N")
    with pytest.raises(InputError, match="T_K must be > 0"):
        run_md(cell, T_K=-1, ps=0.1, out=tmp_path / "a.extxyz", potential="lj-toy")
    with pytest.raises(InputError, match="timestep_fs must be"):
        run_md(cell, T_K=600, ps=0.1, out=tmp_path / "a.extxyz", timestep_fs=10,
               potential="lj-toy")
    with pytest.raises(InputError, match="potential must be one of"):
        run_md(cell, T_K=600, ps=0.1, out=tmp_path / "a.extxyz", potential="nope")
    with pytest.raises(InputError, match="device must be one of"):
        run_md(cell, T_K=600, ps=0.1, out=tmp_path / "a.extxyz", device="tpu",
               potential="lj-toy")


def test_md_cli_fits_compares_and_stores(tmp_path: Path) -> None:
    from nitrolyte.store import Database

    dbp = tmp_path / "md.sqlite"
    res = runner.invoke(app, ["md", "alpha-Li3N", "--T", "600K", "--T", "800K", "--T", "1000K",
                              "--ps", "1", "--equilibration", "0.1ps", "--frame-interval", "20fs",
                              "--supercell", "2x2x1", "--potential", "lj-toy",
                              "--device", "cpu", "--out", str(tmp_path / "runs"), "--db", str(dbp),
                              "--plot", str(tmp_path / "arr.png"), "--json",
                              "--allow-implausible"])  # lj-toy (plumbing) gives sigma ~ 37 S/cm
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert [r["T_K"] for r in doc["runs"]] == [600.0, 800.0, 1000.0]
    assert (doc["fit"]["T_min_K"], doc["fit"]["T_max_K"]) == (600.0, 1000.0)
    assert doc["fit"]["Ea_stderr_eV"] > 0
    assert doc["sigma_25C"]["lower_S_cm"] < doc["sigma_25C"]["sigma_S_cm"] < \
        doc["sigma_25C"]["upper_S_cm"]
    assert doc["literature"]["name"] == "α-Li3N single crystal"
    assert all(r["literature_sigma_S_cm"] > 0 for r in doc["runs"])
    assert any("equilibration" in n for n in doc["notes"])
    assert (tmp_path / "arr.png").stat().st_size > 0
    with Database(dbp) as db:
        sets = db.measurement_sets()
        assert len(sets) == 1 and sets.iloc[0]["method"] == "MD"
        details = json.loads(sets.iloc[0]["method_details"])
        for key in ("model", "version", "seed", "supercell", "ps", "timestep_fs",
                    "equilibration_ps", "T_K"):
            assert key in details
        assert details["supercell"] == [2, 2, 1] and details["model"] == "lj-toy"
        rec = db.get("α-Li3N (MD)")
        assert rec.family == "Li3N"


@pytest.mark.parametrize(("args", "match"), [
    (["--supercell", "2x2"], "--supercell must be three integers"),
    (["--vacancies", "0.7"], "vacancies must be"),
    (["--T", "hot"], "--T: cannot read"),
    (["--timestep", "1"], "--timestep: cannot read"),
])
def test_md_cli_bad_input(tmp_path: Path, args: list[str], match: str) -> None:
    base = ["md", "alpha-Li3N", "--ps", "0.01", "--potential", "lj-toy", "--device", "cpu",
            "--no-store", "--out", str(tmp_path)]
    if "--T" not in args:
        base += ["--T", "600K"]
    res = runner.invoke(app, [*base, *args])
    assert res.exit_code == 2, res.output
    assert res.output.startswith("error:") and match in res.output


def test_md_cli_unknown_structure_exits_1(tmp_path: Path) -> None:
    res = runner.invoke(app, ["md", "gamma-Li3Q", "--T", "600K", "--ps", "0.01", "--no-store",
                              "--potential", "lj-toy", "--out", str(tmp_path)])
    assert res.exit_code == 1 and res.output.startswith("error: unknown material")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(supercell=st.text(max_size=6), vac=st.floats(allow_nan=False, allow_infinity=False))
def test_fuzz_md_cli_rejects_or_runs(tmp_path: Path, supercell: str, vac: float) -> None:
    res = runner.invoke(app, ["md", "alpha-Li3N", "--T", "600K", "--ps", "0.01",
                              "--supercell", supercell or "x", "--vacancies", repr(vac),
                              "--potential", "lj-toy", "--device", "cpu", "--no-store",
                              "--out", str(tmp_path)])
    assert "Traceback" not in res.output
    assert res.exit_code in (0, 1, 2)
    if res.exit_code:
        assert "error:" in res.output


@pytest.mark.slow
def test_chgnet_md_cli_few_steps_clean_json_and_unknown(tmp_path: Path) -> None:
    """Real CHGNet (offline weights) through ASE: 10 steps of alpha-Li3N via the CLI; its banners
    must not corrupt --json; 10 fs give no hop, so D is unknown (null, with the reason) and
    the run is stored as unknown (no σ point, the reason in method_details)."""
    from nitrolyte.store import Database

    dbp = tmp_path / "c.sqlite"
    res = runner.invoke(app, ["md", "alpha-Li3N", "--T", "600K", "--ps", "0.01",
                              "--equilibration", "0fs", "--frame-interval", "2fs", "--device",
                              "cpu", "--out", str(tmp_path), "--db", str(dbp), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    md = doc["runs"][0]["md"]
    assert (md["n_frames"], md["n_atoms"], md["potential"]) == (6, 4, "chgnet")
    assert "0.3.0" in md["model_version"]  # the pretrained weights shipped in the wheel
    assert md["equilibration_ps"] == 0.0
    # 10 fs of MD: no hop, so the answer is unknown (null), said why, and stored as unknown:
    # a set with no σ point whose method_details give the reason
    run = doc["runs"][0]
    assert run["diffusive"] is False and run["D_cm2_s"] is None and run["sigma_S_cm"] is None
    assert "hops" in run["reason"] and doc["stored"]["n_points"] == 0
    assert any(n.startswith("stored as unknown") for n in doc["notes"])
    with Database(dbp) as db:
        one = db.measurement_set(doc["stored"]["set_id"])
        assert one["points"].empty and one["method_details"]["model"] == "chgnet"
        assert one["method_details"]["not_diffusive"][0]["reason"] == run["reason"]


@pytest.mark.parametrize(("x", "formula"), [(0.0, "Li3N"), (0.027, "Li2.92N0.972"),
                                           (0.056, "Li2.83N0.944")])
def test_stored_formula_is_per_formula_unit_as_fig_3d(x: float, formula: str) -> None:
    from nitrolyte.simulate.pipeline import build_cell, formula_per_unit

    cell = build_cell("beta-Li3N", (3, 3, 2), x, 0)
    assert formula_per_unit("beta-Li3N", cell, (3, 3, 2)) == formula


@pytest.mark.slow
@pytest.mark.parametrize("chunk_rows", [None, 500])
def test_lean_chgnet_matches_chgnet_calculator(chunk_rows: int | None) -> None:
    """The MD calculator (first-order autograd; with ``chunk_rows`` the message passing in
    checkpointed blocks of 500 angles or bonds, ~10 per layer) gives CHGNet's
    own energy and forces on a rattled 2x2x1 beta-Li3N cell (32 atoms) to float32 rounding:
    same model, same graph, only less memory."""
    import numpy as np
    from chgnet.model.dynamics import CHGNetCalculator
    from pymatgen.io.ase import AseAtomsAdaptor

    from nitrolyte.simulate.potentials import get_potential
    from nitrolyte.structures import structure
    from nitrolyte.structures.atomistic.potential import load_chgnet

    atoms = AseAtomsAdaptor.get_atoms(structure("beta-Li3N") * (2, 2, 1))
    atoms.positions += np.random.default_rng(1).normal(0.0, 0.05, atoms.positions.shape)
    ref = atoms.copy()
    from nitrolyte.simulate.lean_chgnet import LeanCHGNetCalculator

    atoms.calc = LeanCHGNetCalculator(load_chgnet("cpu"), "cpu", chunk_rows=chunk_rows)
    ref.calc = CHGNetCalculator(model=load_chgnet("cpu"), use_device="cpu")
    assert atoms.get_potential_energy() == pytest.approx(ref.get_potential_energy(), abs=1e-4)
    f, f_ref = atoms.get_forces(), ref.get_forces()
    assert np.abs(f_ref).max() > 0.1  # rattled: forces are not trivially zero
    np.testing.assert_allclose(f, f_ref, atol=1e-4)
    assert isinstance(get_potential("chgnet").calculator("cpu", purpose="md"), LeanCHGNetCalculator)


def test_cpu_threads_follow_affinity_and_cgroup_quota(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    """Under ``taskset`` (affinity 4 of 16 cores) a 2,048-atom cell gets 4 threads, not 16; a
    cgroup quota of 2.5 CPUs caps it at 2; one thread per ~100 atoms below that."""
    import os

    from nitrolyte.simulate import md

    monkeypatch.setattr(os, "cpu_count", lambda: 16)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {4, 5, 6, 7}, raising=False)
    monkeypatch.setattr(md, "_cgroup_cpus", lambda: None)
    assert [md.cpu_threads(n) for n in (50, 250, 2048)] == [1, 2, 4]
    monkeypatch.setattr(md, "_cgroup_cpus", lambda: 2.5)
    assert md.cpu_threads(2048) == 2
    monkeypatch.delattr(os, "sched_getaffinity")
    monkeypatch.setattr(md, "_cgroup_cpus", lambda: None)
    assert md.cpu_threads(2048) == 16  # no affinity call on this platform: the core count


@pytest.mark.parametrize(("files", "cpus"), [
    ({"cpu.max": "250000 100000\n"}, 2.5), ({"cpu.max": "max 100000\n"}, None),
    ({"cpu/cpu.cfs_quota_us": "50000", "cpu/cpu.cfs_period_us": "100000"}, 0.5),
    ({"cpu/cpu.cfs_quota_us": "-1", "cpu/cpu.cfs_period_us": "100000"}, None),
    ({"cpu.max": "garbage"}, None), ({}, None)])
def test_cgroup_quota_is_read_from_v2_and_v1_files(tmp_path: Path, files: dict,
                                                   cpus: float | None) -> None:
    from nitrolyte.simulate.md import _cgroup_cpus

    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert _cgroup_cpus(str(tmp_path)) == cpus


def test_release_freed_memory_sets_glibc_threshold_in_a_fresh_process() -> None:
    """glibc's mallopt is process-wide, so it is asked in a child: True on Linux/glibc (this
    CI), False elsewhere; a calculator with low_memory=True calls it once, before its first
    evaluation, and only on the CPU."""
    import subprocess
    import sys

    code = ("from nitrolyte.simulate.lean_chgnet import LeanCHGNetCalculator as C, "
            "release_freed_memory as r\n"
            "import ase\nc = C(None, 'cuda', low_memory=True)\n"
            "print(r(), c.released, C(None, 'cpu').low_memory)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    glibc = sys.platform.startswith("linux")
    assert done.stdout.split() == [str(glibc), "False", "None"]
