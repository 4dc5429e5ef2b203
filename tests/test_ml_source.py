"""The ML energy source with a fake potential: caching, schemes, registry, error lines.

Closed-form targets: under the ``anchored`` scheme a lithium binary's window reproduces the embedded
experimental Gibbs energy whatever the potential says (LiCl 3.984 V, Li3N 0.444 V: the embedded
table, NBS 1982 / Osborne & Flotow); under ``mp2020`` the LiCl oxidation limit is
:math:`-(E_\\mathrm{LiCl} + c_\\mathrm{Cl} - \\mu_\\mathrm{Li} - \\mu_\\mathrm{Cl})/e`.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nitrolyte.errors import MissingDataError
from nitrolyte.stability import electrochemical_window, resolve_source
from nitrolyte.stability.energies import SOURCES
from nitrolyte.stability.ml import MLSource, formation_energies
from nitrolyte.structures.atomistic import relax
from nitrolyte.structures.atomistic.library_energies import library_energies

# per-element energies (eV/atom) and a Li-anion attraction: a hull with stable Li binaries
_EPS = {"Li": -1.9, "Cl": -1.8, "N": -8.3, "Br": -1.5, "In": -2.7}
_BOND = 1.6


class FakePotential:
    """Energy per atom = sum of x_i eps_i - BOND x_Li x_other; no relaxation (volume unchanged)."""

    version = "fake-1"

    def __init__(self) -> None:
        self.calls = 0

    def relax(self, structure, *, relax_cell=True):
        self.calls += 1
        comp = structure.composition.fractional_composition
        e = sum(comp[el] * _EPS.get(str(el), -3.0) for el in comp.elements)
        e -= _BOND * comp["Li"] * (1 - comp["Li"])
        return float(e), structure.copy(), 1


NAMES = ["Li", "LiCl", "Cl2", "α-Li3N", "N2", "Li3InCl6", "In"]


@pytest.fixture
def fake_table(tmp_path):
    from nitrolyte.store import Database

    relax.clear_memory()
    pot = FakePotential()
    table = library_energies(NAMES, pot, db=Database(tmp_path / "cache.sqlite"))
    return pot, table


def test_second_run_recomputes_nothing(tmp_path):
    from nitrolyte.store import Database

    db = Database(tmp_path / "cache.sqlite")
    relax.clear_memory()
    pot = FakePotential()
    first = library_energies(["LiCl", "Li"], pot, db=db)
    assert pot.calls == 2
    relax.clear_memory()  # a new process: only the store remains
    second = library_energies(["LiCl", "Li"], pot, db=db)
    assert pot.calls == 2
    pd.testing.assert_frame_equal(first, second)
    cached = db.cache_get(relax.NAMESPACE, f"{first.iloc[0]['structure_hash']}:fake-1")
    assert cached["structure"]["@class"] == "Structure"


def test_other_model_version_is_not_reused(tmp_path):
    from nitrolyte.store import Database

    db = Database(tmp_path / "cache.sqlite")
    relax.clear_memory()
    library_energies(["LiCl"], FakePotential(), db=db)
    other = FakePotential()
    other.version = "fake-2"
    library_energies(["LiCl"], other, db=db)
    assert other.calls == 1


@pytest.mark.parametrize(("formula", "expected_V"), [("LiCl", 3.984), ("Li3N", 0.444)])
def test_anchored_scheme_reproduces_experimental_binaries(fake_table, formula, expected_V):
    _, table = fake_table
    w = electrochemical_window(formula, MLSource("anchored", table))
    assert w.oxidation_V == pytest.approx(expected_V, abs=5e-4)
    assert w.source == "ml"


def test_mp2020_scheme_closed_form(fake_table):
    _, table = fake_table
    e = dict(zip(table["formula"], table["energy_per_atom_eV"], strict=True))
    corr_cl = -0.614  # MP2020 anion correction for chloride, eV per Cl (pymatgen MP2020 yaml)
    expected = -(2 * e["LiCl"] + corr_cl - e["Li"] - e["Cl2"])
    w = electrochemical_window("LiCl", MLSource("mp2020", table))
    assert w.oxidation_V == pytest.approx(expected, rel=1e-6)
    assert w.source == "ml:mp2020"


def test_ternary_gets_a_window_and_products(fake_table):
    _, table = fake_table
    w = electrochemical_window("Li3InCl6", MLSource("anchored", table))
    assert w.computable and w.own_energy
    assert w.reduction_V <= w.oxidation_V


def test_no_structure_is_one_clear_line(fake_table):
    _, table = fake_table
    with pytest.raises(MissingDataError, match=r"no structure for Li2S .*nitrolyte structure NAME --cif FILE"):
        electrochemical_window("Li2S", MLSource("anchored", table))


def test_failed_entries_are_left_out(fake_table):
    _, table = fake_table
    bad = table.copy()
    bad.loc[bad["formula"] == "Li3InCl6", "ok"] = False
    names = set(formation_energies(bad)["name"])
    assert "Li3InCl6" not in names and "LiCl" in names


def test_sources_are_registered_by_name():
    assert {"embedded", "mp", "ml", "ml:mp2020"} <= set(SOURCES)
    assert resolve_source("embedded").name == "embedded"


@settings(max_examples=15, deadline=None)
@given(st.floats(-9, -0.5), st.floats(-9, -0.5), st.floats(0.2, 3.0))
def test_anchoring_is_independent_of_the_potential(e_li, e_cl, bond):
    """Any potential: the anchored LiCl window is -dGf(LiCl)/F (3.984 V, NBS 1982)."""
    table = pd.DataFrame([
        {"name": "Li", "formula": "Li", "ok": True, "energy_per_atom_eV": e_li},
        {"name": "Cl2", "formula": "Cl2", "ok": True, "energy_per_atom_eV": e_cl},
        {"name": "LiCl", "formula": "LiCl", "ok": True,
         "energy_per_atom_eV": (e_li + e_cl) / 2 - bond / 4},
    ])
    w = electrochemical_window("LiCl", MLSource("anchored", table))
    assert w.oxidation_V == pytest.approx(3.984, abs=5e-4)
