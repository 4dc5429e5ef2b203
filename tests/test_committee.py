"""Committee uncertainty (issue 22, item 2): every ML result from both models, with the spread.

Plumbing with a fake pair of registered potentials (energy per atom = sum x_i eps_i - BOND x_Li
x_other, one BOND per model). Under the ``mp2020`` scheme the LiCl oxidation limit is closed-form,

.. math:: V_\\mathrm{ox} = -(2E_\\mathrm{LiCl} + c_\\mathrm{Cl} - E_\\mathrm{Li} - E_\\mathrm{Cl_2})/e
          = \\mathrm{BOND}/2 - c_\\mathrm{Cl}, \\qquad c_\\mathrm{Cl} = -0.614\\ \\mathrm{eV}

(MP2020 chloride correction), so the spread of two models is |BOND_a - BOND_b|/2 and the Li|Cl2
reaction energy per atom, -(BOND/2 - c_Cl)/2, spreads by |BOND_a - BOND_b|/4. Under ``anchored``
the LiCl window reproduces the experimental 3.984 V whatever the model: spread exactly zero.
Values with the real packaged tables of CHGNet and SevenNet are at the end.
"""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from nitrolyte.cli import app
from nitrolyte.stability import electrochemical_window, interface_reaction
from nitrolyte.stability.air import air_reactions

_EPS = {"Li": -1.9, "Cl": -1.8, "N": -8.3, "Br": -1.5, "In": -2.7}
BONDS = {"fake-a": 1.6, "fake-b": 2.4}  # oxidation limits 1.414 V and 1.814 V: 0.4 V apart
NAMES = ["Li", "LiCl", "Cl2", "α-Li3N", "N2", "Li3InCl6", "In"]
C_CL = -0.614


class _Relax:
    def __init__(self, name: str, bond: float):
        self.version, self.bond = f"{name}-1", bond

    def relax(self, structure, *, relax_cell=True):
        comp = structure.composition.fractional_composition
        e = sum(comp[el] * _EPS.get(str(el), -3.0) for el in comp.elements)
        return float(e - self.bond * comp["Li"] * (1 - comp["Li"])), structure.copy(), 1


@pytest.fixture
def fake_pair(monkeypatch, tmp_path):
    """Two registered fake models (fake-a the default); each ML source reads its own table."""
    from nitrolyte.potentials import Potential, registry
    from nitrolyte.stability import _common, ml
    from nitrolyte.store import Database
    from nitrolyte.structures.atomistic import relax
    from nitrolyte.structures.atomistic.library_energies import library_energies

    relax.clear_memory()
    db = Database(tmp_path / "cache.sqlite")
    tables = {name: library_energies(NAMES, _Relax(name, bond), db=db) for name, bond in BONDS.items()}
    fakes = {name: Potential(name=name, label=name.upper(), description="fake", package=None, model=name,
                             pinned=None, make_calculator=lambda device: None) for name in BONDS}
    monkeypatch.setattr(registry, "POTENTIALS", fakes)
    monkeypatch.setattr(registry, "DEFAULT_POTENTIAL", "fake-a")
    monkeypatch.setattr(ml, "_library_table", lambda potential=None, compute=True, elements=None, db=None: tables[potential])
    ml.ml_source.cache_clear()
    ml.hybrid_source.cache_clear()
    _common.clear_cache()
    yield tables
    ml.ml_source.cache_clear()
    ml.hybrid_source.cache_clear()
    _common.clear_cache()


def _v_ox(bond: float) -> float:
    return bond / 2 - C_CL


def test_window_spread_is_the_closed_form(fake_pair):
    w = electrochemical_window("LiCl", "ml:mp2020")
    assert w.source == "ml:mp2020"
    assert w.oxidation_V == pytest.approx(_v_ox(BONDS["fake-a"]), rel=1e-6)  # the default model's answer
    assert w.committee["fake-b"]["oxidation_V"] == pytest.approx(_v_ox(BONDS["fake-b"]), rel=1e-6)
    assert w.oxidation_V_spread == pytest.approx(abs(BONDS["fake-a"] - BONDS["fake-b"]) / 2, rel=1e-6)
    assert w.reduction_V_spread == 0.0
    assert any("disagree on oxidation_V by 0.40 V" in n for n in w.notes)  # > 0.3 V: flagged


def test_anchoring_leaves_no_spread_on_the_binaries(fake_pair):
    w = electrochemical_window("LiCl", "ml")
    assert w.oxidation_V == pytest.approx(3.984, abs=5e-4)
    assert w.oxidation_V_spread == pytest.approx(0.0, abs=1e-9)
    assert not any("disagree" in n for n in w.notes)


def test_potential_option_picks_the_answer_not_the_committee(fake_pair):
    w = electrochemical_window("LiCl", "ml:mp2020", potential="fake-b")
    assert w.source == "ml:mp2020@fake-b"
    assert w.oxidation_V == pytest.approx(_v_ox(BONDS["fake-b"]), rel=1e-6)
    assert w.oxidation_V_spread == pytest.approx(0.4, rel=1e-6)
    assert electrochemical_window("LiCl", "ml:mp2020@fake-b").oxidation_V == w.oxidation_V
    assert math.isnan(electrochemical_window("LiCl", "ml:mp2020", committee=False).oxidation_V_spread)


