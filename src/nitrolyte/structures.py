"""Crystal structures of key phases, vacancy concentrations and the degree of condensation.

Implements the structural quantities of the review (EES 2025, 18, 4521): the degree of condensation
κ of the lithium nitridophosphates (section 2.4, Fig. 6A), the vacancy concentrations of
vacancy-rich β-Li3N and Li9N2Cl3 (section 2.1, Fig. 3C/D; section 2.3), the Li content of LiPON
(section 2.2, Fig. 4E) and pymatgen ``Structure`` objects of α- and β-Li3N (Fig. 3B) built from
their space group, lattice parameters and Wyckoff positions, each with its source.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from nitrolyte.checks import check_fraction
from nitrolyte.errors import InputError, UnknownMaterialError

if TYPE_CHECKING:
    import pandas as pd
    from pymatgen.core import Composition, Structure

#: Tetrahedral network formers for which κ = n(T)/n(N) is computed (see ``degree_of_condensation``).
TETRAHEDRAL_CENTRES: tuple[str, ...] = ("P", "Si", "Ge", "Al", "B")

#: The review's description of the PN4 sub-lattice for each κ (section 2.4, Fig. 6A).
SUBLATTICE_BY_KAPPA: Mapping[Fraction, str] = MappingProxyType({
    Fraction(1, 4): "isolated tetrahedra",
    Fraction(1, 3): "Dreier rings and Zweier chains",
    Fraction(3, 8): "annulated rings",
    Fraction(2, 5): "zig-zag chains and pyramid cages",
    Fraction(1, 2): "3D networks",
})

#: Formal ionic charges (e) used for the charge balance of a composition.
FORMAL_CHARGES: Mapping[str, int] = MappingProxyType({
    "Li": 1, "Na": 1, "Mg": 2, "Ca": 2, "La": 3, "B": 3, "Al": 3, "Ga": 3, "In": 3,
    "C": 4, "Si": 4, "Ge": 4, "Zr": 4, "Ta": 5, "P": 5,
    "N": -3, "O": -2, "S": -2, "Se": -2, "F": -1, "Cl": -1, "Br": -1, "I": -1,
})


def _composition(formula: Any, field_name: str = "formula") -> Composition:
    """Parse a formula string (or pass a ``Composition`` through), naming the field on error."""
    from pymatgen.core import Composition, Element

    if isinstance(formula, Composition):
        return formula
    if not isinstance(formula, str) or not formula.strip():
        raise InputError(f"{field_name} must be a chemical formula such as 'Li7PN4', got {formula!r}")
    try:
        comp = Composition(formula)
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{field_name}: cannot parse formula {formula!r} ({exc})") from None
    if comp.num_atoms <= 0:
        raise InputError(f"{field_name}: formula {formula!r} has no atoms")
    unknown = [str(el) for el in comp.elements if not isinstance(el, Element)]
    if unknown:
        raise InputError(f"{field_name}: cannot parse formula {formula!r} "
                         f"(unknown element {', '.join(unknown)})")
    return comp


def _label(formula: Any, comp: Composition) -> str:
    """The formula as the user wrote it, or pymatgen's compact formula for a Composition."""
    return formula.strip() if isinstance(formula, str) else comp.formula.replace(" ", "")


def _fraction(amount: float) -> Fraction:
    """An exact fraction for an amount printed with a few decimals (0.35 -> 7/20)."""
    return Fraction(amount).limit_denominator(10**6)


# --------------------------------------------------------------------------- degree of condensation


def degree_of_condensation(formula: Any, centres: Iterable[str] = ("P",)) -> Fraction:
    """Degree of condensation κ of a nitrido-network compound.

    .. math:: \\kappa = \\frac{n(T)}{n(\\mathrm{N})}, \\quad T \\in \\{P, Si, Ge, Al, B\\}

    the atomic ratio of tetrahedral centres to the N atoms at the tetrahedra vertices (review
    section 2.4). κ = 1/4 for isolated TN4 tetrahedra, 1/2 for a 3D network of corner-sharing
    tetrahedra (each N shared by two tetrahedra), above 1/2 when some N bridge three tetrahedra.

    Parameters
    ----------
    formula : str or pymatgen Composition
        Composition, e.g. ``"Li18P6N16"``; amounts may be non-integer.
    centres : iterable of str
        The tetrahedral centres counted in n(T), from ``TETRAHEDRAL_CENTRES``. Default P.

    Returns
    -------
    Fraction
        κ, dimensionless (``Fraction(3, 8)`` for Li18P6N16).

    Notes
    -----
    The formula-based ratio equals the structural κ only when every N is a vertex of a TN4
    tetrahedron. That holds for the nitridophosphates of Fig. 6A, the nitridosilicates (Si) and
    Li3AlN2 (Al). It does not hold for compounds with N not bonded to T, and for boron nitrides
    the ratio is only a composition ratio: B forms linear BN2 or trigonal BN3 units, not tetrahedra.
    """
    comp = _composition(formula)
    centres = tuple(centres)
    if not centres:
        raise InputError("centres must name at least one tetrahedral centre")
    for centre in centres:
        if centre not in TETRAHEDRAL_CENTRES:
            raise InputError(
                f"centres must be among {', '.join(TETRAHEDRAL_CENTRES)}; got {centre!r}")
    n_nitrogen = comp["N"]
    if n_nitrogen <= 0:
        raise InputError(f"formula {comp.formula!r} contains no N; κ needs N vertices")
    n_centres = sum(comp[c] for c in centres)
    if n_centres <= 0:
        raise InputError(f"formula {comp.formula!r} contains none of the centres {centres}")
    return _fraction(n_centres) / _fraction(n_nitrogen)


