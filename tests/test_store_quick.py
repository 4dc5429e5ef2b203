"""The read-only sqlite3 fast path (store/quick.py) answers exactly what the full path answers.

Records, ``sigma`` output (table, ``--json``, warnings, errors) are compared between the fast
path and the full SQLAlchemy path on the same database, with user rows present; every case the
fast path must not answer (older data, foreign file, options in the URL, PostgreSQL, unknown
names, formulas) is checked to fall back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from nitrolyte import api
from nitrolyte.cli import app
from nitrolyte.store import Database, quick


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, _seeded_template: Path) -> Iterator[Database]:
    """A seeded SQLite database with user rows on a literature and on a new material (read only
    by the tests that share it)."""
    import shutil

    path = tmp_path_factory.mktemp("quick") / "lab.sqlite"
    shutil.copyfile(_seeded_template, path)
    with Database(path) as db:
        db.add_measurement(material="beta-Li3N", property="ionic_conductivity", value=3.0e-4,
                           unit="S/cm", temperature=310, ref="12")
        db.add_measurement(material="Sample X", property="ionic_conductivity", value=2e-2,
                           unit="mS/cm", temperature=20, temperature_unit="C", ref="notebook 3")
        db.add_measurement(material="Sample X", property="activation_energy", value=0.41,
                           unit="eV", temperature=300)
        yield db


@contextmanager
def _full_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Force every read through SQLAlchemy (the fast path answers None)."""
    @contextmanager
    def none(_db: Any) -> Iterator[None]:
        yield None

    with monkeypatch.context() as m:
        m.setattr(quick, "read", none)
        yield


def test_every_record_equals_the_full_paths(lab: Database) -> None:
    url = lab.url
    for name in lab.names():  # literature (isotropic, anisotropic), user-only, with user rows
        fast = quick.get(name, url)
        assert fast is not None, name
        assert fast == lab.get(name), name
    assert quick.get("β-li3n", url) == lab.get("beta-Li3N")  # any spelling of the name index


@pytest.mark.parametrize("name", ["Li3N",            # a formula (ambiguous): full path decides
                                  "no such thing",   # unknown: the full path's suggestions
                                  "", "  ", "Li3N\x00", "\ud800", 42])
def test_names_it_leaves_to_the_full_path(lab: Database, name: Any) -> None:
    assert quick.get(name, lab.url) is None


def test_databases_it_leaves_to_the_full_path(sqlite_db: Database, tmp_path: Path) -> None:
    lab, url = sqlite_db, sqlite_db.url
    assert quick.get("beta-Li3N", url + "?timeout=1") is None           # options: SQLAlchemy's
    assert quick.get("beta-Li3N", "postgresql+psycopg://u@h/db") is None
    assert quick.get("beta-Li3N", tmp_path / "missing.sqlite") is None  # created by the full path
    assert not (tmp_path / "missing.sqlite").exists()                   # ... not by this one
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    assert quick.get("beta-Li3N", foreign) is None
    lab.close()
    with sqlite3.connect(lab.path) as conn:  # package data changed since seeding: reseed first
        conn.execute("UPDATE meta SET value = 'old' WHERE key = 'data_hash'")
    assert quick.get("beta-Li3N", url) is None
    assert Database(url).get("beta-Li3N").sigma_S_cm() == pytest.approx(2.085e-4)  # reseeds
    assert quick.get("beta-Li3N", url) is not None                                  # now fast


def test_api_get_uses_it_and_keeps_errors(lab: Database) -> None:
    from nitrolyte.errors import UnknownMaterialError

    assert api.get("Sample X", db=lab.url) == lab.get("Sample X")
    with pytest.raises(UnknownMaterialError, match="did you mean") as fast:
        api.get("beta-Li3M", db=lab.url)
    with pytest.raises(UnknownMaterialError) as full:
        lab.get("beta-Li3M")
    assert str(fast.value) == str(full.value)


