"""Writes: user measurements in bulk, measurement sets; all or nothing, safe with many writers.

A batch is validated first (:func:`nitrolyte.store.validate.validate_frame`, new materials with
the row model), then written in one transaction that holds the writer lock
(:func:`~nitrolyte.store.engine.write_transaction`): names are resolved again under the lock,
so writers adding the same new name at once create one material, and nothing is lost.
Measurement rows go in with the driver's ``executemany`` (SQLite) or ``COPY`` (PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert, select

from nitrolyte.errors import DataValidationError
from nitrolyte.store import tables as t
from nitrolyte.store.models import DOI_PATTERN, current_user, now_iso, review_ref
from nitrolyte.store.seed import insert_keys, material_keys

if TYPE_CHECKING:
    import pandas as pd

#: placeholder family used only to validate a user material given without a family
_ANY_FAMILY = "other ternary nitride"
_MEAS_COLS = ("material_id", "property", "value", "qualifier", "unit", "temperature",
              "temperature_unit", "direction", "phase", "method", "derived_from_arrhenius", "ref",
              "location", "note", "source", "added_at", "added_by", "source_sha256",
              "value_stderr", "kind", "set_id")
_CHUNK = 20_000


@dataclass
class Batch:
    """Validated rows plus the material each row names (resolved or to be created)."""

    frame: pd.DataFrame
    where: str
    keys: list[str | None]                                   # name_key per row (None: by id)
    new: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> material row
    created: set[str] = field(default_factory=set)           # material_ids created


def _slug(name: str) -> str:
    from nitrolyte.names import slug

    return slug(name)


def _resolve(conn: Connection, keys: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(keys))
    found: dict[str, str] = {}
    for i in range(0, len(wanted), 500):
        stmt = select(t.name_keys.c.key, t.name_keys.c.material_id).where(
            t.name_keys.c.key.in_(wanted[i:i + 500]))
        found.update(dict(conn.execute(stmt).all()))
    return found


def _existing_ids(conn: Connection, ids: Iterable[str]) -> set[str]:
    wanted = sorted(set(ids))
    out: set[str] = set()
    for i in range(0, len(wanted), 500):
        out.update(conn.scalars(select(t.materials.c.material_id).where(
            t.materials.c.material_id.in_(wanted[i:i + 500]))))
    return out


def _material_row(row: dict[str, Any], where: str) -> dict[str, Any]:
    """The material a row describes, validated with the row model (raises naming the row)."""
    from nitrolyte.dataset import validate_material

    mat = {"material_id": row.get("material_id") or "user-x", "name": row["name"],
           "aliases": row.get("aliases"), "formula": row.get("formula"),
           "formula_printed": row.get("formula"), "family": row.get("family"),
           "crystal_system": row.get("crystal_system"), "space_group": row.get("space_group"),
           "synthesis": row.get("synthesis"), "ref": row.get("ref"), "location": "user",
           "note": None}
    try:
        checked = validate_material({**{k: v or "" for k, v in mat.items()},
                                     "ref": review_ref(mat["ref"]) or "",
                                     "family": mat["family"] or _ANY_FAMILY})
    except DataValidationError as exc:
        raise DataValidationError(f"{where}: {exc}") from None
    for key in ("crystal_system", "space_group", "formula"):
        mat[key] = getattr(checked, key) or None
    return mat


def prepare(conn: Connection, frame: pd.DataFrame, where: str) -> Batch:
    """Resolve names (read only) and validate the materials that look new."""
    from nitrolyte.names import name_key

    names = frame["name"].tolist()
    key_of = {n: name_key(n) for n in set(names) if n is not None}
    keys = [None if n is None else key_of[n] for n in names]
    batch = Batch(frame=frame, where=where, keys=keys)
    found = _resolve(conn, key_of.values())
    ids = frame["material_id"].tolist()
    missing_ids = {i for i, k in zip(ids, keys, strict=True) if k is None}
    known_ids = _existing_ids(conn, missing_ids) if missing_ids else set()
    for i, (key, mid) in enumerate(zip(keys, ids, strict=True)):
        label = where if where == "add" else f"{where} row {i + 1}"
        if key is None and mid not in known_ids:
            raise DataValidationError(f"{label}: field 'name' is required (material_id {mid!r} "
                                      "is not in the database)")
        if key is not None and key not in found and key not in batch.new:
            batch.new[key] = _material_row(frame.iloc[i].to_dict(), label)
        elif key in found and where == "add":
            _same_formula(conn, found[key], frame.iloc[i].get("formula"), label)
    return batch


def _same_formula(conn: Connection, material_id: str, given: Any, label: str) -> None:
    """``add --formula`` for a material that exists: accepted when it is the stored formula (any
    multiple, e.g. Li6N2 for Li3N), refused otherwise, never silently ignored."""
    from nitrolyte.errors import InputError
    from nitrolyte.formula import parse_formula

    if not isinstance(given, str) or not given.strip():
        return
    stored = conn.execute(select(t.materials.c.name, t.materials.c.formula).where(
        t.materials.c.material_id == material_id)).first()
    if stored is None or not stored.formula:
        return

    def fractions(text: str) -> dict[str, float]:
        amounts = parse_formula(text)
        total = sum(amounts.values())
        return {el: n / total for el, n in amounts.items()}

    try:
        mine, theirs = fractions(given), fractions(stored.formula)
        same = mine.keys() == theirs.keys() and all(
            abs(mine[el] - theirs[el]) <= 1e-6 for el in mine)
    except InputError as exc:
        raise DataValidationError(f"{label}: formula: {exc}") from None
    if not same:
        raise DataValidationError(
            f"{label}: {stored.name!r} exists with formula {stored.formula}; formula {given!r} "
            "does not match it (a material's formula is set when it is created: leave --formula "
            "out, or add the measurement under a new name)")


def _create_materials(conn: Connection, batch: Batch, resolved: dict[str, str],
                      prov: dict[str, Any]) -> None:
    """Create the batch's materials that are still unknown under the writer lock."""
    todo = [k for k in dict.fromkeys(batch.keys) if k is not None and k not in resolved]
    if not todo:
        return
    for key in todo:
        if key not in batch.new:  # known when validated, deleted since: validate now
            i = batch.keys.index(key)
            batch.new[key] = _material_row(batch.frame.iloc[i].to_dict(), batch.where)
    wanted = {k: batch.new[k] for k in todo}
    taken = _existing_ids(conn, [m["material_id"] for m in wanted.values()])
    taken |= set(conn.scalars(select(t.materials.c.material_id).where(
        t.materials.c.material_id.like("user-%"))))
    rows, key_rows = [], []
    for key, mat in wanted.items():
        mid = mat["material_id"]
        if mid == "user-x" or mid in taken:
            mid = _new_id(mat["name"], taken)
        taken.add(mid)
        rows.append({**mat, "material_id": mid, "source": "user", **prov})
        resolved[key] = mid
        batch.created.add(mid)
        key_rows.extend((k, mid) for k in (key, *material_keys(mid, mat["name"], mat["aliases"])))
    conn.execute(insert(t.materials), rows)
    insert_keys(conn, key_rows)


