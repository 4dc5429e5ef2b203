"""Read-only fast path of short-lived commands: an up-to-date SQLite file through ``sqlite3``.

``nitrolyte sigma`` and ``nitrolyte list`` read a few rows and exit; importing SQLAlchemy costs
them more than the reads (about 2x ``import numpy``). When the database is a SQLite file that
is already up to date (nitrolyte's marker, the head revision, the package data's hash and the
name rules' version, exactly the checks :func:`nitrolyte.store.migrate.needs_work` makes), it
holds nothing to create, migrate or reseed, so it can be read as it is, read-only, with the
standard library. Anything else - PostgreSQL, a URL with options, a missing, older or foreign
file, a lock, any driver error - answers None and the caller takes the full
:class:`~nitrolyte.store.Database` path, which makes the same decisions and messages as before.
The records built here are the same objects as the full path's (one builder,
:mod:`nitrolyte.store.one_record`); ``tests/test_store_quick.py`` compares both.
"""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nitrolyte.store.location import HEAD_REVISION, MARKER, read_only_uri, resolve_url

if TYPE_CHECKING:
    from nitrolyte.store.database import DatabaseLike
    from nitrolyte.store.records import MaterialRecord

#: columns that are the database's own and not part of the long format
_OWN = ("id",)


def sqlite_file(db: str | os.PathLike[str] | None) -> Path | None:
    """The existing SQLite file ``db`` names (URL, path or None: the default), else None.

    Only plain ``sqlite:///PATH`` URLs qualify: options (``?timeout=``), URI filenames and
    escapes are left to SQLAlchemy.
    """
    try:
        url = resolve_url(db)
    except (OSError, ValueError):
        return None
    prefix = "sqlite:///"
    if not url.startswith(prefix) or any(c in url for c in "?#%"):
        return None
    path = Path(url[len(prefix):])
    if str(path) in ("", ":memory:") or str(path).startswith("file:"):
        return None
    return path if path.is_file() else None


@functools.cache
def _current_hash() -> str:
    """The package data's hash as the seeded ``meta.data_hash`` must be (cached per data)."""
    from nitrolyte.data.cache import once_per_data

    def compute() -> str:
        from nitrolyte.store.migrate import _current_hash as full

        return full()

    return once_per_data("data_hash", compute)


def up_to_date(conn: sqlite3.Connection) -> bool:
    """Whether opening this database through :class:`Database` would write nothing."""
    from nitrolyte.names import NAMES_VERSION

    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"meta", "alembic_version", "materials", "measurements", "references",
            "name_keys"} <= tables:
        return False
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    revision = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    return (meta.get("application") == MARKER and revision == [(HEAD_REVISION,)]
            and meta.get("names_version") == str(NAMES_VERSION)
            and meta.get("data_hash") == _current_hash())


@contextmanager
def read(db: str | os.PathLike[str] | None) -> Iterator[sqlite3.Connection | None]:
    """A read-only ``sqlite3`` connection (one read transaction) on an up-to-date SQLite file
    named by ``db``; None where the full path must be taken."""
    path = sqlite_file(db)
    if path is None:
        yield None
        return
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True, timeout=5.0,
                               isolation_level=None)
    except sqlite3.Error:
        yield None
        return
    with closing(conn):
        try:
            conn.execute("BEGIN")  # one snapshot for the check and every read below
            ok = up_to_date(conn)
        except sqlite3.Error:
            ok = False
        yield conn if ok else None


