"""Conductivity CSV files: units from the header, conversions, refusals with clear messages."""

from __future__ import annotations

import numpy as np
import pytest

from nitrolyte.errors import DataValidationError, InputError, UnitError
from nitrolyte.transport.fitting import fit_arrhenius
from nitrolyte.transport.io import read_conductivity_csv


def write(tmp_path, text, name="data.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_kelvin_and_S_cm(tmp_path):
    p = write(tmp_path, "# sample A\nT_K,sigma_S_cm,sample\n300,1e-4,A\n350,1e-3,A\n400,5e-3,A\n")
    d = read_conductivity_csv(p)
    assert d.T_K == (300.0, 350.0, 400.0)
    assert d.sigma_S_cm == (1e-4, 1e-3, 5e-3)
    assert d.sigma_err_S_cm is None
    assert d.columns == ("T_K", "sigma_S_cm")


def test_celsius_and_mS_cm_with_errors(tmp_path):
    p = write(tmp_path, "T_C,sigma_mS_cm,sigma_err_mS_cm\n25,2.14,0.1\n50,5,0.2\n75,10,0.5\n")
    d = read_conductivity_csv(p)
    np.testing.assert_allclose(d.T_K, [298.15, 323.15, 348.15])
    np.testing.assert_allclose(d.sigma_S_cm, [2.14e-3, 5e-3, 1e-2])
    np.testing.assert_allclose(d.sigma_err_S_cm, [1e-4, 2e-4, 5e-4])


def test_S_per_m(tmp_path):
    d = read_conductivity_csv(write(tmp_path, "T_K,sigma_S_m\n300,0.1\n310,0.2\n320,0.3\n"))
    np.testing.assert_allclose(d.sigma_S_cm, [1e-3, 2e-3, 3e-3])


def test_resistance_with_geometry(tmp_path):
    # sigma = L / (R A): 500 um = 0.05 cm, 78.5 mm2 = 0.785 cm2, 1 kohm -> 6.369e-5 S/cm
    p = write(tmp_path, "T_C,R_kohm,R_err_kohm,thickness_um,area_mm2\n"
                        "25,1,0.01,500,78.5\n50,0.4,0.004,500,78.5\n75,0.2,0.002,500,78.5\n")
    d = read_conductivity_csv(p)
    assert d.sigma_S_cm[0] == pytest.approx(0.05 / (1000 * 0.785))
    assert d.sigma_err_S_cm[0] == pytest.approx(0.01 * d.sigma_S_cm[0])
    fit = fit_arrhenius(d.T_K, d.sigma_S_cm, d.sigma_err_S_cm)
    assert fit.n_points == 3


@pytest.mark.parametrize(("text", "error", "match"), [
    ("T_F,sigma_S_cm\n80,1e-4\n90,2e-4\n100,3e-4\n", UnitError,
     "column 'T_F' has an unknown unit; allowed: T_K, T_C"),
    ("T_K,sigma_S\n300,1e-4\n310,2e-4\n320,3e-4\n", UnitError,
     "column 'sigma_S' has an unknown unit; allowed: sigma_S_cm, sigma_S_m, sigma_mS_cm"),
    ("T_K,R_ohm,thickness_in,area_cm2\n300,1,1,1\n310,1,1,1\n320,1,1,1\n", UnitError,
     "column 'thickness_in' has an unknown unit"),
    ("T_K,R_ohm,area_cm2\n300,1,1\n310,1,1\n320,1,1\n", UnitError, "no thickness column"),
    ("temperature,sigma_S_cm\n300,1e-4\n310,2e-4\n320,3e-4\n", UnitError, "no T column"),
    ("T_K,value\n300,1e-4\n310,2e-4\n320,3e-4\n", UnitError, "give either a conductivity column"),
    ("T_K,sigma_S_cm,R_ohm\n300,1e-4,1\n310,2e-4,1\n320,3e-4,1\n", UnitError,
     "give either a conductivity column"),
    ("T_K,T_C,sigma_S_cm\n300,27,1e-4\n310,37,2e-4\n320,47,3e-4\n", InputError,
     "give one of T_K, T_C, got T_K, T_C"),
    ("T_K,sigma_S_cm\n300,1e-4\n300,2e-4\n320,3e-4\n", InputError,
     "at least 3 distinct temperatures, got 2"),
    ("T_K,sigma_S_cm\n300,1e-4\n310,abc\n320,3e-4\n", DataValidationError,
     "row 3, column sigma_S_cm: not a number"),
    ("T_C,sigma_S_cm\n-300,1e-4\n310,2e-4\n320,3e-4\n", DataValidationError,
     "temperatures must be above 0 K"),
    ("T_K,sigma_S_cm\n300,-1e-4\n310,2e-4\n320,3e-4\n", DataValidationError,
     "conductivities must be > 0"),
])
def test_refused(tmp_path, text, error, match):
    with pytest.raises(error, match=match):
        read_conductivity_csv(write(tmp_path, text))


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="conductivity file not found"):
        read_conductivity_csv(tmp_path / "nope.csv")
