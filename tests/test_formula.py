"""The strict formula parser: what it accepts (as pymatgen reads it) and what it refuses."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nitrolyte.errors import InputError
from nitrolyte.formula import parse_formula


@pytest.mark.parametrize(("text", "expected"), [
    ("Li3N", {"Li": 3.0, "N": 1.0}),
    ("Li2.9PO3.3N0.46", {"Li": 2.9, "P": 1.0, "O": 3.3, "N": 0.46}),   # LiPON, Table 1
    ("Li[N(CN)2]", {"Li": 1.0, "N": 3.0, "C": 2.0}),
    # OBELiX all.csv row 173 writes its formulas with spaces between groups
    ("La0.62 Li0.14(Mg0.5W0.5)O3", {"La": 0.62, "Li": 0.14, "Mg": 0.5, "W": 0.5, "O": 3.0}),
])
def test_accepted_formulas_give_their_amounts(text: str, expected: dict[str, float]) -> None:
    got = parse_formula(text)
    assert got.keys() == expected.keys()
    assert all(got[k] == pytest.approx(v, rel=1e-12) for k, v in expected.items())


@pytest.mark.parametrize(("text", "why"), [
    ("Li3N)", "unbalanced"), ("Li3N0", "must be > 0"), ("S0Cl1", "must be > 0"),
    ("D3", "not an element"), ("E", "not an element"), ("S1e400", "unexpected character 'e'"),
    ("Li3 2N", "does not follow"), ("Li3\tN;", "unexpected character ';'"),
])
def test_nonsense_is_refused_with_the_reason(text: str, why: str) -> None:
    with pytest.raises(InputError, match=why):
        parse_formula(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Li", "N", "Cl", "P", "O", "Si"]),
                          st.integers(1, 20)), min_size=1, max_size=4, unique_by=lambda t: t[0]),
       st.booleans())
def test_agrees_with_pymatgen_on_plain_formulas(parts: list[tuple[str, int]], spaced: bool) -> None:
    from pymatgen.core import Composition

    text = (" " if spaced else "").join(f"{el}{n}" for el, n in parts)
    assert parse_formula(text) == pytest.approx(
        {str(el): amt for el, amt in Composition(text).get_el_amt_dict().items()})
