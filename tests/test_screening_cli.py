"""``nitrolyte screen`` through Typer's CliRunner."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from nitrolyte.cli import app
from nitrolyte.store import Database

runner = CliRunner()


def run(db: Database, *args: str):
    result = runner.invoke(app, ["screen", *args, "--db", str(db.path)])
    return result.exit_code, result.stdout, result.stderr


def test_table(db):
    code, out, _ = run(db, "--family", "Li3N", "--top", "3")
    assert code == 0
    assert "3 of 10 row(s)" in out and "α-Li3N sinter" in out and "✓ 0.0015" in out
    assert "σ RT: sigma_S_cm >= 0.001 S/cm" in out and "Li5NCl2" not in out


def test_json_schema_and_stack(db):
    code, out, _ = run(db, "--material", "vacancy-rich β-Li3N", "--stack",
                       "Li | vacancy-rich β-Li3N | Li3InCl6 | NMC811", "--stack-um", "20,30", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["schema"] == "nitrolyte.screening/1" and doc["count"] == 2
    labels = [r["label"] for r in doc["rows"]]
    assert "Li | vacancy-rich β-Li3N (20 µm) | Li3InCl6 (30 µm) | NMC811" in labels
    vr = next(r for r in doc["rows"] if r["label"] == "Vacancy-rich β-Li3N")
    ccd = next(c for c in vr["criteria"] if c["criterion"] == "ccd")
    assert (ccd["status"], ccd["value"], ccd["threshold"]) == ("fail", 7.5, 12.0)
    assert doc["design"]["thickness_um"] == 20.0


def test_targets_and_csv(db):
    code, out, _ = run(db, "--material", "vacancy-rich β-Li3N", "--target", "ccd=5",
                       "--target", "T_transition_K>=400", "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 1
    assert rows[0]["ccd"] == "pass" and rows[0]["T_transition_K"] == "unknown"
    code, out, _ = run(db, "--only-stacks", "--stack", "Li | β-Li3N | LiF", "--target", "oxidation=3.5",
                       "--T", "25C", "--json")
    row = json.loads(out)["rows"][0]
    assert code == 0 and next(c for c in row["criteria"] if c["criterion"] == "oxidation")["status"] == "pass"


def test_design_options(db):
    code, out, _ = run(db, "--material", "Li9N2Cl3", "--density", "Li9N2Cl3=1.2", "--thickness-um", "10",
                       "--pair-with", "LGPS", "--weight", "sigma=2", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["design"]["densities_g_cm3"] == {"Li9N2Cl3": 1.2}
    crit = {c["criterion"]: c for c in doc["rows"][0]["criteria"]}
    # Li9N2Cl3 has its own energy (shipped predicted approximant) and a complete window: oxidised
    # above 0.46 V, far below the 4 V target, and it reacts with LGPS: a decided failure
    assert crit["energy_density"]["status"] == "pass" and crit["oxidation"]["status"] == "fail"
    assert crit["oxidation"]["value"] == pytest.approx(0.46, abs=0.05) and "LGPS: unstable" in crit["oxidation"]["note"]
    assert crit["sigma"]["weight"] == 2.0 and crit["fast_charge"]["threshold"] == pytest.approx(1.6e-4)


@pytest.mark.parametrize(("args", "match"), [
    (("--target", "sigma=abc"), "value must be a number, got 'abc'"),
    (("--target", "nope>1"), "not a criterion or an evidence column"),
    (("--density", "Li9N2Cl3"), "--density: cannot read 'Li9N2Cl3'"),
    (("--stack-um", "20,x", "--stack", "Li | β-Li3N"), "--stack-um: cannot read"),
    (("--json", "--csv"), "cannot be used together"),
    (("--only-stacks",), "needs at least one --stack"),
    (("--T", "warm"), "cannot read temperature"),
    (("--thickness-um", "-5"), "thickness_um must be > 0"),
])
def test_bad_option_values_exit_2(db, args, match):
    code, _, err = run(db, *args)
    assert code == 2 and err.startswith("error: ") and match in err


def test_unknown_material_exits_1(db):
    code, _, err = run(db, "--material", "Li9N2Cl")
    assert code == 1 and "did you mean" in err
