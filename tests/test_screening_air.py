"""The default energy source ("auto") in ``screen`` and the optional ``air_reaction`` criterion."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nitrolyte.errors import InputError
from nitrolyte.screening import STATUSES, ScreeningDesign, resolve_targets, screen
from nitrolyte.screening.criteria import air_reaction
from nitrolyte.screening.evidence import AIR_COLUMNS, EVIDENCE_COLUMNS
from nitrolyte.screening.targets import optional_targets
from nitrolyte.stability import thermochemistry
from nitrolyte.units import FARADAY

KJ_MOL_PER_EV = FARADAY / 1000.0


@pytest.fixture(scope="module")
def mdb(tmp_path_factory: pytest.TempPathFactory, _seeded_template: Path):
    from nitrolyte.store import Database

    path = tmp_path_factory.mktemp("screen_air") / "db.sqlite"
    shutil.copyfile(_seeded_template, path)
    with Database(path) as database:
        yield database


@pytest.fixture(scope="module")
def air_result(mdb):
    return screen(["vacancy-rich β-Li3N", "Li9N2Cl3", "Li6NBr3", "Li13N4Br"], targets=["air_reaction"], db=mdb)


def _g(formula: str) -> float:
    """Standard Gibbs energy of formation (eV per formula unit) from the embedded table."""
    table = thermochemistry().set_index("formula")
    return float(table.loc[formula, "dGf_kJ_mol"]) / KJ_MOL_PER_EV


def test_air_reaction_of_li3n_by_hand(air_result):
    # Li3N (experimental) with O2: 4 Li3N + 3 O2 -> 6 Li2O + 2 N2 over 22 atoms, the most negative
    # of the three gases; with H2O: 2 Li3N + 3 H2O -> 2 NH3 + 3 Li2O over 17 atoms
    row = next(r for r in air_result.rows if r.name == "Vacancy-rich β-Li3N")
    c = row.criterion("air_reaction")
    o2 = 1000 * (6 * _g("Li2O") - 4 * _g("Li3N")) / 22
    h2o = 1000 * (2 * _g("NH3") + 3 * _g("Li2O") - 2 * _g("Li3N") - 3 * _g("H2O")) / 17
    assert o2 == pytest.approx(-1343.8, abs=0.1) and h2o == pytest.approx(-471.5, abs=0.1)
    # Li2O2, LiOH·H2O, LiNH2 and Li2NH are missing from the source: the value is an upper bound
    # ("<"), which decides a failure
    assert (c.status, c.qualifier, c.threshold, c.unit) == ("fail", "<", 0.0, "meV/atom")
    assert c.value == pytest.approx(o2, rel=1e-6)
    assert (f"+ H2O: {h2o / 1000:.3f} eV/atom or lower: 0.4 Li3N + 0.6 H2O -> 0.4 H3N + 0.6 Li2O "
            "(missing: Li2O2, LiOH(H2O), LiNH2, Li2NH)") in c.note
    assert c.source.startswith("computed: nitrolyte.stability.air_reactions, source 'embedded+ml'")


def test_unknown_without_the_materials_own_energy(air_result):
    # no Li13N4Br structure (measured or predicted): the tie-line mixture is no bound on
    # its own energy
    row = next(r for r in air_result.rows if r.name == "Li13N4Br")
    c = row.criterion("air_reaction")
    assert c.status == "unknown" and math.isnan(c.value)
    assert "has no energy for Li13N4Br itself" in c.note and "no bound on its own" in c.note


def test_a_predicted_structure_is_judged_and_named(air_result):
    # Li9N2Cl3's energy is its shipped predicted approximant's: a value (an upper bound, phases
    # missing), and the note says where it comes from
    row = next(r for r in air_result.rows if r.name == "Li9N2Cl3")
    c = row.criterion("air_reaction")
    assert (c.status, c.qualifier) == ("fail", "<") and c.value < 0
    assert c.note.startswith("Li9N2Cl3 from a predicted structure (ML (CHGNet, anchored scheme; structure "
                             "predicted (type antifluorite")


def test_an_ml_phase_is_judged_under_its_own_formula(air_result):
    # Li6NBr3 has an ML energy (pymatgen names the entry Li6Br3N): judged, not "no energy"
    from nitrolyte.stability.air import air_reactions

    row = next(r for r in air_result.rows if r.name == "Li6NBr3")
    c = row.criterion("air_reaction")
    reactions = air_reactions("Li6NBr3")
    assert all(r.own_energy for r in reactions) and c.status == "fail"
    assert c.value == pytest.approx(min(r.energy_meV_atom for r in reactions), rel=1e-12)
    assert c.value == pytest.approx(-634, abs=1)


def test_threshold_override_and_not_asked_for(mdb):
    res = screen(["vacancy-rich β-Li3N"], targets=["air_reaction>=-1000"], db=mdb)
    c = res.rows[0].criterion("air_reaction")
    assert (c.status, c.threshold, c.comparator) == ("fail", -1000.0, ">=")
    # -1344 meV/atom with phases missing is an upper bound: it cannot show ">= -1500"
    c = screen(["vacancy-rich β-Li3N"], targets=["air_reaction>=-1500"], db=mdb).rows[0].criterion("air_reaction")
    assert (c.status, c.qualifier, c.threshold) == ("unknown", "<", -1500.0)
    assert "air_reaction" not in {t.id for t in screen(["vacancy-rich β-Li3N"], db=mdb).targets}
    with pytest.raises(InputError, match="add an optional one with a target first"):
        screen(["vacancy-rich β-Li3N"], weights={"air_reaction": 2}, db=mdb)


def test_the_default_source_decides_what_the_table_could_not(mdb):
    # with the experimental table only, β-Li3N | Li3InCl6 is unknown; the default ("auto") has
    # Li3InCl6 from the anchored ML energies: no common window, so the pairing is unstable
    assert ScreeningDesign().source == "auto"
    stack = "Li | vacancy-rich β-Li3N | Li3InCl6 | NMC811"
    auto = screen([], stack=stack, db=mdb).rows[0].criterion("oxidation")
    table = screen([], stack=stack, source="embedded", db=mdb).rows[0].criterion("oxidation")
    assert (auto.status, table.status) == ("fail", "unknown")
    assert "Li3InCl6: ML (CHGNet, anchored scheme)" in auto.note
    assert auto.note.count("unstable") >= 1


def test_evidence_columns_are_custom_targets(mdb):
    assert set(AIR_COLUMNS) <= set(EVIDENCE_COLUMNS)
    res = screen(["vacancy-rich β-Li3N"], targets=["H2O_meV_atom>=-500"], db=mdb)
    c = res.rows[0].criterion("H2O_meV_atom")
    assert c.status == "pass" and c.value == pytest.approx(-471.5, abs=0.1)


def test_cli_shows_the_criterion(db):
    from nitrolyte.cli import app

    res = CliRunner().invoke(app, ["screen", "--material", "vacancy-rich β-Li3N", "--target", "air_reaction",
                                   "--db", str(db.path)])
    assert res.exit_code == 0, res.output
    assert "air ΔE" in res.stdout and "air_reaction_meV_atom >= 0 meV/atom" in res.stdout


@settings(max_examples=60, deadline=None)
@given(value=st.floats(allow_nan=True, allow_infinity=False, width=32), complete=st.booleans(),
       threshold=st.floats(-3000, 100))
def test_air_reaction_rule_fuzz(value, complete, threshold):
    (base,) = optional_targets()
    t = resolve_targets([f"air_reaction>={threshold!r}"], EVIDENCE_COLUMNS)[-1]
    assert t.id == base.id and t.value == threshold
    r = air_reaction(t, {"air_reaction_meV_atom": value, "air_complete": complete}, ScreeningDesign())
    assert r.status in STATUSES
    if math.isnan(value):
        assert r.status == "unknown"
    elif not complete:  # a gas not computed may react more: only a failure is decided
        assert r.status == ("fail" if value <= threshold else "unknown") and r.qualifier == "<"
    else:
        assert r.status == ("pass" if value >= threshold else "fail")
