"""Electrochemical windows as published: the review's stated windows and the SSEs of Fig. 17A.

Package data ``data/reported_windows.csv``: one window per row with its source paper (review
reference number), whether the review prints the number (``stated_in_review``) or the value
comes from the cited source paper, and where it appears (Section 4.3, Fig. 17A...). Where the
review draws a bar without a number and no value is embedded, the limits are NaN and the note
says so.
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

from nitrolyte.checks import check_choice
from nitrolyte.errors import DataValidationError

if TYPE_CHECKING:
    import pandas as pd

    from nitrolyte.store.database import DatabaseLike

WindowKind = Literal["intrinsic", "extended", "experimental"]
WINDOW_KINDS: tuple[str, ...] = ("intrinsic", "extended", "experimental")
METHODS = ("DFT", "experiment")
_COLUMNS = ("material", "formula", "family", "window", "reduction_V", "oxidation_V", "method", "ref",
            "source", "stated_in_review", "location", "note")


@dataclass(frozen=True)
class ReportedWindow:
    """A published electrochemical window (V vs. Li/Li+).

    Attributes
    ----------
    material, formula, family : str
        Name as in the review, formula, and family (nitride / sulfide / halide).
    window : {"intrinsic", "extended", "experimental"}
        Thermodynamic intrinsic window, window extended by interphases, or measured.
    reduction_V, oxidation_V : float
        Limits; NaN where no number is stated or embedded.
    method : {"DFT", "experiment"}
    ref : str
        Review reference number(s), ``;``-separated.
    source : str
        Where the number comes from (review section or source paper).
    stated_in_review : bool
        True when the review prints the number.
    location, note : str
    """

    material: str
    formula: str
    family: str
    window: str
    reduction_V: float
    oxidation_V: float
    method: str
    ref: str
    source: str
    stated_in_review: bool
    location: str
    note: str

    @property
    def has_value(self) -> bool:
        """Whether both limits are known."""
        return math.isfinite(self.reduction_V) and math.isfinite(self.oxidation_V)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (NaN as None)."""
        d = asdict(self)
        for k in ("reduction_V", "oxidation_V"):
            d[k] = d[k] if math.isfinite(d[k]) else None
        return d


def _limit(text: str, where: str, column: str) -> float:
    if not text.strip():
        return math.nan
    try:
        return float(text)
    except ValueError:
        raise DataValidationError(f"{where}, column {column}: not a number: {text!r}") from None


def _validate(rec: ReportedWindow, where: str) -> None:
    if rec.window not in WINDOW_KINDS:
        raise DataValidationError(f"{where}, column window: must be one of {WINDOW_KINDS}; got {rec.window!r}")
    if rec.method not in METHODS:
        raise DataValidationError(f"{where}, column method: must be one of {METHODS}; got {rec.method!r}")
    if not rec.source or not rec.ref:
        raise DataValidationError(f"{where}, columns source/ref: every window names its source")
    red, ox = rec.reduction_V, rec.oxidation_V
    if math.isnan(red) != math.isnan(ox):
        raise DataValidationError(f"{where}: give both limits or neither")
    if not math.isnan(red) and red > ox:
        raise DataValidationError(f"{where}: reduction_V {red} > oxidation_V {ox}")
    if rec.stated_in_review and math.isnan(red):
        raise DataValidationError(f"{where}: stated_in_review rows need their values")


@functools.cache
def _records() -> tuple[ReportedWindow, ...]:
    """The validated rows of ``reported_windows.csv`` (read with the csv module: no pandas at start-up)."""
    import csv
    import io

    text = resources.files("nitrolyte.data").joinpath("reported_windows.csv").read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    lacking = [c for c in _COLUMNS if c not in (reader.fieldnames or ())]
    if lacking:
        raise DataValidationError(f"reported_windows.csv lacks columns: {', '.join(lacking)}")
    records = []
    for i, raw in enumerate(reader):
        where = f"reported_windows.csv row {i + 2}"
        fields: dict[str, Any] = {k: raw[k] or "" for k in _COLUMNS}
        fields["reduction_V"] = _limit(fields["reduction_V"], where, "reduction_V")
        fields["oxidation_V"] = _limit(fields["oxidation_V"], where, "oxidation_V")
        fields["stated_in_review"] = fields["stated_in_review"].strip().lower() == "true"
        rec = ReportedWindow(**fields)
        _validate(rec, where)
        records.append(rec)
    return tuple(records)


def reported_windows(family: str | None = None, window: WindowKind | None = None) -> pd.DataFrame:
    """Published windows as a DataFrame (a copy), optionally filtered.

    Parameters
    ----------
    family : {"nitride", "sulfide", "halide"}, optional
    window : {"intrinsic", "extended", "experimental"}, optional
    """
    import pandas as pd

    frame = pd.DataFrame([asdict(r) for r in _records()], columns=list(_COLUMNS))
    if family is not None:
        check_choice("family", family, sorted(frame["family"].unique()))
        frame = frame[frame["family"] == family]
    if window is not None:
        check_choice("window", window, WINDOW_KINDS)
        frame = frame[frame["window"] == window]
    return frame.reset_index(drop=True)


def reported_window(material: str, window: WindowKind = "intrinsic", *,
                    db: DatabaseLike | None = None) -> ReportedWindow | None:
    """The published window of a material (matched by composition), or None.

    ``db`` is the database of the names users added (default: the user's; see
    :func:`nitrolyte.api.get`).

    Rows with a value are preferred over rows that only record a bar without a number.
    """
    from nitrolyte.stability._common import resolve_material

    check_choice("window", window, WINDOW_KINDS)
    _, comp = resolve_material(material, db)
    frac = comp.fractional_composition
    hits = [r for r in _records() if r.window == window and _frac(r.formula) == frac]
    hits.sort(key=lambda r: (not r.has_value, not r.stated_in_review))
    return hits[0] if hits else None


@functools.cache
def _frac(formula: str) -> Any:
    from pymatgen.core import Composition

    return Composition(formula).fractional_composition
