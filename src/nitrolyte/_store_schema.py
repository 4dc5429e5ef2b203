"""Creating, versioning, migrating and seeding the tables of :class:`nitrolyte.store.Database`.

Private helper of :mod:`nitrolyte.store`.

* A file with no tables is created at :data:`~nitrolyte.store.SCHEMA_VERSION` and seeded.
* A file whose ``meta.schema_version`` is newer than this nitrolyte is refused
  (:class:`~nitrolyte.errors.DatabaseError`): downgrading could lose columns.
* An older file (or one without ``meta``) is migrated: its user rows are read with plain SQL,
  the tables are re-created and seeded, and the user rows are written back (columns the old
  file lacked stay empty).
* A file at the current version whose stored data hash differs from the package data is
  reseeded: literature rows are replaced, user rows are never touched.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    delete,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from nitrolyte._store_io import clean
from nitrolyte.errors import DatabaseError

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy.orm import Session

    from nitrolyte.store import Database

#: Version of the table layout written by this nitrolyte.
SCHEMA_VERSION = 1
_TABLES = ("references", "materials", "measurements")


class Base(DeclarativeBase):
    """Declarative base of the nitrolyte tables."""


class ReferenceRow(Base):
    """A cited source: a reference of the review or one a user gave with a measurement."""

    __tablename__ = "references"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(200), index=True)
    citation: Mapped[str | None] = mapped_column(Text)
    doi: Mapped[str | None] = mapped_column(String(200))
    citation_key: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(16), index=True)
    added_at: Mapped[str] = mapped_column(String(40))


class MaterialRow(Base):
    """One material (one row of ``materials.csv`` or a user material)."""

    __tablename__ = "materials"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    material_id: Mapped[str] = mapped_column(String(200), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(300))
    aliases: Mapped[str | None] = mapped_column(Text)
    formula: Mapped[str | None] = mapped_column(String(300))
    formula_printed: Mapped[str | None] = mapped_column(String(300))
    family: Mapped[str | None] = mapped_column(String(100))
    crystal_system: Mapped[str | None] = mapped_column(String(100))
    space_group: Mapped[str | None] = mapped_column(String(100))
    synthesis: Mapped[str | None] = mapped_column(String(300))
    ref: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16), index=True)
    added_at: Mapped[str] = mapped_column(String(40))


class MeasurementRow(Base):
    """One measured (or back-calculated) value with its unit, temperature and provenance."""

    __tablename__ = "measurements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    material_id: Mapped[str] = mapped_column(ForeignKey("materials.material_id"), index=True)
    property: Mapped[str] = mapped_column(String(100))
    value: Mapped[float | None] = mapped_column(Float)
    qualifier: Mapped[str | None] = mapped_column(String(4))
    unit: Mapped[str | None] = mapped_column(String(40))
    temperature: Mapped[float | None] = mapped_column(Float)
    temperature_unit: Mapped[str | None] = mapped_column(String(8))
    direction: Mapped[str | None] = mapped_column(String(16))
    phase: Mapped[str | None] = mapped_column(String(16))
    method: Mapped[str | None] = mapped_column(String(200))
    derived_from_arrhenius: Mapped[bool] = mapped_column(Boolean, default=False)
    ref: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16), index=True)
    added_at: Mapped[str] = mapped_column(String(40))


class MetaRow(Base):
    """Key/value facts about the file: ``schema_version``, ``data_hash``, ``seeded_at``."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


_MODELS: dict[str, type[Base]] = {
    "references": ReferenceRow, "materials": MaterialRow, "measurements": MeasurementRow}
#: long-format columns of each table (without the database's own ``id``)
COLUMNS: dict[str, tuple[str, ...]] = {
    name: tuple(c.key for c in model.__table__.columns if c.key != "id")  # type: ignore[attr-defined]
    for name, model in _MODELS.items()
}




def package_frames() -> dict[str, pd.DataFrame]:
    """The curated literature tables of :mod:`nitrolyte.dataset`."""
    from nitrolyte import dataset

    return {"references": dataset.references(), "materials": dataset.materials(),
            "measurements": dataset.measurements()}


def _records(name: str, frame: pd.DataFrame, stamp: str) -> list[dict[str, Any]]:
    text_cols = {"ref", "material_id", "citation_key", "doi"}
    out = []
    for rec in frame.to_dict("records"):
        row: dict[str, Any] = {}
        for col in COLUMNS[name]:
            value = clean(rec.get(col))
            if col in text_cols and isinstance(value, float) and value.is_integer():
                value = str(int(value))
            elif col in text_cols and value is not None:
                value = str(value)
            row[col] = value
        if name == "measurements":
            row["derived_from_arrhenius"] = bool(row["derived_from_arrhenius"])
        row["source"], row["added_at"] = "literature", stamp
        out.append(row)
    return out


