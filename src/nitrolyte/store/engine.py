"""Connections: where the database lives, the engine, write transactions and error messages.

* SQLite: the driver's own transaction handling is switched off and every transaction is begun
  explicitly, ``BEGIN IMMEDIATE`` for writes, so concurrent writers queue on the file lock (up to
  the busy timeout) instead of failing half-way; the file runs in WAL mode once it is known to
  be a nitrolyte database, so readers never block a writer.
* PostgreSQL: every write transaction first takes one transaction-level advisory lock, so
  writers adding the same new material name queue instead of creating it twice.
* Driver errors become one-line :class:`~nitrolyte.errors.DatabaseError` messages naming the
  database (password hidden) and what to do, never SQL text.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, event, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    SQLAlchemyError,
)

from nitrolyte.errors import DatabaseError, InputError

# where the database lives (re-exported: callers import them from here too)
from nitrolyte.store.location import ENV_VAR as ENV_VAR
from nitrolyte.store.location import HINT
from nitrolyte.store.location import resolve_url as resolve_url

#: key of the PostgreSQL advisory lock that serialises nitrolyte writers
_PG_LOCK_KEY = 0x4E49544C  # "NITL"


def parse_url(url: str) -> URL:
    """``make_url`` with a one-line :class:`InputError` for a malformed URL."""
    try:
        return make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise InputError(f"database url {url!r} is not a valid SQLAlchemy URL: {exc}") from None


def is_sqlite(url: URL) -> bool:
    """Whether ``url`` is a SQLite database."""
    return url.get_backend_name() == "sqlite"


def sqlite_path(url: URL) -> Path | None:
    """The SQLite file of ``url`` (None for in-memory or non-SQLite databases)."""
    database = url.database
    if not is_sqlite(url) or database in (None, "", ":memory:"):
        return None
    if database.startswith("file:"):
        database = database[5:].split("?", 1)[0]
    return Path(database)


def _fork_safe(engine: Engine) -> Engine:
    """Never hand a pooled connection opened by the parent to a forked child (it reconnects)."""

    @event.listens_for(engine, "connect")
    def _remember_pid(_dbapi_conn: Any, record: Any) -> None:
        record.info["pid"] = os.getpid()

    @event.listens_for(engine, "checkout")
    def _check_pid(_dbapi_conn: Any, record: Any, proxy: Any) -> None:
        if record.info.get("pid") != os.getpid():
            record.dbapi_connection = proxy.dbapi_connection = None
            raise DisconnectionError("connection opened in another process")

    return engine


def make_engine(url: URL, timeout_s: float, read_only_uri: str | None = None) -> Engine:
    """The engine for ``url`` with nitrolyte's transaction handling installed.

    ``read_only_uri`` (:func:`~nitrolyte.store.location.read_only_uri`) opens a SQLite file
    through that URI instead: nothing is ever written to it or beside it.
    """
    if not is_sqlite(url):
        try:
            return _fork_safe(create_engine(url, pool_pre_ping=True))
        except (ArgumentError, ImportError) as exc:
            raise InputError(f"database url {url.render_as_string(hide_password=True)!r} cannot "
                             f"be opened ({exc}); use sqlite:///PATH, a plain file path or "
                             "postgresql+psycopg://USER@HOST/DB") from None
    if read_only_uri is not None:
        import sqlite3

        def _connect_ro() -> sqlite3.Connection:
            return sqlite3.connect(read_only_uri, uri=True, timeout=timeout_s,
                                   check_same_thread=False)

        file_url = URL.create("sqlite", database=str(sqlite_path(url)))
        engine = _fork_safe(create_engine(file_url, creator=_connect_ro))
    else:
        engine = _fork_safe(create_engine(url, connect_args={"timeout": timeout_s}))
    engine.nitrolyte_timeout_ms = int(timeout_s * 1000)  # type: ignore[attr-defined]

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # nitrolyte emits BEGIN itself (below)
        dbapi_conn.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("nitrolyte_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


@contextmanager
def write_transaction(engine: Engine, wait_s: float | None = None) -> Iterator[Connection]:
    """A connection in a write transaction that holds the database's writer lock.

    Commits when the block ends, rolls back on any exception: nothing half-written is stored.
    ``wait_s`` lengthens SQLite's busy timeout for this transaction (creating or migrating a
    database may keep another program waiting longer than an ordinary write).
    """
    with engine.connect() as conn:
        raw = conn.connection.driver_connection if conn.dialect.name == "sqlite" else None
        if raw is not None and wait_s is not None:
            raw.execute(f"PRAGMA busy_timeout = {int(wait_s * 1000)}")
        try:
            conn.execution_options(nitrolyte_write=True)
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
                yield conn
        finally:
            if raw is not None and wait_s is not None:
                raw.execute(f"PRAGMA busy_timeout = {_default_busy_ms(engine)}")


def _default_busy_ms(engine: Engine) -> int:
    """The busy timeout (ms) the engine's connections were opened with."""
    return int(getattr(engine, "nitrolyte_timeout_ms", 5000))


def where(url: URL) -> str:
    """The file path or the URL (password hidden) for messages."""
    path = sqlite_path(url)
    return str(path) if path is not None else url.render_as_string(hide_password=True)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def damaged(place: str, problem: str, action: str) -> DatabaseError:
    """The one-line refusal for a damaged SQLite file: nothing written, how to restore."""
    return DatabaseError(f"database {place} is damaged ({problem}); refusing to {action} it, "
                         "nothing was written; restore your last dump into a new file: "
                         "`nitrolyte db restore DUMP --db NEW.sqlite` (rows a damaged file "
                         f"still holds: `sqlite3 {place} .recover`)")


def translate(exc: SQLAlchemyError | Exception, url: URL, action: str,
              timeout_s: float) -> DatabaseError:
    """One line for a driver error: which database, what failed, what to do; no SQL text."""
    place = where(url)
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    msg = _first_line(orig)
    low = msg.lower()
    if isinstance(exc, IntegrityError):
        return DatabaseError(f"cannot {action} database {place}: a row lacks a required field or "
                             f"conflicts with one already stored ({msg.split(':')[0]}); nothing "
                             "was written")
    if "locked" in low or "busy" in low:
        return DatabaseError(
            f"database {place} is locked by another program (waited {timeout_s:g} s) while "
            f"trying to {action}; close the other program, or {HINT}")
    if "readonly" in low or "read-only" in low:
        return DatabaseError(f"database {place} is read-only, cannot {action}; make it writable, "
                             f"or {HINT}")
    if "unable to open" in low:
        return DatabaseError(f"cannot open database {place} ({msg}); check that the folder exists "
                             f"and is writable, or {HINT}")
    if "connection" in low or "could not connect" in low or "no such file" in low:
        return DatabaseError(f"cannot connect to database {place} ({msg}); start the server or "
                             f"{HINT}")
    if "malformed" in low:
        return damaged(place, msg, action)
    if "not a database" in low:
        return DatabaseError(f"{place} is not a database file nitrolyte can read ({msg}); {HINT}")
    return DatabaseError(f"cannot {action} database {place}: {msg}; {HINT}")
