"""Everything a screening knows about one material row: values with their qualifier and source.

One *evidence* dict per row of the wide materials frame (material x direction), built from the
database (conductivity, activation energy), :mod:`nitrolyte.stability` (window, pairings),
``records.yaml`` (air stability, critical current density and capacity), :mod:`nitrolyte.transport`
(conductivity at the operating temperature) and :mod:`nitrolyte.cell` (pouch-cell masses).
Missing values are NaN with a note saying why; nothing is filled in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from nitrolyte.errors import NitrolyteError
from nitrolyte.properties import PROPERTIES
from nitrolyte.screening.design import ScreeningDesign
from nitrolyte.units import T_ROOM_K

if TYPE_CHECKING:
    from nitrolyte.store.database import DatabaseLike

_BASE_COLUMNS: tuple[str, ...] = (
    "sigma_S_cm", "T_K", "Ea_eV", "Ea_HT_eV", "T_transition_K", "reduction_V", "oxidation_V",
    "window_width_V", "retention_percent", "ccd_mA_cm2", "critical_capacity_mAh_cm2",
    "sigma_op_S_cm", "density_g_cm3", "energy_Wh_kg", "H2O_meV_atom", "O2_meV_atom", "CO2_meV_atom",
    "air_reaction_meV_atom")
#: evidence columns from :mod:`nitrolyte.stability.air`, computed only when a target asks for one
#: (meV per atom of material + gas; the last is the most negative of the three gases)
AIR_COLUMNS: tuple[str, ...] = ("H2O_meV_atom", "O2_meV_atom", "CO2_meV_atom", "air_reaction_meV_atom")
#: wide-frame value columns of the property registry the screening carries as stored
#: (``sigma_e_S_cm``, and any property registered later), with their qualifier columns
REGISTRY_COLUMNS: tuple[tuple[str, str | None], ...] = tuple(
    (w.column, w.qualifier_column) for spec in PROPERTIES.values() for w in spec.wide
    if w.column not in _BASE_COLUMNS)
#: numeric evidence columns a user target may compare (units in the names; V vs. Li/Li+)
EVIDENCE_COLUMNS: tuple[str, ...] = (*_BASE_COLUMNS, *(c for c, _ in REGISTRY_COLUMNS))
#: a conductivity recorded within this many K of the wanted temperature is used as it is
T_TOLERANCE_K = 5.0
_NAN = math.nan


def _num(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return _NAN
    return out


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def sigma_at(sigma: float, qualifier: str, T_ref_K: float, Ea_eV: float, T_K: float,
             law_fit: Mapping[str, Any] | None = None, **branch: Any) -> tuple[float, str, str]:
    """Conductivity (S/cm) at ``T_K`` from a value at ``T_ref_K``: (value, qualifier, note).

    Within :data:`T_TOLERANCE_K` the recorded value is used as it is; otherwise it comes from
    ``law_fit`` when the material's stored set has a fit of a law with parameters (VTF,
    two-regime Arrhenius: :func:`sigma_from_law_fit`), else it is moved along
    :class:`nitrolyte.transport.ArrheniusModel` (sigmaT convention) when ``Ea_eV`` is known,
    else NaN. A bound (``<``, ``>``) stays a bound (the model is monotonic).
    """
    if not (math.isfinite(sigma) and sigma > 0 and math.isfinite(T_ref_K)):
        return _NAN, "", "no conductivity in the database"
    if abs(T_ref_K - T_K) <= T_TOLERANCE_K:
        note = "" if abs(T_ref_K - T_K) < 1e-9 else f"value at {T_ref_K:g} K used for {T_K:g} K"
        return sigma, qualifier, note
    if law_fit:
        return sigma_from_law_fit(law_fit, T_K)
    if not math.isfinite(Ea_eV):
        return _NAN, "", f"measured at {T_ref_K:g} K and no activation energy to bring it to {T_K:g} K"
    from nitrolyte.transport.arrhenius import ArrheniusModel

    extra = {k: v for k, v in branch.items() if v is not None and math.isfinite(v)}
    try:
        value = float(ArrheniusModel.from_point(sigma, T_ref_K, Ea_eV, "sigmaT", **extra)
                      .sigma_S_cm(T_K))
    except ArithmeticError:  # exp() overflows: a point far from T_K with a large Ea
        value = math.inf
    if not (math.isfinite(value) and value > 0):
        return _NAN, "", (f"cannot extrapolate {sigma:g} S/cm at {T_ref_K:g} K with Ea "
                          f"{Ea_eV:g} eV to {T_K:g} K (the value under- or overflows)")
    return value, qualifier, f"Arrhenius (sigmaT) from {T_ref_K:g} K"


def sigma_from_law_fit(fit: Mapping[str, Any], T_K: float) -> tuple[float, str, str]:
    """(value, qualifier, note) of a stored fit of any registered law at ``T_K`` (K); the note
    names the law and says when ``T_K`` lies outside the fitted range."""
    from nitrolyte.transport.laws.registry import get_law, sigma_from_summary

    value = float(sigma_from_summary(fit, T_K))
    label = get_law(fit.get("law"), "fit law").label
    lo, hi = _num(fit.get("T_min_K")), _num(fit.get("T_max_K"))
    span = f"{lo:g}-{hi:g} K" if math.isfinite(lo) and math.isfinite(hi) else "unknown range"
    if not (math.isfinite(value) and value > 0):
        return _NAN, "", f"the stored {label} fit ({span}) gives no conductivity at {T_K:g} K"
    out = "" if lo <= T_K <= hi else ", extrapolated"
    return value, "", f"{label} fit of the stored set ({span}){out}"


def provenance(row: dict[str, Any]) -> str:
    """``"ref 26, Table 1 (Arrhenius plot)"`` / ``"user data"`` / ``"MD (simulation, <model
    version>)"`` for a wide-frame row (the last when the row carries a ``simulation`` label,
    :func:`nitrolyte.provenance.simulation_labels`)."""
    if _text(row.get("simulation")):
        return _text(row.get("simulation"))
    if row.get("source") == "user":
        return "user data" + (f", {row['doi']}" if _text(row.get("doi")) else "")
    ref = row.get("ref")
    ref_text = f"ref {int(ref)}" if ref is not None and not pd.isna(ref) else "review"
    loc = _text(row.get("location"))
    arr = " (back-calculated from an Arrhenius plot)" if bool(row.get("from_arrhenius")) else ""
    return f"{ref_text}{', ' + loc if loc else ''}{arr}"


# ---------------------------------------------------------------- stability
#: completeness of a window limit -> (qualifier of the reduction limit, of the oxidation limit):
#: with phases missing the true window lies inside an outer bound (reduction ">", oxidation "<");
#: "?" where the limit is no bound at all (the material's own energy is missing)
_WINDOW_QUALIFIER = {"complete": ("", ""), "bound": (">", "<"), "incomplete": ("?", "?")}

class StabilityLookup:
    """Windows and pairings per formula, computed once per screening (phase diagrams are cached
    by :mod:`nitrolyte.stability`); a formula the source does not hold is looked up in ``db``,
    the database being screened."""

    def __init__(self, design: ScreeningDesign, db: DatabaseLike | None = None):
        self.design = design
        self.db = db
        self._windows: dict[str, dict[str, Any]] = {}
        self._pairs: dict[tuple[str, str], dict[str, Any]] = {}
        self._air: dict[str, dict[str, Any]] = {}

    def window(self, formula: str) -> dict[str, Any]:
        """reduction_V, oxidation_V, window_width_V and window_basis of a formula or name."""
        if formula not in self._windows:
            self._windows[formula] = self._window(formula)
        return self._windows[formula]

    def _window(self, formula: str) -> dict[str, Any]:
        from nitrolyte.stability import layer_window

        if not formula:
            return {"reduction_V": _NAN, "oxidation_V": _NAN, "window_width_V": _NAN,
                    "window_basis": "unknown: the database gives no formula"}
        try:
            w = layer_window(formula, self.design.source, db=self.db)
        except NitrolyteError as exc:
            return {"reduction_V": _NAN, "oxidation_V": _NAN, "window_width_V": _NAN,
                    "window_basis": f"unknown: {exc}"}
        return {"reduction_V": w.reduction_V, "oxidation_V": w.oxidation_V,
                "window_width_V": w.oxidation_V - w.reduction_V, "window_basis": w.basis,
                "reduction_qualifier": _WINDOW_QUALIFIER[w.reduction_completeness][0],
                "oxidation_qualifier": _WINDOW_QUALIFIER[w.oxidation_completeness][1]}

    def air(self, formula: str) -> dict[str, Any]:
        """Reaction energies with H2O, O2 and CO2 (:data:`AIR_COLUMNS`) and how they were found."""
        if formula not in self._air:
            self._air[formula] = _air_evidence(formula, self.design.source, self.db)
        return self._air[formula]

    def pairing(self, formula: str, catholyte: str) -> dict[str, Any]:
        """Verdict of the SSE|SSE interface ``formula | catholyte`` (:func:`check_stack`)."""
        key = (formula, catholyte)
        if key not in self._pairs:
            from nitrolyte.stability import check_stack

            try:
                check = check_stack([formula, catholyte], self.design.source,
                                    db=self.db).interfaces[0]
                self._pairs[key] = {"catholyte": catholyte, "status": check.status,
                                    "verdict": check.verdict}
            except NitrolyteError as exc:
                self._pairs[key] = {"catholyte": catholyte, "status": "unknown", "verdict": str(exc)}
        return self._pairs[key]


# ---------------------------------------------------------------- records
def _bound(value: float, qualifier: str) -> tuple[float, str]:
    q = qualifier if qualifier in ("<", ">") else ""
    return value, q


def air_entries(material_id: str, sigma: float, sigma_q: str, records: Any) -> list[dict[str, Any]]:
    """Conductivity retained after air/moisture exposure, one entry per record of the material.

    .. math:: R = 100\\,\\sigma_\\mathrm{after}/\\sigma_\\mathrm{before} \\;(\\%)

    A bound on :math:`\\sigma_\\mathrm{after}` gives a bound on R; records without a conductivity
    keep R = NaN and their observation.
    """
    out: list[dict[str, Any]] = []
    if not material_id:
        return out
    for r in records.air_stability:
        if r.material_id != material_id or r.kind == "thermal":
            continue
        entry = {"id": r.id, "atmosphere": r.atmosphere, "duration_h": r.duration_h,
                 "observation": r.observation, "refs": list(r.refs), "location": r.location,
                 "retention_percent": _NAN, "qualifier": ""}
        if r.conductivity_S_cm is not None and math.isfinite(sigma) and sigma_q in ("", "=", "~"):
            value, q = _bound(100.0 * r.conductivity_S_cm / sigma, r.conductivity_qualifier)
            entry.update(retention_percent=value, qualifier=q)
        out.append(entry)
    return out


def demo_entries(material_id: str, quantity: str, records: Any) -> list[dict[str, Any]]:
    """Cell demonstrations of a material with a value (critical current density, capacity ...)."""
    out: list[dict[str, Any]] = []
    if not material_id:
        return out
    for r in records.cell_demonstrations:
        if r.material_id == material_id and r.quantity == quantity and r.value is not None:
            out.append({"id": r.id, "value": float(r.value), "unit": r.unit,
                        "qualifier": r.qualifier if r.qualifier in ("<", ">") else "",
                        "refs": list(r.refs), "location": r.location, "conditions": r.conditions})
    return out


def _best(entries: list[dict[str, Any]], key: str) -> tuple[float, str, str]:
    """Largest value among entries (value, qualifier, record id); NaN if none."""
    valued = [e for e in entries if math.isfinite(e[key])]
    if not valued:
        return _NAN, "", ""
    best = max(valued, key=lambda e: e[key])
    return best[key], best["qualifier"], best["id"]


def record_evidence(material_id: str, sigma: float, sigma_q: str, records: Any) -> dict[str, Any]:
    """Air-stability, critical-current-density and critical-capacity evidence of a material."""
    air = air_entries(material_id, sigma, sigma_q, records)
    ccd = demo_entries(material_id, "critical current density", records)
    cap = demo_entries(material_id, "critical stripping/plating capacity", records)
    r_val, r_q, _ = _best(air, "retention_percent")
    c_val, c_q, c_id = _best(ccd, "value")
    k_val, k_q, k_id = _best(cap, "value")
    return {"air_records": air, "retention_percent": r_val, "retention_qualifier": r_q,
            "ccd_records": ccd, "ccd_mA_cm2": c_val, "ccd_qualifier": c_q, "ccd_source": c_id,
            "critical_capacity_records": cap, "critical_capacity_mAh_cm2": k_val,
            "critical_capacity_qualifier": k_q, "critical_capacity_source": k_id}


# ---------------------------------------------------------------- density and energy
def density(name: str, formula: str, design: ScreeningDesign) -> tuple[float, str]:
    """Density (g/cm3) and its source: the user's, else the components table (by name, then formula)."""
    from nitrolyte.cell.components import component
    from nitrolyte.dataset import normalize_name

    mine = {normalize_name(k): v for k, v in design.densities_g_cm3.items()}
    for key in (name, formula):
        if key and normalize_name(key) in mine:
            return mine[normalize_name(key)], "user (densities_g_cm3)"
    for key in (name, formula):
        if not key:
            continue
        try:
            comp = component(key)
        except NitrolyteError:
            continue
        if "density" in comp.properties:
            v = comp.properties["density"]
            return v.value, f"components table: {comp.name} ({v.source}, {v.location})".replace(", )", ")")
    return _NAN, ""


