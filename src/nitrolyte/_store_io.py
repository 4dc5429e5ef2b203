"""User rows in and out of :class:`nitrolyte.store.Database`: validation, import, export.

Private helper of :mod:`nitrolyte.store`; use the ``Database`` methods instead.

File format (CSV with a header, or JSON ``{"schema": "nitrolyte.measurements/1",
"measurements": [{...}, ...]}``): one measurement per row with the columns of
:data:`EXPORT_COLUMNS`; ``name, property, value, unit, temperature`` are required, the rest
optional. Units travel with the data, as in the package data.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nitrolyte.errors import DataValidationError, InputError

if TYPE_CHECKING:
    from nitrolyte.store import Database

#: schema name of exported JSON files
JSON_SCHEMA = "nitrolyte.measurements/1"
MATERIAL_FIELDS = ("material_id", "name", "aliases", "formula", "family", "crystal_system",
                   "space_group", "synthesis")
MEASUREMENT_FIELDS = ("property", "value", "qualifier", "unit", "temperature", "temperature_unit",
                      "direction", "phase", "method", "derived_from_arrhenius", "ref", "location",
                      "note")
#: columns of exported files, in order
EXPORT_COLUMNS = (*MATERIAL_FIELDS, *MEASUREMENT_FIELDS, "doi", "citation", "source", "added_at")
_REQUIRED = ("name", "property", "value", "unit", "temperature")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}


@dataclass(frozen=True)
class AddResult:
    """What :meth:`Database.add_measurement` stored.

    Attributes
    ----------
    material_id : str
        The material the measurement belongs to.
    name : str
        The material's display name.
    measurement_id : int
        Database id of the new measurement row.
    material_created : bool
        True when the material was new (a user material was created).
    """

    material_id: str
    name: str
    measurement_id: int
    material_created: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON."""
        return asdict(self)


@dataclass(frozen=True)
class TransferResult:
    """Outcome of :meth:`Database.import_file` or :meth:`Database.export`.

    Attributes
    ----------
    path : str
        The file read or written.
    n_measurements : int
        Measurement rows imported or exported.
    n_materials_created : int
        Materials created by an import (0 for an export).
    """

    path: str
    n_measurements: int
    n_materials_created: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON."""
        return asdict(self)




def blank(value: Any) -> bool:
    """True for None, NaN, pandas NA and empty/whitespace strings."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(value != value)  # NaN-like numpy scalars
    except TypeError:  # pandas.NA refuses bool()
        return True
    except ValueError:  # arrays
        return False


