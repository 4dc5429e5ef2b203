"""Pairing check of an SSE stack, anode side to cathode side (review Section 5, Fig. 17B).

Each SSE layer is judged at the potential it sees: a layer touching the anode must not be
reduced at the anode potential (:math:`V_\\mathrm{red} \\le V_\\mathrm{anode}`), a layer touching
the cathode must not be oxidised at the cathode potential
(:math:`V_\\mathrm{ox} \\ge V_\\mathrm{cathode}`), and two SSEs in contact need a common potential
at which both are stable,

.. math:: \\max(V_\\mathrm{red,1}, V_\\mathrm{red,2}) \\le \\min(V_\\mathrm{ox,1}, V_\\mathrm{ox,2}),

plus no chemical reaction between them. Computed windows are used where the energy source
allows, published windows otherwise, and each verdict says which.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from nitrolyte.errors import InputError, MissingDataError
from nitrolyte.stability._common import _key
from nitrolyte.stability.energies import EnergySource
from nitrolyte.stability.interface import InterfaceResult, interface_reaction
from nitrolyte.stability.reported import reported_window
from nitrolyte.stability.sources import DEFAULT_SOURCE, resolve_source
from nitrolyte.stability.window import StabilityWindow, electrochemical_window

if TYPE_CHECKING:
    from nitrolyte.store.database import DatabaseLike

Status = Literal["stable", "unstable", "unknown"]


@dataclass(frozen=True)
class Electrode:
    """An electrode of a stack: its potential vs. Li/Li+ and where that number comes from."""

    name: str
    formula: str
    potential_V: float
    role: Literal["anode", "cathode"]
    basis: str


#: electrodes the stack check knows (names matched case- and dash-insensitively)
ELECTRODES: dict[str, Electrode] = {
    "li": Electrode("Li", "Li", 0.0, "anode", "Li metal: 0 V vs. Li/Li+ by definition"),
    "limetal": Electrode("Li", "Li", 0.0, "anode", "Li metal: 0 V vs. Li/Li+ by definition"),
    "nmc811": Electrode("NMC811", "LiNi0.8Mn0.1Co0.1O2", 3.75, "cathode",
                        "nominal voltage of NMC811 in the review's Fig. 17 caption (3.75 V); "
                        "the top of charge is higher: pass cathode_potential_V"),
}


@dataclass(frozen=True)
class LayerWindow:
    """The window used for one SSE layer and its basis (computed / reported / unknown)."""

    material: str
    reduction_V: float
    oxidation_V: float
    basis: str
    completeness: str = "complete"
    lacking: tuple[str, ...] = ()
    reduction_completeness: str = "complete"
    oxidation_completeness: str = "complete"
    own_energy: bool = True

    @property
    def known(self) -> bool:
        """Whether both limits are known."""
        return math.isfinite(self.reduction_V) and not math.isnan(self.oxidation_V)

    def decides(self, ok: bool, side: str | None = None) -> bool:
        """Whether a verdict ``ok`` built on this window holds whatever the missing phases are.

        A complete window decides both ways; an outer bound (:attr:`StabilityWindow.completeness`)
        decides only a failure (the true window is narrower); an incomplete one decides nothing.
        ``side`` (``"reduction"`` / ``"oxidation"``) judges one limit only.
        """
        kind = {"reduction": self.reduction_completeness,
                "oxidation": self.oxidation_completeness}.get(side or "", self.completeness)
        return kind == "complete" or (not ok and kind == "bound")

    def certainly_contains(self, V: float) -> bool:
        """Whether the true window contains ``V`` whatever the missing phases are: inside a
        complete window, or at an exact limit of an outer bound (the true window keeps it)."""
        if self.completeness == "complete":
            return self.reduction_V - 1e-6 <= V <= self.oxidation_V + 1e-6
        if self.completeness != "bound":
            return False
        return ((self.reduction_completeness == "complete" and abs(V - self.reduction_V) <= 1e-6)
                or (self.oxidation_completeness == "complete" and abs(V - self.oxidation_V) <= 1e-6))

    def missing_text(self) -> str:
        """``"Li3InCl6: InCl3 missing from the source"``."""
        return f"{self.material}: {', '.join(self.lacking)} missing from the source"


@dataclass(frozen=True)
class InterfaceCheck:
    """Verdict for one interface of a stack.

    Attributes
    ----------
    left, right : str
        Layers (anode side first).
    kind : {"anode|SSE", "SSE|SSE", "SSE|cathode"}
    potential_V : float
        Electrode potential the SSE sees (NaN for SSE|SSE).
    status : {"stable", "unstable", "unknown"}
    verdict : str
        Plain-language verdict naming the window basis.
    reaction_energy_eV_atom : float
        Most negative chemical reaction energy (NaN when not computed).
    reaction : str
        The chemical reaction at that minimum (SSE|SSE interfaces; empty if none computed).
    products : tuple of str
        Its products.
    """

    left: str
    right: str
    kind: str
    potential_V: float
    status: Status
    verdict: str
    reaction_energy_eV_atom: float = math.nan
    reaction: str = ""
    products: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (NaN as None)."""
        d = asdict(self)
        d["products"] = list(self.products)
        for k in ("potential_V", "reaction_energy_eV_atom"):
            d[k] = d[k] if math.isfinite(d[k]) else None
        return d


