"""One bad row must never break a lab's database (issue 20, sections 1 and 5).

* Every door a row comes in by (``add``, ``import``, REST measurements and imports, measurement
  sets) applies the same laboratory limits (``nitrolyte.plausibility.LIMITS`` through the store's
  one validation), unless ``allow_implausible``.
* Every reader tolerates a stored row it cannot use: a database seeded by direct SQL with the
  rows an older version accepted (5 K, 1.5 K, 500 S/cm, 9999 K, Ea 4.9 eV) still screens, builds
  the report and serves ``/api/v1/screening`` with 200, naming each skipped value.
* Tests that kill the mutants a probe left alive in ``plausibility.py``: the finite check
  removed, °C rows read as K, a meV factor of 1e3.
"""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from nitrolyte.cli import app
from nitrolyte.errors import DataValidationError, InputError
from nitrolyte.plausibility import check_measurement

runner = CliRunner()
HINT = " (pass --allow-implausible / allow_implausible=True if it is real)"

#: (material, property, value, unit, temperature, temperature_unit, the limit it breaks)
IMPLAUSIBLE = [
    ("cryo pellet", "ionic_conductivity", 1e-4, "S/cm", 5.0, "K", "T_K = 5 is outside"),
    ("cryo pellet", "activation_energy", 0.5, "eV", 5.0, "K", "T_K = 5 is outside"),
    ("cold import", "ionic_conductivity", 1e-5, "S/cm", 1.5, "K", "T_K = 1.5 is outside"),
    ("cold import", "activation_energy", 0.3, "eV", None, None, None),
    ("metal-like", "ionic_conductivity", 500.0, "S/cm", 25.0, "C", "sigma_S_cm = 500 is outside"),
    ("furnace", "ionic_conductivity", 1e-3, "S/cm", 9999.0, "K", "T_K = 9999 is outside"),
    ("furnace", "activation_energy", 0.4, "eV", None, None, None),
    ("steep", "ionic_conductivity", 1e-6, "S/cm", 25.0, "C", None),
    ("steep", "activation_energy", 4.9, "eV", None, None, "Ea_eV = 4.9 is outside"),
]


def run(*args: str) -> Any:
    return runner.invoke(app, list(args))


def _seed(db: Any) -> None:
    """Store each row as an older version could: a plausible row, then rewritten in SQL."""
    for name, prop, value, unit, T, T_unit, _ in IMPLAUSIBLE:
        ok = {"ionic_conductivity": (1e-4, "S/cm"), "activation_energy": (0.5, "eV")}[prop]
        res = db.add_measurement(material=name, property=prop, value=ok[0], unit=ok[1],
                                 temperature=300.0, temperature_unit="K")
        with sqlite3.connect(db.path) as con:
            con.execute("update measurements set value=?, unit=?, temperature=?, "
                        "temperature_unit=? where id=?",
                        (value, unit, T, T_unit, res.measurement_id))
    db.close()


# ------------------------------------------------------------------ every door, one check
@pytest.mark.parametrize(("value", "unit", "prop", "T", "message"), [
    ("1e-4", "S/cm", "ionic_conductivity", "5K", "T_K = 5 is outside what a laboratory measures "
                                                 "(10 <= T_K <= 2000)"),
    ("500", "S/cm", "ionic_conductivity", "25C", "sigma_S_cm = 500 is outside what a laboratory "
                                                 "measures (0 < sigma_S_cm <= 10)"),
    ("1e-3", "S/cm", "ionic_conductivity", "9999K", "T_K = 9999 is outside"),
    ("4.9", "eV", "activation_energy", "300K", "Ea_eV = 4.9 is outside what a laboratory "
                                               "measures (0 <= Ea_eV <= 3)"),
    # found by the 2,000-example REST fuzz: a transition temperature of 1.3e-182 K was stored
    ("1.3e-182", "K", "transition_temperature", "300K", "T_K = 1.3e-182 is outside"),
])
def test_add_refuses_what_import_refuses(db: Any, value: str, unit: str, prop: str, T: str,
                                         message: str) -> None:
    args = ["add", "--name", "door", "--value", value, "--unit", unit, "--property", prop,
            "--T", T, "--db", str(db.path)]
    res = run(*args)
    assert res.exit_code == 1 and res.stderr.startswith(f"error: add: {message}")
    assert res.stderr.strip().endswith(HINT.strip()) and res.stderr.count("\n") == 1
    assert "door" not in db.names()
    assert run(*args, "--allow-implausible").exit_code == 0
    assert "door" in db.names()


