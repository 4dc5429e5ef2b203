"""Dump and restore a database's own data (``nitrolyte db dump | restore``), across backends.

A dump is one JSON document (:data:`~nitrolyte.store.models.DUMP_SCHEMA`) with every user row
of ``references``, ``materials`` and ``measurements`` (provenance included), the measurement
sets (a measurement names its set by position in the dump, not by a database id), the results
cache and the API token hashes. Literature rows are not dumped: every nitrolyte database is
seeded with them. A dump from SQLite restores into PostgreSQL and back unchanged.

The document also records the SHA-256 of every file imported (``imports``, so a restored
database still refuses a repeated import), the number of rows of each list (``counts``) and
the SHA-256 of its content (``sha256``, over the canonical JSON of everything else);
``restore`` refuses a dump whose counts or checksum do not match (a truncated or altered file)
before it writes anything. Dumps are written whole or not at all (a temporary file renamed)
and readable by their owner only (mode 0600: they hold the API token hashes).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from nitrolyte.errors import DataValidationError, InputError
from nitrolyte.store import tables as t
from nitrolyte.store.models import DUMP_SCHEMA, DUMP_SCHEMAS, clean

_SKIP = {"id"}
#: the lists of a dump, in the order they are written
LISTS = ("references", "materials", "measurement_sets", "measurements", "cache", "api_tokens",
         "imports")
#: permission bits of a dump file (it holds the API token hashes)
DUMP_MODE = 0o600


def _rows(conn: Connection, table: Any, *where: Any) -> list[dict[str, Any]]:
    stmt = select(table).where(*where)
    if "id" in table.c:
        stmt = stmt.order_by(table.c.id)
    return [{k: clean(v) if not isinstance(v, bool) else v for k, v in r._mapping.items()
             if k not in _SKIP} for r in conn.execute(stmt)]


def dump(conn: Connection) -> dict[str, Any]:
    """The dump document of the database behind ``conn``."""
    user = {name: _rows(conn, t.TABLES[name], t.TABLES[name].c.source == "user")
            for name in ("references", "materials")}
    sets = conn.execute(select(t.measurement_sets).order_by(t.measurement_sets.c.id)).all()
    position = {r.id: i for i, r in enumerate(sets)}
    meas = conn.execute(select(t.measurements).where(t.measurements.c.source == "user")
                        .order_by(t.measurements.c.id)).all()
    measurements = []
    for r in meas:
        row = {k: clean(v) if not isinstance(v, bool) else v for k, v in r._mapping.items()
               if k not in ("id", "set_id")}
        row["set"] = position.get(r.set_id)
        measurements.append(row)
    doc = {"schema": DUMP_SCHEMA, "schema_version": t.SCHEMA_VERSION,
           "references": user["references"], "materials": user["materials"],
           "measurement_sets": [{k: v for k, v in r._mapping.items() if k != "id"} for r in sets],
           "measurements": measurements, "cache": _rows(conn, t.cache),
           "api_tokens": _rows(conn, t.api_tokens), "imports": _rows(conn, t.imports)}
    doc["counts"] = {name: len(doc[name]) for name in LISTS}
    doc["sha256"] = checksum(doc)
    return doc


def checksum(doc: dict[str, Any]) -> str:
    """SHA-256 (hex) of a dump's canonical JSON (sorted keys, no spaces), ``sha256`` left out."""
    body = {k: v for k, v in doc.items() if k != "sha256"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_dump(doc: dict[str, Any], path: Path) -> None:
    """Write a dump document as UTF-8 JSON, mode 0600, whole or not at all."""
    from nitrolyte._atomic import write_text

    write_text(path, json.dumps(doc, indent=1, ensure_ascii=False) + "\n", "dump file",
               mode=DUMP_MODE)


def read_dump(path: Path) -> dict[str, Any]:
    """Read and check a dump document (its row counts and checksum, where it has them)."""
    if not path.is_file():
        raise InputError(f"dump file {path} does not exist")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataValidationError(f"{path} is not a nitrolyte dump (invalid JSON: {exc})") from None
    except OSError as exc:
        raise InputError(f"cannot read dump file {path}: {exc.strerror}") from None
    if not isinstance(doc, dict) or doc.get("schema") not in DUMP_SCHEMAS:
        raise DataValidationError(f"{path} is not a nitrolyte dump: 'schema' must be "
                                  f"{DUMP_SCHEMA!r} (or {DUMP_SCHEMAS[1]!r} of an earlier nitrolyte)")
    for key in LISTS:
        if not isinstance(doc.get(key, []), list):
            raise DataValidationError(f"{path}: {key!r} must be a list")
    if doc["schema"] == DUMP_SCHEMA:
        _verify(doc, path)
    return doc


def _verify(doc: dict[str, Any], path: Path) -> None:
    """Refuse a dump whose row counts or checksum do not match its content."""
    counts = doc.get("counts")
    if not isinstance(counts, dict) or not isinstance(doc.get("sha256"), str):
        raise DataValidationError(f"{path}: a {DUMP_SCHEMA} dump must have 'counts' and "
                                  "'sha256'; the file is incomplete or was altered; nothing was "
                                  "restored")
    for name in LISTS:
        have, said = len(doc.get(name, [])), counts.get(name)
        if have != said:
            raise DataValidationError(
                f"{path}: {name!r} holds {have} row(s) but the dump recorded {said}; the file "
                "is incomplete or was altered; nothing was restored (use an intact dump)")
    try:
        actual = checksum(doc)
    except ValueError:  # NaN or infinity: never written by nitrolyte
        actual = ""
    if actual != doc["sha256"]:
        raise DataValidationError(
            f"{path}: the SHA-256 of its content ({actual[:12] or 'invalid'}...) is not the one "
            f"recorded ({str(doc['sha256'])[:12]}...); the file was altered or damaged; nothing "
            "was restored (use an intact dump)")


def _known(table: Any, row: dict[str, Any], where: str) -> dict[str, Any]:
    if not isinstance(row, dict):
        raise DataValidationError(f"{where}: expected an object, got {type(row).__name__}")
    unknown = sorted(set(row) - set(table.c.keys()))
    if unknown:
        raise DataValidationError(f"{where}: unknown field(s) {', '.join(unknown)}")
    return row


def _checked(rows: list[dict[str, Any]], set_ids: list[int | None]) -> list[tuple[Any, ...]]:
    """Dumped measurement rows validated like an import, as tuples in ``_MEAS_COLS`` order."""
    import pandas as pd

    from nitrolyte.store.validate import validate_frame
    from nitrolyte.store.writes import _MEAS_COLS

    frame = validate_frame(pd.DataFrame.from_records(rows), "dump measurements",
                           required=("property", "value", "unit"),
                           allow_implausible=True)  # rows stored with --allow-implausible round-trip
    frame["source"] = "user"
    columns = []
    for col in _MEAS_COLS:
        if col == "set_id":
            columns.append(set_ids)
        elif col in ("value", "temperature", "value_stderr"):
            columns.append([None if v != v else float(v) for v in frame[col]])
        elif col == "derived_from_arrhenius":
            columns.append([bool(v) for v in frame[col]])
        else:
            columns.append(frame[col].tolist())
    return list(zip(*columns, strict=True))


def restore(conn: Connection, doc: dict[str, Any], replace: bool) -> int:
    """Write a dump into the database (inside the caller's write transaction).

    Returns the number of measurements restored. Without ``replace``, a database that already
    holds user rows is refused; with it, they are deleted first.
    """
    from nitrolyte.store.lab import insert_set
    from nitrolyte.store.seed import rebuild_name_keys
    from nitrolyte.store.writes import _MEAS_COLS, bulk_insert

    held = [conn.scalar(select(t.measurements.c.id).where(t.measurements.c.source == "user")
                        .limit(1)),
            conn.scalar(select(t.measurement_sets.c.id).limit(1)),  # an unknown set: no rows
            conn.scalar(select(t.materials.c.material_id).where(t.materials.c.source == "user")
                        .limit(1))]
    if any(h is not None for h in held) and not replace:
        raise InputError("the database already holds user rows; restore into a new database, "
                         "or pass --replace to delete them first")
    for table in (t.measurements, t.measurement_sets):
        conn.execute(delete(table).where(table.c.source == "user") if "source" in table.c
                     else delete(table))
    for table in (t.materials, t.references):
        conn.execute(delete(table).where(table.c.source == "user"))
    conn.execute(delete(t.cache))
    conn.execute(delete(t.api_tokens))
    conn.execute(delete(t.imports))
    from nitrolyte.store.writes import _material_row

    for name in ("references", "materials"):
        rows = [_known(t.TABLES[name], r, f"dump {name}[{i}]")
                for i, r in enumerate(doc.get(name, []))]
        for i, r in enumerate(rows if name == "materials" else []):
            if not isinstance(r.get("material_id"), str) or not r["material_id"]:
                raise DataValidationError(f"dump materials[{i}]: 'material_id' must be a "
                                          "non-empty string")
            _material_row({**r, "name": r.get("name") or ""}, f"dump materials[{i}]")
        if rows:
            conn.execute(insert(t.TABLES[name]), [{**r, "source": "user"} for r in rows])
    known = set(conn.scalars(select(t.materials.c.material_id)))
    set_ids = []
    for i, raw in enumerate(doc.get("measurement_sets", [])):
        where = f"dump measurement_sets[{i}]"
        row = _known(t.measurement_sets, raw, where)
        for key in ("material_id", "method", "added_at"):
            if not isinstance(row.get(key), str) or not row[key]:
                raise DataValidationError(f"{where}: {key!r} must be a non-empty string")
        if row["material_id"] not in known:
            raise DataValidationError(f"{where}: material_id {row['material_id']!r} is not in "
                                      "the dump nor in this database's literature rows")
        set_ids.append(insert_set(conn, row["material_id"],
                                  {k: v for k, v in row.items() if k != "material_id"}))
    rows, sets = [], []
    for i, r in enumerate(doc.get("measurements", [])):
        where = f"dump measurements[{i}]"
        if not isinstance(r, dict):
            raise DataValidationError(f"{where}: expected an object, got {type(r).__name__}")
        row = _known(t.measurements, {k: v for k, v in r.items() if k != "set"}, where)
        if row.get("material_id") not in known:
            raise DataValidationError(f"{where}: material_id {row.get('material_id')!r} is not "
                                      "in the dump nor in this database's literature rows")
        pos = r.get("set")
        if pos is not None and (isinstance(pos, bool) or not isinstance(pos, int)
                                or not 0 <= pos < len(set_ids)):
            raise DataValidationError(f"{where}: 'set' must be an index into measurement_sets "
                                      f"(0..{len(set_ids) - 1}), got {pos!r}")
        sets.append(None if pos is None else set_ids[pos])
        rows.append({k: v for k, v in row.items() if k not in ("set_id", "source")})
    tuples = _checked(rows, sets) if rows else []
    bulk_insert(conn, "measurements", _MEAS_COLS, tuples)
    for name, table in (("cache", t.cache), ("api_tokens", t.api_tokens),
                        ("imports", t.imports)):
        rows = [_known(table, r, f"dump {name}") for r in doc.get(name, [])]
        if rows:
            conn.execute(insert(table), rows)
    rebuild_name_keys(conn)
    return len(tuples)
