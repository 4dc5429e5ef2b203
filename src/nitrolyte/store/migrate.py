"""Opening a database: recognise it, migrate it with Alembic, seed or reseed it.

* A database with no tables is created at the head revision and seeded, in one transaction.
* Only a database carrying nitrolyte's marker (``meta.application = 'nitrolyte'``, or the
  ``schema_version`` + ``nitrolyte_version`` keys that nitrolyte 0.1 wrote) is ever migrated or
  seeded; any other database is refused with one line and not written to (a SQLite file stays
  byte-identical).
* An older nitrolyte database is upgraded by the migrations in ``migrations/versions`` keeping
  every row; a SQLite file is first copied next to itself (``NAME.<revision>-<time>.bak``).
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

from sqlalchemy import Connection, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

from nitrolyte.errors import DatabaseError
from nitrolyte.store import seed as seeding
from nitrolyte.store import tables as t
from nitrolyte.store.engine import HINT, write_transaction
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

    @property
    def new(self) -> bool:
        """No tables at all: nitrolyte may create its own."""
        return not self.tables

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


def read_state(conn: Connection) -> State:
    """Inspect ``conn`` without writing anything."""
    state = State(tables=set(inspect(conn).get_table_names()))
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


def check_ours(state: State, place: str) -> None:
    """Refuse a database that is not nitrolyte's, or newer than this nitrolyte."""
    if not state.new and not state.ours:
        shown = ", ".join(sorted(state.tables)[:6]) + (", ..." if len(state.tables) > 6 else "")
        raise DatabaseError(f"{place} is not a nitrolyte database (it holds tables {shown} and "
                            f"no nitrolyte marker); it was left unchanged; {HINT}")
    if state.new:
        return
    if state.schema_version > t.SCHEMA_VERSION or state.revision not in revisions():
        raise DatabaseError(
            f"database {place} has schema version {state.schema_version} (revision "
            f"{state.revision}), newer than this nitrolyte understands ({t.SCHEMA_VERSION}); "
            f"upgrade nitrolyte, or {HINT}")


def revisions() -> tuple[str, ...]:
    """Known migration revisions, oldest first (kept in step with ``migrations/versions``)."""
    return (t.SCHEMA1_REVISION, t.HEAD_REVISION)


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
            upgrade: bool = True) -> UpgradeResult | None:
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
    """
    with engine.connect() as conn:
        state = read_state(conn)
    check_ours(state, place)
    if not needs_work(state):
        return None
    if not upgrade and not state.new and state.revision != t.HEAD_REVISION:
        raise DatabaseError(f"database {place} is at schema revision {state.revision}; this "
                            f"nitrolyte needs {t.HEAD_REVISION}: run `nitrolyte db upgrade`")
    backup = None
    if (sqlite_file is not None and not state.new and state.revision != t.HEAD_REVISION
            and sqlite_file.is_file()):
        backup = str(backup_sqlite(sqlite_file, state.revision))
    with write_transaction(engine, wait_s=_MIGRATION_WAIT_S) as conn:
        state = read_state(conn)  # again, under the writer lock
        check_ours(state, place)
        before = None if state.new else state.revision
        if needs_work(state):
            _apply(conn, state)
    if sqlite_file is not None:  # outside any transaction (the driver is in autocommit)
        raw = engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:  # busy with a reader right now: WAL is only faster
            pass
        finally:
            raw.close()
    return UpgradeResult(from_revision=before, to_revision=t.HEAD_REVISION, backup=backup)


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


def user_count(conn: Connection) -> int:
    """Number of user measurement rows."""
    from sqlalchemy import func

    return int(conn.scalar(select(func.count()).select_from(t.measurements).where(
        t.measurements.c.source == "user")) or 0)
