"""Literature rows from the package data, and the name index, inside a write transaction.

* :func:`seed` inserts the curated tables of :mod:`nitrolyte.dataset` as ``literature`` rows;
* :func:`reseed` replaces them (user rows are never touched);
* :func:`rebuild_name_keys` refills ``name_keys`` from every material (literature first), e.g.
  when :data:`nitrolyte.names.NAMES_VERSION` changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, insert, select, update

from nitrolyte.store import tables as t
from nitrolyte.store.models import clean, now_iso

if TYPE_CHECKING:
    import pandas as pd

_TEXT_COLS = {"ref", "material_id", "citation_key", "doi"}
_SEED_ORDER = ("references", "materials", "measurements")


def package_frames() -> dict[str, pd.DataFrame]:
    """The curated literature tables of :mod:`nitrolyte.dataset`."""
    from nitrolyte import dataset

    return {"references": dataset.references(), "materials": dataset.materials(),
            "measurements": dataset.measurements()}


def data_hash(frames: Mapping[str, pd.DataFrame] | None = None) -> str:
    """SHA-256 of the package data frames (decides when literature rows are reseeded)."""
    frames = package_frames() if frames is None else frames
    digest = hashlib.sha256()
    for name in sorted(frames):
        digest.update(name.encode())
        digest.update(frames[name].to_csv(index=False).encode())
    return digest.hexdigest()


def _records(name: str, frame: pd.DataFrame, stamp: str) -> list[dict[str, Any]]:
    cols = [c for c in t.COLUMNS[name] if c in frame.columns]
    out = []
    for rec in frame.to_dict("records"):
        row: dict[str, Any] = dict.fromkeys(t.COLUMNS[name])
        for col in cols:
            value = clean(rec.get(col))
            if col in _TEXT_COLS and isinstance(value, float) and value.is_integer():
                value = str(int(value))
            elif col in _TEXT_COLS and value is not None:
                value = str(value)
            row[col] = value
        if name == "measurements":
            row["derived_from_arrhenius"] = bool(row["derived_from_arrhenius"])
        row.update(source="literature", added_at=stamp, added_by="nitrolyte")
        out.append(row)
    return out


def write_meta(conn: Connection, values: Mapping[str, str]) -> None:
    """Upsert ``meta`` keys."""
    for key, value in values.items():
        conn.execute(delete(t.meta).where(t.meta.c.key == key))
        conn.execute(insert(t.meta), {"key": key, "value": str(value)})


def read_meta(conn: Connection) -> dict[str, str]:
    """The ``meta`` table as a dict."""
    return {k: v for k, v in conn.execute(select(t.meta.c.key, t.meta.c.value))}


def _insert_frames(conn: Connection, frames: Mapping[str, pd.DataFrame], stamp: str) -> None:
    for name in _SEED_ORDER:
        rows = _records(name, frames[name], stamp)
        if rows:
            conn.execute(insert(t.TABLES[name]), rows)


def seed(conn: Connection) -> int:
    """Insert the package data as literature rows and record the schema facts in ``meta``."""
    import nitrolyte
    from nitrolyte.names import NAMES_VERSION

    frames = package_frames()
    stamp = now_iso()
    _insert_frames(conn, frames, stamp)
    write_meta(conn, {"application": t.MARKER, "schema_version": str(t.SCHEMA_VERSION),
                      "data_hash": data_hash(frames), "seeded_at": stamp,
                      "nitrolyte_version": nitrolyte.__version__,
                      "names_version": str(NAMES_VERSION)})
    rebuild_name_keys(conn)
    return len(frames["measurements"])


def reseed(conn: Connection) -> int:
    """Replace literature rows by the package data; keep user rows (and their materials).

    A literature material that user rows (or sets) point at is updated in place, never
    deleted, so the foreign keys of those rows stay valid on every backend.
    """
    mat, meas = t.materials, t.measurements
    frames = package_frames()
    used = set(conn.scalars(select(meas.c.material_id).where(meas.c.source == "user")))
    used |= set(conn.scalars(select(t.measurement_sets.c.material_id)))
    conn.execute(delete(meas).where(meas.c.source == "literature"))
    conn.execute(delete(t.references).where(t.references.c.source == "literature"))
    conn.execute(delete(mat).where(mat.c.source == "literature", mat.c.material_id.not_in(used)))
    kept = set(conn.scalars(select(mat.c.material_id)))
    stamp = now_iso()
    pkg = frames["materials"]
    for row in _records("materials", pkg[pkg["material_id"].isin(kept)], stamp):
        conn.execute(update(mat).where(mat.c.material_id == row["material_id"],
                                       mat.c.source == "literature").values(**row))
    todo = dict(frames)
    todo["materials"] = pkg[~pkg["material_id"].isin(kept)]
    _insert_frames(conn, todo, stamp)
    write_meta(conn, {"data_hash": data_hash(frames), "seeded_at": stamp})
    rebuild_name_keys(conn)
    return len(frames["measurements"])


def material_keys(material_id: str, name: str, aliases: str | None) -> list[str]:
    """The lookup keys of a material: its id, name and aliases through ``name_key``."""
    from nitrolyte.names import name_key

    keys = [material_id, name, *str(aliases or "").split(";")]
    return list(dict.fromkeys(name_key(k.strip()) for k in keys if k and k.strip()))


def insert_keys(conn: Connection, rows: Iterable[tuple[str, str]]) -> None:
    """Insert (key, material_id) pairs; a key already taken keeps its material (first wins)."""
    taken = set()
    batch = []
    for key, mid in rows:
        if key not in taken:
            taken.add(key)
            batch.append({"key": key, "material_id": mid})
    if not batch:
        return
    existing: set[str] = set()
    keys = [b["key"] for b in batch]
    for i in range(0, len(keys), 500):
        existing.update(conn.scalars(select(t.name_keys.c.key).where(
            t.name_keys.c.key.in_(keys[i:i + 500]))))
    fresh = [b for b in batch if b["key"] not in existing]
    if fresh:
        conn.execute(insert(t.name_keys), fresh)


def rebuild_name_keys(conn: Connection) -> None:
    """Refill ``name_keys`` from every material: literature first, then user, in id order."""
    from nitrolyte.names import NAMES_VERSION

    conn.execute(delete(t.name_keys))
    mat = t.materials
    rows = conn.execute(select(mat.c.material_id, mat.c.name, mat.c.aliases).order_by(
        (mat.c.source != "literature"), mat.c.id)).all()
    insert_keys(conn, ((k, mid) for mid, name, aliases in rows
                       for k in material_keys(mid, name, aliases)))
    write_meta(conn, {"names_version": str(NAMES_VERSION)})
