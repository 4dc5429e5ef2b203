"""Reads in SQL: long-format tables, name lookup, one material's rows, the wide frame of a selection.

Every function takes an open :class:`sqlalchemy.Connection`. Filters (source, family, material)
and the name lookup run as indexed SQL queries; the wide frame is built only for the materials
asked for. One material's record is built without pandas by :mod:`nitrolyte.store.one_record`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import DBAPIError

from nitrolyte.store import tables as t
from nitrolyte.store.models import review_ref

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy import Select

    from nitrolyte.names import NameIndex

#: measurement columns the wide frame needs
_WIDE_MEAS = ("material_id", "property", "value", "qualifier", "unit", "temperature",
              "temperature_unit", "direction", "phase", "method", "derived_from_arrhenius", "ref",
              "location", "note", "source")
#: above this many ids, filter in pandas instead of a SQL ``IN`` list
_MAX_IN = 2000


def _frame(conn: Connection, stmt: Select[Any], columns: Sequence[str]) -> pd.DataFrame:
    """Run ``stmt`` on the driver's own cursor (plain tuples: fast for 10^5 rows) as a frame."""
    import pandas as pd

    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params: Any = compiled.params
    if compiled.positional:
        params = tuple(params[k] for k in compiled.positiontup or ())
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), params)
        rows = cursor.fetchall()
    except conn.dialect.loaded_dbapi.Error as exc:  # as SQLAlchemy's own reads raise it
        raise DBAPIError(None, None, exc) from exc
    finally:
        cursor.close()
    frame = pd.DataFrame.from_records(rows, columns=list(columns))
    if "derived_from_arrhenius" in frame:  # SQLite hands booleans back as 0/1
        frame["derived_from_arrhenius"] = frame["derived_from_arrhenius"].astype(bool)
    return frame


def table(conn: Connection, name: str, source: str | None = None,
          material_ids: Sequence[str] | None = None,
          columns: Sequence[str] | None = None) -> pd.DataFrame:
    """One long-format table (``references``, ``materials`` or ``measurements``), in id order."""
    tab = t.TABLES[name]
    cols = list(columns or t.COLUMNS[name])
    stmt = select(*(tab.c[c] for c in cols)).order_by(tab.c.id)
    if source is not None:
        stmt = stmt.where(tab.c.source == source)
    if material_ids is not None and len(material_ids) <= _MAX_IN:
        stmt = stmt.where(tab.c.material_id.in_(list(material_ids)))
    frame = _frame(conn, stmt, cols)
    if material_ids is not None and len(material_ids) > _MAX_IN:
        frame = frame[frame["material_id"].isin(set(material_ids))].reset_index(drop=True)
    return frame


def lookup(conn: Connection, key: str) -> str | None:
    """The material_id whose name, alias or id has ``name_key`` == ``key`` (None if none)."""
    return conn.scalar(select(t.name_keys.c.material_id).where(t.name_keys.c.key == key))


def formula_index(conn: Connection) -> NameIndex:
    """A :class:`~nitrolyte.names.NameIndex` of every material's formula (names via name_keys)."""
    from nitrolyte.names import NameIndex, name_key

    index = NameIndex()
    mat = t.materials
    for mid, name, formula in conn.execute(
            select(mat.c.material_id, mat.c.name, mat.c.formula).order_by(mat.c.id)):
        index.display.setdefault(mid, str(name))
        if formula:
            index.formulas.setdefault(name_key(str(formula)), []).append(mid)
    return index


def names(conn: Connection, source: str | None = None) -> list[str]:
    """Display names in database order."""
    stmt = select(t.materials.c.name).order_by(t.materials.c.id)
    if source is not None:
        stmt = stmt.where(t.materials.c.source == source)
    return [str(n) for n in conn.scalars(stmt)]


def families(conn: Connection) -> list[str]:
    """Families present in the database."""
    stmt = select(t.materials.c.family).distinct().where(t.materials.c.family.is_not(None))
    return sorted(str(f) for f in conn.scalars(stmt))


