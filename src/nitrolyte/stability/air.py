"""Air and moisture: reaction energies of a material with H2O, O2 and CO2 (review Perspectives).

The review's other stability axis is processing in air (> 80 % of σ kept after storage in dry
rooms, dew point below -40 °C). For each gas, pymatgen's interface-reaction analysis gives the most
negative reaction energy per atom of the mixture and its products, from a source that holds the
gases and products: by default ``"auto"`` (experimental Gibbs energies of H2O(g), O2, CO2(g), NH3(g),
LiOH, Li2CO3, Li2O from the embedded table, anchored ML energies for the library phases).

Energies are thermodynamic driving forces at 298.15 K, not rates; products missing from the source
(hydrates, HCl, oxychlorides, ...) can only make a reaction more favourable, so a zero here is
"no reaction found among the phases known", stated in ``missing_phases``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nitrolyte.stability.energies import EnergySource
from nitrolyte.stability.interface import interface_reaction
from nitrolyte.stability.sources import DEFAULT_SOURCE, resolve_source

if TYPE_CHECKING:
    import pandas as pd

    from nitrolyte.store.database import DatabaseLike

#: the gases of ambient air the review's air-stability criterion is about
GASES: tuple[str, ...] = ("H2O", "O2", "CO2")


@dataclass(frozen=True)
class AirReaction:
    """The most favourable reaction of a material with one gas.

    Attributes
    ----------
    material, gas : str
    energy_meV_atom : float
        Most negative reaction energy (meV per atom of the mixture; 0 if none; NaN if not computable).
    reaction : str
    products : tuple of str
    missing_phases : tuple of str
        Phases of the system the source lacks.
    source : str
    own_energy : bool
        False when the source has no energy for the material itself: the reaction is then that of
        its equilibrium phase mixture (hull), which is no bound on the material's own.
    energy_meV_atom_spread : float
        Max minus min of ``energy_meV_atom`` over the committee of ML models (NaN without one).
    committee : dict
        Model -> its ``energy_meV_atom`` (None where it could not compute it).
    notes : tuple of str
        Committee flags (disagreement above 25 meV/atom, a model that could not compute it).
    basis : str
        Where the material's own energy comes from (``"ML (CHGNet, anchored scheme; structure
        predicted (...))"`` for a predicted structure); empty without one.
    """

    material: str
    gas: str
    energy_meV_atom: float
    reaction: str
    products: tuple[str, ...]
    missing_phases: tuple[str, ...]
    source: str
    own_energy: bool = True
    energy_meV_atom_spread: float = math.nan
    committee: dict[str, float | None] = field(default_factory=dict, hash=False)
    notes: tuple[str, ...] = ()
    basis: str = ""

    @property
    def complete(self) -> bool:
        """Whether the source holds the material and every known phase of the system."""
        return self.own_energy and not self.missing_phases

    @property
    def qualifier(self) -> str:
        """``""`` for an exact value, ``"<"`` when phases are missing: they can only make the
        reaction more favourable, so the value is an upper bound (a 0 is "none found among the
        phases known", not "no reaction")."""
        return "" if self.complete or not math.isfinite(self.energy_meV_atom) else "<"

    def text(self) -> str:
        """``"-472 meV/atom: 0.4 Li3N + ..."`` or ``"no reaction among the phases known (missing: ...)"``."""
        missing = f" (missing: {', '.join(self.missing_phases)})" if self.missing_phases else ""
        if not math.isfinite(self.energy_meV_atom):
            return "not computable from the source" + missing
        if self.reaction and self.energy_meV_atom < 0:
            bound = " or lower" if self.qualifier else ""
            return f"{self.energy_meV_atom / 1000:.3f} eV/atom{bound}: {self.reaction}{missing}"
        return ("no reaction among the phases known" + missing) if self.qualifier else "no reaction"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN as None)."""
        d = asdict(self)
        for k in ("energy_meV_atom", "energy_meV_atom_spread"):
            d[k] = d[k] if math.isfinite(d[k]) else None
        d.update(complete=self.complete, qualifier=self.qualifier)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}


def air_reactions(material: str, source: str | Path | EnergySource = DEFAULT_SOURCE,
                  gases: tuple[str, ...] = GASES, *, db: DatabaseLike | None = None,
                  potential: str | None = None) -> tuple[AirReaction, ...]:
    """Reaction of ``material`` with each gas of air.

    Parameters
    ----------
    material : str
        Formula or name.
    source : str, path or EnergySource
        Energy source (default ``DEFAULT_SOURCE``, ``"auto"``: embedded experimental + anchored ML).
    gases : tuple of str
        Gas formulas (default H2O, O2, CO2).
    db : Database, str or path-like, optional
        Database for names users added (default: the user's; see :func:`nitrolyte.api.get`).
    potential : str, optional
        The registered model of an ML source (default model if None).

    Returns
    -------
    tuple of AirReaction
        One per gas, in the order given, with the spread over the committee of ML models.
    """
    from nitrolyte.stability import committee as cm

    src = resolve_source(source, potential, db)
    out = []
    for gas in gases:
        r = interface_reaction(material, gas, src, db=db)
        energy = 1000.0 * r.min_energy_eV_atom if r.computable else math.nan
        per = {m: (None if v.get("min_energy_eV_atom") is None else 1000.0 * v["min_energy_eV_atom"])
               for m, v in r.committee.items()}
        flags = cm.flags(r.committee, {"min_energy_eV_atom": r.min_energy_eV_atom_spread},
                         cm.E_TOL_MEV, "meV/atom", 1000.0)
        out.append(AirReaction(r.a, gas, energy, r.reaction_at_min, tuple(r.products),
                               tuple(r.missing_phases), src.name, r.formula_a in r.energy_basis,
                               1000.0 * r.min_energy_eV_atom_spread, per, flags,
                               r.energy_basis.get(r.formula_a, "")))
    return tuple(out)


def air_table(materials: list[str] | None = None,
              source: str | Path | EnergySource = DEFAULT_SOURCE, *,
              db: DatabaseLike | None = None) -> pd.DataFrame:
    """Air reactions of many materials, ranked from most to least reactive with moisture.

    Parameters
    ----------
    materials : list of str, optional
        Formulas or names; by default every non-elemental valid formula of the ML library.
    db : Database, URL or path, optional
        Where names and the library's user structures are read (default: the user's database).

    Returns
    -------
    pandas.DataFrame
        One row per material: ``material``, ``H2O_meV_atom``, ``O2_meV_atom``, ``CO2_meV_atom``
        (each with its ``_spread`` over the ML models), ``{gas}_qualifier`` (``"<"``: an upper
        bound, phases are missing), the products, the phases missing from the source and the
        review's air-stability observation where it records one; ``energy_basis`` says where the
        material's energy comes from (a predicted structure is named as such).
    """
    import pandas as pd
    from pymatgen.core import Composition

    src = resolve_source(source, db=db)
    if materials is None:
        from nitrolyte.stability.ml import ml_source

        ml = src.ml if hasattr(src, "ml") else ml_source(db=db)
        ml.energies()  # the whole library, user structures included
        materials = [f for f in dict.fromkeys(ml.formation["reduced_formula"])
                     if not Composition(f).is_element]
    observed = review_observations()
    rows = []
    for m in materials:
        reactions = {r.gas: r for r in air_reactions(m, src, db=db)}
        row: dict[str, Any] = {"material": m}
        for gas, r in reactions.items():
            row[f"{gas}_meV_atom"] = r.energy_meV_atom
            row[f"{gas}_qualifier"] = r.qualifier  # "<": an upper bound (phases missing)
            row[f"{gas}_meV_atom_spread"] = r.energy_meV_atom_spread
            row[f"{gas}_products"] = " + ".join(r.products)
        row["energy_basis"] = next(iter(reactions.values())).basis
        row["missing_phases"] = ", ".join(dict.fromkeys(p for r in reactions.values() for p in r.missing_phases))
        row["review_observation"] = observed.get(Composition(m).reduced_formula, "")
        rows.append(row)
    frame = pd.DataFrame(rows)
    return frame.sort_values("H2O_meV_atom", kind="stable").reset_index(drop=True)


def review_observations() -> dict[str, str]:
    """The review's air-stability observations (records.yaml ``air_stability``) by reduced formula."""
    from pymatgen.core import Composition

    from nitrolyte import dataset

    formulas = dataset.materials().set_index("material_id")["formula"].to_dict()
    out: dict[str, str] = {}
    for rec in dataset.records().air_stability:
        formula = formulas.get(rec.material_id)
        if not isinstance(formula, str) or not formula:
            continue
        key = Composition(formula).reduced_formula
        text = f"{rec.material_id}, {rec.atmosphere}: {rec.observation}"
        out[key] = "; ".join(filter(None, (out.get(key), text)))
    return out
