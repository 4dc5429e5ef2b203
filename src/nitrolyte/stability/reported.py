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
from typing import Any, Literal

import pandas as pd

from nitrolyte.checks import check_choice
from nitrolyte.errors import DataValidationError

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


def _validate(frame: pd.DataFrame) -> None:
    lacking = [c for c in _COLUMNS if c not in frame.columns]
    if lacking:
        raise DataValidationError(f"reported_windows.csv lacks columns: {', '.join(lacking)}")
    for i, row in frame.iterrows():
        where = f"reported_windows.csv row {int(i) + 2}"  # type: ignore[call-overload]
        if row["window"] not in WINDOW_KINDS:
            raise DataValidationError(f"{where}, column window: must be one of {WINDOW_KINDS}; got {row['window']!r}")
        if row["method"] not in METHODS:
            raise DataValidationError(f"{where}, column method: must be one of {METHODS}; got {row['method']!r}")
        if not row["source"] or not row["ref"]:
            raise DataValidationError(f"{where}, columns source/ref: every window names its source")
        red, ox = row["reduction_V"], row["oxidation_V"]
        if pd.isna(red) != pd.isna(ox):
            raise DataValidationError(f"{where}: give both limits or neither")
        if not pd.isna(red) and red > ox:
            raise DataValidationError(f"{where}: reduction_V {red} > oxidation_V {ox}")
        if row["stated_in_review"] and pd.isna(red):
            raise DataValidationError(f"{where}: stated_in_review rows need their values")


@functools.cache
def _table() -> pd.DataFrame:
    with resources.files("nitrolyte.data").joinpath("reported_windows.csv").open("rb") as fh:
        frame = pd.read_csv(fh, dtype={"ref": str, "note": str, "source": str})
    frame["note"] = frame["note"].fillna("")
    frame["stated_in_review"] = frame["stated_in_review"].map(
        lambda v: str(v).strip().lower() == "true")
    _validate(frame)
    return frame


def reported_windows(family: str | None = None, window: WindowKind | None = None) -> pd.DataFrame:
    """Published windows as a DataFrame (a copy), optionally filtered.

    Parameters
    ----------
    family : {"nitride", "sulfide", "halide"}, optional
    window : {"intrinsic", "extended", "experimental"}, optional
    """
    frame = _table().copy()
    if family is not None:
        check_choice("family", family, sorted(frame["family"].unique()))
        frame = frame[frame["family"] == family]
    if window is not None:
        check_choice("window", window, WINDOW_KINDS)
        frame = frame[frame["window"] == window]
    return frame.reset_index(drop=True)


def _record(row: pd.Series) -> ReportedWindow:
    return ReportedWindow(**{k: row[k] for k in _COLUMNS})  # type: ignore[arg-type]


def reported_window(material: str, window: WindowKind = "intrinsic") -> ReportedWindow | None:
    """The published window of a material (matched by composition), or None.

    Rows with a value are preferred over rows that only record a bar without a number.
    """
    from nitrolyte.stability._common import resolve_material

    check_choice("window", window, WINDOW_KINDS)
    _, comp = resolve_material(material)
    frac = comp.fractional_composition
    rows = [_record(r) for _, r in _table().iterrows() if r["window"] == window]
    hits = [r for r in rows if _frac(r.formula) == frac]
    hits.sort(key=lambda r: (not r.has_value, not r.stated_in_review))
    return hits[0] if hits else None


@functools.cache
def _frac(formula: str) -> Any:
    from pymatgen.core import Composition

    return Composition(formula).fractional_composition
