"""The physical range of every pouch-cell design input: one table for the Python API, the CLI
and the REST API.

:class:`~nitrolyte.cell.pouch.PouchCell` (hence ``pouch_cell``, sweeps and ``nitrolyte cell``),
:func:`~nitrolyte.cell.fastcharge.fast_charge_check` and the REST bodies of
``web/schemas.py`` (``/cells``, ``/cells/critical``, ``/cells/sweep``) all read
:data:`DESIGN_LIMITS`, so a value one of them refuses none of them accepts. The ranges are wide
(a pellet-thick SSE, 100 mAh/cm2, 100C) but physical: an 89 m thick cell or a 300-digit mass is
refused with one line naming the parameter, the value and the range, never computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nitrolyte.checks import check_range
from nitrolyte.plausibility import LIMITS as MEASURABLE


@dataclass(frozen=True)
class Limit:
    """The allowed range of one input: ``lo (<|<=) value (<|<=) hi``, in ``unit``."""

    lo: float
    hi: float
    unit: str
    lo_inclusive: bool = True
    hi_inclusive: bool = True

    def check(self, name: str, value: Any) -> Any:
        """``value`` as a float array, or :class:`InputError` naming ``name`` and the range."""
        return check_range(name, value, lo=self.lo, hi=self.hi, lo_inclusive=self.lo_inclusive,
                           hi_inclusive=self.hi_inclusive)

    def field(self) -> dict[str, float]:
        """The same range as pydantic ``Field`` keyword arguments (``gt``/``ge``, ``lt``/``le``)."""
        return {("ge" if self.lo_inclusive else "gt"): self.lo,
                ("le" if self.hi_inclusive else "lt"): self.hi}


_LENGTH_UM = Limit(0.0, 10_000.0, "um")           # up to a 1 cm pellet
_FOIL_UM = Limit(0.0, 1_000.0, "um")              # foils are 4-20 um
_DENSITY = Limit(0.0, 25.0, "g/cm3", lo_inclusive=False)  # osmium: 22.6 g/cm3
_VOID = Limit(0.0, 1.0, "1", hi_inclusive=False)

#: parameter (units in its name) -> allowed range
DESIGN_LIMITS: dict[str, Limit] = {
    "areal_capacity_mAh_cm2": Limit(0.0, 100.0, "mAh/cm2", lo_inclusive=False),
    "catholyte_um": _LENGTH_UM,
    "nitride_um": _LENGTH_UM,
    "sse_um": _LENGTH_UM,
    # N/P 0 is the anode-free limit (Fig. 17 N/P curves start there)
    "n_p": Limit(0.0, 100.0, "1"),
    "al_um": _FOIL_UM,
    "cu_um": _FOIL_UM,
    "active_fraction": Limit(0.0, 1.0, "1", lo_inclusive=False),
    # Li metal itself holds 3861 mAh/g; no cathode holds more
    "cathode_capacity_mAh_g": Limit(0.0, 4_000.0, "mAh/g", lo_inclusive=False),
    "li_capacity_mAh_g": Limit(0.0, 3_861.5, "mAh/g", lo_inclusive=False),
    "voltage_V": Limit(0.0, 10.0, "V", lo_inclusive=False),
    "cathode_porosity": _VOID,
    "catholyte_porosity": _VOID,
    "nitride_porosity": _VOID,
    "packaging_mass_fraction": _VOID,
    "packaging_mg_cm2": Limit(0.0, 1_000.0, "mg/cm2"),
    "packaging_um": _LENGTH_UM,
    **{f"{layer}_density_g_cm3": _DENSITY
       for layer in ("cathode", "composite_sse", "catholyte", "nitride", "li", "al", "cu")},
    # critical values: a target energy density, Wh/kg or Wh/L
    "target": Limit(0.0, 1e5, "Wh/kg or Wh/L", lo_inclusive=False),
    # fast-charge check: up to a 36 s charge, a 10 V drop, what a laboratory measures
    "c_rate": Limit(0.0, 100.0, "1/h", lo_inclusive=False),
    "max_drop_V": Limit(0.0, 10.0, "V", lo_inclusive=False),
    "T_K": Limit(*MEASURABLE["T_K"], "K"),
    "catholyte_sigma_S_cm": Limit(*MEASURABLE["sigma_S_cm"], "S/cm", lo_inclusive=False),
    "nitride_sigma_S_cm": Limit(*MEASURABLE["sigma_S_cm"], "S/cm", lo_inclusive=False),
}


def check_design(name: str, value: Any) -> Any:
    """Check one design input against :data:`DESIGN_LIMITS` (a float array back)."""
    return DESIGN_LIMITS[name].check(name, value)


def field(name: str) -> dict[str, float]:
    """pydantic ``Field`` keyword arguments of ``name``'s range (for the REST schemas)."""
    return DESIGN_LIMITS[name].field()
