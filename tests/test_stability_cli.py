"""``nitrolyte window | interface | stack | profile``."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from nitrolyte.cli import stability as cli_stability


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    a = typer.Typer()
    cli_stability.register(a)
    return a


def run(app: typer.Typer, *args: str):
    return CliRunner().invoke(app, list(args))


def test_window_text_and_json(app):
    res = run(app, "window", "beta-Li3N")
    assert res.exit_code == 0, res.output
    assert "computed window: 0.000 - 0.444 V" in res.output
    assert "reported intrinsic (DFT, ref 15;16): 0.000 - 0.480 V" in res.output
    doc = json.loads(run(app, "window", "Li9N2Cl3", "--source", "embedded", "--json").output)  # tie line
    assert doc["oxidation_V"] == pytest.approx(0.44442, rel=5e-5)
    assert doc["equilibrium_phases"] == ["Li3N", "LiCl"]
    assert {r["window"] for r in doc["reported"]} == {"intrinsic", "extended"}


def test_window_li2s_without_flags_names_the_basis_of_each_phase(app):
    res = run(app, "window", "Li2S")
    assert res.exit_code == 0, res.output
    # 2.465 V since crystalline α-S (AFLOW) is the S reference, 3.6 meV/atom below the S8 ring (2.467 V)
    assert "source embedded+ml" in res.output and "computed window: 0.000 - 2.465 V" in res.output
    assert "energy of Li2S: ML (CHGNet, anchored scheme)" in res.output
    res = run(app, "window", "Li2S", "--source", "embedded")
    assert "not computable" in res.output
    res = run(app, "window", "Li2S", "--source", "nope")
    assert res.exit_code != 0 and "'auto'" in res.output and "'ml:mp2020'" in res.output


def test_window_lipon(app):
    res = run(app, "window", "LiPON")
    assert "not computable" in res.output and "Li3P, Li3N, Li2O" in res.output
    assert json.loads(run(app, "window", "LiPON", "--json").output)["reduction_V"] is None


def test_interface_and_stack(app):
    res = run(app, "interface", "Li3N", "I")
    assert res.exit_code == 0 and "reactive" in res.output and "LiI" in res.output
    doc = json.loads(run(app, "interface", "Li", "beta-Li3N", "--json").output)
    assert doc["reactive"] is False and doc["kinks"][0]["energy_eV_atom"] == 0.0
    res = run(app, "stack", "Li | beta-Li3N | LGPS | NMC811")
    assert "[unstable] beta-Li3N | LGPS" in res.output
    doc = json.loads(run(app, "stack", "Li", "beta-Li3N", "Li3InCl6", "NMC811", "--cathode-V", "4.3",
                         "--source", "embedded", "--json").output)
    assert [i["status"] for i in doc["interfaces"]] == ["stable", "unknown", "unknown"]


def test_profile(app):
    res = run(app, "profile", "Li9N2Cl3")
    assert res.exit_code == 0 and "LiCl + N2" in res.output
    rows = json.loads(run(app, "profile", "Li3N", "--json").output)
    assert rows[1]["V_high"] is None and rows[1]["li_per_fu"] == pytest.approx(-3.0)


@pytest.mark.parametrize("args, message, code", [
    (("window", "Lithium unobtainium"), "error: unknown material 'Lithium unobtainium'", 1),
    (("window", "Li3N", "--source", "nope"), "error: source must be 'embedded', 'mp'", 2),
    (("stack", "Li"), "error: stack needs at least two layers", 2),
    (("profile", "LiPON"), "error: voltage_profile('LiPON'): not computable", 1),
])
def test_errors_are_one_line(app, args, message, code):
    res = run(app, *args)
    assert res.exit_code == code
    assert message in res.output
    assert "Traceback" not in res.output


def test_window_of_a_name_only_in_the_given_database(app, sqlite_db, tmp_path):
    """``window NAME --db X`` for a user material of X: the published windows of its formula are
    found through X too (issue 24: they were looked up in the default database, an error)."""
    sqlite_db.add_measurement(material="Lab nitride X9", formula="Li3N", family="Li3N",
                              property="ionic_conductivity", value=3e-4, unit="S/cm",
                              temperature=25, temperature_unit="C")
    res = run(app, "window", "Lab nitride X9", "--db", str(tmp_path / "nitrolyte.sqlite"), "--json")
    assert res.exit_code == 0, res.output
    doc, li3n = json.loads(res.output), json.loads(run(app, "window", "Li3N", "--json").output)
    assert (doc["material"], doc["formula"]) == ("Lab nitride X9", "Li3N")
    assert doc["reported"] == li3n["reported"] != []
    assert doc["oxidation_V"] == li3n["oxidation_V"]
