"""Layer resistance, ohmic drop and the conductivity needed for a fast charge (Perspective (a))."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nitrolyte.errors import InputError
from nitrolyte.transport.layer import (
    check_layer,
    current_density_mA_cm2,
    layer_asr_ohm_cm2,
    ohmic_drop_V,
    required_conductivity_S_cm,
    stack_asr_ohm_cm2,
)
from nitrolyte.units import K_B_EV


def test_asr_closed_form():
    # 100 um at 1e-3 S/cm: 0.01 cm / 1e-3 S/cm = 10 ohm cm2
    assert layer_asr_ohm_cm2(1e-3, 100.0) == pytest.approx(10.0)
    assert stack_asr_ohm_cm2([(1e-3, 100.0), (1e-2, 50.0)]) == pytest.approx(10.5)


def test_review_fast_charge_window_4C():
    """Perspective (a): 1e-3 to 1e-2 S/cm for a 15-min (4C) charge.

    With the review's targets of 3 mAh/cm2 (Perspective (a)) and a 100 um SSE (section 5), 4C is
    12 mA/cm2; 1e-3 S/cm keeps the SSE's ohmic drop at 0.12 V (ASR 10 ohm cm2), 1e-2 S/cm at 12 mV.
    """
    j = current_density_mA_cm2(3.0, 4.0)
    assert j == pytest.approx(12.0)
    assert required_conductivity_S_cm(3.0, 4.0, 100.0, 0.12) == pytest.approx(1e-3, rel=1e-12)
    assert required_conductivity_S_cm(3.0, 4.0, 100.0, 0.012) == pytest.approx(1e-2, rel=1e-12)
    assert ohmic_drop_V(1e-3, 100.0, j) == pytest.approx(0.12)
    # a 30 um layer at 0.1 V needs only 3.6e-4 S/cm
    assert required_conductivity_S_cm(3.0, 4.0, 30.0, 0.1) == pytest.approx(3.6e-4)


def test_broadcasting():
    sigma = np.array([1e-4, 1e-3, 1e-2])[:, None]
    L = np.array([20.0, 50.0, 100.0])[None, :]
    asr = layer_asr_ohm_cm2(sigma, L)
    assert asr.shape == (3, 3)
    assert asr[1, 2] == pytest.approx(10.0)
    req = required_conductivity_S_cm(np.array([1.0, 3.0, 5.0]), 4.0, 100.0, 0.1)
    np.testing.assert_allclose(req, [4e-4, 1.2e-3, 2e-3])


@settings(max_examples=50, deadline=None)
@given(q=st.floats(0.1, 20), c=st.floats(0.05, 10), L=st.floats(1, 1000), dv=st.floats(1e-3, 1))
def test_required_conductivity_gives_exactly_the_allowed_drop(q, c, L, dv):
    sigma = required_conductivity_S_cm(q, c, L, dv)
    assert ohmic_drop_V(sigma, L, current_density_mA_cm2(q, c)) == pytest.approx(dv, rel=1e-10)


def test_check_layer_from_conductivity():
    chk = check_layer(2.14e-3, thickness_um=100.0, areal_capacity_mAh_cm2=3.0, c_rate=4.0,
                      max_drop_V=0.1)
    assert chk.current_density_mA_cm2 == pytest.approx(12.0)
    assert chk.drop_V == pytest.approx(0.012 * 0.01 / 2.14e-3)
    assert chk.passes and chk.margin == pytest.approx(2.14e-3 / 1.2e-3)
    assert chk.to_frame().shape == (1, 13)
    fail = check_layer(1e-4, thickness_um=100.0, areal_capacity_mAh_cm2=3.0, c_rate=4.0)
    assert not fail.passes and fail.drop_V == pytest.approx(1.2)


def test_check_layer_from_database_at_minus_20_and_60_C():
    # vacancy-rich beta-Li3N, Table 1: 2.14e-3 S/cm at 25 C, 0.371 eV
    rt = check_layer(material="vacancy-rich beta-Li3N", thickness_um=100.0,
                     areal_capacity_mAh_cm2=3.0, c_rate=4.0)
    assert rt.sigma_S_cm == pytest.approx(2.14e-3, rel=1e-9)
    assert abs(rt.T_K - 298.15) < 1e-9
    cold = check_layer(material="vacancy-rich beta-Li3N", T_K=253.15, thickness_um=100.0,
                       areal_capacity_mAh_cm2=3.0, c_rate=4.0)
    hot = check_layer(material="vacancy-rich beta-Li3N", T_K=333.15, thickness_um=100.0,
                      areal_capacity_mAh_cm2=3.0, c_rate=4.0)
    assert cold.sigma_S_cm < rt.sigma_S_cm < hot.sigma_S_cm
    assert not cold.passes and hot.passes
    # sigmaT model: sigma(253.15)/sigma(298.15) = (298.15/253.15) exp(-0.371/kB (1/253.15 - 1/298.15))
    expected = 2.14e-3 * (298.15 / 253.15) * math.exp(-0.371 / K_B_EV * (1 / 253.15 - 1 / 298.15))
    assert cold.sigma_S_cm == pytest.approx(expected, rel=1e-10)
    assert cold.sigma_S_cm == pytest.approx(1.935e-4, rel=1e-3)


@pytest.mark.parametrize(("func", "args", "match"), [
    (layer_asr_ohm_cm2, (0.0, 100.0), "sigma_S_cm must be > 0, got 0"),
    (layer_asr_ohm_cm2, (1e-3, -5.0), "thickness_um must be >= 0, got -5"),
    (current_density_mA_cm2, (3.0, -1.0), "c_rate must be > 0, got -1"),
    (required_conductivity_S_cm, (3.0, 4.0, 100.0, 0.0), "max_drop_V must be > 0, got 0"),
    (ohmic_drop_V, (1e-3, 100.0, -2.0), "current_density_mA_cm2 must be >= 0, got -2"),
    (stack_asr_ohm_cm2, ([],), "at least one"),
    (stack_asr_ohm_cm2, ([(1e-3,)],), r"layers\[0\] must be a \(sigma_S_cm, thickness_um\) pair"),
])
def test_bad_input(func, args, match):
    with pytest.raises(InputError, match=match):
        func(*args)


def test_check_layer_needs_exactly_one_source():
    with pytest.raises(InputError, match="exactly one of sigma_S_cm or material"):
        check_layer(thickness_um=100, areal_capacity_mAh_cm2=3, c_rate=4)
    with pytest.raises(InputError, match="exactly one of sigma_S_cm or material"):
        check_layer(1e-3, material="beta-Li3N", thickness_um=100, areal_capacity_mAh_cm2=3, c_rate=4)
