"""Reading measured conductivities and impedance spectra from CSV files with units in the header.

Conductivity files (:func:`read_conductivity_csv`) name one temperature column, ``T_K`` or ``T_C``,
and either a conductivity column (``sigma_S_cm``, ``sigma_S_m`` or ``sigma_mS_cm``, optionally the
error in the same unit, ``sigma_err_S_cm`` ...) or a resistance with the sample geometry
(``R_ohm`` or ``R_kohm``; ``thickness_um``, ``thickness_mm`` or ``thickness_cm``; ``area_cm2`` or
``area_mm2``; optionally ``R_err_ohm`` / ``R_err_kohm``). Other columns (sample, note, ...) are
ignored; lines starting with ``#`` are comments.

Impedance files (:func:`read_spectrum`) have ``freq_Hz`` and ``Z_real_ohm`` with either
``Z_imag_ohm`` (signed, negative for a capacitive arc) or ``minus_Z_imag_ohm``; a file with three
unlabelled numeric columns is read like impedance.py's ``readCSV`` (f, Z', Z'' signed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nitrolyte.errors import DataValidationError, InputError, UnitError
from nitrolyte.names import printable
from nitrolyte.units import (
    ZERO_C_K,
    area_to_cm2,
    conductivity_to_S_cm,
    length_to_cm,
    resistance_to_ohm,
)

# Column name -> factor to the internal unit; the factors come from nitrolyte.units (one source).
_TEMPERATURE = {"T_K": 0.0, "T_C": ZERO_C_K}
_SIGMA = {f"sigma_{u.replace('/', '_')}": float(conductivity_to_S_cm(1.0, u))
          for u in ("S/cm", "S/m", "mS/cm")}
_RESISTANCE = {f"R_{u}": float(resistance_to_ohm(1.0, u)) for u in ("ohm", "kohm")}
_THICKNESS = {f"thickness_{u}": float(length_to_cm(1.0, u)) for u in ("um", "mm", "cm")}
_AREA = {f"area_{u}": float(area_to_cm2(1.0, u)) for u in ("cm2", "mm2")}
_PREFIXES = {"T": _TEMPERATURE, "sigma": _SIGMA, "R": _RESISTANCE, "thickness": _THICKNESS,
             "area": _AREA}
MIN_TEMPERATURES = 3


@dataclass(frozen=True)
class ConductivityData:
    """Conductivities read from a file, in K and S/cm.

    Attributes
    ----------
    T_K : tuple of float
        Temperatures in K.
    sigma_S_cm : tuple of float
        Conductivities in S/cm.
    sigma_err_S_cm : tuple of float or None
        One-standard-deviation errors in S/cm, when the file gives them.
    source : str
        File path.
    columns : tuple of str
        The header columns that were used.
    """

    T_K: tuple[float, ...]
    sigma_S_cm: tuple[float, ...]
    sigma_err_S_cm: tuple[float, ...] | None = None
    source: str = ""
    columns: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per measurement."""
        d = {"T_K": self.T_K, "sigma_S_cm": self.sigma_S_cm}
        if self.sigma_err_S_cm is not None:
            d["sigma_err_S_cm"] = self.sigma_err_S_cm
        return pd.DataFrame(d)


def _numeric(frame: pd.DataFrame, column: str, path: Path) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataValidationError(f"{path.name}: row {row + 2}, column {column}: not a number "
                                  f"({frame[column].iloc[row]!r})")
    return values.to_numpy(float)


def _pick(columns: list[str], prefix: str, path: Path, required: bool = True,
          err: bool = False) -> str | None:
    table = _PREFIXES[prefix]
    stem = f"{prefix}_err_" if err else f"{prefix}_"
    candidates = [c for c in columns if c.startswith(stem)
                  and (err or not c.startswith(f"{prefix}_err_"))]
    allowed = [k.replace(f"{prefix}_", stem, 1) for k in table]
    for c in candidates:
        if c not in allowed:
            raise UnitError(f"{path.name}: column {c!r} has an unknown unit; allowed: "
                            f"{', '.join(allowed)}")
    if len(candidates) > 1:
        raise InputError(f"{path.name}: give one of {', '.join(allowed)}, got {', '.join(candidates)}")
    if not candidates:
        if required:
            raise UnitError(f"{path.name}: no {prefix} column; expected one of {', '.join(allowed)}")
        return None
    return candidates[0]


