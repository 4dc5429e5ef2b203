"""Air and moisture reactions, and the "auto" source (experimental + anchored ML).

Closed form (embedded NBS 1982 Gibbs energies, kJ/mol): Li2O + CO2 -> Li2CO3,
dG = -1132.06 - (-561.18) - (-394.359) = -176.52 kJ/mol, per atom of the 1:1 mixture (Li2O 3 atoms
+ CO2 3 atoms): -176.52 / 96.485 / 6 eV = -304.9 meV/atom.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nitrolyte.cli import app
from nitrolyte.stability import electrochemical_window, resolve_source
from nitrolyte.stability.air import air_reactions, air_table, review_observations
from nitrolyte.units import FARADAY

RUN = CliRunner()


def test_carbonation_of_li2o_closed_form():
    dg_kj = -1132.06 - (-561.18) - (-394.359)
    expected_meV_atom = 1000 * dg_kj / (FARADAY / 1000) / 6  # Li2O (3 atoms) + CO2 (3 atoms)
    co2 = {r.gas: r for r in air_reactions("Li2O", "embedded")}["CO2"]
    assert co2.energy_meV_atom == pytest.approx(expected_meV_atom, rel=1e-6)
    assert co2.products == ("Li2CO3",)


def test_li3n_hydrolyses_to_ammonia():
    h2o = air_reactions("vacancy-rich β-Li3N")[0]
    assert h2o.gas == "H2O" and h2o.energy_meV_atom < -300
    assert "NH3" in h2o.reaction.replace("H3N", "NH3") and h2o.source == "embedded+ml"


def test_auto_source_is_experimental_where_the_table_has_a_value():
    """Li3N and LiCl from the table (0.444 V, 3.984 V); Li2S, Li3InCl6 from the ML energies."""
    assert electrochemical_window("Li3N", "auto").oxidation_V == pytest.approx(0.444, abs=5e-4)
    src = resolve_source("auto")
    kinds = {e.composition.reduced_formula: e.attribute["kind"]
             for e in src.entries(frozenset({"Li", "In", "Cl", "S"})) if isinstance(e.attribute, dict)}
    assert kinds["LiCl"] == "experimental" and kinds["Li3InCl6"] == "ml" and kinds["Li2S"] == "ml"
    w = electrochemical_window("Li2S", "auto")
    assert w.computable and w.reduction_V == 0.0


def test_air_table_ranks_and_shows_the_review():
    table = air_table(["Li3N", "LiCl", "Li2O"])
    assert list(table["material"]) == ["Li3N", "Li2O", "LiCl"]
    assert table.loc[0, "review_observation"].startswith("vacancy_rich_beta_li3n")
    assert "Li3N" in review_observations()


def test_air_cli():
    res = RUN.invoke(app, ["air", "Li3N"])
    assert res.exit_code == 0 and "+ H2O:" in res.output and "+ CO2:" in res.output
    res = RUN.invoke(app, ["air", "Li3N", "--source", "nope"])
    assert res.exit_code == 2 and res.output.startswith("error: source must be")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=20))
def test_fuzz_air_cli(text):
    res = RUN.invoke(app, ["air", text, "--source", "embedded"])
    assert res.exit_code in (0, 1, 2)
    assert res.exception is None or isinstance(res.exception, SystemExit)
