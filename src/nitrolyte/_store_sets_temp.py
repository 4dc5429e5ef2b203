"""TEMP until store package: minimal measurement sets (CONTRACTS.md) over the old store.

Issue 10's store package replaces this module and the two ``Database`` methods that call it. A
set's points become ``ionic_conductivity`` user rows and its fit an ``activation_energy`` row,
all in one transaction; the set's fields ride in each row's ``note`` as JSON.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from nitrolyte.errors import DataValidationError

_TAG = "measurement_set:"


@dataclass(frozen=True)
class MeasurementSetResult:
    """What :meth:`Database.add_measurement_set` stored."""

    set_id: int
    material_id: str
    n_points: int
    created_material: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


def _sets(db: Any) -> list[dict[str, Any]]:
    frame = db.table("measurements", "user")
    out: dict[int, dict[str, Any]] = {}
    for row in frame.itertuples(index=False):
        note = getattr(row, "note", None)
        if not isinstance(note, str) or not note.startswith(_TAG):
            continue
        doc = json.loads(note[len(_TAG):])
        entry = out.setdefault(doc["set_id"], {**doc, "material_id": row.material_id,
                                                "points": []})
        if row.property == "ionic_conductivity":
            entry["points"].append({"T_K": row.temperature, "sigma_S_cm": row.value})
    return [out[k] for k in sorted(out)]


def add_measurement_set(db: Any, name: str, *, formula: str | None = None,
                        family: str | None = None, points: list[dict[str, Any]],
                        fit: dict[str, Any] | None = None, method: str,
                        method_details: dict[str, Any] | None = None,
                        source_files: Any = (), added_by: str | None = None,
                        note: str | None = None) -> MeasurementSetResult:
    """Store a set of points (and its fit) as user measurements, all or nothing."""
    if not points:
        raise DataValidationError("add_measurement_set: points must not be empty")
    set_id = max((s["set_id"] for s in _sets(db)), default=0) + 1
    tag = _TAG + json.dumps({"set_id": set_id, "method": method,
                             "method_details": method_details or {}, "fit": fit,
                             "source_files": [list(f) for f in source_files],
                             "added_by": added_by, "note": note}, default=str)
    extra = {k: v for k, v in (("formula", formula), ("family", family)) if v}
    rows = [{"name": name, "property": "ionic_conductivity", "value": p["sigma_S_cm"],
             "unit": "S/cm", "temperature": p["T_K"], "temperature_unit": "K", "method": method,
             "direction": p.get("direction"), "note": tag, **extra} for p in points]
    if fit is not None and fit.get("Ea_eV") is not None:
        t_mid = 0.5 * (fit.get("T_min_K", points[0]["T_K"]) + fit.get("T_max_K", points[-1]["T_K"]))
        rows.append({"name": name, "property": "activation_energy", "value": fit["Ea_eV"],
                     "unit": "eV", "temperature": t_mid, "temperature_unit": "K",
                     "method": method, "note": tag, **extra})
    from nitrolyte import _store_io

    results = _store_io.store_rows(db, rows, where="add_measurement_set")
    return MeasurementSetResult(set_id, results[0].material_id, len(points),
                                bool(results[0].material_created))


def measurement_sets(db: Any, name: str | None = None) -> pd.DataFrame:
    """One row per stored set (``method_details`` and ``fit`` as JSON strings)."""
    sets = _sets(db)
    if name is not None:
        mid = db.resolve(name)
        sets = [s for s in sets if s["material_id"] == mid]
    return pd.DataFrame([{"set_id": s["set_id"], "material_id": s["material_id"],
                          "method": s["method"], "n_points": len(s["points"]),
                          "method_details": json.dumps(s["method_details"]),
                          "fit": json.dumps(s["fit"]), "added_by": s["added_by"]} for s in sets],
                        columns=["set_id", "material_id", "method", "n_points", "method_details",
                                 "fit", "added_by"])
