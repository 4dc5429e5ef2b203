"""``nitrolyte list | show | add | import | export | report`` through Typer's CliRunner."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nitrolyte import dataset
from nitrolyte.cli import app
from nitrolyte.store import Database

runner = CliRunner()


def run(db: Database, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--db", str(db.path)])
    return result.exit_code, result.stdout, result.stderr


def test_list_table(db: Database) -> None:
    code, out, _ = run(db, "list", "--family", "nitride halide")
    assert code == 0
    assert "Li9N2Cl3" in out and "2.3e-06" in out and "16 material row(s)" in out


def test_list_json_schema(db: Database) -> None:
    code, out, _ = run(db, "list", "--element", "Br", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["schema"] == "nitrolyte.materials/1"
    assert doc["filters"]["element"] == "Br" and doc["count"] == len(doc["materials"]) > 0
    first = doc["materials"][0]
    assert list(first)[:3] == ["name", "formula", "family"]
    li6nbr3 = next(m for m in doc["materials"] if m["name"] == "Li6NBr3")
    assert (li6nbr3["sigma_S_cm"], li6nbr3["from_arrhenius"], li6nbr3["ref"]) == (6.59e-8, True, 64)
    assert li6nbr3["Ea_HT_eV"] is None


def test_list_csv(db: Database) -> None:
    code, out, _ = run(db, "list", "--min-sigma", "1e-4", "--max-ea", "0.4", "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows
    assert all(float(r["sigma_S_cm"]) >= 1e-4 and float(r["Ea_eV"]) <= 0.4 for r in rows)


def test_list_json_and_csv_conflict(db: Database) -> None:
    code, out, err = run(db, "list", "--json", "--csv")
    assert code == 2 and out == ""
    assert err.strip() == "error: --json and --csv cannot be used together"


def test_bad_family_is_one_clean_line(db: Database) -> None:
    code, _, err = run(db, "list", "--family", "oxides")
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: family must be one of Li3N")
    assert "Traceback" not in err


def test_unknown_option_is_usage_error(db: Database) -> None:
    code, _, err = run(db, "list", "--bogus")
    assert code == 2 and "No such option" in err


def test_show_json(db: Database) -> None:
    code, out, _ = run(db, "show", "beta-Li3N", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["schema"] == "nitrolyte.material/1"
    assert doc["material"]["name"] == "β-Li3N"
    assert doc["material"]["summary"][0]["sigma_S_cm"] == 2.085e-4


def test_show_text(db: Database) -> None:
    code, out, _ = run(db, "show", "Li13N4Br")
    assert code == 0
    assert "Li13N4Br" in out and "activation_energy" in out and "HT" in out


def test_show_unknown(db: Database) -> None:
    code, _, err = run(db, "show", "Li9N2Cl")
    assert code == 1
    assert err.startswith("error: unknown material 'Li9N2Cl'; did you mean: Li9N2Cl3, ")
    assert err.count("\n") == 1


def test_add_then_list_user(db: Database) -> None:
    code, out, _ = run(db, "add", "--name", "Pellet 7", "--value", "0.85", "--unit", "mS/cm",
                       "--T", "25C", "--formula", "Li3N", "--family", "Li3N",
                       "--ref", "10.1000/lab.7")
    assert code == 0
    assert out.startswith("added ionic_conductivity = 0.85 mS/cm at 25 C to 'Pellet 7' "
                          "(new user material user-pellet-7)")
    code, out, _ = run(db, "list", "--source", "user", "--json")
    doc = json.loads(out)
    assert doc["count"] == 1
    row = doc["materials"][0]
    assert row["sigma_S_cm"] == pytest.approx(8.5e-4) and row["T_K"] == pytest.approx(298.15)
    assert row["doi"] == "10.1000/lab.7"


def test_add_json_and_kelvin_default(db: Database) -> None:
    code, out, _ = run(db, "add", "--name", "beta-Li3N", "--property", "activation_energy",
                       "--value", "0.42", "--unit", "eV", "--T", "300K", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["schema"] == "nitrolyte.added/1"
    assert (doc["material_id"], doc["material_created"]) == ("beta_li3n", False)
    meas = db.table("measurements", "user")
    assert (meas["temperature"].iloc[0], meas["temperature_unit"].iloc[0]) == (300.0, "K")


def test_add_bad_unit_exits_1(db: Database) -> None:
    code, _, err = run(db, "add", "--name", "X", "--value", "1", "--unit", "S", "--T", "25C")
    assert code == 1
    assert "column 'unit': 'S' is not a conductivity unit" in err and err.count("\n") == 1


def test_add_bad_temperature_exits_2(db: Database) -> None:
    code, _, err = run(db, "add", "--name", "X", "--value", "1", "--unit", "S/cm", "--T", "warm")
    assert code == 2
    assert err.strip() == "error: --T: cannot read temperature 'warm'; write e.g. 300K or 25C"


def test_import_export_round_trip(db: Database, tmp_path: Path) -> None:
    src = tmp_path / "mine.csv"
    src.write_text("name,property,value,unit,temperature,temperature_unit,note\n"
                   "Glass G1,ionic_conductivity,3.3e-6,S/cm,25,C,first batch\n"
                   "Glass G1,activation_energy,0.51,eV,25,C,\n")
    code, out, _ = run(db, "import", str(src))
    assert code == 0 and out.startswith("imported 2 measurement(s), 1 new material(s)")
    code, out, _ = run(db, "export", str(tmp_path / "out.json"), "--source", "user")
    assert code == 0 and out.startswith("exported 2 measurement(s)")
    doc = json.loads((tmp_path / "out.json").read_text())
    assert doc["schema"] == "nitrolyte.measurements/1"
    assert [m["value"] for m in doc["measurements"]] == [3.3e-6, 0.51]
    assert doc["measurements"][0]["note"] == "first batch"


def test_import_bad_row_exits_1_and_stores_nothing(db: Database, tmp_path: Path) -> None:
    src = tmp_path / "bad.csv"
    src.write_text("name,property,value,unit,temperature,temperature_unit\n"
                   "A,ionic_conductivity,1e-6,S/cm,25,C\n"
                   "B,ionic_conductivity,-1e-6,S/cm,25,C\n")
    code, _, err = run(db, "import", str(src))
    assert code == 1
    assert "bad.csv row 2: measurement, column 'value'" in err
    assert len(db.table("measurements", "user")) == 0


def test_import_json_output(db: Database, tmp_path: Path) -> None:
    src = tmp_path / "one.json"
    src.write_text(json.dumps([{"name": "J", "property": "ionic_conductivity", "value": 1e-5,
                                "unit": "S/cm", "temperature": 30, "temperature_unit": "C"}]))
    code, out, _ = run(db, "import", str(src), "--json")
    doc = json.loads(out)
    assert code == 0 and doc["schema"] == "nitrolyte.import/1" and doc["n_measurements"] == 1


def test_export_literature_csv(db: Database, tmp_path: Path) -> None:
    code, _, _ = run(db, "export", str(tmp_path / "lit.csv"), "--source", "literature")
    rows = list(csv.DictReader((tmp_path / "lit.csv").open()))
    assert code == 0 and len(rows) == len(dataset.measurements())


def test_locked_database_is_exit_1(db: Database) -> None:
    url = f"sqlite:///{db.path}?timeout=0.1"
    other = sqlite3.connect(db.path, timeout=0.1)
    other.execute("BEGIN EXCLUSIVE")
    try:
        reader = runner.invoke(app, ["list", "--db", url])  # WAL: readers are never blocked
        result = runner.invoke(app, ["add", "--name", "X", "--value", "1e-4", "--unit", "S/cm",
                                     "--T", "25C", "--db", url])
    finally:
        other.rollback()
        other.close()
    assert reader.exit_code == 0
    assert result.exit_code == 1
    assert "is locked by another program" in result.stderr


def test_report_command(db: Database, tmp_path: Path) -> None:
    code, out, _ = run(db, "report", "--out", str(tmp_path / "rep"), "--section", "tables",
                       "--no-progress")
    assert code == 0 and out.strip() == f"report written to {tmp_path / 'rep' / 'index.html'}"
    assert (tmp_path / "rep" / "manifest.json").is_file()


def test_report_unknown_section(db: Database, tmp_path: Path) -> None:
    code, _, err = run(db, "report", "--out", str(tmp_path), "--section", "nope")
    assert code == 2 and "sections: unknown section(s) 'nope'; allowed: tables" in err
