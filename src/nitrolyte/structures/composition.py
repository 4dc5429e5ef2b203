"""Composition-level structure descriptors: degree of condensation, vacancies, Li content.

The degree of condensation κ of the lithium nitridophosphates (review section 2.4, Fig. 6A), the
vacancy concentrations of vacancy-rich β-Li3N and Li9N2Cl3 (section 2.1, Fig. 3C/D; section 2.3)
and the Li content of LiPON (section 2.2, Fig. 4E).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from nitrolyte.errors import InputError

if TYPE_CHECKING:
    import pandas as pd
    from pymatgen.core import Composition

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