def material_ids(conn: Connection, family: str | None = None) -> list[str] | None:
    """Ids of the materials of ``family`` (None: no restriction)."""
    if family is None:
        return None
    stmt = select(t.materials.c.material_id).where(t.materials.c.family == family)
    return list(conn.scalars(stmt.order_by(t.materials.c.id)))


# ---------------------------------------------------------------------- wide materials frame
def _review_refs(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``ref`` as Int64 (numbers of the review; user text references -> NA)."""
    import pandas as pd

    out = frame.copy()
    out["ref"] = pd.array([review_ref(r) for r in out["ref"]], dtype="Int64")
    return out


def _room_first(user: pd.DataFrame) -> pd.DataFrame:
    """User rows ordered so the conductivity closest to 25 C comes first per material."""
    import numpy as np

    from nitrolyte.units import T_ROOM_K, ZERO_C_K

    temp = user["temperature"].astype(float).to_numpy()
    kelvin = np.where(user["temperature_unit"].to_numpy() == "C", temp + ZERO_C_K, temp)
    distance = np.where(np.isfinite(kelvin) & (kelvin > 0), np.abs(kelvin - T_ROOM_K), np.inf)
    not_sigma = (user["property"] != "ionic_conductivity").to_numpy()
    order = np.lexsort((distance, not_sigma))
    return user.iloc[order]


def _firsts(rows: pd.DataFrame) -> pd.DataFrame:
    """The first row of each group the wide frame tells apart (same result, far fewer rows).

    :func:`nitrolyte.data.wide.wide_frame` shows, per material, the first row matching a
    property / direction / phase / bound / location filter; keeping the first row of every
    (material, property, direction, phase, bound, location) group keeps every such first row.
    """
    bound = rows["qualifier"].isin(["<", ">"])
    keys = rows[["material_id", "property", "direction", "phase", "location"]].fillna("")
    keys = keys.assign(bound=bound.to_numpy())
    return rows[~keys.duplicated(keep="first").to_numpy()]


def _user_wide(mats: pd.DataFrame, user: pd.DataFrame, refs: pd.DataFrame,
               lit_refs: pd.DataFrame) -> pd.DataFrame:
    from nitrolyte.data.wide import wide_frame

    user = _room_first(user)
    present = set(user["material_id"])
    m = mats[mats["material_id"].isin(present)].assign(source="user", ref=None)
    wide = wide_frame(m, _firsts(user), lit_refs)
    lit_doi = {int(r): (d or "") for r, d in zip(lit_refs["ref"], lit_refs["doi"], strict=True)}
    user_doi = {str(r): (d or "") for r, d in zip(refs["ref"], refs["doi"], strict=True)}
    with_ref = user[user["ref"].notna() & (user["ref"] != "")]
    first = dict(zip(with_ref["material_id"][::-1], with_ref["ref"][::-1], strict=True))
    for i, mid in enumerate(wide["material_id"]):
        ref = first.get(mid)
        if ref is None:
            continue
        number = review_ref(ref)
        wide.loc[wide.index[i], "ref"] = number
        wide.loc[wide.index[i], "doi"] = lit_doi.get(number, "") if number else user_doi.get(ref, "")
    return wide


def wide(conn: Connection, source: str | None = None,
         material_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """The wide frame: literature rows, then one row per user material and direction.

    User measurements of a literature material get their own rows (``source == "user"``), so a
    lab's value sits beside the review's instead of replacing it. ``material_ids`` restricts
    the frame (and the rows read) to those materials.
    """
    import pandas as pd

    from nitrolyte.data.wide import wide_frame

    mats = table(conn, "materials", material_ids=material_ids)
    meas = table(conn, "measurements", source=source, material_ids=material_ids,
                 columns=_WIDE_MEAS)
    refs = table(conn, "references")
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
