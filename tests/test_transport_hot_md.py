"""``transport --method md``: hot MD at temperatures chosen from a barrier, kinisi's Arrhenius fit
with credible intervals, extrapolation to 300 K, temperatures dropped by the regime checks."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from nitrolyte.cli import app
from nitrolyte.units import K_B_EV

EA, D0 = 0.35, 2e-3  # eV, cm²/s: the synthetic D(T) = D0 exp(-Ea/kBT)


def _D(T: float) -> float:
    return D0 * math.exp(-EA / (K_B_EV * T))


def test_choose_temperatures_closed_form() -> None:
    from nitrolyte.simulate.hot_md import choose_temperatures

    # T_lo = Ea / (kB ln(1e13 Hz * 20 ps * 96 / 20 hops)) = 0.44 / (kB ln 960) = 743 K
    temps = choose_temperatures(0.44, 20.0, 96)
    assert temps[0] == 740.0 and len(temps) == 4 and temps == sorted(temps)
    assert temps[-1] == pytest.approx(743.4 + 500, abs=10)
    assert choose_temperatures(0.05, 20.0, 96)[0] == 600.0  # floor
    assert choose_temperatures(2.0, 0.01, 4)[-1] == 1500.0  # ceiling: little time, high barrier


def test_arrhenius_fit_recovers_a_known_ea() -> None:
    """kinisi's Bayesian fit of a synthetic D(T) (5 % noise) recovers Ea and σ(300 K)."""
    from nitrolyte.simulate.hot_md import arrhenius_fit
    from nitrolyte.transport.microscopic import sigma_from_D

    T = np.array([700.0, 800.0, 950.0, 1100.0])
    rng = np.random.default_rng(1)
    D = np.array([_D(t) for t in T]) * np.exp(rng.normal(0, 0.05, len(T)))
    n = 4.0e22
    fit = arrhenius_fit(T, D, 0.05 * D, n, seed=0)
    lo, hi = fit["Ea_interval_eV"]
    assert lo < EA < hi and abs(fit["Ea_eV"] - EA) < 0.03 and 0 < fit["Ea_spread_eV"] < 0.03
    true_sigma = float(sigma_from_D(_D(300.0), n, 300.0))
    slo, shi = fit["sigma_out_interval_S_cm"]
    assert slo < true_sigma < shi
    assert fit["Ea_least_squares_eV"] == pytest.approx(EA, abs=0.03)


def test_framework_check_tells_a_solid_from_a_melt() -> None:
    from nitrolyte.simulate.regime import framework_reasons

    rng = np.random.default_rng(0)
    sites = rng.uniform(0, 10, (16, 3))
    solid = sites + rng.normal(0, 0.1, (200, 16, 3))  # vibrations, MSD ~ 0.03 Å²
    assert framework_reasons(solid, 10) == []
    melt = sites + np.cumsum(rng.normal(0, 0.3, (200, 16, 3)), axis=0)  # diffusing framework
    (reason,) = framework_reasons(melt, 10)
    assert "melted or changed phase" in reason


def _fake_run(cell: dict, T_K: float, settings: dict, out_dir: str) -> dict:
    """A hot run with the synthetic D(T); 1200 K has a molten framework."""
    melted = T_K >= 1200
    D = _D(T_K)
    return {"T_K": T_K, "D_cm2_s": D, "D_cm2_s_stderr": 0.03 * D, "sigma_S_cm": 1.0,
            "n_hops": 500, "diffusive": True, "reason": None, "n_ions": 96, "volume_A3": 2400.0,
            "framework_reason": "framework (N) moved: melted or changed phase" if melted else None,
            "md": {"mean_T_K": T_K, "production_ps": settings["budget_ps"], "n_atoms": 128,
                   "trajectory": "x", "model_version": "fake-1"}}


