"""Chemical spaces of a discovery campaign and their charge-balanced compositions.

A space is a set of elements (``"Li-N-Br"``); dopants are extra cations a composition may carry in
small amounts (``Mg``, ``Al``, ``Si``, ``B``: aliovalent substitution on the Li sites that creates
Li vacancies, as in Li3-2xMgxN). Compositions are charge balanced with the formal oxidation states
structure prediction uses (:func:`nitrolyte.structures.predict.prototypes.formal_charges`, one
table for both), hold every element of the space, and have at most ``max_atoms`` atoms per formula
unit.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from nitrolyte.checks import check_range
from nitrolyte.errors import InputError

#: dopant atoms at most this fraction of the Li atoms (doping, not a new family)
MAX_DOPANT_PER_LI = 1 / 3


@dataclass(frozen=True)
class Space:
    """One chemical space: its elements (Li first) and the dopants its compositions may carry."""

    elements: tuple[str, ...]
    dopants: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``"Li-N-Br"`` (``"Li-N-Br+Mg,Al"`` with dopants)."""
        return "-".join(self.elements) + (f"+{','.join(self.dopants)}" if self.dopants else "")


def _element(symbol: str, field: str) -> str:
    from pymatgen.core import Element

    from nitrolyte.structures.predict.prototypes import formal_charges

    s = symbol.strip()
    if not Element.is_valid_symbol(s):
        raise InputError(f"{field}: {symbol!r} is not a chemical element")
    if s not in formal_charges():
        raise InputError(f"{field}: no formal oxidation state for {s} "
                         f"(known: {', '.join(sorted(formal_charges()))})")
    return s


def parse_space(text: str, dopants: tuple[str, ...] = ()) -> Space:
    """A space from ``"Li-N-Br"``: it must contain Li and N and at least one other element."""
    parts = [p for p in str(text).replace(" ", "").split("-") if p]
    elements = tuple(dict.fromkeys(_element(p, "--space") for p in parts))
    if "Li" not in elements or "N" not in elements:
        raise InputError(f"--space must contain Li and N (a lithium nitride space), got {text!r}")
    if len(elements) < 3:
        raise InputError(f"--space needs a third element beside Li and N (e.g. Li-N-Br), got {text!r}")
    dops = tuple(dict.fromkeys(_element(d, "--dopants") for d in dopants if d.strip()))
    clash = [d for d in dops if d in elements]
    if clash:
        raise InputError(f"--dopants: {', '.join(clash)} already in the space {text!r}")
    bad = [d for d in dops if _charge(d) <= 1]
    if bad:
        raise InputError(f"--dopants must be cations of charge >= 2 (they replace Li and leave "
                         f"vacancies), got {', '.join(bad)}")
    return Space(("Li", *sorted(e for e in elements if e != "Li")), dops)


def _charge(el: str) -> int:
    from nitrolyte.structures.predict.prototypes import formal_charges

    return formal_charges()[el]


def compositions(space: Space, max_atoms: int) -> list[str]:
    """Charge-balanced reduced formulas of the space with every element present (at most
    ``max_atoms`` atoms per formula unit), then each with one dopant (at most
    :data:`MAX_DOPANT_PER_LI` dopant atoms per Li atom); sorted by size, then formula."""
    check_range("--max-atoms", max_atoms, lo=3, hi=200)
    found = set(_balanced(space.elements, (), max_atoms))
    for d in space.dopants:
        found |= set(_balanced(space.elements, (d,), max_atoms))
    return sorted(found, key=lambda f: (_n_atoms(f), f))


def _balanced(elements: tuple[str, ...], dopants: tuple[str, ...], max_atoms: int) -> list[str]:
    from pymatgen.core import Composition

    els = elements + dopants
    charges = [_charge(e) for e in els]
    out = []
    for counts in itertools.product(range(1, max_atoms + 1), repeat=len(els)):
        if sum(counts) > max_atoms or math.gcd(*counts) != 1:
            continue
        if sum(c * q for c, q in zip(counts, charges, strict=True)) != 0:
            continue
        amounts = dict(zip(els, counts, strict=True))
        if dopants and sum(amounts[d] for d in dopants) > MAX_DOPANT_PER_LI * amounts["Li"]:
            continue
        out.append(Composition(amounts).reduced_formula)
    return out


def _n_atoms(formula: str) -> int:
    from pymatgen.core import Composition

    return int(Composition(formula).num_atoms)
