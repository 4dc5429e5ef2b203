"""Judging one evidence row against one target: pass, fail or unknown, with value and source.

Rules shared by every criterion (:func:`compare`): a missing value is ``unknown``, never a pass;
a bound decides only when it lies on the deciding side of the threshold (``<1e-10`` S/cm fails
``>= 1e-3``; ``>1e-3`` passes it; ``<1e-2`` is unknown); ``~`` values count as measured.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from nitrolyte.screening.design import ScreeningDesign
from nitrolyte.screening.targets import Target

Status = Literal["pass", "fail", "unknown"]
STATUSES: tuple[str, ...] = ("pass", "fail", "unknown")
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
#: evidence column -> the column holding its qualifier
QUALIFIER_COLUMNS = {"sigma_S_cm": "sigma_qualifier", "sigma_op_S_cm": "sigma_op_qualifier",
                     "retention_percent": "retention_qualifier", "ccd_mA_cm2": "ccd_qualifier",
                     "critical_capacity_mAh_cm2": "critical_capacity_qualifier"}
_NAN = math.nan


@dataclass(frozen=True)
class CriterionResult:
    """The verdict of one criterion for one material or stack.

    Attributes
    ----------
    criterion : str
        Target id (``"sigma"``, ``"Ea"``, ... or a user id).
    status : {"pass", "fail", "unknown"}
    value : float
        The value judged (NaN when unknown), in ``unit``.
    qualifier : str
        ``""``, ``"<"`` or ``">"`` when ``value`` is a bound.
    comparator : str
        How ``value`` is compared with ``threshold``.
    threshold : float
        The threshold in ``unit`` (for ``fast_charge`` the conductivity the charge time needs).
    unit : str
    source : str
        Where the value comes from: a reference (``"ref 15, Table 1"``), ``"computed: ..."``, or
        a record id of ``records.yaml``.
    note : str
        Why unknown, bounds, the derivation of a computed threshold.
    stretch : {"pass", "fail", "unknown"} or None
        Against the review's stretch value (1e-2 S/cm, 500 Wh/kg); not scored.
    weight : float
        Weight of the criterion in the score.
    """

    criterion: str
    status: Status
    value: float = _NAN
    qualifier: str = ""
    comparator: str = ""
    threshold: float = _NAN
    unit: str = ""
    source: str = ""
    note: str = ""
    stretch: Status | None = None
    weight: float = 1.0

    @property
    def symbol(self) -> str:
        """✓, ✗ or ? for tables."""
        return {"pass": "✓", "fail": "✗", "unknown": "?"}[self.status]

    def value_text(self) -> str:
        """``"<1e-10"``, ``"0.371"``, ``""`` for an unknown value."""
        if math.isnan(self.value):
            return ""
        return f"{self.qualifier}{self.value:.3g}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (NaN and infinity as None)."""
        d = asdict(self)
        for k in ("value", "threshold"):
            d[k] = d[k] if math.isfinite(d[k]) else None
        return d


def compare(value: float, qualifier: str, comparator: str, threshold: float) -> Status:
    """Judge ``value <comparator> threshold`` where ``value`` may be a bound.

    Parameters
    ----------
    value : float
        NaN means unknown. Infinity is allowed (a window never oxidised).
    qualifier : {"", "=", "~", "<", ">"}
        ``"<"``: the true value is below ``value``; ``">"``: above it.
    comparator : {">", ">=", "<", "<="}
    threshold : float
    """
    if value is None or math.isnan(value):
        return "unknown"
    if qualifier not in ("<", ">"):
        return "pass" if _OPS[comparator](value, threshold) else "fail"
    wants_high = comparator in (">", ">=")
    if qualifier == "<":
        if value <= threshold:
            return "fail" if wants_high else "pass"
        return "unknown"
    if value >= threshold:
        return "pass" if wants_high else "fail"
    return "unknown"


def _result(t: Target, status: Status, value: float = _NAN, qualifier: str = "", **kw: Any) -> CriterionResult:
    kw.setdefault("comparator", t.comparator)
    kw.setdefault("threshold", t.value)
    kw.setdefault("unit", t.unit)
    return CriterionResult(t.id, status, value, qualifier, weight=t.weight, **kw)


def _stretch(t: Target, value: float, qualifier: str) -> Status | None:
    return None if t.stretch_value is None else compare(value, qualifier, t.comparator, t.stretch_value)


