"""The property registry: every measured property the database stores, in one place.

One :class:`PropertySpec` per property (name, unit kind, canonical unit, whether a temperature
is required, the plausible range and the columns it fills in the wide materials frame). The row
schema (:mod:`nitrolyte.data.schema`), the unit checks, the wide frame (:mod:`nitrolyte.data.wide`),
the store's bulk validation and the record accessors all read this registry; adding a property is
one :func:`register_property` call.

Examples
--------
>>> from nitrolyte.properties import PROPERTIES
>>> PROPERTIES["electronic_conductivity"].canonical_unit
'S/cm'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from nitrolyte.units import CONDUCTIVITY_UNITS, ZERO_C_K, conductivity_factor

#: unit kind -> allowed units (temperatures are K or C, converted separately)
UNITS: dict[str, tuple[str, ...]] = {
    "conductivity": CONDUCTIVITY_UNITS,
    "energy": ("eV", "meV"),
    "temperature": ("K", "C"),
}
#: unit kind -> canonical unit shown in messages
CANONICAL_UNIT: dict[str, str] = {"conductivity": "S/cm", "energy": "eV", "temperature": "K or C"}
_ENERGY_TO_EV = {"eV": 1.0, "meV": 1e-3}
#: highest temperature (K) accepted for a measurement or a transition (hotter than any furnace)
T_MAX_K = 1.0e4


@dataclass(frozen=True)
class WideColumn:
    """How a property fills one value column of the wide materials frame.

    Attributes
    ----------
    column : str
        Wide-frame column holding the value in the canonical unit (K for temperatures).
    phases : tuple of str
        Phases (``""``, ``"LT"``, ``"HT"``) a row may have to be shown here.
    qualifier_column : str or None
        Column that receives the row's qualifier (``"<"`` for an upper bound), if any.
    bounds : bool
        Whether a bound (``<``/``>``) may be shown; False where no qualifier column exists.
    per_direction : bool
        False for material-wide values (a transition temperature) taken from any direction.
    temperature_column, flag_column : str or None
        Columns that receive the shown row's temperature (K) and its
        ``derived_from_arrhenius`` flag, if any.
    """

    column: str
    phases: tuple[str, ...] = ("", "LT")
    qualifier_column: str | None = None
    bounds: bool = True
    per_direction: bool = True
    temperature_column: str | None = None
    flag_column: str | None = None


@dataclass(frozen=True)
class PropertySpec:
    """One property the database stores.

    Attributes
    ----------
    name : str
        Property name as stored (``ionic_conductivity``).
    kind : {"conductivity", "energy", "temperature"}
        Unit kind; the allowed units are ``UNITS[kind]``.
    label : str
        Human-readable name for tables and reports.
    needs_temperature : bool
        Whether a row must state the temperature it was measured at.
    max_value : float
        Largest plausible value in the canonical unit (S/cm, eV or K); values must be > 0
        (above 0 K for temperatures) and at most this.
    wide : tuple of WideColumn
        The wide-frame columns this property fills.
    transport : bool
        Whether its rows define the crystal directions of the wide frame.
    """

    name: str
    kind: str
    label: str
    needs_temperature: bool
    max_value: float
    wide: tuple[WideColumn, ...] = field(default=())
    transport: bool = False

    @property
    def canonical_unit(self) -> str:
        """The canonical unit (``S/cm``, ``eV``, ``K``)."""
        return {"conductivity": "S/cm", "energy": "eV", "temperature": "K"}[self.kind]

    @property
    def units(self) -> tuple[str, ...]:
        """Units a row of this property may be given in."""
        return UNITS[self.kind]


#: property name -> spec, in registration order
PROPERTIES: dict[str, PropertySpec] = {}


def register_property(spec: PropertySpec) -> PropertySpec:
    """Add ``spec`` to :data:`PROPERTIES` (the one place a property is declared)."""
    if spec.kind not in UNITS:
        raise ValueError(f"property kind must be one of {', '.join(UNITS)}, got {spec.kind!r}")
    PROPERTIES[spec.name] = spec
    return spec


def to_canonical(value: float, unit: str, kind: str) -> float:
    """``value`` in ``unit`` converted to the canonical unit of ``kind`` (S/cm, eV, K).

    .. math:: T_K = T_C + 273.15
    """
    converters: dict[str, Callable[[float, str], float]] = {
        "conductivity": lambda v, u: float(v) * conductivity_factor(u, "unit"),  # no numpy
        "energy": lambda v, u: v * _ENERGY_TO_EV[u],
        "temperature": lambda v, u: v + ZERO_C_K if u == "C" else v,
    }
    return converters[kind](value, unit)


register_property(PropertySpec(
    "ionic_conductivity", "conductivity", "ionic conductivity", needs_temperature=True,
    max_value=1.0e3, transport=True,
    wide=(WideColumn("sigma_S_cm", qualifier_column="sigma_qualifier", temperature_column="T_K",
                     flag_column="from_arrhenius"),)))
register_property(PropertySpec(
    "electronic_conductivity", "conductivity", "electronic conductivity", needs_temperature=True,
    max_value=1.0e7,
    wide=(WideColumn("sigma_e_S_cm", qualifier_column="sigma_e_qualifier", per_direction=False),)))
register_property(PropertySpec(
    "activation_energy", "energy", "activation energy", needs_temperature=False, max_value=5.0,
    transport=True,
    wide=(WideColumn("Ea_eV", bounds=False), WideColumn("Ea_HT_eV", phases=("HT",), bounds=False))))
register_property(PropertySpec(
    "transition_temperature", "temperature", "transition temperature", needs_temperature=False,
    max_value=T_MAX_K, wide=(WideColumn("T_transition_K", phases=("", "LT", "HT"),
                                        per_direction=False),)))

__all__ = ["CANONICAL_UNIT", "PROPERTIES", "T_MAX_K", "UNITS", "PropertySpec", "WideColumn",
           "register_property", "to_canonical"]