def _read_meta(session: Session) -> dict[str, str]:
    return {row.key: row.value for row in session.scalars(select(MetaRow))}


def _write_meta(session: Session, values: dict[str, str]) -> None:
    for key, value in values.items():
        session.merge(MetaRow(key=key, value=value))


def prepare(db: Database) -> None:
    """Bring the database file to the current schema and package data.

    Two programs opening a new file at the same moment both try to seed it; the loser's
    transaction fails on a unique key and rolls back, and it retries and finds the seeded file.
    """
    for attempt in range(3):
        try:
            _prepare_once(db)
            return
        except (IntegrityError, OperationalError) as exc:
            racing = isinstance(exc, IntegrityError) or "already exists" in str(exc)
            if not racing or attempt == 2:
                raise
            time.sleep(0.05 * (attempt + 1))


def _empty(db: Database, tables: set[str]) -> bool:
    with db.engine.connect() as conn:
        return all(conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar() == 0 for t in tables)


def _prepare_once(db: Database) -> None:
    from sqlalchemy.orm import Session

    from nitrolyte.data.cache import once_per_data
    from nitrolyte.store import data_hash

    tables = set(inspect(db.engine).get_table_names())
    ours = tables & {*_TABLES, "meta"}
    if tables and not ours:
        raise DatabaseError(f"{db.where} is not a nitrolyte database (it holds tables "
                            f"{', '.join(sorted(tables))}); set NITROLYTE_DATABASE_URL or pass "
                            "--db PATH to choose another file")
    meta: dict[str, str] = {}
    if "meta" in tables:
        with Session(db.engine) as s:
            meta = _read_meta(s)
    if not tables or (not meta and _empty(db, ours)):
        _create(db, {}, drop=False)
        return
    version = int(meta.get("schema_version", "0") or 0)
    if version > SCHEMA_VERSION:
        raise DatabaseError(f"database {db.where} has schema version {version}, newer than this "
                            f"nitrolyte understands ({SCHEMA_VERSION}); upgrade nitrolyte, or set "
                            "NITROLYTE_DATABASE_URL or pass --db PATH to use another file")
    if version < SCHEMA_VERSION:
        _create(db, _user_rows(db, tables), drop=True)
    elif meta.get("data_hash") != once_per_data("data_hash", lambda: data_hash(package_frames())):
        reseed(db)


def _user_rows(db: Database, tables: set[str]) -> dict[str, list[dict[str, Any]]]:
    """User rows of an older file, read with plain SQL (whatever its columns are)."""
    out: dict[str, list[dict[str, Any]]] = {}
    insp = inspect(db.engine)
    with db.engine.connect() as conn:
        for name in _TABLES:
            if name not in tables:
                continue
            cols = {c["name"] for c in insp.get_columns(name)}
            if "source" not in cols:
                continue
            keep = [c for c in COLUMNS[name] if c in cols]
            quoted = ", ".join(f'"{c}"' for c in keep)
            rows = conn.execute(text(f'SELECT {quoted} FROM "{name}" WHERE source = \'user\''))
            out[name] = [dict(zip(keep, r, strict=True)) for r in rows]
    return out


def _create(db: Database, user_rows: dict[str, list[dict[str, Any]]], drop: bool) -> None:
    """(Drop and re-)create the tables, seed them and write back ``user_rows``."""
    from sqlalchemy.orm import Session

    from nitrolyte.store import now_iso

    if drop:
        Base.metadata.drop_all(db.engine)
    Base.metadata.create_all(db.engine)
    with Session(db.engine) as s, s.begin():
        _seed(s, stamp=now_iso())
        for name in _TABLES:
            rows = user_rows.get(name, [])
            if rows:
                s.execute(insert(_model(name)), [_complete(name, r) for r in rows])


def _complete(name: str, row: dict[str, Any]) -> dict[str, Any]:
    from nitrolyte.store import now_iso

    out = {c: row.get(c) for c in COLUMNS[name]}
    out["source"] = "user"
    out["added_at"] = out["added_at"] or now_iso()
    if name == "measurements":
        out["derived_from_arrhenius"] = bool(out["derived_from_arrhenius"])
    return out


def _model(name: str) -> Any:
    return _MODELS[name]


def _seed(session: Session, stamp: str) -> int:
    """Insert the package data as literature rows and record the schema version and hash."""
    import nitrolyte
    from nitrolyte.store import data_hash

    frames = package_frames()
    for name in _TABLES:
        session.execute(insert(_model(name)), _records(name, frames[name], stamp))
    _write_meta(session, {"schema_version": str(SCHEMA_VERSION), "data_hash": data_hash(frames),
                          "seeded_at": stamp, "nitrolyte_version": nitrolyte.__version__})
    return len(frames["measurements"])