def _simple(t: Target, ev: dict[str, Any], missing: str, source: str = "", note: str = "") -> CriterionResult:
    value = ev.get(t.column, _NAN)
    q = ev.get(QUALIFIER_COLUMNS.get(t.column, ""), "") or ""
    status = compare(value, q, t.comparator, t.value)
    return _result(t, status, value, q, source=source if status != "unknown" or not math.isnan(value) else "",
                   note=missing if math.isnan(value) else note, stretch=_stretch(t, value, q))


def sigma(t: Target, ev: dict[str, Any], design: ScreeningDesign) -> CriterionResult:
    """Room-temperature (25 °C) ionic conductivity against the target (S/cm)."""
    return _simple(t, ev, ev.get("sigma_note") or "no room-temperature conductivity in the database",
                   ev.get("sigma_source", ""), ev.get("sigma_note", ""))


def activation(t: Target, ev: dict[str, Any], design: ScreeningDesign) -> CriterionResult:
    """Activation energy (eV) that applies at room temperature."""
    return _simple(t, ev, "no activation energy in the database", ev.get("Ea_source", ""))


def _bound_compare(value: float, qualifier: str, t: Target) -> Status:
    """:func:`compare` for a window limit: ``"?"`` (no bound) is unknown, and a bound from a phase
    set with phases missing is not strict (the true limit may equal it), so equality is unknown."""
    if qualifier == "?" and not math.isnan(value):
        return "unknown"
    if qualifier in ("<", ">") and value == t.value:
        return "unknown"
    return compare(value, qualifier if qualifier in ("<", ">") else "", t.comparator, t.value)


def li_stability(t: Target, ev: dict[str, Any], design: ScreeningDesign) -> CriterionResult:
    """Reduction limit of the window (V vs. Li/Li+): not reduced by Li metal at 0 V."""
    value = ev.get("reduction_V", _NAN)
    rounded = round(value, 6) if math.isfinite(value) else value
    q = ev.get("reduction_qualifier", "")
    status = _bound_compare(rounded, q, t)
    note = "" if status != "fail" else (
        f"reduced by Li metal below {value:.2f} V; it relies on a passivating interphase "
        "(for LiPON the Li3N/Li3P/Li2O interphase of Section 4.3)")
    basis = ev.get("reduction_basis", ev.get("window_basis", ""))
    if status == "unknown" and math.isfinite(value):  # a window on an incomplete phase set
        return _result(t, status, value, "" if q == "?" else q, source=basis,
                       note=f"not decided: reduced below {value:.2f} V on the phases known; {basis}")
    return _result(t, status, value, q if q in ("<", ">") else "", source=basis if status != "unknown" else "",
                   note=basis if status == "unknown" else note)


def _pairing_text(pairs: tuple[dict[str, Any], ...]) -> str:
    return "; ".join(f"{p['catholyte']}: {p['status']} ({p['verdict']})" for p in pairs)


def oxidation(t: Target, ev: dict[str, Any], design: ScreeningDesign) -> CriterionResult:
    """Oxidation limit above the target, or a stable pairing with a cathode-side SSE."""
    if ev.get("kind") == "stack":
        return _stack_oxidation(t, ev)
    ox, basis = ev.get("oxidation_V", _NAN), ev.get("window_basis", "")
    q = ev.get("oxidation_qualifier", "")
    own = _bound_compare(ox, q, t)
    if own == "pass":
        return _result(t, "pass", ox, source=basis)
    if own == "unknown" and math.isnan(ox):
        return _result(t, "unknown", note=basis)
    pairs = tuple(ev.get("pairings", ()))
    stable = [p for p in pairs if p["status"] == "stable"]
    if stable:
        return _result(t, "pass", ox, source=basis, note=f"oxidised above {ox:.2f} V but pairs with "
                       f"{stable[0]['catholyte']}: {stable[0]['verdict']}")
    status: Status = "fail" if own == "fail" and all(p["status"] == "unstable" for p in pairs) else "unknown"
    tried = _pairing_text(pairs) if pairs else "no cathode-side SSE tried (catholytes=())"
    where = (f"oxidised above {ox:.2f} V" if own == "fail" else
             f"not decided: oxidised above {ox:.2f} V on the phases known ({basis})")
    return _result(t, status, ox, q if q in ("<", ">") else "", source=basis,
                   note=f"{where}; cathode-side pairings: {tried}")