def test_rest_writes_apply_the_same_limits(db: Any, tmp_path: Path) -> None:
    """POST /measurements and /imports refuse 5 K and 1.5 K (the REST import stored 1.5 K)."""
    from fastapi.testclient import TestClient

    from nitrolyte.api import clear_cache
    from nitrolyte.web import create_app

    auth = {"Authorization": f"Bearer {db.create_token('alice')}"}
    body = {"name": "cryo pellet", "value": 1e-4, "unit": "S/cm", "T": "5K"}
    csv = b"name,property,value,unit,temperature,temperature_unit\ncold,ionic_conductivity,1e-5,S/cm,1.5,K\n"
    try:
        with TestClient(create_app(db), base_url="http://localhost") as client:
            r = client.post("/api/v1/measurements", json=body, headers=auth)
            assert r.status_code == 422
            assert r.json()["error"] == f"add: T_K = 5 is outside what a laboratory measures (10 <= T_K <= 2000){HINT}"
            r = client.post("/api/v1/imports", files={"file": ("cold.csv", csv, "text/csv")},
                            headers=auth)
            assert r.status_code == 422 and r.json()["error"].startswith(
                "cold.csv row 1: T_K = 1.5 is outside")
            assert not {"cryo pellet", "cold"} & set(db.names())
            r = client.post("/api/v1/measurements", json={**body, "allow_implausible": True},
                            headers=auth)
            assert r.status_code == 201
            r = client.post("/api/v1/imports", files={"file": ("cold.csv", csv, "text/csv")},
                            data={"allow_implausible": "true"}, headers=auth)
            assert r.status_code == 201
    finally:
        clear_cache()


def test_measurement_sets_and_imports_through_the_api(db: Any, tmp_path: Path) -> None:
    """Measurement sets (EIS, fit, MD stores) and Python imports go through the same check."""
    with pytest.raises(DataValidationError, match=r"measurement set row 1: T_K = 5 is outside"):
        db.add_measurement_set("md toy", points=[{"T_K": 5.0, "sigma_S_cm": 1e-4}], method="MD")
    with pytest.raises(DataValidationError, match=r"row 2: sigma_S_cm = 50 is outside"):
        db.add_measurement_set("md toy", method="MD", points=[
            {"T_K": 600.0, "sigma_S_cm": 1e-2}, {"T_K": 900.0, "sigma_S_cm": 50.0}])
    assert "md toy" not in db.names()
    res = db.add_measurement_set("md toy", points=[{"T_K": 5.0, "sigma_S_cm": 1e-4}],
                                 method="MD", allow_implausible=True)
    assert res.n_points == 1
    rows = tmp_path / "rows.json"
    rows.write_text('[{"name": "hot", "property": "ionic_conductivity", "value": 1e-3, '
                    '"unit": "S/cm", "temperature": 2500, "temperature_unit": "K"}]')
    with pytest.raises(DataValidationError, match=r"rows.json row 1: T_K = 2500 is outside"):
        db.import_file(rows)
    assert db.import_file(rows, allow_implausible=True).n_measurements == 1