class SqliteRows:
    """:class:`~nitrolyte.store.one_record.Rows` on a plain ``sqlite3`` connection."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def _run(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.conn.execute(sql, tuple(params))
        names = [d[0] for d in cursor.description]
        return [{k: v for k, v in zip(names, row, strict=True) if k not in _OWN}
                for row in cursor.fetchall()]

    def table(self, name: str, material_id: str | None) -> list[dict[str, Any]]:
        if name not in ("materials", "measurements"):
            raise ValueError(f"no per-material table {name!r}")
        if material_id is None:
            return self._run(f'SELECT * FROM "{name}" ORDER BY id')
        return self._run(f'SELECT * FROM "{name}" WHERE material_id = ? ORDER BY id',
                         (material_id,))

    def columns(self, name: str, material_id: str | None) -> dict[str, tuple[Any, ...]]:
        from nitrolyte.store.one_record import transpose

        if name not in ("materials", "measurements"):
            raise ValueError(f"no per-material table {name!r}")
        sql, params = f'SELECT * FROM "{name}"', ()
        if material_id is not None:
            sql, params = f"{sql} WHERE material_id = ?", (material_id,)
        cursor = self.conn.execute(f"{sql} ORDER BY id", params)
        cols = transpose([d[0] for d in cursor.description], cursor.fetchall())
        return {k: v for k, v in cols.items() if k not in _OWN}

    def references(self, columns: Sequence[str],
                   refs: Sequence[str] | None = None) -> list[dict[str, Any]]:
        cols = ", ".join(f'"{c}"' for c in columns)
        if refs is None:
            return self._run(f'SELECT {cols} FROM "references" ORDER BY id')
        out: list[dict[str, Any]] = []
        for i in range(0, len(refs), 500):  # below SQLite's bound-parameter limit
            chunk = list(refs[i:i + 500])
            out += self._run(f'SELECT id AS _order, {cols} FROM "references" WHERE ref IN '
                             f'({", ".join("?" * len(chunk))})', chunk)
        out.sort(key=lambda r: r["_order"])
        return [{k: v for k, v in r.items() if k != "_order"} for r in out]


def get(name: Any, db: str | os.PathLike[str] | None = None) -> MaterialRecord | None:
    """The record of ``name`` if the fast path can answer it, else None (take the full path).

    Only a name, alias or id found in the name index is answered here; formulas, unknown
    names and bad input go the full way, so their answers and errors stay the full path's.
    """
    from nitrolyte.errors import InputError
    from nitrolyte.names import name_key
    from nitrolyte.store.models import check_text
    from nitrolyte.store.one_record import record

    try:
        check_text("material name", name)
    except InputError:
        return None

    with read(db) as conn:
        if conn is None:
            return None
        try:
            found = conn.execute("SELECT material_id FROM name_keys WHERE key = ?",
                                 (name_key(name.strip()),)).fetchone()
            return None if found is None else record(SqliteRows(conn), found[0])
        except sqlite3.Error:
            return None


def wide(db: str | os.PathLike[str] | None = None) -> tuple[dict[str, Any], ...] | None:
    """Every row of the unfiltered wide frame as plain dicts (NaN -> None), or None where the
    full path must answer (``nitrolyte list`` without filters; no pandas, no SQLAlchemy)."""
    from nitrolyte.store.one_record import wide_all

    with read(db) as conn:
        if conn is None:
            return None
        try:
            return wide_all(SqliteRows(conn))
        except sqlite3.Error:
            return None


def cache_namespace(namespace: str, db: str | os.PathLike[str] | None = None
                    ) -> dict[str, Any] | None:
    """Every value :meth:`Database.cache_put` stored under ``namespace`` (key -> dict), or None
    where the full path must answer."""
    import json

    with read(db) as conn:
        if conn is None:
            return None
        try:
            rows = conn.execute("SELECT key, value FROM cache WHERE namespace = ?",
                                (namespace,)).fetchall()
        except sqlite3.Error:
            return None
    return {str(k): json.loads(v) for k, v in rows}


_SETS_SQL = (
    "SELECT s.id AS set_id, s.material_id, m.name, m.family, m.formula, s.method, "
    "s.method_details, s.fit, (SELECT COUNT(*) FROM measurements x WHERE x.set_id = s.id AND "
    "x.property = 'ionic_conductivity') AS n_points FROM measurement_sets s JOIN materials m ON "
    "m.material_id = s.material_id ORDER BY s.id")


def measurement_sets(db: DatabaseLike | None = None) -> list[dict[str, Any]] | None:
    """Every measurement set with its material's name, family and formula and its number of
    conductivity points (JSON fields as text), or None where the full path must answer."""
    if db is not None and not isinstance(db, str | os.PathLike):
        return None
    with read(db) as conn:
        if conn is None:
            return None
        try:
            cursor = conn.execute(_SETS_SQL)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        except sqlite3.Error:
            return None
