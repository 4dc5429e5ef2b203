"""One material's :class:`MaterialRecord` from its own rows, in plain Python (no pandas).

The measurements are read as columns (one ``fetchall``, transposed) and each
:class:`StoredMeasurement` is built when it is first accessed (:class:`LazyMeasurements`): a
material holding 10^5 rows is read at about the speed of ``pandas.read_sql`` of the same rows.

``nitrolyte sigma`` reads a single record per process; building it from plain SQLAlchemy Core
rows instead of DataFrames spares the pandas import (about 0.2 s). The rows come through a small
:class:`Rows` interface: SQLAlchemy Core here (:class:`CoreRows`, any backend), or the standard
library's ``sqlite3`` on a read-only, up-to-date SQLite file (:mod:`nitrolyte.store.quick`, which
spares the SQLAlchemy import too). The summary rows are made by
the same per-material pivot as the wide frame (:func:`nitrolyte.data.wide.wide_rows`), with the
same rules as :func:`nitrolyte.store.reads.wide` for a lab's own rows (the conductivity closest to
25 °C first, the first row's reference and DOI); ``tests/test_store.py`` checks that both paths
agree.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from nitrolyte.store.models import review_ref
from nitrolyte.store.records import MaterialRecord, StoredMeasurement, _nan, _str

if TYPE_CHECKING:
    from sqlalchemy import Connection, Select


class Rows(Protocol):
    """The three reads a record needs, as lists of plain dicts in table (``id``) order."""

    def table(self, name: str, material_id: str | None) -> list[dict[str, Any]]:
        """Rows of ``materials`` or ``measurements`` of one material (None: of all), with the
        long-format columns."""

    def columns(self, name: str, material_id: str | None) -> dict[str, tuple[Any, ...]]:
        """The same rows as :meth:`table`, as columns: name -> values in table order."""

    def references(self, columns: Sequence[str],
                   refs: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """``columns`` of the references (all, or those whose ``ref`` is in ``refs``)."""


class CoreRows:
    """:class:`Rows` through SQLAlchemy Core on an open connection (SQLite or PostgreSQL)."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def _run(self, stmt: Select[Any]) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(stmt).mappings()]

    @staticmethod
    def _select(name: str, material_id: str | None) -> Select[Any]:
        from sqlalchemy import select

        from nitrolyte.store import tables as t

        tab = t.TABLES[name]
        stmt = select(*(tab.c[c] for c in t.COLUMNS[name])).order_by(tab.c.id)
        return stmt if material_id is None else stmt.where(tab.c.material_id == material_id)

    def table(self, name: str, material_id: str | None) -> list[dict[str, Any]]:
        return self._run(self._select(name, material_id))

    def columns(self, name: str, material_id: str | None) -> dict[str, tuple[Any, ...]]:
        from nitrolyte.store import tables as t

        # the DBAPI cursor's plain tuples: no Row objects (the columns are strings, numbers and
        # one boolean, which _row turns into bool as SQLAlchemy would)
        with self.conn.execute(self._select(name, material_id)) as result:
            return transpose(t.COLUMNS[name], result.cursor.fetchall())

    def references(self, columns: Sequence[str],
                   refs: Sequence[str] | None = None) -> list[dict[str, Any]]:
        from sqlalchemy import select

        from nitrolyte.store import tables as t

        tab = t.references
        stmt = select(*(tab.c[c] for c in columns)).order_by(tab.c.id)
        return self._run(stmt if refs is None else stmt.where(tab.c.ref.in_(list(refs))))