# ------------------------------------------------------------------ every reader tolerant
def test_a_seeded_database_still_screens_and_names_what_it_skipped(db: Any) -> None:
    from nitrolyte.screening import screen

    _seed(db)
    res = screen(db=db)
    by_name = {r.name: r for r in res.rows}
    assert {"cryo pellet", "cold import", "metal-like", "furnace", "steep"} <= set(by_name)
    for name in ("cryo pellet", "cold import", "metal-like", "furnace"):  # σ unknown, not a number
        assert math.isnan(by_name[name].evidence["sigma_S_cm"])
    assert math.isnan(by_name["steep"].evidence["Ea_eV"])
    assert sorted(res.warnings) == sorted([
        "skipped cold import: ionic_conductivity 1e-05 S/cm at 1.5 K: T_K = 1.5 is outside what "
        "a laboratory measures (10 <= T_K <= 2000)",
        "skipped cryo pellet: ionic_conductivity 0.0001 S/cm at 5 K: T_K = 5 is outside what a "
        "laboratory measures (10 <= T_K <= 2000)",
        "skipped furnace: ionic_conductivity 0.001 S/cm at 9999 K: T_K = 9999 is outside what a "
        "laboratory measures (10 <= T_K <= 2000)",
        "skipped metal-like: ionic_conductivity 500 S/cm: sigma_S_cm = 500 is outside what a "
        "laboratory measures (0 < sigma_S_cm <= 10)",
        "skipped steep: activation_energy 4.9 eV: Ea_eV = 4.9 is outside what a laboratory "
        "measures (0 <= Ea_eV <= 3)"])
    assert res.to_dict()["warnings"] == list(res.warnings)
    cli = run("screen", "--db", str(db.path), "--json")
    assert cli.exit_code == 0 and "Traceback" not in cli.output
    assert cli.stderr.count("warning: skipped ") == 5 and "cryo pellet" in cli.stderr


def test_a_plausible_row_that_overflows_is_unknown_not_a_crash(db: Any) -> None:
    """10 K with Ea 3 eV is within the limits, but exp(Ea/kT) from 10 K overflows."""
    from nitrolyte.screening import screen
    from nitrolyte.transport.conductivity import conductivity_table

    db.add_measurement(material="edge", property="ionic_conductivity", value=1e-4, unit="S/cm",
                       temperature=10.0, temperature_unit="K")
    db.add_measurement(material="edge", property="activation_energy", value=3.0, unit="eV",
                       temperature=10.0, temperature_unit="K")
    (row,) = [r for r in screen(db=db).rows if r.name == "edge"]
    assert math.isnan(row.evidence["sigma_S_cm"])
    assert any("cannot extrapolate" in str(c.to_dict()) for c in row.criteria)
    table = conductivity_table(None, [298.15], db=db)
    assert math.isnan(table.loc[("edge", "", "user")].iloc[0])


