"""When an impedance fit is not to be trusted: the rules, stated once.

A fit is **unreliable** (:attr:`ImpedanceFit.problems` non-empty) when any of these holds; an
unreliable fit is not stored without ``force`` (``--force``), is marked in every table and
figure, and is left out of the Arrhenius fit of a series
(:func:`nitrolyte.transport.eis_series.arrhenius_from_spectra`):

1. **Capacitance out of range.** The effective capacitance of an arc, :math:`C = (RQ)^{1/n}/R`,
   per cell constant, :math:`C L/A`, lies outside :data:`BULK_C_RANGE_F_CM` (bulk,
   1e-14 to 1e-10 F/cm) or :data:`GB_C_RANGE_F_CM` (grain boundary, 1e-12 to 1e-6 F/cm)
   (Irvine, Sinclair & West, Adv. Mater. 2, 132 (1990), widened by a decade each side).
2. **Parameter at a bound.** An arc's CPE exponent is below :data:`MIN_ARC_EXPONENT` (0.5: the
   exponent ran towards its lower bound 0, where a "CPE" is a resistor and the arc absorbs part
   of the electrode tail), or a resistance is not a finite positive number.
3. **Undetermined conductivity.** The standard error of :math:`\\sigma_\\mathrm{total}` (and of
   :math:`\\sigma_\\mathrm{bulk}` when a grain-boundary arc is fitted) is not finite or exceeds
   :data:`MAX_SIGMA_REL_ERR` (30 %) of the value. The errors come from the full parameter
   covariance (:func:`resistance_sum_stderr`), so a well-determined total of two overlapping arcs is not
   penalised for the poorly determined split.

A poor fit (relative RMSE > 2 %) or a Kramers-Kronig residual > 2 % is a *warning* only: the
conductivity may still be right, and the warning says what to check.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nitrolyte.transport.circuits import CircuitModel

#: plausible specific capacitances C L / A in F/cm (Irvine, Sinclair & West, Adv. Mater. 1990)
BULK_C_RANGE_F_CM = (1e-14, 1e-10)
GB_C_RANGE_F_CM = (1e-12, 1e-6)
#: lowest CPE exponent of a bulk or grain-boundary arc
MIN_ARC_EXPONENT = 0.5
#: largest relative standard error of a stored conductivity
MAX_SIGMA_REL_ERR = 0.30
#: warning thresholds: relative RMSE of the fit and rms Kramers-Kronig residual
MAX_REL_RMSE = 0.02
MAX_KK_RESIDUAL = 0.02
#: largest |Z| range (max/min) the lin-KK check is run on (it weights every point by 1/|Z|)
KK_MAX_RANGE = 1e12


def resistance_sum_stderr(cov: np.ndarray, idx: Sequence[int]) -> float:
    """Standard error (ohm) of :math:`\\sum_{i\\in\\mathrm{idx}} R_i` from the covariance ``cov``.

    .. math:: \\delta R = \\sqrt{\\mathbf 1^\\top C_{\\mathrm{idx},\\mathrm{idx}} \\mathbf 1}

    Infinite when the covariance is not finite or its quadratic form is negative.
    """
    sub = np.asarray(cov, dtype=float)[np.ix_(list(idx), list(idx))]
    if not np.all(np.isfinite(sub)):
        return float("inf")
    var = float(sub.sum())
    return float(np.sqrt(var)) if var >= 0 else float("inf")


def fit_problems(*, C_bulk_F: float | None, C_gb_F: float | None, arc_exponents: Sequence[float],
                 resistances_ohm: Sequence[float], sigma_rel_err: dict[str, float],
                 thickness_cm: float, area_cm2: float) -> list[str]:
    """The reasons (rules 1-3 of the module docstring) a fit is unreliable; empty if none."""
    out = []
    for C, (lo, hi), label in ((C_bulk_F, BULK_C_RANGE_F_CM, "bulk"),
                               (C_gb_F, GB_C_RANGE_F_CM, "grain-boundary")):
        if C is None:
            continue
        spec = C * thickness_cm / area_cm2
        if not (np.isfinite(spec) and lo <= spec <= hi):
            out.append(f"unphysical {label} capacitance: C L/A = {spec:.2g} F/cm, expected "
                       f"{lo:g} to {hi:g} F/cm")
    low = [n for n in arc_exponents if not n >= MIN_ARC_EXPONENT]
    if low:
        out.append(f"arc CPE exponent {min(low):.2g} < {MIN_ARC_EXPONENT} (at its bound: the "
                   "'arc' acts as a resistor)")
    if not all(np.isfinite(R) and R > 0 for R in resistances_ohm):
        out.append("a resistance is not a finite positive number")
    for kind, rel in sigma_rel_err.items():
        if not np.isfinite(rel):
            out.append(f"σ_{kind} standard error is not finite (the data do not determine it)")
        elif rel > MAX_SIGMA_REL_ERR:
            out.append(f"σ_{kind} relative standard error {rel:.0%} > {MAX_SIGMA_REL_ERR:.0%}")
    return out


def fit_warnings(rel: float, kk_res: float | None) -> list[str]:
    """Warnings (not problems): relative RMSE > :data:`MAX_REL_RMSE` or not finite,
    Kramers-Kronig residual > :data:`MAX_KK_RESIDUAL` or not computable."""
    out = []
    if not np.isfinite(rel):
        out.append(f"fit quality unknown: relative RMSE is {rel} (a |Z| of 0 in the data?); "
                   "do not use this fit")
    if kk_res is not None and not np.isfinite(kk_res):
        out.append("Kramers-Kronig check not possible (a |Z| of 0, or |Z| spanning more than "
                   f"{KK_MAX_RANGE:g}x): the spectrum's validity is unknown")
    if rel > MAX_REL_RMSE:
        out.append(f"poor fit: relative RMSE {rel:.1%} > {MAX_REL_RMSE:.0%} (try another circuit)")
    if kk_res is not None and kk_res > MAX_KK_RESIDUAL:
        out.append(f"Kramers-Kronig residual {kk_res:.1%} > {MAX_KK_RESIDUAL:.0%}: the spectrum "
                   "may be drifting or non-linear")
    return out


def circuit_problems(model: CircuitModel, res: dict[str, Any], p: np.ndarray,
                     rel_err: dict[str, float], L: float, A: float) -> list[str]:
    """Why a fit is unreliable (:func:`nitrolyte.transport.eis_quality.fit_problems`)."""
    arcs = [part[2] for part in (model.bulk, model.gb) if part is not None and len(part) == 3]
    Rs = [res["R_bulk_ohm"]] + ([] if res["R_gb_ohm"] is None else [res["R_gb_ohm"]])
    return fit_problems(C_bulk_F=res["C_bulk_F"], C_gb_F=res["C_gb_F"],
                        arc_exponents=[float(p[i]) for i in arcs], resistances_ohm=Rs,
                        sigma_rel_err=rel_err, thickness_cm=L, area_cm2=A)
