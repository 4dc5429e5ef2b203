"""Critical values: the areal capacity, SSE thickness, N/P ratio or foil thickness at which a
design just reaches a target energy density, in closed form.

Energy :math:`E` and mass :math:`M` (or stack thickness :math:`L`) of :class:`PouchCell` are
linear in each of these parameters :math:`x`, so with :math:`E = E_0 + E_1 x` and
:math:`M = M_0 + M_1 x` the target :math:`e^*` (Wh/kg) is met exactly at

.. math:: x^* = \\frac{e^* M_0 - 1000\\,E_0}{1000\\,E_1 - e^* M_1}

The coefficients are read from the model itself (evaluated at :math:`x = 0` and :math:`x = 1`),
so the solution is exact for any option of the design and vectorised over array inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from nitrolyte.cell.limits import check_design
from nitrolyte.cell.pouch import PouchCell, stack, unit_of
from nitrolyte.checks import check_choice
from nitrolyte.errors import InputError

Basis = Literal["gravimetric", "volumetric"]
SolveFor = Literal["areal_capacity_mAh_cm2", "sse_um", "catholyte_um", "nitride_um", "n_p",
                   "al_um", "cu_um", "packaging_mg_cm2"]

#: parameters :func:`critical_value` can solve for (``sse_um`` = both SSE layers, each)
SOLVABLE: tuple[str, ...] = ("areal_capacity_mAh_cm2", "sse_um", "catholyte_um", "nitride_um",
                             "n_p", "al_um", "cu_um", "packaging_mg_cm2")
#: spellings accepted for ``solve_for`` (the CLI's names)
SOLVE_FOR_ALIASES: dict[str, str] = {
    "thickness": "sse_um", "sse": "sse_um", "sse-um": "sse_um",
    "areal-capacity": "areal_capacity_mAh_cm2", "areal_capacity": "areal_capacity_mAh_cm2",
    "capacity": "areal_capacity_mAh_cm2", "np": "n_p", "n/p": "n_p",
    "cu-um": "cu_um", "al-um": "al_um", "catholyte-um": "catholyte_um",
    "nitride-um": "nitride_um",
}
_LOWER_BOUND = {"areal_capacity_mAh_cm2": 0.0}  # exclusive; the others are >= 0


@dataclass(frozen=True)
class CriticalValue:
    """The value of one design parameter at which a design just reaches a target.

    Attributes
    ----------
    target : float
        Target energy density, Wh/kg (gravimetric) or Wh/L (volumetric).
    basis : {"gravimetric", "volumetric"}
    solve_for : str
        The parameter solved for (a :data:`SOLVABLE` name).
    value : float or ndarray
        The critical value in ``unit``; NaN where the target cannot be reached.
    unit : str
    bound : str or ndarray of str
        ``"minimum"`` when the energy density rises with the parameter (areal capacity),
        ``"maximum"`` when it falls (thicknesses, N/P).
    reachable : bool or ndarray of bool
    limit : float or ndarray
        The best energy density the design can reach by varying the parameter over its
        allowed range (at 0 or as it grows without bound), same unit as ``target``.
    design : dict
        The other inputs, their units in their names.
    """

    target: float | np.ndarray
    basis: Basis
    solve_for: str
    value: float | np.ndarray
    unit: str
    bound: Any
    reachable: Any
    limit: float | np.ndarray
    design: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        def plain(v: Any) -> Any:
            if isinstance(v, np.ndarray):
                return v.tolist()
            return v.item() if isinstance(v, np.generic) else v

        target_unit = "Wh/kg" if self.basis == "gravimetric" else "Wh/L"
        return {"target": {"value": plain(self.target), "unit": target_unit},
                "basis": self.basis, "solve_for": self.solve_for,
                "value": plain(self.value), "unit": self.unit, "bound": plain(self.bound),
                "reachable": plain(self.reachable),
                "limit": {"value": plain(self.limit), "unit": target_unit},
                "design": {k: {"value": plain(v), "unit": unit_of(k)}
                           for k, v in self.design.items()}}

    def to_frame(self) -> pd.DataFrame:
        """One row per design: target, value, unit, bound, reachable, limit."""
        shape = np.shape(self.value)
        cols = {"target": self.target, "value": self.value, "bound": self.bound,
                "reachable": self.reachable, "limit": self.limit}
        frame = pd.DataFrame({k: np.broadcast_to(v, shape).ravel() for k, v in cols.items()})
        frame.insert(0, "solve_for", self.solve_for)
        frame.insert(3, "unit", self.unit)
        return frame


def canonical_solve_for(name: str) -> str:
    """``solve_for`` as a :data:`SOLVABLE` name (accepts the CLI spellings)."""
    key = SOLVE_FOR_ALIASES.get(str(name).strip().lower(), str(name).strip())
    return check_choice("solve_for", key, SOLVABLE)


def _with(p: dict[str, Any], solve_for: str, x: float) -> dict[str, Any]:
    q = dict(p)
    for name in (("catholyte_um", "nitride_um") if solve_for == "sse_um" else (solve_for,)):
        q[name] = np.float64(x)
    return q


def linear_coefficients(p: dict[str, Any], solve_for: str, basis: Basis = "gravimetric"
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(E0, E1, D0, D1)`` with energy ``E0 + E1 x`` and denominator (mass in mg/cm2 or
    thickness in um) ``D0 + D1 x`` of a resolved design ``p`` as functions of ``solve_for``.

    .. math:: E(x) = E_0 + E_1 x, \\qquad D(x) = D_0 + D_1 x
    """
    e0, m0, t0 = stack(_with(p, solve_for, 0.0))
    e1, m1, t1 = stack(_with(p, solve_for, 1.0))
    d0 = sum(m0.values()) if basis == "gravimetric" else sum(t0.values())
    d1 = sum(m1.values()) if basis == "gravimetric" else sum(t1.values())
    return e0, e1 - e0, d0, d1 - d0