@pytest.mark.slow  # three report sections and a full screening: ~30 s on the loaded machine
def test_a_seeded_database_still_builds_the_report_and_serves_screening(db: Any,
                                                                         tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from nitrolyte.api import clear_cache
    from nitrolyte.report.build import build_report
    from nitrolyte.web import create_app

    _seed(db)
    with pytest.warns(Warning):  # the Arrhenius table names what it skipped
        index = build_report(tmp_path / "report", db=db, progress=False, jobs=1,
                             sections=["transport", "measurements", "screening"])
    page = index.read_text(encoding="utf-8")
    assert "Skipped stored values" in page and "cryo pellet: ionic_conductivity 0.0001 S/cm at 5 K" in page
    try:
        with TestClient(create_app(db), base_url="http://localhost") as client:
            r = client.get("/api/v1/screening")
            assert r.status_code == 200, r.text
            doc = r.json()
            assert len(doc["warnings"]) == 5 and any("cryo pellet" in w for w in doc["warnings"])
            assert client.get("/api/v1/materials").status_code == 200
            assert client.get("/screening").status_code == 200
    finally:
        clear_cache()


def test_usable_frame_blanks_only_what_is_outside() -> None:
    import pandas as pd

    from nitrolyte.plausibility import usable_frame

    frame = pd.DataFrame({"name": ["a", "b", "c", "d"], "sigma_S_cm": [1e-3, 20.0, 1e-4, None],
                          "T_K": [300.0, 300.0, 5.0, None], "Ea_eV": [0.3, 0.3, 0.3, 3.5]})
    out, warnings = usable_frame(frame)
    assert out["sigma_S_cm"].tolist()[:1] == [1e-3] and out["sigma_S_cm"].isna().tolist() == [
        False, True, True, True]
    assert out["Ea_eV"].tolist()[:3] == [0.3, 0.3, 0.3] and math.isnan(out["Ea_eV"].iloc[3])
    assert [w.split(":")[0] for w in warnings] == ["skipped c", "skipped b", "skipped d"]
    assert frame["sigma_S_cm"].iloc[1] == 20.0  # the input is not changed
    same, none = usable_frame(frame.iloc[:1])
    assert none == [] and same is not None


# ------------------------------------------------------------------ mutants of plausibility.py
@pytest.mark.parametrize("key", ["T_K", "sigma_S_cm", "Ea_eV"])
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_is_refused_even_when_implausible_is_allowed(key: str, bad: float) -> None:
    """Kills 'the finite check removed': NaN passes every range comparison."""
    for allow in (False, True):
        with pytest.raises(InputError, match=rf"f.csv: {key} must be finite, got {bad}"):
            check_measurement(**{key: [1.0, bad]}, where="f.csv", allow_implausible=allow)


@pytest.mark.parametrize(("T", "unit", "refused"), [
    ("1800", "C", "T_K = 2073.15 is outside"), ("1800", "K", None),
    ("-265", "C", "T_K = 8.15 is outside"), ("-260", "C", None), ("15", "K", None),
])
def test_celsius_rows_are_converted_before_the_limits(db: Any, tmp_path: Path, T: str,
                                                      unit: str, refused: str | None) -> None:
    """Kills '°C rows read as K': 1800 °C is 2073 K (refused), -260 °C is 13 K (kept)."""
    rows = tmp_path / "rows.csv"
    rows.write_text("name,property,value,unit,temperature,temperature_unit\n"
                    f"celsius,ionic_conductivity,1e-4,S/cm,{T},{unit}\n")
    res = run("import", str(rows), "--db", str(db.path))
    if refused:
        assert res.exit_code == 1 and res.stderr.startswith(f"error: rows.csv row 1: {refused}")
    else:
        assert res.exit_code == 0, res.output
        expected = float(T) + (273.15 if unit == "C" else 0.0)
        assert db.get("celsius").T_K() == pytest.approx(expected)


@pytest.mark.parametrize(("value", "unit", "Ea", "refused"), [
    ("500", "meV", 0.5, None), ("3500", "meV", None, "Ea_eV = 3.5 is outside"),
    ("2.9", "eV", 2.9, None), ("0.002", "meV", 2e-6, None),
])
def test_mev_is_a_thousandth_of_an_ev(db: Any, tmp_path: Path, value: str, unit: str,
                                      Ea: float | None, refused: str | None) -> None:
    """Kills 'a meV factor of 1e3': 500 meV is 0.5 eV (kept), 3500 meV is 3.5 eV (refused)."""
    rows = tmp_path / "ea.csv"
    rows.write_text("name,property,value,unit,temperature,temperature_unit\n"
                    f"mev,activation_energy,{value},{unit},300,K\n")
    res = run("import", str(rows), "--db", str(db.path))
    if refused:
        assert res.exit_code == 1 and res.stderr.startswith(f"error: ea.csv row 1: {refused}")
        assert "mev" not in db.names()
    else:
        assert res.exit_code == 0, res.output
        assert db.get("mev").Ea_eV() == pytest.approx(Ea, rel=1e-12)


def test_md_refuses_a_temperature_it_could_not_store_before_running(db: Any,
                                                                    tmp_path: Path) -> None:
    """MD sets go through the same limits: a 2500 K run is refused up front, not after hours."""
    res = run("md", "beta-Li3N", "--T", "2500K", "--ps", "0.01", "--potential", "lj-toy",
              "--out", str(tmp_path / "md"), "--db", str(db.path))
    assert res.exit_code == 2 and res.stderr.strip() == (
        "error: --T: 2500 K is outside the 10-2000 K a stored measurement may have; run it "
        "with --no-store or --allow-implausible")
    assert not (tmp_path / "md").exists()


def test_sigma_names_the_implausible_value_its_answer_rests_on(db: Any) -> None:
    _seed(db)
    res = run("sigma", "steep", "--T", "300K", "--db", str(db.path))
    assert res.exit_code == 0 and res.stderr.splitlines()[0] == (
        "warning: the stored Ea_eV = 4.9 is outside what a laboratory measures (0 <= Ea_eV <= 3); "
        "this answer rests on it")
    ok = run("sigma", "beta-Li3N", "--T", "25C", "--json", "--db", str(db.path))
    assert json.loads(ok.stdout)["warnings"] == []
