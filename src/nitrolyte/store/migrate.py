"""Opening a database: recognise it, migrate it with Alembic, seed or reseed it.

* A truly empty database (no table, view, index or trigger; for SQLite also ``application_id``
  and ``user_version`` 0) is created at the head revision and seeded, in one transaction.
* Only a database carrying nitrolyte's marker (``meta.application = 'nitrolyte'``, or the
  ``schema_version`` + ``nitrolyte_version`` keys that nitrolyte 0.1 wrote) and its tables is
  ever migrated or seeded; any other database (a view, an ``application_id``, a marker without
  nitrolyte's tables) is refused with one line and not written to (a SQLite file stays
  byte-identical).
* An older nitrolyte database is upgraded by the migrations in ``migrations/versions`` keeping
  every row; a SQLite file is first checked (``PRAGMA quick_check``) and copied next to itself
  (``NAME.<revision>-<time>.bak``); that copy is removed again when the upgrade fails (the
  file is then unchanged), so retries never pile up backups.
* A newer one (unknown revision or schema) is refused: downgrading could lose columns.
* When the package data changed, literature rows are replaced (user rows never are); when the
  name rules changed (:data:`nitrolyte.names.NAMES_VERSION`), the name index is rebuilt.

Every change happens inside :func:`~nitrolyte.store.engine.write_transaction`, so two programs
opening a new file at once queue: the second finds the first one's seeded file.
"""

from __future__ import annotations

import datetime as dt
import functools
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from nitrolyte.errors import DatabaseError
from nitrolyte.store import seed as seeding
from nitrolyte.store import tables as t
from nitrolyte.store.engine import HINT, damaged, write_transaction
from nitrolyte.store.models import UpgradeResult

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: how long (s) to wait for another program that is creating or migrating the same database
_MIGRATION_WAIT_S = 120.0


@dataclass
class State:
    """What an open database holds: table names, ``meta`` (None if unreadable), revision."""

    tables: set[str] = field(default_factory=set)
    meta: dict[str, str] | None = None
    revision: str | None = None
    #: other schema objects ("view v", "trigger t", ...), not counting tables
    objects: list[str] = field(default_factory=list)
    #: SQLite's ``PRAGMA application_id`` and ``user_version`` (0 elsewhere)
    application_id: int = 0
    user_version: int = 0

    @property
    def new(self) -> bool:
        """Truly empty (no schema object, no application id or user version): nitrolyte may
        create its own tables."""
        return not (self.tables or self.objects or self.application_id or self.user_version)

    @property
    def ours(self) -> bool:
        """The database carries nitrolyte's marker."""
        meta = self.meta or {}
        return meta.get("application") == t.MARKER or (
            "schema_version" in meta and "nitrolyte_version" in meta)

    @property
    def schema_version(self) -> int:
        """``meta.schema_version`` as an int (0 when missing or not a number)."""
        value = (self.meta or {}).get("schema_version", "0")
        return int(value) if value.isdigit() else 0


def _objects(conn: Connection) -> tuple[list[str], int, int]:
    """Schema objects other than tables, and SQLite's application_id / user_version."""
    if conn.dialect.name != "sqlite":
        return [f"view {v}" for v in inspect(conn).get_view_names()], 0, 0
    rows = conn.exec_driver_sql("SELECT type, name FROM sqlite_master WHERE type != 'table' "
                                "AND name NOT LIKE 'sqlite_%' ORDER BY type, name").all()
    app = int(conn.exec_driver_sql("PRAGMA application_id").scalar() or 0)
    user = int(conn.exec_driver_sql("PRAGMA user_version").scalar() or 0)
    return [f"{kind} {name}" for kind, name in rows], app, user


def read_state(conn: Connection) -> State:
    """Inspect ``conn`` without writing anything."""
    state = State(tables=set(inspect(conn).get_table_names()))
    state.objects, state.application_id, state.user_version = _objects(conn)
    if "meta" in state.tables:
        try:
            state.meta = seeding.read_meta(conn)
        except SQLAlchemyError:  # someone else's "meta" table with other columns
            state.meta = None
    if "alembic_version" in state.tables and state.ours:
        state.revision = conn.scalar(text("SELECT version_num FROM alembic_version"))
    elif state.ours and state.schema_version == 1:
        state.revision = t.SCHEMA1_REVISION
    return state


