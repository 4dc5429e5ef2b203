"""Compare a stored measurement set with the literature over the measured temperatures.

For every literature record it is compared with (``against``, else the review's records of the
same reduced formula, else of the same family) the conductivity is evaluated at each measured
temperature (Arrhenius from the record, phase transitions included) and

.. math:: r_i = \\log_{10}\\frac{\\sigma_\\mathrm{meas}(T_i)}{\\sigma_\\mathrm{lit}(T_i)}, \\qquad
          \\Delta E_a = E_{a,\\mathrm{meas}} - E_{a,\\mathrm{lit}} \\pm s(E_{a,\\mathrm{meas}})

(the review prints no uncertainty for its activation energies, so the difference carries the
measurement's standard error only). The verdict is ``agrees`` when every
:math:`|r_i| \\le` ``tolerance_decades`` and, where the set has an Arrhenius fit,
:math:`|\\Delta E_a| \\le \\max(` ``tolerance_Ea_eV`` :math:`, 2 s(E_{a,\\mathrm{meas}}))`
(default 0.05 eV: two σ curves can cross inside the measured range while their slopes differ
by 0.17 eV); else ``disagrees``, with ``verdict_reason`` naming which test failed. Evaluating a record outside its
range, past a phase transition or past the melting point adds a warning
(:func:`nitrolyte.plausibility.evaluation_warnings`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from nitrolyte.errors import InputError, MissingDataError

if TYPE_CHECKING:
    from nitrolyte.store.database import Database, DatabaseLike


@dataclass(frozen=True)
class SetComparison:
    """Result of :func:`compare_set`.

    Attributes
    ----------
    name, set_id, method : str, int, str
        The stored set compared.
    family, formula : str
        The measured material's family and formula ("" if unknown).
    T_K, sigma_S_cm : tuple of float
        The measured (total) points, K and S/cm.
    Ea_eV, Ea_stderr_eV : float or None
        The set's Arrhenius fit, eV.
    matches : tuple of dict
        One per literature record: ``name, direction, ref, Ea_eV, dEa_eV, dEa_stderr_eV,
        log10_ratio`` (one per measured T), ``max_abs_log10_ratio, verdict, verdict_reason,
        Ea_tolerance_eV, warnings``.
    tolerance_decades : float
        Agreement band.
    """

    name: str
    set_id: int
    method: str
    family: str
    formula: str
    T_K: tuple[float, ...]
    sigma_S_cm: tuple[float, ...]
    Ea_eV: float | None
    Ea_stderr_eV: float | None
    matches: tuple[dict[str, Any], ...]
    tolerance_decades: float
    warnings: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (schema ``nitrolyte.compare_set/1`` in docs/cli.md)."""
        from dataclasses import asdict

        return asdict(self)

    def to_frame(self) -> pd.DataFrame:
        """One row per literature record."""
        cols = ["name", "direction", "ref", "Ea_eV", "dEa_eV", "dEa_stderr_eV",
                "max_abs_log10_ratio", "verdict", "verdict_reason"]
        return pd.DataFrame([{k: m[k] for k in cols} for m in self.matches], columns=cols)


def as_dict(value: Any) -> dict[str, Any]:
    """A stored set's JSON field (``fit``, ``method_details``) as a dict, whether the store
    returns it decoded or as JSON text; None and NaN give ``{}``."""
    import json

    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip():
        out = json.loads(value)
        return out if isinstance(out, dict) else {}
    return {}


def _same_formula(a: str, b: str) -> bool:
    from pymatgen.core import Composition

    try:
        return Composition(a).reduced_formula == Composition(b).reduced_formula
    except (ValueError, KeyError):
        return False


def _candidates(lit: pd.DataFrame, against: str | None, formula: str, family: str,
                db: DatabaseLike | None) -> pd.DataFrame:
    from nitrolyte import api

    usable = lit[lit["sigma_S_cm"].notna() & lit["Ea_eV"].notna()]
    if against is not None:
        rec = api.get(against, db=db)
        rows = usable[usable["material_id"] == rec.material_id]
        if rows.empty:
            raise MissingDataError(f"{rec.name} has no conductivity and activation energy to "
                                   "compare with")
        return rows
    if formula:
        rows = usable[[_same_formula(formula, str(f)) for f in usable["formula"].fillna("")]]
        if not rows.empty:
            return rows
    if family:
        rows = usable[usable["family"] == family]
        if not rows.empty:
            return rows
    raise InputError("no review record shares this material's formula or family; name one with "
                     "--against MATERIAL")


#: default agreement band of the activation energy (eV), widened to twice the fit's standard error
EA_TOLERANCE_EV = 0.05


