"""pymatgen ``Structure`` objects of α- and β-Li3N (review Fig. 3B) and their densities.

Built from space group, lattice parameters and Wyckoff positions, each with its source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING

from nitrolyte.checks import check_fraction
from nitrolyte.errors import InputError, UnknownMaterialError
from nitrolyte.names import name_key

if TYPE_CHECKING:
    from pymatgen.core import Composition, Structure


@dataclass(frozen=True)
class WyckoffSite:
    """An occupied Wyckoff position: element, Wyckoff label (``"4f"``) and fractional coordinates."""

    element: str
    wyckoff: str
    coords: tuple[float, float, float]

    @property
    def label(self) -> str:
        """Site label as the review writes it, ``"Li(4f)"``."""
        return f"{self.element}({self.wyckoff})"


@dataclass(frozen=True)
class StructureSpec:
    """A hexagonal crystal structure from space group, lattice parameters (Å) and sites."""

    name: str
    aliases: tuple[str, ...]
    space_group: str
    a_A: float
    c_A: float
    sites: tuple[WyckoffSite, ...]
    source: str
    review_ref: str
    site_vacancies: Mapping[str, float] = field(default_factory=dict)
    note: str = ""


_LI3N_ALPHA = StructureSpec(
    "α-Li3N", ("alpha-Li3N", "a-Li3N"), "P6/mmm", 3.648, 3.875,
    (WyckoffSite("N", "1a", (0.0, 0.0, 0.0)), WyckoffSite("Li", "1b", (0.0, 0.0, 0.5)),
     WyckoffSite("Li", "2c", (1 / 3, 2 / 3, 0.0))),
    "Rabenau & Schulz, J. Less-Common Met. 1976, 50, 155 (review ref. 21)", "21",
    note="Table 1 prints P6_3/mmm; the structure is P6/mmm (Li3N type).")
_LI3N_BETA = StructureSpec(
    "β-Li3N", ("beta-Li3N", "b-Li3N"), "P6_3/mmc", 3.552, 6.311,
    (WyckoffSite("N", "2c", (1 / 3, 2 / 3, 0.25)), WyckoffSite("Li", "2b", (0.0, 0.0, 0.25)),
     WyckoffSite("Li", "4f", (1 / 3, 2 / 3, 0.583))),
    "Beister, Haag, Kniep, Strössner, Syassen, Angew. Chem. Int. Ed. 1988, 27, 1101 "
    "(review ref. 40), Na3As type", "40",
    note="z(Li 4f) = 0.583 is the Na3As-type value; density and space group do not depend on it.")
_LI3N_VACANCY_RICH = StructureSpec(
    "vacancy-rich β-Li3N", ("vacancy-rich beta-Li3N",), "P6_3/mmc", 3.552, 6.311,
    _LI3N_BETA.sites, _LI3N_BETA.source + "; vacancies: review section 2.1 (ref. 15)", "15",
    site_vacancies=MappingProxyType({"Li(4f)": 0.081, "N(2c)": 0.054}),
    note="Site vacancies Li(4f) 8.1 % and N(2c) 5.4 % from section 2.1 on the stoichiometric "
         "β-Li3N lattice (the review gives no lattice parameters for the vacancy-rich phase).")

#: The structures ``structure()`` can build.
STRUCTURES: tuple[StructureSpec, ...] = (_LI3N_ALPHA, _LI3N_BETA, _LI3N_VACANCY_RICH)


_key = name_key  # the one name normalizer (nitrolyte.names)


def structure_spec(name: str) -> StructureSpec:
    """The ``StructureSpec`` of a phase (Greek or ASCII spelling, case-insensitive)."""
    lookup = {_key(n): s for s in STRUCTURES for n in (s.name, *s.aliases)}
    spec = lookup.get(_key(str(name)))
    if spec is None:
        raise UnknownMaterialError(str(name), [n for s in STRUCTURES for n in (s.name, *s.aliases)])
    return spec


def structure_names() -> tuple[str, ...]:
    """Names of the phases with a structure."""
    return tuple(s.name for s in STRUCTURES)


def _check_site_vacancies(spec: StructureSpec, vacancies: Mapping[str, float]) -> dict[str, float]:
    labels = {s.label for s in spec.sites}
    out = {}
    for label, value in vacancies.items():
        if label not in labels:
            raise InputError(f"site_vacancies: {spec.name} has no site {label!r}; "
                             f"sites: {', '.join(sorted(labels))}")
        check_fraction(f"site_vacancies[{label!r}]", value, allow_zero=True)
        if value >= 1.0:
            raise InputError(f"site_vacancies[{label!r}] must be < 1, got {value:g}")
        out[label] = float(value)
    return out


def structure(name: str, site_vacancies: Mapping[str, float] | None = None) -> Structure:
    """pymatgen ``Structure`` of a phase in its conventional cell.

    Parameters
    ----------
    name : str
        ``"α-Li3N"``, ``"β-Li3N"`` or ``"vacancy-rich β-Li3N"`` (see ``structure_names()``).
    site_vacancies : mapping of str to float, optional
        Vacancy fraction per site label (``{"Li(4f)": 0.081}``), replacing the phase's own;
        occupancies are :math:`1 - v`.

    Returns
    -------
    pymatgen.core.Structure
        Ordered for stoichiometric phases, with partial occupancies where sites are vacant.
    """
    from pymatgen.core import Lattice
    from pymatgen.core import Structure as _Structure

    spec = structure_spec(name)
    vac = _check_site_vacancies(spec, spec.site_vacancies if site_vacancies is None
                                else site_vacancies)
    species = [{s.element: 1.0 - vac[s.label]} if vac.get(s.label) else s.element
               for s in spec.sites]
    return _Structure.from_spacegroup(spec.space_group, Lattice.hexagonal(spec.a_A, spec.c_A),
                                      species, [s.coords for s in spec.sites])


@lru_cache(maxsize=16)
def _formula_units(name: str) -> int:
    spec = structure_spec(name)
    return int(structure(spec.name, {}).composition.get_reduced_composition_and_factor()[1])


def composition_from_site_vacancies(name: str,
                                    site_vacancies: Mapping[str, float] | None = None) -> Composition:
    """Composition per formula unit of a phase with vacant sites.

    .. math:: n_X = \\frac{1}{Z} \\sum_{s \\in X} m_s (1 - v_s)

    (:math:`m_s` site multiplicity, Z formula units per cell). For vacancy-rich β-Li3N (Li(4f)
    8.1 %, N(2c) 5.4 %) this gives Li2.838N0.946, which is charge balanced.
    """
    spec = structure_spec(name)
    comp = structure(spec.name, site_vacancies).composition
    return comp / _formula_units(spec.name)


def density_g_cm3(name: str, site_vacancies: Mapping[str, float] | None = None) -> float:
    """Crystallographic (X-ray) density of a phase in g/cm3.

    .. math:: \\rho = \\frac{\\sum_i n_i M_i}{N_A V_\\mathrm{cell}}
    """
    return float(structure(name, site_vacancies).density)