@dataclass(frozen=True)
class StackCheck:
    """Result of :func:`check_stack`: the windows used and a verdict per interface."""

    layers: tuple[str, ...]
    windows: tuple[LayerWindow, ...]
    interfaces: tuple[InterfaceCheck, ...]
    source: str

    @property
    def ok(self) -> bool:
        """True when every interface is judged stable."""
        return all(i.status == "stable" for i in self.interfaces)

    @property
    def summary(self) -> str:
        """One sentence: stable, unstable (naming the interfaces) or not decided (naming them)."""
        def names(status: str) -> str:
            return ", ".join(f"{i.left} | {i.right}" for i in self.interfaces if i.status == status)

        if self.ok:
            return "All interfaces stable."
        unstable, unknown = names("unstable"), names("unknown")
        text = f"Unstable: {unstable}." if unstable else ""
        if unknown:
            text += (" " if text else "") + f"Not decided: {unknown}."
        return text

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        def win(w: LayerWindow) -> dict[str, Any]:
            return {k: (v if not isinstance(v, float) or math.isfinite(v) else None)
                    for k, v in asdict(w).items()}
        return {"layers": list(self.layers), "source": self.source, "ok": self.ok,
                "summary": self.summary, "windows": [win(w) for w in self.windows],
                "interfaces": [i.to_dict() for i in self.interfaces]}

    def to_frame(self) -> pd.DataFrame:
        """One row per interface."""
        return pd.DataFrame([i.to_dict() for i in self.interfaces])


def parse_stack(layers: str | list[str] | tuple[str, ...]) -> list[str]:
    """``"Li | beta-Li3N | Li3InCl6 | NMC811"`` or a list of names -> list of names."""
    items = layers.split("|") if isinstance(layers, str) else [p for x in layers for p in str(x).split("|")]
    out = [x.strip() for x in items if x.strip()]
    if len(out) < 2:
        raise InputError(f"stack needs at least two layers separated by '|', got {layers!r}")
    return out


def layer_window(material: str, source: str | Path | EnergySource = DEFAULT_SOURCE, *,
                 db: DatabaseLike | None = None) -> LayerWindow:
    """Computed window if the source allows, else the published intrinsic window, else unknown."""
    try:
        w = electrochemical_window(material, source, db=db)
    except MissingDataError as exc:  # e.g. source 'ml' without a structure for this layer
        w = StabilityWindow(material=material, formula="", reduction_V=math.nan, oxidation_V=math.nan,
                            computable=False, source=resolve_source(source, db=db).name, notes=(str(exc),))
    if w.computable:
        basis = f"computed from source {w.source!r}"
        if not w.own_energy:
            basis += f" (tie line {' + '.join(w.equilibrium_phases)}; own energy not in source)"
        if w.energy_basis:
            basis += f" [{w.basis_text()}]"
        if w.completeness != "complete":
            basis += (f"; {'an outer bound' if w.completeness == 'bound' else 'no bound'}: "
                      f"{', '.join(w.lacking)} missing from the source")
        return LayerWindow(material, w.reduction_V, w.oxidation_V, basis, w.completeness, w.lacking,
                           w.side_completeness("reduction"), w.side_completeness("oxidation"), w.own_energy)
    rep = reported_window(material, db=db)
    if rep is not None and rep.has_value:
        where = "stated in the review" if rep.stated_in_review else "from the source paper"
        return LayerWindow(material, rep.reduction_V, rep.oxidation_V,
                           f"reported {rep.method} window ({where}, ref {rep.ref}); not computable from "
                           f"source {w.source!r}", own_energy=w.own_energy)
    return LayerWindow(material, math.nan, math.nan,
                       f"unknown: not computable from source {w.source!r} and no published value embedded")


