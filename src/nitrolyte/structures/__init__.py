"""Crystal structures of key phases, vacancy concentrations and the degree of condensation.

Implements the structural quantities of the review (EES 2025, 18, 4521): ``composition`` holds
the composition-level descriptors (κ of the nitridophosphates, vacancy concentrations, Li content
of LiPON); ``crystal`` the pymatgen structures of α- and β-Li3N and their densities; ``named``
the one lookup of a structure by name. This file only re-exports.
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
from nitrolyte.structures.named import structure
from nitrolyte.structures.vacancy import vacancy_supercell

__all__ = [
    "FORMAL_CHARGES", "NITRIDOPHOSPHATES", "STRUCTURES", "SUBLATTICE_BY_KAPPA",
    "TETRAHEDRAL_CENTRES", "Nitridophosphate", "StructureSpec", "VacancyResult", "WyckoffSite",
    "antifluorite_li_vacancy", "composition_from_site_vacancies", "degree_of_condensation",
    "density_g_cm3", "formal_charge", "li_content", "li_per_p", "nitridophosphate_table",
    "structure", "structure_names", "structure_spec", "sublattice_for_kappa",
    "vacancy_concentration", "vacancy_supercell",
]