@pytest.mark.parametrize("args", [
    ["sigma", "beta-Li3N", "--T", "300K"],
    ["sigma", "β-Li3N", "--T", "25C", "--T", "400K", "--json"],
    ["sigma", "alpha-Li3N single crystal", "--T", "300K", "--direction", "par_c"],
    ["sigma", "alpha-Li3N single crystal", "--T", "300K", "--average", "bruggeman"],
    ["sigma", "Sample X", "--T", "300K", "--json"],
    ["sigma", "beta-Li3N", "--T", "2000K"],                # plausibility warnings on stderr
    ["sigma", "Li3N", "--T", "300K"],                      # ambiguous formula: error
    ["sigma", "beta-Li3M", "--T", "300K"],                 # unknown: suggestions
    ["sigma", "beta-Li3N", "--T", "300K", "--direction", "sideways"],
])
def test_sigma_output_is_the_full_paths(lab: Database, monkeypatch: pytest.MonkeyPatch,
                                        args: list[str]) -> None:
    runner = CliRunner()
    argv = [*args, "--db", lab.url]
    used: list[str] = []
    monkeypatch.setattr(quick.SqliteRows, "__init__", lambda self, conn: (
        used.append("fast"), setattr(self, "conn", conn))[0])
    fast = runner.invoke(app, argv)
    assert bool(used) == (fast.exit_code == 0 or "sideways" in args)  # answered by sqlite3
    with _full_path(monkeypatch):
        full = runner.invoke(app, argv)
    assert (fast.exit_code, fast.stdout, fast.stderr) == (full.exit_code, full.stdout, full.stderr)
    assert fast.exception is None or isinstance(fast.exception, SystemExit)
    assert ("warning:" in fast.stderr) == ("2000K" in args)


def test_wide_rows_equal_the_wide_frame(lab: Database) -> None:
    """``list``'s rows without pandas are the wide frame's rows (literature, then user)."""
    import math

    rows = quick.wide(lab.url)
    assert rows is not None
    frame = lab.materials_frame()
    expected = [{k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
                for row in frame.astype(object).where(frame.notna(), None).to_dict("records")]
    assert list(rows) == expected
    assert [r["source"] for r in rows].count("user") == 2  # beta-Li3N's and Sample X's own rows


@pytest.mark.parametrize("args", [["list"], ["list", "--json"], ["list", "--csv"],
                                  ["list", "--family", "nitride halide"],
                                  ["list", "--family", "no such family"]])
def test_list_output_is_the_full_paths(lab: Database, monkeypatch: pytest.MonkeyPatch,
                                       args: list[str]) -> None:
    runner = CliRunner()
    argv = [*args, "--db", lab.url]
    fast = runner.invoke(app, argv)
    with _full_path(monkeypatch):
        monkeypatch.setattr(quick, "wide", lambda _db: None)
        full = runner.invoke(app, argv)
    assert (fast.exit_code, fast.stdout, fast.stderr) == (full.exit_code, full.stdout, full.stderr)
    assert fast.exception is None or isinstance(fast.exception, SystemExit)
    assert ("82 material row(s)" in fast.stdout) == (args == ["list"])


def test_user_structures_read_as_the_full_path(sqlite_db: Database,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The structure library's user entries (window's ML source reads them) come from the
    default database through sqlite3, as through the store's cache_get."""
    from nitrolyte.structures import library

    for name in ("my Li3N", "other"):
        sqlite_db.cache_put(library.USER_NAMESPACE, name, {
            "name": name, "formula": "Li3N", "Z": 1, "source": "user CIF x.cif", "cif": "data_x"})
    sqlite_db.cache_put(library.USER_NAMESPACE, library._INDEX_KEY, {"names": ["other", "my Li3N"]})
    monkeypatch.setenv("NITROLYTE_DATABASE_URL", sqlite_db.url)
    assert quick.cache_namespace(library.USER_NAMESPACE) is not None
    fast = library.user_entries()
    with _full_path(monkeypatch):
        assert quick.cache_namespace(library.USER_NAMESPACE) is None
        full = library.user_entries()
    assert [repr(e) for e in fast] == [repr(e) for e in full] == [
        repr(e) for e in library.user_entries(sqlite_db)]
    assert [e.name for e in fast] == ["other", "my Li3N"]


@pytest.mark.parametrize("args", [["window", "Li3N"], ["sigma", "beta-Li3N", "--T", "300K"], ["list"],
                                  ["show", "Li3N"]])
def test_a_folder_as_db_is_an_error_on_every_command(tmp_path: Path, args: list[str]) -> None:
    """--db naming a folder is refused even where the answer needs no database (window Li3N)."""
    result = CliRunner().invoke(app, [*args, "--db", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"error: database path {tmp_path} is a directory, not a file; "
        "set NITROLYTE_DATABASE_URL or pass --db PATH to use another database"]