def _fmt(w: LayerWindow) -> str:
    ox = "inf" if w.oxidation_V == math.inf else f"{w.oxidation_V:.2f}"
    return f"{w.reduction_V:.2f}-{ox} V, {w.basis}"


def _electrode_check(el: Electrode, w: LayerWindow, db: DatabaseLike | None = None) -> InterfaceCheck:
    left, right = (el.name, w.material) if el.role == "anode" else (w.material, el.name)
    kind = "anode|SSE" if el.role == "anode" else "SSE|cathode"
    if not w.known:
        return InterfaceCheck(left, right, kind, el.potential_V, "unknown",
                              f"cannot judge {w.material} at {el.potential_V:g} V: window {w.basis}")
    if el.role == "anode":
        ok = w.reduction_V <= el.potential_V + 1e-6
        claim = (f"{w.material} is not reduced at {el.potential_V:g} V" if ok else
                 f"{w.material} is reduced below {w.reduction_V:.2f} V, above the {el.name} potential "
                 f"of {el.potential_V:g} V")
        remedy = "a passivating interphase or an interlayer"
    else:
        ok = w.oxidation_V >= el.potential_V - 1e-6
        claim = (f"{w.material} is not oxidised at {el.potential_V:g} V" if ok else
                 f"{w.material} is oxidised above {w.oxidation_V:.2f} V, below the {el.name} potential "
                 f"of {el.potential_V:g} V")
        remedy = "a passivating interphase or a cathode coating"
    if not w.decides(ok, "reduction" if el.role == "anode" else "oxidation"):
        return InterfaceCheck(left, right, kind, el.potential_V, "unknown",
                              f"not decided: on the phases known {claim} ({_fmt(w)})")
    text = f"{'stable' if ok else 'unstable'}: {claim} ({_fmt(w)})"
    if not ok:
        text += f"; it needs {remedy}" + _extended_note(w.material, el.potential_V, db)
    return InterfaceCheck(left, right, kind, el.potential_V, "stable" if ok else "unstable", text)


def _extended_note(material: str, potential_V: float, db: DatabaseLike | None = None) -> str:
    """Mention published extended / measured windows that do cover the potential."""
    parts = []
    for kind in ("extended", "experimental"):
        rep = reported_window(material, kind, db=db)  # type: ignore[arg-type]
        if rep is not None and rep.has_value and rep.reduction_V <= potential_V <= rep.oxidation_V:
            parts.append(f"the {kind} window {rep.reduction_V:g}-{rep.oxidation_V:g} V (ref {rep.ref}) "
                         "covers this potential")
    return ("; but " + " and ".join(parts) + " - reported as kinetically stabilised by interphases") if parts else ""


def _sse_check(a: LayerWindow, b: LayerWindow, source: str | Path | EnergySource,
               db: DatabaseLike | None = None) -> InterfaceCheck:
    chem = interface_reaction(a.material, b.material, source, db=db)
    checked = _sse_verdict(a, b, chem)
    if not chem.computable:
        return checked
    return replace(checked, reaction=chem.reaction_at_min, products=chem.products)


