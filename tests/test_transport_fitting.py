"""Arrhenius fits: exact recovery, coverage of the error bars over many seeds, outliers, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nitrolyte.errors import InputError
from nitrolyte.transport.arrhenius import ArrheniusModel
from nitrolyte.transport.fitting import (
    fit_arrhenius,
    fit_arrhenius_resistance,
    sigma_from_resistance_S_cm,
)
from nitrolyte.units import K_B_EV

T_GRID = np.linspace(300.0, 450.0, 8)


def synthetic(Ea, sigma_rt, rel_noise, seed, convention="sigmaT", T=T_GRID):
    truth = ArrheniusModel.from_point(sigma_rt, 298.15, Ea, convention)
    rng = np.random.default_rng(seed)
    sigma = truth.sigma_S_cm(T) * np.exp(rel_noise * rng.standard_normal(T.size))
    return truth, sigma


@pytest.mark.parametrize("convention", ["sigmaT", "sigma"])
def test_noise_free_data_recovered_exactly(convention):
    truth, sigma = synthetic(0.371, 2.14e-3, 0.0, 0, convention)
    fit = fit_arrhenius(T_GRID, sigma, convention=convention)
    assert fit.Ea_eV == pytest.approx(0.371, rel=1e-10)
    assert fit.prefactor == pytest.approx(truth.prefactor, rel=1e-8)
    assert fit.r_squared == pytest.approx(1.0, abs=1e-12)
    assert fit.sigma_RT_S_cm == pytest.approx(2.14e-3, rel=1e-9)
    assert not any(fit.outliers)


def test_error_bars_cover_the_truth_at_the_nominal_rate():
    """Over 400 seeds, |Ea - Ea_true| < 1 s.e. in ~68 % and < 2 s.e. in ~95 % of fits."""
    z_Ea, z_lnA, inside_band = [], [], []
    for seed in range(400):
        truth, sigma = synthetic(0.45, 1e-5, 0.05, seed)
        fit = fit_arrhenius(T_GRID, sigma, sigma * 0.05)
        z_Ea.append((fit.Ea_eV - 0.45) / fit.Ea_stderr_eV)
        z_lnA.append((fit.ln_prefactor - truth.ln_prefactor) / fit.ln_prefactor_stderr)
        p = fit.predict(298.15)
        inside_band.append(p.lower_S_cm[0] <= 1e-5 <= p.upper_S_cm[0])
    z = np.abs(np.array(z_Ea))
    assert 0.62 < np.mean(z < 1) < 0.74
    assert 0.92 < np.mean(z < 2) < 0.98
    assert 0.92 < np.mean(np.abs(z_lnA) < 2) < 0.98
    assert 0.92 < np.mean(inside_band) < 0.98


def test_unweighted_fit_uses_t_quantiles_and_scaled_covariance():
    _, sigma = synthetic(0.5, 1e-7, 0.1, 3)
    fit = fit_arrhenius(T_GRID, sigma)
    assert not fit.absolute_sigma
    assert fit.dof == 6
    # the covariance is chi2_nu * (X^T X)^-1
    X = np.stack([np.ones_like(T_GRID), -1 / (K_B_EV * T_GRID)], axis=1)
    np.testing.assert_allclose(np.array(fit.covariance), fit.chi2_reduced * np.linalg.inv(X.T @ X),
                               rtol=1e-10)
    p = fit.predict([300.0, 400.0], confidence=0.9)
    assert all(lo < s < hi for lo, s, hi in zip(p.lower_S_cm, p.sigma_S_cm, p.upper_S_cm, strict=True))


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), Ea=st.floats(0.2, 0.9), log_sigma=st.floats(-10, -2))
def test_fit_recovers_parameters_within_error_bars(seed, Ea, log_sigma):
    _, sigma = synthetic(Ea, 10**log_sigma, 0.03, seed)
    fit = fit_arrhenius(T_GRID, sigma, 0.03 * sigma)
    assert abs(fit.Ea_eV - Ea) < 5 * fit.Ea_stderr_eV  # 5 sigma: fails with p < 1e-6
    assert fit.Ea_stderr_eV < 0.05


def test_outlier_is_flagged_not_dropped():
    _, sigma = synthetic(0.5, 1e-6, 0.01, 1)
    sigma = sigma.copy()
    sigma[4] *= 3.0  # a bad point, ln 3 = 110 times the noise
    fit = fit_arrhenius(T_GRID, sigma)
    assert fit.outliers[4]
    assert sum(fit.outliers) == 1
    assert fit.n_points == 8
    assert fit.to_frame()["outlier"].tolist()[4]


def test_resistance_route_matches_conductivity_route():
    _, sigma = synthetic(0.55, 2e-7, 0.02, 9)
    L_cm, A_cm2 = 0.08, 0.785
    R = L_cm / (sigma * A_cm2)
    a = fit_arrhenius_resistance(T_GRID, R, L_cm, A_cm2, R_err_ohm=0.02 * R)
    b = fit_arrhenius(T_GRID, sigma, 0.02 * sigma)
    assert a.Ea_eV == pytest.approx(b.Ea_eV, rel=1e-10)
    assert a.Ea_stderr_eV == pytest.approx(b.Ea_stderr_eV, rel=1e-10)
    assert sigma_from_resistance_S_cm(100.0, 0.1, 0.5) == pytest.approx(0.002)


def test_to_model_and_dict():
    _, sigma = synthetic(0.3, 1e-3, 0.0, 0)
    fit = fit_arrhenius(T_GRID, sigma)
    d = fit.to_dict()
    assert d["prefactor_unit"] == "S K/cm" and d["n_points"] == 8
    assert d["Ea_eV"] == pytest.approx(0.3)
    assert fit.to_model(name="x").sigma_S_cm(298.15) == pytest.approx(1e-3, rel=1e-9)
    assert math.isfinite(d["sigma_RT_S_cm"])


@pytest.mark.parametrize(("args", "match"), [
    (([300, 300, 310], [1e-3, 1e-3, 2e-3]), "at least 3 distinct temperatures, got 2"),
    (([300, 310, 320], [1e-3, 2e-3]), "same length, got 3 and 2"),
    (([300, 310, 320], [1e-3, -2e-3, 3e-3]), "sigma_S_cm must be > 0"),
    (([300, -310, 320], [1e-3, 2e-3, 3e-3]), "T_K must be > 0"),
])
def test_bad_input(args, match):
    with pytest.raises(InputError, match=match):
        fit_arrhenius(*args)


def test_bad_errors_and_confidence():
    with pytest.raises(InputError, match=r"sigma_err must have one value per point \(3\), got 2"):
        fit_arrhenius([300, 310, 320], [1e-3, 2e-3, 3e-3], [1e-4, 1e-4])
    fit = fit_arrhenius([300, 310, 320], [1e-3, 2e-3, 3e-3])
    with pytest.raises(InputError, match=r"confidence must be > 0 and < 1, got 1\.5"):
        fit.predict(300, confidence=1.5)
    with pytest.raises(InputError, match="convention must be one of sigmaT, sigma; got 'ln'"):
        fit_arrhenius([300, 310, 320], [1e-3, 2e-3, 3e-3], convention="ln")
