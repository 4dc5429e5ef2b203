"""The record of imported files: a file whose content (SHA-256) was imported before is refused.

Re-importing a committed file would store every row twice. Each import (``nitrolyte import``,
``POST /api/v1/imports``) writes one ``imports`` row (SHA-256, file name, row count, who, when)
in the same transaction as its rows; a later import of the same bytes, under any name, raises
:class:`~nitrolyte.errors.AlreadyImportedError` unless asked ``again``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select

from nitrolyte.errors import AlreadyImportedError
from nitrolyte.store import tables as t
from nitrolyte.store.models import now_iso


def previous(conn: Connection, sha256: str) -> dict[str, Any] | None:
    """The first import of a file with this SHA-256 (None if it was never imported)."""
    row = conn.execute(select(t.imports).where(t.imports.c.sha256 == sha256)
                       .order_by(t.imports.c.id).limit(1)).first()
    return None if row is None else dict(row._mapping)


def refuse_repeat(conn: Connection, sha256: str, name: str, where: str) -> None:
    """Raise :class:`AlreadyImportedError` (one line) if these bytes were imported before."""
    first = previous(conn, sha256)
    if first is None:
        return
    same = "" if first["file_name"] == name else f" (as {first['file_name']})"
    raise AlreadyImportedError(
        f"{name} was already imported into {where}{same} on {first['imported_at']} by "
        f"{first['added_by'] or 'unknown'}: {first['n_measurements']} measurement(s), same "
        f"content (SHA-256 {sha256[:12]}...); nothing was stored; importing it again would "
        "store every row twice: pass --again (API: again=true) if that is what you want")


def record(conn: Connection, sha256: str, name: str, n_measurements: int,
           added_by: str | None) -> None:
    """Remember one import (inside the caller's write transaction, with its rows)."""
    conn.execute(insert(t.imports).values(sha256=sha256, file_name=name[:300],
                                          n_measurements=int(n_measurements), added_by=added_by,
                                          imported_at=now_iso()))
