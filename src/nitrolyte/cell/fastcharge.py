"""Fast-charge check of a pouch-cell design: the ohmic drop across its SSE layers at a C-rate.

A design shows both its energy density and whether its catholyte + nitride stack can carry, for
example, a 4C (15 min) charge: with :math:`j = Q\\,C` the current density,

.. math:: \\Delta V = j\\left(\\frac{L_{cath}}{\\sigma_{cath}} + \\frac{L_{nit}}{\\sigma_{nit}}\\right)

(bulk ohmic drop only: interfaces, the composite cathode and the Li anode are not included).
The nitride's conductivity comes from the materials database at temperature ``T_K``
(:func:`nitrolyte.transport.conductivity`): for the default ``β-Li3N`` layer of Fig. 17 that is
:data:`REVIEW_CELL_NITRIDE`, the vacancy-rich β-Li3N of the review's cells (ref. 15), not the
plain β-Li3N of Table 1. The catholyte's conductivity comes from an explicit value, the
components table (only at its measurement temperature) or the materials database (Arrhenius).
Where no source gives it at ``T_K`` - Li3InCl6 has only a 25 °C value, so at -20 °C - the
check's ``verdict`` is ``"unknown"`` with the reason, not an error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from nitrolyte.cell.components import component, resolve
from nitrolyte.cell.critical import expand_sse
from nitrolyte.cell.limits import check_design
from nitrolyte.cell.pouch import PouchCell
from nitrolyte.errors import InputError, MissingDataError, UnknownMaterialError
from nitrolyte.units import T_ROOM_K

if TYPE_CHECKING:
    from nitrolyte.store.database import DatabaseLike

#: default allowed ohmic drop across the SSE stack, V (a design choice, not a review value;
#: the same default as :func:`nitrolyte.transport.layer.check_layer`)
DEFAULT_MAX_DROP_V = 0.1
_T_MATCH_K = 0.5
#: the nitride whose sigma(T) the default β-Li3N layer uses: the review's cells (ref. 15, Fig. 16)
#: are vacancy-rich β-Li3N; Fig. 17's density (1.27 g/cm3) is the same for both
REVIEW_CELL_NITRIDE = "vacancy-rich β-Li3N"
Verdict = Literal["pass", "fail", "unknown"]


@dataclass(frozen=True)
class FastChargeCheck:
    """Ohmic drop across the SSE layers of a design at a C-rate and temperature.

    Attributes
    ----------
    c_rate : float
        C-rate, 1/h (4 = a 15 min charge).
    T_K : float
        Temperature, K.
    areal_capacity_mAh_cm2, current_density_mA_cm2 : float
        Design capacity (mAh/cm2) and the current density it implies (mA/cm2).
    catholyte, nitride : str
        Layer materials; ``*_sigma_S_cm`` (S/cm), ``*_um`` (um) and ``*_drop_V`` (V) per layer,
        ``*_sigma_source`` says where each conductivity came from.
    total_drop_V, max_drop_V : float
        Total SSE ohmic drop and the allowed one, V.
    passes : bool
        ``total_drop_V <= max_drop_V`` (False when unknown).
    gravimetric_Wh_kg, volumetric_Wh_L : float
        The design's energy densities.
    verdict : {"pass", "fail", "unknown"}
        ``"unknown"`` when a layer's conductivity at ``T_K`` is not known (its sigma and the
        drops are NaN); ``reason`` says which and why.
    reason : str
        Why the verdict is unknown ("" otherwise).
    """

    c_rate: float
    T_K: float
    areal_capacity_mAh_cm2: float
    current_density_mA_cm2: float
    catholyte: str
    catholyte_sigma_S_cm: float
    catholyte_sigma_source: str
    catholyte_um: float
    catholyte_drop_V: float
    nitride: str
    nitride_sigma_S_cm: float
    nitride_sigma_source: str
    nitride_um: float
    nitride_drop_V: float
    total_drop_V: float
    max_drop_V: float
    passes: bool
    gravimetric_Wh_kg: float
    volumetric_Wh_L: float
    verdict: Verdict = "pass"
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (units in the field names; NaN as None)."""
        return {k: _json(getattr(self, k)) for k in self.__dataclass_fields__}

    def to_frame(self) -> pd.DataFrame:
        """One row per SSE layer plus a ``total`` row: layer, material, sigma, thickness, drop."""
        rows = [{"layer": layer, "material": getattr(self, layer),
                 "sigma_S_cm": getattr(self, f"{layer}_sigma_S_cm"),
                 "thickness_um": getattr(self, f"{layer}_um"),
                 "drop_V": getattr(self, f"{layer}_drop_V")} for layer in ("catholyte", "nitride")]
        rows.append({"layer": "total", "material": "", "sigma_S_cm": np.nan,
                     "thickness_um": self.catholyte_um + self.nitride_um,
                     "drop_V": self.total_drop_V})
        return pd.DataFrame(rows)