class EnergyModel:
    """Pouch-cell energy of the design as a function of the screened layer's density.

    E (mWh/cm2) does not depend on the layer; the mass is linear in its density:
    :math:`M(\\rho) = M_0 + 0.1\\,t\\,\\rho`, so :math:`e(\\rho) = 1000\\,E/M(\\rho)` (Wh/kg).
    """

    def __init__(self, design: ScreeningDesign, catholyte_density: float | None = None):
        from nitrolyte.cell import pouch_cell

        extra = {} if catholyte_density is None else {"catholyte_density_g_cm3": catholyte_density}
        bare = pouch_cell(**{**design.pouch_design(), "nitride_um": 0.0}, **extra)
        self.energy_mWh_cm2 = float(bare.energy_mWh_cm2)
        self.base_mass_mg_cm2 = float(bare.mass_mg_cm2)
        self.mass_per_density = 0.1 * design.thickness_um  # mg/cm2 per g/cm3 (dense layer)

    def energy_Wh_kg(self, density_g_cm3: float) -> float:
        """Gravimetric energy density (Wh/kg) with the layer at this density (g/cm3).

        .. math:: e(\\rho) = 1000\\,E/(M_0 + 0.1\\,t\\,\\rho)
        """
        return 1000.0 * self.energy_mWh_cm2 / (self.base_mass_mg_cm2 + self.mass_per_density * density_g_cm3)

    @property
    def max_Wh_kg(self) -> float:
        """Energy density with a massless layer: no density can do better."""
        return 1000.0 * self.energy_mWh_cm2 / self.base_mass_mg_cm2

    def density_limit(self, target_Wh_kg: float) -> float:
        """Largest density (g/cm3) that still reaches ``target_Wh_kg`` (Wh/kg; negative: none).

        .. math:: \\rho_{max} = (1000\\,E/e_{target} - M_0)/(0.1\\,t)
        """
        spare_mg_cm2 = 1000.0 * self.energy_mWh_cm2 / target_Wh_kg - self.base_mass_mg_cm2
        if self.mass_per_density == 0.0:  # a layer too thin to weigh anything (0.1 t underflows)
            return math.inf if spare_mg_cm2 >= 0 else -math.inf
        return spare_mg_cm2 / self.mass_per_density