def reseed(db: Database) -> int:
    """Replace literature rows by the package data in one transaction; keep user rows."""
    from sqlalchemy.orm import Session

    from nitrolyte.store import now_iso

    with Session(db.engine) as s, s.begin():
        used = select(MeasurementRow.material_id).where(MeasurementRow.source == "user")
        new_ids = [str(m) for m in package_frames()["materials"]["material_id"]]
        s.execute(delete(MeasurementRow).where(MeasurementRow.source == "literature"))
        s.execute(delete(ReferenceRow).where(ReferenceRow.source == "literature"))
        s.execute(delete(MaterialRow).where(
            MaterialRow.source == "literature",
            MaterialRow.material_id.in_(new_ids) | MaterialRow.material_id.not_in(used)))
        kept = set(s.scalars(select(MaterialRow.material_id)))
        frames = package_frames()
        frames["materials"] = frames["materials"][~frames["materials"]["material_id"].isin(kept)]
        stamp = now_iso()
        for name in _TABLES:
            s.execute(insert(_model(name)), _records(name, frames[name], stamp))
        from nitrolyte.store import data_hash

        _write_meta(s, {"data_hash": data_hash(package_frames()), "seeded_at": stamp})
        return len(frames["measurements"])


# ---------------------------------------------------------------------- wide materials frame
def _review_refs(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``ref`` as Int64 (numbers of the review; user text references -> NA)."""
    import pandas as pd

    from nitrolyte._store_io import review_ref

    out = frame.copy()
    out["ref"] = pd.array([review_ref(r) for r in out["ref"]], dtype="Int64")
    return out


def _room_first(user: pd.DataFrame) -> pd.DataFrame:
    """User rows ordered so the conductivity closest to 25 C comes first per material."""
    from nitrolyte.units import T_ROOM_K, to_kelvin_or_none

    def distance(t: Any, unit: Any) -> float:
        if t is None or t != t:
            return float("inf")
        kelvin = to_kelvin_or_none(float(t), str(unit or "K"))
        return float("inf") if kelvin is None else abs(kelvin - T_ROOM_K)

    keys = [(p != "ionic_conductivity", distance(t, u)) for p, t, u in
            zip(user["property"], user["temperature"], user["temperature_unit"], strict=True)]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return user.iloc[order]


def _user_wide(mats: pd.DataFrame, user: pd.DataFrame, refs: pd.DataFrame,
               lit_refs: pd.DataFrame) -> pd.DataFrame:
    from nitrolyte._store_io import review_ref
    from nitrolyte.data.wide import wide_frame

    user = _room_first(user)
    present = set(user["material_id"])
    m = mats[mats["material_id"].isin(present)].assign(source="user", ref=None)
    wide = wide_frame(m, user, lit_refs)
    lit_doi = {int(r): (d or "") for r, d in zip(lit_refs["ref"], lit_refs["doi"], strict=True)}
    user_doi = {str(r): (d or "") for r, d in zip(refs["ref"], refs["doi"], strict=True)}
    first: dict[str, str] = {}
    for mid, ref in zip(user["material_id"], user["ref"], strict=True):
        if ref and mid not in first:
            first[mid] = str(ref)
    for i, mid in enumerate(wide["material_id"]):
        ref = first.get(mid)
        if ref is None:
            continue
        number = review_ref(ref)
        wide.loc[wide.index[i], "ref"] = number
        wide.loc[wide.index[i], "doi"] = lit_doi.get(number, "") if number else user_doi.get(ref, "")
    return wide


def wide(db: Database, source: str | None) -> pd.DataFrame:
    """The wide frame of the database: literature rows, then one row per user material/direction.

    User measurements of a literature material get their own rows (``source == "user"``), so a
    lab's value sits beside the review's instead of replacing it.
    """
    import pandas as pd

    from nitrolyte.data.wide import wide_frame

    mats, meas, refs = db.table("materials"), db.table("measurements"), db.table("references")
    lit_refs = _review_refs(refs[refs["source"] == "literature"])
    parts = []
    if source in (None, "literature"):
        lit_mats = _review_refs(mats[mats["source"] == "literature"])
        parts.append(wide_frame(lit_mats, meas[meas["source"] == "literature"], lit_refs))
    user = meas[meas["source"] == "user"]
    if source in (None, "user") and len(user):
        parts.append(_user_wide(mats, user, refs, lit_refs))
    if not parts:
        return wide_frame(mats.iloc[:0], meas.iloc[:0], lit_refs)
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
