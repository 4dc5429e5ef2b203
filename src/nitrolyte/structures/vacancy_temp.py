"""Charge-balanced Li-vacancy supercells (review Fig. 3C/D: Li2.92N0.97, Li2.83N0.94).

TEMP until issue 11 lands: minimal version of ``vacancy_supercell`` with the signature in
CONTRACTS.md; issue 11's implementation replaces it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nitrolyte.checks import check_range
from nitrolyte.errors import InputError


def vacancy_supercell(structure: Any, li_vacancy_fraction: float,
                      supercell: tuple[int, int, int] = (1, 1, 1), *, seed: int = 0,
                      sites: str | None = None) -> Any:
    """Supercell of ``structure`` with a fraction of Li removed and N removed to balance charge.

    A fraction :math:`x` of the Li atoms is removed (rounded to a multiple of 3) together with a
    third as many N atoms, so :math:`\\mathrm{Li_3N} \\to \\mathrm{Li_{3(1-x)}N_{1-x}}` stays neutral
    (Li+ / N3-), as the review's Fig. 3D cells Li2.92N0.97 (x = 2.7 %) and Li2.83N0.94 (5.6 %).

    Parameters
    ----------
    structure : pymatgen.core.Structure
        The perfect cell.
    li_vacancy_fraction : float
        Fraction of Li sites to empty, 0 <= x < 0.5.
    supercell : tuple of int
        Repetitions along a, b, c.
    seed : int
        Seed of the random choice of sites.
    sites : str, optional
        Restrict Li removal to sites whose ``label`` equals this (None: any Li).
    """
    x = float(check_range("li_vacancy_fraction", li_vacancy_fraction, lo=0.0, hi=0.5,
                          hi_inclusive=False))
    if len(supercell) != 3 or any(int(n) < 1 for n in supercell):
        raise InputError(f"supercell must be three integers >= 1, got {supercell}")
    s = structure.copy()
    s.make_supercell([int(n) for n in supercell])
    li = [i for i, site in enumerate(s) if site.specie.symbol == "Li"
          and (sites is None or site.label == sites)]
    n_li = 3 * round(x * len(li) / 3)
    if x > 0 and n_li == 0:
        raise InputError(f"li_vacancy_fraction {x:g} removes no Li from a {len(li)}-Li supercell; "
                         "use a larger supercell")
    rng = np.random.default_rng(seed)
    nitrogen = [i for i, site in enumerate(s) if site.specie.symbol == "N"]
    drop = list(rng.choice(li, n_li, replace=False)) + list(
        rng.choice(nitrogen, n_li // 3, replace=False))
    s.remove_sites(sorted(int(i) for i in drop))
    return s
