"""One workflow per task (:mod:`nitrolyte.workflows`), called by both the CLI and the web.

For each task the workflow function is wrapped by a spy (it still runs) and the command line
and the web route are driven: both must call it, and both must render the same numbers,
checked against closed forms where the data have one (issue 24 item 3).
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from nitrolyte.cli import app
from nitrolyte.errors import InputError

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

EIS = Path(__file__).parent / "data" / "eis"  # tests/data/make_eis.py: Li9S3N-like pellet
K_B_EV = 8.617333262e-5


def spy(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[tuple[Any, Any]]:
    """Wrap ``module.name`` so every call is recorded (args, kwargs) and still runs."""
    calls: list[tuple[Any, Any]] = []
    real = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def client(sqlite_db: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    from fastapi.testclient import TestClient

    from nitrolyte.web import create_app

    monkeypatch.setenv("NITROLYTE_RESULT_CACHE", "off")  # the CLI must run the workflow
    with TestClient(create_app(sqlite_db), base_url="http://localhost") as c:
        yield c


def sigma_T_csv(path: Path, Ea_eV: float = 0.45, sigma_RT: float = 1e-3) -> Path:
    """Closed-form sigmaT-Arrhenius points: sigma T = A exp(-Ea / kT), sigma(298.15 K) given."""
    temps = [273.15, 298.15, 323.15, 348.15, 373.15]
    rows = [f"{T!r},{sigma_RT * 298.15 / T * math.exp(-Ea_eV / K_B_EV * (1 / T - 1 / 298.15))!r}"
            for T in temps]
    path.write_text("T_K,sigma_S_cm\n" + "\n".join(rows) + "\n")
    return path


@pytest.mark.slow  # the default source's first window: ~10-30 s on the shared 2 cores
def test_window_report_is_one_workflow(client, sqlite_db, monkeypatch):
    from nitrolyte.workflows import window

    calls = spy(monkeypatch, window, "window_report")
    res = cli("window", "beta-Li3N", "--json", "--db", str(sqlite_db.path))
    assert res.exit_code == 0, res.output
    web = client.get("/api/v1/windows/beta-Li3N")
    assert web.status_code == 200, web.text
    assert [c[0][0] for c in calls] == ["beta-Li3N", "beta-Li3N"]
    assert calls[1][1]["db"] is sqlite_db  # the web passes the database it serves
    assert json.loads(res.stdout) == web.json()
    doc = web.json()
    assert doc["oxidation_V"] == pytest.approx(0.444, abs=5e-4)  # test_stability_cli: 0.444 V
    assert {r["window"] for r in doc["reported"]} >= {"intrinsic"}


def test_eis_series_is_one_workflow(client, monkeypatch):
    from nitrolyte.workflows import eis

    calls = spy(monkeypatch, eis, "eis_series")
    path = EIS / "pellet_25C.csv"
    res = cli("eis", str(path), "--thickness", "1mm", "--area", "0.785cm2", "--json")
    assert res.exit_code == 0, res.output
    web = client.post("/api/v1/eis", files=[("files", (path.name, path.read_bytes()))],
                      data={"thickness": "1mm", "area": "0.785cm2"})
    assert web.status_code == 200, web.text
    assert len(calls) == 2
    assert [c[1]["thickness_cm"] for c in calls] == [pytest.approx(0.1)] * 2
    (cli_fit,), (web_fit,) = json.loads(res.stdout)["impedance_fits"], web.json()["impedance_fits"]
    assert cli_fit["sigma_bulk_S_cm"] == web_fit["sigma_bulk_S_cm"]
    assert cli_fit["sigma_bulk_S_cm"] == pytest.approx(8.3e-7, rel=0.05)  # make_eis.py, 25 C
    assert web.json()["nyquist"][0]["source"] == path.name


def test_eis_series_checks_its_temperatures(tmp_path):
    from nitrolyte.workflows.eis import eis_series

    with pytest.raises(InputError, match="T: given 2 temperatures for 1 files"):
        eis_series([EIS / "pellet_25C.csv"], [300.0, 310.0], thickness_cm=0.1, area_cm2=0.785)


def test_conductivity_fit_and_import_are_one_workflow(client, sqlite_db, monkeypatch, tmp_path):
    from nitrolyte.workflows import conductivity

    calls = spy(monkeypatch, conductivity, "conductivity_file")
    csv = sigma_T_csv(tmp_path / "points.csv")
    res = cli("fit", str(csv), "--json")
    assert res.exit_code == 0, res.output
    web = client.post("/api/v1/fits", files={"file": ("points.csv", csv.read_bytes())})
    assert web.status_code == 200, web.text
    imp = cli("import", str(csv), "--name", "Imported pellet", "--formula", "Li3N",
              "--db", str(sqlite_db.path), "--json")
    assert imp.exit_code == 0, imp.output
    assert len(calls) == 3 and calls[2][1] == {"require_fit": False}
    for Ea in (json.loads(res.stdout)["fit"]["Ea_eV"], web.json()["fit"]["Ea_eV"],
               json.loads(imp.stdout)["Ea_eV"]):
        assert Ea == pytest.approx(0.45, rel=1e-6)
    assert web.json()["sigma_RT_S_cm"] == pytest.approx(1e-3, rel=1e-6)
    assert sqlite_db.get("Imported pellet").Ea_eV() == pytest.approx(0.45, rel=1e-6)


def test_conductivity_file_error_names_the_file(tmp_path):
    from nitrolyte.workflows.conductivity import conductivity_file

    bad = tmp_path / "two.csv"
    bad.write_text("T_K,sigma_S_cm\n300,1e-4\n350,1e-3\n")
    with pytest.raises(InputError, match=r"^two\.csv: an Arrhenius fit needs at least 3") as exc:
        conductivity_file(bad)
    assert str(exc.value).count("two.csv") == 1


def test_cell_design_is_one_workflow(client, monkeypatch):
    from nitrolyte.web.api_design import designer_start
    from nitrolyte.workflows import cell

    calls = spy(monkeypatch, cell, "cell_design")
    res = cli("cell", "--sse-um", "30", "--np", "2", "--json")
    assert res.exit_code == 0, res.output
    web = client.post("/api/v1/cells", json={"sse_um": 30, "n_p": 2})
    assert web.status_code == 200, web.text
    designer_start.cache_clear()
    start = designer_start()
    assert len(calls) == 3
    assert json.loads(res.stdout) == web.json()
    doc = web.json()
    assert doc["inputs"]["catholyte_um"]["value"] == doc["inputs"]["nitride_um"]["value"] == 30
    # the layers add up, and Wh/kg is energy per area over mass per area (mWh/mg = kWh/kg)
    assert sum(p["mass_mg_cm2"] for p in doc["breakdown"].values()) == pytest.approx(
        doc["mass_mg_cm2"])
    assert doc["gravimetric_Wh_kg"] == pytest.approx(
        1000 * doc["energy_mWh_cm2"] / doc["mass_mg_cm2"])
    # a nitride layer of 30 um of the components table's density (2.54 mg/cm2 at 20 um)
    assert doc["breakdown"]["nitride"]["mass_mg_cm2"] == pytest.approx(2.54 * 30 / 20)
    assert start["gravimetric_Wh_kg"] == pytest.approx(cell.cell_design().cell.gravimetric_Wh_kg)


def test_cell_design_with_a_c_rate_check(monkeypatch):
    from nitrolyte.workflows import cell

    calls = spy(monkeypatch, cell, "cell_design")
    res = cli("cell", "--c-rate", "4", "--T", "25C", "--nitride-sigma", "1e-3",
              "--catholyte-sigma", "1e-3", "--json")
    assert res.exit_code == 0, res.output
    assert calls[0][1]["c_rate"] == 4 and calls[0][1]["T_K"] == pytest.approx(298.15)
    check = json.loads(res.stdout)["fast_charge"]
    # ohmic drop of a layer: V = j L / sigma (j in A/cm2, L in cm, sigma in S/cm)
    j = check["current_density_mA_cm2"] / 1000
    assert check["nitride_drop_V"] == pytest.approx(j * 20e-4 / 1e-3, rel=1e-9)


def test_md_run_is_the_cli_workflow(monkeypatch, tmp_path):
    from nitrolyte.workflows import md

    seen: list[Any] = []

    def fake(structure: str, temps: Any, settings: Any, out: Path, **kw: Any) -> Any:
        seen.append((structure, list(temps), settings, kw))
        raise InputError("md_run reached")

    monkeypatch.setattr(md, "md_run", fake)
    res = cli("md", "beta-Li3N", "--T", "600K", "--T", "327C", "--ps", "2", "--timestep", "2fs",
              "--potential", "lj-toy", "--out", str(tmp_path), "--no-store")
    assert res.exit_code == 2 and res.stderr.strip() == "error: md_run reached"
    (structure, temps, settings, kw), = seen
    assert structure == "beta-Li3N" and temps == pytest.approx([600.0, 600.15])
    assert settings.timestep_fs == pytest.approx(2.0) and settings.potential == "lj-toy"
    assert kw["store"] is False


def test_md_run_refuses_unstorable_temperatures_before_any_md(tmp_path):
    from nitrolyte.workflows.md import md_run

    with pytest.raises(InputError, match="2500 K is outside the 10-2000 K"):
        md_run("beta-Li3N", [600.0, 2500.0], None, tmp_path)  # type: ignore[arg-type]


def test_results_are_frozen(tmp_path):
    from nitrolyte.workflows.conductivity import conductivity_file

    read = conductivity_file(sigma_T_csv(tmp_path / "p.csv"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        read.fit = None  # type: ignore[misc]
