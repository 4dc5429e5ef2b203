"""Physical constants and the unit conversions used at nitrolyte's boundaries.

Inside the package everything is SI or the unit spelled in the name (``thickness_um``,
``sigma_S_cm``). These helpers turn user-facing unit strings into those units and raise
:class:`~nitrolyte.errors.UnitError` naming the field for unknown units.
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from nitrolyte.errors import InputError, UnitError

# The SI defining constants (exact since 2019, the values scipy.constants holds), written out
# so that every command does not pay ~0.1 s to import scipy.constants.
#: Boltzmann constant in J/K (exact).
K_B: float = 1.380649e-23
#: Elementary charge in C (exact).
E_CHARGE: float = 1.602176634e-19
#: Avogadro constant in 1/mol (exact).
N_A: float = 6.02214076e23
#: Boltzmann constant in eV/K.
K_B_EV: float = K_B / E_CHARGE
#: Faraday constant in C/mol.
FARADAY: float = E_CHARGE * N_A
#: Molar gas constant in J/(mol K).
R_GAS: float = K_B * N_A
#: 0 degC in K.
ZERO_C_K: float = 273.15
#: Room temperature used by the review's tables (25 degC) in K.
T_ROOM_K: float = 298.15
#: Highest temperature a command accepts, K (far above any solid electrolyte's melting point).
T_MAX_K: float = 1.0e4
#: 1 mAh in coulomb.
MAH_TO_C: float = 3.6

_TEMPERATURE_UNITS = {"K": "K", "k": "K", "C": "C", "c": "C", "°C": "C", "degC": "C", "celsius": "C",
                      "kelvin": "K"}
_CONDUCTIVITY_TO_S_CM = {"S/cm": 1.0, "S cm-1": 1.0, "S cm^-1": 1.0, "S/m": 1e-2, "mS/cm": 1e-3,
                         "uS/cm": 1e-6, "µS/cm": 1e-6, "mS/m": 1e-5, "uS/m": 1e-8}
_LENGTH_TO_CM = {"cm": 1.0, "mm": 0.1, "um": 1e-4, "µm": 1e-4, "micron": 1e-4, "nm": 1e-7, "m": 100.0}
_AREA_TO_CM2 = {"cm2": 1.0, "cm^2": 1.0, "mm2": 1e-2, "mm^2": 1e-2, "m2": 1e4, "m^2": 1e4}
_RESISTANCE_TO_OHM = {"ohm": 1.0, "Ohm": 1.0, "Ω": 1.0, "kohm": 1e3, "kOhm": 1e3, "kΩ": 1e3,
                      "Mohm": 1e6, "MOhm": 1e6, "MΩ": 1e6}
_TIME_TO_PS = {"fs": 1e-3, "ps": 1.0, "ns": 1e3}
_PER = re.compile(r"^(\S+) (c?m)-1$")


def canonical_unit(unit: str) -> str:
    """One spelling per unit: ``"mS cm⁻¹"``, ``"mS·cm^-1"``, ``"mS cm-1"`` -> ``"mS/cm"``.

    Unicode NFKC (superscripts become digits), micro as ``u``, ``·``/``*`` as a space, ``^-1``
    and ``-1`` exponents as a division; ``°C`` stays ``°C``.
    """
    import unicodedata

    text = unicodedata.normalize("NFKC", str(unit)).strip()
    text = text.replace("μ", "u").replace("·", " ").replace("⋅", " ").replace("*", " ")
    text = re.sub(r"\s+", " ", text.replace("^", "")).replace("−", "-")
    text = re.sub(r"\s*/\s*", "/", text)
    m = _PER.match(text)
    return f"{m.group(1)}/{m.group(2)}" if m else text


def _lookup(table: dict[str, Any], unit: str, field: str, kind: str) -> Any:
    if not isinstance(unit, str):
        raise UnitError(f"{field}: a {kind} unit must be text, got {unit!r}")
    for key in (unit.strip(), canonical_unit(unit)):
        if key in table:
            return table[key]
    raise UnitError(f"{field}: unknown {kind} unit {unit!r}; allowed: {', '.join(sorted(set(table)))}")


def is_conductivity_unit(unit: str) -> bool:
    """True for any spelling of S/cm, mS/cm, uS/cm, S/m, mS/m (see :func:`canonical_unit`)."""
    try:
        _lookup(_CONDUCTIVITY_TO_S_CM, unit, "unit", "conductivity")
    except UnitError:
        return False
    return True


def to_kelvin_or_none(value: float, unit: str) -> float | None:
    """Convert a temperature in K or C to K; None if it is not above 0 K.

    .. math:: T_K = T_C + 273.15
    """
    kelvin = value + ZERO_C_K if unit == "C" else value
    return kelvin if kelvin > 0 else None


def to_kelvin(value: Any, unit: str = "K", field: str = "temperature") -> Any:
    """Convert a temperature in K or degC to K; the result must be > 0 K.

    .. math:: T_K = T_C + 273.15
    """
    import numpy as np  # here, not at import: commands that only format numbers skip numpy

    kind = _lookup(_TEMPERATURE_UNITS, unit, field, "temperature")
    arr = np.asarray(value, dtype=float)
    out = arr + ZERO_C_K if kind == "C" else arr
    if np.any(~(out > 0)):
        raise InputError(f"{field} must be above 0 K, got {value} {unit}")
    return float(out) if out.ndim == 0 else out


_NUMBER = r"([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)"
_T_PATTERN = re.compile(rf"^\s*{_NUMBER}\s*(K|C|°C|degC)?\s*$")
_QUANTITY_PATTERN = re.compile(rf"^\s*{_NUMBER}\s*(.*?)\s*$", re.S)
#: kind -> (unit table, unit of a bare number or None if a unit is required, example)
_QUANTITY_KINDS: dict[str, tuple[dict[str, Any], str | None, str]] = {
    "temperature": (_TEMPERATURE_UNITS, None, "300K, 25C or 25°C"),
    "length": ({k: v for k, v in _LENGTH_TO_CM.items() if k != "m"}, None, "500um or 0.5mm"),
    "area": ({k: v for k, v in _AREA_TO_CM2.items() if not k.startswith("m2")
              and not k.startswith("m^")}, None, "0.785cm2 or 78.5mm2"),
    "conductivity": (_CONDUCTIVITY_TO_S_CM, "S/cm", "1e-3S/cm, 1 mS/cm or 0.1 S m-1"),
    "time": (_TIME_TO_PS, None, "0.1ps or 10fs"),
}


def bare_temperature_error(field: str, value: float | str) -> UnitError:
    """The one refusal of a temperature typed without its unit (is 25 kelvin or °C?):
    ``T: a bare number 25 is ambiguous; write 25C or 298.15K``."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return UnitError(f"{field}: a bare number {value} is ambiguous; write it with its unit, "
                         "e.g. 25C or 298.15K")
    if not math.isfinite(v):
        return UnitError(f"{field}: a bare number {value} is ambiguous and not finite; write e.g. "
                         "25C or 298.15K")
    return UnitError(f"{field}: a bare number {v:g} is ambiguous; write {v:g}C or "
                     f"{round(v + ZERO_C_K, 6):g}K")


