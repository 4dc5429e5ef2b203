"""nitrolyte.simulate.campaign / ``nitrolyte campaign``: Dask LocalCluster runs, idempotent task
identity, and a campaign killed mid-way that resumes and ends with every task stored once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nitrolyte.cli import app
from nitrolyte.errors import InputError

runner = CliRunner()


def write_spec(path: Path, **overrides: object) -> Path:
    doc = {"materials": ["alpha-Li3N"], "vacancies": [0.0], "temperatures_K": [600, 900],
           "seeds": [0], "ps": 1.0, "equilibration_ps": 0.1, "frame_interval_fs": 20,
           "supercell": [2, 2, 2], "potential": "lj-toy",
           "device": "cpu", "out": "out",
           # the toy potential's Li is far too mobile (σ ~ 40 S/cm): past the store's limits
           "allow_implausible": True, **overrides}
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def test_task_identity_is_stable_and_covers_what_fixes_the_result(tmp_path: Path) -> None:
    from nitrolyte.simulate.campaign import load_spec, tasks_of

    spec, out = load_spec(write_spec(tmp_path / "a.yaml", seeds=[0, 1]))
    assert out == (tmp_path / "out").resolve()
    tasks = tasks_of(spec)
    assert len(tasks) == 4 and len({t["task_id"] for t in tasks}) == 4
    again = tasks_of(load_spec(write_spec(tmp_path / "b.yaml", seeds=[0, 1]))[0])
    assert [t["task_id"] for t in again] == [t["task_id"] for t in tasks]
    longer = tasks_of(load_spec(write_spec(tmp_path / "c.yaml", ps=0.6, seeds=[0, 1]))[0])
    assert not {t["task_id"] for t in longer} & {t["task_id"] for t in tasks}
    # the device is not part of the identity (same physics on CPU or GPU)
    cuda = tasks_of(load_spec(write_spec(tmp_path / "d.yaml", device="auto", seeds=[0, 1]))[0])
    assert [t["task_id"] for t in cuda] == [t["task_id"] for t in tasks]


@pytest.mark.parametrize(("overrides", "match"), [
    ({"temperature": [600]}, "field 'temperature'"),
    ({"vacancies": [0.6]}, "field 'vacancies' must be in"),
    ({"temperatures_K": [-3]}, "field 'temperatures_K' must be in"),
    ({"ps": 0}, "field 'ps'"),
    ({"materials": ["kryptonite"]}, "unknown material"),
])
def test_bad_specs_exit_with_one_error_line(tmp_path: Path, overrides: dict, match: str) -> None:
    spec = write_spec(tmp_path / "bad.yaml", **overrides)
    res = runner.invoke(app, ["campaign", "status", str(spec), "--db",
                              str(tmp_path / "x.sqlite")])
    assert res.exit_code in (1, 2), res.output
    assert res.output.startswith("error:") and match in res.output


def test_missing_spec_and_bad_workers(tmp_path: Path) -> None:
    from nitrolyte.simulate.campaign import load_spec, run_campaign

    with pytest.raises(InputError, match="campaign spec not found"):
        load_spec(tmp_path / "none.yaml")
    with pytest.raises(InputError, match="--workers must be >= 1"):
        run_campaign(write_spec(tmp_path / "w.yaml"), workers=0, db=tmp_path / "w.sqlite",
                     progress=False)


def _n_sets(db_path: Path) -> int:
    from nitrolyte.store import Database

    if not db_path.exists():
        return 0
    with Database(db_path) as db:
        try:
            return len(db.measurement_sets())
        except Exception:  # the database may be mid-creation by the other process
            return 0


@pytest.mark.slow
def test_two_task_campaign_killed_then_resumed_stores_each_task_once(tmp_path: Path) -> None:
    from nitrolyte.simulate.campaign import campaign_status, run_campaign, stored_task_ids

    spec = write_spec(tmp_path / "spec.yaml", temperatures_K=[900, 1200])
    dbp = tmp_path / "camp.sqlite"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-m", "nitrolyte", "campaign", "run", str(spec),
                             "--workers", "1", "--db", str(dbp), "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        deadline = time.monotonic() + 240
        while _n_sets(dbp) < 1 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert proc.poll() is None, proc.communicate()[1][-2000:]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert _n_sets(dbp) == 1
    states = sorted(r["state"] for r in campaign_status(spec, db=dbp))
    assert states[1] == "stored" and states[0] in ("started", "pending")

    report = run_campaign(tmp_path / "out", workers=1, db=dbp, progress=False)  # resume by folder
    assert (report.n_tasks, report.n_skipped, report.n_stored, report.n_failed) == (2, 1, 1, 0)
    ids = stored_task_ids(dbp)
    assert len(ids) == 2 == _n_sets(dbp)
    again = runner.invoke(app, ["campaign", "resume", str(spec), "--db", str(dbp), "--json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["n_skipped"] == 2 and _n_sets(dbp) == 2


_values = st.one_of(st.none(), st.booleans(), st.integers(-10, 10), st.floats(-1, 2000),
                    st.text(max_size=5), st.lists(st.integers(-2, 900), max_size=3))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=st.dictionaries(st.sampled_from(["materials", "vacancies", "temperatures_K", "seeds",
                                            "ps", "supercell", "potential", "out", "extra"]),
                           _values, max_size=6))
def test_fuzz_campaign_status_never_tracebacks(tmp_path: Path, doc: dict) -> None:
    spec = tmp_path / "fuzz.yaml"
    spec.write_text(yaml.safe_dump(doc), encoding="utf-8")
    res = runner.invoke(app, ["campaign", "status", str(spec), "--db",
                              str(tmp_path / "f.sqlite"), "--json"])
    assert "Traceback" not in res.output
    assert res.exit_code in (0, 1, 2)
    if res.exit_code:
        assert res.output.startswith("error:")


@pytest.mark.slow
def test_campaign_on_an_existing_scheduler_by_address(tmp_path: Path) -> None:
    from dask.distributed import LocalCluster

    from nitrolyte.simulate.campaign import campaign_status, run_campaign, stored_task_ids

    spec = write_spec(tmp_path / "s.yaml", ps=0.1, temperatures_K=[700])
    dbp = tmp_path / "s.sqlite"
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=":0") as cluster:
        report = run_campaign(spec, scheduler=cluster.scheduler_address, db=dbp, progress=False)
    # 0.1 ps: no hop, so the task finishes with D unknown; it is stored once as a set with no
    # σ point and its reasons, counted finished, and not rerun
    assert (report.n_tasks, report.n_stored, report.n_failed, len(report.unknown)) == (1, 0, 0, 1)
    (task,) = report.unknown
    assert task.n_points == 0 and task.D_cm2_s != task.D_cm2_s and "hops" in task.reason
    assert stored_task_ids(dbp) == {}  # no σ stored
    result = json.loads((Path(report.out) / "tasks" / task.task_id / "result.json").read_text())
    assert result["runs"][0]["T_K"] == 700.0
    assert result["stored"]["set_id"] == task.set_id and result["stored"]["n_points"] == 0
    (row,) = campaign_status(spec, db=dbp)
    assert row["state"] == "unknown" and "hops" in row["reason"] and row["set_id"] == task.set_id
    again = run_campaign(spec, db=dbp, progress=False)
    assert (again.n_skipped, again.n_stored, len(again.unknown)) == (1, 0, 0)
    from nitrolyte.store import Database

    with Database(dbp) as db:
        (only,) = db.measurement_sets().to_dict("records")  # stored once, kept once
        details = json.loads(only["method_details"])
        assert only["n_points"] == 0 and details["task_id"] == task.task_id
        assert details["not_diffusive"][0]["T_K"] == 700.0


def _store_task(db: object, task: dict, sigma: float) -> int:
    """A task's set as the campaign stores it: one σ point under the task's material."""
    from nitrolyte.simulate.pipeline import material_name

    res = db.add_measurement_set(  # type: ignore[attr-defined]
        material_name("alpha-Li3N", task["vacancies"]), formula="Li3N",
        points=[{"T_K": task["T_K"], "sigma_S_cm": sigma, "kind": "bulk",
                 "sigma_stderr_S_cm": 0.01 * sigma}],
        method="MD", method_details={"task_id": task["task_id"], "simulation": True})
    return res.set_id


def test_campaign_tasks_combine_into_one_stored_arrhenius_fit(tmp_path: Path) -> None:
    """Synthetic task results on an exact σT = A exp(-Ea/kT) law (Ea = 0.30 eV): the fit is
    provisional (not stored) while a task is missing, stored once when all are, never twice, and
    recovers Ea and σ(25 °C) of the law; `campaign status` prints it."""
    import math

    from nitrolyte.simulate.campaign import campaign_arrhenius, load_spec, tasks_of
    from nitrolyte.store import Database
    from nitrolyte.units import K_B_EV, T_ROOM_K

    spec_path = write_spec(tmp_path / "s.yaml", temperatures_K=[500, 600, 700, 800])
    tasks = tasks_of(load_spec(spec_path)[0])
    law = lambda T: 5e3 / T * math.exp(-0.30 / (K_B_EV * T))  # noqa: E731  σ in S/cm
    dbp = tmp_path / "f.sqlite"
    with Database(dbp) as db:
        for t in tasks[:2]:
            _store_task(db, t, law(t["T_K"]))
        (g,) = campaign_arrhenius(spec_path, db=db)
        assert (g.n_stored, g.n_tasks, g.Ea_eV, g.set_id) == (2, 4, None, None)
        _store_task(db, tasks[2], law(tasks[2]["T_K"]))
        (g,) = campaign_arrhenius(spec_path, db=db)
        assert g.Ea_eV == pytest.approx(0.30, abs=1e-6) and g.set_id is None
        assert not g.complete and len(db.measurement_sets()) == 3  # provisional: not stored
        _store_task(db, tasks[3], law(tasks[3]["T_K"]))
        (g,) = campaign_arrhenius(spec_path, db=db)
        assert g.complete and g.set_id is not None
        assert g.Ea_eV == pytest.approx(0.30, abs=1e-6)
        assert g.sigma_25C.sigma_S_cm == pytest.approx(law(T_ROOM_K), rel=1e-5)
        assert g.sigma_25C.lower_S_cm <= law(T_ROOM_K) <= g.sigma_25C.upper_S_cm
        assert campaign_arrhenius(spec_path, db=db)[0].set_id == g.set_id
        sets = db.measurement_sets()
        assert len(sets) == 5  # four task sets + one fit, however often status runs
        stored = db.measurement_set(g.set_id)
        assert stored["n_points"] == 0 and stored["method"] == "MD"  # points live in task sets
        assert stored["fit"]["Ea_eV"] == pytest.approx(0.30, abs=1e-6)
        assert sorted(stored["method_details"]["task_ids"]) == sorted(t["task_id"] for t in tasks)
    res = runner.invoke(app, ["campaign", "status", str(spec_path), "--db", str(dbp)])
    assert res.exit_code == 0, res.output
    assert "Ea = 0.300 ± " in res.output and f"stored as set {g.set_id}" in res.output
