"""Crystal structures of key phases, vacancy concentrations and the degree of condensation.

Implements the structural quantities of the review (EES 2025, 18, 4521): ``composition`` holds
the composition-level descriptors (κ of the nitridophosphates, vacancy concentrations, Li content
of LiPON); ``crystal`` the pymatgen structures of α- and β-Li3N and their densities.
"""

from nitrolyte.structures.composition import (
    FORMAL_CHARGES,
    NITRIDOPHOSPHATES,
    SUBLATTICE_BY_KAPPA,
    TETRAHEDRAL_CENTRES,
    Nitridophosphate,
    VacancyResult,
    antifluorite_li_vacancy,
    degree_of_condensation,
    formal_charge,
    li_content,
    li_per_p,
    nitridophosphate_table,
    sublattice_for_kappa,
    vacancy_concentration,
)
from nitrolyte.structures.crystal import (
    STRUCTURES,
    StructureSpec,
    WyckoffSite,
    composition_from_site_vacancies,
    density_g_cm3,
    structure_names,
    structure_spec,
)
from nitrolyte.structures.crystal import structure as _crystal_structure
from nitrolyte.structures.vacancy import vacancy_supercell


def structure(name, site_vacancies=None):  # type: ignore[no-untyped-def]
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


__all__ = [
    "FORMAL_CHARGES", "NITRIDOPHOSPHATES", "STRUCTURES", "SUBLATTICE_BY_KAPPA",
    "TETRAHEDRAL_CENTRES", "Nitridophosphate", "StructureSpec", "VacancyResult", "WyckoffSite",
    "antifluorite_li_vacancy", "composition_from_site_vacancies", "degree_of_condensation",
    "density_g_cm3", "formal_charge", "li_content", "li_per_p", "nitridophosphate_table",
    "structure", "structure_names", "structure_spec", "sublattice_for_kappa",
    "vacancy_concentration", "vacancy_supercell",
]
