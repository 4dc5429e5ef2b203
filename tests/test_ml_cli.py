"""``--source ml`` from the command line, and ``nitrolyte structure``.

Uses the packaged ML-energy table (precomputed with CHGNet; no relaxation here). Targets: the
anchored scheme reproduces the embedded experimental windows of the binaries exactly (LiCl
3.984 V, Li3N 0.444 V); the other numbers are checked for what physics fixes (limits ordered,
Li2S stable against Li, Li3N oxidised to N2, the nitride|chloride contact reactive).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nitrolyte.cli import app

RUN = CliRunner()


def run(*args: str):
    return RUN.invoke(app, list(args))


@pytest.mark.parametrize("material", ["Li2S", "Li6PS5Cl", "Li3PS4", "LiCl", "Li3N"])
def test_window_ml_returns_numbers(material):
    res = run("window", material, "--source", "ml", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["source"] == "ml" and doc["own_energy"]
    assert 0 <= doc["reduction_V"] <= doc["oxidation_V"]


@pytest.mark.parametrize(("material", "ox_V", "product"), [("LiCl", 3.984, "Cl2"), ("Li3N", 0.444, "N2")])
def test_anchored_binaries(material, ox_V, product):
    doc = json.loads(run("window", material, "--source", "ml", "--json").output)
    assert doc["oxidation_V"] == pytest.approx(ox_V, abs=5e-4)
    assert doc["oxidation_products"] == [product]
    assert doc["stable_against_li"] is True


def test_li2s_is_stable_against_li_and_oxidises_to_sulfur():
    doc = json.loads(run("window", "Li2S", "--source", "ml", "--json").output)
    assert doc["reduction_V"] == 0 and doc["oxidation_products"] == ["S"]


def test_interface_vacancy_rich_li3n_li3incl6():
    res = run("interface", "vacancy-rich β-Li3N", "Li3InCl6", "--source", "ml", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["computable"] and doc["reactive"] is True
    assert doc["min_energy_eV_atom"] < 0
    assert "LiCl" in doc["products"]


def test_review_stack_decided():
    res = run("stack", "Li | vacancy-rich β-Li3N | Li3InCl6 | NMC811", "--source", "ml", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    # InCl3's structure is flagged (left out): Li3InCl6's 5.81 V is an upper bound, NMC811 not decided
    assert [i["status"] for i in doc["interfaces"]] == ["stable", "unstable", "unknown"]
    assert doc["summary"] == ("Unstable: vacancy-rich β-Li3N | Li3InCl6. "
                              "Not decided: Li3InCl6 | NMC811.")
    middle = doc["interfaces"][1]
    assert middle["reaction"] and middle["reaction_energy_eV_atom"] < 0 and "LiCl" in middle["products"]
    text = run("stack", "Li | vacancy-rich β-Li3N | Li3InCl6 | NMC811", "--source", "ml").output
    assert "meV/atom" in text


def test_no_structure_is_one_line_exit_1():
    res = run("window", "Li5P2N5", "--source", "ml")
    assert res.exit_code == 1
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: no structure for Li5P2N5")
    assert "--cif FILE" in lines[0]


def test_flagged_structure_says_why():
    res = run("window", "Li3YBr6", "--source", "ml")
    assert res.exit_code == 1 and "failed validation" in res.output and "relaxation" in res.output


def test_structure_command_list_show_and_bad_cif(tmp_path):
    res = run("structure", "--json")
    assert res.exit_code == 0
    names = {r["name"] for r in json.loads(res.output)}
    assert {"Li3InCl6", "β-Li3N", "Li2S"} <= names
    res = run("structure", "β-Li3N")
    assert res.exit_code == 0 and "neighbours: ok" in res.output and "OBELiX" in res.output
    bad = tmp_path / "bad.cif"
    bad.write_text("not a cif at all")
    res = run("structure", "mine", "--cif", str(bad), "--db", str(tmp_path / "db.sqlite"))
    assert res.exit_code == 2 and res.output.startswith("error: cif: bad.cif")


def test_structure_cif_added_then_judged(tmp_path):
    from nitrolyte.structures.library import library_structure

    path = tmp_path / "li2o.cif"
    library_structure("Li2O").to(filename=str(path))
    db = str(tmp_path / "db.sqlite")
    res = run("structure", "my Li2O", "--cif", str(path), "--db", db)
    assert res.exit_code == 0 and "added my Li2O (Li2O, Z = 4)" in res.output


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=30))
def test_fuzz_structure_name(name):
    res = run("structure", name)
    assert res.exit_code in (0, 1, 2)
    assert res.exception is None or isinstance(res.exception, SystemExit)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=20), st.sampled_from(["Li3InCl6", "Li9N2Cl3", "LiPON", "Li2S2", "Xx2"])))
def test_fuzz_window_ml(material):
    # "--" ends the options: a name starting with "-" ("-0") is the material, not an unknown option
    # (which is click's usage error, exit 2, with its usage lines)
    res = run("window", "--source", "ml", "--", material)
    assert res.exit_code in (0, 1, 2)
    assert res.exception is None or isinstance(res.exception, SystemExit)
    if res.exit_code:
        assert len([ln for ln in res.output.splitlines() if ln.strip()]) == 1
