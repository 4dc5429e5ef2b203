"""``nitrolyte cell``, ``cell sweep`` and ``cell critical``."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from nitrolyte.cell import critical_value, pouch_cell
from nitrolyte.cli import app
from nitrolyte.cli.cell import parse_axis
from nitrolyte.errors import InputError

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["cell", *args])


def test_default_design_text():
    result = run()
    assert result.exit_code == 0, result.output
    assert "351.4 Wh/kg" in result.stdout and "1137.9 Wh/L" in result.stdout
    assert "cathode" in result.stdout and "22.222" in result.stdout


def test_json_names_inputs_with_units_and_outputs():
    result = run("--areal-capacity", "10", "--sse-um", "50", "--np", "2", "--al-um", "8",
                 "--cu-um", "4", "--catholyte", "LGPS", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["inputs"]["areal_capacity_mAh_cm2"] == {"value": 10.0, "unit": "mAh/cm2"}
    assert doc["inputs"]["catholyte_um"] == {"value": 50.0, "unit": "um"}
    assert doc["inputs"]["nitride_um"] == {"value": 50.0, "unit": "um"}
    assert doc["inputs"]["catholyte"]["value"] == "LGPS"
    expected = pouch_cell(areal_capacity_mAh_cm2=10, catholyte_um=50, nitride_um=50, n_p=2,
                          al_um=8, cu_um=4, catholyte="LGPS")
    assert doc["gravimetric_Wh_kg"] == pytest.approx(expected.gravimetric_Wh_kg)
    assert doc["volumetric_Wh_L"] == pytest.approx(expected.volumetric_Wh_L)
    assert doc["breakdown"]["nitride"]["mass_mg_cm2"] == pytest.approx(1.27 * 5)


def test_fast_charge_option():
    result = run("--c-rate", "4", "--nitride", "vacancy-rich β-Li3N", "--json")
    assert result.exit_code == 0, result.output
    check = json.loads(result.stdout)["fast_charge"]
    assert check["current_density_mA_cm2"] == pytest.approx(16.0)
    assert check["catholyte_drop_V"] == pytest.approx(0.016 * 20e-4 / 1.49e-3)
    text = run("--c-rate", "4", "--nitride", "vacancy-rich β-Li3N")
    assert "passes the 100 mV limit" in text.stdout


def test_critical_text_and_json():
    result = run("critical", "--target", "350", "--solve-for", "thickness",
                 "--areal-capacity", "10")
    assert result.exit_code == 0, result.output
    expected = critical_value(350, "sse_um", areal_capacity_mAh_cm2=10).value
    assert f"{expected:.4g} um (maximum)" in result.stdout
    doc = json.loads(run("critical", "--target", "350", "--solve-for", "np",
                         "--areal-capacity", "4", "--sse-um", "20", "--json").stdout)
    assert doc["solve_for"] == "n_p" and doc["value"] == pytest.approx(1.15056, rel=1e-5)
    assert doc["design"]["areal_capacity_mAh_cm2"] == {"value": 4.0, "unit": "mAh/cm2"}


def test_group_options_apply_to_subcommands():
    result = run("--areal-capacity", "10", "--cu-um", "4", "critical", "--solve-for",
                 "areal-capacity", "--sse-um", "20", "--json")
    doc = json.loads(result.stdout)
    assert doc["value"] == pytest.approx(
        critical_value(350, "areal_capacity_mAh_cm2", sse_um=20, cu_um=4).value)


def test_critical_unreachable_is_reported():
    result = run("critical", "--target", "500", "--solve-for", "thickness",
                 "--areal-capacity", "2")
    assert result.exit_code == 0
    assert "not reachable" in result.stdout and "at most" in result.stdout


def test_sweep_csv():
    result = run("sweep", "areal-capacity=1:10:4", "sse-um=10,50", "--csv")
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert len(frame) == 8
    row = frame[(frame["areal_capacity_mAh_cm2"] == 4) & (frame["sse_um"] == 50)].iloc[0]
    assert row["gravimetric_Wh_kg"] == pytest.approx(pouch_cell(
        areal_capacity_mAh_cm2=4, catholyte_um=50, nitride_um=50).gravimetric_Wh_kg)


def test_sweep_text_and_plot(tmp_path):
    out = tmp_path / "sweep.png"
    result = run("sweep", "np=0:10:11", "areal-capacity=2,4,10", "--plot", str(out))
    assert result.exit_code == 0, result.output
    assert "33 designs" in result.stdout
    assert out.stat().st_size > 1000


@pytest.mark.parametrize(("args", "message"), [
    (("--catholyte", "Li3InCl5"), "unknown material 'Li3InCl5'; did you mean: Li3InCl6"),
    (("--sse-um", "-4"), "sse_um must be >= 0 and <= 10000, got -4"),
    (("--catholyte-um", "-4"), "catholyte_um must be >= 0 and <= 10000, got -4"),
    (("--sse-um", "10", "--nitride-um", "5"), "--sse-um sets both SSE layers"),
    (("sweep", "foo=1:2:3"), "sweep: unknown parameter 'foo'"),
    (("sweep", "np=1:2"), "sweep: cannot read 'np=1:2'"),
    (("sweep", "np"), "expected PARAM=START:STOP:N"),
    (("critical", "--solve-for", "voltage"), "solve_for must be one of"),
    (("critical", "--target", "-3"), "target must be > 0 and <= 100000, got -3"),
])
def test_errors_are_one_clean_line_and_exit_code(args, message):
    """docs/cli.md: exit 1 when the command fails (unknown material, missing data), 2 for a bad
    option value."""
    result = run(*args)
    fails = message.startswith("unknown material") or "--catholyte-sigma" in message
    assert result.exit_code == (1 if fails else 2)
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


def test_parse_axis():
    name, values = parse_axis("sse-um=0:100:5")
    assert name == "sse_um" and list(values) == [0, 25, 50, 75, 100]
    assert parse_axis("np=1,2") == ("n_p", [1.0, 2.0])
    assert parse_axis("cu_um=4") == ("cu_um", 4.0)
    with pytest.raises(InputError, match="N >= 1"):
        parse_axis("np=1:2:0")
