"""The embedded database: location, seeding, user rows, import/export, versioning, errors."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nitrolyte import dataset
from nitrolyte.errors import DatabaseError, DataValidationError, InputError
from nitrolyte.store import (
    COLUMNS,
    HEAD_REVISION,
    SCHEMA_VERSION,
    Database,
    data_hash,
    resolve_url,
)

#: OBELiX lies in ../shared/external beside the checkout (and beside CI's clone); never shipped.
OBELIX = Path(__file__).resolve().parents[2] / "shared" / "external" / "obelix" / "all.csv"


@pytest.fixture
def db(any_db: Database) -> Database:
    """The store tests run on SQLite and on PostgreSQL (SQLite-only ones take ``sqlite_db``)."""
    return any_db


def _user_count(db: Database) -> int:
    return len(db.table("measurements", "user"))


def _write_csv(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


# ---------------------------------------------------------------- where the database lives
def test_url_explicit_beats_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NITROLYTE_DATABASE_URL", "sqlite:///from-env.sqlite")
    assert resolve_url(tmp_path / "x.sqlite") == f"sqlite:///{tmp_path / 'x.sqlite'}"
    assert resolve_url() == "sqlite:///from-env.sqlite"


def test_url_defaults_to_user_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    monkeypatch.delenv("NITROLYTE_DATABASE_URL", raising=False)
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda app: str(tmp_path / app))
    assert resolve_url() == f"sqlite:///{tmp_path / 'nitrolyte' / 'nitrolyte.sqlite'}"


def test_plain_relative_path_becomes_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    db = Database("lab.sqlite")
    assert db.path == tmp_path / "lab.sqlite"
    assert db.url == f"sqlite:///{tmp_path / 'lab.sqlite'}"


def test_missing_folder_is_created(tmp_path: Path) -> None:
    with Database(tmp_path / "a" / "b" / "db.sqlite") as db:
        assert len(db.names()) == len(dataset.materials())
    assert (tmp_path / "a" / "b" / "db.sqlite").is_file()


# ---------------------------------------------------------------- seeding
def test_seeded_with_every_package_row(db: Database) -> None:
    assert len(db.table("measurements", "literature")) == len(dataset.measurements())
    assert len(db.table("materials", "literature")) == len(dataset.materials())
    assert len(db.table("references", "literature")) == len(dataset.references())
    info = db.schema_info()
    assert info["schema_version"] == str(SCHEMA_VERSION)
    assert info["data_hash"] == data_hash({"references": dataset.references(),
                                           "materials": dataset.materials(),
                                           "measurements": dataset.measurements()})


def test_tables_hold_every_package_column() -> None:
    assert set(dataset.REFERENCE_COLUMNS) <= set(COLUMNS["references"])
    assert set(dataset.MATERIAL_COLUMNS) <= set(COLUMNS["materials"])
    assert set(dataset.MEASUREMENT_COLUMNS) <= set(COLUMNS["measurements"])


def test_wide_frame_of_literature_equals_package_frame(db: Database) -> None:
    import pandas as pd

    ours = db.materials_frame(source="literature")
    pd.testing.assert_frame_equal(ours, dataset.materials_frame())


def test_values_survive_seeding(db: Database) -> None:
    meas = db.table("measurements")
    row = meas[(meas["material_id"] == "vacancy_rich_beta_li3n")
               & (meas["property"] == "ionic_conductivity")].iloc[0]
    assert row["value"] == 2.14e-3
    assert (row["temperature"], row["temperature_unit"], row["ref"]) == (25.0, "C", "15")


def test_table_rejects_unknown_source(db: Database) -> None:
    with pytest.raises(InputError, match="source must be one of literature, user; got 'lab'"):
        db.table("materials", "lab")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="source must be one of"):
        db.materials_frame("lab")  # type: ignore[arg-type]


# ---------------------------------------------------------------- user measurements
def test_add_creates_a_user_material(db: Database) -> None:
    res = db.add_measurement(material="My Li3N pellet", property="ionic_conductivity", value=0.9,
                             unit="mS/cm", temperature=25, temperature_unit="C", formula="Li3N",
                             family="Li3N", ref="10.1021/jacs.0c00001")
    assert res.material_created and res.material_id == "user-my-li3n-pellet"
    user = db.materials_frame(source="user")
    assert len(user) == 1
    row = user.iloc[0]
    assert row["sigma_S_cm"] == pytest.approx(9e-4, rel=1e-12)
    assert row["T_K"] == pytest.approx(298.15)
    assert (row["source"], row["doi"], row["family"]) == ("user", "10.1021/jacs.0c00001", "Li3N")
    assert "My Li3N pellet" in db.names()


def test_add_to_literature_material_keeps_both_rows(db: Database) -> None:
    res = db.add_measurement(material="beta-Li3N", property="ionic_conductivity", value=3.0e-4,
                             unit="S/cm", temperature=300, temperature_unit="K", ref="28")
    assert not res.material_created and res.material_id == "beta_li3n"
    frame = db.materials_frame()
    rows = frame[frame["material_id"] == "beta_li3n"]
    assert list(rows["source"]) == ["literature", "user"]
    assert list(rows["sigma_S_cm"]) == [2.085e-4, 3.0e-4]
    assert int(rows["ref"].iloc[1]) == 28
    assert len(db.table("materials")) == len(dataset.materials())


def test_user_row_closest_to_room_temperature_is_shown(db: Database) -> None:
    for t, sigma in ((100, 1e-2), (30, 2e-4), (60, 1e-3)):
        db.add_measurement(material="Sample X", property="ionic_conductivity", value=sigma,
                           unit="S/cm", temperature=t, temperature_unit="C")
    row = db.materials_frame(source="user").iloc[0]
    assert (row["sigma_S_cm"], row["T_K"]) == (2e-4, pytest.approx(303.15))


def test_add_rejects_bad_unit_and_stores_nothing(db: Database) -> None:
    with pytest.raises(DataValidationError, match="column 'unit': 'S' is not a conductivity unit"):
        db.add_measurement(material="New one", property="ionic_conductivity", value=1e-3,
                           unit="S", temperature=25, temperature_unit="C")
    assert _user_count(db) == 0
    assert "New one" not in db.names()


def test_add_rejects_unknown_family(db: Database) -> None:
    with pytest.raises(DataValidationError, match="column 'family'"):
        db.add_measurement(material="New one", property="ionic_conductivity", value=1e-3,
                           unit="S/cm", temperature=25, temperature_unit="C", family="oxide")


def test_add_rejects_unknown_field(db: Database) -> None:
    with pytest.raises(DataValidationError, match=r"unknown column.*'colour'"):
        db.add_measurement(material="New one", property="ionic_conductivity", value=1e-3,
                           unit="S/cm", temperature=25, colour="red")


def test_add_requires_a_name(db: Database) -> None:
    with pytest.raises(DataValidationError, match="field 'name' is required"):
        db.add_measurement(material="", property="ionic_conductivity", value=1e-3,
                           unit="S/cm", temperature=25)


def test_delete_user_data(db: Database) -> None:
    db.add_measurement(material="Z", property="activation_energy", value=0.3, unit="eV",
                       temperature=25, temperature_unit="C")
    assert db.delete_user_data() == 1
    assert _user_count(db) == 0 and "Z" not in db.names()


# ---------------------------------------------------------------- import / export
_GOOD = {"name": "Film A", "formula": "Li3PO4", "family": "LiPON and derivatives",
         "property": "ionic_conductivity", "value": "2.5e-6", "unit": "S/cm",
         "temperature": "25", "temperature_unit": "C", "ref": "10.1000/xyz123"}


def test_import_csv_is_atomic(db: Database, tmp_path: Path) -> None:
    bad = {**_GOOD, "name": "Film B", "property": "conductance"}
    path = _write_csv(tmp_path / "in.csv", [_GOOD, bad, {**_GOOD, "name": "Film C"}])
    with pytest.raises(DataValidationError, match=r"in\.csv row 2: measurement, column 'property'"):
        db.import_file(path)
    assert _user_count(db) == 0
    assert not {"Film A", "Film B", "Film C"} & set(db.names())


def test_import_csv_then_json(db: Database, tmp_path: Path) -> None:
    res = db.import_file(_write_csv(tmp_path / "in.csv", [_GOOD, {**_GOOD, "value": "3e-6",
                                                                    "temperature": "30"}]))
    assert (res.n_measurements, res.n_materials_created) == (2, 1)
    doc = {"schema": "nitrolyte.measurements/1",
           "measurements": [{**_GOOD, "name": "Film D", "value": 1e-5}]}
    (tmp_path / "in.json").write_text(json.dumps(doc))
    assert db.import_file(tmp_path / "in.json").n_measurements == 1
    assert _user_count(db) == 3


@pytest.mark.parametrize(("content", "message"), [
    ('{"schema": "other/2", "measurements": []}', "schema must be 'nitrolyte.measurements/1'"),
    ("[1, 2]", "expected a list of measurement objects"),
    ("{not json", "is not valid JSON"),
    ("[]", "no measurement rows found"),
])
def test_import_json_errors(db: Database, tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "in.json").write_text(content)
    with pytest.raises(DataValidationError, match=message):
        db.import_file(tmp_path / "in.json")


def test_import_reports_missing_field_with_row(db: Database, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "in.csv", [_GOOD, {**_GOOD, "temperature": ""}])
    with pytest.raises(DataValidationError, match="row 2: field 'temperature' is required"):
        db.import_file(path)


def test_import_rejects_bad_number(db: Database, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "in.csv", [{**_GOOD, "value": "fast"}])
    with pytest.raises(DataValidationError, match="row 1: field 'value' must be a number, got 'fast'"):
        db.import_file(path)


def test_import_missing_file_and_bad_format(db: Database, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        db.import_file(tmp_path / "nope.csv")
    (tmp_path / "data.txt").write_text("x")
    with pytest.raises(InputError, match=r"file format must be one of csv, json, obelix.*'txt'"):
        db.import_file(tmp_path / "data.txt")


def _export_text(db: Database, path: Path) -> str:
    db.export(path, source="user")
    return path.read_text()


@pytest.mark.parametrize("suffix", ["csv", "json"])
def test_export_import_round_trip(db: Database, tmp_path: Path, suffix: str) -> None:
    db.import_file(_write_csv(tmp_path / "in.csv", [_GOOD, {**_GOOD, "name": "beta-Li3N",
                                                             "value": "1.234567890123e-4"}]))
    db.add_measurement(material="Film A", property="activation_energy", value=0.51, unit="eV",
                       temperature=25, temperature_unit="C", phase="LT", note="fit 20-80 C",
                       derived_from_arrhenius=True)
    first = _export_text(db, tmp_path / f"out.{suffix}")
    with Database(tmp_path / "fresh.sqlite") as fresh:
        fresh.import_file(tmp_path / f"out.{suffix}")
        assert _export_text(fresh, tmp_path / f"again.{suffix}") == first
        assert fresh.table("measurements", "user")["value"].tolist() == [2.5e-6, 1.234567890123e-4,
                                                                         0.51]


def test_export_everything_counts_all_rows(db: Database, tmp_path: Path) -> None:
    res = db.export(tmp_path / "all.json")
    doc = json.loads((tmp_path / "all.json").read_text())
    assert res.n_measurements == len(doc["measurements"]) == len(dataset.measurements())
    first = doc["measurements"][0]
    assert first["doi"] == "10.1063/1.89283" and first["source"] == "literature"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.floats(min_value=1e-14, max_value=1e2, allow_nan=False),
       temperature=st.floats(min_value=1.0, max_value=2000.0, allow_nan=False),
       fmt=st.sampled_from(["csv", "json"]))
def test_round_trip_is_lossless_for_any_value(db: Database, tmp_path_factory: pytest.TempPathFactory,
                                              value: float, temperature: float, fmt: str) -> None:
    folder = tmp_path_factory.mktemp("rt")
    db.delete_user_data()
    db.add_measurement(material="Hypo", property="ionic_conductivity", value=value, unit="S/cm",
                       temperature=temperature, temperature_unit="K", allow_implausible=True)
    db.export(folder / f"x.{fmt}", source="user")
    with Database(folder / "fresh.sqlite") as fresh:  # values outside the lab limits too
        fresh.import_file(folder / f"x.{fmt}", allow_implausible=True)
        row = fresh.table("measurements", "user").iloc[0]
        assert (row["value"], row["temperature"]) == (value, temperature)


def test_export_rejects_bad_source_and_format(db: Database, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="source must be one of literature, user"):
        db.export(tmp_path / "x.csv", source="mine")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="file format must be one of csv, json"):
        db.export(tmp_path / "x.xlsx")


@pytest.mark.skipif(not OBELIX.is_file(), reason="OBELiX data not available")
def test_import_obelix(db: Database) -> None:
    res = db.import_file(OBELIX, format="obelix")
    assert res.n_measurements > 100
    meas = db.table("measurements", "user")
    assert (meas["qualifier"] == "<").any()
    assert set(meas["temperature"]) == {25.0}


# ---------------------------------------------------------------- versions and reseeding
def test_reseed_keeps_user_rows(db: Database) -> None:
    db.add_measurement(material="beta-Li3N", property="ionic_conductivity", value=3e-4,
                       unit="S/cm", temperature=25, temperature_unit="C")
    assert db.reseed() == len(dataset.measurements())
    assert _user_count(db) == 1
    assert len(db.table("measurements", "literature")) == len(dataset.measurements())


def _set_meta(path: Path, key: str, value: str) -> None:
    with sqlite3.connect(path) as con:
        con.execute("UPDATE meta SET value = ? WHERE key = ?", (value, key))


def test_changed_package_data_reseeds_on_open(sqlite_db: Database) -> None:
    db = sqlite_db
    db.add_measurement(material="Q", property="activation_energy", value=0.4, unit="eV",
                       temperature=25, temperature_unit="C")
    db.close()
    _set_meta(db.path, "data_hash", "stale")
    with sqlite3.connect(db.path) as con:
        con.execute("DELETE FROM measurements WHERE source = 'literature' AND id < 5")
    with Database(db.path) as again:
        assert again.schema_info()["data_hash"] != "stale"
        assert len(again.table("measurements", "literature")) == len(dataset.measurements())
        assert _user_count(again) == 1


def test_newer_schema_is_refused(sqlite_db: Database) -> None:
    db = sqlite_db
    db.close()
    _set_meta(db.path, "schema_version", str(SCHEMA_VERSION + 1))
    with pytest.raises(DatabaseError, match=rf"schema version {SCHEMA_VERSION + 1} \(revision "
                                            rf"{HEAD_REVISION}\), newer than this nitrolyte.*--db"):
        Database(db.path).names()


def test_file_without_marker_is_never_migrated(sqlite_db: Database) -> None:
    db = sqlite_db
    db.close()
    with sqlite3.connect(db.path) as con:  # no meta table: nothing says it is nitrolyte's
        con.execute("DROP TABLE meta")
    before = db.path.read_bytes()
    with pytest.raises(DatabaseError, match=r"is not a nitrolyte database.*materials.*unchanged"):
        Database(db.path).names()
    assert db.path.read_bytes() == before


def test_two_programs_seeding_one_new_file(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "shared.sqlite"
    code = ("import sys; from nitrolyte.store import Database; "
            "print(len(Database(sys.argv[1]).names()))")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outputs]
    assert [int(out) for out, _ in outputs] == [len(dataset.materials())] * 2
    with Database(path) as db:
        assert len(db.table("measurements")) == len(dataset.measurements())


def test_empty_tables_without_marker_are_refused(tmp_path: Path) -> None:
    from sqlalchemy import create_engine

    from nitrolyte.store.tables import metadata

    engine = create_engine(f"sqlite:///{tmp_path / 'e.sqlite'}")
    metadata.create_all(engine)  # nitrolyte-looking tables, but no marker
    engine.dispose()
    with pytest.raises(DatabaseError, match="is not a nitrolyte database"):
        Database(tmp_path / "e.sqlite").names()


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "other.sqlite") as con:
        con.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(DatabaseError, match=r"is not a nitrolyte database.*invoices"):
        Database(tmp_path / "other.sqlite").names()


# ---------------------------------------------------------------- locked / read-only
def test_read_only_uri_reads_but_refuses_writes(sqlite_db: Database) -> None:
    db = sqlite_db
    db.close()
    ro = Database(f"sqlite:///file:{db.path}?mode=ro&uri=true")
    assert "β-Li3N" in ro.names()
    with pytest.raises(DatabaseError, match=r"is read-only.*NITROLYTE_DATABASE_URL or pass --db"):
        ro.add_measurement(material="X", property="activation_energy", value=0.3, unit="eV",
                           temperature=25, temperature_unit="C")
    ro.close()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root ignores file permissions")
def test_read_only_file_refuses_writes(sqlite_db: Database) -> None:
    db = sqlite_db
    db.close()
    db.path.chmod(0o444)
    with pytest.raises(DatabaseError, match="read-only"):
        Database(db.path).add_measurement(material="X", property="activation_energy", value=0.3,
                                          unit="eV", temperature=25, temperature_unit="C")


def test_directory_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match=r"is a directory, not a file.*--db PATH"):
        Database(tmp_path).names()


def test_unopenable_file_names_the_path(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DatabaseError, match=r"cannot create folder .*file"):
        Database(blocker / "sub" / "db.sqlite").names()


def test_locked_database(sqlite_db: Database) -> None:
    db = sqlite_db
    db.close()
    other = sqlite3.connect(db.path, timeout=0.1)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseError, match=r"is locked by another program \(waited 0.1 s\)"
                                                r".*NITROLYTE_DATABASE_URL"):
            Database(db.path, timeout_s=0.1).add_measurement(
                material="X", property="activation_energy", value=0.3, unit="eV",
                temperature=25, temperature_unit="C")
    finally:
        other.rollback()
        other.close()


def test_invalid_url() -> None:
    with pytest.raises(InputError, match="not a valid SQLAlchemy URL"):
        Database("sqlite://:bad:port/x")
    with pytest.raises(InputError, match=r"'nodriver://' cannot be opened.*sqlite:///PATH"):
        Database("nodriver://").names()


def test_record_summary_equals_the_wide_frame(db: Database) -> None:
    """``get`` builds a record without pandas (store/one_record.py); its summary rows must be
    the wide frame's rows of that material, literature and user rows alike."""
    import math

    from nitrolyte.store import reads

    db.add_measurement(material="beta-Li3N", property="ionic_conductivity", value=3.0e-4,
                       unit="S/cm", temperature=310, ref="12")
    db.add_measurement(material="beta-Li3N", property="ionic_conductivity", value=2.0e-4,
                       unit="S/cm", temperature=299)
    db.add_measurement(material="Sample X", property="ionic_conductivity", value=1e-5,
                       unit="S/cm", temperature=400)
    db.add_measurement(material="Sample X", property="ionic_conductivity", value=2e-2,
                       unit="mS/cm", temperature=20, temperature_unit="C", ref="my notebook")
    for name in db.names():  # every material: isotropic, anisotropic (two rows), user-only
        record = db.get(name)
        with db.read() as conn:
            frame = reads.wide(conn, material_ids=[record.material_id])
        expected = [{k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
                    for row in frame.astype(object).where(frame.notna(), None).to_dict("records")]
        assert list(record.summary) == expected, name
    beta = db.get("beta-Li3N").summary
    assert [r["source"] for r in beta] == ["literature", "user"]
    assert beta[1]["sigma_S_cm"] == 2.0e-4 and beta[1]["T_K"] == 299.0  # closest to 25 °C
    assert db.get("Sample X").summary[0]["sigma_S_cm"] == pytest.approx(2e-5)  # 20 °C row, in S/cm


# ---------------------------------------------- a material of many rows (issue 24 item 6)
_COLUMNS = ("property", "temperature", "temperature_unit", "ref", "qualifier", "direction",
            "phase", "location")
_ROW = st.fixed_dictionaries({
    "property": st.sampled_from(["ionic_conductivity", "activation_energy"]),
    "temperature": st.one_of(st.none(), st.sampled_from([298.15, 300.0, 25.0, 20.0, -5.0, 1e9])),
    "temperature_unit": st.sampled_from(["K", "C"]), "ref": st.sampled_from([None, "", "a", "b"]),
    "qualifier": st.sampled_from(["", "<", ">", "~"]),
    "direction": st.sampled_from([None, "", "perp_c"]), "phase": st.sampled_from([None, "LT"]),
    "location": st.sampled_from([None, "grain"])})


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(_ROW, max_size=25))
def test_one_pass_firsts_equal_the_stable_sort(rows: list[dict]) -> None:
    """The summary's choice of rows (the first of each group after a stable sort by 'not a
    conductivity' then distance from 25 °C, and the first non-empty ref) is made in one pass
    over columns; it equals the sort-then-scan it replaced."""
    from nitrolyte.store.one_record import _firsts, _room_distance, transpose

    ranked = sorted(rows, key=lambda r: (r["property"] != "ionic_conductivity",
                                         _room_distance(r["temperature"], r["temperature_unit"])))
    seen, expected = set(), []
    for r in ranked:
        key = (r["property"], *(r[c] or "" for c in ("direction", "phase", "location")),
               r["qualifier"] in ("<", ">"))
        if key not in seen:
            seen.add(key)
            expected.append(r)
    first_ref = next((r["ref"] for r in ranked if r["ref"] not in (None, "")), None)
    cols = transpose(_COLUMNS, [tuple(r[c] for c in _COLUMNS) for r in rows])
    firsts, ref = _firsts(cols, range(len(rows)))
    assert [rows[i] for i in firsts] == expected and ref == first_ref
    assert [id(rows[i]) for i in firsts] == [id(r) for r in expected]  # the same rows, not equal ones


