"""One lookup of a phase's structure by name: the α/β-Li3N specs first, then the validated
structure library (:mod:`nitrolyte.structures.library`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from nitrolyte.structures.crystal import structure as _crystal_structure

if TYPE_CHECKING:
    from pymatgen.core import Structure


def structure(name: str, site_vacancies: Mapping[str, float] | None = None) -> Structure:
    """pymatgen ``Structure`` of a phase: the α/β-Li3N specs first, then the validated library.

    Parameters
    ----------
    name : str
        ``"α-Li3N"``, ``"β-Li3N"``, ``"vacancy-rich β-Li3N"`` (with site vacancies), or any entry of
        the structure library (``"Li3InCl6"``, ``"Li2S"``, ...; see :mod:`nitrolyte.structures.library`).
    site_vacancies : mapping of str to float, optional
        Vacancy fraction per site label; only for the α/β-Li3N specs.
    """
    from nitrolyte.errors import UnknownMaterialError

    try:
        return _crystal_structure(name, site_vacancies)
    except UnknownMaterialError:
        if site_vacancies:
            raise
        from nitrolyte.structures.library import library_structure

        return library_structure(name)
