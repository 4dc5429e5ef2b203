"""One material's :class:`MaterialRecord` from its own rows, in plain Python (no pandas).

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
from collections.abc import Sequence
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

    def references(self, columns: Sequence[str],
                   refs: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """``columns`` of the references (all, or those whose ``ref`` is in ``refs``)."""


class CoreRows:
    """:class:`Rows` through SQLAlchemy Core on an open connection (SQLite or PostgreSQL)."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def _run(self, stmt: Select[Any]) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(stmt).mappings()]

    def table(self, name: str, material_id: str | None) -> list[dict[str, Any]]:
        from sqlalchemy import select

        from nitrolyte.store import tables as t

        tab = t.TABLES[name]
        stmt = select(*(tab.c[c] for c in t.COLUMNS[name])).order_by(tab.c.id)
        return self._run(stmt if material_id is None else stmt.where(
            tab.c.material_id == material_id))

    def references(self, columns: Sequence[str],
                   refs: Sequence[str] | None = None) -> list[dict[str, Any]]:
        from sqlalchemy import select

        from nitrolyte.store import tables as t

        tab = t.references
        stmt = select(*(tab.c[c] for c in columns)).order_by(tab.c.id)
        return self._run(stmt if refs is None else stmt.where(tab.c.ref.in_(list(refs))))


def _table(rows: Rows, name: str, material_id: str | None) -> list[dict[str, Any]]:
    out = rows.table(name, material_id)
    for r in out:
        if "derived_from_arrhenius" in r:  # SQLite hands booleans back as 0/1
            r["derived_from_arrhenius"] = bool(r["derived_from_arrhenius"])
    return out


def _room_distance(row: dict[str, Any]) -> float:
    from nitrolyte.units import T_ROOM_K, ZERO_C_K

    temp = math.nan if row["temperature"] is None else float(row["temperature"])
    kelvin = temp + ZERO_C_K if row["temperature_unit"] == "C" else temp
    return abs(kelvin - T_ROOM_K) if math.isfinite(kelvin) and kelvin > 0 else math.inf


def _firsts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first row of each (property, direction, phase, location, bound) group."""
    seen, out = set(), []
    for r in rows:
        key = (r["property"], *(r[c] or "" for c in ("direction", "phase", "location")),
               r["qualifier"] in ("<", ">"))
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _user_summary(mats: list[dict[str, Any]], user: list[dict[str, Any]],
                  refs: list[dict[str, Any]], lit_dois: dict[int, str],
                  lit_doi: dict[int, str]) -> list[dict[str, Any]]:
    """Summary rows of a lab's own measurements (as :func:`nitrolyte.store.reads._user_wide`)."""
    from nitrolyte.data.wide import wide_rows

    user = sorted(user, key=lambda r: (r["property"] != "ionic_conductivity", _room_distance(r)))
    rows = _firsts(user)
    user_doi = {str(r["ref"]): r["doi"] for r in refs}  # NULL stays None, as in reads.wide
    first_ref = next((r["ref"] for r in user if r["ref"] not in (None, "")), None)
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
    by_id: dict[str, list[dict[str, Any]]] = {}
    for r in _table(rows, "measurements", None):
        by_id.setdefault(r["material_id"], []).append(r)
    refs = rows.references(("ref", "doi", "source"))
    raw_dois, lit_dois = _dois(refs)
    lit: list[dict[str, Any]] = []
    user: list[dict[str, Any]] = []
    for mat in mats:
        own = by_id.get(mat["material_id"], [])
        if mat["source"] == "literature":
            lit += wide_rows({**mat, "ref": review_ref(mat["ref"])},
                             [r for r in own if r["source"] == "literature"], lit_dois)
        if mine := [r for r in own if r["source"] == "user"]:
            user += _user_summary([mat], mine, refs, lit_dois, raw_dois)
    return tuple({k: _nan(v) for k, v in r.items()} for r in lit + user)


def _summary(rows: Rows, mats: list[dict[str, Any]],
             meas: list[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    """The material's wide rows (literature first, then the lab's own), NaN -> None."""
    from nitrolyte.data.wide import wide_rows

    refs = rows.references(("ref", "doi", "source"))
    raw_dois, lit_dois = _dois(refs)
    out: list[dict[str, Any]] = []
    for mat in (m for m in mats if m["source"] == "literature"):
        lit = [r for r in meas if r["source"] == "literature"]
        out += wide_rows({**mat, "ref": review_ref(mat["ref"])}, lit, lit_dois)
    user = [r for r in meas if r["source"] == "user"]
    if user:
        out += _user_summary(mats, user, refs, lit_dois, raw_dois)
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
    meas = _table(rows, "measurements", material_id)
    wanted = {_str(r) for r in (*(m["ref"] for m in meas), mat["ref"]) if _str(r)}
    refs = rows.references(("ref", "doi", "citation", "source"), sorted(wanted))
    by_ref: dict[str, dict[str, Any]] = {}
    for r in sorted(refs, key=lambda r: r["source"]):  # stable: literature first, per ref
        by_ref.setdefault(str(r["ref"]), r)
    stored = tuple(_measurement(m, by_ref) for m in sorted(meas, key=lambda m: m["source"]))
    ref = _str(mat["ref"])
    aliases = tuple(a.strip() for a in _str(mat["aliases"]).split(";") if a.strip())
    return MaterialRecord(
        material_id=material_id, name=_str(mat["name"]), formula=_str(mat["formula"]),
        family=_str(mat["family"]), crystal_system=_str(mat["crystal_system"]),
        space_group=_str(mat["space_group"]), synthesis=_str(mat["synthesis"]), ref=ref,
        doi=_str(by_ref.get(ref, {}).get("doi")), citation=_str(by_ref.get(ref, {}).get("citation")),
        note=_str(mat["note"]), source=_str(mat["source"]), aliases=aliases,
        measurements=stored, summary=_summary(rows, mats, meas))