def transpose(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> dict[str, tuple[Any, ...]]:
    """Fetched rows (tuples in ``names`` order) as columns: name -> tuple of values."""
    values = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    return dict(zip(names, values, strict=True))


def _row(cols: dict[str, tuple[Any, ...]], i: int) -> dict[str, Any]:
    """Row ``i`` of columns as a dict (booleans as ``bool``, as :func:`_table` gives them)."""
    row = {k: v[i] for k, v in cols.items()}
    if "derived_from_arrhenius" in row:
        row["derived_from_arrhenius"] = bool(row["derived_from_arrhenius"])
    return row


class LazyMeasurements(Sequence[StoredMeasurement]):
    """A record's measurements, kept as columns; each :class:`StoredMeasurement` is built on
    first access (then kept). Compares equal to a tuple of the same measurements."""

    def __init__(self, cols: dict[str, tuple[Any, ...]], order: Sequence[int],
                 by_ref: dict[str, dict[str, Any]]):
        self._cols, self._order, self._by_ref = cols, list(order), by_ref
        self._built: list[StoredMeasurement | None] = [None] * len(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def _one(self, i: int) -> StoredMeasurement:
        found = self._built[i]
        if found is None:
            found = self._built[i] = _measurement(_row(self._cols, self._order[i]), self._by_ref)
        return found

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return tuple(self._one(i) for i in range(*index.indices(len(self))))
        i = operator.index(index)
        if not -len(self) <= i < len(self):
            raise IndexError("measurement index out of range")
        return self._one(i % len(self))

    def __iter__(self) -> Iterator[StoredMeasurement]:
        return (self._one(i) for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(tuple(self))


def _table(rows: Rows, name: str, material_id: str | None) -> list[dict[str, Any]]:
    out = rows.table(name, material_id)
    for r in out:
        if "derived_from_arrhenius" in r:  # SQLite hands booleans back as 0/1
            r["derived_from_arrhenius"] = bool(r["derived_from_arrhenius"])
    return out


def _room_distance(temperature: Any, unit: Any) -> float:
    """|T - 25 °C| in K (inf for a missing or non-physical temperature)."""
    from nitrolyte.units import T_ROOM_K, ZERO_C_K

    temp = math.nan if temperature is None else float(temperature)
    kelvin = temp + ZERO_C_K if unit == "C" else temp
    return abs(kelvin - T_ROOM_K) if math.isfinite(kelvin) and kelvin > 0 else math.inf


def _firsts(cols: dict[str, tuple[Any, ...]], user: Sequence[int]) -> tuple[list[int], Any]:
    """Rows ``user`` (indices in table order) sorted stably by (not a conductivity, distance
    from 25 °C): the first of each (property, direction, phase, location, bound) group, in that
    order, and the first non-empty ``ref``. One pass: the first of a group in a stable sort is
    the row with the smallest (key, index)."""
    prop, temp, unit, ref, qual = (cols[c] for c in ("property", "temperature",
                                                     "temperature_unit", "ref", "qualifier"))
    direction, phase, location = cols["direction"], cols["phase"], cols["location"]
    best: dict[tuple[Any, ...], tuple[tuple[bool, float], int]] = {}
    ref_best: tuple[tuple[bool, float], int] | None = None
    distance: dict[tuple[Any, Any], float] = {}  # temperatures repeat: one distance each
    for i in user:
        where = (temp[i], unit[i])
        if (far := distance.get(where)) is None:
            far = distance[where] = _room_distance(*where)
        rank = (prop[i] != "ionic_conductivity", far)
        key = (prop[i], direction[i] or "", phase[i] or "", location[i] or "",
               qual[i] in ("<", ">"))
        held = best.get(key)
        if held is None or rank < held[0]:
            best[key] = (rank, i)
        if ref[i] not in (None, "") and (ref_best is None or rank < ref_best[0]):
            ref_best = (rank, i)
    return ([i for _, i in sorted(best.values())],
            None if ref_best is None else ref[ref_best[1]])


def _user_summary(mats: list[dict[str, Any]], cols: dict[str, tuple[Any, ...]],
                  user: Sequence[int], refs: list[dict[str, Any]], lit_dois: dict[int, str],
                  lit_doi: dict[int, str]) -> list[dict[str, Any]]:
    """Summary rows of a lab's own measurements (rows ``user`` of ``cols``), as
    :func:`nitrolyte.store.reads._user_wide`."""
    from nitrolyte.data.wide import wide_rows

    firsts, first_ref = _firsts(cols, user)
    rows = [_row(cols, i) for i in firsts]
    user_doi = {str(r["ref"]): r["doi"] for r in refs}  # NULL stays None, as in reads.wide
    out = []
    for mat in mats:
        for row in wide_rows({**mat, "source": "user", "ref": None}, rows, lit_dois):
            if first_ref is not None:
                number = review_ref(first_ref)
                row["ref"] = number
                row["doi"] = lit_doi.get(number, "") if number else user_doi.get(first_ref, "")
            out.append(row)
    return out


def _dois(refs: list[dict[str, Any]]) -> tuple[dict[int, Any], dict[int, str]]:
    """DOI of each reference number of the review: as stored, and as the wide frame shows it."""
    from nitrolyte.data.wide import _text

    raw = {n: r["doi"] for r in refs if r["source"] == "literature"
           and (n := review_ref(r["ref"])) is not None}
    return raw, {n: _text(d) for n, d in raw.items()}


def wide_all(rows: Rows) -> tuple[dict[str, Any], ...]:
    """Every material's wide rows in the wide frame's order, NaN -> None.

    As :func:`nitrolyte.store.reads.wide` without filters: the literature rows of every
    literature material, then the lab's own rows of every material that has some.
    """
    from nitrolyte.data.wide import wide_rows

    mats = _table(rows, "materials", None)
    cols = rows.columns("measurements", None)
    by_id: dict[str, list[int]] = {}
    for i, material_id in enumerate(cols["material_id"]):
        by_id.setdefault(material_id, []).append(i)
    refs = rows.references(("ref", "doi", "source"))
    raw_dois, lit_dois = _dois(refs)
    source = cols["source"]
    lit: list[dict[str, Any]] = []
    user: list[dict[str, Any]] = []
    for mat in mats:
        own = by_id.get(mat["material_id"], [])
        if mat["source"] == "literature":
            lit += wide_rows({**mat, "ref": review_ref(mat["ref"])},
                             [_row(cols, i) for i in own if source[i] == "literature"], lit_dois)
        if mine := [i for i in own if source[i] == "user"]:
            user += _user_summary([mat], cols, mine, refs, lit_dois, raw_dois)
    return tuple({k: _nan(v) for k, v in r.items()} for r in lit + user)


def _summary(rows: Rows, mats: list[dict[str, Any]],
             cols: dict[str, tuple[Any, ...]]) -> tuple[dict[str, Any], ...]:
    """The material's wide rows (literature first, then the lab's own), NaN -> None."""
    from nitrolyte.data.wide import wide_rows

    refs = rows.references(("ref", "doi", "source"))
    raw_dois, lit_dois = _dois(refs)
    out: list[dict[str, Any]] = []
    source = cols["source"]
    for mat in (m for m in mats if m["source"] == "literature"):
        lit = [_row(cols, i) for i, s in enumerate(source) if s == "literature"]
        out += wide_rows({**mat, "ref": review_ref(mat["ref"])}, lit, lit_dois)
    user = [i for i, s in enumerate(source) if s == "user"]
    if user:
        out += _user_summary(mats, cols, user, refs, lit_dois, raw_dois)
    return tuple({k: _nan(v) for k, v in r.items()} for r in out)


def _measurement(m: dict[str, Any], by_ref: dict[str, dict[str, Any]]) -> StoredMeasurement:
    from nitrolyte.units import to_kelvin_or_none

    temp, unit = _nan(m["temperature"]), _str(m["temperature_unit"])
    ref = _str(m["ref"])
    return StoredMeasurement(
        property=m["property"], value=float(m["value"]), unit=_str(m["unit"]),
        qualifier=_str(m["qualifier"]), temperature=temp, temperature_unit=unit,
        temperature_K=None if temp is None else to_kelvin_or_none(float(temp), unit or "K"),
        direction=_str(m["direction"]), phase=_str(m["phase"]), method=_str(m["method"]),
        derived_from_arrhenius=bool(m["derived_from_arrhenius"]), ref=ref,
        doi=_str(by_ref.get(ref, {}).get("doi")), location=_str(m["location"]),
        note=_str(m["note"]), source=m["source"], added_at=_str(m["added_at"]),
        added_by=_str(m["added_by"]), value_stderr=_nan(m["value_stderr"]),
        set_id=None if _nan(m["set_id"]) is None else int(m["set_id"]),
        kind=_str(m.get("kind")))


def record(rows: Rows, material_id: str) -> MaterialRecord:
    """The :class:`MaterialRecord` of ``material_id`` from its own rows only (any :class:`Rows`)."""
    mats = _table(rows, "materials", material_id)
    mat = mats[0]
    cols = rows.columns("measurements", material_id)
    wanted = {_str(r) for r in (*set(cols["ref"]), mat["ref"]) if _str(r)}
    refs = rows.references(("ref", "doi", "citation", "source"), sorted(wanted))
    by_ref: dict[str, dict[str, Any]] = {}
    for r in sorted(refs, key=lambda r: r["source"]):  # stable: literature first, per ref
        by_ref.setdefault(str(r["ref"]), r)
    source = cols["source"]
    stored = LazyMeasurements(cols, sorted(range(len(source)), key=source.__getitem__), by_ref)
    ref = _str(mat["ref"])
    aliases = tuple(a.strip() for a in _str(mat["aliases"]).split(";") if a.strip())
    return MaterialRecord(
        material_id=material_id, name=_str(mat["name"]), formula=_str(mat["formula"]),
        family=_str(mat["family"]), crystal_system=_str(mat["crystal_system"]),
        space_group=_str(mat["space_group"]), synthesis=_str(mat["synthesis"]), ref=ref,
        doi=_str(by_ref.get(ref, {}).get("doi")), citation=_str(by_ref.get(ref, {}).get("citation")),
        note=_str(mat["note"]), source=_str(mat["source"]), aliases=aliases,
        measurements=stored, summary=_summary(rows, mats, cols))
