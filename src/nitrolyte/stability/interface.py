"""Chemical reactions at the interface of two phases (pymatgen ``InterfacialReactivity``).

Along the tie line between reactants A and B (atomic mixing ratio :math:`x` of A), the reaction
energy per atom of mixture is the hull energy of the mixture minus the energies of the
unmixed reactants,

.. math:: \\Delta E(x) = E_\\mathrm{hull}\\left(xA + (1-x)B\\right) - x E_A - (1-x) E_B ,

evaluated at the kinks where the products change (Richards et al., review ref 188).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from nitrolyte.stability._common import (
    chemsys,
    energy_basis,
    formula_label,
    phase_diagram,
    phase_label,
    resolve_material,
)
from nitrolyte.stability.energies import EnergySource
from nitrolyte.stability.known import require_known
from nitrolyte.stability.sources import DEFAULT_SOURCE, resolve_source
from nitrolyte.stability.window import _closed_decomposition_gaps, _own_energy

if TYPE_CHECKING:
    from nitrolyte.store.database import DatabaseLike

#: reaction energies above this (eV/atom) count as "no reaction"
E_TOL = 1e-6


@dataclass(frozen=True)
class ReactionKink:
    """One kink of the reaction-energy curve.

    Attributes
    ----------
    x : float
        Atomic mixing ratio of reactant A (0: pure B, 1: pure A).
    energy_eV_atom : float
        Reaction energy per atom of mixture (eV/atom).
    energy_kJ_mol : float
        Reaction energy per mole of reaction formula (kJ/mol), as pymatgen defines it.
    reaction : str
        Balanced reaction.
    products : tuple of str
    """

    x: float
    energy_eV_atom: float
    energy_kJ_mol: float
    reaction: str
    products: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {**asdict(self), "products": list(self.products)}


@dataclass(frozen=True)
class InterfaceResult:
    """Reaction between two phases in contact.

    Attributes
    ----------
    a, b : str
        Reactants as asked for; ``formula_a``, ``formula_b`` the formulas used.
    computable : bool
        False when the source lacks phases that a reactant decomposes into.
    kinks : tuple of ReactionKink
    min_energy_eV_atom : float
        Most negative reaction energy (eV/atom; 0 if no reaction; NaN if not computable).
    x_min : float
        Mixing ratio of A at that minimum.
    reaction_at_min : str
    products : tuple of str
        Products of the most negative reaction.
    reactive : bool or None
        True when the most negative reaction energy is below zero; False means "no reaction among
        the phases known" unless :attr:`complete`.
    missing_phases : tuple of str
        Phases of the system known to exist that the source lacks (thermochemical ``missing``
        rows, flagged library structures): they can only make a reaction more favourable.
    source : str
    notes : tuple of str
    energy_basis : dict
        Phase -> where its energy comes from, for both reactants and the products named.
    min_energy_eV_atom_spread : float
        Max minus min of ``min_energy_eV_atom`` over the committee of ML models (eV/atom; NaN
        when the source uses no model; see :mod:`nitrolyte.stability.committee`).
    committee : dict
        Model -> its ``min_energy_eV_atom`` (or why it could not compute it).
    """

    a: str
    b: str
    formula_a: str
    formula_b: str
    computable: bool
    kinks: tuple[ReactionKink, ...] = ()
    min_energy_eV_atom: float = math.nan
    x_min: float = math.nan
    reaction_at_min: str = ""
    products: tuple[str, ...] = ()
    reactive: bool | None = None
    missing_phases: tuple[str, ...] = ()
    source: str = "embedded"
    notes: tuple[str, ...] = ()
    energy_basis: dict[str, str] = field(default_factory=dict, hash=False)
    own_energies: tuple[bool, bool] = (True, True)

    @property
    def complete(self) -> bool:
        """Whether the source holds both reactants and every known phase of the system: only then
        is "no reaction" an answer (otherwise it is "none among the phases known")."""
        return self.computable and not self.missing_phases and all(self.own_energies)
    min_energy_eV_atom_spread: float = math.nan
    committee: dict[str, dict[str, Any]] = field(default_factory=dict, hash=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (NaN as None)."""
        d = {k: v for k, v in asdict(self).items() if k != "kinks"}
        d["complete"] = self.complete
        for k in ("min_energy_eV_atom", "x_min", "min_energy_eV_atom_spread"):
            d[k] = d[k] if math.isfinite(d[k]) else None
        d = {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}
        d["kinks"] = [k.to_dict() for k in self.kinks]
        return d

    def to_frame(self) -> pd.DataFrame:
        """One row per kink."""
        rows = [{**k.to_dict(), "products": " + ".join(k.products)} for k in self.kinks]
        return pd.DataFrame(rows, columns=["x", "energy_eV_atom", "energy_kJ_mol", "reaction", "products"])