def _new_id(name: str, taken: set[str]) -> str:
    """``user-<slug>``, or ``user-<slug>-2``, ... when taken."""
    base = f"user-{_slug(name)}"
    mid, n = base, 1
    while mid in taken:
        n += 1
        mid = f"{base}-{n}"
    return mid


def _create_refs(conn: Connection, frame: pd.DataFrame, prov: dict[str, Any]) -> list[Any]:
    """User references of the rows (``ref`` or else ``doi``) that are not stored yet."""
    refs = [r if r is not None else d for r, d in zip(frame["ref"], frame["doi"], strict=True)]
    first: dict[str, int] = {}
    for i, r in enumerate(refs):
        if r is not None and r not in first:
            first[r] = i
    stored: set[str] = set()
    keys = sorted(first)
    for i in range(0, len(keys), 500):
        stored.update(conn.scalars(select(t.references.c.ref).where(
            t.references.c.ref.in_(keys[i:i + 500]))))
    rows = []
    for ref, i in first.items():
        if ref in stored:
            continue
        doi = frame["doi"].iloc[i]
        doi = doi if doi is not None else (ref if DOI_PATTERN.match(ref) else None)
        rows.append({"ref": ref, "citation": frame["citation"].iloc[i] or ref, "doi": doi,
                     "citation_key": None, "source": "user", **prov})
    if rows:
        conn.execute(insert(t.references), rows)
    return refs