def test_cli_md_fits_drops_the_melt_and_stores(db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import nitrolyte.simulate.hot_md as hot

    monkeypatch.setattr(hot, "run_temperature", _fake_run)
    args = ["transport", "Li3GaN2", "--method", "md", "--budget", "20ps", "--T", "700K",
            "--T", "850K", "--T", "1000K", "--T", "1200K", "--store", "--db", str(db.url),
            "--json"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["method"] == "MD" and doc["quantity"].startswith("Arrhenius Ea of hot MD (simulation)")
    assert doc["Ea_eV"] == pytest.approx(EA, abs=0.01)
    lo, hi = doc["Ea_interval_eV"]
    assert lo < EA < hi and doc["Ea_spread_eV"] > 0
    assert doc["dropped"] == [{"T_K": 1200.0, "reason": "framework (N) moved: melted or changed phase"}]
    n = 96 / (2400.0 * 1e-24)
    from nitrolyte.transport.microscopic import sigma_from_D

    slo, shi = doc["sigma_300K_interval_S_cm"]
    assert slo < float(sigma_from_D(_D(300.0), n, 300.0)) < shi
    # stored as a labelled simulation set of Li3GaN2; the screening shows its Ea as simulated
    from nitrolyte.provenance import simulation_labels

    sets = db.measurement_sets()
    row = sets[sets["method"] == "MD"].iloc[-1]
    assert simulation_labels(db)[row["material_id"]] == "MD (simulation, fake fake-1)" or \
        "MD (simulation" in simulation_labels(db)[row["material_id"]]
    text = CliRunner().invoke(app, ["screen", "--material", "Li3GaN2", "--db", str(db.url)]).stdout
    assert "sim." in text and text.count("Li3GaN2") == 1


def test_cli_md_needs_a_budget_and_refuses_no_li(db) -> None:  # type: ignore[no-untyped-def]
    res = CliRunner().invoke(app, ["transport", "Li3GaN2", "--method", "md", "--db", str(db.url)])
    assert res.exit_code == 2 and res.stderr.startswith("error: --method md needs --budget")
    res = CliRunner().invoke(app, ["transport", "Li3GaN2", "--method", "md", "--budget", "-3ps",
                                   "--db", str(db.url)])
    assert res.exit_code == 2 and "--budget" in res.stderr
    res = CliRunner().invoke(app, ["transport", "AlN", "--method", "md", "--budget", "1ps",
                                   "--T", "900K", "--T", "1000K", "--T", "1100K", "--store",
                                   "--db", str(db.url)])
    assert res.exit_code == 2 and res.stderr.count("\n") == 1 and "AlN has no Li" in res.stderr
    res = CliRunner().invoke(app, ["transport", "Li3GaN2", "--method", "md", "--budget", "1ps",
                                   "--plot", "x.png", "--db", str(db.url)])
    assert res.exit_code == 2 and "--plot draws the BVSE map" in res.stderr
    assert len(db.measurement_sets()) == 0


@pytest.mark.slow
def test_lj_toy_melts_and_every_temperature_is_dropped(tmp_path: Path, db) -> None:  # type: ignore[no-untyped-def]
    """The real plumbing (MD, kinisi, framework check) with the toy potential, which melts
    Li3N (1 ps: framework MSD 9-15 Å²) and is not diffusive in 0.1 ps: every temperature is
    dropped and said, Ea unknown, --store refuses in one line."""
    base = ["transport", "alpha-Li3N", "--method", "md", "--budget", "0.1ps", "--potential",
            "lj-toy", "--T", "600K", "--T", "800K", "--T", "1000K", "--out", str(tmp_path),
            "--db", str(db.url)]
    res = CliRunner().invoke(app, [*base, "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["Ea_eV"] is None and len(doc["dropped"]) == 3
    assert all(d["reason"] for d in doc["dropped"])  # molten framework or not diffusive, said
    before = len(db.measurement_sets())
    res = CliRunner().invoke(app, [*base, "--store"])
    assert res.exit_code == 2 and res.stderr.count("\n") == 1 and "nothing to store" in res.stderr
    assert len(db.measurement_sets()) == before


def test_temperatures_run_on_a_dask_scheduler(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """--scheduler: the temperatures are tasks on that cluster (the campaign machinery)."""
    from dask.distributed import LocalCluster

    import nitrolyte.simulate.hot_md as hot
    from nitrolyte.structures import structure

    monkeypatch.setattr(hot, "run_temperature", _fake_run)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=":0") as cluster:
        res = hot.hot_md("β-Li3N", structure("beta-Li3N"),
                         hot.HotMDSettings(budget_ps=5.0, temperatures_K=(700.0, 850.0, 1000.0)),
                         tmp_path, scheduler=cluster.scheduler_address)
    assert res.temperatures_K == [700.0, 850.0, 1000.0] and not res.dropped
    assert res.Ea_eV == pytest.approx(EA, abs=0.01)


def test_budget_in_minutes_becomes_ps_from_a_probe_run(db, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import nitrolyte.simulate.hot_md as hot

    monkeypatch.setattr(hot, "run_temperature", _fake_run)
    res = CliRunner().invoke(app, [
        "transport", "alpha-Li3N", "--method", "md", "--budget", "0.1min", "--potential", "lj-toy",
        "--T", "700K", "--T", "850K", "--T", "1000K", "--out", str(tmp_path), "--db", str(db.url),
        "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    # 6 s of wall time at the probe's rate: some ps, never the placeholder 1 ps exactly
    assert doc["settings"]["budget_ps"] > 0 and doc["settings"]["budget_ps"] != 1.0
    assert (tmp_path / "probe.extxyz").exists()
