"""Pivot long-format materials + measurements to the wide materials frame.

Used by :func:`nitrolyte.dataset.wide_frame` (re-exported there) for the package data and by the
store for user rows; it works on DataFrames, never on files.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from nitrolyte.errors import DataValidationError
from nitrolyte.properties import PROPERTIES, PropertySpec, WideColumn, to_canonical
from nitrolyte.units import to_kelvin_or_none

if TYPE_CHECKING:
    import pandas as pd

MEASUREMENT_COLUMNS: tuple[str, ...] = (
    "material_id", "property", "value", "qualifier", "unit", "temperature", "temperature_unit",
    "direction", "phase", "method", "derived_from_arrhenius", "ref", "location", "note",
)
_IDENTITY: tuple[str, ...] = (
    "material_id", "name", "formula", "family", "crystal_system", "space_group", "sigma_S_cm",
    "sigma_qualifier", "T_K", "Ea_eV", "Ea_HT_eV", "T_transition_K", "direction",
    "from_arrhenius", "synthesis", "ref", "doi", "source", "location", "note",
)


def _registry_columns() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(every wide column a registered property fills, the float ones among them)."""
    cols: list[str] = []
    floats: list[str] = []
    for spec in PROPERTIES.values():
        for w in spec.wide:
            cols += [c for c in (w.column, w.qualifier_column, w.temperature_column,
                                 w.flag_column) if c]
            floats += [c for c in (w.column, w.temperature_column) if c]
    return tuple(cols), tuple(floats)


#: the wide frame's columns: the historical order, then those of newer registry properties
WIDE_COLUMNS: tuple[str, ...] = (*_IDENTITY,
                                 *(c for c in _registry_columns()[0] if c not in _IDENTITY))
FLOAT_WIDE_COLUMNS: tuple[str, ...] = _registry_columns()[1]


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):  # numpy floats too: no pandas needed for plain rows
        return math.isnan(value)
    if isinstance(value, int):
        return False
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # list-like cell
        return False


def _text(value: Any) -> str:
    return "" if _is_blank(value) else str(value).strip()


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return False if _is_blank(value) else bool(value)


def _pick(rows: list[dict[str, Any]], prop: str, direction: str | None, col: WideColumn,
          location: str) -> dict[str, Any] | None:
    """The row for ``prop`` that the wide column ``col`` shows.

    Same direction (else direction-free), phase in ``col.phases``, preferring the material's
    own location (its table row); bounds (``<``/``>``) only where ``col.bounds``. With
    ``direction=None`` (material-wide columns) the first matching row of any direction.
    """
    def ok(r: dict[str, Any]) -> bool:
        return (r["property"] == prop and _text(r["phase"]) in col.phases
                and (col.bounds or _text(r["qualifier"]) not in ("<", ">")))

    if direction is None:
        return next((r for r in rows if ok(r)), None)
    for want in dict.fromkeys((direction, "")):
        cands = [r for r in rows if ok(r) and _text(r["direction"]) == want]
        if cands:
            same = [r for r in cands if _text(r["location"]) == location]
            return (same or cands)[0]
    return None


def _kelvin(value: Any, unit: Any) -> float:
    if _is_blank(value):
        return math.nan
    kelvin = to_kelvin_or_none(float(value), _text(unit))
    return math.nan if kelvin is None else kelvin


def _fill(out: dict[str, Any], spec: PropertySpec, col: WideColumn,
          row: dict[str, Any] | None) -> None:
    """Write the wide column ``col`` (and its companions) from the picked row."""
    if row is None:
        out[col.column] = math.nan
    elif spec.kind == "temperature":
        out[col.column] = _kelvin(row["value"], row["unit"])
    else:
        out[col.column] = to_canonical(float(row["value"]), _text(row["unit"]), spec.kind)
    if col.qualifier_column:
        out[col.qualifier_column] = "" if row is None else _text(row["qualifier"])
    if col.temperature_column:
        out[col.temperature_column] = (math.nan if row is None else
                                       _kelvin(row["temperature"], row["temperature_unit"]))
    if col.flag_column:
        out[col.flag_column] = False if row is None else _flag(row["derived_from_arrhenius"])


