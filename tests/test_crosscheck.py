"""Cross-checking other conductivity data against the curated review values."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from nitrolyte.crosscheck import compare_conductivities, reduced_formula
from nitrolyte.errors import InputError
from nitrolyte.store import Database

OBELIX = Path(__file__).resolve().parents[2] / "shared" / "external" / "obelix" / "all.csv"


def test_reduced_formula() -> None:
    assert reduced_formula("Li6NBr3") == reduced_formula("Li6Br3N") == "Li6Br3N"
    assert reduced_formula("Li2Si2N4") == "LiSiN2"
    assert reduced_formula("Li3N)(") is None and reduced_formula("") is None


def test_exact_match_agrees_and_decade_off_disagrees() -> None:
    other = pd.DataFrame({"name": ["lab A", "lab B", "lab C"],
                          "formula": ["Li3AlN2", "Li3AlN2", "Li9S3N"],
                          "sigma_S_cm": [5.0e-8, 5.0e-7, 1e-5],
                          "sigma_qualifier": ["", "", "<"]})
    out = compare_conductivities(other)
    assert list(out["verdict"]) == ["agrees", "disagrees", "consistent"]
    # Table 4: Li3AlN2 5.0e-8 S/cm (ref 102); a tenfold value is exactly one decade off
    assert out.loc[1, "log10_ratio"] == pytest.approx(1.0)
    assert out.loc[0, "ref"] == 102
    # Table 3: Li9S3N 8.3e-7; "<1e-5" is an upper bound above it, so consistent
    assert out.loc[2, "sigma_S_cm"] == pytest.approx(8.3e-7)


def test_polymorphs_pick_the_closest_and_count_candidates() -> None:
    out = compare_conductivities(pd.DataFrame({"formula": ["Li3BN2"], "sigma_S_cm": [1.1e-9]}))
    # Table 4 has α-, β-Li3BN2 and Li3BN2 glass: β (1.0e-9) is closest
    assert out.loc[0, "name"] == "β-Li3BN2" and out.loc[0, "n_candidates"] == 3


def test_unknown_formulas_are_skipped_and_tolerance_checked() -> None:
    other = pd.DataFrame({"formula": ["NaCl", "nonsense((", None], "sigma_S_cm": [1e-3] * 3})
    assert compare_conductivities(other).empty
    with pytest.raises(InputError, match="tolerance_decades must be > 0, got -1"):
        compare_conductivities(other, tolerance_decades=-1)


@pytest.mark.skipif(not OBELIX.is_file(), reason="OBELiX data not available")
def test_obelix_against_the_review(db: Database) -> None:
    db.import_file(OBELIX, format="obelix")
    out = compare_conductivities(db.materials_frame(source="user"), db.materials_frame("literature"))
    li3aln2 = out[out["formula"] == "Li3AlN2"].iloc[0]
    assert li3aln2["verdict"] == "agrees" and li3aln2["log10_ratio"] == pytest.approx(0.0)
    # OBELiX's LiSi2N3 (6.17e-8) is ~2.2 decades above Table 4's back-calculated 3.5e-10
    lisi2n3 = out[out["formula"] == "LiSi2N3"].iloc[0]
    assert lisi2n3["verdict"] == "disagrees" and lisi2n3["log10_ratio"] == pytest.approx(2.246, abs=0.01)


def test_cli_compare(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from nitrolyte.cli import app

    url = f"sqlite:///{tmp_path / 'lab.sqlite'}"
    runner = CliRunner()
    added = runner.invoke(app, ["add", "--name", "my Li3AlN2", "--formula", "Li3AlN2", "--value",
                                "4e-8", "--unit", "S/cm", "--T", "25C", "--db", url])
    assert added.exit_code == 0, added.output
    out = runner.invoke(app, ["compare", "--json", "--db", url])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["schema"] == "nitrolyte.compare/1" and doc["count"] == 1
    match = doc["matches"][0]
    assert match["name"] == "Li3AlN2" and match["verdict"] == "agrees"
    assert match["log10_ratio"] == pytest.approx(-0.0969, abs=1e-3)  # log10(4/5)
    bad = runner.invoke(app, ["compare", "--tolerance", "0", "--db", url])
    assert bad.exit_code == 2 and "tolerance_decades must be > 0, got 0" in bad.stderr
