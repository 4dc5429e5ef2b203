"""Answers that are rebuilt only when the database changes.

A read endpoint's answer (the materials page, a material document, a page's HTML, sigma) is a
function of the database's contents. :class:`FrameCache` keeps the serialised answers of the
current *generation* of the database: a value that changes with every committed write, by this
server, the CLI or any other process, so a read always sees the newest data.

The generation, per backend (:data:`GENERATIONS`):

* SQLite file: ``PRAGMA data_version`` on a read-only connection of this cache's own (SQLite
  changes it whenever another connection, of any process, commits; about 5 us, no I/O), plus
  the number of times that connection was (re)opened (the file was replaced);
* PostgreSQL: ``pg_current_snapshot()``, the MVCC snapshot: two equal snapshots see the same
  committed data, and every committed write transaction changes it (one round trip);
* anything else (in-memory SQLite): row counts, largest ids and newest ``added_at`` of the
  material, measurement and reference tables (:class:`TableFingerprint`).

The generation is read *before* an answer is built, so an answer built from newer data is at
worst filed under an older generation and rebuilt on the next request, never the reverse.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nitrolyte.store.database import Database

#: serialised answers kept per generation
MAX_ANSWERS = 256
#: backend name -> generation class (``TableFingerprint`` for the others)
GENERATIONS: dict[str, type[Any]] = {}


def generation_for(backend: str) -> Callable[[type[Any]], type[Any]]:
    """Class decorator: register a generation for a SQLAlchemy backend name."""
    def register(cls: type[Any]) -> type[Any]:
        GENERATIONS[backend] = cls
        return cls
    return register


class TableFingerprint:
    """Row counts, largest ids and newest ``added_at`` of the material, measurement and
    reference rows (three small queries in one read transaction)."""

    #: True when a call costs no round trip (it may run on the event loop)
    cheap = False

    def __init__(self, db: Database):
        self.db = db

    def __call__(self) -> Hashable:
        from sqlalchemy import func, select

        from nitrolyte.store import tables

        out: tuple[Any, ...] = ()
        with self.db.read() as conn:
            for tbl in (tables.measurements, tables.materials, tables.references):
                out += tuple(conn.execute(select(func.count(tbl.c.id), func.max(tbl.c.id),
                                                 func.max(tbl.c.added_at))).one())
        return out


@generation_for("postgresql")
class PostgresSnapshot(TableFingerprint):
    """``pg_current_snapshot()`` (xmin:xmax:in-progress ids) of a read transaction."""

    def __call__(self) -> Hashable:
        with self.db.read() as conn:
            return str(conn.exec_driver_sql("SELECT pg_current_snapshot()::text").scalar())


@generation_for("sqlite")
class SqliteDataVersion(TableFingerprint):
    """``PRAGMA data_version`` of a read-only connection that never writes (file databases);
    the table fingerprint for in-memory ones or when the file cannot be opened read-only."""

    def __init__(self, db: Database):
        super().__init__(db)
        self.path = db.path
        self.cheap = self.path is not None
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._inode: tuple[int, int] | None = None
        self._opened = 0

    def __call__(self) -> Hashable:
        if self.path is None:
            return super().__call__()
        try:
            stat = os.stat(self.path)
            with self._lock:
                if self._conn is None or self._inode != (stat.st_dev, stat.st_ino):
                    self._open((stat.st_dev, stat.st_ino))
                assert self._conn is not None
                return self._opened, self._conn.execute("PRAGMA data_version").fetchone()[0]
        except (OSError, sqlite3.Error):
            self.close()
            return super().__call__()  # the store's own error if the database is unusable

    def _open(self, inode: tuple[int, int]) -> None:
        self.close()
        self.db.ensure()  # created and migrated before its state is watched
        uri = f"{self.path.absolute().as_uri()}?mode=ro"
        self._conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        self._inode, self._opened = inode, self._opened + 1

    def close(self) -> None:
        """Close the watching connection (it is reopened on the next call)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class FrameCache:
    """The materials frame and serialised answers of one database, per generation."""

    def __init__(self, db: Database):
        self.db = db
        self.generation = GENERATIONS.get(db.backend, TableFingerprint)(db)
        self._lock = threading.Lock()
        self._generation: Hashable | None = None
        self._frame: Any = None
        self._answers: OrderedDict[Any, Any] = OrderedDict()

    def current(self) -> Hashable:
        """The database's generation now (cached answers of an older one are dropped)."""
        key = self.generation()
        with self._lock:
            if key != self._generation:
                self._generation, self._frame = key, None
                self._answers.clear()
        return key

    def invalidate(self) -> None:
        """Forget everything (after a write through the API)."""
        with self._lock:
            self._generation, self._frame = None, None
            self._answers.clear()

    def materials(self) -> Any:
        """The wide materials frame (:func:`nitrolyte.materials`) of the current data."""
        from nitrolyte.api import materials

        key = self.current()
        with self._lock:
            if self._frame is not None and self._generation == key:
                return self._frame
        frame = materials(db=self.db)
        with self._lock:
            if self._generation == key:
                self._frame = frame
        return frame

    def _lookup(self, request_key: Any) -> Any:
        with self._lock:
            found = self._answers.get(request_key)
            if found is not None:
                self._answers.move_to_end(request_key)
            return found

    def _keep(self, key: Hashable, request_key: Any, body: Any) -> None:
        with self._lock:
            if self._generation == key:
                self._answers[request_key] = body
                while len(self._answers) > MAX_ANSWERS:
                    self._answers.popitem(last=False)

    def answer(self, request_key: Any, build: Callable[[], Any]) -> Any:
        """The answer for ``request_key`` under the current data (built once): serialised
        bytes, or a result object that several answers share (an immutable one)."""
        key = self.current()
        found = self._lookup(request_key)
        if found is None:
            found = build()
            self._keep(key, request_key, found)
        return found

    async def answer_async(self, request_key: Any, build: Callable[[], bytes]) -> bytes:
        """:meth:`answer` for ``async`` endpoints: a cached answer of a cheap generation costs
        no thread; the generation's round trip (PostgreSQL) and ``build`` run in the pool."""
        from starlette.concurrency import run_in_threadpool

        key = self.current() if self.generation.cheap else await run_in_threadpool(self.current)
        found = self._lookup(request_key)
        if found is None:
            found = await run_in_threadpool(build)
            self._keep(key, request_key, found)
        return found
