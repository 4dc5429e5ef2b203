"""The report's ML section and the window validation table (from the packaged ML energies).

(a) Binaries: the anchored scheme reproduces the embedded experimental windows (Li3N 0.444 V,
LiCl 3.984 V, LiBr 3.545 V, LiI 2.801 V) to 1 mV; (b)/(c) compare with the review and refs 155/189.
"""

from __future__ import annotations

import pandas as pd
import pytest

from nitrolyte.stability.ml_validation import CASES, deviation_summary, ml_validation


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return ml_validation()


def test_every_case_for_both_schemes(table):
    assert len(table) == 2 * len(CASES)
    assert set(table["source"]) == {"ml", "ml:mp2020"}


@pytest.mark.parametrize(("material", "ox_V"), [("Li3N", 0.444), ("LiCl", 3.984), ("LiBr", 3.545),
                                                 ("LiI", 2.801)])
def test_group_a_matches_experiment_under_anchoring(table, material, ox_V):
    row = table[(table["source"] == "ml") & (table["group"] == "a") & (table["material"] == material)].iloc[0]
    assert row["ref_oxidation_V"] == pytest.approx(ox_V, abs=5e-4)
    assert row["ml_oxidation_V"] == pytest.approx(ox_V, abs=1e-3)


def test_reported_windows_are_compared_not_tuned(table):
    row = table[(table["source"] == "ml") & (table["material"] == "vacancy-rich β-Li3N")].iloc[0]
    assert (row["ref_reduction_V"], row["ref_oxidation_V"]) == (0.0, 0.48)
    assert row["d_oxidation_V"] == pytest.approx(0.444 - 0.48, abs=1e-3)
    # Li9N2Cl3 is answered by its shipped predicted approximant (review: 0-0.50 V)
    li9 = table[(table["source"] == "ml") & (table["material"] == "vacancy-rich Li9N2Cl3")].iloc[0]
    assert li9["ml_oxidation_V"] == pytest.approx(0.50, abs=0.05) and li9["ml_reduction_V"] == 0.0


def test_summary_counts_and_worst(table):
    summary = deviation_summary(table).set_index(["source", "group"])
    assert summary.loc[("ml", "a"), "worst_abs_dev_V"] < 1e-3
    assert summary.loc[("ml:mp2020", "a"), "n"] == 8
    for _, r in summary.iterrows():
        assert r["worst_abs_dev_V"] >= r["mean_abs_dev_V"]


def test_report_section_builds(tmp_path, db):
    from nitrolyte.report.build import build_report

    build_report(tmp_path, db=db, progress=False, sections=["ml"])
    html = (tmp_path / "index.html").read_text()
    assert "Structures and ML energies" in html and "OBELiX" in html
    lib = pd.read_csv(tmp_path / "data" / "ml_structure_library.csv")
    li2s = lib.set_index("name").loc["Li2S"]
    assert li2s["ok"] and li2s["e_above_hull_meV_atom"] == pytest.approx(0.0, abs=1e-6)
    stack = pd.read_csv(next(tmp_path.rglob("ml_review_stack.csv")))
    review = stack[stack["stack"] == "Li | vacancy-rich β-Li3N | Li3InCl6 | NMC811"]
    assert list(review["status"]) == ["stable", "unstable", "unknown"]  # InCl3 missing: a bound
    li9 = stack[stack["stack"] == "Li | Li9N2Cl3 | Li3InCl6 | NMC811"]
    assert list(li9["status"])[1:] == ["unstable", "unknown"]


def test_report_lists_predicted_structures(tmp_path, db):
    """A predicted structure in the user's store is a row of the report's "Predicted structures"
    table with its method, model, trials and date (issue 22: the label everywhere)."""
    from pymatgen.core import Lattice, Structure

    from nitrolyte.report.build import build_report
    from nitrolyte.structures.library import add_predicted_structure

    struct = Structure(Lattice.cubic(5.7), ["Li"] * 8 + ["S"] * 4,
                       [[x, y, z] for x in (0.25, 0.75) for y in (0.25, 0.75) for z in (0.25, 0.75)]
                       + [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
    label = {"method": "search", "model": "test-model", "trials": 60, "date": "2026-12-08"}
    add_predicted_structure("Li2S (predicted)", struct, label, db=db)
    build_report(tmp_path, db=db, progress=False, sections=["ml"])
    html = (tmp_path / "index.html").read_text()
    assert "Predicted structures (not measured)" in html
    table = pd.read_csv(tmp_path / "data" / "ml_predicted_structures.csv")
    row = table.set_index("name").loc["Li2S (predicted)"]
    assert (row["method"], row["model"], row["trials"], row["date"], row["stored"]) == (
        "search", "test-model", 60, "2026-12-08", "user store")
    assert row["source"] == "predicted (search, test-model, 60 trials, 2026-12-08)"