def sublattice_for_kappa(kappa: Fraction) -> str:
    """The review's sub-lattice description for a κ (``""`` where the review gives none)."""
    return SUBLATTICE_BY_KAPPA.get(Fraction(kappa), "")


@dataclass(frozen=True)
class Nitridophosphate:
    """A lithium nitridophosphate of Fig. 6A with its PN4 sub-lattice.

    ``sublattice`` is the review's term for this compound's κ; ``structure_note`` is what the
    primary source reports for the compound.
    """

    name: str
    formula: str
    space_group: str
    sublattice: str
    structure_note: str
    ref: str = ""

    @property
    def kappa(self) -> Fraction:
        """Degree of condensation n(P)/n(N)."""
        return degree_of_condensation(self.formula)


#: The nitridophosphates of Fig. 6A (space groups as printed in section 2.4); ``ref`` is the
#: review's reference for the structure (refs. 76, 82, 83 are Bertschler et al., Chem. Eur. J.).
NITRIDOPHOSPHATES: tuple[Nitridophosphate, ...] = (
    Nitridophosphate("Li7PN4", "Li7PN4", "P-43n", "isolated tetrahedra",
                     "isolated [PN4]7- tetrahedra", "75"),
    Nitridophosphate("Li12P3N9", "Li12P3N9", "Cc", "Dreier rings",
                     "non-condensed [P3N9]12- dreier rings (ref. 83)", "83"),
    Nitridophosphate("Li4PN3", "Li4PN3", "Pccn", "Zweier chains",
                     "PN3 zweier chains of corner-sharing PN4 tetrahedra (ref. 83)", "83"),
    Nitridophosphate("Li18P6N16", "Li18P6N16", "P-1", "annulated rings",
                     "tricyclic [P6N16]18- ions of one vierer and two dreier rings (ref. 76); "
                     "Table 3 prints P1, section 2.4 P-1", "76"),
    Nitridophosphate("α-Li10P4N10", "Li10P4N10", "Fd-3m", "pyramid cages",
                     "adamantane-type [P4N10]10- cages (ref. 81)", "81"),
    Nitridophosphate("β-Li10P4N10", "Li10P4N10", "R3", "pyramid cages",
                     "adamantane-type [P4N10]10- cages (ref. 77)", "77"),
    Nitridophosphate("Li5P2N5", "Li5P2N5", "C2/c", "zig-zag chains",
                     "ref. 82 describes corrugated honeycomb-type [P2N5]5- layers of sechser "
                     "rings; the review's 'zig-zag chains' is assigned here by κ = 2/5", "82"),
    Nitridophosphate("LiPN2", "LiPN2", "I-42d", "3D networks",
                     "3D network of corner-sharing PN4 tetrahedra (ref. 80)", "75"),
)


def nitridophosphate_table() -> pd.DataFrame:
    """The Fig. 6A nitridophosphates with κ (as text and number), sub-lattice and space group."""
    import pandas as pd

    rows = [{"name": n.name, "formula": n.formula, "space_group": n.space_group,
             "kappa": str(n.kappa), "kappa_value": float(n.kappa), "sublattice": n.sublattice,
             "review_sublattice_for_kappa": sublattice_for_kappa(n.kappa),
             "structure_note": n.structure_note, "ref": n.ref} for n in NITRIDOPHOSPHATES]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- vacancies, Li content


@dataclass(frozen=True)
class VacancyResult:
    """Site vacancy fractions of a composition relative to its stoichiometric parent.

    Attributes
    ----------
    formula, reference : str
        The composition and its parent, both per formula unit of the parent.
    vacancy_fractions : Mapping[str, float]
        Element -> :math:`1 - n/n_\\mathrm{ref}` (dimensionless; negative means an excess).
    net_charge : float
        Formal charge of ``formula`` per formula unit (e); 0 for a charge-balanced composition.
    """

    formula: str
    reference: str
    vacancy_fractions: Mapping[str, float] = field(default_factory=dict)
    net_charge: float = 0.0

    @property
    def li_vacancy_fraction(self) -> float:
        """Li vacancy fraction (0.027 for 2.7 %)."""
        return self.vacancy_fractions.get("Li", 0.0)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"formula": self.formula, "reference": self.reference,
                "vacancy_fractions": dict(self.vacancy_fractions), "net_charge": self.net_charge}

    def to_frame(self) -> pd.DataFrame:
        """One row per element: ``element, vacancy_fraction, vacancy_percent``."""
        import pandas as pd

        return pd.DataFrame([{"formula": self.formula, "reference": self.reference, "element": el,
                              "vacancy_fraction": v, "vacancy_percent": 100.0 * v}
                             for el, v in self.vacancy_fractions.items()])


