"""What a laboratory can measure, and where a stored record stops being valid.

Two kinds of check, one place:

* :func:`check_measurement` refuses values no laboratory measures (conductivity above
  10 S/cm, temperatures outside 10-2000 K, activation energies outside 0-3 eV) unless
  ``allow_implausible``; imports, ``eis --store`` and ``fit --store`` call it.
* :func:`evaluation_warnings` says when a record is evaluated outside its measured temperature
  range, past a known phase transition or past the melting point (Li3N: 814 °C, sections 3.1 and
  3.2 of the review; ``records.yaml``, ``phase_transitions``, kind ``melting``).
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from nitrolyte.errors import DataValidationError, InputError
from nitrolyte.units import ZERO_C_K

#: (low, high) limits of what a laboratory measures; units in the key
LIMITS: dict[str, tuple[float, float]] = {"T_K": (10.0, 2000.0), "sigma_S_cm": (0.0, 10.0),
                                          "Ea_eV": (0.0, 3.0)}
#: element symbols in a formula string (a cheap pre-check before pymatgen)
_ELEMENT = re.compile(r"[A-Z][a-z]?")
_HINT = " (pass --allow-implausible / allow_implausible=True if it is real)"


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
        lo, hi = LIMITS[key]
        bad = arr[(arr <= lo) | (arr > hi)] if key == "sigma_S_cm" else arr[(arr < lo) | (arr > hi)]
        if bad.size and key != "Ea_eV" and bad[0] <= 0:
            raise error(f"{prefix}{key} must be > 0, got {bad[0]:g}")
        if bad.size:
            rng = f"0 < {key} <= {hi:g}" if key == "sigma_S_cm" else f"{lo:g} <= {key} <= {hi:g}"
            raise error(f"{prefix}{key} = {bad[0]:g} is outside what a laboratory measures "
                             f"({rng}){_HINT}")


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


def _number(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if out == out else None


def check_rows(rows: Iterable[dict[str, Any]], where: str, allow_implausible: bool = False) -> None:
    """:func:`check_measurement` for long-format measurement rows (``property, value, unit,
    temperature, temperature_unit``); rows that do not parse are left to the store's
    validation. The error names the row (numbered from 1)."""
    from nitrolyte.units import conductivity_to_S_cm

    if allow_implausible:
        return
    for i, row in enumerate(rows, start=1):
        T, unit = _number(row.get("temperature")), str(row.get("temperature_unit") or "K").strip()
        T_K = None if T is None else T + (ZERO_C_K if unit in ("C", "°C", "degC") else 0.0)
        value, prop = _number(row.get("value")), str(row.get("property") or "ionic_conductivity")
        kw: dict[str, list[float]] = {"T_K": [] if T_K is None or T_K <= 0 else [T_K]}
        if value is not None and value <= 0:
            pass  # non-positive values are the store's validation error, not implausible
        elif value is not None and prop == "ionic_conductivity":
            with contextlib.suppress(InputError):  # an unknown unit is the store's error to report
                kw["sigma_S_cm"] = [float(conductivity_to_S_cm(value, str(row.get("unit") or "S/cm")))]
        elif value is not None and prop == "activation_energy":
            kw["Ea_eV"] = [value * (1e-3 if str(row.get("unit")) == "meV" else 1.0)]
        check_measurement(**kw, where=f"{where} row {i}", error=DataValidationError)


def record_warnings(record: Any, T_K: Sequence[float] | Any) -> list[str]:
    """:func:`evaluation_warnings` for a :class:`~nitrolyte.api.MaterialRecord` at ``T_K`` (K):
    its measured range is the temperatures of its conductivity rows."""
    measured = [m.temperature_K for m in record.measurements
                if m.property == "ionic_conductivity" and m.temperature_K is not None]
    single = _single_point_warning(record, T_K, measured)
    out = evaluation_warnings(record.material_id, T_K, () if len(set(measured)) == 1 else measured,
                              formula=record.formula or None)
    return single + out


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
