"""vacancy_supercell: Li removed at a stated site fraction with charge balance.

Targets: the review's vacancy-rich β-Li3N compositions Li2.92N0.97 and Li2.83N0.94 (section 2.1,
Fig. 3C/D), reached by vacating Li(4f) with one N(2c) removed per three Li.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nitrolyte.errors import InputError
from nitrolyte.structures import structure, vacancy_supercell
from nitrolyte.structures.composition import formal_charge


@pytest.mark.parametrize(("fraction", "li", "n"), [(0.04, 2.92, 0.97), (0.081, 2.83, 0.94)])
def test_fig3d_compositions(fraction, li, n):
    cell = vacancy_supercell("β-Li3N", fraction, (3, 3, 2), sites="Li(4f)")
    per_fu = cell.composition / 36  # 3x3x2 cells of Z = 2
    assert per_fu["Li"] == pytest.approx(li, abs=0.005)
    assert per_fu["N"] == pytest.approx(n, abs=0.005)


def test_only_the_chosen_site_loses_li():
    base = structure("β-Li3N", {}) * (3, 3, 2)
    cell = vacancy_supercell("beta-Li3N", 0.081, (3, 3, 2), sites="4f")
    # Li(2b) sits at z = 1/4 (3/4); every one of them must still be there
    def li2b(s):
        return sum(1 for site in s if site.specie.symbol == "Li" and abs(site.frac_coords[2] * 2 % 0.5 - 0.25) < 0.01)
    assert li2b(cell) == li2b(base) == 36


def test_seed_is_reproducible_and_matters():
    a = vacancy_supercell("β-Li3N", 0.1, (2, 2, 2), seed=1)
    b = vacancy_supercell("β-Li3N", 0.1, (2, 2, 2), seed=1)
    c = vacancy_supercell("β-Li3N", 0.1, (2, 2, 2), seed=2)
    assert a == b
    assert a.composition == c.composition


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"li_vacancy_fraction": 1.0}, "li_vacancy_fraction"),
    ({"li_vacancy_fraction": -0.1}, "li_vacancy_fraction"),
    ({"li_vacancy_fraction": 0.1, "supercell": (0, 1, 1)}, "supercell"),
    ({"li_vacancy_fraction": 0.1, "sites": "Li(9z)"}, "Li sites"),
])
def test_bad_input(kwargs, match):
    with pytest.raises(InputError, match=match):
        vacancy_supercell("β-Li3N", **kwargs)


def test_disordered_structure_is_refused():
    with pytest.raises(InputError, match="ordered"):
        vacancy_supercell(structure("vacancy-rich β-Li3N"), 0.1)


@settings(max_examples=25, deadline=None)
@given(st.floats(0, 0.6), st.integers(0, 10))
def test_always_charge_balanced(fraction, seed):
    cell = vacancy_supercell("α-Li3N", fraction, (2, 2, 2), seed=seed)
    assert formal_charge(cell.composition) == 0
    assert cell.composition["N"] >= 1


def test_library_structures_work_too():
    """Li2S (antifluorite, 8 Li per cell, x2): 25 % Li vacant -> 4 Li and 2 S removed."""
    cell = vacancy_supercell("Li2S", 0.25, (2, 1, 1))
    assert cell.composition["Li"] == 12 and cell.composition["S"] == 6
    assert structure("Li3InCl6").composition.reduced_formula == "Li3InCl6"