#: tables every nitrolyte database has had since schema 1
_CORE_TABLES = frozenset({"references", "materials", "measurements", "meta"})


def _holdings(state: State) -> str:
    """What a foreign database holds, for the refusal message."""
    def few(items: list[str]) -> str:
        return ", ".join(items[:6]) + (", ..." if len(items) > 6 else "")

    parts = [f"tables {few(sorted(state.tables))}"] if state.tables else []
    parts += [few(state.objects)] if state.objects else []
    parts += [f"application_id {state.application_id}"] if state.application_id else []
    parts += [f"user_version {state.user_version}"] if state.user_version else []
    return "; ".join(parts)


def check_ours(state: State, place: str) -> None:
    """Refuse a database that is not nitrolyte's, or newer than this nitrolyte."""
    if state.new:
        return
    if not state.ours:
        raise DatabaseError(f"{place} is not a nitrolyte database (it holds {_holdings(state)} "
                            f"and no nitrolyte marker); it was left unchanged; {HINT}")
    missing = sorted(_CORE_TABLES - state.tables)
    if missing:
        raise DatabaseError(f"{place} carries nitrolyte's marker but lacks its table(s) "
                            f"{', '.join(missing)}: it is damaged or not a nitrolyte database; "
                            f"it was left unchanged; {HINT}")
    if state.schema_version > t.SCHEMA_VERSION or state.revision not in revisions():
        raise DatabaseError(
            f"database {place} has schema version {state.schema_version} (revision "
            f"{state.revision}), newer than this nitrolyte understands ({t.SCHEMA_VERSION}); "
            f"upgrade nitrolyte, or {HINT}")


