"""Versioned migrations: schema-1 files upgrade with their rows, foreign files are never touched."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nitrolyte.cli import app
from nitrolyte.errors import DatabaseError
from nitrolyte.store import HEAD_REVISION, SCHEMA_VERSION, Database

#: written by nitrolyte 0.1 (schema 1): 3 user rows on beta-Li3N and "Lab nitride A"
SCHEMA1 = Path(__file__).parent / "data" / "store" / "schema1.sqlite"
runner = CliRunner()


def _schema1(tmp_path: Path) -> Path:
    path = tmp_path / "old.sqlite"
    shutil.copyfile(SCHEMA1, path)
    return path


def _diffs(db: Database) -> list[object]:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from nitrolyte.store.tables import metadata

    with db.engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), metadata)


def test_schema1_file_upgrades_keeping_user_rows(tmp_path: Path) -> None:
    path = _schema1(tmp_path)
    with sqlite3.connect(path) as con:
        before = con.execute("SELECT material_id, property, value, unit, temperature, "
                             "temperature_unit, phase, derived_from_arrhenius, ref, added_at "
                             "FROM measurements WHERE source = 'user' ORDER BY id").fetchall()
    assert len(before) == 3
    with Database(path) as db:
        assert db.current()["revision"] == "0001"
        user = db.table("measurements", "user")
        assert db.last_upgrade is not None and db.last_upgrade.from_revision == "0001"
        cols = ["material_id", "property", "value", "unit", "temperature", "temperature_unit",
                "phase", "derived_from_arrhenius", "ref", "added_at"]
        after = [tuple(r) for r in user[cols].itertuples(index=False)]
        assert [tuple(None if v != v else v for v in r) for r in after] == [
            tuple(bool(v) if i == 7 else v for i, v in enumerate(r)) for r in before]
        assert db.get("Lab nitride A").sigma_S_cm() == pytest.approx(1.2e-3)
        assert db.get("lab nitride a").Ea_eV() == 0.42
        assert db.schema_info()["schema_version"] == str(SCHEMA_VERSION)
        assert db.current()["revision"] == HEAD_REVISION
        assert _diffs(db) == []
        backup = Path(db.last_upgrade.backup)
    assert backup.parent == tmp_path and backup.name.startswith("old.sqlite.0001-")
    with sqlite3.connect(backup) as con:  # the backup is the untouched schema-1 database
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("1",)
        assert con.execute("SELECT COUNT(*) FROM measurements WHERE source = 'user'").fetchone() == (3,)


def test_no_auto_upgrade_refuses_and_leaves_file(tmp_path: Path) -> None:
    path = _schema1(tmp_path)
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match=rf"revision 0001; this nitrolyte needs {HEAD_REVISION}: "
                                            r"run `nitrolyte db upgrade`"):
        Database(path, upgrade=False).names()
    assert path.read_bytes() == before


def test_cli_db_current_upgrade_history(tmp_path: Path) -> None:
    path = _schema1(tmp_path)
    out = runner.invoke(app, ["db", "current", "--db", str(path)])
    assert out.exit_code == 0 and f"revision 0001, schema version 1 (head is {HEAD_REVISION})" \
        in out.stdout
    out = runner.invoke(app, ["db", "upgrade", "--db", str(path)])
    assert out.exit_code == 0 and f"from revision 0001 to {HEAD_REVISION}; backup:" in out.stdout
    out = runner.invoke(app, ["db", "upgrade", "--db", str(path), "--json"])
    assert out.exit_code == 0 and '"upgraded": false' in out.stdout
    out = runner.invoke(app, ["db", "history"])
    assert out.exit_code == 0 and out.stdout.splitlines()[0].startswith("0001  Schema 1")
    lines = out.stdout.splitlines()
    assert lines[1].startswith("0002  Schema 2") and lines[-1].startswith(f"{HEAD_REVISION}  ")
    assert "0003  Schema 3: the SHA-256 of every imported file, so a repeated import is " \
           "refused." in lines


def test_head_revision_matches_the_migration_scripts() -> None:
    from nitrolyte.store.migrate import history, revisions

    revs = [r["revision"] for r in history()]
    assert tuple(revs) == revisions() and revs[-1] == HEAD_REVISION


@pytest.mark.parametrize("table", ["materials", "meta", "references"])
def test_foreign_file_is_refused_byte_identical(tmp_path: Path, table: str) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as con:
        con.execute(f'CREATE TABLE "{table}" (id INTEGER PRIMARY KEY, key TEXT, value TEXT)')
        con.execute(f'INSERT INTO "{table}" (key, value) VALUES (\'invoice\', \'42\')')
    before = path.read_bytes()
    out = runner.invoke(app, ["list", "--db", str(path)])
    assert out.exit_code == 1
    assert out.stderr.count("\n") == 1 and out.stderr.startswith("error: ")
    assert "is not a nitrolyte database" in out.stderr and "left unchanged" in out.stderr
    for args in (["add", "--name", "X", "--value", "1e-3", "--unit", "S/cm", "--T", "25C"],
                 ["db", "upgrade"], ["db", "current"], ["db", "dump", str(tmp_path / "d.json")]):
        assert runner.invoke(app, [*args, "--db", str(path)]).exit_code == 1
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite"]  # no -wal, no backup


def test_names_version_change_rebuilds_the_name_index(sqlite_db: Database) -> None:
    db = sqlite_db
    db.close()
    with sqlite3.connect(db.path) as con:
        con.execute("UPDATE meta SET value = '0' WHERE key = 'names_version'")
        con.execute("DELETE FROM name_keys")
    with Database(db.path) as again:
        assert again.resolve("BETA-Li3N") == "beta_li3n"
        from nitrolyte.names import NAMES_VERSION

        assert again.schema_info()["names_version"] == str(NAMES_VERSION)


def test_migrations_match_tables_on_postgresql(pg_db: Database) -> None:
    pg_db.ensure()
    assert _diffs(pg_db) == []
    assert pg_db.current()["revision"] == HEAD_REVISION
