"""An MD run that never reached the diffusive regime is stored as *unknown*: an MD measurement set
with no σ point whose ``method_details["not_diffusive"]`` says why; shown as unknown by ``show``,
``list``, the report, screening and the web page, never as a number; refused without a reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nitrolyte.cli import app
from nitrolyte.errors import DataValidationError, InputError, UnknownMaterialError

runner = CliRunner()
NAME = "α-Li3N (MD)"
VERSION = "chgnet-0.4.2/model-0.3.0"
REASON = "0 Li hops >= 1.5 Å in the run (need >= 20)"
UNKNOWN = {"model": "chgnet", "version": VERSION, "simulation": True,
           "not_diffusive": [{"T_K": 600.0, "reason": REASON, "n_hops": 0,
                              "msd_final_A2": 0.3}]}


def _counts(db: Any) -> tuple[int, int]:
    """(measurement sets, user materials) in ``db``."""
    return len(db.measurement_sets()), len(db.table("materials", "user"))


@pytest.fixture
def unknown_db(db: Any) -> Any:
    """One MD set with no σ point (600 K never diffusive), one EIS set."""
    db.add_measurement_set(NAME, formula="Li3N", family="Li3N", points=[], method="MD",
                           method_details=UNKNOWN)
    db.add_measurement_set("Pellet B", formula="Li3N", family="Li3N", method="EIS",
                           points=[{"T_K": 313.15, "sigma_S_cm": 3e-5}])
    return db


def test_unknown_set_is_stored_with_no_point_and_its_reasons(any_db: Any) -> None:
    db = any_db  # SQLite and PostgreSQL
    res = db.add_measurement_set(NAME, formula="Li3N", family="Li3N", points=[], method="MD",
                                 method_details=UNKNOWN)
    assert (res.n_points, res.created_material) == (0, True)
    one = db.measurement_set(res.set_id)
    assert one["points"].empty and one["n_points"] == 0 and one["fit"] is None
    assert one["method_details"]["not_diffusive"] == UNKNOWN["not_diffusive"]
    rec = db.get(NAME)
    assert (rec.formula, rec.family, rec.measurements) == ("Li3N", "Li3N", ())
    # the same name again: a second set (own id and time) under the same material
    again = db.add_measurement_set(NAME, points=[], method="MD", method_details=UNKNOWN)
    assert (again.set_id, again.material_id, again.created_material) == (
        res.set_id + 1, res.material_id, False)


@pytest.mark.parametrize(("details", "match"), [
    (None, r"needs at least one point or a fit, or method_details\['not_diffusive'\] saying why"),
    ({"model": "chgnet"}, "needs at least one point or a fit"),
    ({"not_diffusive": []}, "must be a non-empty list"),
    ({"not_diffusive": "hot"}, "must be a non-empty list"),
    ({"not_diffusive": [{"T_K": 600.0}]}, r"\[0\] must be a dict with a non-empty text 'reason'"),
    ({"not_diffusive": [{"T_K": 600.0, "reason": "  "}]}, "non-empty text 'reason'"),
    ({"not_diffusive": [None]}, "non-empty text 'reason', got None"),
])
def test_zero_points_without_a_reason_is_refused_and_nothing_written(any_db: Any, details: Any,
                                                                      match: str) -> None:
    db = any_db  # SQLite and PostgreSQL
    before = _counts(db)
    with pytest.raises(InputError, match=match):
        db.add_measurement_set("Never stored (MD)", formula="Li3N", family="Li3N", points=[],
                               method="MD", method_details=details)
    assert _counts(db) == before
    with pytest.raises(UnknownMaterialError):
        db.resolve("Never stored (MD)")


def test_bad_material_of_an_unknown_set_writes_nothing(db: Any) -> None:
    before = _counts(db)
    with pytest.raises(DataValidationError, match="column 'family'"):
        db.add_measurement_set("Bad (MD)", formula="Li3N", family="no such family", points=[],
                               method="MD", method_details=UNKNOWN)
    assert _counts(db) == before


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.one_of(st.none(), st.text(max_size=5), st.lists(st.one_of(
    st.none(), st.integers(), st.dictionaries(st.sampled_from(["T_K", "reason", "n_hops"]),
                                              st.one_of(st.none(), st.text(max_size=8),
                                                        st.floats(allow_nan=True)),
                                              max_size=3)), max_size=3)))
def test_fuzz_unknown_set_is_stored_whole_or_refused(db: Any, entries: Any) -> None:
    before = len(db.measurement_sets())
    try:
        res = db.add_measurement_set("Fuzz (MD)", formula="Li3N", family="Li3N", points=[],
                                     method="MD", method_details={"not_diffusive": entries})
    except InputError as exc:
        assert str(exc) and len(db.measurement_sets()) == before
        return
    reasons = [e["reason"] for e in entries]
    assert all(isinstance(r, str) and r.strip() for r in reasons)
    assert res.n_points == 0 and len(db.measurement_sets()) == before + 1


def test_md_unknown_run_is_stored_as_unknown(tmp_path: Path) -> None:
    """The done-when command with the cheap lj-toy potential: 0.2 ps give too few hops, so σ is
    unknown; the run is stored (n_points 0) with every setting and the reasons; rerun adds a set."""
    from nitrolyte.store import Database

    dbp = tmp_path / "md.sqlite"
    args = ["md", "alpha-Li3N", "--T", "600K", "--ps", "0.2", "--supercell", "2x2x2",
            "--potential", "lj-toy", "--device", "cpu", "--out", str(tmp_path / "runs"),
            "--db", str(dbp)]
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    (run,) = doc["runs"]
    assert run["diffusive"] is False and run["sigma_S_cm"] is None and doc["fit"] is None
    stored = doc["stored"]
    assert stored["n_points"] == 0 and stored["created_material"] is True
    assert "stored as unknown: no temperature reached the diffusive regime" in doc["notes"]
    with Database(dbp) as db:
        one = db.measurement_set(stored["set_id"])
        assert (one["method"], one["name"], one["material_id"]) == ("MD", NAME,
                                                                     stored["material_id"])
        d = one["method_details"]
        assert (d["model"], d["seed"], d["supercell"], d["vacancies"]) == ("lj-toy", 0,
                                                                           [2, 2, 2], 0.0)
        assert (d["ps"], d["timestep_fs"], d["equilibration_ps"]) == (
            run["md"]["production_ps"], 1.0, run["md"]["equilibration_ps"])
        assert (d["T_K"], d["device"], d["n_atoms"], d["simulation"]) == ([600.0], "cpu", 32,
                                                                          True)
        assert d["estimator"] == run["estimator"] and d["version"] == run["md"]["model_version"]
        (why,) = d["not_diffusive"]
        assert (why["T_K"], why["reason"], why["n_hops"]) == (600.0, run["reason"], run["n_hops"])
        assert why["msd_final_A2"] == pytest.approx(run["msd_A2"][-1])
    table = runner.invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "note: stored as unknown" in table.output
    assert f"stored as measurement set {stored['set_id'] + 1} ({NAME}, method MD, no σ point: " \
           "unknown)" in table.output
    with Database(dbp) as db:  # a rerun stores another set under the same material
        sets = db.measurement_sets()
        assert list(sets["n_points"]) == [0, 0] and sets["material_id"].nunique() == 1


def test_mixed_run_stores_answered_points_and_lists_the_unknown(db: Any) -> None:
    from md_toy import temperature_run
    from nitrolyte.simulate.pipeline import TransportSimulation, store_simulation

    runs = [temperature_run(600.0, reason=REASON, n_hops=2, msd_A2=(0.1, 0.4)),
            temperature_run(900.0, 2e-2, 1e-3, n_hops=80, msd_A2=(1.0, 9.0))]
    sim = TransportSimulation(material=NAME, structure="alpha-Li3N", formula="Li3N",
                              family="Li3N", settings={"supercell": (2, 2, 2), "vacancies": 0.0},
                              runs=runs, fit=None, sigma_25C=None, literature=None)
    stored = store_simulation(sim, db=db)
    assert stored["n_points"] == 1
    one = db.measurement_set(stored["set_id"])
    assert list(one["points"]["T_K"]) == [900.0] and list(one["points"]["sigma_S_cm"]) == [2e-2]
    assert one["method_details"]["not_diffusive"] == [
        {"T_K": 600.0, "reason": REASON, "n_hops": 2, "msd_final_A2": 0.4}]


def test_show_and_list_read_unknown(unknown_db: Any) -> None:
    path = str(unknown_db.path)
    shown = runner.invoke(app, ["show", NAME, "--db", path])
    assert shown.exit_code == 0, shown.output
    assert f"MD (simulation, {VERSION}): σ unknown: not diffusive (600 K: {REASON})" in \
        " ".join(shown.output.split())
    assert "measurements" not in shown.output  # no empty table above the unknown line
    doc = json.loads(runner.invoke(app, ["show", NAME, "--db", path, "--json"]).output)
    assert doc["material"]["measurements"] == []
    assert doc["unknown_simulations"][0]["text"].startswith("σ unknown: not diffusive")
    for extra in ([], ["--family", "Li3N"], ["--name", "Li3N (MD)"]):
        listed = runner.invoke(app, ["list", "--db", path, *extra])
        assert listed.exit_code == 0, listed.output
        line = next(ln for ln in listed.output.splitlines() if NAME in ln)
        assert "unknown (MD)" in line and "e-" not in line
    for extra in (["--min-sigma", "1e-9"], ["--family", "nitride halide"]):
        assert NAME not in runner.invoke(app, ["list", "--db", path, *extra]).output


def test_report_and_screening_read_unknown(unknown_db: Any, tmp_path: Path) -> None:
    import csv
    import math

    from nitrolyte.report.build import build_report
    from nitrolyte.screening import screen

    out = tmp_path / "report"
    build_report(out, db=unknown_db, progress=False, sections=["tables", "measurements"])
    with open(out / "data" / "user_data.csv", encoding="utf-8") as fh:
        rows = {r["name"]: r for r in csv.DictReader(fh)}
    row = rows[NAME]
    assert (row["conductivity_printed"], row["sigma_S_cm"]) == ("unknown (not diffusive)", "")
    assert row["method"] == f"MD (simulation, {VERSION})" and REASON in row["note"]
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "Set 1 (α-Li3N (MD), MD (simulation, " in page and "σ unknown: not diffusive" in page
    assert "set1_vs_literature" not in page  # no point, nothing drawn
    long = screen(family="Li3N", db=unknown_db).to_long_frame()
    sigma = long[(long["label"] == NAME) & (long["criterion"] == "sigma")].iloc[0]
    assert sigma["status"] == "unknown" and math.isnan(sigma["value"])
    assert sigma["note"] == f"σ unknown: not diffusive (600 K: {REASON})"


def test_web_material_lists_unknown(unknown_db: Any) -> None:
    from fastapi.testclient import TestClient

    from nitrolyte.web import create_app

    token = unknown_db.create_token("reader")
    with TestClient(create_app(unknown_db), base_url="http://localhost") as client:
        doc = client.get(f"/api/v1/materials/{NAME}",
                         headers={"Authorization": f"Bearer {token}"}).json()
        page = client.get(f"/materials/{NAME}", headers={"Authorization": f"Bearer {token}"})
    assert doc["unknown_simulations"] == [{"set_id": 1, "label": f"MD (simulation, {VERSION})",
                                           "text": f"σ unknown: not diffusive (600 K: {REASON})"}]
    assert page.status_code == 200 and "σ unknown: not diffusive" in page.text


def test_campaign_unknown_task_counts_done_and_completes_its_group(db: Any, tmp_path: Path
                                                                   ) -> None:
    """A task stored as unknown (no σ) is finished: status 'unknown' with its set, not pending;
    its group is complete with the other tasks' points."""
    from nitrolyte.simulate.campaign import load_spec, stored_task_ids, tasks_of
    from nitrolyte.simulate.campaign_fit import campaign_fits, unknown_task_ids

    spec = tmp_path / "s.yaml"
    spec.write_text("materials: [alpha-Li3N]\ntemperatures_K: [600, 900]\nps: 1\n"
                    "potential: lj-toy\ndevice: cpu\n", encoding="utf-8")
    cold, hot = tasks_of(load_spec(spec)[0])
    db.add_measurement_set(NAME, formula="Li3N", points=[], method="MD", method_details={
        "task_id": cold["task_id"], "not_diffusive": [{"T_K": 600.0, "reason": REASON}]})
    db.add_measurement_set(NAME, points=[{"T_K": 900.0, "sigma_S_cm": 1e-2}], method="MD",
                           method_details={"task_id": hot["task_id"]})
    assert unknown_task_ids([cold, hot], db) == {cold["task_id"]: f"600 K: {REASON}"}
    assert list(stored_task_ids(db)) == [hot["task_id"]]
    (g,) = campaign_fits([cold, hot], db, store=False)
    assert (g.complete, g.n_stored, g.n_unknown, g.Ea_eV) == (True, 1, 1, None)
    status = runner.invoke(app, ["campaign", "status", str(spec), "--db", str(db.path)])
    assert status.exit_code == 0, status.output
    assert "unknown" in status.output and "pending" not in status.output
    assert "1/2 tasks stored with σ, 1 unknown (not diffusive, stored without σ)" in status.output
    # a task an older version remembered in the cache still counts as finished
    from nitrolyte.simulate.campaign_fit import UNKNOWN_NAMESPACE

    db.cache_put(UNKNOWN_NAMESPACE, "0123456789abcdef", {"reason": "old"})
    old = {**cold, "task_id": "0123456789abcdef"}
    assert unknown_task_ids([old, hot], db) == {"0123456789abcdef": "old"}


def test_restore_refuses_a_database_holding_only_an_unknown_set(db: Any, tmp_path: Path) -> None:
    """An unknown MD set has no measurement rows, yet it is user data: restore asks --replace."""
    dump = tmp_path / "dump.json"
    db.dump(dump)  # empty of user data
    db.add_measurement_set(NAME, formula="Li3N", family="Li3N", points=[], method="MD",
                           method_details=UNKNOWN)
    with pytest.raises(InputError, match=r"already holds user rows.*--replace"):
        db.restore(dump)
    assert _counts(db) == (1, 1)
    db.restore(dump, replace=True)
    assert _counts(db) == (0, 0)
