"""Structure types the literature states, built as disordered prototypes at the formula's occupancies.

A type is a space group with sublattices (Wyckoff positions of the conventional cell), one of which
the type keeps fully occupied (the anions of antifluorite, rocksalt, Li3N and α-NaFeO2; the cations
of fluorite). The formula fixes the formula units per cell through that sublattice; every other
sublattice gets the occupancies that follow (a Li vacancy fraction, a mixed N/Cl anion site), and an
occupancy above one is refused. The cell is scaled so the shortest cation-anion distance is the sum
of the ionic radii (the relaxation sets the final volume). ``register_type`` adds a type.

Li9N2Cl3 as antifluorite (review, EES 2025, 18, 4521, Sec. 3.1 after Hartwig et al.): Fm-3m,
anion lattice fully occupied by N (40 %) and Cl (60 %), Li sites 90 % occupied (10 % vacancies),
i.e. Li1.8N0.4Cl0.6.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nitrolyte.errors import InputError

if TYPE_CHECKING:
    from pymatgen.core import Composition, Structure

#: alkali elements that take the A layer of the layered α-NaFeO2 type
ALKALI = ("Li", "Na", "K")
#: formal charges beyond :data:`nitrolyte.structures.ordering.OXIDATION_STATES` (layered oxides: M3+)
EXTRA_CHARGES: dict[str, int] = {"K": 1, "Ca": 2, "Sr": 2, "Sc": 3, "La": 3, "Ti": 4, "Zr": 4, "Cr": 3,
                                 "Mn": 3, "Fe": 3, "Co": 3, "Ni": 3, "Se": -2, "Te": -2}


def formal_charges() -> dict[str, int]:
    """Formal oxidation states used to build and order prototypes (element -> charge)."""
    from nitrolyte.structures.ordering import OXIDATION_STATES

    return {**EXTRA_CHARGES, **OXIDATION_STATES}


@dataclass(frozen=True)
class Sublattice:
    """Sites of one role: ``"anion"``, ``"cation"``, ``"A"`` (alkali layer) or ``"M"`` (other cations)."""

    role: str
    coords: tuple[tuple[float, float, float], ...]
    multiplicity: int  # sites per conventional cell


@dataclass(frozen=True)
class StructureType:
    """A structure type: space group, sublattices, the fully occupied role and the cell's shape.

    ``cell(d)`` gives lattice parameters (a, b, c, α, β, γ in Å and degrees) for a shortest
    cation-anion distance ``d`` (Å).
    """

    name: str
    space_group: str
    sublattices: tuple[Sublattice, ...]
    full: str
    cell: Callable[[float], tuple[float, float, float, float, float, float]]
    note: str


TYPES: dict[str, StructureType] = {}


def register_type(t: StructureType) -> StructureType:
    """Add a structure type to :data:`TYPES` (its name is the ``--type`` value)."""
    TYPES[t.name] = t
    return t


def _cubic(factor: float) -> Callable[[float], tuple[float, float, float, float, float, float]]:
    return lambda d: (d * factor, d * factor, d * factor, 90.0, 90.0, 90.0)


register_type(StructureType(
    "antifluorite", "Fm-3m",
    (Sublattice("anion", ((0, 0, 0),), 4), Sublattice("cation", ((0.25, 0.25, 0.25),), 8)),
    "anion", _cubic(4 / math.sqrt(3)), "anions fcc (4a, fully occupied), cations in all tetrahedral holes (8c)"))
register_type(StructureType(
    "fluorite", "Fm-3m",
    (Sublattice("cation", ((0, 0, 0),), 4), Sublattice("anion", ((0.25, 0.25, 0.25),), 8)),
    "cation", _cubic(4 / math.sqrt(3)), "cations fcc (4a, fully occupied), anions in the tetrahedral holes (8c)"))
register_type(StructureType(
    "rocksalt", "Fm-3m",
    (Sublattice("anion", ((0, 0, 0),), 4), Sublattice("cation", ((0.5, 0.5, 0.5),), 4)),
    "anion", _cubic(2.0), "anions fcc (4a), cations in the octahedral holes (4b)"))
register_type(StructureType(
    "li3n", "P6/mmm",
    (Sublattice("anion", ((0, 0, 0),), 1),
     Sublattice("cation", ((0, 0, 0.5), (1 / 3, 2 / 3, 0)), 3)),
    "anion", lambda d: (d * math.sqrt(3), d * math.sqrt(3), 1.84 * d, 90.0, 90.0, 120.0),
    "α-Li3N: anion 1a, cations 1b (between Li2N layers) and 2c (in the layers)"))
register_type(StructureType(
    "layered", "R-3m",
    (Sublattice("anion", ((0, 0, 0.24),), 6), Sublattice("M", ((0, 0, 0),), 3),
     Sublattice("A", ((0, 0, 0.5),), 3)),
    "anion", lambda d: (1.47 * d, 1.47 * d, 7.33 * d, 90.0, 90.0, 120.0),
    "α-NaFeO2 (LiCoO2): O 6c, transition metal 3a, alkali 3b, alternating octahedral layers"))
TYPE_ALIASES = {"anti-fluorite": "antifluorite", "li3n-type": "li3n", "alpha-li3n": "li3n",
                "α-nafeo2": "layered", "alpha-nafeo2": "layered", "nafeo2": "layered",
                "licoo2": "layered", "rock-salt": "rocksalt", "nacl": "rocksalt"}


def structure_type(name: str) -> StructureType:
    """The registered type of a name (case-insensitive; aliases such as ``anti-fluorite``, ``LiCoO2``)."""
    key = str(name).strip().lower()
    key = TYPE_ALIASES.get(key, key)
    if key not in TYPES:
        raise InputError(f"type must be one of {', '.join(sorted(TYPES))}; got {name!r}")
    return TYPES[key]


def _charges(comp: Composition) -> dict[str, int]:
    known = formal_charges()
    missing = sorted(str(el) for el in comp.elements if str(el) not in known)
    if missing:
        raise InputError(f"formula: no formal oxidation state for {', '.join(missing)} "
                         f"(known: {', '.join(sorted(known))})")
    return {str(el): known[str(el)] for el in comp.elements}


def _role_of(el: str, charge: int, roles: set[str]) -> str:
    if charge < 0:
        return "anion"
    if "A" in roles:
        return "A" if el in ALKALI else "M"
    return "cation"


def occupancies(t: StructureType, comp: Composition) -> dict[str, dict[str, float]]:
    """Occupancy of each element on each role's sublattice (the ``full`` role sums to one).

    Raises
    ------
    InputError
        When the formula cannot fill the type (a role without element, an occupancy above one,
        a charge-unbalanced formula).
    """
    charges = _charges(comp)
    if abs(sum(comp[el] * q for el, q in charges.items())) > 1e-6:
        raise InputError(f"formula: {comp.reduced_formula} is not charge balanced with formal charges "
                         f"{', '.join(f'{el} {q:+d}' for el, q in charges.items())}")
    roles = {s.role for s in t.sublattices}
    sites = {r: sum(s.multiplicity for s in t.sublattices if s.role == r) for r in roles}
    by_role: dict[str, dict[str, float]] = {r: {} for r in roles}
    for el, q in charges.items():
        by_role[_role_of(el, q, roles)][el] = comp[el]
    for r in roles:
        if not by_role[r]:
            raise InputError(f"type: {t.name} needs {r} elements; {comp.reduced_formula} has none")
    per_cell = sites[t.full] / sum(by_role[t.full].values())  # formula units per conventional cell
    out = {r: {el: n * per_cell / sites[r] for el, n in els.items()} for r, els in by_role.items()}
    for r, occ in out.items():
        if sum(occ.values()) > 1 + 1e-9:
            raise InputError(f"type: {comp.reduced_formula} puts {sum(occ.values()):.3f} atoms on each "
                             f"{r} site of {t.name} (at most 1): the formula does not fit this type; "
                             "try --search")
    return out


def _distance(t: StructureType, occ: dict[str, dict[str, float]]) -> float:
    """Target shortest cation-anion distance (Å): occupancy-weighted ionic radii."""
    from pymatgen.core import Species

    charges = _charges_from(occ)

    def mean_radius(roles: list[str]) -> float:
        pairs = [(Species(el, charges[el]).ionic_radius or 1.0, x) for r in roles for el, x in occ[r].items()]
        return sum(r * x for r, x in pairs) / sum(x for _, x in pairs)

    cation_roles = [r for r in occ if r != "anion"]
    if "M" in occ:  # layered: the M-O octahedra set the cell
        cation_roles = ["M"]
    return mean_radius(cation_roles) + mean_radius(["anion"])


def _charges_from(occ: dict[str, dict[str, float]]) -> dict[str, int]:
    known = formal_charges()
    return {el: known[el] for els in occ.values() for el in els}


def disordered_prototype(formula: str, type_name: str) -> Structure:
    """The primitive cell of a structure type at the occupancies a formula implies.

    Parameters
    ----------
    type_name : str
        A name of :data:`TYPES` (``"antifluorite"``, ``"li3n"``, ``"layered"``, ...).
    formula : str
        The compound (``"Li9N2Cl3"``).
    """
    from pymatgen.core import Composition, Lattice
    from pymatgen.core import Structure as _Structure

    from nitrolyte.formula import parse_formula

    t = structure_type(type_name)
    comp = Composition(parse_formula(formula) if not isinstance(formula, Composition) else formula)
    occ = occupancies(t, comp)
    lattice = Lattice.from_parameters(*t.cell(_distance(t, occ)))
    species, coords = [], []
    for sub in t.sublattices:
        for xyz in sub.coords:
            species.append({el: x for el, x in occ[sub.role].items() if x > 0})
            coords.append(list(xyz))
    conv = _Structure.from_spacegroup(t.space_group, lattice, species, coords)
    return conv.get_primitive_structure()
