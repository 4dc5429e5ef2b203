"""Which compositions the stability tools may answer for: known materials, or held by the source.

:func:`require_known` is the rule (a formula nobody tabulated and the source has no energy for is
an unknown material with "did you mean"); the known names and formulas come from the curated
data, the thermochemical table, the published windows and the structure library.
"""

from __future__ import annotations

import functools
import warnings
from typing import TYPE_CHECKING

from nitrolyte.errors import NitrolyteError, UnknownMaterialError
from nitrolyte.stability._common import (
    _ALIASES,
    _from_package_data,
    _from_user_database,
    _key,
    _known_names,
    formula_label,
)

if TYPE_CHECKING:
    from pymatgen.core import Composition

    from nitrolyte.store.database import DatabaseLike


def known_names() -> list[str]:
    """Every name a suggestion may offer: materials, the library, the tables, published windows."""
    from nitrolyte.stability.energies import thermochemistry
    from nitrolyte.stability.reported import reported_windows
    from nitrolyte.structures.library import library_entries

    names = _known_names() + [e.name for e in library_entries()]
    names += [str(f) for f in thermochemistry()["formula"]] + [str(n) for n in reported_windows()["material"]]
    return list(dict.fromkeys(names))


def _is_named(text: str) -> bool:
    """Whether ``text`` is a name the stability tools or the curated data know (not a bare formula)."""
    return _ALIASES.get(_key(text)) is not None or _from_package_data(text) is not None


def _reduced(formula: str) -> str | None:
    from pymatgen.core import Composition

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Composition(formula).reduced_formula
    except (ValueError, KeyError, TypeError):
        return None


@functools.cache
def _known_formulas() -> frozenset[str]:
    """Reduced formulas of every phase nitrolyte knows of: materials data, thermochemical table
    (measured and ``missing`` rows), published windows and the shipped structure library."""
    formulas: list[str] = []
    try:
        from nitrolyte import dataset

        formulas += [str(f) for f in dataset.materials()["formula"].dropna()]
    except (ImportError, OSError, NitrolyteError):
        pass
    from nitrolyte.stability.energies import thermochemistry
    from nitrolyte.stability.reported import reported_windows
    from nitrolyte.structures.library import library_entries

    formulas += [str(f) for f in thermochemistry()["formula"]]
    formulas += [str(f) for f in reported_windows()["formula"].dropna()]
    formulas += [e.formula for e in library_entries()]
    return frozenset(r for f in formulas if (r := _reduced(f)) is not None)


def require_known(text: str, comp: Composition, own_energy: bool, source_name: str, db: DatabaseLike | None = None) -> None:
    """Refuse a composition that is neither a known material nor held by the source.

    A formula nobody tabulated and the source has no energy for (``Li6PSCl`` for Li6PS5Cl,
    ``Li9N2CI3`` with a capital I for Li9N2Cl3) would only get the window of the phase mixture
    it lies on, which answers a question nobody asked: it is an unknown material, with the
    names it is closest to. A new composition is judged once a structure gives the source its
    energy (``nitrolyte structure NAME --cif FILE``).

    Raises
    ------
    UnknownMaterialError
        With "did you mean" suggestions (:func:`nitrolyte.names.suggest`).
    """
    if own_energy or comp.is_element or _is_named(text):
        return
    if comp.reduced_formula in _known_formulas():
        return
    if _from_user_database(text, db) is not None:
        return
    raise UnknownMaterialError(text, known=known_names(), detail=(
        f"no material of the database, and source {source_name!r} has no energy for the "
        f"composition {formula_label(comp)}; to judge a new composition add its structure with "
        "'nitrolyte structure NAME --cif FILE'"))
