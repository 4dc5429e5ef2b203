"""Fig. 10B: the microscopic prefactor, carrier concentration and Nernst-Einstein."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nitrolyte.errors import InputError
from nitrolyte.transport.microscopic import (
    D_from_sigma,
    HoppingModel,
    carrier_concentration_cm3,
    implied_migration_entropy_kB,
    sigma_from_D,
)
from nitrolyte.units import E_CHARGE, K_B, N_A

# beta-Li3N, P6_3/mmc, Z = 2 (a = 3.552 A, c = 6.311 A; ICSD-type cell, not a review value)
V_BETA = math.sqrt(3) / 2 * 3.552**2 * 6.311


def test_carrier_concentration_from_density():
    # Li3N at the density the review uses in Fig. 17 (1.27 g/cm3): n_Li = 3 rho N_A / M
    M = 3 * 6.94 + 14.007
    n = carrier_concentration_cm3("Li3N", density_g_cm3=1.27)
    assert n == pytest.approx(3 * 1.27 * N_A / M, rel=1e-3)
    assert n == pytest.approx(6.59e22, rel=2e-3)


def test_carrier_concentration_from_cell_and_vacancy_fraction():
    # vacancy-rich beta-Li3N (section 2.2): 8.1 % vacancies on Li(4f); two of the three Li per
    # formula unit sit on 4f, so the vacancy concentration is 2 * 0.081 / 3 of all Li
    n_li = carrier_concentration_cm3("Li3N", volume_A3=V_BETA, Z=2)
    assert n_li == pytest.approx(6 / (V_BETA * 1e-24), rel=1e-12)
    n_vac = carrier_concentration_cm3("Li3N", volume_A3=V_BETA, Z=2, mobile_fraction=2 * 0.081 / 3)
    assert n_vac == pytest.approx(4 * 0.081 / (V_BETA * 1e-24), rel=1e-12)
    assert n_vac == pytest.approx(4.70e21, rel=5e-3)


def test_density_and_cell_routes_agree():
    M = 3 * 6.94 + 14.007
    rho = 2 * M / (N_A * V_BETA * 1e-24)
    a = carrier_concentration_cm3("Li3N", density_g_cm3=rho)
    b = carrier_concentration_cm3("Li3N", volume_A3=V_BETA, Z=2)
    assert a == pytest.approx(b, rel=1e-3)  # pymatgen's atomic masses vs the rounded ones above


def test_prefactor_closed_form_and_units():
    hop = HoppingModel(n_cm3=4.7e21, hop_distance_A=2.0, attempt_frequency_Hz=1e13, Ea_eV=0.371)
    expected = (1 / 6) * 4.7e21 * E_CHARGE**2 * (2e-8) ** 2 * 1e13 / K_B
    assert hop.prefactor_S_K_cm == pytest.approx(expected, rel=1e-12)
    assert hop.prefactor_S_K_cm == pytest.approx(5.82e3, rel=2e-3)
    T = np.array([250.0, 298.15, 400.0])
    np.testing.assert_allclose(hop.sigma_S_cm(T), expected / T * np.exp(-0.371 * E_CHARGE / (K_B * T)),
                               rtol=1e-10)


def test_entropy_multiplies_prefactor():
    a = HoppingModel(1e22, 2.5, 1e13, 0.4)
    b = HoppingModel(1e22, 2.5, 1e13, 0.4, delta_S_m_kB=2.0)
    assert b.prefactor_S_K_cm / a.prefactor_S_K_cm == pytest.approx(math.exp(2.0), rel=1e-12)
    assert implied_migration_entropy_kB(b.prefactor_S_K_cm, 1e22, 2.5, 1e13) == pytest.approx(2.0)


def test_microscopic_model_is_nernst_einstein_with_random_walk_D():
    hop = HoppingModel(2e22, 3.0, 5e12, 0.45, delta_S_m_kB=1.0)
    for T in (260.0, 300.0, 450.0):
        D = hop.diffusivity_cm2_s(T)
        assert hop.sigma_S_cm(T) == pytest.approx(sigma_from_D(D, 2e22, T), rel=1e-10)


def test_vacancy_rich_beta_li3n_implied_entropy():
    """The measured 2.14e-3 S/cm (0.371 eV) needs exp(dS/kB) ~ 200 with n of the 4f vacancies."""
    A = 2.14e-3 * 298.15 * math.exp(0.371 * E_CHARGE / (K_B * 298.15))
    n_vac = 4 * 0.081 / (V_BETA * 1e-24)
    s = implied_migration_entropy_kB(A, n_vac, 2.0, 1e13)
    assert s == pytest.approx(math.log(A / ((1 / 6) * n_vac * E_CHARGE**2 * 4e-16 * 1e13 / K_B)))
    assert 4.0 < s < 7.0


@settings(max_examples=50, deadline=None)
@given(D=st.floats(1e-14, 1e-4), n=st.floats(1e19, 1e23), T=st.floats(200, 800),
       H=st.floats(0.1, 1.0))
def test_nernst_einstein_round_trip(D, n, T, H):
    sigma = sigma_from_D(D, n, T, haven_ratio=H)
    assert D_from_sigma(sigma, n, T, haven_ratio=H) == pytest.approx(D, rel=1e-12)


def test_nernst_einstein_value():
    # D = 1e-8 cm2/s, n = 1e22 cm-3, 300 K: sigma = n e^2 D / (kB T) = 6.197e-4 S/cm
    assert sigma_from_D(1e-8, 1e22, 300.0) == pytest.approx(1e22 * E_CHARGE**2 * 1e-8 / (K_B * 300))
    assert sigma_from_D(1e-8, 1e22, 300.0) == pytest.approx(6.197e-4, rel=1e-3)
    assert sigma_from_D(1e-8, 1e22, 300.0, haven_ratio=0.5) == pytest.approx(2 * 6.197e-4, rel=1e-3)
    assert sigma_from_D(1e-8, 1e22, 300.0, z=2) == pytest.approx(4 * 6.197e-4, rel=1e-3)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"composition": "Li3N"}, "exactly one of density_g_cm3 or volume_A3"),
    ({"composition": "Li3N", "density_g_cm3": 1.3, "volume_A3": 45.0}, "exactly one of"),
    ({"composition": "Li3N", "volume_A3": 45.0}, r"Z \(formula units per cell\) is required"),
    ({"composition": "Li3N", "density_g_cm3": -1}, "density_g_cm3 must be > 0, got -1"),
    ({"composition": "Li3N", "density_g_cm3": 1.3, "mobile_fraction": 1.5},
     "mobile_fraction must be > 0 and <= 1, got 1.5"),
    ({"composition": "Si3N4", "density_g_cm3": 3.2}, "contains no Li"),
    ({"composition": "Li3N)(", "density_g_cm3": 3.2}, r"composition: cannot parse 'Li3N\)\('"),
])
def test_carrier_concentration_errors(kwargs, match):
    with pytest.raises(InputError, match=match):
        carrier_concentration_cm3(**kwargs)


def test_hopping_and_nernst_einstein_errors():
    with pytest.raises(InputError, match="hop_distance_A must be > 0, got 0"):
        HoppingModel(1e22, 0.0, 1e13, 0.3)
    with pytest.raises(InputError, match="geometric_factor must be > 0 and <= 1, got 2"):
        HoppingModel(1e22, 2.0, 1e13, 0.3, geometric_factor=2.0)
    with pytest.raises(InputError, match="haven_ratio must be > 0 and <= 1, got 0"):
        sigma_from_D(1e-8, 1e22, 300.0, haven_ratio=0.0)
    with pytest.raises(InputError, match=r"z \(charge number\) must be a non-zero integer, got 0"):
        sigma_from_D(1e-8, 1e22, 300.0, z=0)
    with pytest.raises(InputError, match="T_K must be > 0, got -3"):
        D_from_sigma(1e-3, 1e22, -3.0)