def _air_evidence(formula: str, source: str, db: DatabaseLike | None = None) -> dict[str, Any]:
    """Air evidence of one formula; NaN with a note where the source has no energy for it."""
    from nitrolyte.stability.air import air_reactions

    out: dict[str, Any] = {c: _NAN for c in AIR_COLUMNS}
    if not formula:
        return {**out, "air_note": "the database gives no formula"}
    try:
        reactions = air_reactions(formula, source, db=db)
    except NitrolyteError as exc:
        return {**out, "air_note": str(exc)}
    own = all(r.own_energy for r in reactions)
    for r in reactions:
        out[f"{r.gas}_meV_atom"] = r.energy_meV_atom if own else _NAN
    known = [r for r in reactions if math.isfinite(r.energy_meV_atom)]
    if not own:
        mixture = "; ".join(f"{r.gas}: {r.energy_meV_atom:.0f} meV/atom" for r in known)
        return {**out, "air_note": (f"source {reactions[0].source!r} has no energy for {formula} itself"
                                    + (f" (its equilibrium phase mixture would give {mixture}, no bound "
                                       "on its own)" if mixture else ""))}
    lacking = [r.gas for r in reactions if not math.isfinite(r.energy_meV_atom)]
    worst = min(known, key=lambda r: r.energy_meV_atom, default=None)
    text = "; ".join(f"+ {r.gas}: {r.text()}" for r in known)
    if "predicted" in reactions[0].basis:
        text = f"{formula} from a predicted structure ({reactions[0].basis}): {text}"
    if lacking:
        text += f"; not computable with {', '.join(lacking)} (phases missing from the source)"
    # a phase missing from the source can only make a reaction more favourable: an upper bound
    complete = not lacking and all(r.complete for r in known)
    return {**out, "air_reaction_meV_atom": worst.energy_meV_atom if worst else _NAN,
            "air_complete": complete, "air_gas": worst.gas if worst else "",
            "air_source": f"computed: nitrolyte.stability.air_reactions, source {reactions[0].source!r}",
            "air_note": text}