def _columns(frame: pd.DataFrame, mids: list[str], refs: list[Any], prov: dict[str, Any],
             set_id: int | None) -> list[list[Any]]:
    import numpy as np

    n = len(frame)

    def floats(col: str) -> list[Any]:
        arr = frame[col].to_numpy(dtype=float)
        return [None if v != v else v for v in arr.tolist()] if np.isnan(arr).any() else arr.tolist()

    def given(col: str, default: Any) -> list[Any]:
        values = frame[col].tolist()
        return [default if v is None else v for v in values]

    data = {"material_id": mids, "ref": refs, "source": ["user"] * n,
            "value": floats("value"), "temperature": floats("temperature"),
            "value_stderr": floats("value_stderr"),
            "derived_from_arrhenius": [bool(v) for v in frame["derived_from_arrhenius"]],
            "added_at": given("added_at", prov["added_at"]),
            "added_by": given("added_by", prov["added_by"]),
            "source_sha256": given("source_sha256", prov["source_sha256"]),
            "set_id": [set_id] * n}
    return [data[c] if c in data else frame[c].tolist() for c in _MEAS_COLS]


def bulk_insert(conn: Connection, table_name: str, columns: Sequence[str],
                rows: Iterable[tuple[Any, ...]]) -> None:
    """Insert tuples with the driver's fastest path (``COPY`` on PostgreSQL, else executemany)."""
    quote = conn.dialect.identifier_preparer.quote
    cols = ", ".join(quote(c) for c in columns)
    if conn.dialect.name == "postgresql":
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cur, cur.copy(f"COPY {quote(table_name)} ({cols}) FROM STDIN") as cp:
            for row in rows:
                cp.write_row(row)
        return
    marks = ", ".join("?" if conn.dialect.paramstyle == "qmark" else "%s" for _ in columns)
    sql = f"INSERT INTO {quote(table_name)} ({cols}) VALUES ({marks})"
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= _CHUNK:
            conn.exec_driver_sql(sql, chunk)
            chunk = []
    if chunk:
        conn.exec_driver_sql(sql, chunk)


def provenance(added_by: str | None, source_sha256: str | None) -> dict[str, Any]:
    """The provenance fields of rows written now."""
    return {"added_by": added_by or current_user(), "added_at": now_iso(),
            "source_sha256": source_sha256}


def write(conn: Connection, batch: Batch, prov: dict[str, Any], *, returning: bool = False,
          set_fields: dict[str, Any] | None = None) -> tuple[list[int], int | None]:
    """Store a prepared batch inside the caller's write transaction.

    With ``set_fields``, a ``measurement_sets`` row is written first (for the batch's one
    material) and every row is linked to it. Returns the new measurement ids when
    ``returning`` (single rows, else ``[]``) and the set id (or None).
    """
    from nitrolyte.store.lab import insert_set

    frame = batch.frame
    resolved = _resolve(conn, [k for k in batch.keys if k is not None])
    _create_materials(conn, batch, resolved, prov)
    mids = [m if k is None else resolved[k] for k, m in
            zip(batch.keys, frame["material_id"], strict=True)]
    set_id = None
    if set_fields is not None:
        set_id = insert_set(conn, mids[0], {**set_fields, "added_by": prov["added_by"],
                                            "added_at": prov["added_at"]})
    refs = _create_refs(conn, frame, prov)
    columns = _columns(frame, mids, refs, prov, set_id)
    batch.frame = frame.assign(material_id=mids)
    if returning:
        stmt = insert(t.measurements).returning(t.measurements.c.id)
        return [int(conn.execute(stmt, dict(zip(_MEAS_COLS, row, strict=True))).scalar_one())
                for row in zip(*columns, strict=True)], set_id
    used = [i for i, col in enumerate(columns) if any(v is not None for v in col)]
    bulk_insert(conn, "measurements", [_MEAS_COLS[i] for i in used],
                zip(*(columns[i] for i in used), strict=True))  # all-empty columns stay NULL
    return [], set_id


def write_set_only(conn: Connection, batch: Batch, prov: dict[str, Any],
                   set_fields: dict[str, Any]) -> tuple[str, int]:
    """Store a set with no measurement row (an unknown answer) inside the caller's write
    transaction: the batch's one material (created when new) and the set row.

    Returns (material_id, set_id).
    """
    from nitrolyte.store.lab import insert_set

    resolved = _resolve(conn, [k for k in batch.keys if k is not None])
    _create_materials(conn, batch, resolved, prov)
    key = batch.keys[0]
    mid = resolved[key] if key is not None else str(batch.frame["material_id"].iloc[0])
    set_id = insert_set(conn, mid, {**set_fields, "added_by": prov["added_by"],
                                    "added_at": prov["added_at"]})
    return mid, set_id


def material_names(conn: Connection, mids: Iterable[str]) -> dict[str, str]:
    """material_id -> display name."""
    wanted = sorted(set(mids))
    return dict(conn.execute(select(t.materials.c.material_id, t.materials.c.name).where(
        t.materials.c.material_id.in_(wanted))).all())
