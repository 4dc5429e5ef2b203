"""Bottom layer of the store: result objects and plain-value helpers (no SQL, no I/O).

Everything above (tables, migrations, reads, writes, files, :class:`~nitrolyte.store.Database`)
imports from here; this module imports nothing of the store.
"""

from __future__ import annotations

import datetime as dt
import getpass
import math
import re
from dataclasses import asdict, dataclass
from typing import Any, Literal

Source = Literal["literature", "user"]
SOURCES: tuple[str, ...] = ("literature", "user")
#: schema name of exported JSON files
JSON_SCHEMA = "nitrolyte.measurements/1"
#: schema name of ``nitrolyte db dump`` files
DUMP_SCHEMA = "nitrolyte.dump/2"
#: dump schemas ``restore`` reads: this one (row counts and a SHA-256 checked) and nitrolyte's
#: earlier one (no counts, no checksum)
DUMP_SCHEMAS = (DUMP_SCHEMA, "nitrolyte.dump/1")
MATERIAL_FIELDS = ("material_id", "name", "aliases", "formula", "family", "crystal_system",
                   "space_group", "synthesis")
MEASUREMENT_FIELDS = ("property", "value", "qualifier", "unit", "temperature", "temperature_unit",
                      "direction", "phase", "method", "derived_from_arrhenius", "ref", "location",
                      "note")
PROVENANCE_FIELDS = ("added_by", "added_at", "source_sha256")
#: columns of exported files, in order
EXPORT_COLUMNS = (*MATERIAL_FIELDS, *MEASUREMENT_FIELDS, "value_stderr", "kind", "doi", "citation",
                  "source", *PROVENANCE_FIELDS)
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
#: characters never stored: NUL and lone UTF-16 surrogates (they break exports and drivers)
BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


def now_iso() -> str:
    """Current UTC time, ISO 8601 with seconds."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def current_user() -> str:
    """The OS user name (``getpass.getuser()``), or ``"unknown"`` where none is set."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry / no LOGNAME in a container
        return "unknown"


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


def text_or_none(value: Any) -> str | None:
    """A stripped string (integral floats as ``"28"``), or None for blanks."""
    value = clean(value)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def review_ref(ref: Any) -> int | None:
    """The reference number in the review, or None for a user's own reference (DOI, text)."""
    text = text_or_none(ref)
    return int(text) if text is not None and text.isdigit() else None


def check_text(field: str, value: Any, *, max_len: int = 1000, strip: bool = True) -> str:
    """A non-empty string without NUL bytes or lone surrogates, at most ``max_len`` characters.

    Returned stripped of surrounding whitespace unless ``strip`` is False.

    Raises
    ------
    InputError
        Naming ``field``.
    """
    from nitrolyte.errors import InputError

    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{field} must be a non-empty string, got {value!r}")
    if BAD_TEXT.search(value):
        raise InputError(f"{field} must not contain NUL bytes or lone surrogates, got {value!r}")
    if len(value) > max_len:
        raise InputError(f"{field} must be at most {max_len} characters, got {len(value)}")
    return value.strip() if strip else value


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
    """Outcome of :meth:`Database.import_file`, :meth:`Database.export` or a dump/restore.

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


@dataclass(frozen=True)
class MeasurementSetResult:
    """What :meth:`Database.add_measurement_set` stored.

    Attributes
    ----------
    set_id : int
        Database id of the new measurement set.
    material_id : str
        The material the set belongs to.
    n_points : int
        Conductivity points stored (the fit's activation energy row is not counted).
    created_material : bool
        True when the material was new.
    """

    set_id: int
    material_id: str
    n_points: int
    created_material: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON."""
        return asdict(self)


#: the keys of one conductivity point of a measurement set (:class:`SetPoint`)
POINT_KEYS = ("T_K", "sigma_S_cm", "kind", "sigma_stderr_S_cm", "direction", "note")


@dataclass(frozen=True)
class SetPoint:
    """One conductivity point of a measurement set (what
    :meth:`Database.add_measurement_set` stores as an ``ionic_conductivity`` row).

    Attributes
    ----------
    T_K : float
        Temperature, K.
    sigma_S_cm : float
        Conductivity, S/cm.
    kind : str
        ``"total"`` or ``"bulk"``.
    sigma_stderr_S_cm : float, optional
        Standard error of ``sigma_S_cm``, S/cm.
    direction : str, optional
        ``"perp_c"`` or ``"par_c"`` (None: polycrystalline or not stated).
    note : str, optional
        Free text (an unreliable fit says why).
    """

    T_K: float
    sigma_S_cm: float
    kind: str = "total"
    sigma_stderr_S_cm: float | None = None
    direction: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The point as the store's point dict (keys :data:`POINT_KEYS`, in that order)."""
        return {k: getattr(self, k) for k in POINT_KEYS}


def _json_field(value: Any, empty: Any) -> Any:
    """A stored JSON field, decoded (text) or as read (already decoded); None/NaN/'' -> ``empty``."""
    import json

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return empty
    if isinstance(value, str):
        return json.loads(value) if value.strip() else empty
    return value


@dataclass(frozen=True)
class StoredSet:
    """One stored measurement set, as :meth:`Database.measurement_sets` lists it.

    Attributes
    ----------
    set_id : int
        Database id of the set.
    material_id, name : str
        Its material (id and display name).
    method : str
        ``"EIS"``, ``"fit"``, ``"MD"``, ...
    method_details, fit : dict
        Decoded JSON (``{}`` when none was stored).
    source_files : list
        ``[file name, SHA-256]`` pairs of the files the set came from.
    n_points : int
        Conductivity points stored (0: an unknown answer, its reasons in ``method_details``).
    note, added_by, added_at : str or None
        Free text and provenance (``added_at`` UTC ISO 8601).
    """

    set_id: int
    material_id: str
    name: str
    method: str
    method_details: dict[str, Any]
    fit: dict[str, Any]
    source_files: list[Any]
    n_points: int
    note: str | None = None
    added_by: str | None = None
    added_at: str | None = None

    @classmethod
    def from_row(cls, row: Any) -> StoredSet:
        """From one row (a mapping or a pandas Series) of the sets frame; a missing column is
        a ``KeyError`` naming it, never a guess."""
        def text(key: str) -> str | None:
            value = row[key]
            return None if blank(value) else str(value)

        return cls(set_id=int(row["set_id"]), material_id=str(row["material_id"]),
                   name=str(row["name"]), method=str(row["method"]),
                   method_details=_json_field(row["method_details"], {}) or {},
                   fit=_json_field(row["fit"], {}) or {},
                   source_files=list(_json_field(row["source_files"], []) or []),
                   n_points=int(row["n_points"]), note=text("note"),
                   added_by=text("added_by"), added_at=text("added_at"))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (field order)."""
        return asdict(self)


@dataclass(frozen=True)
class UpgradeResult:
    """Outcome of opening or upgrading a database file.

    Attributes
    ----------
    from_revision : str or None
        Migration revision before (None for a new database).
    to_revision : str
        Revision after.
    backup : str or None
        Path of the SQLite backup copy written before migrating (None if none was needed).
    """

    from_revision: str | None
    to_revision: str
    backup: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON."""
        return asdict(self)
