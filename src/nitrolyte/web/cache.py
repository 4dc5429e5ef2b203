"""Answers that are re-read only when the database changes.

Building the wide materials frame takes ~10 ms; a cheap fingerprint of the tables (row counts,
largest ids and newest ``added_at``) costs well under one. :class:`FrameCache` keeps the frame
and recent serialised answers for the current fingerprint, so a read still sees a row that
another process (the CLI, a second server) wrote a moment ago, and the API's own writes drop
the cache at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

#: serialised answers kept per fingerprint
MAX_ANSWERS = 256


class FrameCache:
    """The materials frame and serialised answers of one database, per fingerprint."""

    def __init__(self, db: Any):
        self.db = db
        self._lock = threading.Lock()
        self._fingerprint: tuple[Any, ...] | None = None
        self._frame: Any = None
        self._answers: OrderedDict[Any, bytes] = OrderedDict()

    def fingerprint(self) -> tuple[Any, ...]:
        """Row counts, largest ids and newest ``added_at`` of the material, measurement and
        reference rows (three small queries in one read transaction)."""
        from nitrolyte.store import tables

        out: tuple[Any, ...] = ()
        with self.db.read() as conn:
            for tbl in (tables.measurements, tables.materials, tables.references):
                out += tuple(conn.execute(select(func.count(tbl.c.id), func.max(tbl.c.id),
                                                 func.max(tbl.c.added_at))).one())
        return out

    def _current(self) -> tuple[Any, ...]:
        key = self.fingerprint()
        with self._lock:
            if key != self._fingerprint:
                self._fingerprint, self._frame = key, None
                self._answers.clear()
        return key

    def invalidate(self) -> None:
        """Forget everything (after a write through the API)."""
        with self._lock:
            self._fingerprint, self._frame = None, None
            self._answers.clear()

    def materials(self) -> Any:
        """The wide materials frame (:func:`nitrolyte.materials`) of the current data."""
        from nitrolyte.api import materials

        key = self._current()
        with self._lock:
            if self._frame is not None and self._fingerprint == key:
                return self._frame
        frame = materials(db=self.db)
        with self._lock:
            if self._fingerprint == key:
                self._frame = frame
        return frame

    def answer(self, request_key: Any, build: Callable[[], bytes]) -> bytes:
        """The serialised answer for ``request_key`` under the current data (built once)."""
        key = self._current()
        with self._lock:
            found = self._answers.get(request_key)
            if found is not None:
                self._answers.move_to_end(request_key)
                return found
        body = build()
        with self._lock:
            if self._fingerprint == key:
                self._answers[request_key] = body
                while len(self._answers) > MAX_ANSWERS:
                    self._answers.popitem(last=False)
        return body
