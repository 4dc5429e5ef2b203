"""Issue 22 items 5 and 7: the review's formulas answered from shipped predicted structures.

Everything here reads the shipped CIFs and the packaged ML energies of both models
(``data/ml_energies.csv``); nothing is relaxed. Targets: each shipped prediction is labelled
(method, model, trials, date) wherever its energy is used; its window has numbers and a spread
over the two models; the coverage of the database's formulas is counted (26 of 57 before this
change, docs/stability.md); LiSi2N3 never claims stability against Li on an incomplete phase set;
the sulfides' oxidation limits name the phase whose absence keeps them high.
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from typer.testing import CliRunner

from nitrolyte.cli import app
from nitrolyte.structures.library import entry_hash, library_entries, library_entry, validate_entry

RUN = CliRunner()
#: formula -> the entry shipped for it (kind predicted)
PREDICTED = {"Li9N2Cl3": "Li9N2Cl3 (predicted approximant)", "Li5SiN3": "Li5SiN3 (predicted approximant)",
             "Li2SiN2": "Li2SiN2 (predicted approximant)", "Li7PN4": "Li7PN4 (predicted approximant)",
             "LiPN2": "LiPN2 (predicted approximant)"}
MODELS = ("chgnet-0.4.2/model-0.3.0", "sevenn-0.13.0/model-7net-l3i5")


def _packaged() -> pd.DataFrame:
    from importlib import resources

    with resources.as_file(resources.files("nitrolyte.data").joinpath("ml_energies.csv")) as p:
        return pd.read_csv(p)


@pytest.mark.parametrize(("formula", "name"), PREDICTED.items())
def test_shipped_prediction_is_labelled_valid_and_packaged_for_both_models(formula, name):
    entry = library_entry(formula)  # the formula finds the shipped prediction
    assert (entry.name, entry.kind) == (name, "predicted")
    assert entry.source.startswith("predicted (type antifluorite, chgnet-0.4.2/model-0.3.0, ")
    assert " trials, 2026-12-0" in entry.source and set(entry.spec["predicted"]) == {"method", "model", "trials",
                                                                                         "date"}
    assert validate_entry(name).ok  # composition and nearest-neighbour checks
    table = _packaged()
    rows = table[table["name"] == name]
    assert set(rows["model_version"]) == set(MODELS)  # served without torch by either model
    assert set(rows["entry_hash"]) == {entry_hash(name)} and rows["ok"].all()


def test_every_shipped_cif_of_a_prediction_says_so():
    from importlib import resources

    for e in library_entries():
        if e.kind == "predicted":
            text = resources.files("nitrolyte.data").joinpath(f"structures/cif/{e.spec['cif']}").read_text("utf-8")
            assert text.startswith("# PREDICTED structure of "), e.name
            assert f"trials: {e.spec['predicted']['trials']}" in text


@pytest.mark.parametrize("formula", list(PREDICTED))
def test_window_json_gives_numbers_spreads_and_names_the_prediction(formula):
    res = RUN.invoke(app, ["window", formula, "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["own_energy"] and doc["computable"]
    assert 0 <= doc["reduction_V"] <= doc["oxidation_V"] < 10
    assert set(doc["committee"]) == {"chgnet", "sevennet"}
    if formula == "LiPN2":  # SevenNet puts the approximant above Li7PN4 + P + N2 (P3N5 missing): said so
        assert doc["oxidation_V_spread"] is None and "would decompose" in doc["committee"]["sevennet"]["why"]
    else:
        assert doc["reduction_V_spread"] is not None and doc["oxidation_V_spread"] is not None
    assert "structure predicted (type antifluorite" in doc["energy_basis"][formula]


def test_li9n2cl3_window_is_the_reviews_on_the_predicted_approximant():
    from nitrolyte.stability import electrochemical_window

    w = electrochemical_window("Li9N2Cl3")
    # review Sec. 4.3 (DFT, refs 15/16): 0-0.50 V; the approximant lies on the hull of Li-N-Cl,
    # whose other ternaries (Li11N3Cl2, Li5NCl2, Li4NCl) are shipped predictions too: complete
    assert w.own_energy and w.on_hull and w.completeness == "complete"
    assert w.reduction_V == pytest.approx(0.0, abs=1e-9) and w.oxidation_V == pytest.approx(0.50, abs=0.05)
    assert w.li_verdict == "yes" and w.stable_against_li is True


def test_coverage_counts_every_formula_and_names_what_is_missing():
    from nitrolyte.stability.coverage import coverage_counts, window_coverage

    rows = window_coverage()
    counts = coverage_counts(rows)
    assert counts["formulas"] == 57  # distinct formulas of the literature records
    # 26 before (8 with their own energy); LiPN2, Li7PN4 and the nitridophosphates on their tie
    # line have windows now
    assert counts["with_window"] >= 35 and counts["own_energy"] >= 18
    by = {r.formula: r for r in rows}
    for formula in PREDICTED:
        assert by[formula].status == "predicted structure" and by[formula].has_window
    assert by["Li3N"].status == "experimental table" and by["LiSi2N3"].status == "measured structure"
    for r in rows:
        if r.status == "missing structure":
            assert r.reason, r.formula  # one line saying why and how to get one
    assert by["Li2.9PO3.3N0.46"].status == "amorphous"
    assert "approximant Li2PO2N" in by["Li2.9PO3.3N0.46"].reason
    assert by["Li8GeN4"].status == "missing structure" and "overfill" in by["Li8GeN4"].reason


def test_lisi2n3_is_never_stable_against_li_on_an_incomplete_set():
    from nitrolyte.stability import electrochemical_window

    w = electrochemical_window("LiSi2N3")
    # before: 0-6.48 V and "stable against Li: yes" without Si3N4, Li2SiN2, Li5SiN3 and the alloys
    assert w.li_verdict != "yes" and w.stable_against_li is not True
    assert w.oxidation_V < 6.0  # Si3N4 (shipped) now takes the oxidation side
    assert "Si3N4" not in w.lacking and "Li2SiN2" not in w.lacking and "Li5SiN3" not in w.lacking


@pytest.mark.parametrize("material", ["Li3PS4", "Li10GeP2S12"])
def test_sulfide_oxidation_limit_names_the_missing_p2s5(material):
    from nitrolyte.stability import electrochemical_window

    w = electrochemical_window(material, "ml")
    # 2.93 V vs. 2.31 / 2.14 V published (ref 155): an upper bound while P2S5 is missing
    assert "P2S5" in w.lacking and w.side_completeness("oxidation") != "complete"


def test_stack_with_li9n2cl3_is_decided_on_the_predicted_energy():
    from nitrolyte.stability import check_stack

    check = check_stack("Li | Li9N2Cl3 | Li3InCl6 | NMC811", "ml")
    li_side = check.interfaces[0]
    assert (li_side.left, li_side.right, li_side.status) == ("Li", "Li9N2Cl3", "stable")
    assert "structure predicted (type antifluorite" in check.windows[0].basis
    assert not math.isnan(check.windows[0].oxidation_V)
    # Li9N2Cl3 is oxidised above 0.5 V while Li3InCl6 is reduced below 2.2 V: no common window
    assert check.interfaces[1].status == "unstable"


def test_air_table_includes_li9n2cl3_labelled_predicted():
    from nitrolyte.stability.air import air_table

    table = air_table(["Li9N2Cl3"])
    row = table.iloc[0]
    assert row["material"] == "Li9N2Cl3" and row["H2O_meV_atom"] < 0
    assert "structure predicted" in row["energy_basis"]
