"""``db dump`` / ``db restore``: a database's own rows and provenance, SQLite <-> PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nitrolyte.cli import app
from nitrolyte.errors import DataValidationError, InputError, NitrolyteError
from nitrolyte.store import Database

runner = CliRunner()


def _fill(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("name,formula,family,property,value,unit,temperature,temperature_unit,ref,note\n"
                    "Film A,Li3PO4,LiPON and derivatives,ionic_conductivity,2.5e-6,S/cm,25,C,"
                    "10.1000/xyz123,=risky\n"
                    "beta-Li3N,,,ionic_conductivity,3.1e-4,S/cm,300,K,28,\n")
    db.import_file(path, added_by="alice")
    db.add_measurement_set("Film A", points=[{"T_K": 300.0, "sigma_S_cm": 2.6e-6},
                                             {"T_K": 350.0, "sigma_S_cm": 2.0e-5, "kind": "bulk"}],
                           fit={"Ea_eV": 0.52, "Ea_stderr_eV": 0.02, "law": "sigmaT"},
                           method="EIS", method_details={"circuit": "R0-p(R1,CPE1)"},
                           added_by="token:robot")
    db.cache_put("relax", "Li3N", {"energy_eV": -1.25})
    db.create_token("robot", "write")


def _dump_text(db: Database, path: Path) -> str:
    db.dump(path)
    return path.read_text()


@pytest.mark.postgresql
def test_dump_restore_sqlite_postgresql_sqlite(sqlite_db: Database, pg_db: Database,
                                               tmp_path: Path) -> None:
    _fill(sqlite_db, tmp_path)
    first = _dump_text(sqlite_db, tmp_path / "a.json")
    res = runner.invoke(app, ["db", "restore", str(tmp_path / "a.json"), "--db", pg_db.url])
    assert res.exit_code == 0, res.stderr
    assert "restored 5 user measurement(s)" in res.stdout
    assert _dump_text(pg_db, tmp_path / "b.json") == first
    rec = pg_db.get("film a")
    assert rec.Ea_eV() == 0.52 and {m.added_by for m in rec.measurements} == {"alice", "token:robot"}
    assert pg_db.cache_get("relax", "Li3N") == {"energy_eV": -1.25}
    assert [t["name"] for t in pg_db.list_tokens()] == ["robot"]
    detail = pg_db.measurement_set(int(pg_db.measurement_sets()["set_id"].iloc[0]))
    assert detail["points"]["kind"].tolist() == ["total", "bulk"]
    with Database(tmp_path / "c.sqlite") as back:
        back.restore(tmp_path / "b.json")
        assert _dump_text(back, tmp_path / "c.json") == first


def test_dump_keeps_provenance_and_restore_refuses_non_empty(sqlite_db: Database,
                                                             tmp_path: Path) -> None:
    _fill(sqlite_db, tmp_path)
    doc = json.loads(_dump_text(sqlite_db, tmp_path / "a.json"))
    assert doc["schema"] == "nitrolyte.dump/2"
    rows = {m["value"]: m for m in doc["measurements"]}
    assert rows[2.5e-6]["added_by"] == "alice" and len(rows[2.5e-6]["source_sha256"]) == 64
    assert rows[2.6e-6]["set"] == 0 and rows[2.5e-6]["set"] is None
    assert "plaintext" not in json.dumps(doc["api_tokens"]) and len(doc["api_tokens"][0]["sha256"]) == 64
    with pytest.raises(InputError, match=r"already holds user rows.*--replace"):
        sqlite_db.restore(tmp_path / "a.json")
    assert sqlite_db.restore(tmp_path / "a.json", replace=True).n_measurements == 5
    assert _dump_text(sqlite_db, tmp_path / "b.json") == (tmp_path / "a.json").read_text()


@pytest.mark.parametrize(("content", "message"), [
    ("{", "not a nitrolyte dump"),
    ('{"schema": "other"}', "'schema' must be 'nitrolyte.dump/2'"),
    ('{"schema": "nitrolyte.dump/1", "measurements": {}}', "'measurements' must be a list"),
    ('{"schema": "nitrolyte.dump/1", "measurements": [{"material_id": "nope", "property": '
     '"ionic_conductivity", "value": 1, "derived_from_arrhenius": false, "added_at": "x"}]}',
     "material_id 'nope' is not in the dump"),
    ('{"schema": "nitrolyte.dump/1", "measurements": [{"colour": 1}]}', "unknown field"),
])
def test_bad_dump_restores_nothing(sqlite_db: Database, tmp_path: Path, content: str,
                                   message: str) -> None:
    (tmp_path / "d.json").write_text(content)
    with pytest.raises(DataValidationError, match=message):
        sqlite_db.restore(tmp_path / "d.json")
    assert sqlite_db.table("measurements", "user").empty


_json = st.recursive(st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=5),
                     lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.sampled_from(["material_id", "property", "value", "set",
                                                        "x", "name"]), inner, max_size=3),
                     max_leaves=8)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=st.fixed_dictionaries({"schema": st.just("nitrolyte.dump/1")},
                                 optional={k: _json for k in ("materials", "measurements",
                                                              "measurement_sets", "cache")}))
def test_restore_fuzz_all_or_nothing(sqlite_db: Database, tmp_path_factory, doc: dict) -> None:
    path = tmp_path_factory.mktemp("dump") / "d.json"
    path.write_text(json.dumps(doc))
    try:
        sqlite_db.restore(path, replace=True)
    except NitrolyteError:
        pass
    else:
        assert len(sqlite_db.table("measurements", "user")) == len(doc.get("measurements", []))
