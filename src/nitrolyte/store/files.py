"""Files in and out: measurement CSV/JSON (import, export) and whole-database dumps.

File format (CSV with a header, or JSON ``{"schema": "nitrolyte.measurements/1",
"measurements": [{...}, ...]}``): one measurement per row with the columns of
:data:`~nitrolyte.store.models.EXPORT_COLUMNS`; ``name, property, value, unit, temperature`` are
required, the rest optional. Units travel with the data, as in the package data.

CSV exports are safe to open in a spreadsheet: a text cell that starts with ``=``, ``+``, ``-``,
``@``, tab or carriage return is written with a leading ``'`` (so it is not run as a formula),
and an import removes that ``'`` again, so export -> import is lossless.

A dump (``nitrolyte db dump``) is JSON holding every user row with its provenance, the
measurement sets, the cache and the token hashes; ``restore`` writes it into another database
(SQLite or PostgreSQL), all or nothing.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nitrolyte.errors import DataValidationError, InputError
from nitrolyte.store.models import EXPORT_COLUMNS, JSON_SCHEMA, clean

if TYPE_CHECKING:
    import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED = re.compile(r"^'(?=[=+\-@\t\r])")


def file_format(path: Path, fmt: str, allowed: tuple[str, ...]) -> str:
    """The format from ``fmt`` or the file extension, checked against ``allowed``."""
    if fmt == "auto":
        fmt = path.suffix.lower().lstrip(".")
    if fmt not in allowed:
        raise InputError(f"file format must be one of {', '.join(allowed)} (from the file "
                         f"extension or format=); got {fmt!r} for {path}")
    return fmt


def sha256_file(path: Path) -> str:
    """SHA-256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _csv_frame(path: Path) -> pd.DataFrame:
    """The CSV as strings; the header line fixes the number of fields of every row."""
    import pandas as pd

    try:
        raw = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, na_filter=False,
                          encoding="utf-8-sig", engine="c", skip_blank_lines=True)
    except pd.errors.EmptyDataError:
        raise DataValidationError(f"{path.name}: the file is empty; expected a header row with "
                                  f"columns such as {', '.join(EXPORT_COLUMNS[:5])}") from None
    except pd.errors.ParserError as exc:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if found is None:
            raise DataValidationError(f"cannot read {path.name} as CSV: {exc}") from None
        width, line, seen = found.groups()
        raise DataValidationError(f"{path.name} line {line}: {seen} fields but the header has "
                                  f"{width}; quote cells that contain commas") from None
    header = [str(h).strip() for h in raw.iloc[0]]
    dups = sorted(h for h, n in Counter(header).items() if n > 1)
    if dups:
        raise DataValidationError(f"{path.name}: column(s) {', '.join(map(repr, dups))} appear "
                                  "more than once in the header; give each column once")
    frame = raw.iloc[1:].reset_index(drop=True)
    frame.columns = header
    for col in frame.columns:  # undo the spreadsheet escape of export (only where present)
        values = frame[col].tolist()
        if "\x01'" in "\x01" + "\x01".join(values):
            frame[col] = [_ESCAPED.sub("", v) for v in values]
    return frame


def _json_frame(path: Path) -> pd.DataFrame:
    import pandas as pd

    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        if data.get("schema", JSON_SCHEMA) != JSON_SCHEMA:
            raise DataValidationError(f"{path}: schema must be {JSON_SCHEMA!r}, got {data['schema']!r}")
        data = data.get("measurements")
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise DataValidationError(f"{path}: expected a list of measurement objects or "
                                  f'{{"schema": "{JSON_SCHEMA}", "measurements": [...]}}')
    return pd.DataFrame.from_records(data) if data else pd.DataFrame(columns=["name"])


def read_frame(path: Path, fmt: str) -> pd.DataFrame:
    """Rows of a CSV, JSON or OBELiX file as a DataFrame (CSV cells are strings)."""
    import pandas as pd

    if not path.is_file():
        raise InputError(f"import file {path} does not exist")
    try:
        if fmt == "csv":
            return _csv_frame(path)
        if fmt == "obelix":
            from nitrolyte.store.obelix import obelix_rows

            return pd.DataFrame.from_records(obelix_rows(path))
        return _json_frame(path)
    except (OSError, csv.Error) as exc:
        raise DataValidationError(f"cannot read {path}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise DataValidationError(f"cannot read {path}: not UTF-8 text ({exc.reason} at byte "
                                  f"{exc.start})") from None
    except json.JSONDecodeError as exc:
        raise DataValidationError(f"{path} is not valid JSON: {exc}") from None


# ---------------------------------------------------------------------- export
def export_rows(materials: pd.DataFrame, measurements: pd.DataFrame,
                references: pd.DataFrame) -> list[dict[str, Any]]:
    """Measurements joined with their material and reference, in :data:`EXPORT_COLUMNS`."""
    mats = materials.set_index("material_id")
    refs = references.sort_values("source", kind="stable").drop_duplicates("ref").set_index("ref")
    mat_cols = [c for c in EXPORT_COLUMNS if c in mats.columns and c not in measurements.columns]
    joined = measurements.join(mats[mat_cols], on="material_id")
    joined = joined.join(refs[["doi", "citation"]], on="ref")
    out = []
    for rec in joined.to_dict("records"):
        row = {c: clean(rec.get(c)) for c in EXPORT_COLUMNS}
        row["derived_from_arrhenius"] = bool(rec["derived_from_arrhenius"])
        out.append(row)
    return out


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_rows(path: Path, rows: list[dict[str, Any]], fmt: str) -> None:
    """Write export rows as CSV (spreadsheet-safe) or JSON, whole or not at all."""
    from nitrolyte._atomic import replacing

    with replacing(path, "export file") as fh:
        if fmt == "csv":
            writer = csv.writer(fh)
            writer.writerow(EXPORT_COLUMNS)
            writer.writerows([[_csv_cell(r[c]) for c in EXPORT_COLUMNS] for r in rows])
        else:
            doc = {"schema": JSON_SCHEMA, "measurements": rows}
            fh.write(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")  # type: ignore[arg-type]
