"""Vacancy-rich supercells: Li removed at a stated site fraction with charge balance (Fig. 3C/D).

The review's vacancy-rich β-Li3N compositions Li2.92N0.97 and Li2.83N0.94 (section 2.1, Fig. 3C/D)
lose Li from the Li(4f) sites and N from the N(2c) sites in the ratio that keeps the crystal neutral:
every three Li+ removed take one N3- with them. :func:`vacancy_supercell` builds such an ordered
cell for any ordered structure: it removes a fraction of the Li on the chosen sites and the
matching number of anions (the most negative formal charge, :data:`FORMAL_CHARGES`), both at
random with a fixed seed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nitrolyte.checks import check_fraction
from nitrolyte.errors import InputError

if TYPE_CHECKING:
    from pymatgen.core import Structure


def _wyckoff_labels(struct: Structure) -> list[str]:
    """``"Li(4f)"``-style label of every site (from the symmetrised structure)."""
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    sym = SpacegroupAnalyzer(struct, symprec=0.01).get_symmetrized_structure()
    labels = [""] * len(struct)
    for idx_group, wyck in zip(sym.equivalent_indices, sym.wyckoff_symbols, strict=True):
        for i in idx_group:
            labels[i] = f"{struct[i].specie.symbol}({wyck})"
    return labels


def _anion(struct: Structure) -> tuple[str, int]:
    from nitrolyte.structures.composition import FORMAL_CHARGES

    charges = {el.symbol: FORMAL_CHARGES.get(el.symbol, 0) for el in struct.composition.elements}
    symbol = min(charges, key=lambda s: charges[s])
    if charges[symbol] >= 0:
        raise InputError("vacancy_supercell: the structure has no anion to balance the Li vacancies")
    return symbol, -charges[symbol]


def vacancy_supercell(structure: Structure | str, li_vacancy_fraction: float,
                      supercell: tuple[int, int, int] = (1, 1, 1), *, seed: int = 0,
                      sites: str | None = None) -> Structure:
    """An ordered supercell with a fraction of its Li sites vacant, charge balanced.

    Parameters
    ----------
    structure : pymatgen.core.Structure or str
        An ordered structure, or a library name (``"β-Li3N"``, see :func:`nitrolyte.structures.named.structure`).
    li_vacancy_fraction : float
        Fraction of the Li on ``sites`` removed, in [0, 1).
    supercell : tuple of 3 int
        Repetitions of the cell along a, b, c (each >= 1).
    seed : int
        Seed of the random choice of the vacant Li and anion sites.
    sites : str, optional
        Wyckoff label of the Li sites to vacate (``"Li(4f)"`` or ``"4f"``); all Li by default.

    Returns
    -------
    pymatgen.core.Structure
        The supercell with :math:`n_\\mathrm{Li}` Li and :math:`n_\\mathrm{Li}/q` anions removed,

        .. math:: n_\\mathrm{Li} = q \\,\\mathrm{round}\\!\\left(f N_\\mathrm{sites} / q\\right),

        with :math:`q` the anion's formal charge magnitude (3 for N), so the cell stays neutral.
        β-Li3N with 8.1 % of Li(4f) vacant in a 3x3x2 cell gives Li102N34 = Li2.83N0.94 per formula
        unit (Fig. 3D).

    Raises
    ------
    InputError
        For a fraction outside [0, 1), a bad supercell, a disordered structure, or an unknown site.
    """
    import numpy as np

    struct = _as_structure(structure)
    check_fraction("li_vacancy_fraction", li_vacancy_fraction, allow_zero=True)
    if li_vacancy_fraction >= 1.0:
        raise InputError(f"li_vacancy_fraction must be < 1, got {li_vacancy_fraction:g}")
    if (len(supercell) != 3 or not all(isinstance(n, int | np.integer) and n >= 1 for n in supercell)):
        raise InputError(f"supercell must be three integers >= 1, got {supercell!r}")
    labels = _wyckoff_labels(struct)
    big = struct * tuple(int(n) for n in supercell)
    reps = len(big) // len(struct)
    big_labels = [lab for lab in labels for _ in range(reps)]
    li_idx = [i for i, lab in enumerate(big_labels) if lab.startswith("Li(")
              and (sites is None or lab == sites or lab == f"Li({sites})")]
    if not li_idx:
        known = sorted({lab for lab in labels if lab.startswith("Li(")})
        raise InputError(f"sites: no Li site {sites!r} in {struct.composition.reduced_formula}; "
                         f"Li sites: {', '.join(known)}")
    anion, q = _anion(big)
    n_li = q * round(li_vacancy_fraction * len(li_idx) / q)
    an_idx = [i for i, s in enumerate(big) if s.specie.symbol == anion]
    if n_li // q >= len(an_idx):
        raise InputError("li_vacancy_fraction too large: it would remove every anion")
    rng = np.random.default_rng(seed)
    remove = [*rng.choice(li_idx, n_li, replace=False).tolist(),
              *rng.choice(an_idx, n_li // q, replace=False).tolist()]
    big.remove_sites(sorted(remove))
    return big


def _as_structure(structure: Structure | str) -> Structure:
    from pymatgen.core import Structure as _Structure

    if isinstance(structure, str):
        from nitrolyte.structures.named import structure as _build

        structure = _build(structure, {})  # the stoichiometric cell of the named phase
    if not isinstance(structure, _Structure):
        raise InputError(f"structure must be a pymatgen Structure or a library name, got {type(structure).__name__}")
    if not structure.is_ordered:
        raise InputError("vacancy_supercell needs an ordered structure (this one has partial "
                         "occupancies); start from the stoichiometric phase")
    return structure
