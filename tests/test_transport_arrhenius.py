"""Arrhenius models: closed-form values, conventions, phase transitions, anisotropy, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nitrolyte.errors import InputError
from nitrolyte.transport.arrhenius import (
    AnisotropicModel,
    ArrheniusModel,
    polycrystal_average,
)
from nitrolyte.units import K_B_EV

T_RT = 298.15


@pytest.mark.parametrize("convention", ["sigmaT", "sigma"])
def test_anchor_is_reproduced_exactly(convention):
    m = ArrheniusModel.from_point(2.14e-3, T_RT, 0.371, convention)  # vacancy-rich beta-Li3N, Table 1
    assert m.sigma_S_cm(T_RT) == pytest.approx(2.14e-3, rel=1e-12)
    assert isinstance(m.sigma_S_cm(T_RT), float)


def test_prefactor_closed_form_both_conventions():
    sigma, T, Ea = 1.2e-3, 300.0, 0.29  # alpha-Li3N perp c, Table 1
    a = ArrheniusModel.from_point(sigma, T, Ea, "sigmaT")
    b = ArrheniusModel.from_point(sigma, T, Ea, "sigma")
    assert a.prefactor == pytest.approx(sigma * T * math.exp(Ea / (K_B_EV * T)), rel=1e-12)
    assert b.prefactor == pytest.approx(sigma * math.exp(Ea / (K_B_EV * T)), rel=1e-12)
    assert a.to_dict()["prefactor_unit"] == "S K/cm"
    assert b.to_dict()["prefactor_unit"] == "S/cm"


def test_conventions_differ_by_T_ratio_away_from_anchor():
    a = ArrheniusModel.from_point(1e-6, T_RT, 0.5, "sigmaT")
    b = a.with_convention("sigma")
    T = np.array([250.0, 350.0, 500.0])
    np.testing.assert_allclose(a.sigma_S_cm(T) / b.sigma_S_cm(T), T_RT / T, rtol=1e-12)


def test_point_one_eV_changes_by_exact_boltzmann_factor():
    T = np.array([253.15, 298.15, 333.15, 400.0])
    base = ArrheniusModel(Ea_eV=0.40, prefactor=1e5)
    higher = ArrheniusModel(Ea_eV=0.50, prefactor=1e5)
    np.testing.assert_allclose(higher.sigma_S_cm(T) / base.sigma_S_cm(T),
                               np.exp(-0.1 / (K_B_EV * T)), rtol=1e-12)
    # at 25 C the factor is exp(-0.1/0.025693) = 0.02040
    assert higher.sigma_S_cm(T_RT) / base.sigma_S_cm(T_RT) == pytest.approx(0.020401, rel=1e-4)


def test_slope_of_ln_sigmaT_is_minus_Ea_over_kB():
    m = ArrheniusModel.from_point(3.1e-4, T_RT, 0.34)  # Li7N2I, Table 2
    T1, T2 = 300.0, 400.0
    slope = (math.log(m.sigma_S_cm(T2) * T2) - math.log(m.sigma_S_cm(T1) * T1)) / (1 / T2 - 1 / T1)
    assert slope == pytest.approx(-0.34 / K_B_EV, rel=1e-10)


def test_vectorised_shape_and_values_match_scalar_calls():
    m = ArrheniusModel.from_point(2.1e-4, 300.15, 0.35)  # Li2.5N0.5S0.5 at 27 C, Table 3
    T = np.linspace(250, 500, 12).reshape(3, 4)
    out = m.sigma_S_cm(T)
    assert out.shape == (3, 4)
    assert out[1, 2] == pytest.approx(m.sigma_S_cm(float(T[1, 2])), rel=1e-14)


class TestPhaseTransition:
    # Li13N4Br, Table 2: 1.06e-9 S/cm at 25 C, 0.73 eV (LT), 0.47 eV (HT), transition ~230 C
    Tt = 503.15

    def model(self, convention="sigmaT"):
        return ArrheniusModel.from_point(1.06e-9, T_RT, 0.73, convention, T_transition_K=self.Tt,
                                         Ea_HT_eV=0.47)

    @pytest.mark.parametrize("convention", ["sigmaT", "sigma"])
    def test_continuous_at_transition(self, convention):
        m = self.model(convention)
        below, at = m.sigma_S_cm(self.Tt * (1 - 1e-12)), m.sigma_S_cm(self.Tt)
        assert at == pytest.approx(below, rel=1e-9)

    def test_branch_slopes(self):
        m = self.model()
        for lo, hi, Ea in ((350.0, 450.0, 0.73), (550.0, 650.0, 0.47)):
            slope = (math.log(m.sigma_S_cm(hi) * hi) - math.log(m.sigma_S_cm(lo) * lo)) / (1 / hi - 1 / lo)
            assert -slope * K_B_EV == pytest.approx(Ea, rel=1e-10)
        assert m.Ea_at(np.array([400.0, 600.0])).tolist() == [0.73, 0.47]

    def test_room_temperature_value_is_from_the_LT_branch(self):
        m = self.model()
        assert m.sigma_S_cm(T_RT) == pytest.approx(1.06e-9, rel=1e-12)
        # extrapolating the HT line (0.47 eV) down to 25 C would overestimate by 1.79 decades
        ht_only = ArrheniusModel(0.47, math.exp(m.ln_prefactor + (0.47 - 0.73) / (K_B_EV * self.Tt)))
        assert math.log10(ht_only.sigma_S_cm(T_RT) / 1.06e-9) == pytest.approx(
            0.26 / (K_B_EV * math.log(10)) * (1 / T_RT - 1 / self.Tt), rel=1e-9)
        assert math.log10(ht_only.sigma_S_cm(T_RT) / 1.06e-9) == pytest.approx(1.79, abs=0.005)

    def test_anchor_above_transition_refused(self):
        with pytest.raises(InputError, match=r"anchor.*below T_transition_K=503\.15"):
            ArrheniusModel.from_point(1e-5, 550.0, 0.73, T_transition_K=self.Tt, Ea_HT_eV=0.47)

    def test_transition_needs_both_fields(self):
        with pytest.raises(InputError, match="T_transition_K and Ea_HT_eV must be given together"):
            ArrheniusModel(Ea_eV=0.5, prefactor=1e4, T_transition_K=443.15)


class TestAnisotropy:
    # alpha-Li3N single crystal, Table 1: 1.2e-3 (perp c, 0.29 eV), 1.0e-5 (par c, 0.49 eV) at 300 K
    def model(self):
        return AnisotropicModel(
            ArrheniusModel.from_point(1.2e-3, 300.0, 0.29, direction="perp_c"),
            ArrheniusModel.from_point(1.0e-5, 300.0, 0.49, direction="par_c"))

    def test_directions(self):
        m = self.model()
        assert m.sigma_S_cm(300.0, "perp_c") == pytest.approx(1.2e-3)
        assert m.sigma_S_cm(300.0, "par_c") == pytest.approx(1.0e-5)

    def test_polycrystal_rules_closed_form(self):
        a, b = 1.2e-3, 1.0e-5
        m = self.model()
        assert m.polycrystal_sigma_S_cm(300.0, "arithmetic") == pytest.approx((2 * a + b) / 3)
        assert m.polycrystal_sigma_S_cm(300.0, "harmonic") == pytest.approx(3 / (2 / a + 1 / b))
        assert m.polycrystal_sigma_S_cm(300.0, "geometric") == pytest.approx(a ** (2 / 3) * b ** (1 / 3))
        x = m.polycrystal_sigma_S_cm(300.0, "bruggeman")
        # the EMA condition holds at the closed-form root
        assert 2 * (a - x) / (a + 2 * x) + (b - x) / (b + 2 * x) == pytest.approx(0.0, abs=1e-12)
        assert x == pytest.approx(6.0984e-4, rel=1e-4)

    def test_bad_direction(self):
        with pytest.raises(InputError, match="direction must be one of perp_c, par_c; got 'c'"):
            self.model().sigma_S_cm(300.0, "c")

    @settings(max_examples=50, deadline=None)
    @given(st.floats(1e-10, 1.0), st.floats(1e-10, 1.0))
    def test_bounds(self, a, b):
        h = polycrystal_average(a, b, "harmonic")
        ar = polycrystal_average(a, b, "arithmetic")
        for rule in ("bruggeman", "geometric"):
            v = polycrystal_average(a, b, rule)
            assert h * (1 - 1e-12) <= v <= ar * (1 + 1e-12)
        assert polycrystal_average(a, a, "bruggeman") == pytest.approx(a, rel=1e-12)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"sigma_S_cm": -1e-3, "T_K": 300, "Ea_eV": 0.3}, "sigma_S_cm must be > 0, got -0.001"),
    ({"sigma_S_cm": 1e-3, "T_K": 0, "Ea_eV": 0.3}, "T_K must be > 0, got 0"),
    ({"sigma_S_cm": 1e-3, "T_K": 300, "Ea_eV": -0.1}, r"Ea_eV must be >= 0 and <= 5, got -0.1"),
    ({"sigma_S_cm": 1e-3, "T_K": 300, "Ea_eV": 0.3, "convention": "log"},
     "convention must be one of sigmaT, sigma; got 'log'"),
])
def test_bad_input(kwargs, match):
    with pytest.raises(InputError, match=match):
        ArrheniusModel.from_point(**kwargs)


def test_bad_temperature_array_names_field():
    m = ArrheniusModel(0.3, 1e4)
    with pytest.raises(InputError, match="T_K must be > 0, got array with min -5 and max -5"):
        m.sigma_S_cm(np.array([300.0, -5.0]))


def test_with_convention_needs_anchor():
    with pytest.raises(InputError, match="with_convention needs a model built from a point"):
        ArrheniusModel(0.3, 1e4).with_convention("sigma")