def _verdict(ratio: Any, tol: float, dEa: float | None, Ea_stderr: float | None,
             tol_Ea: float) -> tuple[str, str, float]:
    """(verdict, reason, Ea band in eV) of one literature record: σ and, when fitted, Ea."""
    band = max(tol_Ea, 2.0 * float(Ea_stderr or 0.0))
    sigma_ok = bool(np.all(np.abs(ratio) <= tol))
    reasons = [] if sigma_ok else [f"σ differs by up to {float(np.abs(ratio).max()):.2f} decades "
                                   f"(> {tol:g})"]
    if dEa is not None and abs(dEa) > band:
        reasons.append(f"Ea differs by {dEa:+.3f} eV (> {band:.3f} eV)")
    if not reasons:
        return "agrees", ("σ and Ea within tolerance" if dEa is not None
                          else "σ within tolerance; Ea not judged (no Arrhenius fit)"), band
    return "disagrees", "; ".join(reasons), band


def compare_set(db: Database, name: str, *, against: str | None = None, set_id: int | None = None,
                tolerance_decades: float = 0.5, tolerance_Ea_eV: float = EA_TOLERANCE_EV) -> SetComparison:
    """Compare the latest (or ``set_id``) measurement set of ``name`` with the literature.

    Parameters
    ----------
    db : Database
        The store holding the set.
    name : str
        Material name of the stored set.
    against : str, optional
        One literature material to compare with; default the records of the same formula,
        else of the same family.
    set_id : int, optional
        A particular set; default the latest of ``name``.
    tolerance_decades : float
        Agreement band for :math:`|\\log_{10}` ratio| (default 0.5).
    tolerance_Ea_eV : float
        Agreement band for :math:`|\\Delta E_a|` in eV (default 0.05), widened to twice the
        fit's standard error.
    """
    from nitrolyte import api
    from nitrolyte.checks import check_positive
    from nitrolyte.plausibility import evaluation_warnings
    from nitrolyte.transport.conductivity import _evaluate

    tol = float(check_positive("tolerance_decades", tolerance_decades))
    tol_Ea = float(check_positive("tolerance_Ea_eV", tolerance_Ea_eV))
    sets = db.measurement_sets(name)
    if sets.empty:
        raise MissingDataError(f"{name} has no stored measurement set (store one with "
                               "`nitrolyte eis ... --store` or `nitrolyte fit ... --store`)")
    sid = int(sets["set_id"].max() if set_id is None else set_id)
    one = db.measurement_set(sid)
    pts = one["points"]
    if pts.empty:  # a fit-only set, or a simulation whose answer is unknown (not diffusive)
        from nitrolyte.provenance import unknown_text

        why = unknown_text(one.get("method_details")) or "only a fit, its points are elsewhere"
        raise MissingDataError(f"measurement set {sid} of {name} has no σ point to compare "
                               f"({why})")
    total = pts[pts["kind"] == "total"] if (pts["kind"] == "total").any() else pts
    total, notes = _reliable(total, sid)
    T = total["T_K"].to_numpy(float)
    sig = total["sigma_S_cm"].to_numpy(float)
    rec = api.get(name, db=db)
    fit = as_dict(one.get("fit"))
    lit = api.materials(source="literature", db=db)
    rows = _candidates(lit, against, rec.formula or "", rec.family or "", db)
    values = _evaluate(rows, T, "sigmaT")
    matches = []
    for (_, row), lit_sigma in zip(rows.iterrows(), values, strict=True):
        ratio = np.log10(sig / lit_sigma)
        Ea = fit.get("Ea_eV")
        dEa = None if Ea is None else float(Ea - row["Ea_eV"])
        verdict, reason, band = _verdict(ratio, tol, dEa, fit.get("Ea_stderr_eV"), tol_Ea)
        matches.append({
            "name": row["name"], "material_id": row["material_id"],
            "direction": row.get("direction") or "", "ref": row.get("ref"),
            "Ea_eV": float(row["Ea_eV"]), "dEa_eV": dEa, "Ea_tolerance_eV": band,
            "dEa_stderr_eV": fit.get("Ea_stderr_eV"), "sigma_lit_S_cm": lit_sigma.tolist(),
            "log10_ratio": ratio.tolist(), "max_abs_log10_ratio": float(np.abs(ratio).max()),
            "verdict": verdict, "verdict_reason": reason,
            "warnings": evaluation_warnings(row["material_id"], T, formula=row.get("formula"))})
    return SetComparison(name=rec.name, set_id=sid, method=one["method"],
                         family=rec.family or "", formula=rec.formula or "",
                         T_K=tuple(T.tolist()), sigma_S_cm=tuple(sig.tolist()),
                         Ea_eV=fit.get("Ea_eV"), Ea_stderr_eV=fit.get("Ea_stderr_eV"),
                         matches=tuple(matches), tolerance_decades=tol,
                         warnings=(*notes, *(w for m in matches for w in m["warnings"])))


