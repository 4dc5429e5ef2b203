"""Physical constants and the unit conversions used at nitrolyte's boundaries.

Inside the package everything is SI or the unit spelled in the name (``thickness_um``,
``sigma_S_cm``). These helpers turn user-facing unit strings into those units and raise
:class:`~nitrolyte.errors.UnitError` naming the field for unknown units.
"""

from __future__ import annotations

import re
from typing import Any, Literal

import numpy as np

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
#: 1 mAh in coulomb.
MAH_TO_C: float = 3.6

_TEMPERATURE_UNITS = {"K": "K", "k": "K", "C": "C", "c": "C", "°C": "C", "degC": "C", "celsius": "C",
                      "kelvin": "K"}
_CONDUCTIVITY_TO_S_CM = {"S/cm": 1.0, "S cm-1": 1.0, "S cm^-1": 1.0, "S/m": 1e-2, "mS/cm": 1e-3,
                         "uS/cm": 1e-6, "µS/cm": 1e-6, "mS/m": 1e-5}
_LENGTH_TO_CM = {"cm": 1.0, "mm": 0.1, "um": 1e-4, "µm": 1e-4, "micron": 1e-4, "nm": 1e-7, "m": 100.0}
_AREA_TO_CM2 = {"cm2": 1.0, "cm^2": 1.0, "mm2": 1e-2, "mm^2": 1e-2, "m2": 1e4, "m^2": 1e4}
_RESISTANCE_TO_OHM = {"ohm": 1.0, "Ohm": 1.0, "Ω": 1.0, "kohm": 1e3, "kOhm": 1e3, "kΩ": 1e3,
                      "Mohm": 1e6, "MOhm": 1e6, "MΩ": 1e6}


def _lookup(table: dict[str, Any], unit: str, field: str, kind: str) -> Any:
    key = unit.strip()
    if key in table:
        return table[key]
    raise UnitError(f"{field}: unknown {kind} unit {unit!r}; allowed: {', '.join(sorted(set(table)))}")


def to_kelvin(value: Any, unit: str = "K", field: str = "temperature") -> Any:
    """Convert a temperature in K or degC to K; the result must be > 0 K.

    .. math:: T_K = T_C + 273.15
    """
    kind = _lookup(_TEMPERATURE_UNITS, unit, field, "temperature")
    arr = np.asarray(value, dtype=float)
    out = arr + ZERO_C_K if kind == "C" else arr
    if np.any(~(out > 0)):
        raise InputError(f"{field} must be above 0 K, got {value} {unit}")
    return float(out) if out.ndim == 0 else out


_NUMBER = r"([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)"
_T_PATTERN = re.compile(rf"^\s*{_NUMBER}\s*(K|C|°C|degC)?\s*$")
_QUANTITY_PATTERN = re.compile(rf"^\s*{_NUMBER}\s*([A-Za-z°µ^0-9]+)\s*$")
#: kind -> (units accepted by :func:`parse_quantity`, example for the error message)
_QUANTITY_KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    "temperature": (("K", "C", "°C", "degC"), "300K or 25C"),
    "length": (("um", "µm", "mm", "cm"), "500um or 0.5mm"),
    "area": (("cm2", "cm^2", "mm2", "mm^2"), "0.785cm2 or 78.5mm2"),
}


def split_temperature(text: str, field: str = "T") -> tuple[float, str]:
    """``"25C"`` -> (25.0, ``"C"``); ``"300K"`` or a bare ``"300"`` -> (300.0, ``"K"``).

    The number keeps the unit it was written in (no range check), for storing it as given.
    """
    m = _T_PATTERN.match(text)
    if not m:
        raise UnitError(f"{field}: cannot read temperature {text!r}; write e.g. 300K, 25C or 300")
    return float(m.group(1)), _TEMPERATURE_UNITS[m.group(2) or "K"]


def parse_quantity(text: str, kind: Literal["temperature", "length", "area"], field: str) -> float:
    """Read a number with a required unit: temperature -> K, length -> cm, area -> cm2.

    ``"25C"`` -> 298.15, ``"500um"`` -> 0.05, ``"78.5mm2"`` -> 0.785. Temperatures must be above
    0 K, lengths and areas > 0; errors name ``field`` and the value received.
    """
    units, example = _QUANTITY_KINDS[kind]
    m = _QUANTITY_PATTERN.match(text)
    if not m or m.group(2) not in units:
        raise UnitError(f"{field}: cannot read {text!r}; write a number with a unit "
                        f"({', '.join(units)}), e.g. {example}")
    value, unit = float(m.group(1)), m.group(2)
    if kind == "temperature":
        return float(to_kelvin(value, unit, field))
    if value <= 0:
        raise InputError(f"{field} must be > 0, got {text}")
    return value * (_LENGTH_TO_CM if kind == "length" else _AREA_TO_CM2)[unit]


def conductivity_to_S_cm(value: Any, unit: str, field: str = "conductivity") -> Any:
    """Convert a conductivity in S/cm, S/m, mS/cm, ... to S/cm."""
    return np.asarray(value, dtype=float) * _lookup(_CONDUCTIVITY_TO_S_CM, unit, field, "conductivity")


def length_to_cm(value: Any, unit: str, field: str = "length") -> Any:
    """Convert a length in cm, mm, um, nm or m to cm."""
    return np.asarray(value, dtype=float) * _lookup(_LENGTH_TO_CM, unit, field, "length")


def area_to_cm2(value: Any, unit: str, field: str = "area") -> Any:
    """Convert an area in cm2, mm2 or m2 to cm2."""
    return np.asarray(value, dtype=float) * _lookup(_AREA_TO_CM2, unit, field, "area")


def resistance_to_ohm(value: Any, unit: str, field: str = "resistance") -> Any:
    """Convert a resistance in ohm, kohm or Mohm to ohm."""
    return np.asarray(value, dtype=float) * _lookup(_RESISTANCE_TO_OHM, unit, field, "resistance")


CONDUCTIVITY_UNITS = tuple(_CONDUCTIVITY_TO_S_CM)
LENGTH_UNITS = tuple(_LENGTH_TO_CM)
AREA_UNITS = tuple(_AREA_TO_CM2)
RESISTANCE_UNITS = tuple(_RESISTANCE_TO_OHM)
TEMPERATURE_UNITS = ("K", "C")