def formal_charge(formula: Any) -> float:
    """Net formal charge of a composition (e per formula unit), from ``FORMAL_CHARGES``.

    .. math:: q = \\sum_i n_i z_i
    """
    comp = _composition(formula)
    unknown = [str(el) for el in comp.elements if str(el) not in FORMAL_CHARGES]
    if unknown:
        raise InputError(f"formula {comp.formula!r}: no formal charge for {', '.join(unknown)}")
    return float(sum(amount * FORMAL_CHARGES[str(el)] for el, amount in comp.items()))


def vacancy_concentration(formula: Any, reference: Any = "Li3N") -> VacancyResult:
    """Vacancy fraction of every element relative to the stoichiometric parent.

    .. math:: v_X = 1 - \\frac{n_X}{n_{X,\\mathrm{ref}}}

    with both compositions per formula unit of the parent (``Li2.92N0.97`` against ``Li3N``:
    :math:`v_\\mathrm{Li} = 1 - 2.92/3 = 2.7\\,\\%`, the value of review Fig. 3D).

    Parameters
    ----------
    formula : str or Composition
        Defective composition written on the parent's basis (``"Li8.60N1.911Cl2.867"``).
    reference : str or Composition
        Stoichiometric parent (``"Li3N"``, ``"Li9N2Cl3"``).

    Returns
    -------
    VacancyResult
        Fractions per element (negative = excess over the parent) and the formal charge.
    """
    comp = _composition(formula)
    ref = _composition(reference, "reference")
    extra = sorted(str(el) for el in comp.elements if ref[el] <= 0)
    if extra:
        raise InputError(f"formula {comp.formula!r} has {', '.join(extra)}, which the reference "
                         f"{ref.formula!r} lacks; vacancies are defined on the parent's sites")
    missing = sorted(str(el) for el in ref.elements if comp[el] <= 0)
    if missing:
        raise InputError(f"formula {comp.formula!r} lacks {', '.join(missing)} of the reference "
                         f"{ref.formula!r}")
    fractions = {str(el): 1.0 - comp[el] / ref[el] for el in ref.elements}
    return VacancyResult(formula=_label(formula, comp), reference=_label(reference, ref),
                         vacancy_fractions=MappingProxyType(fractions),
                         net_charge=formal_charge(comp) if set(fractions) <= set(FORMAL_CHARGES)
                         else float("nan"))


def antifluorite_li_vacancy(formula: Any, cations: Iterable[str] = ("Li",)) -> float:
    """Li-site vacancy fraction of an anti-fluorite (anion fcc, Li in the tetrahedral holes).

    .. math:: v_\\mathrm{Li} = 1 - \\frac{n(\\mathrm{Li})}{2 \\sum n(\\mathrm{anions})}

    Two tetrahedral sites per anion site, every anion site occupied: 1/6 for Li5NCl2 and 10 %
    for Li1.8N0.4Cl0.6 (review section 2.3). Anions are the elements with a negative formal
    charge; ``cations`` are the ions on the tetrahedral sites.
    """
    comp = _composition(formula)
    anions = [el for el in comp.elements if FORMAL_CHARGES.get(str(el), 0) < 0]
    if not anions:
        known = ", ".join(el for el, z in FORMAL_CHARGES.items() if z < 0)
        raise InputError(f"formula {comp.formula!r} has no anion (one of {known})")
    n_sites = 2.0 * sum(comp[el] for el in anions)
    return 1.0 - sum(comp[c] for c in cations) / n_sites


def li_content(formula: Any, formers: Iterable[str] = ("P",)) -> float:
    """Li content per network former, e.g. the Li:P ratio of LiPON (review section 2.2).

    .. math:: x_\\mathrm{Li} = \\frac{n(\\mathrm{Li})}{\\sum_{T \\in \\mathrm{formers}} n(T)}

    Parameters
    ----------
    formula : str or Composition
        LiPON-type composition (``"Li2.9PO3.3N0.46"``).
    formers : iterable of str
        Network formers in the denominator: ``("P",)`` for Li:P, ``("P", "Si")`` for Si-doped LiPON.

    Returns
    -------
    float
        Li per former atom (dimensionless).
    """
    comp = _composition(formula)
    formers = tuple(formers)
    n_formers = sum(comp[f] for f in formers)
    if n_formers <= 0:
        raise InputError(f"formula {comp.formula!r} contains none of the formers {formers}")
    return float(comp["Li"] / n_formers)


def li_per_p(formula: Any) -> float:
    """Li:P ratio of a LiPON composition (``li_content(formula, ("P",))``)."""
    return li_content(formula, ("P",))


# --------------------------------------------------------------------------- crystal structures


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


def _key(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).strip().lower()
    for greek, ascii_ in (("α", "alpha"), ("β", "beta")):
        text = text.replace(greek, ascii_)
    return text.replace("_", "").replace(" ", "")


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
