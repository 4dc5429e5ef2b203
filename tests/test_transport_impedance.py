"""Impedance fits (impedance.py) recover the resistances of simulated spectra; spectra to Arrhenius."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from nitrolyte.errors import InputError, UnitError
from nitrolyte.transport.eis_series import arrhenius_from_spectra
from nitrolyte.transport.impedance import fit_impedance
from nitrolyte.transport.io import Spectrum, read_spectrum, temperature_from_filename

EIS = Path(__file__).parent / "data" / "eis"
FREQ = np.logspace(7, -1, 60)


def simulate(R_b, Q_b, n_b, Q_el, n_el, R_gb=None, Q_gb=None, n_gb=None, R0=0.0, noise=0.005,
             seed=0):
    """Closed-form R|CPE (+ R|CPE) + CPE spectrum with relative Gaussian noise."""
    jw = 1j * 2 * np.pi * FREQ
    Z = R0 + R_b / (1 + R_b * Q_b * jw**n_b) + 1 / (Q_el * jw**n_el)
    if R_gb is not None:
        Z = Z + R_gb / (1 + R_gb * Q_gb * jw**n_gb)
    rng = np.random.default_rng(seed)
    return Z + noise * np.abs(Z) * (rng.standard_normal(Z.size) + 1j * rng.standard_normal(Z.size))


@pytest.mark.parametrize("seed", range(4))
def test_bulk_circuit_recovers_R_within_one_percent(seed):
    Z = simulate(1000.0, 1e-10, 0.92, 1e-6, 0.8, seed=seed)
    fit = fit_impedance(FREQ, Z, thickness_cm=0.05, area_cm2=1.0, circuit="bulk")
    assert fit.R_bulk_ohm == pytest.approx(1000.0, rel=0.01)
    assert abs(fit.R_bulk_ohm - 1000.0) < 4 * fit.R_bulk_stderr_ohm
    assert fit.sigma_bulk_S_cm == pytest.approx(0.05 / (fit.R_bulk_ohm * 1.0), rel=1e-12)
    assert fit.sigma_total_S_cm == fit.sigma_bulk_S_cm
    assert fit.rel_rmse < 0.02
    assert fit.parameters[2] == pytest.approx(0.92, abs=0.01)


def test_noise_free_spectrum_is_recovered_exactly():
    Z = simulate(2.5e5, 2e-11, 0.9, 1e-6, 0.8, noise=0.0)
    fit = fit_impedance(FREQ, Z, thickness_cm=0.1, area_cm2=0.785, circuit="bulk")
    np.testing.assert_allclose(fit.parameters, [2.5e5, 2e-11, 0.9, 1e-6, 0.8], rtol=1e-4)
    np.testing.assert_allclose(fit.predict(FREQ), Z, rtol=1e-5)


def test_grain_boundary_circuit_total_and_bulk():
    Z = simulate(1000.0, 1e-11, 0.95, 1e-6, 0.8, R_gb=3000.0, Q_gb=5e-9, n_gb=0.85, seed=1)
    fit = fit_impedance(FREQ, Z, thickness_cm=0.1, area_cm2=0.5, circuit="bulk_gb")
    assert fit.R_total_ohm == pytest.approx(4000.0, rel=0.01)
    assert fit.R_bulk_ohm == pytest.approx(1000.0, rel=0.02)
    assert fit.R_gb_ohm == pytest.approx(3000.0, rel=0.01)
    assert abs(fit.R_bulk_ohm - 1000.0) < 4 * fit.R_bulk_stderr_ohm
    # the bulk arc is the one of smaller capacitance (pF vs nF)
    assert fit.C_bulk_F < 1e-10 < fit.C_gb_F
    assert fit.sigma_total_S_cm == pytest.approx(0.1 / (fit.R_total_ohm * 0.5))


def test_series_bulk_with_grain_boundary_arc():
    Z = simulate(300.0, 1e-8, 0.85, 2e-6, 0.75, R0=50.0, seed=2)
    fit = fit_impedance(FREQ, Z, thickness_cm=0.1, area_cm2=1.0, circuit="series_gb")
    assert fit.R_bulk_ohm == pytest.approx(50.0, rel=0.02)
    assert fit.R_gb_ohm == pytest.approx(300.0, rel=0.02)
    assert fit.to_frame()["parameter"].tolist() == ["R0", "R1", "CPE1_0", "CPE1_1", "CPE2_0",
                                                    "CPE2_1"]


def test_folder_of_spectra_to_arrhenius():
    """tests/data/eis: Li9S3N-like pellet (8.3e-7 S/cm at 25 C, 0.52 eV), 25-100 C, 0.5 % noise."""
    res = arrhenius_from_spectra(EIS, thickness_cm=0.1, area_cm2=0.785, which="bulk")
    assert [round(f.T_K, 2) for f in res.impedance_fits] == [298.15, 313.15, 333.15, 353.15, 373.15]
    arr = res.arrhenius
    assert abs(arr.Ea_eV - 0.52) < 3 * arr.Ea_stderr_eV
    assert arr.Ea_eV == pytest.approx(0.52, abs=0.003)
    assert arr.sigma_RT_S_cm == pytest.approx(8.3e-7, rel=0.01)
    assert res.to_frame().shape == (5, 14)  # + stderrs, reliable, problems (issue 21)
    assert res.to_dict()["arrhenius"]["n_points"] == 5


def test_explicit_temperatures_and_count_mismatch():
    files = sorted(EIS.glob("*.csv"))
    with pytest.raises(InputError, match=r"one value per spectrum \(5\), got 2"):
        arrhenius_from_spectra(files, [300.0, 310.0], thickness_cm=0.1, area_cm2=0.785)


def test_spectrum_without_temperature_refused(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text((EIS / "pellet_25C.csv").read_text())
    s = read_spectrum(p)
    assert s.T_K is None
    with pytest.raises(InputError, match=r"no temperature for spectra .*a\.csv"):
        arrhenius_from_spectra([p, p, p], thickness_cm=0.1, area_cm2=0.785)


def test_read_spectrum_columns(tmp_path):
    s = read_spectrum(EIS / "pellet_25C.csv")
    assert abs(s.T_K - 298.15) < 1e-9
    assert s.freq_Hz[0] == pytest.approx(1e7) and s.Z_ohm.imag[0] < 0
    minus = tmp_path / "x_300K.csv"
    minus.write_text("freq_Hz,Z_real_ohm,minus_Z_imag_ohm\n" + "\n".join(
        f"{f},{10 + i},{5 + i}" for i, f in enumerate([1e5, 1e4, 1e3, 1e2, 10])))
    m = read_spectrum(minus)
    assert m.T_K == 300.0 and m.Z_ohm[0] == complex(10, -5)
    bare = tmp_path / "bare.csv"
    bare.write_text("\n".join(f"{f},{10 + i},{-5 - i}" for i, f in enumerate([1e5, 1e4, 1e3, 1e2, 10])))
    assert read_spectrum(bare).Z_ohm[1] == complex(11, -6)


def test_read_spectrum_errors(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("f_kHz,Z_real_ohm,Z_imag_ohm\n1,2,3\n")
    with pytest.raises(UnitError, match="expected columns freq_Hz, Z_real_ohm"):
        read_spectrum(bad)
    with pytest.raises(InputError, match="spectrum file not found"):
        read_spectrum(tmp_path / "none.csv")
    with pytest.raises(InputError, match="at least 5 frequencies, got 2"):
        Spectrum([1.0, 2.0], [1 + 1j, 2 + 2j])
    with pytest.raises(InputError, match="freq_Hz must be finite and > 0"):
        Spectrum([1.0, 2.0, -3.0, 4.0, 5.0], np.ones(5))


def test_fit_impedance_input_errors():
    Z = simulate(1000.0, 1e-10, 0.92, 1e-6, 0.8)
    with pytest.raises(InputError, match="thickness_cm must be > 0 and <= 10000, got 0"):
        fit_impedance(FREQ, Z, thickness_cm=0.0, area_cm2=1.0)
    with pytest.raises(InputError, match=r"circuit must be one of bulk, .*series_gb; got 'RC'"):
        fit_impedance(FREQ, Z, thickness_cm=0.1, area_cm2=1.0, circuit="RC")
    with pytest.raises(InputError, match="guess must have 5 values"):
        fit_impedance(FREQ, Z, thickness_cm=0.1, area_cm2=1.0, circuit="bulk", guess=[1, 2, 3])
    with pytest.raises(InputError, match="CPE exponents in"):
        fit_impedance(FREQ, Z, thickness_cm=0.1, area_cm2=1.0, circuit="bulk", guess=[1000, 1e-10, 1.5, 1e-6, 0.8])


@pytest.mark.parametrize(("name", "T"), [("pellet_25C.csv", 298.15), ("LiN-300K.csv", 300.0),
                                         ("run3_T=373.15K_eis.csv", 373.15), ("sample.csv", None)])
def test_temperature_from_filename(name, T):
    got = temperature_from_filename(name)
    assert got == (None if T is None else pytest.approx(T))
    assert T is None or math.isfinite(got)