def _stack_oxidation(t: Target, ev: dict[str, Any]) -> CriterionResult:
    """A stack passes when every SSE|SSE interface is stable and its cathode-side SSE is not
    oxidised below the target."""
    checks = tuple(ev.get("stack_interfaces", ()))
    ox, basis = ev.get("oxidation_V", _NAN), ev.get("window_basis", "")
    own = _bound_compare(ox, ev.get("oxidation_qualifier", ""), t)
    statuses = [c["status"] for c in checks]
    text = "; ".join(f"{c['left']} | {c['right']}: {c['verdict']}" for c in checks)
    note = f"cathode-side SSE {ev.get('cathode_side', '')}: {basis}" + (f"; {text}" if text else "")
    if own == "fail" or "unstable" in statuses:
        status: Status = "fail"
    elif own == "pass" and all(s == "stable" for s in statuses):
        status = "pass"
    else:
        status = "unknown"
    return _result(t, status, ox, source="computed: nitrolyte.stability.check_stack", note=note)


def air(t: Target, ev: dict[str, Any], design: ScreeningDesign) -> CriterionResult:
    """Conductivity retained (%) after air or moisture exposure, from ``records.yaml``.

    Pass when any record shows the target retention; fail when a record shows less and none
    shows enough; unknown otherwise (no record, or only bounds that do not decide).
    """
    entries = list(ev.get("air_records", ()))
    if not entries:
        return _result(t, "unknown", note="no air-stability record for this material")
    judged = [(compare(e["retention_percent"], e["qualifier"], t.comparator, t.value), e) for e in entries]
    for wanted in ("pass", "fail"):
        hits = [e for s, e in judged if s == wanted]
        if hits and (wanted == "pass" or all(s != "pass" for s, _ in judged)):
            e = hits[0]
            return _result(t, wanted, e["retention_percent"], e["qualifier"],  # type: ignore[arg-type]
                           source=f"record {e['id']} ({_refs(e)})", note=_air_note(e))
    valued = [e for e in entries if math.isfinite(e["retention_percent"])]
    e = valued[0] if valued else entries[0]
    observations = "; ".join(f"{x['atmosphere']}: {x['observation']}" for x in entries)
    return _result(t, "unknown", e["retention_percent"], e["qualifier"],
                   source=f"record {e['id']} ({_refs(e)})" if valued else "",
                   note=("the bound does not decide the target; " if valued else
                         "no conductivity after exposure recorded; ") + observations)


def air_reaction(t: Target, ev: dict[str, Any], design: ScreeningDesign) -> CriterionResult:
    """Most negative reaction energy with H2O, O2 or CO2 (meV/atom) against the target.

    From :func:`nitrolyte.stability.air.air_reactions` with the design's energy source. Unknown
    where the source has no energy for the material itself; when a gas could not be computed the
    value is an upper bound (``<``: that gas may react more), which decides only a failure.
    """
    value = ev.get("air_reaction_meV_atom", _NAN)
    if value is None or math.isnan(value):
        why = ("air reactions are judged per material, not per stack" if ev.get("kind") == "stack"
               else "no reaction energy with air")
        return _result(t, "unknown", note=ev.get("air_note") or why)
    q = "" if ev.get("air_complete", True) else "<"
    return _result(t, compare(value, q, t.comparator, t.value), value, q,
                   source=ev.get("air_source", ""), note=ev.get("air_note", ""))


def _refs(e: dict[str, Any]) -> str:
    refs = ", ".join(str(r) for r in e.get("refs", ()))
    return f"ref {refs}; {e['location']}" if refs else e["location"]


def _air_note(e: dict[str, Any]) -> str:
    hours = f" for {e['duration_h']:g} h" if e.get("duration_h") else ""
    return f"{e['atmosphere']}{hours}: {e['observation']}"


def _demo(t: Target, ev: dict[str, Any], what: str) -> CriterionResult:
    key = "ccd" if t.id == "ccd" else "critical_capacity"
    entries = list(ev.get(f"{key}_records", ()))
    value, q = ev.get(t.column, _NAN), ev.get(f"{key}_qualifier", "")
    if not entries or math.isnan(value):
        return _result(t, "unknown", note=f"no {what} for this material in the records")
    best = next(e for e in entries if e["id"] == ev.get(f"{key}_source"))
    status = compare(value, q, t.comparator, t.value)
    note = best["conditions"] + (f"; {len(entries)} records, the largest is judged" if len(entries) > 1 else "")
    return _result(t, status, value, q, source=f"record {best['id']} ({_refs(best)})", note=note)