def critical_value(target: Any = 350.0, solve_for: str = "areal_capacity_mAh_cm2",
                   basis: Basis = "gravimetric", **design: Any) -> CriticalValue:
    """Solve the design for the value of one parameter at which it just reaches ``target``.

    Parameters
    ----------
    target : float or array
        Target energy density, Wh/kg for ``basis="gravimetric"`` (review: 350 and 500),
        Wh/L for ``"volumetric"``; > 0.
    solve_for : str
        One of :data:`SOLVABLE` (or a CLI spelling: ``thickness``, ``areal-capacity``, ``np``,
        ``cu-um``). ``sse_um`` sets the catholyte and the nitride layer to the same thickness.
    basis : {"gravimetric", "volumetric"}
    **design
        The other :class:`PouchCell` parameters; ``sse_um`` sets both SSE layers.

    Returns
    -------
    CriticalValue
        ``value`` is NaN where no value in the parameter's range reaches the target.

    Notes
    -----
    .. math:: x^* = \\frac{e^* D_0 - k E_0}{k E_1 - e^* D_1}, \\quad k = 1000
              \\text{ (Wh/kg, mg/cm2)}, \\; 10^4 \\text{ (Wh/L, um)}
    """
    solve_for = canonical_solve_for(solve_for)
    check_choice("basis", basis, ("gravimetric", "volumetric"))
    target_arr = check_design("target", target)
    design = expand_sse(design)
    unknown = ("catholyte_um", "nitride_um") if solve_for == "sse_um" else (solve_for,)
    given = [name for name in unknown if name in design]
    if given:
        raise InputError(f"critical_value: {', '.join(given)} is the unknown (solve_for="
                         f"{solve_for!r}); do not pass it")
    p = PouchCell(**design).resolved()
    if p["anode"] == "anode-free" and solve_for == "n_p":
        raise InputError("critical_value: solve_for='n_p' needs anode='lithium'")
    k = 1000.0 if basis == "gravimetric" else 1e4
    e0, e1, d0, d1 = linear_coefficients(p, solve_for, basis)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (target_arr * d0 - k * e0) / (k * e1 - target_arr * d1)
        rising = e1 * d0 - e0 * d1 > 0  # sign of d(E/D)/dx
        limit = np.where(rising, np.where(d1 > 0, k * e1 / d1, np.inf), k * e0 / d0)
    lo = _LOWER_BOUND.get(solve_for)
    ok = np.isfinite(x) & ((x > lo) if lo is not None else (x >= 0.0))
    ok &= np.where(rising, target_arr < limit, target_arr <= limit)
    value = np.where(ok, x, np.nan)
    out = {k_: np.asarray(v).item() if np.ndim(v) == 0 else v
           for k_, v in p.items() if k_ not in unknown}
    scalar = np.ndim(value) == 0
    return CriticalValue(
        target=float(target_arr) if np.ndim(target_arr) == 0 else target_arr,
        basis=basis, solve_for=solve_for,
        value=float(value) if scalar else value, unit=unit_of(unknown[0]),
        bound=_bound(rising, scalar), reachable=bool(ok) if scalar else ok,
        limit=float(limit) if np.ndim(limit) == 0 else limit, design=out)