def _sse_verdict(a: LayerWindow, b: LayerWindow, chem: InterfaceResult) -> InterfaceCheck:
    energy = chem.min_energy_eV_atom if chem.computable else math.nan
    if not (a.known and b.known):
        lacking = a if not a.known else b
        return InterfaceCheck(a.material, b.material, "SSE|SSE", math.nan, "unknown",
                              f"cannot judge: window of {lacking.material} {lacking.basis}", energy)
    lo, hi = max(a.reduction_V, b.reduction_V), min(a.oxidation_V, b.oxidation_V)
    overlap_sure = any(a.certainly_contains(v) and b.certainly_contains(v) for v in (lo, hi))
    undecided = [] if overlap_sure else [w.missing_text() for w in (a, b) if w.completeness != "complete"]
    # a reaction found among the phases known stands: missing phases only make it more favourable
    reacts = bool(chem.computable and chem.reactive and a.own_energy and b.own_energy)
    if lo > hi + 1e-6 and not (a.decides(False) and b.decides(False)) and not reacts:
        return InterfaceCheck(a.material, b.material, "SSE|SSE", math.nan, "unknown",
                              f"not decided: no common window on the phases known "
                              f"({a.material}: {_fmt(a)}; {b.material}: {_fmt(b)}); "
                              + "; ".join(undecided), energy)
    if lo > hi + 1e-6 and a.decides(False) and b.decides(False):
        ox_first, red_last = (a, b) if a.oxidation_V <= b.oxidation_V else (b, a)
        text = (f"unstable: no common window - {ox_first.material} is oxidised above "
                f"{ox_first.oxidation_V:.2f} V while {red_last.material} is reduced below "
                f"{red_last.reduction_V:.2f} V ({a.material}: {_fmt(a)}; {b.material}: {_fmt(b)}); "
                "the contact relies on kinetics or an interphase")
        return InterfaceCheck(a.material, b.material, "SSE|SSE", math.nan, "unstable", text, energy)
    if reacts:
        overlap = f"windows overlap at {lo:.2f}-{hi:.2f} V but" if lo <= hi + 1e-6 else \
            "no common window on the phases known, and"
        text = (f"unstable: {overlap} the two react chemically: "
                f"{chem.reaction_at_min} ({chem.min_energy_eV_atom:.3f} eV/atom)")
        return InterfaceCheck(a.material, b.material, "SSE|SSE", math.nan, "unstable", text, energy)
    if not chem.computable:
        undecided.append("chemical reaction not computable from the source")
    elif chem.reactive:
        undecided.append(f"the phase mixtures react: {chem.reaction_at_min}")
    elif chem.missing_phases:
        undecided.append("no chemical reaction among the phases known (missing: "
                         f"{', '.join(chem.missing_phases)})")
    if undecided:
        text = f"not decided: windows overlap at {lo:.2f}-{hi:.2f} V on the phases known; " + "; ".join(undecided)
        return InterfaceCheck(a.material, b.material, "SSE|SSE", math.nan, "unknown", text, energy)
    text = f"stable: windows overlap at {lo:.2f}-{hi:.2f} V; no chemical reaction"
    return InterfaceCheck(a.material, b.material, "SSE|SSE", math.nan, "stable", text, energy)


def check_stack(layers: str | list[str] | tuple[str, ...], source: str | Path | EnergySource = DEFAULT_SOURCE,
                *, cathode_potential_V: float | None = None,
                electrodes: dict[str, Electrode] | None = None, db: DatabaseLike | None = None) -> StackCheck:
    """Check each interface of a stack, anode side to cathode side.

    Parameters
    ----------
    layers : str or list of str
        ``"Li | beta-Li3N | Li3InCl6 | NMC811"`` or the same as a list. The first and last
        layers may be electrodes (:data:`ELECTRODES`: Li, NMC811); the rest are SSEs.
    source : str (a name in ``SOURCES``), path or EnergySource
    cathode_potential_V : float, optional
        Override the cathode potential (V vs. Li/Li+), e.g. 4.3 for the top of charge.
    electrodes : dict, optional
        Extra electrodes (key: lower-case name without dashes).
    db : Database, str or path-like, optional
        Database for names users added (default: the user's; see :func:`nitrolyte.api.get`).

    Returns
    -------
    StackCheck
    """
    names = parse_stack(layers)
    known = {**ELECTRODES, **(electrodes or {})}
    ends = [known.get(_key(n)) for n in names]
    if any(e is not None for e in ends[1:-1]):
        raise InputError(f"stack: electrodes may only be the first or last layer, got {names}")
    anode = ends[0] if ends[0] is not None and ends[0].role == "anode" else None
    cathode = ends[-1] if ends[-1] is not None and ends[-1].role == "cathode" else None
    if cathode is not None and cathode_potential_V is not None:
        if not (math.isfinite(cathode_potential_V) and 0 < cathode_potential_V < 10):
            raise InputError(f"cathode_potential_V must be between 0 and 10 V, got {cathode_potential_V}")
        cathode = Electrode(cathode.name, cathode.formula, float(cathode_potential_V), "cathode",
                            "cathode potential set by the user")
    sses = names[1 if anode else 0: len(names) - 1 if cathode else len(names)]
    if not sses:
        raise InputError(f"stack needs at least one SSE layer between the electrodes, got {names}")
    windows = [layer_window(m, source, db=db) for m in sses]
    checks = [_electrode_check(anode, windows[0], db)] if anode else []
    checks += [_sse_check(a, b, source, db) for a, b in itertools.pairwise(windows)]
    checks += [_electrode_check(cathode, windows[-1], db)] if cathode else []
    src_name = source if isinstance(source, str) else getattr(source, "name", str(source))
    return StackCheck(tuple(names), tuple(windows), tuple(checks), str(src_name))
