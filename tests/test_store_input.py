"""Bad input gets one ``error:`` line and stores nothing; CSV exports are spreadsheet-safe."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nitrolyte.cli import app
from nitrolyte.errors import DataValidationError, NitrolyteError
from nitrolyte.properties import PROPERTIES
from nitrolyte.store import Database

runner = CliRunner()
HEADER = "name,property,value,unit,temperature,temperature_unit,note"
GOOD = "Film A,ionic_conductivity,2.5e-6,S/cm,25,C,ok"


def _cli(db: Database, *args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, [*args, "--db", str(db.path)])
    return res.exit_code, res.stdout, res.stderr


def _assert_one_line_and_nothing_stored(db: Database, code: int, err: str) -> None:
    assert code == 1, err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and "SELECT" not in err and "sqlalche.me" not in err
    assert db.table("measurements", "user").empty


@pytest.mark.parametrize(("content", "message"), [
    (f"{HEADER},note\n{GOOD},x\n", r"column\(s\) 'note' appear more than once in the header"),
    (f"{HEADER}\n{GOOD}\n{GOOD},extra\n", r"line 3: 8 fields but the header has 7"),
    (f"{HEADER}\n{GOOD},extra\n", r"line 2: 8 fields but the header has 7"),
    (f"{HEADER}\nFilm A,ionic_conductivity,1e308,S/cm,25,C,x\n", r"row 1: .*'value'.*at most 1000 S/cm"),
    (f"{HEADER}\nFilm A,ionic_conductivity,1e-3,S/cm,1e300,C,x\n",
     r"row 1: .*'temperature'.*allowed: above 0 K and at most 10000 K"),
    (f"{HEADER}\nFilm A,ionic_conductivity,inf,S/cm,25,C,x\n", r"row 1: field 'value' must be a finite number"),
    (f"{HEADER}\n{GOOD}\nFilm\x00B,ionic_conductivity,1e-4,S/cm,25,C,x\n",
     r"row 2: field 'name' must be text without NUL bytes"),
    (f"{HEADER}\nFilm B,ionic_conductivity,1e-4,S/cm,25,C,bad\x00note\n",
     r"row 1: field 'note' must be text without NUL bytes"),
    ("", "the file is empty"),
])
def test_bad_csv_one_line_nothing_stored(sqlite_db: Database, tmp_path: Path, content: str,
                                         message: str) -> None:
    path = tmp_path / "in.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataValidationError, match=message):
        sqlite_db.import_file(path)
    code, _, err = _cli(sqlite_db, "import", str(path))
    _assert_one_line_and_nothing_stored(sqlite_db, code, err)


def test_lone_surrogates_refused_in_json_and_add(any_db: Database, tmp_path: Path) -> None:
    db = any_db
    for field in ("name", "note", "formula"):
        row = {"name": "Film S", "property": "ionic_conductivity", "value": 1e-4, "unit": "S/cm",
               "temperature": 25, "temperature_unit": "C", field: "bad\ud800text"}
        path = tmp_path / f"{field}.json"
        path.write_text(json.dumps({"schema": "nitrolyte.measurements/1", "measurements": [row]}))
        with pytest.raises(DataValidationError, match=f"row 1: field '{field}' must be text"):
            db.import_file(path)
    with pytest.raises(DataValidationError, match="add: field 'note' must be text without NUL"):
        db.add_measurement(material="Film S", property="ionic_conductivity", value=1e-4,
                           unit="S/cm", temperature=25, note="a\ud83db")
    assert db.table("measurements", "user").empty and "Film S" not in db.names()


def test_cli_add_absurd_values_one_line(sqlite_db: Database) -> None:
    for value, temp in (("1e308", "25C"), ("1e-3", "1e300C")):
        code, _, err = _cli(sqlite_db, "add", "--name", "X", "--value", value, "--unit", "S/cm",
                            "--T", temp)
        _assert_one_line_and_nothing_stored(sqlite_db, code, err)


def test_database_errors_have_no_sql(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not a database at all" * 100)
    res = runner.invoke(app, ["list", "--db", str(path)])
    assert res.exit_code == 1 and res.stderr.count("\n") == 1
    assert "is not a database file nitrolyte can read" in res.stderr
    assert "SELECT" not in res.stderr and "http" not in res.stderr


def test_postgres_unreachable_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://nobody:secret@/nitrolyte?host={tmp_path}"
    res = runner.invoke(app, ["list", "--db", url])
    assert res.exit_code == 1 and res.stderr.count("\n") == 1
    assert "cannot connect to database" in res.stderr and "secret" not in res.stderr


# ---------------------------------------------------------------------- spreadsheet safety
def test_csv_export_prefixes_formulas_and_round_trips(sqlite_db: Database, tmp_path: Path) -> None:
    db = sqlite_db
    risky = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)"]
    for i, note in enumerate(risky):
        db.add_measurement(material=f"Cell {i}", property="ionic_conductivity", value=1e-4,
                           unit="S/cm", temperature=-20, temperature_unit="C", note=note)
    db.export(tmp_path / "out.csv", source="user")
    with (tmp_path / "out.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["note"] for r in rows] == [f"'{n}" for n in risky]
    assert all(r["temperature"] == "-20.0" for r in rows)  # numbers are never prefixed
    with Database(tmp_path / "back.sqlite") as back:
        back.import_file(tmp_path / "out.csv")
        assert back.table("measurements", "user")["note"].tolist() == risky


# ---------------------------------------------------------------------- fuzz
_cell = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r"), max_size=12)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.lists(st.sampled_from(["name", "property", "value", "unit", "temperature",
                                        "temperature_unit", "note", "ref", "qualifier", "bogus"]),
                       min_size=1, max_size=8),
       rows=st.lists(st.lists(_cell, max_size=9), max_size=4))
def test_import_fuzz_never_crashes(sqlite_db: Database, tmp_path_factory: pytest.TempPathFactory,
                                   header: list[str], rows: list[list[str]]) -> None:
    path = tmp_path_factory.mktemp("fz") / "f.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    before = len(sqlite_db.table("measurements", "user"))
    try:
        res = sqlite_db.import_file(path)
    except NitrolyteError:
        assert len(sqlite_db.table("measurements", "user")) == before  # all or nothing
    else:
        assert len(sqlite_db.table("measurements", "user")) == before + res.n_measurements


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=10), method=st.text(max_size=6),
       points=st.lists(st.fixed_dictionaries({
           "T_K": st.one_of(st.floats(), st.integers(-5, 5000)),
           "sigma_S_cm": st.one_of(st.floats(), st.just("x"))}), max_size=3))
def test_measurement_set_fuzz_never_crashes(sqlite_db: Database, name: str, method: str,
                                            points: list[dict]) -> None:
    before = len(sqlite_db.table("measurements", "user"))
    try:
        res = sqlite_db.add_measurement_set(name, points=points, method=method)
    except NitrolyteError:
        assert len(sqlite_db.table("measurements", "user")) == before
    else:
        assert res.n_points == len(points)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(args=st.lists(st.sampled_from(["upgrade", "current", "history", "dump", "restore",
                                      "--json", "--replace", "x.json", "--bogus", ""]),
                     min_size=1, max_size=3))
def test_db_cli_fuzz_exit_codes(sqlite_db: Database, args: list[str], tmp_path_factory) -> None:
    folder = tmp_path_factory.mktemp("cli")
    args = [str(folder / a) if a == "x.json" else a for a in args]
    cwd = os.getcwd()
    os.chdir(folder)  # a fuzzed "db dump upgrade" writes ./upgrade: keep it out of the checkout
    try:
        res = runner.invoke(app, ["db", *args, "--db", str(sqlite_db.path)])
    finally:
        os.chdir(cwd)
    assert res.exit_code in (0, 1, 2)
    assert "Traceback" not in res.output and not isinstance(res.exception, AssertionError | KeyError)
    if res.exit_code == 1:
        assert res.stderr.startswith("error: ") and res.stderr.count("\n") == 1


_units = ["S/cm", "mS/cm", "S/m", "eV", "meV", "K", "C", "S", ""]


@settings(max_examples=150, deadline=None)
@given(prop=st.sampled_from([*PROPERTIES, "colour"]),
       unit=st.sampled_from(_units), value=st.floats(allow_nan=False) | st.just(float("nan")),
       temperature=st.floats(min_value=-400, max_value=2e4, allow_nan=False),
       t_unit=st.sampled_from(["K", "C", "F"]), qualifier=st.sampled_from(["", "<", ">", "~", "!"]),
       direction=st.sampled_from(["", "perp_c", "par_c", "up"]),
       phase=st.sampled_from(["", "LT", "HT", "XT"]))
def test_vectorised_validation_agrees_with_the_row_model(prop: str, unit: str, value: float,
                                                         temperature: float, t_unit: str,
                                                         qualifier: str, direction: str,
                                                         phase: str) -> None:
    import pandas as pd

    from nitrolyte.dataset import validate_measurement
    from nitrolyte.store.validate import validate_frame

    row = {"name": "X", "property": prop, "value": value, "unit": unit,
           "temperature": temperature, "temperature_unit": t_unit, "qualifier": qualifier,
           "direction": direction, "phase": phase}
    try:  # the row model's rules; the laboratory limits on top are tested in test_plausibility_doors
        validate_frame(pd.DataFrame([row]), "add", allow_implausible=True)
        frame_ok = True
    except DataValidationError:
        frame_ok = False
    try:
        validate_measurement({**{k: v for k, v in row.items() if k != "name"},
                              "material_id": "x"})
        model_ok = True
    except DataValidationError:
        model_ok = False
    assert frame_ok == model_ok, row