def _factor(column: str, prefix: str) -> float:
    return _PREFIXES[prefix][column.replace(f"{prefix}_err_", f"{prefix}_", 1)]


def _read_csv(path: Path, **kwargs: Any) -> pd.DataFrame:
    """``pandas.read_csv`` whose failures (empty, binary, ragged files) name the file."""
    try:
        return pd.read_csv(path, comment="#", skipinitialspace=True, **kwargs)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError,
            OSError) as exc:
        why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataValidationError(f"{printable(path.name)}: cannot read it as a CSV table "
                                  f"({printable(why, 200)})") from None


def read_conductivity_csv(path: str | Path) -> ConductivityData:
    """Read (T, sigma) or (T, R, thickness, area) measurements; units come from the header.

    .. math:: \\sigma = \\frac{L}{R A}

    Parameters
    ----------
    path : str or Path
        CSV file (see the module docstring for the header).

    Returns
    -------
    ConductivityData
        Temperatures in K, conductivities (and errors) in S/cm.

    Raises
    ------
    UnitError
        A column has an unknown unit, or a required column is missing.
    InputError
        Fewer than three distinct temperatures, or both conductivity and resistance columns.
    DataValidationError
        A non-numeric or non-positive value (naming row and column).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"conductivity file not found: {path}")
    frame = _read_csv(path)
    frame.columns = [str(c).strip() for c in frame.columns]
    cols = list(frame.columns)
    t_col = _pick(cols, "T", path)
    s_col = _pick(cols, "sigma", path, required=False)
    r_col = _pick(cols, "R", path, required=False)
    if (s_col is None) == (r_col is None):
        raise UnitError(f"{path.name}: give either a conductivity column ({', '.join(_SIGMA)}) or a "
                        f"resistance column ({', '.join(_RESISTANCE)}) with thickness and area; "
                        f"got columns {', '.join(cols)}")
    T = _numeric(frame, t_col, path) + _TEMPERATURE[t_col]
    if (T <= 0).any():
        raise DataValidationError(f"{path.name}: column {t_col}: temperatures must be above 0 K")
    used = [t_col]
    if s_col is not None:
        sigma = _numeric(frame, s_col, path) * _SIGMA[s_col]
        e_col = _pick(cols, "sigma", path, required=False, err=True)
        used.append(s_col)
        err = None if e_col is None else _numeric(frame, e_col, path) * _factor(e_col, "sigma")
    else:
        L_col, A_col = _pick(cols, "thickness", path), _pick(cols, "area", path)
        R = _numeric(frame, r_col, path) * _RESISTANCE[r_col]
        L, A = _numeric(frame, L_col, path) * _THICKNESS[L_col], _numeric(frame, A_col, path) * _AREA[A_col]
        for name, v in ((r_col, R), (L_col, L), (A_col, A)):
            if (v <= 0).any():
                raise DataValidationError(f"{path.name}: column {name}: values must be > 0")
        sigma = L / (R * A)
        e_col = _pick(cols, "R", path, required=False, err=True)
        err = None if e_col is None else sigma * _numeric(frame, e_col, path) * _factor(e_col, "R") / R
        used += [r_col, L_col, A_col]
    if (sigma <= 0).any():
        raise DataValidationError(f"{path.name}: conductivities must be > 0")
    n_T = np.unique(T).size
    if n_T < MIN_TEMPERATURES:
        raise InputError(f"{path.name}: an Arrhenius fit needs at least {MIN_TEMPERATURES} distinct "
                         f"temperatures, got {n_T}")
    return ConductivityData(tuple(T.tolist()), tuple(sigma.tolist()),
                            None if err is None else tuple(err.tolist()), str(path),
                            tuple(used + ([e_col] if e_col else [])))


@dataclass(frozen=True, eq=False)
class Spectrum:
    """An impedance spectrum: frequencies in Hz and complex impedance in ohm (Z = Z' + jZ'')."""

    freq_Hz: np.ndarray
    Z_ohm: np.ndarray
    T_K: float | None = None
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        f = np.asarray(self.freq_Hz, dtype=float).ravel()
        Z = np.asarray(self.Z_ohm, dtype=complex).ravel()
        if f.size != Z.size:
            raise InputError(f"freq_Hz and Z_ohm must have the same length, got {f.size} and {Z.size}")
        if f.size < 5:
            raise InputError(f"a spectrum needs at least 5 frequencies, got {f.size}")
        if not (np.isfinite(f).all() and (f > 0).all()):
            raise InputError("freq_Hz must be finite and > 0")
        if not np.isfinite(Z).all():
            raise InputError("Z_ohm must be finite")
        _check_measurable(f, Z)
        object.__setattr__(self, "freq_Hz", f)
        object.__setattr__(self, "Z_ohm", Z)

    def to_frame(self) -> pd.DataFrame:
        """Columns ``freq_Hz, Z_real_ohm, Z_imag_ohm``."""
        return pd.DataFrame({"freq_Hz": self.freq_Hz, "Z_real_ohm": self.Z_ohm.real,
                             "Z_imag_ohm": self.Z_ohm.imag})


#: what an impedance analyser measures: frequencies (Hz) and impedance components (ohm)
FREQ_RANGE_HZ = (1e-6, 1e10)
MAX_Z_OHM = 1e15


def _check_measurable(f: np.ndarray, Z: np.ndarray) -> None:
    """Refuse a frequency or impedance no analyser measures (a first frequency of 3.2e269 Hz
    made the Kramers-Kronig check divide by zero), naming the column and the data row."""
    lo, hi = FREQ_RANGE_HZ
    columns = (("frequency", f, (f < lo) | (f > hi), f"{lo:g}-{hi:g} Hz"),
               ("Z' (real part)", Z.real, np.abs(Z.real) > MAX_Z_OHM, f"|Z'| <= {MAX_Z_OHM:g} ohm"),
               ("Z'' (imaginary part)", Z.imag, np.abs(Z.imag) > MAX_Z_OHM,
                f"|Z''| <= {MAX_Z_OHM:g} ohm"))
    for column, values, bad, allowed in columns:
        if bad.any():
            i = int(np.argmax(bad))
            raise InputError(f"{column} column: {values[i]:g} at data row {i + 1} is outside "
                             f"what an impedance analyser measures ({allowed})")
    largest = float(np.abs(Z).max())
    if 0.0 < largest < 1e-9:  # all zero: the readers' own error
        raise InputError(f"impedance is below 1e-09 ohm at every frequency (largest |Z| "
                         f"{largest:g} ohm): not a measured spectrum")


_T_IN_NAME = re.compile(r"(?<![A-Za-z0-9.])(-?\d+(?:\.\d+)?)\s*(K|C|degC)(?![A-Za-z])")


def temperature_from_filename(path: str | Path) -> float | None:
    """Temperature in K written in a file name (``LiN_300K.csv``, ``pellet_25C.csv``), else None."""
    m = _T_IN_NAME.search(Path(path).stem)
    if not m:
        return None
    value = float(m.group(1))
    return value + ZERO_C_K if m.group(2) in ("C", "degC") else value


def read_spectrum(path: str | Path, T_K: float | None = None) -> Spectrum:
    """Read an impedance spectrum (see the module docstring for the columns).

    Parameters
    ----------
    path : str or Path
        CSV file.
    T_K : float, optional
        Temperature in K; default: read from the file name (``..._300K.csv``), else None.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"spectrum file not found: {path}")
    frame = _read_csv(path)
    cols = [str(c).strip() for c in frame.columns]
    frame.columns = cols
    if all(_is_float(c) for c in cols) and len(cols) == 3:
        frame = _read_csv(path, header=None, names=["freq_Hz", "Z_real_ohm", "Z_imag_ohm"])
        cols = list(frame.columns)
    f_col = next((c for c in ("freq_Hz", "f_Hz", "frequency_Hz") if c in cols), None)
    if f_col is None or "Z_real_ohm" not in cols:
        raise UnitError(f"{path.name}: expected columns freq_Hz, Z_real_ohm and Z_imag_ohm (or "
                        f"minus_Z_imag_ohm); got {', '.join(cols)}")
    if "Z_imag_ohm" in cols:
        imag = _numeric(frame, "Z_imag_ohm", path)
    elif "minus_Z_imag_ohm" in cols:
        imag = -_numeric(frame, "minus_Z_imag_ohm", path)
    else:
        raise UnitError(f"{path.name}: no imaginary-part column; expected Z_imag_ohm (signed) or "
                        "minus_Z_imag_ohm")
    Z = _numeric(frame, "Z_real_ohm", path) + 1j * imag
    T = temperature_from_filename(path) if T_K is None else float(T_K)
    try:
        return Spectrum(_numeric(frame, f_col, path), Z, T, str(path))
    except InputError as exc:
        raise type(exc)(f"{path.name}: {exc}") from None


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