def _bound(rising: np.ndarray, scalar: bool) -> Any:
    bound = np.where(rising, "minimum", "maximum")
    return str(bound) if scalar or bound.ndim == 0 else bound


def expand_sse(design: dict[str, Any]) -> dict[str, Any]:
    """Replace ``sse_um`` by equal ``catholyte_um`` and ``nitride_um`` (each layer)."""
    design = dict(design)
    if "sse_um" in design:
        sse = design.pop("sse_um")
        check_design("sse_um", sse)
        for name in ("catholyte_um", "nitride_um"):
            if name in design:
                raise InputError(f"pass either sse_um or {name}, not both")
            design[name] = sse
    return design


# --- the review's section 5 numbers (acceptance test, docs/cell.md, report) ---------------

#: This package's reading of the assumptions section 5 leaves unstated (docs/cell.md):
#: "standard" foils 10 um Al and 10 um Cu, single-sided; "SSE thickness" = the thickness of
#: EACH of the catholyte and the nitride layer; N/P 1 in the thickness and areal-capacity plots;
#: 20 um SSE layers in the N/P plots; the Li3InCl6 stack (Fig. 17C-E).
REVIEW_READING: dict[str, Any] = {"al_um": 10.0, "cu_um": 10.0, "n_p": 1.0,
                                  "np_plot_sse_um": 20.0, "catholyte": "Li3InCl6"}


@dataclass(frozen=True)
class ReviewCase:
    """One critical value quoted in section 5 for 350 Wh/kg, with the design it is read at."""

    key: str
    quantity: str
    review_value: float
    solve_for: str
    design: dict[str, float]
    light_foils: bool
    tolerance_pct: float | None
    note: str = ""


_NP_NOTE = ("printed as 'the critical value is 10 for an areal capacity of 4 mA h cm-2 and 1.2 "
            "for an areal capacity of 4 mA h cm-2'; read here as 10 mAh/cm2 for the first value")