def split_temperature(text: str, field: str = "T") -> tuple[float, str]:
    """``"25C"`` -> (25.0, ``"C"``); ``"300K"`` -> (300.0, ``"K"``).

    The number keeps the unit it was written in (no range check), for storing it as given. A
    bare number is refused (:func:`bare_temperature_error`): 25 could be kelvin or °C.
    """
    m = _T_PATTERN.match(text) if isinstance(text, str) else None
    if not m or not math.isfinite(float(m.group(1))):
        raise UnitError(f"{field}: cannot read temperature {text!r}; write e.g. 300K or 25C")
    if m.group(2) is None:
        raise bare_temperature_error(field, m.group(1))
    return float(m.group(1)), _TEMPERATURE_UNITS[m.group(2)]


def parse_quantity(text: str,
                   kind: Literal["temperature", "length", "area", "conductivity", "time"],
                   field: str) -> float:
    """Read a number with its unit: temperature -> K, length -> cm, area -> cm2, σ -> S/cm,
    time -> ps.

    ``"25C"`` -> 298.15, ``"500um"`` -> 0.05, ``"78.5mm2"`` -> 0.785, ``"2 mS cm-1"`` -> 2e-3.
    A bare number is S/cm for a conductivity; temperatures (is 25 kelvin or °C?), lengths,
    areas and times need their unit (:func:`bare_temperature_error` says how to write one).
    Temperatures must be above 0 K, the others finite and > 0; errors name ``field`` and the
    value received.
    """
    table, bare, example = _QUANTITY_KINDS[kind]
    m = _QUANTITY_PATTERN.match(text) if isinstance(text, str) else None
    if m is not None and kind == "temperature" and not m.group(2):
        raise bare_temperature_error(field, m.group(1))
    unit = (m.group(2) or bare) if m else None
    factor = None
    if unit is not None:
        for key in (unit, canonical_unit(unit)):
            factor = table.get(key, factor)
    if m is None or factor is None:
        raise UnitError(f"{field}: cannot read {text!r}; write a number with a unit "
                        f"({', '.join(dict.fromkeys(table))}), e.g. {example}")
    value = float(m.group(1))
    if not math.isfinite(value):
        noun = {"length": "size", "area": "size"}.get(kind, kind)
        raise InputError(f"{field} must be a finite {noun}, got {text}")
    if kind == "temperature":
        kelvin = float(to_kelvin(value, unit, field))
        if kelvin > T_MAX_K:
            raise InputError(f"{field} must be at most {T_MAX_K:g} K, got {text}")
        return kelvin
    if value <= 0:
        raise InputError(f"{field} must be > 0, got {text}")
    return value * factor