# ---------------------------------------------------------------- one material row
def material_evidence(row: dict[str, Any], design: ScreeningDesign, records: Any,
                      stability: StabilityLookup, energy: EnergyModel | None, *,
                      energy_note: str = "", pairings: bool = True, air: bool = False) -> dict[str, Any]:
    """The evidence dict of one wide-frame row (see :data:`EVIDENCE_COLUMNS`).

    ``energy`` is None when the design's pouch cell cannot be built (``energy_note`` says why);
    ``pairings=False`` skips the catholyte pairings (a stack judges its own interfaces);
    ``air=True`` adds the reaction energies with air (:data:`AIR_COLUMNS`).
    """
    name, formula = _text(row.get("name")), _text(row.get("formula"))
    direction = _text(row.get("direction"))
    sigma, q = _num(row.get("sigma_S_cm")), _text(row.get("sigma_qualifier"))
    T_ref, Ea = _num(row.get("T_K")), _num(row.get("Ea_eV"))
    branch = {"T_transition_K": _num(row.get("T_transition_K")), "Ea_HT_eV": _num(row.get("Ea_HT_eV"))}
    law_fit = row.get("law_fit") if isinstance(row.get("law_fit"), Mapping) else None
    src = provenance(row)
    ev: dict[str, Any] = {
        "kind": "material", "name": name, "material_id": _text(row.get("material_id")),
        "direction": direction, "family": _text(row.get("family")), "formula": formula,
        "source": _text(row.get("source")),
        "sigma_source": _text(row.get("sigma_simulation")) or src,
        "Ea_source": _text(row.get("Ea_simulation")) or src,
        "T_K": T_ref, "Ea_eV": Ea, **branch, "layers": (name,), "layer_um": (design.thickness_um,)}
    for column, qualifier in REGISTRY_COLUMNS:  # e.g. the electronic conductivity, as stored
        ev[column] = _num(row.get(column))
        if qualifier:
            ev[qualifier] = _text(row.get(qualifier))
    ev["sigma_S_cm"], ev["sigma_qualifier"], ev["sigma_note"] = sigma_at(
        sigma, q, T_ref, Ea, T_ROOM_K, law_fit, **branch)
    ev["sigma_op_S_cm"], ev["sigma_op_qualifier"], ev["sigma_op_note"] = sigma_at(
        sigma, q, T_ref, Ea, design.T_K, law_fit, **branch)
    if _text(row.get("sigma_unknown")):  # simulated, never diffusive: unknown, said why
        ev["sigma_note"] = ev["sigma_op_note"] = _text(row.get("sigma_unknown"))
    ev.update(stability.window(formula))
    ev["reduction_basis"] = ev["window_basis"]
    ev["pairings"] = tuple(stability.pairing(formula, c) for c in design.catholytes) \
        if pairings and formula and math.isfinite(ev["oxidation_V"]) else ()
    ev.update(record_evidence(ev["material_id"], sigma, q, records))
    if air:
        ev.update(stability.air(formula))
    rho, rho_src = density(name, formula, design)
    ev.update(density_g_cm3=rho, density_source=rho_src, energy_model=energy, energy_note=energy_note,
              energy_Wh_kg=energy.energy_Wh_kg(rho) if energy and math.isfinite(rho) else _NAN)
    return ev


def label(ev: dict[str, Any]) -> str:
    """Display label of an evidence row: the name plus ``(⊥c)`` / ``(∥c)`` for a direction."""
    suffix = {"perp_c": " (⊥c)", "par_c": " (∥c)"}.get(ev.get("direction", ""), "")
    return f"{ev['name']}{suffix}"
