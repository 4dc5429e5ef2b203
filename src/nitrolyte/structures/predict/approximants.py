"""Symmetry-distinct ordered approximants of a disordered cell, ranked by Ewald energy.

Supercells of the primitive cell are the Hermite normal forms of each index ``n`` that makes every
site group's occupancy a whole number of atoms (up to ``max_atoms`` atoms), reduced by the parent
point group. In each supercell every arrangement of atoms and vacancies over the groups is scored
by its Ewald energy with formal charges: ``E = q^T M q`` with ``M`` the Ewald matrix of unit
charges on every site (real, reciprocal and self terms; exact for a neutral ``q``). Up to
``max_per_cell`` arrangements are enumerated; beyond that as many are drawn at random (and the
result says so). Symmetry-equivalent arrangements have the same energy and the same
:func:`fingerprint` (atomic environments), and only one of each is kept.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pymatgen.core import Structure

#: arrangements scored exhaustively per supercell (beyond: a random sample of this size)
MAX_PER_CELL = 50_000


@dataclass
class Ordering:
    """One ordered arrangement: its structure and Ewald energy (eV/atom, formal charges)."""

    structure: Structure
    ewald_eV_atom: float
    fingerprint: frozenset[Any] = frozenset()


@dataclass
class Enumeration:
    """What the enumeration did: candidates (lowest Ewald energy first) and counts."""

    candidates: list[Ordering]
    n_supercells: int
    n_scored: int
    exhaustive: bool


def hnf_matrices(n: int) -> list[Any]:
    """All 3x3 lower-triangular Hermite normal forms of determinant ``n`` (numpy int arrays)."""
    import numpy as np

    out = []
    for a in range(1, n + 1):
        if n % a:
            continue
        for c in range(1, n // a + 1):
            if (n // a) % c:
                continue
            f = n // (a * c)
            # rows are lattice vectors: below-diagonal entries are reduced modulo their column's pivot
            for b, d, e in itertools.product(range(a), range(a), range(c)):
                out.append(np.array([[a, 0, 0], [b, c, 0], [d, e, f]]))
    return out


def distinct_supercells(prim: Structure, n: int) -> list[Any]:
    """Supercell matrices of index ``n`` not related by a rotation of the parent point group."""
    import numpy as np
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ops = SpacegroupAnalyzer(prim, symprec=0.01).get_point_group_operations(cartesian=True)
    base = prim.lattice.matrix
    kept: list[Any] = []
    kept_inv: list[Any] = []
    for h in hnf_matrices(n):
        lat = h @ base
        images = [lat @ op.rotation_matrix.T for op in ops]
        seen = False
        for inv in kept_inv:
            for img in images:
                t = img @ inv
                if np.allclose(t, np.round(t), atol=1e-6):
                    seen = True
                    break
            if seen:
                break
        if not seen:
            kept.append(h)
            kept_inv.append(np.linalg.inv(lat))
    return kept


def _groups(struct: Structure) -> list[tuple[list[int], dict[str, float]]]:
    groups: dict[tuple[tuple[str, float], ...], list[int]] = {}
    for i, site in enumerate(struct):
        key = tuple(sorted((str(sp.symbol), round(float(x), 6)) for sp, x in site.species.items()))
        groups.setdefault(key, []).append(i)
    return [(idx, dict(key)) for key, idx in groups.items()]


def whole_counts(struct: Structure) -> list[tuple[list[int], dict[str, int]]] | None:
    """Atoms per element in each site group (vacancies as ``""``), or None if not whole numbers."""
    out = []
    for idx, occ in _groups(struct):
        counts = {}
        for el, x in occ.items():
            n = x * len(idx)
            if abs(n - round(n)) > 1e-4:
                return None
            counts[el] = round(n)
        vac = len(idx) - sum(counts.values())
        if vac:
            counts[""] = vac
        out.append((idx, counts))
    return out


def supercell_sizes(prim: Structure, max_atoms: int) -> list[int]:
    """Indices ``n`` at which the occupancies become whole atoms, with at most ``max_atoms`` atoms."""
    per_cell = prim.composition.num_atoms
    sizes = []
    for n in range(1, max(1, int(max_atoms / per_cell + 1e-9)) + 1):
        if whole_counts(prim * (n, 1, 1)) is not None:
            sizes.append(n)
    return sizes


def _arrangements(plan: list[tuple[list[int], dict[str, int]]], limit: int,
                  rng: Any) -> tuple[list[list[tuple[int, str]]], bool]:
    """Arrangements (site, element) of every group: all if at most ``limit``, else ``limit`` random."""
    per_group = [_group_count(c) for _, c in plan]
    total = math.prod(per_group)
    if total <= limit:
        choices = [list(_group_arrangements(idx, c)) for idx, c in plan]
        return [[pair for part in combo for pair in part] for combo in itertools.product(*choices)], True
    out = []
    for _ in range(limit):
        arr: list[tuple[int, str]] = []
        for idx, counts in plan:
            labels = [el for el, k in counts.items() for _ in range(k)]
            arr += list(zip((int(i) for i in rng.permutation(idx)), labels, strict=True))
        out.append(arr)
    return out, False


def _group_count(counts: dict[str, int]) -> int:
    n = sum(counts.values())
    out = math.factorial(n)
    for k in counts.values():
        out //= math.factorial(k)
    return out


def _group_arrangements(idx: list[int], counts: dict[str, int]):  # type: ignore[no-untyped-def]
    """Every way to put ``counts`` elements on the sites ``idx`` (multiset permutations)."""
    items = sorted(counts.items())
    if len(items) == 1:
        yield [(i, items[0][0]) for i in idx]
        return
    el, k = items[0]
    rest = dict(items[1:])
    for chosen in itertools.combinations(idx, k):
        left = [i for i in idx if i not in chosen]
        for tail in _group_arrangements(left, rest):
            yield [(i, el) for i in chosen] + tail


def _unit_ewald_matrix(struct: Structure) -> Any:
    from pymatgen.analysis.ewald import EwaldSummation
    from pymatgen.core import Species
    from pymatgen.core import Structure as _Structure

    unit = _Structure(struct.lattice, [Species("Li", 1)] * len(struct), struct.frac_coords)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return EwaldSummation(unit).total_energy_matrix


def score_supercell(sup: Structure, charges: dict[str, int], *, limit: int = MAX_PER_CELL,
                    keep: int = 50, seed: int = 0) -> tuple[list[Ordering], int, bool]:
    """The ``keep`` lowest-Ewald arrangements of one supercell, the number scored, and whether all were."""
    import numpy as np
    from pymatgen.core import Structure as _Structure

    plan = whole_counts(sup)
    if plan is None:
        raise ValueError("supercell occupancies are not whole numbers of atoms")
    matrix = _unit_ewald_matrix(sup)
    arrangements, exhaustive = _arrangements(plan, limit, np.random.default_rng(seed))
    q = np.zeros((len(arrangements), len(sup)))
    for k, arr in enumerate(arrangements):
        for i, el in arr:
            q[k, i] = charges.get(el, 0) if el else 0.0
    energies = np.einsum("ki,ij,kj->k", q, matrix, q)
    n_atoms = sum(c for _, counts in plan for el, c in counts.items() if el)
    neighbours = _neighbour_table(sup)
    out = []
    seen: set[tuple[float, frozenset[Any]]] = set()
    for k in np.argsort(energies, kind="stable"):
        e = round(float(energies[k]) / n_atoms, 6)
        labels = dict(arrangements[int(k)])
        key = (e, fingerprint(labels, neighbours))
        if key in seen:  # a symmetry-equivalent arrangement: same energy, same environments
            continue
        seen.add(key)
        arr = sorted((i, el) for i, el in labels.items() if el)
        struct = _Structure(sup.lattice, [el for _, el in arr], [sup[i].frac_coords for i, _ in arr])
        out.append(Ordering(struct, e, key[1]))
        if len(out) >= keep:
            break
    return out, len(arrangements), exhaustive


#: radius (Å) of the neighbour shells that fingerprint an arrangement
FINGERPRINT_RADIUS = 4.5


def _neighbour_table(sup: Structure) -> list[list[tuple[int, float]]]:
    """Neighbours (site index, distance rounded to 0.01 Å) of every site within the fingerprint radius."""
    return [[(int(nb.index), round(float(nb.nn_distance), 2)) for nb in nbs]
            for nbs in sup.get_all_neighbors(FINGERPRINT_RADIUS)]


def fingerprint(labels: dict[int, str], neighbours: list[list[tuple[int, float]]]) -> frozenset[Any]:
    """Environments of an arrangement: the fraction of atoms with each (element, neighbour shells).

    Invariant under the parent's symmetry operations and under repeating the cell, so two
    arrangements with different fingerprints are different structures (the converse fails only
    for homometric arrangements, which are not told apart).
    """
    from collections import Counter

    envs = Counter()
    for i, el in labels.items():
        if el:
            shell = tuple(sorted((labels[j], d) for j, d in neighbours[i] if labels[j]))
            envs[(el, shell)] += 1
    total = sum(envs.values())
    return frozenset((k, round(v / total, 6)) for k, v in envs.items())


def enumerate_orderings(prim: Structure, charges: dict[str, int], *, max_atoms: int = 30,
                        keep: int = 12, limit: int = MAX_PER_CELL, seed: int = 0) -> Enumeration:
    """Symmetry-distinct orderings of a disordered primitive cell up to ``max_atoms`` atoms.

    Parameters
    ----------
    prim : pymatgen.core.Structure
        The disordered primitive cell (occupancies may include vacancies).
    charges : dict of str to int
        Formal charge per element.
    max_atoms : int
        Largest ordered cell (atoms).
    keep : int
        Distinct candidates returned (lowest Ewald energy per atom first).
    limit : int
        Arrangements scored per supercell before sampling takes over.
    """
    from nitrolyte.errors import InputError

    sizes = supercell_sizes(prim, max_atoms)
    if not sizes:
        raise InputError(f"max_atoms: no ordered cell of {prim.composition.reduced_formula} at these "
                         f"occupancies has at most {max_atoms} atoms; raise --max-atoms")
    pool: list[Ordering] = []
    n_cells = n_scored = 0
    exhaustive = True
    for n in sizes:
        for h in distinct_supercells(prim, n):
            sup = prim.copy()
            sup.make_supercell(h)
            best, scored, complete = score_supercell(sup, charges, limit=limit, keep=keep, seed=seed)
            pool += best
            n_cells += 1
            n_scored += scored
            exhaustive = exhaustive and complete
    return Enumeration(_distinct(pool, keep), n_cells, n_scored, exhaustive)


def _distinct(pool: list[Ordering], keep: int) -> list[Ordering]:
    """The ``keep`` lowest orderings, one per (energy, fingerprint) across supercells."""
    out: list[Ordering] = []
    seen: set[tuple[float, frozenset[Any]]] = set()
    for cand in sorted(pool, key=lambda o: o.ewald_eV_atom):
        key = (round(cand.ewald_eV_atom, 5), cand.fingerprint)
        if key in seen:
            continue
        seen.add(key)
        out.append(cand)
        if len(out) >= keep:
            break
    return out