def test_many_rows_are_read_as_columns_and_built_on_access(db: Database) -> None:
    """A record's measurements are a lazy sequence equal to the eager tuple: same values,
    order (literature first), indexing, slicing and repr; the fast sqlite3 path agrees."""
    from nitrolyte import api
    from nitrolyte.store.one_record import LazyMeasurements

    rows = [{"material": "beta-Li3N", "property": "ionic_conductivity", "value": 1e-4 * (1 + i),
             "unit": "S/cm", "temperature": 290 + i, "ref": "lab book" if i % 2 else None}
            for i in range(5)]
    for row in rows:
        db.add_measurement(**row)
    record = db.get("beta-Li3N")
    stored = record.measurements
    assert isinstance(stored, LazyMeasurements)
    assert [m.source for m in stored] == ["literature"] * (len(stored) - 5) + ["user"] * 5
    assert [m.value for m in stored[-5:]] == pytest.approx([1e-4 * (1 + i) for i in range(5)])
    assert stored[-1] is stored[len(stored) - 1] and stored[-1].temperature_K == 294.0
    assert [m.ref for m in stored[-2:]] == ["lab book", ""]
    with pytest.raises(IndexError):
        stored[len(stored)]
    eager = tuple(stored)
    assert stored == eager and eager == stored and stored != eager[:-1]
    assert repr(stored) == repr(eager) and record.to_dict()["measurements"][-1]["value"] == 5e-4
    if db.path is not None:  # the sqlite3 fast path gives the same record
        assert api.get("beta-Li3N", db=str(db.path)) == record
