"""The one name resolver (nitrolyte.names) and every module that looks names up through it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nitrolyte import api
from nitrolyte.errors import AmbiguousNameError, InputError, UnknownMaterialError
from nitrolyte.names import NameIndex, name_key, printable, resolve_choice, suggest

SPELLINGS = ["β-Li3N", "beta-Li3N", "beta_Li3N", "beta Li3N", "β Li3N", "BETA–li₃n", "Β-LI3N",
             "beta‐Li3N", "  beta  -  Li3N "]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_of_beta_li3n_is_one_key(spelling: str) -> None:
    assert name_key(spelling) == "betali3n"


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_module_resolves_every_spelling(spelling: str, db) -> None:
    from nitrolyte.cell.components import resolve
    from nitrolyte.stability._common import resolve_material
    from nitrolyte.structures import structure_spec

    assert api.get(spelling, db=db).material_id == "beta_li3n"
    assert resolve("beta-Li3N") == resolve(spelling) == "β-Li3N"  # cell components
    assert resolve_material(spelling)[1].reduced_formula == "Li3N"  # stability
    assert structure_spec(spelling).name == "β-Li3N"  # structures


def test_greek_letters_and_spelled_names() -> None:
    assert name_key("γ-Li3N") == name_key("gamma-Li3N") == "gammali3n"
    assert name_key("κ") == "kappa"
    assert name_key("α–Li₃N  Single crystal") == name_key("alpha_li3n singlecrystal")


def test_a_formula_of_several_materials_is_ambiguous_and_lists_them(db) -> None:
    with pytest.raises(AmbiguousNameError, match=r"ambiguous material 'li3n': it is the formula of "
                       r"\d+ materials; name one of: .*β-Li3N.*γ-Li3N"):
        api.get("li3n", db=db)


def test_a_formula_of_one_material_resolves(db) -> None:
    assert api.get("li7pn4", db=db).material_id == "li7pn4"
    assert api.get("LiC2N3", db=db).material_id == "li_dicyanamide"  # formula, not the name


def test_suggestions_ignore_case_and_rank_by_similarity() -> None:
    known = ["Li3InN2", "Li3N", "Li3BN2", "LiPN2"]
    assert suggest("li3n", known)[0] == "Li3N"
    assert suggest("LI9N2CL", ["Li6NBr3", "Li9N2Cl3", "Li11N3Cl2"])[0] == "Li9N2Cl3"
    assert suggest("zzzz", known) == []


def test_unknown_name_suggests_the_closest_first(db) -> None:
    with pytest.raises(UnknownMaterialError, match=r"did you mean: Li4NCl, "):
        api.get("li4ncI", db=db)


def test_family_names_are_case_insensitive(db) -> None:
    frame = api.materials(family="Nitride Halide", db=db)
    assert len(frame) > 5 and set(frame["family"]) == {"nitride halide"}
    assert resolve_choice("family", "NITRIDE-halide", ["nitride halide"]) == "nitride halide"
    with pytest.raises(InputError, match=r"family must be one of .*got 'halides'"):
        api.materials(family="halides", db=db)


def test_name_index_rules() -> None:
    index = NameIndex()
    index.add("a", "α-X2Y", ["alpha X2Y"], "X2Y")
    index.add("b", "β-X2Y", [], "X2Y")
    index.add("c", "Z3", [], "Z3")
    assert index.lookup("ALPHA_x2y") == "a" and index.lookup("z3") == "c"
    assert index.lookup("nothing") is None
    with pytest.raises(AmbiguousNameError, match="α-X2Y; β-X2Y"):
        index.lookup("x2y")
    with pytest.raises(InputError):
        index.resolve("  ")


def test_printable_escapes_control_characters_and_surrogates() -> None:
    assert printable("a\nb") == "a\\x0ab"
    assert "\\udcff" in printable("Li3N\udcff")
    assert "\n" not in str(UnknownMaterialError("x\ny"))
    assert len(printable("a\u2028b\u2029c").splitlines()) == 1


@given(st.text(max_size=30))
def test_name_key_is_idempotent_and_separator_free(text: str) -> None:
    key = name_key(text)
    assert name_key(key) == key
    assert not any(c in key for c in " _-–")


@given(st.text(alphabet="abcLiN3 _-", max_size=20))
def test_separators_never_matter(text: str) -> None:
    assert name_key(text) == name_key(text.replace("_", " ").replace("-", ""))
