"""One spreadsheet-safe CSV writer for every CSV a lab member may open (issue 20 section 3).

A material named ``=HYPERLINK("http://x","y")`` is a formula to a spreadsheet: every CSV that
nitrolyte writes (export, ``list --csv``, ``screen --csv``, the report's ``data/*.csv``) shows
it with a leading ``'`` instead, and an import reads the name back unchanged.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

EVIL = '=HYPERLINK("http://x","y")'
SHOWN = "'" + EVIL
runner = CliRunner()


@pytest.fixture
def evil_db(sqlite_db: Any) -> Any:
    """A database with one user material whose name is a spreadsheet formula."""
    for prop, value, unit in (("ionic_conductivity", 1.0e-4, "S/cm"),
                              ("activation_energy", 0.35, "eV")):
        sqlite_db.add_measurement(material=EVIL, property=prop, value=value, unit=unit,
                                  temperature=300, temperature_unit="K", formula="Li3N",
                                  family="Li3N", note="-1 is not a formula either")
    return sqlite_db


def _cli(db: Any, *args: str) -> str:
    from nitrolyte.cli import app

    out = runner.invoke(app, [*args, "--db", str(db.path)])
    assert out.exit_code == 0, out.stderr
    return out.stdout


def _cells(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _no_raw_formula(text: str) -> None:
    """No cell a spreadsheet would run: only numbers may start with + or -."""
    for row in csv.reader(io.StringIO(text)):
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) and not _number(cell)
                       for cell in row), row


def test_list_csv_neutralises_a_formula_name(evil_db: Any) -> None:
    text = _cli(evil_db, "list", "--csv", "--source", "user")
    assert [r["name"] for r in _cells(text)] == [SHOWN]
    _no_raw_formula(text)


def test_screen_csv_neutralises_a_formula_name(evil_db: Any) -> None:
    text = _cli(evil_db, "screen", "--material", EVIL, "--source", "embedded", "--csv")
    rows = _cells(text)
    assert rows and all(SHOWN in r.values() for r in rows)
    _no_raw_formula(text)


def test_export_and_import_round_trip_the_name(evil_db: Any, tmp_path: Path) -> None:
    _cli(evil_db, "export", str(tmp_path / "mine.csv"), "--source", "user")
    text = (tmp_path / "mine.csv").read_text(encoding="utf-8")
    assert {r["name"] for r in _cells(text)} == {SHOWN}
    _no_raw_formula(text)
    from nitrolyte.store.files import read_frame

    assert set(read_frame(tmp_path / "mine.csv", "csv")["name"]) == {EVIL}


@pytest.mark.slow
def test_report_downloads_neutralise_a_formula_name(evil_db: Any, tmp_path: Path) -> None:
    from nitrolyte.report import build_report

    build_report(tmp_path / "out", db=evil_db, progress=False, sections=["tables", "screening"])
    data = tmp_path / "out" / "data"
    for name in ("user_data.csv", "screening.csv", "screening_criteria.csv"):
        text = (data / name).read_text(encoding="utf-8")
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        assert SHOWN in cells and EVIL not in cells, name
        _no_raw_formula(text)
    for path in data.glob("*.csv"):
        _no_raw_formula(path.read_text(encoding="utf-8"))


def test_write_csv_cells() -> None:
    import numpy as np
    import pandas as pd

    from nitrolyte.store.files import write_frame_csv

    frame = pd.DataFrame({"name": [EVIL, "+1", "@SUM(A1)", "\tx", "plain", None],
                          "value": [1e-4, np.nan, 0.1, -2.5, 3.0, 4.0],
                          "flag": [True, False, True, False, True, False],
                          "n": np.arange(6, dtype=np.int64)})
    out = io.StringIO()
    write_frame_csv(frame, out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["name", "value", "flag", "n"]
    assert [r[0] for r in rows[1:]] == [SHOWN, "'+1", "'@SUM(A1)", "'\tx", "plain", ""]
    assert [r[1] for r in rows[1:]] == ["0.0001", "", "0.1", "-2.5", "3.0", "4.0"]
    assert [r[2] for r in rows[1:3]] == ["true", "false"] and rows[3][3] == "2"
