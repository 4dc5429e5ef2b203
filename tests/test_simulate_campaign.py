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
           "seeds": [0], "ps": 0.5, "supercell": [2, 2, 2], "potential": "lj-toy",
           "device": "cpu", "out": "out", **overrides}
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

    spec = write_spec(tmp_path / "spec.yaml")
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

    from nitrolyte.simulate.campaign import run_campaign, stored_task_ids

    spec = write_spec(tmp_path / "s.yaml", ps=0.1, temperatures_K=[700])
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=":0") as cluster:
        report = run_campaign(spec, scheduler=cluster.scheduler_address,
                              db=tmp_path / "s.sqlite", progress=False)
    assert (report.n_tasks, report.n_stored, report.n_failed) == (1, 1, 0)
    assert list(stored_task_ids(tmp_path / "s.sqlite")) == [report.stored[0]["task_id"]]
    result = json.loads((Path(report.out) / "tasks" / report.stored[0]["task_id"] /
                         "result.json").read_text())
    assert result["runs"][0]["T_K"] == 700.0 and result["stored"]["set_id"] == 1