def conductivity_factor(unit: str, field: str = "conductivity") -> float:
    """The factor that turns a conductivity in ``unit`` (S/m, mS/cm, ...) into S/cm."""
    return float(_lookup(_CONDUCTIVITY_TO_S_CM, unit, field, "conductivity"))


def conductivity_to_S_cm(value: Any, unit: str, field: str = "conductivity") -> Any:
    """Convert a conductivity in S/cm, S/m, mS/cm, ... to S/cm."""
    import numpy as np

    return np.asarray(value, dtype=float) * conductivity_factor(unit, field)


def length_to_cm(value: Any, unit: str, field: str = "length") -> Any:
    """Convert a length in cm, mm, um, nm or m to cm."""
    import numpy as np

    return np.asarray(value, dtype=float) * _lookup(_LENGTH_TO_CM, unit, field, "length")


def area_to_cm2(value: Any, unit: str, field: str = "area") -> Any:
    """Convert an area in cm2, mm2 or m2 to cm2."""
    import numpy as np

    return np.asarray(value, dtype=float) * _lookup(_AREA_TO_CM2, unit, field, "area")


def resistance_to_ohm(value: Any, unit: str, field: str = "resistance") -> Any:
    """Convert a resistance in ohm, kohm or Mohm to ohm."""
    import numpy as np

    return np.asarray(value, dtype=float) * _lookup(_RESISTANCE_TO_OHM, unit, field, "resistance")


CONDUCTIVITY_UNITS = tuple(_CONDUCTIVITY_TO_S_CM)
LENGTH_UNITS = tuple(_LENGTH_TO_CM)
AREA_UNITS = tuple(_AREA_TO_CM2)
RESISTANCE_UNITS = tuple(_RESISTANCE_TO_OHM)
TEMPERATURE_UNITS = ("K", "C")