def ccd(t: Target, ev: dict[str, Any], design: ScreeningDesign) -> CriterionResult:
    """Critical current density (mA/cm2) against Li metal, from the cell demonstrations."""
    return _demo(t, ev, "critical current density")


def critical_capacity(t: Target, ev: dict[str, Any], design: ScreeningDesign) -> CriterionResult:
    """Critical stripping/plating capacity (mAh/cm2), from the cell demonstrations."""
    return _demo(t, ev, "critical stripping/plating capacity")


def fast_charge(t: Target, ev: dict[str, Any], design: ScreeningDesign) -> CriterionResult:
    """Conductivity at the operating temperature against the one a ``t``-minute charge needs.

    .. math:: \\sigma_\\mathrm{min} = \\frac{Q_A\\,C\\,L}{\\Delta V_\\mathrm{max}}, \\quad C = 60/t

    with L the total SSE thickness (:func:`nitrolyte.transport.layer.required_conductivity_S_cm`).
    """
    from nitrolyte.transport.layer import required_conductivity_S_cm

    c_rate = design.c_rate(t.value)
    length = float(sum(ev.get("layer_um", (design.thickness_um,))))
    need = float(required_conductivity_S_cm(design.areal_capacity_mAh_cm2, c_rate, length,
                                            design.max_drop_V))
    value, q = ev.get("sigma_op_S_cm", _NAN), ev.get("sigma_op_qualifier", "")
    status = compare(value, q, ">=", need)
    how = (f"{t.value:g}-min ({c_rate:.3g}C) charge of {design.areal_capacity_mAh_cm2:g} mAh/cm2 through "
           f"{length:g} um within {design.max_drop_V:g} V at {design.T_K:g} K")
    extra = ev.get("sigma_op_note", "")
    return _result(t, status, value, q, comparator=">=", threshold=need, unit="S/cm",
                   source=ev.get("sigma_op_source") or f"computed: {ev.get('sigma_source', '')}"
                   if not math.isnan(value) else "",
                   note=how + (f"; {extra}" if extra else ""))


def energy_density(t: Target, ev: dict[str, Any], design: ScreeningDesign) -> CriterionResult:
    """Gravimetric energy density (Wh/kg) of the pouch-cell design with this layer.

    Without a density the layer's mass is unknown: a massless layer bounds the energy density
    from above, so the criterion fails when even that misses the target and is unknown otherwise,
    naming the largest density that would reach it.
    """
    model = ev.get("energy_model")
    if model is None:
        return _result(t, "unknown", note=ev.get("energy_note", "no pouch-cell model for this design"))
    rho = ev.get("density_g_cm3", _NAN)
    src = "computed: nitrolyte.cell pouch model"
    if math.isfinite(rho):
        value = model.energy_Wh_kg(rho)
        return _result(t, compare(value, "", t.comparator, t.value), value, source=src,
                       note=f"density {rho:g} g/cm3 from {ev.get('density_source', '')}",
                       stretch=_stretch(t, value, ""))
    top = model.max_Wh_kg
    status = compare(top, "<", t.comparator, t.value)
    limit = model.density_limit(t.value)
    note = f"no density for {ev.get('name', 'this layer')} (pass densities_g_cm3)"
    if status == "unknown" and limit > 0:
        note += f"; reaches {t.value:g} Wh/kg if its density is below {limit:.3g} g/cm3"
    return _result(t, status, top, "<", source=src, note=note)


def custom(t: Target, ev: dict[str, Any], design: ScreeningDesign) -> CriterionResult:
    """A user target on any evidence column."""
    return _simple(t, ev, f"no value of {t.column}", f"evidence column {t.column}")


EVALUATORS: dict[str, Callable[[Target, dict[str, Any], ScreeningDesign], CriterionResult]] = {
    "sigma": sigma, "Ea": activation, "li_stability": li_stability, "oxidation": oxidation,
    "air": air, "air_reaction": air_reaction, "ccd": ccd, "critical_capacity": critical_capacity, "fast_charge": fast_charge,
    "energy_density": energy_density}


def evaluate(t: Target, ev: dict[str, Any], design: ScreeningDesign) -> CriterionResult:
    """Judge one evidence row against one target."""
    return EVALUATORS.get(t.id, custom)(t, ev, design)