def review_cases() -> tuple[ReviewCase, ...]:
    """The critical values of section 5 (350 Wh/kg) and the design each is read at."""
    sse = REVIEW_READING["np_plot_sse_um"]
    return (
        ReviewCase("areal_capacity", "critical areal capacity", 4.0, "areal_capacity_mAh_cm2",
                   {"sse_um": 20.0}, False, 10.0,
                   "SSE thickness not stated; read at 20 um, the thickness the review pairs "
                   "with 4 mAh/cm2"),
        ReviewCase("thickness_q10", "critical SSE thickness at 10 mAh/cm2", 100.0, "sse_um",
                   {"areal_capacity_mAh_cm2": 10.0}, False, 10.0),
        ReviewCase("thickness_q4", "critical SSE thickness at 4 mAh/cm2", 20.0, "sse_um",
                   {"areal_capacity_mAh_cm2": 4.0}, False, 10.0),
        ReviewCase("np_q10", "critical N/P at 10 mAh/cm2", 10.0, "n_p",
                   {"areal_capacity_mAh_cm2": 10.0, "sse_um": sse}, False, 15.0,
                   _NP_NOTE + "; outside 10 %: the two N/P values imply different SSE "
                   "thicknesses (19.9 um for 1.2 at 4 mAh/cm2, 29.6 um for 10 at 10 mAh/cm2)"),
        ReviewCase("np_q4", "critical N/P at 4 mAh/cm2", 1.2, "n_p",
                   {"areal_capacity_mAh_cm2": 4.0, "sse_um": sse}, False, 10.0),
        ReviewCase("light_areal_capacity_t10", "critical areal capacity, light foils, 10 um SSE",
                   2.0, "areal_capacity_mAh_cm2", {"sse_um": 10.0}, True, 10.0),
        ReviewCase("light_areal_capacity_t20", "critical areal capacity, light foils, 20 um SSE",
                   3.0, "areal_capacity_mAh_cm2", {"sse_um": 20.0}, True, 10.0),
        ReviewCase("light_thickness_q7", "critical SSE thickness, light foils, 7 mAh/cm2", 80.0,
                   "sse_um", {"areal_capacity_mAh_cm2": 7.0}, True, 10.0),
        ReviewCase("light_thickness_q4", "critical SSE thickness, light foils, 4 mAh/cm2", 40.0,
                   "sse_um", {"areal_capacity_mAh_cm2": 4.0}, True, 15.0,
                   "outside 10 % for the Li3InCl6 stack (the LGPS stack gives +4 %); no single "
                   "reading puts all nine values within 10 %"),
        ReviewCase("np_q4_as_printed", "critical N/P at 4 mAh/cm2 (first value as printed)",
                   10.0, "n_p", {"areal_capacity_mAh_cm2": 4.0, "sse_um": sse}, False, None,
                   "as printed this contradicts the 1.2 quoted for the same 4 mAh/cm2; with N/P "
                   "10 a 4 mAh/cm2 cell stays below 350 Wh/kg even with no SSE at all (not "
                   "tested; shown so that the discrepancy is visible)"),
    )


def case_design(case: ReviewCase, catholyte: str | None = None) -> dict[str, Any]:
    """Full design (the reading + the case's condition) a review case is solved at."""
    from nitrolyte.cell.components import component_value

    design: dict[str, Any] = {"al_um": REVIEW_READING["al_um"], "cu_um": REVIEW_READING["cu_um"],
                              "n_p": REVIEW_READING["n_p"],
                              "catholyte": catholyte or REVIEW_READING["catholyte"]}
    if case.light_foils:
        design["al_um"] = component_value("Al", "light_thickness")
        design["cu_um"] = component_value("Cu", "light_thickness")
    design.update(case.design)
    if case.solve_for == "n_p":
        design.pop("n_p")
    return design


def review_section5_table() -> pd.DataFrame:
    """Review value vs model value (and deviation) for every critical value of section 5.

    Columns: ``key, quantity, review_value, unit, solve_for, areal_capacity_mAh_cm2, sse_um,
    n_p, al_um, cu_um, model_value, deviation_pct, model_value_lgps, deviation_lgps_pct,
    tolerance_pct, within_tolerance, note``. ``model_value`` is the Li3InCl6 stack (the reading);
    the LGPS stack is shown for comparison. Deviation = 100 (model - review) / review.
    """
    rows = []
    for case in review_cases():
        design = case_design(case)
        model = critical_value(350.0, case.solve_for, **design).value
        lgps = critical_value(350.0, case.solve_for, **case_design(case, "LGPS")).value
        dev = 100.0 * (model / case.review_value - 1.0)
        rows.append({
            "key": case.key, "quantity": case.quantity, "review_value": case.review_value,
            "unit": unit_of("catholyte_um" if case.solve_for == "sse_um" else case.solve_for),
            "solve_for": case.solve_for,
            "areal_capacity_mAh_cm2": design.get("areal_capacity_mAh_cm2", np.nan),
            "sse_um": design.get("sse_um", np.nan), "n_p": design.get("n_p", np.nan),
            "al_um": design["al_um"], "cu_um": design["cu_um"], "model_value": model,
            "deviation_pct": dev, "model_value_lgps": lgps,
            "deviation_lgps_pct": 100.0 * (lgps / case.review_value - 1.0),
            "tolerance_pct": case.tolerance_pct if case.tolerance_pct is not None else np.nan,
            "within_tolerance": (abs(dev) <= case.tolerance_pct
                                 if case.tolerance_pct is not None else None),
            "note": case.note})
    return pd.DataFrame(rows)