def _json(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _database_sigma(name: str, T_K: float, direction: str | None, db: DatabaseLike | None = None) -> float:
    from nitrolyte.transport import conductivity

    return float(conductivity(name, T_K, direction, db=db))


def _catholyte_sigma(name: str, T_K: float, direction: str | None) -> tuple[float, str]:
    try:
        entry = component(resolve(name)).properties.get("ionic_conductivity")
    except UnknownMaterialError:
        entry = None
    if entry is not None and entry.temperature_K is not None \
            and abs(entry.temperature_K - T_K) <= _T_MATCH_K:
        return entry.value, f"components table ({entry.source})"
    try:
        return _database_sigma(name, T_K, direction), "materials database (Arrhenius)"
    except (UnknownMaterialError, MissingDataError):
        pass
    where = (f"only at {entry.temperature_K:g} K" if entry is not None and entry.temperature_K
             else "not at all")
    raise MissingDataError(f"conductivity of catholyte {name!r} at {T_K:g} K is not known (the "
                           f"components table has it {where} and the materials database has no "
                           "Arrhenius data for it); pass catholyte_sigma_S_cm (CLI: --catholyte-sigma)")


def fast_charge_check(design: PouchCell | None = None, *, c_rate: float = 4.0,
                      T_K: float = T_ROOM_K, max_drop_V: float = DEFAULT_MAX_DROP_V,
                      catholyte_sigma_S_cm: float | None = None,
                      nitride_sigma_S_cm: float | None = None,
                      nitride_material: str | None = None, direction: str | None = None,
                      db: DatabaseLike | None = None, **design_kwargs: Any) -> FastChargeCheck:
    """Ohmic drop across the catholyte and nitride layers of a design at a C-rate.

    Parameters
    ----------
    design : PouchCell, optional
        The design; or give its parameters as keywords (``sse_um`` sets both layers).
    c_rate : float
        C-rate, 1/h (0 < C <= 100); 4 = a 15 min charge.
    T_K : float
        Temperature, K (10-2000 K), at which the conductivities are taken.
    max_drop_V : float
        Allowed total ohmic drop across the SSE layers, V (0 < V <= 10). Default 0.1 V (a design
        choice; the review states none).
    catholyte_sigma_S_cm, nitride_sigma_S_cm : float, optional
        Explicit layer conductivities, S/cm (0 < σ <= 10). Every range is
        :data:`nitrolyte.cell.limits.DESIGN_LIMITS`.
    nitride_material : str, optional
        Database material for the nitride's sigma(T). Default: :data:`REVIEW_CELL_NITRIDE`
        (vacancy-rich β-Li3N, the nitride of the review's cells) for the default ``β-Li3N``
        layer, the layer's own material otherwise; ``"β-Li3N"`` takes Table 1's plain β-Li3N.
    direction : {"perp_c", "par_c"}, optional
        For anisotropic database records.
    db : Database, str or path-like, optional
        Database of the nitride's sigma(T) (default: the user's).

    Returns
    -------
    FastChargeCheck

    Notes
    -----
    .. math:: j = Q\\,C, \\qquad \\Delta V_i = j\\,L_i/\\sigma_i, \\qquad
              \\Delta V = \\Delta V_{cath} + \\Delta V_{nit}
    """
    from nitrolyte.transport.layer import current_density_mA_cm2, ohmic_drop_V

    cell = design if design is not None else PouchCell(**expand_sse(design_kwargs))
    if design is not None and design_kwargs:
        cell = cell.replace(**expand_sse(design_kwargs))
    c_rate = float(check_design("c_rate", c_rate))
    t_k = float(check_design("T_K", T_K))
    max_drop = float(check_design("max_drop_V", max_drop_V))
    result = cell.evaluate()
    p = result.inputs
    if np.ndim(p["areal_capacity_mAh_cm2"]) or np.ndim(p["catholyte_um"]) \
            or np.ndim(p["nitride_um"]):
        raise InputError("fast_charge_check takes one design (scalar parameters); "
                               "use nitrolyte.transport.layer for arrays")
    reasons: list[str] = []
    if catholyte_sigma_S_cm is not None:
        sig_c, src_c = float(check_design("catholyte_sigma_S_cm", catholyte_sigma_S_cm)), "given"
    else:
        sig_c, src_c = _known(lambda: _catholyte_sigma(p["catholyte"], t_k, direction), reasons)
    nitride = nitride_material or _nitride_for_sigma(p["nitride"])
    if nitride_sigma_S_cm is not None:
        sig_n, src_n = float(check_design("nitride_sigma_S_cm", nitride_sigma_S_cm)), "given"
    else:
        where = "materials database (Arrhenius)"
        if nitride != p["nitride"] and nitride_material is None:
            where += f"; {nitride}, the nitride of the review's cells (ref. 15)"
        sig_n, src_n = _known(lambda: (_database_sigma(nitride, t_k, direction, db), where),
                              reasons)
    j = float(current_density_mA_cm2(p["areal_capacity_mAh_cm2"], c_rate))
    drop_c = float(ohmic_drop_V(sig_c, p["catholyte_um"], j)) if math.isfinite(sig_c) else math.nan
    drop_n = float(ohmic_drop_V(sig_n, p["nitride_um"], j)) if math.isfinite(sig_n) else math.nan
    total = drop_c + drop_n
    if not math.isfinite(j) or math.isinf(total):
        raise InputError("fast_charge_check: the current density or the ohmic drop overflows "
                         f"(j = {j:g} mA/cm2); areal capacity, C-rate or thickness is far outside "
                         "its physical range")
    verdict: Verdict = "unknown" if reasons else ("pass" if total <= max_drop else "fail")
    return FastChargeCheck(
        c_rate=float(c_rate), T_K=t_k, areal_capacity_mAh_cm2=float(p["areal_capacity_mAh_cm2"]),
        current_density_mA_cm2=j, catholyte=p["catholyte"], catholyte_sigma_S_cm=sig_c,
        catholyte_sigma_source=src_c, catholyte_um=float(p["catholyte_um"]),
        catholyte_drop_V=drop_c, nitride=nitride, nitride_sigma_S_cm=sig_n,
        nitride_sigma_source=src_n, nitride_um=float(p["nitride_um"]), nitride_drop_V=drop_n,
        total_drop_V=total, max_drop_V=max_drop, passes=verdict == "pass",
        gravimetric_Wh_kg=float(result.gravimetric_Wh_kg),
        volumetric_Wh_L=float(result.volumetric_Wh_L), verdict=verdict,
        reason="; ".join(reasons))


def _nitride_for_sigma(layer: str) -> str:
    """The database material whose sigma(T) a nitride layer uses (:data:`REVIEW_CELL_NITRIDE`
    for the default β-Li3N layer of Fig. 17, the layer's own name otherwise)."""
    return REVIEW_CELL_NITRIDE if layer == PouchCell.nitride else layer


def _known(get: Any, reasons: list[str]) -> tuple[float, str]:
    """``get()`` -> (sigma, source); a missing value becomes (NaN, "unknown") and its reason."""
    try:
        return get()
    except MissingDataError as exc:
        reasons.append(str(exc))
        return math.nan, "unknown"