def interface_reaction(a: str, b: str, source: str | Path | EnergySource = DEFAULT_SOURCE,
                       *, use_cache: bool = True, db: DatabaseLike | None = None, potential: str | None = None,
                       committee: bool = True) -> InterfaceResult:
    """Reaction energy and products at an A|B interface for every mixing ratio.

    Parameters
    ----------
    a, b : str
        Formulas or names (``"Li"`` for Li metal, ``"beta-Li3N"``, ``"Li3InCl6"``, ``"LiPON"``).
    source : str (a name in ``SOURCES``), path or EnergySource
    use_cache : bool
        Reuse the cached phase diagram of the chemical system.
    db : Database, str or path-like, optional
        Database for names users added (default: the user's; see :func:`nitrolyte.api.get`).
    potential : str, optional
        The registered model of an ML source (default model if None).
    committee : bool
        Also compute it with the other committee models and give the spread.

    Returns
    -------
    InterfaceResult
        Kinks, the most negative reaction and its products, or, when the source lacks phases,
        ``computable=False`` with the missing phases named; the spread over the ML models.

    Notes
    -----
    .. math:: \\Delta E(x) = E_\\mathrm{hull}(xA + (1-x)B) - xE_A - (1-x)E_B
    """
    from dataclasses import replace

    from nitrolyte.stability import committee as cm

    src = resolve_source(source, potential, db)
    r = _interface(a, b, src, use_cache=use_cache, db=db)
    if not committee:
        return r
    field_ = "min_energy_eV_atom"
    per, spreads = cm.evaluate(src, r, lambda s: _interface(a, b, s, use_cache=use_cache, db=db), (field_,),
                               (r.formula_a, r.formula_b))
    return replace(r, min_energy_eV_atom_spread=spreads[field_], committee=per,
                   notes=r.notes + cm.flags(per, spreads, cm.E_TOL_MEV, "meV/atom", 1000.0))


def _interface(a: str, b: str, src: EnergySource, *, use_cache: bool, db: DatabaseLike | None) -> InterfaceResult:
    """The interface reaction from one source (the body of :func:`interface_reaction`)."""
    from pymatgen.analysis.interface_reactions import InterfacialReactivity

    (la, ca), (lb, cb) = resolve_material(a, db), resolve_material(b, db)
    elements = chemsys(ca, cb)
    pd_ = phase_diagram(elements, src, use_cache=use_cache)
    for label, c in ((la, ca), (lb, cb)):
        require_known(label, c, _own_energy(c, pd_)[0], src.name, db)
    missing = src.missing_phases(elements)
    base = dict(a=la, b=lb, formula_a=formula_label(ca), formula_b=formula_label(cb), source=src.name,
                missing_phases=tuple(m.formula for m in missing),
                own_energies=(_own_energy(ca, pd_)[0], _own_energy(cb, pd_)[0]))
    gaps = sorted(set(_closed_decomposition_gaps(ca, pd_, missing))
                  | set(_closed_decomposition_gaps(cb, pd_, missing)))
    if gaps:
        note = (f"not computable from source {src.name!r}: a reactant would decompose into elemental "
                f"{', '.join(gaps)} only because the phases binding them are not in the source"
                + (f" (missing: {', '.join(m.formula for m in missing)})" if missing else ""))
        return InterfaceResult(computable=False, notes=(note,), **base)  # type: ignore[arg-type]
    notes = [f"the energy of {label} ({formula_label(c)}) itself is not in source {src.name!r}: it is "
             "treated as its equilibrium phase mixture (hull energy)"
             for label, c in ((la, ca), (lb, cb)) if not _own_energy(c, pd_)[0]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ir = InterfacialReactivity(ca, cb, pd_, norm=True, use_hull_energy=False)
        raw = ir.get_kinks()
    kinks = tuple(ReactionKink(float(x), float(e), float(ekj), str(rxn),
                               tuple(sorted(phase_label(p) for p in rxn.products)))
                  for _, x, e, rxn, ekj in raw)
    best = min(kinks, key=lambda k: k.energy_eV_atom)
    reactive = best.energy_eV_atom < -E_TOL
    named = [base["formula_a"], base["formula_b"], *(p for k in kinks for p in k.products)]
    base["energy_basis"] = energy_basis(pd_, named, src.name)
    return InterfaceResult(
        computable=True, kinks=kinks, min_energy_eV_atom=best.energy_eV_atom if reactive else 0.0,
        x_min=best.x if reactive else math.nan, reaction_at_min=best.reaction if reactive else "",
        products=best.products if reactive else (), reactive=reactive, notes=tuple(notes),
        **base)  # type: ignore[arg-type]
