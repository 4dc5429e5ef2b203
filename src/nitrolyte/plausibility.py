"""What a laboratory can measure, and where a stored record stops being valid.

Three kinds of check, one place:

* :func:`limit_masks` marks values no laboratory measures (conductivity above 10 S/cm,
  temperatures outside 10-2000 K, activation energies outside 0-3 eV). Every write applies it
  through the store's one validation (:func:`nitrolyte.store.validate.validate_frame`: ``add``,
  ``import``, the REST writes, the web upload, EIS/fit/MD measurement sets) unless
  ``allow_implausible``; :func:`check_measurement` says the same for loose numbers (a spectrum's
  temperature, a fitted series) before anything is computed.
* :func:`usable_frame` is the readers' side: a stored row outside those limits (as an older
  version, or ``--allow-implausible``, could store) is skipped by screening and the report's
  extrapolations with a warning naming the material, property, value and reason, never an
  exception that fails the whole page.
* :func:`evaluation_warnings` says when a record is evaluated outside its measured temperature
  range, past a known phase transition or past the melting point (Li3N: 814 °C, sections 3.1 and
  3.2 of the review; ``records.yaml``, ``phase_transitions``, kind ``melting``).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from nitrolyte.errors import InputError
from nitrolyte.units import ZERO_C_K

#: (low, high) limits of what a laboratory measures; units in the key
LIMITS: dict[str, tuple[float, float]] = {"T_K": (10.0, 2000.0), "sigma_S_cm": (0.0, 10.0),
                                          "Ea_eV": (0.0, 3.0)}
#: element symbols in a formula string (a cheap pre-check before pymatgen)
_ELEMENT = re.compile(r"[A-Z][a-z]?")
_HINT = " (pass --allow-implausible / allow_implausible=True if it is real)"


def _outside(key: str, value: float) -> str:
    """Why ``value`` of ``key`` (a :data:`LIMITS` key) is refused: the message every door gives."""
    lo, hi = LIMITS[key]
    rng = f"0 < {key} <= {hi:g}" if key == "sigma_S_cm" else f"{lo:g} <= {key} <= {hi:g}"
    return f"{key} = {value:g} is outside what a laboratory measures ({rng})"


def outside_mask(key: str, values: Any) -> Any:
    """Boolean array: which ``values`` (finite numbers, unit in ``key``) lie outside LIMITS[key].

    NaN (a blank) is never outside; a conductivity must be > 0, the others within [lo, hi].
    """
    lo, hi = LIMITS[key]
    arr = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        low = arr <= lo if key == "sigma_S_cm" else arr < lo
        return low | (arr > hi)


def check_measurement(*, T_K: Iterable[float] = (), sigma_S_cm: Iterable[float] = (),
                      Ea_eV: Iterable[float] = (), where: str = "",
                      allow_implausible: bool = False,
                      error: type[Exception] = InputError) -> None:
    """Raise ``error`` (:class:`InputError`, or :class:`DataValidationError` for values read
    from a file) naming ``where`` for a value outside :data:`LIMITS`.

    Parameters
    ----------
    T_K, sigma_S_cm, Ea_eV : iterable of float
        Temperatures (K), conductivities (S/cm), activation energies (eV).
    where : str
        File or field the values come from, for the message.
    allow_implausible : bool
        Skip the range check (values must still be finite numbers).
    error : exception class
        What to raise (the CLI exits 2 for InputError, 1 for DataValidationError).
    """
    prefix = f"{where}: " if where else ""
    for key, values in (("T_K", T_K), ("sigma_S_cm", sigma_S_cm), ("Ea_eV", Ea_eV)):
        arr = np.asarray(list(values), dtype=float)
        if arr.size and not np.all(np.isfinite(arr)):
            raise error(f"{prefix}{key} must be finite, got {arr[~np.isfinite(arr)][0]}")
        if allow_implausible or not arr.size:
            continue
        bad = arr[outside_mask(key, arr)]
        if bad.size and key != "Ea_eV" and bad[0] <= 0:
            raise error(f"{prefix}{key} must be > 0, got {bad[0]:g}")
        if bad.size:
            raise error(f"{prefix}{_outside(key, bad[0])}{_HINT}")


def limit_masks(prop: Any, value: Any, T_K: Any) -> list[tuple[Any, Callable[[int], str]]]:
    """Rows outside :data:`LIMITS`, for the store's validation of a batch.

    Parameters
    ----------
    prop : array of str
        Each row's property.
    value : array of float
        Each row's value in the property's canonical unit (S/cm, eV, K); NaN where unknown. A
        transition temperature is held to the temperature limits.
    T_K : array of float
        Each row's temperature in K (NaN where none).

    Returns
    -------
    list of (mask, message)
        One boolean mask per limit and a function of the row index giving its message
        (with the ``--allow-implausible`` hint).
    """
    prop, value, T_K = np.asarray(prop, dtype=object), np.asarray(value, float), np.asarray(T_K, float)
    out: list[tuple[Any, Callable[[int], str]]] = []
    for key, arr, rows in (("T_K", T_K, np.ones(len(prop), dtype=bool)),
                           ("sigma_S_cm", value, prop == "ionic_conductivity"),
                           ("Ea_eV", value, prop == "activation_energy"),
                           ("T_K", value, prop == "transition_temperature")):
        out.append((rows & outside_mask(key, arr),
                    lambda i, k=key, a=arr: f"{_outside(k, float(a[i]))}{_HINT}"))
    return out


#: wide-frame columns a reader uses -> (LIMITS key, the property named in a warning, unit)
_WIDE_LIMITS = (("T_K", "T_K", "temperature", "K"),
                ("sigma_S_cm", "sigma_S_cm", "ionic_conductivity", "S/cm"),
                ("Ea_eV", "Ea_eV", "activation_energy", "eV"),
                ("Ea_HT_eV", "Ea_eV", "activation_energy (HT)", "eV"))


def usable_frame(frame: Any) -> tuple[Any, list[str]]:
    """A wide materials frame with the values no laboratory measures blanked, and why.

    A reader that extrapolates (screening, the report's Arrhenius lines, the API) calls this
    first: a stored row outside :data:`LIMITS` (a 5 K pellet, 500 S/cm, Ea 4.9 eV) cannot be
    used, so its value becomes NaN (unknown; a bad temperature blanks the conductivity measured
    at it too) and one warning per value names the material, property, value and reason.

    Parameters
    ----------
    frame : pandas.DataFrame
        The wide frame (:func:`nitrolyte.api.materials`); columns that are absent are skipped.

    Returns
    -------
    (pandas.DataFrame, list of str)
        A copy with the unusable values blanked (the input when nothing was), and the warnings.
    """
    warnings: list[str] = []
    out = frame
    for col, key, prop, unit in _WIDE_LIMITS:
        if col not in frame.columns:
            continue
        values = np.asarray(frame[col].to_numpy(dtype=float, na_value=np.nan), dtype=float)
        with np.errstate(invalid="ignore"):
            bad = outside_mask(key, values) | np.isinf(values)
        if not bad.any():
            continue
        out = out.copy() if out is frame else out
        blank = [col, "sigma_S_cm"] if col == "T_K" and "sigma_S_cm" in frame.columns else [col]
        sigma = (frame["sigma_S_cm"].to_numpy(dtype=float, na_value=np.nan)
                 if col == "T_K" and "sigma_S_cm" in frame.columns else None)
        for i in np.flatnonzero(bad):
            name = frame["name"].iloc[i] if "name" in frame.columns else frame.index[i]
            what = (f"{prop} {values[i]:g} {unit}" if sigma is None else
                    f"ionic_conductivity {sigma[i]:g} S/cm at {values[i]:g} K")
            warnings.append(f"skipped {name}: {what}: {_outside(key, float(values[i]))}")
        out.loc[out.index[bad], blank] = np.nan
    return out, warnings


def temperature_limits_K(material_id: str, formula: str | None = None) -> list[tuple[float, str]]:
    """Known temperature-driven transitions and melting points of a material, as (T_K, text).

    A transition applies to its own ``material_id``; a melting point to every material of that
    formula (every Li3N record melts at 814 °C).
    """
    out = []
    for tr in _temperature_transitions():
        mine = tr["material_id"] == material_id or (
            tr["kind"] == "melting" and formula is not None and _same_formula(formula, tr["reduced"]))
        if mine:
            out.append((float(tr["T_K"]), str(tr["text"])))
    return out


@functools.cache
def _temperature_transitions() -> list[dict[str, Any]]:
    """The temperature-driven entries of ``records.yaml``'s ``phase_transitions``, computed from
    the validated records once per data hash (:mod:`nitrolyte.data.cache`), not per process."""
    from nitrolyte.data.cache import once_per_data

    return list(json.loads(once_per_data("temperature_transitions_v1", _transitions_json)))


def _transitions_json() -> str:
    from nitrolyte.dataset import records

    rows = []
    for tr in records().phase_transitions:
        if tr.driver != "temperature":
            continue
        what = "melting point" if tr.kind == "melting" else f"{tr.from_phase} -> {tr.to_phase}"
        rows.append({"material_id": tr.material_id, "kind": tr.kind,
                     "reduced": _reduced_formula(tr.material),
                     "T_K": tr.value + (ZERO_C_K if tr.unit == "C" else 0.0),
                     "text": f"{what} at {tr.value:g} {'°C' if tr.unit == 'C' else 'K'} "
                             f"({tr.location})"})
    return json.dumps(rows)


def _reduced_formula(formula: str) -> str | None:
    """pymatgen's reduced formula, or None when ``formula`` does not parse."""
    from pymatgen.core import Composition

    try:
        return str(Composition(formula).reduced_formula)
    except (ValueError, KeyError):
        return None


def _same_formula(formula: str, reduced: str | None) -> bool:
    """Whether ``formula`` reduces to ``reduced``; pymatgen is only loaded when the element
    symbols agree but the strings differ."""
    if reduced is None:
        return False
    if formula == reduced:
        return True
    if set(_ELEMENT.findall(formula)) != set(_ELEMENT.findall(reduced)):
        return False
    return _reduced_formula(formula) == reduced


def evaluation_warnings(material_id: str, T_K: Sequence[float] | Any,
                        measured_K: Sequence[float] = (), formula: str | None = None) -> list[str]:
    """Warnings for evaluating a record at ``T_K`` (K).

    Parameters
    ----------
    material_id : str
        The record's material.
    T_K : float or sequence of float
        Temperatures asked for, K.
    measured_K : sequence of float
        Temperatures the record was measured at (its valid range), K.
    formula : str, optional
        The material's formula (melting points apply per formula).
    """
    temps = np.atleast_1d(np.asarray(T_K, dtype=float))
    out = []
    if len(measured_K) >= 2:
        lo, hi = float(min(measured_K)), float(max(measured_K))
        outside = temps[(temps < lo - 1e-9) | (temps > hi + 1e-9)]
        if outside.size:
            out.append(f"extrapolated: {outside[0]:.2f} K is outside the measured range "
                       f"{lo:.2f}-{hi:.2f} K")
    for T_lim, text in temperature_limits_K(material_id, formula):
        if np.any(temps > T_lim):
            out.append(f"{temps.max():.2f} K is past the {text}; the Arrhenius line does not apply")
    return out


def record_warnings(record: Any, T_K: Sequence[float] | Any) -> list[str]:
    """:func:`evaluation_warnings` for a :class:`~nitrolyte.api.MaterialRecord` at ``T_K`` (K):
    its measured range is the temperatures of its conductivity rows. A stored value the answer
    rests on that lies outside :data:`LIMITS` (an older version, or ``--allow-implausible``,
    stored it) is named first; a record measured at one temperature says that its Ea is
    assumed."""
    measured = [m.temperature_K for m in record.measurements
                if m.property == "ionic_conductivity" and m.temperature_K is not None]
    out: list[str] = []
    for row in getattr(record, "summary", None) or ():  # one wide row per direction
        for key in ("sigma_S_cm", "T_K", "Ea_eV"):
            value = _finite_or_none(row.get(key))
            text = None if value is None else f"the stored {_outside(key, value)}; this answer rests on it"
            if text is not None and outside_mask(key, [value])[0] and text not in out:
                out.append(text)
    out += _single_point_warning(record, T_K, measured)
    return out + evaluation_warnings(record.material_id, T_K,
                                     () if len(set(measured)) == 1 else measured,
                                     formula=record.formula or None)


def _finite_or_none(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if np.isfinite(out) else None


def _single_point_warning(record: Any, T_K: Sequence[float] | Any,
                          measured_K: Sequence[float]) -> list[str]:
    """A record measured at one temperature is extrapolated everywhere else with an assumed
    Ea: say so, and where that Ea comes from."""
    if len(set(measured_K)) != 1:
        return []
    T0 = float(measured_K[0])
    temps = np.atleast_1d(np.asarray(T_K, dtype=float))
    away = temps[np.abs(temps - T0) > 0.5]  # 0.5 K: 25 °C written as 298 K
    if not away.size:
        return []
    ea = [m for m in record.measurements if m.property == "activation_energy"]
    if ea:
        m = ea[0]
        where = ", ".join(x for x in (f"ref. {m.ref}" if m.ref else "", m.location) if x) \
            or f"{m.source} row"
        values = "; ".join(" ".join(x for x in (f"{e.value:g} {e.unit}", e.direction, e.phase) if x)
                           for e in ea)
        source = f"Ea = {values} ({where}) assumed constant"
    else:
        source = "no Ea in the record"
    return [f"extrapolated: {away[0]:.2f} K from the record's one measured temperature "
            f"{T0:.2f} K; {source}"]


def warn_record(record: Any, T_K: Sequence[float] | Any, *, stacklevel: int = 3) -> list[str]:
    """Emit :func:`record_warnings` as :class:`~nitrolyte.errors.PlausibilityWarning` (for the
    Python API; the CLI prints the same texts itself) and return them.

    ``stacklevel`` 3 points at the caller of the public function that calls this one.
    """
    import warnings

    from nitrolyte.errors import PlausibilityWarning

    texts = record_warnings(record, T_K)
    for text in texts:
        warnings.warn(text, PlausibilityWarning, stacklevel=stacklevel)
    return texts
