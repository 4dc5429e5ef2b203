"""TEMP until store package: a minimal ``Database.add_measurement_set`` (CONTRACTS.md).

Issue 10's store package replaces this module; callers use only the contract's signatures.
The points become ordinary ``ionic_conductivity`` user rows and the fit an ``activation_energy``
user row, all stored in one transaction with the set's own row (separate table, own metadata).
"""

from __future__ import annotations

import getpass
import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, String, Text, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from nitrolyte.errors import DataValidationError

if TYPE_CHECKING:
    import pandas as pd

    from nitrolyte.store import Database


class _TempBase(DeclarativeBase):
    pass


class SetRow(_TempBase):
    """One measurement set (TEMP until store package)."""

    __tablename__ = "measurement_sets_temp"
    set_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    material_id: Mapped[str] = mapped_column(String(200), index=True)
    method: Mapped[str] = mapped_column(String(100))
    method_details: Mapped[str] = mapped_column(Text)
    fit: Mapped[str] = mapped_column(Text)
    files: Mapped[str] = mapped_column(Text)
    points: Mapped[str] = mapped_column(Text)
    measurement_ids: Mapped[str] = mapped_column(Text)
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)


@dataclass(frozen=True)
class MeasurementSetResult:
    """What ``add_measurement_set`` stored."""

    set_id: int
    material_id: str
    n_points: int
    created_material: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON."""
        return asdict(self)


_KINDS = ("total", "bulk")


def _point(p: dict[str, Any], i: int) -> dict[str, Any]:
    where = f"point {i}"
    try:
        temp, s = float(p["T_K"]), float(p["sigma_S_cm"])
    except (KeyError, TypeError, ValueError):
        raise DataValidationError(f"{where}: needs numeric T_K and sigma_S_cm, got {p!r}") from None
    if not (0 < temp < float("inf") and 0 < s < float("inf")):
        raise DataValidationError(f"{where}: T_K and sigma_S_cm must be finite and > 0, got "
                                  f"{temp:g} K, {s:g} S/cm")
    kind = p.get("kind") or "total"
    if kind not in _KINDS:
        raise DataValidationError(f"{where}: kind must be total or bulk, got {kind!r}")
    err = p.get("sigma_stderr_S_cm")
    return {"T_K": temp, "sigma_S_cm": s, "kind": kind,
            "sigma_stderr_S_cm": None if err is None else float(err),
            "direction": p.get("direction") or None}


def add_measurement_set(db: Database, name: str, *, formula: str | None, family: str | None,
                        points: list[dict[str, Any]], fit: dict[str, Any] | None, method: str,
                        method_details: dict[str, Any] | None,
                        source_files: list[tuple[str, str]] | tuple[()], added_by: str | None,
                        note: str | None) -> MeasurementSetResult:
    """See CONTRACTS.md; all or nothing."""
    from nitrolyte import _store_io
    from nitrolyte._store_schema import MaterialRow, MeasurementRow, ReferenceRow
    from nitrolyte.store import now_iso

    if not points:
        raise DataValidationError("add_measurement_set: no points")
    pts = [_point(p, i) for i, p in enumerate(points, start=1)]
    db.ensure()
    SetRow.__table__.create(db.engine, checkfirst=True)
    batch = _store_io._Batch(db)
    stamp = now_iso()
    extra = {"formula": formula, "family": family}
    for i, p in enumerate(pts, start=1):
        batch.add({"name": name, "property": "ionic_conductivity", "value": p["sigma_S_cm"],
                   "unit": "S/cm", "temperature": p["T_K"], "temperature_unit": "K",
                   "direction": p["direction"], "method": method,
                   "note": f"{method} set, {p['kind']}", **(extra if i == 1 else {})},
                  f"{name} point {i}", stamp)
    if fit is not None and fit.get("Ea_eV") is not None:
        batch.add({"name": name, "property": "activation_energy", "value": float(fit["Ea_eV"]),
                   "unit": "eV", "temperature": float(fit.get("T_min_K") or pts[0]["T_K"]),
                   "temperature_unit": "K", "method": method, "derived_from_arrhenius": False,
                   "note": f"{method} set fit, s.e. {fit.get('Ea_stderr_eV')}"}, f"{name} fit", stamp)
    with db.session() as s, db.guard("write to"), s.begin():
        s.add_all([ReferenceRow(**r) for r in batch.new_refs])
        s.add_all([MaterialRow(**m) for m in batch.new_materials])
        objs = [MeasurementRow(**m) for m in batch.measurements]
        s.add_all(objs)
        s.flush()
        row = SetRow(name=name, material_id=objs[0].material_id, method=method,
                     method_details=json.dumps(method_details or {}), fit=json.dumps(fit),
                     files=json.dumps([list(f) for f in source_files]), points=json.dumps(pts),
                     measurement_ids=json.dumps([o.id for o in objs]),
                     added_by=added_by or getpass.getuser(), added_at=stamp, note=note)
        s.add(row)
        s.flush()
        return MeasurementSetResult(row.set_id, objs[0].material_id, len(pts), batch.created[0])


def _row_dict(r: SetRow) -> dict[str, Any]:
    return {"set_id": r.set_id, "name": r.name, "material_id": r.material_id, "method": r.method,
            "method_details": json.loads(r.method_details), "fit": json.loads(r.fit),
            "files": [tuple(f) for f in json.loads(r.files)], "added_by": r.added_by,
            "added_at": r.added_at, "note": r.note}


def measurement_sets(db: Database, name: str | None = None) -> pd.DataFrame:
    """One row per set (optionally only the sets of material ``name``)."""
    import pandas as pd

    db.ensure()
    SetRow.__table__.create(db.engine, checkfirst=True)
    with db.session() as s, db.guard("read"):
        q = select(SetRow)
        if name is not None:
            q = q.where(SetRow.material_id == db.resolve(name))
        rows = [_row_dict(r) for r in s.scalars(q)]
    cols = ["set_id", "name", "material_id", "method", "method_details", "fit", "files",
            "added_by", "added_at", "note"]
    return pd.DataFrame(rows, columns=cols)


def measurement_set(db: Database, set_id: int) -> dict[str, Any]:
    """The set's fields plus ``points`` as a DataFrame."""
    import pandas as pd

    db.ensure()
    SetRow.__table__.create(db.engine, checkfirst=True)
    with db.session() as s, db.guard("read"):
        r = s.get(SetRow, int(set_id))
        if r is None:
            raise DataValidationError(f"no measurement set with id {set_id}")
        out = _row_dict(r)
        out["points"] = pd.DataFrame(json.loads(r.points))
    return out
