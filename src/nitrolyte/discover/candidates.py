"""Stage 1, *generate*: candidate (formula, structure type) pairs of a campaign's spaces.

Each charge-balanced composition of a space (:mod:`.space`) is proposed in every registered
generator whose structure type it can fill: the antifluorite type (anions fcc, Li and dopants in the
tetrahedral holes with vacancies: Li9N2Cl3, Li6NBr3, Li5NI2, Li3AlN2, Li3GaN2 are of this family)
and the α-Li3N type (dopants on the Li sites of Li3N). A pair the type cannot hold (an occupancy
above one) is dropped here with its reason; its structure is predicted in the *relax* stage.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from nitrolyte.discover.space import Space, compositions
from nitrolyte.errors import InputError

#: generator name -> structure type of :mod:`nitrolyte.structures.predict.prototypes`
GENERATORS: dict[str, str] = {"antifluorite": "antifluorite", "li3n": "li3n"}


@dataclass(frozen=True)
class Candidate:
    """One proposal: a formula in a structure type, in a space (``key`` names its cached results)."""

    formula: str
    generator: str
    space: str

    @property
    def key(self) -> str:
        """``Li6NBr3-antifluorite-<hash>``: stable across runs, safe as a file name."""
        digest = hashlib.sha1(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:8]
        return f"{self.formula}-{self.generator}-{digest}"

    def to_dict(self) -> dict[str, str]:
        """JSON-ready fields plus the key."""
        return {**asdict(self), "key": self.key}


def fits(formula: str, generator: str) -> str | None:
    """None when the formula fills the generator's structure type, else the reason it cannot."""
    from pymatgen.core import Composition

    from nitrolyte.structures.predict.prototypes import occupancies, structure_type

    try:
        occupancies(structure_type(GENERATORS[generator]), Composition(formula))
    except InputError as exc:
        return str(exc)
    return None


def generate(spaces: list[Space], max_atoms: int, generators: tuple[str, ...] | None = None
             ) -> tuple[list[Candidate], list[dict[str, str]]]:
    """(candidates, dropped): every composition of every space in every generator that fits it.

    ``dropped`` lists the (formula, generator, reason) pairs a type cannot hold.
    """
    names = tuple(GENERATORS) if generators is None else generators
    unknown = [g for g in names if g not in GENERATORS]
    if unknown:
        raise InputError(f"generator must be one of {', '.join(GENERATORS)}; got {', '.join(unknown)}")
    out: list[Candidate] = []
    dropped: list[dict[str, str]] = []
    for space in spaces:
        for formula in compositions(space, max_atoms):
            for gen in names:
                reason = fits(formula, gen)
                if reason is None:
                    out.append(Candidate(formula, gen, space.label))
                else:
                    dropped.append({"formula": formula, "generator": gen, "space": space.label,
                                    "reason": reason})
    return list(dict.fromkeys(out)), dropped
