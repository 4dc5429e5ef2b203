"""``nitrolyte sigma | fit | eis | layer``: values, JSON schemas, one-line errors with exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from nitrolyte.cli import app
from nitrolyte.errors import InputError, UnitError
from nitrolyte.units import parse_quantity

EIS = Path(__file__).parent / "data" / "eis"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_sigma_json_at_record_and_other_temperatures():
    r = run("sigma", "vacancy-rich beta-Li3N", "--T", "25C", "--T", "333.15K", "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["material"] == "Vacancy-rich β-Li3N" and doc["ref"] == "15"
    assert doc["anchor"] == {"sigma_S_cm": 2.14e-3, "T_K": 298.15, "Ea_eV": 0.371,
                             "Ea_HT_eV": None, "T_transition_K": None}
    assert doc["results"][0]["sigma_S_cm"] == pytest.approx(2.14e-3, rel=1e-9)
    assert doc["results"][1]["T_C"] == pytest.approx(60.0)
    assert doc["results"][1]["sigma_S_cm"] > 2.14e-3


def test_sigma_direction_and_average():
    r = run("sigma", "alpha-Li3N single crystal", "--T", "300K", "--direction", "par_c", "--json")
    assert json.loads(r.stdout)["results"][0]["sigma_S_cm"] == pytest.approx(1.0e-5)
    r = run("sigma", "alpha-Li3N single crystal", "--T", "300K", "--average", "arithmetic", "--json")
    assert json.loads(r.stdout)["results"][0]["sigma_S_cm"] == pytest.approx((2.4e-3 + 1e-5) / 3)
    r = run("sigma", "Li13N4Br", "--T", "600K")
    assert r.exit_code == 0 and "0.470" in r.stdout  # HT branch above ~230 C


@pytest.mark.parametrize(("args", "message"), [
    (("sigma", "alpha-Li3N single crystal", "--T", "300K"), "is anisotropic: pass direction="),
    (("sigma", "beta-Li3N", "--T", "300F"), "--T: cannot read '300F'; write a number with a unit"),
    (("sigma", "Li13N4", "--T", "300K"), "unknown material 'Li13N4'; did you mean: Li13N4Br"),
    (("sigma", "beta-Li3N", "--T", "-300C"), "--T must be above 0 K"),
    (("layer", "--thickness-um", "100", "--areal-capacity", "3", "--c-rate", "4"),
     "exactly one of sigma_S_cm or material"),
    (("layer", "--sigma", "1e-3", "--T", "25C", "--thickness-um", "100", "--areal-capacity", "3",
      "--c-rate", "4"), "--T needs --material"),
    (("eis", str(EIS), "--thickness", "1", "--area", "1cm2"), "--thickness: cannot read '1'"),
    (("eis", str(EIS), "--thickness", "1mm", "--area", "1cm2", "--T", "300K"),
     "--T given 1 times for 5 spectra"),
])
def test_errors_are_one_line_with_exit_code(args, message):
    """docs/cli.md: exit 1 when the command fails (unknown material), 2 for a bad option value."""
    r = run(*args)
    assert r.exit_code == (1 if message.startswith("unknown material") else 2)
    err = r.stderr.strip()
    assert err.startswith("error: ") and "\n" not in err
    assert message in err


def test_fit_json_and_plot(tmp_path):
    T = np.array([300.0, 325.0, 350.0, 375.0, 400.0])
    sigma = 2.1e-4 * 300.15 / T * np.exp(-0.35 / 8.617333262e-5 * (1 / T - 1 / 300.15))
    csv = tmp_path / "m.csv"
    csv.write_text("T_K,sigma_mS_cm\n" + "\n".join(f"{t},{s * 1e3}" for t, s in zip(T, sigma,
                                                                                 strict=True)))
    png = tmp_path / "fit.png"
    r = run("fit", str(csv), "--json", "--plot", str(png))
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["fit"]["Ea_eV"] == pytest.approx(0.35, rel=1e-9)
    assert doc["fit"]["prefactor_unit"] == "S K/cm"
    assert doc["sigma_25C"]["sigma_S_cm"][0] == pytest.approx(
        2.1e-4 * 300.15 / 298.15 * np.exp(-0.35 / 8.617333262e-5 * (1 / 298.15 - 1 / 300.15)))
    assert png.stat().st_size > 1000
    text = run("fit", str(csv))
    assert "Ea (eV)" in text.stdout and "0.3500" in text.stdout


def test_fit_refuses_wrong_units(tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("T_F,sigma_S_cm\n80,1\n90,2\n100,3\n")
    r = run("fit", str(csv))
    assert r.exit_code == 2 and "column 'T_F' has an unknown unit" in r.stderr


def test_eis_folder_to_arrhenius_json():
    r = run("eis", str(EIS), "--thickness", "1mm", "--area", "78.5mm2", "--which", "bulk", "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert len(doc["impedance_fits"]) == 5
    assert doc["thickness_cm"] == pytest.approx(0.1) and doc["area_cm2"] == pytest.approx(0.785)
    assert doc["arrhenius"]["Ea_eV"] == pytest.approx(0.52, abs=0.003)
    assert doc["arrhenius"]["sigma_RT_S_cm"] == pytest.approx(8.3e-7, rel=0.01)


def test_eis_single_spectrum_table():
    r = run("eis", str(EIS / "pellet_25C.csv"), "--thickness", "1000um", "--area", "0.785cm2")
    assert r.exit_code == 0, r.output
    assert "298.15" in r.stdout and "Arrhenius" not in r.stdout


def test_layer_review_4C():
    r = run("layer", "--sigma", "1e-3", "--thickness-um", "100", "--areal-capacity", "3",
            "--c-rate", "4", "--max-drop", "0.12", "--json")
    doc = json.loads(r.stdout)
    assert doc["current_density_mA_cm2"] == pytest.approx(12.0)
    assert doc["asr_ohm_cm2"] == pytest.approx(10.0)
    assert doc["drop_V"] == pytest.approx(0.12)
    assert doc["required_sigma_S_cm"] == pytest.approx(1e-3)
    cold = run("layer", "--material", "beta-Li3N", "--T", "-20C", "--thickness-um", "100",
               "--areal-capacity", "3", "--c-rate", "4")
    assert cold.exit_code == 0 and "fails" in cold.stdout


def test_quantity_parsers():
    assert parse_quantity("25C", "temperature", "--T") == pytest.approx(298.15)
    assert parse_quantity("300 K", "temperature", "--T") == 300.0
    assert parse_quantity("500um", "length", "--thickness") == pytest.approx(0.05)
    assert parse_quantity("78.5mm2", "area", "--area") == pytest.approx(0.785)
    with pytest.raises(UnitError, match=r"--area: cannot read '1in2'"):
        parse_quantity("1in2", "area", "--area")
    with pytest.raises(InputError, match="--thickness must be > 0, got 0mm"):
        parse_quantity("0mm", "length", "--thickness")
