"""Ordered approximants of partially occupied structures (electrostatic ordering).

Each group of equivalent partially occupied sites receives whole atoms in proportion to its
occupancies, the declared formula fixing the totals; split sites closer than the neighbour-check
floor are never both filled; random arrangements are scored by their Ewald energy with formal
charges and the lowest is kept.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pymatgen.core import Structure

#: random orderings tried per disordered structure (the lowest Ewald energy is kept)
N_ORDERINGS = 24
#: formal oxidation states used to order partially occupied sites electrostatically
OXIDATION_STATES: dict[str, int] = {
    "Li": 1, "Na": 1, "Mg": 2, "B": 3, "Al": 3, "Ga": 3, "In": 3, "Y": 3, "Si": 4, "Ge": 4,
    "C": 4, "P": 5, "N": -3, "O": -2, "S": -2, "F": -1, "Cl": -1, "Br": -1, "I": -1,
}



def _target_counts(struct: Structure, formula: str) -> dict[str, int]:
    """Whole atoms per element for the cell: the declared formula scaled to the cell's content."""
    from pymatgen.core import Composition

    comp = struct.composition
    target = Composition(formula)
    anchor = max(target, key=lambda el: comp[el])  # the element with most atoms in the cell
    scale = comp[anchor] / target[anchor]
    return {str(el): round(target[el] * round(scale)) for el in target}


def _orbit_counts(struct: Structure, counts: dict[str, int]) -> list[tuple[list[int], dict[str, int]]]:
    """Split each element's whole-atom count over the partially occupied site groups (largest remainder)."""
    groups: dict[tuple[tuple[str, float], ...], list[int]] = {}
    for i, site in enumerate(struct):
        key = tuple(sorted((str(sp.symbol), round(float(occ), 4)) for sp, occ in site.species.items()))
        groups.setdefault(key, []).append(i)
    out = [(idx, {}) for idx in groups.values()]
    for el, total in counts.items():
        shares = [(len(idx) * dict(key).get(el, 0.0), g) for g, (key, idx) in enumerate(groups.items())]
        base = [math.floor(s) for s, _ in shares]
        rest = total - sum(base)
        order = sorted(range(len(shares)), key=lambda j: shares[j][0] - base[j], reverse=True)
        for j in order[:max(rest, 0)]:
            base[j] += 1
        for (_, g), n in zip(shares, base, strict=True):
            if n:
                out[g][1][el] = min(n, len(out[g][0]))
    return out


def order_structure(struct: Structure, formula: str, *, n_orderings: int = N_ORDERINGS,
                    seed: int = 0) -> Structure:
    """An ordered approximant of a partially occupied structure (electrostatic ordering).

    Each group of equivalent partially occupied sites receives whole atoms in proportion to its
    occupancies (the declared formula fixes the totals); ``n_orderings`` random arrangements are
    scored by their Ewald energy with formal charges (:data:`OXIDATION_STATES`) and the lowest kept.

    Parameters
    ----------
    struct : pymatgen.core.Structure
        The disordered cell.
    formula : str
        The formula unit the ordered cell must reproduce.
    n_orderings : int
        Random arrangements scored.
    seed : int
        Seed of the random arrangements.
    """
    import numpy as np
    from pymatgen.analysis.ewald import EwaldSummation
    from pymatgen.core import Structure as _Structure

    plan = _orbit_counts(struct, _target_counts(struct, formula))
    too_close = _too_close(struct)
    rng = np.random.default_rng(seed)
    best: tuple[float, Structure] | None = None
    for _ in range(max(1, n_orderings)):
        placed = _arrange(plan, too_close, rng)
        cand = _Structure(struct.lattice, [el for el, _ in placed],
                          [struct[i].frac_coords for _, i in placed])
        charged = cand.copy()
        charged.add_oxidation_state_by_element({el: OXIDATION_STATES.get(el, 0) for el in
                                                {str(e) for e in cand.composition.elements}})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            energy = EwaldSummation(charged).total_energy
        if best is None or energy < best[0]:
            best = (energy, cand)
    return best[1]  # type: ignore[index]


def _too_close(struct: Structure) -> Any:
    """Boolean matrix: sites closer than the neighbour-check floor (split sites, not both filled)."""
    import numpy as np

    from nitrolyte.structures.validate import NN_MIN_FACTOR, _radius

    radius = np.array([max(_radius(str(sp.symbol)) for sp in site.species) for site in struct])
    floor = NN_MIN_FACTOR * (radius[:, None] + radius[None, :])
    close = struct.distance_matrix < floor
    np.fill_diagonal(close, False)
    return close


def _arrange(plan: list[tuple[list[int], dict[str, int]]], too_close: Any,
             rng: Any) -> list[tuple[str, int]]:
    """One random arrangement that fills each group, avoiding split-site pairs where it can."""
    placed: list[tuple[str, int]] = []
    taken: set[int] = set()
    for idx, counts in plan:
        labels = [el for el, n in counts.items() for _ in range(n)]
        order = [int(i) for i in rng.permutation(idx)]
        free = [i for i in order if not any(too_close[i, j] for j in taken)]
        pool = free if len(free) >= len(labels) else order
        chosen: list[int] = []
        for i in pool:
            if len(chosen) == len(labels):
                break
            if pool is free and any(too_close[i, j] for j in chosen):
                continue
            chosen.append(i)
        if len(chosen) < len(labels):  # could not avoid every close pair: fill in order
            chosen += [i for i in order if i not in chosen][:len(labels) - len(chosen)]
        placed += list(zip(labels, chosen, strict=True))
        taken.update(chosen)
    return placed
