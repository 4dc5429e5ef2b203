"""Load and validate the curated review data shipped in :mod:`nitrolyte.data`.

The package data are long-format CSV files (``references.csv``, ``materials.csv``,
``measurements.csv``) plus ``records.yaml``. Each loader reads its file through
:mod:`importlib.resources` on first call, validates every row with the pydantic models of
:mod:`nitrolyte.data.schema` / :mod:`nitrolyte.data.record_models`, and caches the result; nothing
is read at import time. A bad row raises :class:`~nitrolyte.errors.DataValidationError` naming the
file, the row and the column, e.g.
``measurements.csv row 12 (line 13), column 'unit': 'S' is not a conductivity unit; expected S/cm``.

:func:`wide_frame` pivots long data to the one-row-per-(material, direction) frame of
``docs/architecture.md``; it takes DataFrames, so the store can call it on its own tables.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ValidationError

from nitrolyte.data.record_models import Records
from nitrolyte.data.schema import FAMILIES, ColumnError, Material, Measurement, Reference
from nitrolyte.data.wide import MEASUREMENT_COLUMNS, WIDE_COLUMNS, read_wide_csv, wide_frame
from nitrolyte.errors import DataValidationError
from nitrolyte.names import name_key

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FAMILIES", "MATERIAL_COLUMNS", "MEASUREMENT_COLUMNS", "REFERENCE_COLUMNS", "WIDE_COLUMNS",
    "Material", "Measurement", "Records", "Reference", "errata", "materials", "materials_frame",
    "measurements", "name_index", "normalize_name", "read_wide_csv", "records", "references",
    "stated_ranges",
    "targets", "validate_csv", "validate_material", "validate_measurement", "validate_records",
    "wide_frame",
]

REFERENCE_COLUMNS: tuple[str, ...] = ("ref", "citation_key", "doi", "citation")
MATERIAL_COLUMNS: tuple[str, ...] = (
    "material_id", "name", "aliases", "formula", "formula_printed", "family", "crystal_system",
    "space_group", "synthesis", "ref", "location", "note",
)
_PACKAGE = "nitrolyte.data"


# --------------------------------------------------------------------------- error plumbing
def _describe(exc: ValidationError | ColumnError) -> tuple[str, str]:
    """Return (column, message) of the first problem of a validation failure."""
    if isinstance(exc, ColumnError):
        return exc.column, exc.message
    err = exc.errors()[0]
    column = str(err["loc"][0]) if err["loc"] else "?"
    message = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] not in ("value_error", "assertion_error"):
        message += f", got {err.get('input')!r}"
    return column, message


def _validate(model: type[BaseModel], row: Mapping[str, Any], where: str) -> Any:
    try:
        return model.model_validate(dict(row))
    except (ValidationError, ColumnError) as exc:
        column, message = _describe(exc)
        raise DataValidationError(f"{where}, column {column!r}: {message}") from None


def validate_measurement(row: Mapping[str, Any]) -> Measurement:
    """Validate one measurement row (a mapping with the columns of ``measurements.csv``).

    Raises
    ------
    DataValidationError
        Naming the column, e.g. ``"measurement, column 'unit': 'S' is not a conductivity unit"``.
    """
    return _validate(Measurement, row, "measurement")


def validate_material(row: Mapping[str, Any]) -> Material:
    """Validate one material row (a mapping with the columns of ``materials.csv``).

    Raises
    ------
    DataValidationError
        Naming the column, e.g. ``"material, column 'family': Input should be ..."``.
    """
    return _validate(Material, row, "material")


# --------------------------------------------------------------------------- file loading
_KINDS: dict[str, tuple[type[BaseModel], tuple[str, ...]]] = {
    "references": (Reference, REFERENCE_COLUMNS),
    "materials": (Material, MATERIAL_COLUMNS),
    "measurements": (Measurement, MEASUREMENT_COLUMNS),
}


def _parse_csv(text: str, filename: str, kind: str) -> list[Any]:
    """Validate every row of a CSV text; errors name ``filename``, row, line and column."""
    model, columns = _KINDS[kind]
    reader = csv.DictReader(io.StringIO(text))
    header = tuple(reader.fieldnames or ())
    missing = [c for c in columns if c not in header]
    unknown = [c for c in header if c not in columns]
    if missing or unknown:
        raise DataValidationError(f"{filename}: header must be {', '.join(columns)}; missing "
                                  f"{missing or 'none'}, unknown {unknown or 'none'}")
    rows = []
    for i, row in enumerate(reader, start=1):
        if None in row:
            raise DataValidationError(f"{filename} row {i} (line {reader.line_num}): more cells "
                                      f"than the {len(header)} columns of the header")
        rows.append(_validate(model, row, f"{filename} row {i} (line {reader.line_num})"))
    return rows


def validate_csv(path: str | Path, kind: Literal["references", "materials", "measurements"]
                 ) -> list[Any]:
    """Validate a CSV file laid out like the package's ``<kind>.csv`` and return its rows.

    Parameters
    ----------
    path
        The CSV file (UTF-8, header row with exactly the columns of the package file).
    kind
        ``"references"``, ``"materials"`` or ``"measurements"``.

    Returns
    -------
    list
        One validated :class:`Reference` / :class:`Material` / :class:`Measurement` per row.

    Raises
    ------
    DataValidationError
        Naming the file, row, line and column of the first bad cell.
    """
    if kind not in _KINDS:
        raise DataValidationError(f"validate_csv: kind must be one of {', '.join(_KINDS)}, "
                                  f"got {kind!r}")
    path = Path(path)
    return _parse_csv(path.read_text(encoding="utf-8"), path.name, kind)


def _load(filename: str, kind: str) -> list[Any]:
    text = resources.files(_PACKAGE).joinpath(filename).read_text(encoding="utf-8")
    return _parse_csv(text, filename, kind)


def _frame(models: Iterable[BaseModel], columns: tuple[str, ...]) -> pd.DataFrame:
    import pandas as pd

    df = pd.DataFrame([m.model_dump() for m in models], columns=list(columns))
    if "ref" in df:
        df["ref"] = df["ref"].astype("Int64")
    return df


def _check_unique(values: list[Any], filename: str, column: str) -> None:
    seen: set[Any] = set()
    for i, value in enumerate(values, start=1):
        if value in seen:
            raise DataValidationError(f"{filename} row {i} (line {i + 1}), column {column!r}: "
                                      f"duplicate value {value!r}")
        seen.add(value)


def _check_refs(refs: list[int | None], filename: str, known: set[int]) -> None:
    for i, ref in enumerate(refs, start=1):
        if ref is not None and ref not in known:
            raise DataValidationError(f"{filename} row {i} (line {i + 1}), column 'ref': {ref} is "
                                      "not in references.csv")


@functools.cache
def _references() -> tuple[Reference, ...]:
    rows = _load("references.csv", "references")
    _check_unique([r.ref for r in rows], "references.csv", "ref")
    _check_unique([r.citation_key for r in rows], "references.csv", "citation_key")
    return tuple(rows)


@functools.cache
def _materials() -> tuple[Material, ...]:
    rows = _load("materials.csv", "materials")
    _check_unique([m.material_id for m in rows], "materials.csv", "material_id")
    _check_refs([m.ref for m in rows], "materials.csv", {r.ref for r in _references()})
    return tuple(rows)


@functools.cache
def _measurements() -> tuple[Measurement, ...]:
    rows = _load("measurements.csv", "measurements")
    ids = {m.material_id for m in _materials()}
    for i, row in enumerate(rows, start=1):
        if row.material_id not in ids:
            raise DataValidationError(f"measurements.csv row {i} (line {i + 1}), column "
                                      f"'material_id': {row.material_id!r} is not in materials.csv")
    _check_refs([m.ref for m in rows], "measurements.csv", {r.ref for r in _references()})
    return tuple(rows)


@functools.cache
def _frames() -> dict[str, pd.DataFrame]:
    return {
        "references": _frame(_references(), REFERENCE_COLUMNS),
        "materials": _frame(_materials(), MATERIAL_COLUMNS),
        "measurements": _frame(_measurements(), MEASUREMENT_COLUMNS),
    }


def references() -> pd.DataFrame:
    """The review's reference list: ``ref, citation_key, doi, citation`` (doi '' where unknown).

    Cached; each call returns a fresh copy that the caller may modify.
    """
    return _frames()["references"].copy()


def materials() -> pd.DataFrame:
    """Every curated material, one row each, with the columns of ``materials.csv`` (a copy)."""
    return _frames()["materials"].copy()


def measurements() -> pd.DataFrame:
    """Every curated measurement in long format, with the columns of ``measurements.csv``."""
    return _frames()["measurements"].copy()


# --------------------------------------------------------------------------- records.yaml
def _records_error(exc: ValidationError, raw: Any) -> DataValidationError:
    err = exc.errors()[0]
    loc = list(err["loc"])
    where = "records.yaml"
    if loc:
        where += f", section {loc[0]!r}"
    if len(loc) > 1 and isinstance(loc[1], int):
        entries = raw.get(loc[0]) if isinstance(raw, dict) else None
        entry = entries[loc[1]] if isinstance(entries, list | tuple) and loc[1] < len(entries) else {}
        label = entry.get("id") or entry.get("method") if isinstance(entry, dict) else None
        where += f" entry {loc[1] + 1}" + (f" ({label})" if label else "")
    if len(loc) > 2:
        where += f", field {'.'.join(str(x) for x in loc[2:])!r}"
    message = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] not in ("value_error", "assertion_error", "missing"):
        message += f", got {err.get('input')!r}"
    return DataValidationError(f"{where}: {message}")


def _check_record_links(recs: Records) -> None:
    known_refs = {r.ref for r in _references()}
    known_ids = {m.material_id for m in _materials()}
    for section, entries in recs:
        for i, entry in enumerate(entries, start=1):
            label = getattr(entry, "id", None) or getattr(entry, "method", "")
            for ref in entry.refs:
                if ref not in known_refs:
                    raise DataValidationError(f"records.yaml, section {section!r} entry {i} "
                                              f"({label}), field 'refs': {ref} is not in "
                                              "references.csv")
            ids = [*list(getattr(entry, "material_ids", ())), getattr(entry, "material_id", "")]
            for mid in filter(None, ids):
                if mid not in known_ids:
                    raise DataValidationError(f"records.yaml, section {section!r} entry {i} "
                                              f"({label}): material_id {mid!r} is not in "
                                              "materials.csv")


def validate_records(data: Any) -> Records:
    """Validate the parsed contents of a ``records.yaml`` (a mapping of sections).

    Raises
    ------
    DataValidationError
        Naming the section, the entry (number and id) and the field, e.g.
        ``"records.yaml, section 'targets' entry 3 (areal_capacity), field 'value': ..."``.
    """
    try:
        return Records.model_validate(data)
    except ValidationError as exc:
        raise _records_error(exc, data) from None


@functools.cache
def records() -> Records:
    """The validated contents of ``records.yaml`` (Table 6, phase transitions, targets, ...).

    Cached and immutable (frozen pydantic models); ``refs`` and ``material_id(s)`` are checked
    against ``references.csv`` and ``materials.csv``.
    """
    import yaml

    text = resources.files(_PACKAGE).joinpath("records.yaml").read_text(encoding="utf-8")
    recs = validate_records(yaml.safe_load(text))
    _check_record_links(recs)
    return recs


def _records_frame(entries: Iterable[BaseModel]) -> pd.DataFrame:
    import pandas as pd

    rows = []
    for entry in entries:
        row = entry.model_dump()
        for key, value in row.items():
            if isinstance(value, tuple | list):
                row[key] = ";".join(str(v) for v in value)
        rows.append(row)
    return pd.DataFrame(rows)


def targets() -> pd.DataFrame:
    """The design targets of the review's Perspectives, one row each (``refs`` ';'-joined)."""
    return _records_frame(records().targets)


def errata() -> pd.DataFrame:
    """Every erratum: ``id, material_ids`` (';'-joined), ``printed, correct, explanation, ...``."""
    return _records_frame(records().errata)


def stated_ranges() -> pd.DataFrame:
    """Ranges the review states for a class or composition (``id, quantity, subject, value,
    value_max, unit, printed, refs, location, note``), e.g. "0-1.0 V for most nitrides"."""
    return _records_frame(records().stated_ranges)


# --------------------------------------------------------------------------- names
#: The one normalizer lives in :mod:`nitrolyte.names`; kept here under its old name.
normalize_name = name_key


@functools.cache
def name_index() -> dict[str, str]:
    """Map every normalized name, alias and material id of the package data to its material_id."""
    index: dict[str, str] = {}
    for mat in _materials():
        for key in (mat.material_id, mat.name, *mat.alias_list):
            index.setdefault(normalize_name(key), mat.material_id)
    return index


@functools.cache
def _materials_frame() -> pd.DataFrame:
    return wide_frame(_frames()["materials"], _frames()["measurements"], _frames()["references"])


def materials_frame() -> pd.DataFrame:
    """The wide materials frame of the package data (literature only; a fresh copy)."""
    return _materials_frame().copy()