def clean(value: Any) -> Any:
    """None for blanks, Python scalars for numpy scalars, stripped strings."""
    if blank(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    return value.strip() if isinstance(value, str) else value


def _text(value: Any) -> str | None:
    value = clean(value)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _bool(value: Any, field: str, where: str) -> bool:
    value = clean(value)
    if value is None or isinstance(value, bool):
        return bool(value)
    key = str(value).strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise DataValidationError(f"{where}: field {field!r} must be true or false, got {value!r}")


def _float(value: Any, field: str, where: str) -> float | None:
    value = clean(value)
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise DataValidationError(f"{where}: field {field!r} must be a number, got {value!r}") from None


def review_ref(ref: Any) -> int | None:
    """The reference number in the review, or None for a user's own reference (DOI, text)."""
    text = _text(ref)
    return int(text) if text is not None and text.isdigit() else None


#: placeholder family used only to validate a user material given without a family
_ANY_FAMILY = "other ternary nitride"


def _slug(name: str) -> str:
    from nitrolyte.names import slug

    return slug(name)


class _Batch:
    """Rows being validated together, so that one bad row stores nothing."""

    def __init__(self, db: Database):
        from nitrolyte._store_schema import COLUMNS

        self.db = db
        self.index = dict(db.name_index())
        mats = db.table("materials")
        self.names = dict(zip(mats["material_id"], mats["name"], strict=True))
        refs = db.table("references")
        self.refs = {str(r) for r in refs["ref"]}
        self.new_materials: list[dict[str, Any]] = []
        self.new_refs: list[dict[str, Any]] = []
        self.measurements: list[dict[str, Any]] = []
        self.created: list[bool] = []
        self.columns = COLUMNS

    def material(self, row: Mapping[str, Any], where: str, added_at: str) -> tuple[str, bool]:
        from nitrolyte.dataset import normalize_name, validate_material

        name = _text(row.get("name"))
        given_id = _text(row.get("material_id"))
        if name is None and given_id is not None and given_id in self.names:
            return given_id, False
        if name is None:
            raise DataValidationError(f"{where}: field 'name' is required")
        found = self.index.get(normalize_name(name))
        if found is not None:
            return found, False
        mid = given_id if given_id and given_id not in self.names else self._new_id(name)
        mat = {"material_id": mid, "name": name, "aliases": _text(row.get("aliases")),
               "formula": _text(row.get("formula")), "formula_printed": _text(row.get("formula")),
               "family": _text(row.get("family")), "crystal_system": _text(row.get("crystal_system")),
               "space_group": _text(row.get("space_group")), "synthesis": _text(row.get("synthesis")),
               "ref": _text(row.get("ref")), "location": "user", "note": None}
        try:
            checked = _dump(validate_material({**mat, "ref": review_ref(mat["ref"]),
                                               "family": mat["family"] or _ANY_FAMILY}))
        except DataValidationError as exc:
            raise DataValidationError(f"{where}: {exc}") from None
        for key in ("crystal_system", "space_group", "formula"):
            mat[key] = clean(checked.get(key))
        self.new_materials.append({**mat, "source": "user", "added_at": added_at})
        self.names[mid] = name
        self.index[normalize_name(name)] = mid
        return mid, True

    def _new_id(self, name: str) -> str:
        base = f"user-{_slug(name)}"
        mid, n = base, 1
        while mid in self.names:
            n += 1
            mid = f"{base}-{n}"
        return mid

    def reference(self, row: Mapping[str, Any], added_at: str) -> str | None:
        ref, doi = _text(row.get("ref")), _text(row.get("doi"))
        ref = ref or doi
        if ref is None or ref in self.refs:
            return ref
        if doi is None and _DOI.match(ref):
            doi = ref
        self.new_refs.append({"ref": ref, "citation": _text(row.get("citation")) or ref, "doi": doi,
                              "citation_key": None, "source": "user", "added_at": added_at})
        self.refs.add(ref)
        return ref

    def add(self, row: Mapping[str, Any], where: str, default_added_at: str) -> None:
        from nitrolyte.dataset import validate_measurement

        unknown = sorted(set(row) - set(EXPORT_COLUMNS))
        if unknown:
            raise DataValidationError(f"{where}: unknown column(s) {', '.join(map(repr, unknown))}; "
                                      f"allowed: {', '.join(EXPORT_COLUMNS)}")
        for field in _REQUIRED:
            if blank(row.get(field)) and not (field == "name" and not blank(row.get("material_id"))):
                raise DataValidationError(f"{where}: field {field!r} is required")
        added_at = _text(row.get("added_at")) or default_added_at
        mid, created = self.material(row, where, added_at)
        meas = {"material_id": mid, "property": _text(row.get("property")),
                "value": _float(row.get("value"), "value", where),
                "qualifier": _text(row.get("qualifier")), "unit": _text(row.get("unit")),
                "temperature": _float(row.get("temperature"), "temperature", where),
                "temperature_unit": _text(row.get("temperature_unit")) or "K",
                "direction": _text(row.get("direction")), "phase": _text(row.get("phase")),
                "method": _text(row.get("method")),
                "derived_from_arrhenius": _bool(row.get("derived_from_arrhenius"),
                                                "derived_from_arrhenius", where),
                "ref": self.reference(row, added_at), "location": _text(row.get("location")),
                "note": _text(row.get("note"))}
        try:
            checked = validate_measurement({**meas, "ref": review_ref(meas["ref"])})
        except DataValidationError as exc:
            raise DataValidationError(f"{where}: {exc}") from None
        meas.update({k: v for k, v in _dump(checked).items()
                     if k in meas and k not in ("material_id", "ref")})
        meas = {k: (_text(v) if k == "ref" else clean(v)) for k, v in meas.items()}
        meas["derived_from_arrhenius"] = bool(meas["derived_from_arrhenius"])
        self.measurements.append({**meas, "source": "user", "added_at": added_at})
        self.created.append(created)


def _dump(model: Any) -> dict[str, Any]:
    if hasattr(model, "model_dump"):
        return dict(model.model_dump())
    if isinstance(model, Mapping):
        return dict(model)
    return dict(vars(model))


def store_rows(db: Database, rows: Iterable[Mapping[str, Any]], where: str) -> list[AddResult]:
    """Validate every row, then store them all in one transaction (or nothing)."""
    from nitrolyte._store_schema import MaterialRow, MeasurementRow, ReferenceRow
    from nitrolyte.store import now_iso

    db.ensure()
    batch = _Batch(db)
    stamp = now_iso()
    for i, row in enumerate(rows, start=1):
        batch.add(row, f"{where} row {i}" if where != "add" else "add", stamp)
    if not batch.measurements:
        raise DataValidationError(f"{where}: no measurement rows found")
    with db.session() as s, db.guard("write to"), s.begin():
        s.add_all([ReferenceRow(**r) for r in batch.new_refs])
        s.add_all([MaterialRow(**m) for m in batch.new_materials])
        objs = [MeasurementRow(**m) for m in batch.measurements]
        s.add_all(objs)
        s.flush()
        results = [AddResult(material_id=o.material_id, name=batch.names[o.material_id],
                             measurement_id=o.id, material_created=c)
                   for o, c in zip(objs, batch.created, strict=True)]
    return results


def _format(path: Path, fmt: str, allowed: tuple[str, ...]) -> str:
    if fmt == "auto":
        fmt = path.suffix.lower().lstrip(".")
    if fmt not in allowed:
        raise InputError(f"file format must be one of {', '.join(allowed)} (from the file "
                         f"extension or format=); got {fmt!r} for {path}")
    return fmt


def read_rows(path: Path, fmt: str) -> list[dict[str, Any]]:
    """Rows of a CSV or JSON measurements file as dicts (CSV values are strings)."""
    try:
        if fmt == "csv":
            with path.open(newline="", encoding="utf-8-sig") as fh:
                reader = csv.DictReader(fh)
                rows = []
                for i, r in enumerate(reader, start=1):
                    if None in r:  # DictReader files surplus cells under the key None
                        raise DataValidationError(
                            f"{path.name} row {i} (line {reader.line_num}): more cells than the "
                            f"{len(reader.fieldnames or ())} columns of the header")
                    rows.append(dict(r))
                return rows
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"import file {path} does not exist") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataValidationError(f"cannot read {path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise DataValidationError(f"{path} is not valid JSON: {exc}") from None
    if isinstance(data, dict):
        if data.get("schema", JSON_SCHEMA) != JSON_SCHEMA:
            raise DataValidationError(f"{path}: schema must be {JSON_SCHEMA!r}, got {data['schema']!r}")
        data = data.get("measurements")
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise DataValidationError(f"{path}: expected a list of measurement objects or "
                                  f'{{"schema": "{JSON_SCHEMA}", "measurements": [...]}}')
    return data


def import_file(db: Database, path: Path, fmt: str) -> TransferResult:
    """Import a CSV/JSON/OBELiX file atomically."""
    fmt = _format(path, fmt, ("csv", "json", "obelix"))
    if not path.is_file():
        raise InputError(f"import file {path} does not exist")
    if fmt == "obelix":
        from nitrolyte._store_obelix import obelix_rows

        rows = obelix_rows(path)
    else:
        rows = read_rows(path, fmt)
    results = store_rows(db, rows, where=path.name)
    return TransferResult(path=str(path), n_measurements=len(results),
                          n_materials_created=sum(r.material_created for r in results))


def export_rows(db: Database, source: str | None) -> list[dict[str, Any]]:
    """Measurements joined with their material and reference, in :data:`EXPORT_COLUMNS`."""
    meas = db.table("measurements", source)  # type: ignore[arg-type]
    mats = db.table("materials").set_index("material_id")
    refs = db.table("references")
    refs = refs.sort_values("source", kind="stable").drop_duplicates("ref").set_index("ref")
    out = []
    for m in meas.to_dict("records"):
        mat = mats.loc[m["material_id"]]
        ref = refs.loc[m["ref"]] if m["ref"] in refs.index else None
        row = {c: clean(mat[c]) for c in MATERIAL_FIELDS if c != "material_id"}
        row["material_id"] = m["material_id"]
        row.update({c: clean(m[c]) for c in (*MEASUREMENT_FIELDS, "source", "added_at")})
        row["derived_from_arrhenius"] = bool(m["derived_from_arrhenius"])
        row["doi"] = clean(ref["doi"]) if ref is not None else None
        row["citation"] = clean(ref["citation"]) if ref is not None else None
        out.append({c: row[c] for c in EXPORT_COLUMNS})
    return out


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def export(db: Database, path: Path, source: str | None, fmt: str) -> TransferResult:
    """Write an export file (CSV or JSON)."""
    fmt = _format(path, fmt, ("csv", "json"))
    rows = export_rows(db, source)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "csv":
            with path.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(EXPORT_COLUMNS)
                writer.writerows([[_csv_cell(r[c]) for c in EXPORT_COLUMNS] for r in rows])
        else:
            doc = {"schema": JSON_SCHEMA, "measurements": rows}
            path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write export file {path}: {exc.strerror}") from None
    return TransferResult(path=str(path), n_measurements=len(rows))