def _reliable(points: pd.DataFrame, set_id: int) -> tuple[pd.DataFrame, list[str]]:
    """The points of reliable impedance fits, and warnings naming those left out (points
    stored with ``--force``, :data:`~nitrolyte.transport.eis_series.UNRELIABLE_NOTE`)."""
    from nitrolyte.transport.eis_series import UNRELIABLE_NOTE

    notes = points["note"] if "note" in points else pd.Series([""] * len(points))
    bad = notes.fillna("").astype(str).str.startswith(UNRELIABLE_NOTE).to_numpy()
    if not bad.any():
        return points, []
    where = ", ".join(f"{t:.2f} K" for t in points["T_K"].to_numpy(float)[bad])
    if bad.all():
        return points, [f"every point of set {set_id} comes from an unreliable impedance fit "
                        f"(stored with --force, at {where}): this comparison is not to be trusted"]
    return points[~bad], [f"set {set_id}: {int(bad.sum())} point(s) of unreliable impedance fits "
                          f"(stored with --force, at {where}) left out of the comparison"]


def family_lines(db: DatabaseLike | None, comparison: SetComparison, n_points: int = 60) -> pd.DataFrame:
    """Arrhenius lines of the compared records and the rest of the family, long format.

    Columns ``name, direction, T_K, sigma_S_cm``; temperatures from 20 K below to 20 K above the
    measured range (K).
    """
    from nitrolyte import api
    from nitrolyte.transport.conductivity import _evaluate

    lit = api.materials(source="literature", db=db)
    usable = lit[lit["sigma_S_cm"].notna() & lit["Ea_eV"].notna()]
    ids = {m["material_id"] for m in comparison.matches}
    rows = usable[usable["material_id"].isin(ids) | (usable["family"] == comparison.family)]
    T = np.linspace(max(min(comparison.T_K) - 20, 1.0), max(comparison.T_K) + 20, n_points)
    values = _evaluate(rows, T, "sigmaT")
    out = [pd.DataFrame({"name": row["name"], "direction": row.get("direction") or "",
                         "T_K": T, "sigma_S_cm": v}) for (_, row), v in
           zip(rows.iterrows(), values, strict=True)]
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(
        columns=["name", "direction", "T_K", "sigma_S_cm"])


def user_points(families: Any, db: DatabaseLike | None = None, T_min_K: float | None = None,
                T_max_K: float | None = None) -> pd.DataFrame:
    """Every stored user conductivity of the given families as points, with or without an Ea.

    Returns
    -------
    DataFrame
        ``material_id, name, family, T_K, sigma_S_cm, method, method_label`` (K, S/cm),
        restricted to ``T_min_K..T_max_K`` when given; ``method_label`` names a simulation's
        model and version (:mod:`nitrolyte.provenance`).
    """
    from nitrolyte import api
    from nitrolyte.units import ZERO_C_K

    store = api.database(db)
    meas = store.table("measurements", "user")
    cols = ["material_id", "name", "family", "T_K", "sigma_S_cm", "method", "method_label"]
    meas = meas[(meas["property"] == "ionic_conductivity") & (meas["qualifier"].fillna("") == "")]
    if meas.empty:
        return pd.DataFrame(columns=cols)
    mats = store.table("materials")[["material_id", "name", "family"]]
    fams = [families] if isinstance(families, str) else list(families)
    out = meas.merge(mats, on="material_id")
    out = out[out["family"].isin(fams)]
    T = out["temperature"].astype(float) + np.where(out["temperature_unit"] == "C", ZERO_C_K, 0.0)
    from nitrolyte.units import conductivity_to_S_cm

    sigma = [float(conductivity_to_S_cm(v, u)) for v, u in zip(out["value"], out["unit"], strict=True)]
    from nitrolyte.provenance import is_simulation, method_label, simulation_labels

    sims = simulation_labels(store) if out["method"].map(is_simulation).any() else {}
    frame = pd.DataFrame({"material_id": out["material_id"], "name": out["name"],
                          "family": out["family"], "T_K": T, "sigma_S_cm": sigma,
                          "method": out["method"].fillna(""),
                          "method_label": [method_label(m, sims.get(i)) for m, i in
                                           zip(out["method"], out["material_id"], strict=True)]},
                         columns=cols)
    if T_min_K is not None:
        frame = frame[frame["T_K"] >= T_min_K]
    if T_max_K is not None:
        frame = frame[frame["T_K"] <= T_max_K]
    return frame.reset_index(drop=True)