def wide_rows(mat: dict[str, Any], rows: list[dict[str, Any]], dois: dict[int, str]
              ) -> list[dict[str, Any]]:
    """The wide rows (one per direction, columns :data:`WIDE_COLUMNS`) of one material.

    Parameters
    ----------
    mat : dict
        The material's row (``material_id, name, formula, ..., ref``).
    rows : list of dict
        Its measurement rows (the columns of :data:`MEASUREMENT_COLUMNS`), in table order.
    dois : dict
        DOI of each reference number of the review.
    """
    location = _text(mat.get("location"))
    transport = {name for name, spec in PROPERTIES.items() if spec.transport}
    order = {"perp_c": 0, "par_c": 1, "": 2}
    directions = sorted({_text(r["direction"]) for r in rows if r["property"] in transport}
                        or {""}, key=order.get)
    ref = None if _is_blank(mat.get("ref")) else int(mat["ref"])
    out = []
    for direction in directions:
        row: dict[str, Any] = {
            "material_id": _text(mat["material_id"]), "name": _text(mat["name"]),
            "formula": _text(mat.get("formula")), "family": _text(mat.get("family")),
            "crystal_system": _text(mat.get("crystal_system")),
            "space_group": _text(mat.get("space_group")), "direction": direction,
            "synthesis": _text(mat.get("synthesis")), "ref": ref,
            "doi": dois.get(ref, "") if ref is not None else "",
            "source": _text(mat.get("source")) or "literature", "location": location,
            "note": _text(mat.get("note")),
        }
        for spec in PROPERTIES.values():
            for col in spec.wide:
                picked = _pick(rows, spec.name, direction if col.per_direction else None, col,
                               location)
                _fill(row, spec, col, picked)
        out.append({c: row[c] for c in WIDE_COLUMNS})
    return out


def wide_frame(materials: pd.DataFrame, measurements: pd.DataFrame, references: pd.DataFrame
               ) -> pd.DataFrame:
    """Pivot long-format materials + measurements to one row per (material, direction).

    Parameters
    ----------
    materials, measurements, references
        Frames with (at least) the columns of ``materials.csv``, ``measurements.csv`` and
        ``references.csv``; a ``source`` column in ``materials`` is carried over (default
        ``"literature"``). Works on package data and on user rows alike.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`WIDE_COLUMNS`. ``sigma_S_cm`` is the conductivity in S/cm at ``T_K``
        (kelvin; 25 C -> 298.15 K), from the material's own table row where it has several;
        ``Ea_eV`` is the activation energy that applies at ``T_K`` (the LT branch where the
        review gives LT and HT), ``Ea_HT_eV`` the high-temperature branch and
        ``T_transition_K`` the LT/HT transition. Empty values are NaN (floats) or ``""``.
    """
    import pandas as pd

    for frame, cols, label in ((materials, ("material_id", "name"), "materials"),
                               (measurements, MEASUREMENT_COLUMNS[:11], "measurements"),
                               (references, ("ref", "doi"), "references")):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise DataValidationError(f"wide_frame: {label} frame lacks column(s) {missing}")
    dois = {int(r): _text(d) for r, d in zip(references["ref"], references["doi"], strict=True)
            if not _is_blank(r)}
    by_id: dict[str, list[dict[str, Any]]] = {}
    for row in measurements.to_dict("records"):
        by_id.setdefault(_text(row["material_id"]), []).append(row)
    rows: list[dict[str, Any]] = []
    for mat in materials.to_dict("records"):
        rows.extend(wide_rows(mat, by_id.get(_text(mat["material_id"]), []), dois))
    df = pd.DataFrame(rows, columns=list(WIDE_COLUMNS))
    df[list(FLOAT_WIDE_COLUMNS)] = df[list(FLOAT_WIDE_COLUMNS)].astype(float)
    df["from_arrhenius"] = df["from_arrhenius"].astype(bool)
    for col in WIDE_COLUMNS:  # qualifier columns of newer properties: "" where empty
        if col.endswith("_qualifier"):
            df[col] = df[col].fillna("").astype(str)
    df["ref"] = df["ref"].astype("Int64")
    return df




def read_wide_csv(path_or_buffer: Any) -> pd.DataFrame:
    """Read a CSV written from :func:`wide_frame` (``df.to_csv(index=False)``) back losslessly."""
    import pandas as pd

    df = pd.read_csv(path_or_buffer, dtype=str, keep_default_na=False)
    missing = [c for c in WIDE_COLUMNS if c not in df.columns]
    if missing:
        raise DataValidationError(f"read_wide_csv: missing column(s) {missing}")
    df = df[list(WIDE_COLUMNS)].copy()
    for col in FLOAT_WIDE_COLUMNS:
        df[col] = df[col].map(lambda v: float(v) if v.strip() else math.nan).astype(float)
    df["from_arrhenius"] = df["from_arrhenius"].str.lower().map({"true": True, "false": False})
    df["ref"] = pd.array([int(v) if v.strip() else None for v in df["ref"]], dtype="Int64")
    return df
