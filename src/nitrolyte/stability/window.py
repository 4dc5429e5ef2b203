"""Thermodynamic electrochemical windows from the Li grand-potential phase diagram.

With Li as the open element, the equilibrium phases of a composition change only at the
critical Li chemical potentials that pymatgen's ``PhaseDiagram.get_element_profile`` returns.
A potential vs. Li/Li+ is

.. math:: V = -\\left(\\mu_\\mathrm{Li} - \\mu_\\mathrm{Li}^0\\right) / e

and the window is the range of :math:`V` over which the composition neither takes up nor
releases Li (Zhu, He and Mo, review ref 155; Richards et al., ref 188). For a binary
:math:`\\mathrm{Li}_n\\mathrm{X}` against the element X the oxidation limit is

.. math:: V_\\mathrm{ox} = -\\Delta_f G(\\mathrm{Li}_n\\mathrm{X}) / (nF).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nitrolyte.errors import MissingDataError
from nitrolyte.stability._common import (
    basis_text,
    chemsys,
    energy_basis,
    formula_label,
    full_reduction_products,
    phase_diagram,
    phase_label,
    resolve_material,
)
from nitrolyte.stability.energies import EnergySource
from nitrolyte.stability.known import require_known
from nitrolyte.stability.sources import DEFAULT_SOURCE, resolve_source

if TYPE_CHECKING:
    import pandas as pd
    from pymatgen.analysis.phase_diagram import PhaseDiagram
    from pymatgen.core import Composition

    from nitrolyte.store.database import DatabaseLike

#: Li per formula unit below which an equilibrium is taken as "no Li exchanged"
LI_TOL = 1e-6
#: potential tolerance (V) for "stable at 0 V"
V_TOL = 1e-6


@dataclass(frozen=True)
class ProfileSegment:
    """One phase equilibrium of the Li-open profile of a composition.

    Attributes
    ----------
    V_low, V_high : float
        Potential range vs. Li/Li+ (V) where the equilibrium holds (``V_high`` may be inf).
    li_per_fu : float
        Li taken up per formula unit (negative: released).
    phases : tuple of str
        Equilibrium phases (reduced formulas), Li reservoir excluded.
    reaction : str
        Balanced reaction from the pristine composition.
    """

    V_low: float
    V_high: float
    li_per_fu: float
    phases: tuple[str, ...]
    reaction: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (inf written as None)."""
        d = asdict(self)
        d["V_high"] = None if math.isinf(self.V_high) else self.V_high
        d["phases"] = list(self.phases)
        return d


def li_profile(comp: Composition, pd_: PhaseDiagram) -> list[ProfileSegment]:
    """The Li-open equilibria of ``comp`` from low to high potential (pymatgen element profile)."""
    from pymatgen.core import Element

    li = Element("Li")
    mu0 = pd_.el_refs[li].energy_per_atom
    raw = pd_.get_element_profile(li, comp)
    out = []
    for i, step in enumerate(raw):
        v_low = -float(step["chempot"] - mu0)
        v_high = -float(raw[i + 1]["chempot"] - mu0) if i + 1 < len(raw) else math.inf
        phases = tuple(sorted(phase_label(e.composition) for e in step["entries"]))
        out.append(ProfileSegment(0.0 if v_low <= 0 else v_low, v_high, float(step["evolution"]), phases,
                                  str(step["reaction"])))
    return out