def integrity_problem(conn: Connection) -> str | None:
    """The first complaint of SQLite's ``PRAGMA quick_check`` (None when intact or not SQLite).

    Reads every page once (about 10 ms for a seeded database): run before a process's first
    write and before a dump, not per read.
    """
    if conn.dialect.name != "sqlite":
        return None
    try:
        first = conn.exec_driver_sql("PRAGMA quick_check(1)").scalar()
    except (SQLAlchemyError, sqlite3.DatabaseError) as exc:
        orig = getattr(exc, "orig", exc)
        return (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    if first == "ok":
        return None
    lines = [ln for ln in str(first).strip().splitlines() if not ln.startswith("***")]
    return lines[0] if lines else str(first).strip()


def revisions() -> tuple[str, ...]:
    """Known migration revisions, oldest first (kept in step with ``migrations/versions``)."""
    return (t.SCHEMA1_REVISION, "0002", "0003", t.HEAD_REVISION)


def needs_work(state: State) -> bool:
    """Whether opening must write (create, upgrade, reseed or rebuild the name index)."""
    from nitrolyte.names import NAMES_VERSION

    if state.new or state.revision != t.HEAD_REVISION:
        return True
    meta = state.meta or {}
    return (meta.get("data_hash") != _current_hash()
            or meta.get("names_version") != str(NAMES_VERSION))


@functools.cache
def _current_hash() -> str:
    from nitrolyte.data.cache import once_per_data

    return once_per_data("data_hash", seeding.data_hash)  # validated once per data hash


def alembic_config(conn: Connection) -> Any:
    """An Alembic ``Config`` that runs the package's migrations on ``conn``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def backup_sqlite(path: Path, revision: str | None) -> Path:
    """Copy a SQLite file (consistently, with the backup API) to ``NAME.<revision>-<time>.bak``."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    dest = path.with_name(f"{path.name}.{revision or 'old'}-{stamp}.bak")
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(dest)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return dest


def _apply(conn: Connection, state: State) -> None:
    """Create/upgrade/reseed inside the caller's write transaction."""
    from alembic import command

    from nitrolyte.names import NAMES_VERSION

    cfg = alembic_config(conn)
    if state.new:
        command.upgrade(cfg, "head")
        seeding.seed(conn)
        return
    if state.revision != t.HEAD_REVISION:
        if "alembic_version" not in state.tables:
            command.stamp(cfg, state.revision)
        command.upgrade(cfg, "head")
        seeding.write_meta(conn, {"application": t.MARKER,
                                  "schema_version": str(t.SCHEMA_VERSION)})
    meta = seeding.read_meta(conn)
    if meta.get("data_hash") != _current_hash():
        seeding.reseed(conn)
    elif meta.get("names_version") != str(NAMES_VERSION):
        seeding.rebuild_name_keys(conn)


def prepare(engine: Engine, place: str, sqlite_file: Path | None, *,
            upgrade: bool = True, read_only: bool = False) -> UpgradeResult | None:
    """Bring the database to the head revision and the package data; None if nothing to do.

    Parameters
    ----------
    engine : Engine
        The database.
    place : str
        File path or URL for messages.
    sqlite_file : Path or None
        The SQLite file (backed up before a migration), None for other databases.
    upgrade : bool
        If False, an older schema raises :class:`DatabaseError` instead of being migrated.
    read_only : bool
        The file cannot be written: anything to create, migrate or reseed is refused.
    """
    with engine.connect() as conn:
        state = read_state(conn)
    check_ours(state, place)
    if not needs_work(state):
        return None
    if read_only:
        what = ("created" if state.new else "upgraded" if state.revision != t.HEAD_REVISION
                else "reseeded with this nitrolyte's data")
        raise DatabaseError(f"database {place} is read-only and would have to be {what} before "
                            "this nitrolyte can read it; nothing was written; copy it to a "
                            f"writable folder and open the copy, or {HINT}")
    if not upgrade and not state.new and state.revision != t.HEAD_REVISION:
        raise DatabaseError(f"database {place} is at schema revision {state.revision}; this "
                            f"nitrolyte needs {t.HEAD_REVISION}: run `nitrolyte db upgrade`")
    if not state.new:
        with engine.connect() as conn:
            problem = integrity_problem(conn)
        if problem is not None:
            raise damaged(place, problem, "upgrade" if state.revision != t.HEAD_REVISION
                          else "reseed")
    backup = None
    if (sqlite_file is not None and not state.new and state.revision != t.HEAD_REVISION
            and sqlite_file.is_file()):
        backup = backup_sqlite(sqlite_file, state.revision)
    try:
        with write_transaction(engine, wait_s=_MIGRATION_WAIT_S) as conn:
            state = read_state(conn)  # again, under the writer lock
            check_ours(state, place)
            before = None if state.new else state.revision
            if needs_work(state):
                _apply(conn, state)
    except BaseException as exc:
        _discard(backup)  # all or nothing: the file is as it was, the copy is not needed
        if isinstance(exc, SQLAlchemyError | DatabaseError) or not isinstance(exc, Exception):
            raise
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DatabaseError(f"cannot upgrade database {place} from revision {state.revision} "
                            f"({first}): its tables are not the ones nitrolyte wrote; it was "
                            f"left unchanged; {HINT}") from None
    if backup is not None and before == t.HEAD_REVISION:  # another program migrated it first
        _discard(backup)
        backup = None
    if sqlite_file is not None:  # outside any transaction (the driver is in autocommit)
        raw = engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:  # busy with a reader right now: WAL is only faster
            pass
        finally:
            raw.close()
    return UpgradeResult(from_revision=before, to_revision=t.HEAD_REVISION,
                         backup=None if backup is None else str(backup))


def _discard(backup: Path | None) -> None:
    """Remove a backup copy that is not needed (missing is fine)."""
    if backup is not None:
        backup.unlink(missing_ok=True)


def current(engine: Engine, place: str) -> dict[str, Any]:
    """Revision, schema version and meta of a database, without changing it.

    Raises :class:`DatabaseError` for a database that is not nitrolyte's.
    """
    with engine.connect() as conn:
        state = read_state(conn)
    if not state.new and not state.ours:
        check_ours(state, place)
    return {"revision": state.revision, "head": t.HEAD_REVISION,
            "schema_version": state.schema_version, "nitrolyte": state.ours or state.new,
            "meta": dict(state.meta or {})}


def history() -> list[dict[str, str]]:
    """The migration revisions, oldest first, with their descriptions."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(_MIGRATIONS))
    out = [{"revision": rev.revision, "down_revision": str(rev.down_revision or ""),
            "description": (rev.doc or "").strip().splitlines()[0]}
           for rev in script.walk_revisions()]
    return out[::-1]


def reseed(engine: Engine) -> int:
    """Replace the literature rows by the package data (user rows kept)."""
    with write_transaction(engine) as conn:
        return seeding.reseed(conn)


def schema_info(engine: Engine) -> dict[str, str]:
    """The ``meta`` table as a dict."""
    with engine.connect() as conn:
        return seeding.read_meta(conn)