def test_cli_json_has_the_spreads_and_text_flags_them(fake_pair):
    run = CliRunner()
    doc = json.loads(run.invoke(app, ["window", "LiCl", "--source", "ml:mp2020", "--json"]).output)
    assert doc["oxidation_V_spread"] == pytest.approx(0.4, rel=1e-6) and doc["reduction_V_spread"] == 0
    assert set(doc["committee"]) == {"fake-a", "fake-b"}
    text = run.invoke(app, ["window", "LiCl", "--source", "ml:mp2020"]).output
    assert "spread over the ML models (fake-a, fake-b): reduction 0.000 V, oxidation 0.400 V" in text
    assert "the ML models disagree on oxidation_V" in text
    res = run.invoke(app, ["window", "LiCl", "--source", "ml", "--potential", "fake-b", "--json"])
    assert json.loads(res.output)["source"] == "ml@fake-b"
    bad = run.invoke(app, ["window", "LiCl", "--source", "embedded", "--potential", "fake-b"])
    assert bad.exit_code != 0 and "source 'embedded' uses no model" in bad.output


def test_interface_and_air_spreads(fake_pair):
    r = interface_reaction("Li", "Cl2", "ml:mp2020")
    expected = {m: -_v_ox(b) / 2 for m, b in BONDS.items()}  # eV per atom of Li + 1/2 Cl2
    assert r.min_energy_eV_atom == pytest.approx(expected["fake-a"], rel=1e-6)
    assert r.min_energy_eV_atom_spread == pytest.approx(0.2, rel=1e-6)
    assert any("disagree on min_energy_eV_atom by 200 meV/atom" in n for n in r.notes)
    (air,) = air_reactions("Li", "ml:mp2020", gases=("Cl2",))
    assert air.energy_meV_atom_spread == pytest.approx(200.0, rel=1e-6)
    assert air.committee["fake-b"] == pytest.approx(1000 * expected["fake-b"], rel=1e-6)
    assert air.to_dict()["energy_meV_atom_spread"] == pytest.approx(200.0, rel=1e-6) and air.notes


def test_hull_spread_is_max_minus_min_of_the_members(fake_pair):
    from nitrolyte.stability.ml import energy_above_hull_table, ml_source

    table = energy_above_hull_table(ml_source("mp2020")).set_index("name")
    one = {m: energy_above_hull_table(ml_source("mp2020", m), committee=False).set_index("name")
           for m in BONDS}
    for name in ("LiCl", "Li3InCl6"):
        values = [one[m].loc[name, "e_above_hull_meV_atom"] for m in BONDS]
        assert table.loc[name, "e_above_hull_meV_atom_spread"] == pytest.approx(max(values) - min(values), abs=1e-9)


def test_a_source_without_a_model_has_no_committee():
    w = electrochemical_window("LiCl", "embedded")
    assert w.committee == {} and math.isnan(w.oxidation_V_spread)
    assert w.to_dict()["oxidation_V_spread"] is None


# --- values from the real packaged tables of CHGNet and SevenNet (no relaxation) ---


def _model_rows(model: str):
    from nitrolyte.potentials import get_potential
    from nitrolyte.structures.atomistic.relax import packaged_table

    t = packaged_table()
    return t[(t["model_version"] == get_potential(model).version) & t["ok"].astype(bool)]


def _e(rows, formula: str) -> float:
    """Lowest energy per atom (eV) of the rows of a reduced formula (any polymorph)."""
    from pymatgen.core import Composition

    mask = [Composition(f).reduced_formula == formula for f in rows["formula"]]
    return float(rows[mask]["energy_per_atom_eV"].min())


def test_real_tables_li3n_is_anchored_for_both_models():
    w = electrochemical_window("Li3N", "ml")
    for model in ("chgnet", "sevennet"):
        assert w.committee[model]["oxidation_V"] == pytest.approx(0.444, abs=5e-4)
    assert w.oxidation_V_spread == pytest.approx(0.0, abs=1e-9) and w.reduction_V_spread == 0


def test_real_tables_li2s_spread_is_the_closed_form():
    """S is not anchored: V_ox(Li2S) = -(E_Li2S + c_S - 2 mu_Li - mu_S)/2 per model, with the same
    MP2020 sulfide correction c_S for both, so the spread is |Delta(E_Li2S - 2 mu_Li - mu_S)|/2
    straight from the two packaged tables (mu: lowest polymorph per atom, E per formula unit)."""
    w = electrochemical_window("Li2S", "ml")
    rows = {m: _model_rows(m) for m in ("chgnet", "sevennet")}
    gap = {m: 3 * _e(r, "Li2S") - 2 * _e(r, "Li") - _e(r, "S") for m, r in rows.items()}
    assert w.oxidation_V_spread == pytest.approx(abs(gap["chgnet"] - gap["sevennet"]) / 2, abs=1e-6)
    assert (w.committee["sevennet"]["oxidation_V"] - w.committee["chgnet"]["oxidation_V"]
            == pytest.approx(-(gap["sevennet"] - gap["chgnet"]) / 2, abs=1e-6))
    from nitrolyte.stability.ml import ml_source

    # SevenNet's own source, reading its table only (compute=True would relax what it lacks)
    one = electrochemical_window("Li2S", ml_source("anchored", "sevennet", False), committee=False)
    assert one.oxidation_V == pytest.approx(w.committee["sevennet"]["oxidation_V"], abs=1e-12)
    assert w.oxidation_V == w.committee["chgnet"]["oxidation_V"]  # the answer is the default model's