@dataclass(frozen=True)
class StabilityWindow:
    """The thermodynamic electrochemical window of a composition (V vs. Li/Li+).

    Attributes
    ----------
    material, formula : str
        What was asked for and the formula used.
    reduction_V, oxidation_V : float
        Window limits; NaN when not computable, ``oxidation_V`` inf if never oxidised.
    reduction_products, oxidation_products : tuple of str
        Phases formed just below / above the window (empty if none, e.g. stable against Li).
    li_uptake_reduction, li_release_oxidation : float
        Li per formula unit taken up at the reduction limit / released at the oxidation limit.
    reduction_reaction, oxidation_reaction : str
        Balanced reactions at the limits.
    equilibrium_phases : tuple of str
        Phases the composition is made of inside the window (itself if on the hull).
    stable_against_li : bool or None
        Whether the composition coexists with Li metal; None when not computable or not
        decided (:attr:`completeness` is not ``"complete"`` and the answer would be "yes", or is
        ``"incomplete"``).
    own_energy, on_hull : bool
        Whether the source holds an energy for this composition, and whether it is stable.
    computable : bool
        False when the source lacks the phases needed to decompose the composition.
    missing_phases : tuple of str
        Known phases of the chemical system without energies in the source; they can only
        narrow the window of a phase on the hull.
    full_reduction_products : tuple of str
        Phases of full reduction by Li, from the composition alone (qualitative).
    source : str
        Energy source name.
    notes : tuple of str
        Plain-language caveats.
    energy_basis : dict
        Phase -> where its energy comes from (``"experimental (thermochemical table)"``,
        ``"ML (CHGNet, anchored scheme)"``, ...) for the composition and every phase named.
    reduction_V_spread, oxidation_V_spread : float
        Max minus min of the limit over the committee of ML models (V; NaN when the source uses
        no model; see :mod:`nitrolyte.stability.committee`).
    committee : dict
        Model -> its limits (or why it could not compute them); empty without a committee.
    """

    material: str
    formula: str
    reduction_V: float
    oxidation_V: float
    reduction_products: tuple[str, ...] = ()
    oxidation_products: tuple[str, ...] = ()
    li_uptake_reduction: float = 0.0
    li_release_oxidation: float = 0.0
    reduction_reaction: str = ""
    oxidation_reaction: str = ""
    equilibrium_phases: tuple[str, ...] = ()
    stable_against_li: bool | None = None
    own_energy: bool = False
    on_hull: bool = False
    computable: bool = True
    missing_phases: tuple[str, ...] = ()
    full_reduction_products: tuple[str, ...] = ()
    source: str = "embedded"
    notes: tuple[str, ...] = field(default_factory=tuple)
    energy_basis: dict[str, str] = field(default_factory=dict, hash=False)
    lacking_reduction: tuple[str, ...] | None = None
    lacking_oxidation: tuple[str, ...] | None = None

    reduction_V_spread: float = math.nan
    oxidation_V_spread: float = math.nan
    committee: dict[str, dict[str, Any]] = field(default_factory=dict, hash=False)

    @property
    def lacking(self) -> tuple[str, ...]:
        """Phases of the chemical system known to exist whose energies the source lacks: the
        :attr:`missing_phases` (the thermochemical table's ``missing`` rows, flagged library
        structures, phases other sources hold), plus the composition itself when the source has
        no energy for it."""
        own = () if self.own_energy or not self.formula else (self.formula,)
        return tuple(dict.fromkeys((*own, *self.missing_phases)))

    @property
    def completeness(self) -> str:
        """How far the window can be trusted.

        ``"complete"``: the source holds the composition and every phase known in its chemical
        system. ``"bound"``: the composition is on the hull but known phases are missing; they
        can only narrow the window, so the true window lies inside the one given (the reduction
        limit is a lower bound, the oxidation limit an upper bound). ``"incomplete"``: the
        composition's own energy is missing (a tie-line window) or it is above the hull with
        phases missing: no bound on either limit.
        """
        return self.side_completeness(None)

    def side_completeness(self, side: str | None) -> str:
        """:attr:`completeness` of one limit (``"reduction"``, ``"oxidation"``; None: both).

        For a composition with one element besides Li, a missing phase richer in Li can only
        move the reduction limit and a poorer one only the oxidation limit (Li2O2 leaves Li2O's
        reduction limit exact); with more elements every missing phase counts for both.
        """
        side_lacking = {"reduction": self.lacking_reduction, "oxidation": self.lacking_oxidation}.get(side or "")
        lacking = self.lacking if side_lacking is None else side_lacking
        if not lacking:
            return "complete"
        return "bound" if self.own_energy and self.on_hull else "incomplete"

    @property
    def li_verdict(self) -> str:
        """``"yes"``, ``"no"`` or ``"not decided"``: stable against Li metal (0 V)."""
        if not self.computable or math.isnan(self.reduction_V):
            return "not decided"
        reduced = self.reduction_V > V_TOL
        kind = self.side_completeness("reduction")
        if kind == "complete" or (reduced and kind == "bound"):
            return "no" if reduced else "yes"
        return "not decided"

    @property
    def width_V(self) -> float:
        """Oxidation minus reduction limit (V)."""
        return self.oxidation_V - self.reduction_V

    def basis_text(self) -> str:
        """Where the energies of the composition and its equilibrium phases come from, one phrase."""
        own = {k: v for k, v in self.energy_basis.items() if k in (self.formula, *self.equilibrium_phases)}
        return basis_text(own)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN and inf written as None)."""
        d = asdict(self)
        for k in ("reduction_V", "oxidation_V", "reduction_V_spread", "oxidation_V_spread"):
            if not math.isfinite(d[k]):
                d[k] = None
        d.update(completeness=self.completeness, lacking=self.lacking, li_verdict=self.li_verdict)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    def to_frame(self) -> pd.DataFrame:
        """One-row DataFrame of the scalar fields."""
        import pandas as pd

        d = asdict(self)
        d["energy_basis"] = basis_text(self.energy_basis)
        d.pop("committee")
        return pd.DataFrame([{k: "; ".join(v) if isinstance(v, tuple) else v for k, v in d.items()}])


def _closed_decomposition_gaps(comp: Composition, pd_: PhaseDiagram,
                               missing: tuple[Any, ...]) -> list[str]:
    """Elements that the composition would decompose into only because their phases are missing."""
    bound = {str(el) for e in pd_.stable_entries if not e.composition.is_element
             for el in e.composition.elements}
    in_missing = {str(el) for m in missing for el in _comp(m.formula).elements}
    gaps = []
    for entry in pd_.get_decomposition(comp):
        c = entry.composition
        if c.is_element and str(c.elements[0]) != "Li" and len(comp.elements) > 1:
            sym = str(c.elements[0])
            if sym in in_missing or sym not in bound:
                gaps.append(phase_label(c))
    return sorted(gaps)


def _comp(formula: str) -> Composition:
    from pymatgen.core import Composition

    return Composition(formula)


def _own_energy(comp: Composition, pd_: PhaseDiagram) -> tuple[bool, bool]:
    frac = comp.fractional_composition
    own = [e for e in pd_.all_entries if e.composition.fractional_composition == frac]
    if not own:
        return False, False
    return True, any(pd_.get_e_above_hull(e) < 1e-8 for e in own)


def _window_from_profile(segs: list[ProfileSegment]) -> tuple[int | None, int | None, int | None]:
    """Indices of (the zero-Li segment, the segment below it, the segment above it).

    Without a zero-Li segment the window collapses to the potential where the Li exchange
    changes sign; the segments on either side of it are returned.
    """
    for i, s in enumerate(segs):
        if abs(s.li_per_fu) < LI_TOL:
            return i, (i - 1 if i > 0 else None), (i + 1 if i + 1 < len(segs) else None)
    j = next((i for i, s in enumerate(segs) if s.li_per_fu < 0), len(segs))
    return None, (j - 1 if j > 0 else None), (j if j < len(segs) else None)


def electrochemical_window(material: str, source: str | Path | EnergySource = DEFAULT_SOURCE,
                           *, use_cache: bool = True, db: DatabaseLike | None = None, potential: str | None = None,
                           committee: bool = True) -> StabilityWindow:
    """Thermodynamic electrochemical window of a formula or material name.

    Parameters
    ----------
    material : str
        A formula (``"Li3N"``, ``"Li2.9PO3.3N0.46"``) or a name (``"beta-Li3N"``, ``"LiPON"``).
    source : str (a name in ``SOURCES``), path or EnergySource
        Where the energies come from (default :data:`~nitrolyte.stability.sources.DEFAULT_SOURCE`,
        ``"auto"``: experimental where tabulated, anchored ML elsewhere).
    use_cache : bool
        Reuse the phase diagram of the chemical system (False builds a fresh one).
    db : Database, str or path-like, optional
        Database for names users added (default: the user's; see :func:`nitrolyte.api.get`).
    potential : str, optional
        The registered model of an ML source (``"chgnet"``, ``"sevennet"``; default model if None).
    committee : bool
        Also compute the window with the other committee models and give the spread.

    Returns
    -------
    StabilityWindow
        Limits in V vs. Li/Li+, products at each limit, Li-metal compatibility, what the
        source lacks, and the spread of the limits over the ML models.

    Notes
    -----
    .. math:: V = -\\left(\\mu_\\mathrm{Li} - \\mu_\\mathrm{Li}^0\\right)/e
    """
    from dataclasses import replace

    from nitrolyte.stability import committee as cm

    src = resolve_source(source, potential, db)
    w = _window(material, src, use_cache=use_cache, db=db)
    if not committee:
        return w
    fields = ("reduction_V", "oxidation_V")
    per, spreads = cm.evaluate(src, w, lambda s: _window(material, s, use_cache=use_cache, db=db), fields,
                               (w.formula,))
    return replace(w, reduction_V_spread=spreads["reduction_V"], oxidation_V_spread=spreads["oxidation_V"],
                   committee=per, notes=w.notes + cm.flags(per, spreads, cm.V_TOL, "V"))


def _window(material: str, src: EnergySource, *, use_cache: bool, db: DatabaseLike | None) -> StabilityWindow:
    """The window from one source (the body of :func:`electrochemical_window`)."""
    label, comp = resolve_material(material, db)
    pd_ = phase_diagram(chemsys(comp), src, use_cache=use_cache)
    missing = src.missing_phases(chemsys(comp))
    own, on_hull = _own_energy(comp, pd_)
    require_known(label, comp, own, src.name, db)
    if getattr(src, "requires_structure", False) and not own:
        raise MissingDataError(src.missing_structure_message(formula_label(comp)))  # type: ignore[attr-defined]
    lacking = tuple(dict.fromkeys(((formula_label(comp),) if not own else ()) + tuple(m.formula for m in missing)))
    red_lacking, ox_lacking = _side_lacking(comp, lacking)
    base = dict(material=label, formula=formula_label(comp), source=src.name,
                missing_phases=tuple(m.formula for m in missing),
                lacking_reduction=red_lacking, lacking_oxidation=ox_lacking,
                full_reduction_products=full_reduction_products(comp), own_energy=own, on_hull=on_hull)
    gaps = _closed_decomposition_gaps(comp, pd_, missing)
    if gaps:
        note = (f"not computable from source {src.name!r}: the composition would decompose into "
                f"elemental {', '.join(gaps)} only because the phases binding them are not in the "
                "source" + (f" (missing: {', '.join(m.formula for m in missing)})" if missing else ""))
        return StabilityWindow(reduction_V=math.nan, oxidation_V=math.nan, computable=False,
                               notes=(note,), **base)  # type: ignore[arg-type]
    segs = li_profile(comp, pd_)
    idx, i_lo, i_hi = _window_from_profile(segs)
    lo = segs[i_lo] if i_lo is not None else None
    hi = segs[i_hi] if i_hi is not None else None
    if idx is not None:
        red, ox = segs[idx].V_low, segs[idx].V_high
    else:
        red = ox = hi.V_low if hi is not None else segs[-1].V_high
    notes = _notes(comp, own, on_hull, idx, missing, segs, src.name)
    named = [formula_label(comp), *(segs[idx].phases if idx is not None else ()),
             *(lo.phases if lo else ()), *(hi.phases if hi else ())]
    base["energy_basis"] = energy_basis(pd_, named, src.name)
    w = StabilityWindow(
        reduction_V=red, oxidation_V=ox,
        reduction_products=lo.phases if lo else (), oxidation_products=hi.phases if hi else (),
        li_uptake_reduction=lo.li_per_fu if lo else 0.0,
        li_release_oxidation=-hi.li_per_fu if hi else 0.0,
        reduction_reaction=lo.reaction if lo else "", oxidation_reaction=hi.reaction if hi else "",
        equilibrium_phases=segs[idx].phases if idx is not None else (),
        stable_against_li=bool(idx is not None and red <= V_TOL),
        notes=notes, **base)  # type: ignore[arg-type]
    if w.li_verdict == "not decided":  # a "yes" on an incomplete phase set is no answer
        w = replace(w, stable_against_li=None)
    return w


def _notes(comp: Composition, own: bool, on_hull: bool, idx: int | None, missing: tuple[Any, ...],
           segs: list[ProfileSegment], source: str) -> tuple[str, ...]:
    notes = []
    if not own:
        phases = " + ".join(segs[idx].phases) if idx is not None else "its decomposition products"
        notes.append(f"the energy of {formula_label(comp)} itself is not in source {source!r}: "
                     f"this is the window of the phase mixture {phases} (the tie line it lies on)")
    elif not on_hull:
        notes.append(f"{formula_label(comp)} is above the hull of source {source!r}: "
                     "the window is that of its equilibrium decomposition")
    if idx is None:
        notes.append("no potential range without Li exchange: the composition decomposes at "
                     "every potential except the single value given")
    if missing:
        what = ("so the window is an outer bound (the true one lies inside it)" if own and on_hull
                else "so the window is no bound either way")
        notes.append("phases of this chemical system without energies in the source: "
                     f"{', '.join(_missing_text(m) for m in missing)}; they can only narrow the "
                     f"window of a phase on the hull, {what}")
    return tuple(notes)


def _missing_text(m: Any) -> str:
    """``"BN (structure flagged: ...)"`` for a phase left out of the source, else its formula."""
    reason = str(getattr(m, "reason", ""))
    return f"{m.formula} ({reason})" if reason.startswith(("structure flagged", "not in source")) else m.formula


def _side_lacking(comp: Composition, lacking: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(phases that can move the reduction limit, phases that can move the oxidation limit).

    With one element besides Li, reduction products are richer in Li than the composition and
    oxidation products poorer, so a missing phase counts for one side only (both if it has the
    composition's own Li fraction); otherwise every missing phase counts for both sides.
    """
    if len([el for el in comp.elements if str(el) != "Li"]) != 1:
        return lacking, lacking
    x = comp.get_atomic_fraction("Li")
    frac = {f: _comp(f).get_atomic_fraction("Li") for f in lacking}
    red = tuple(f for f in lacking if frac[f] >= x - 1e-9)
    ox = tuple(f for f in lacking if frac[f] <= x + 1e-9)
    return red, ox
