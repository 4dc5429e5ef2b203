"""The cell design a screening judges every material in (layer thickness, capacity, cathode ...).

The defaults are the review's pouch-cell reading of :mod:`nitrolyte.cell` (Fig. 17C, Section 5):
NMC811 at 4 mAh/cm2, a Li3InCl6 catholyte layer and a nitride layer of 20 um each, N/P 1,
10 um Al and Cu foils - the design that just reaches 350 Wh/kg with beta-Li3N.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from nitrolyte.cell.pouch import PouchCell
from nitrolyte.checks import check_nonnegative, check_positive, check_range
from nitrolyte.errors import InputError
from nitrolyte.stability.sources import DEFAULT_SOURCE
from nitrolyte.units import T_ROOM_K


@dataclass(frozen=True)
class ScreeningDesign:
    """Cell design and conditions of a screening.

    Attributes
    ----------
    thickness_um : float
        Thickness of the screened SSE layer (the nitride next to Li), um (> 0; default 20).
    catholyte_um : float
        Thickness of the cathode-side SSE layer, um (>= 0; default 20).
    areal_capacity_mAh_cm2 : float
        Cathode areal capacity, mAh/cm2 (> 0; default 4).
    n_p : float
        N/P ratio (>= 0; default 1).
    al_um, cu_um : float
        Current-collector foil thicknesses, um (>= 0; default 10 each).
    cathode : str
        Cathode of the pouch-cell model (default ``"NMC811"``).
    catholyte : str
        Cathode-side SSE of the pouch-cell model (default ``"Li3InCl6"``).
    catholytes : tuple of str
        Cathode-side SSEs tried as pairings for a nitride whose own oxidation limit is below the
        target (default: the review's Li3InCl6 and LGPS, Section 5).
    T_K : float
        Operating temperature of the fast-charge check, K (default 298.15).
    max_drop_V : float
        Ohmic drop allowed across the SSE layer(s) at the fast-charge current, V (default 0.1,
        a design choice as in :func:`nitrolyte.cell.fast_charge_check`).
    source : str
        Energy source of the stability calculations: a name registered in
        :data:`nitrolyte.stability.sources.SOURCES` or a file (default ``DEFAULT_SOURCE``, ``"auto"``).
    densities_g_cm3 : mapping of str to float
        Densities (g/cm3) by material name or formula, for materials the components table lacks.
    """

    # the pouch-cell model's defaults (Fig. 17 caption reading), read from PouchCell, not re-typed
    thickness_um: float = PouchCell.nitride_um
    catholyte_um: float = PouchCell.catholyte_um
    areal_capacity_mAh_cm2: float = PouchCell.areal_capacity_mAh_cm2
    n_p: float = PouchCell.n_p
    al_um: float = PouchCell.al_um
    cu_um: float = PouchCell.cu_um
    cathode: str = PouchCell.cathode
    catholyte: str = PouchCell.catholyte
    catholytes: tuple[str, ...] = ("Li3InCl6", "LGPS")
    T_K: float = T_ROOM_K
    max_drop_V: float = 0.1
    source: str = DEFAULT_SOURCE
    densities_g_cm3: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_positive("thickness_um", self.thickness_um)
        for name in ("catholyte_um", "n_p", "al_um", "cu_um"):
            check_nonnegative(name, getattr(self, name))
        check_positive("areal_capacity_mAh_cm2", self.areal_capacity_mAh_cm2)
        check_range("T_K", self.T_K, lo=0.0, lo_inclusive=False, hi=2000.0)
        check_positive("max_drop_V", self.max_drop_V)
        for name in ("cathode", "catholyte", "source"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise InputError(f"{name} must be a non-empty string, got {value!r}")
        if isinstance(self.catholytes, str) or not all(isinstance(c, str) and c.strip()
                                                          for c in self.catholytes):
            raise InputError(f"catholytes must be a sequence of material names, got {self.catholytes!r}")
        object.__setattr__(self, "catholytes", tuple(self.catholytes))
        if not isinstance(self.densities_g_cm3, Mapping):
            raise InputError(f"densities_g_cm3 must map names to g/cm3, got {self.densities_g_cm3!r}")
        for key, value in self.densities_g_cm3.items():
            check_positive(f"densities_g_cm3[{key!r}]", value)
        object.__setattr__(self, "densities_g_cm3", {str(k): float(v)
                                                     for k, v in self.densities_g_cm3.items()})

    def pouch_design(self) -> dict[str, Any]:
        """Keyword arguments of :func:`nitrolyte.cell.pouch_cell` for this design."""
        return {"areal_capacity_mAh_cm2": self.areal_capacity_mAh_cm2,
                "catholyte_um": self.catholyte_um, "nitride_um": self.thickness_um,
                "n_p": self.n_p, "al_um": self.al_um, "cu_um": self.cu_um,
                "cathode": self.cathode, "catholyte": self.catholyte}

    def c_rate(self, charge_time_min: float) -> float:
        """C-rate of a charge in ``charge_time_min`` minutes (1/h): :math:`C = 60/t`."""
        if not (math.isfinite(charge_time_min) and charge_time_min > 0):
            raise InputError(f"fast_charge target (charge time) must be > 0 min, got {charge_time_min!r}")
        return 60.0 / charge_time_min

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (units in the names)."""
        d = asdict(self)
        d["catholytes"] = list(self.catholytes)
        d["densities_g_cm3"] = dict(self.densities_g_cm3)
        return d
