"""``--type``: ordered approximants of a structure type the literature states.

The disordered prototype (:mod:`.prototypes`) is built at the formula's occupancies; its
symmetry-distinct orderings in supercells up to ``max_atoms`` atoms are ranked by Ewald energy
(:mod:`.approximants`); the ``n_candidates`` lowest are ranked again by the ML potential's
single-point energy, the ``n_relax`` best are relaxed coarsely (positions and cell,
:data:`.model.COARSE`), and the lowest of those is relaxed finely (:data:`.model.FINE`) and kept.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from nitrolyte.checks import check_range
from nitrolyte.structures.predict.core import Prediction, reduced_formula, register_method
from nitrolyte.structures.predict.model import COARSE, FINE

if TYPE_CHECKING:
    from nitrolyte.structures.predict.model import Model

#: largest ordered cell by default (atoms): Li9N2Cl3 has whole atoms at 14 and 28
MAX_ATOMS = 30
#: orderings ranked by the ML potential (single point)
N_CANDIDATES = 12
#: best single-point candidates relaxed
N_RELAX = 3


@register_method("type")
def predict_type(formula: str, model: Model, *, type_name: str, max_atoms: int = MAX_ATOMS,
                 n_candidates: int = N_CANDIDATES, n_relax: int = N_RELAX, seed: int = 0,
                 progress: bool = False, **_: Any) -> Prediction:
    """The lowest-energy ordered approximant of ``formula`` in the structure type ``type_name``.

    Parameters
    ----------
    formula : str
        The compound.
    model : Model
        The potential.
    type_name : str
        A registered structure type (:data:`.prototypes.TYPES`).
    max_atoms : int
        Largest ordered cell (atoms), 1-200.
    n_candidates, n_relax : int
        Orderings ranked by single-point energy, and how many of the best are relaxed.
    seed : int
        Seed of the random sample when a supercell has more arrangements than are enumerated.
    progress : bool
        A progress bar on stderr.
    """
    from nitrolyte.structures.predict.approximants import enumerate_orderings
    from nitrolyte.structures.predict.prototypes import (
        disordered_prototype,
        formal_charges,
        structure_type,
    )

    check_range("max_atoms", max_atoms, lo=1, hi=200)
    check_range("n_candidates", n_candidates, lo=1, hi=1000)
    check_range("n_relax", n_relax, lo=1, hi=100)
    stype = structure_type(type_name)
    prim = disordered_prototype(formula, stype.name)
    if prim.is_ordered:
        candidates = [prim]
        details: dict[str, Any] = {"supercells": 1, "orderings_scored": 1, "exhaustive": True}
    else:
        found = enumerate_orderings(prim, formal_charges(), max_atoms=int(max_atoms),
                                    keep=int(n_candidates), seed=int(seed))
        candidates = [o.structure for o in found.candidates]
        details = {"supercells": found.n_supercells, "orderings_scored": found.n_scored,
                   "exhaustive": found.exhaustive}
    ranked = sorted(((model.energy(s), i) for i, s in enumerate(_bar(candidates, progress, "single points"))))
    coarse = []
    for _, i in _bar(ranked[:int(n_relax)], progress, "coarse relaxations"):
        energy, final, _steps = model.relax(candidates[i], fmax=COARSE[0], steps=COARSE[1])
        coarse.append((energy, i, final))
    _, _, start = min(coarse, key=lambda t: (t[0], t[1]))
    energy, best, _steps = model.relax(start, fmax=FINE[0], steps=FINE[1])
    details.update({"type": stype.name, "coarse_relaxed": len(coarse), "fine_steps": int(_steps), "max_atoms": int(max_atoms)})
    return Prediction(reduced_formula(formula), f"type {stype.name}", model.version, best, float(energy),
                      trials=int(details["orderings_scored"]), ensemble_size=len(candidates), details=details)


def _bar(items: list[Any], show: bool, desc: str) -> Any:
    if not show:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="structure", file=sys.stderr)
