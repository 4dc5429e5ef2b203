"""Tests where the science can break at a boundary (issue 9, item 7): each fails if a ``<=``
becomes ``<`` (or the reverse), or if a limit is ignored. Values are closed-form or published."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nitrolyte.cell import critical_value, fast_charge_check
from nitrolyte.screening.criteria import compare
from nitrolyte.stability import electrochemical_window, thermochemistry
from nitrolyte.units import FARADAY


def _dgf_eV(formula: str) -> float:
    """Gibbs energy of formation per formula unit, eV, from the embedded table (kJ/mol)."""
    row = thermochemistry().set_index("formula").loc[formula]
    return float(row["dGf_kJ_mol"]) * 1e3 / FARADAY


@pytest.mark.parametrize(("element", "product", "li_per_fu"), [
    ("Cl2", "LiCl", 1), ("I2", "LiI", 1), ("N2", "Li3N", 3)])
def test_halogens_and_nitrogen_are_reduced_by_li(element: str, product: str, li_per_fu: int):
    """Cl2, I2 and N2 are reduced above 0 V: V_red = -dGf(product) / (n_Li e), so they are NOT
    stable against Li metal (a window that ignores the reduction limit would say they are)."""
    w = electrochemical_window(element)
    assert w.computable and w.reduction_V > 0
    assert w.reduction_V == pytest.approx(-_dgf_eV(product) / li_per_fu, rel=1e-6)
    assert w.reduction_products == (product,)
    assert w.stable_against_li is False


@pytest.mark.parametrize("formula", ["Li3N", "LiCl", "Li9N2Cl3", "Cl2", "N2", "I2", "LiI"])
def test_stable_against_li_is_exactly_a_zero_reduction_limit(formula: str):
    w = electrochemical_window(formula)
    if w.li_verdict == "not decided":  # Li9N2Cl3 while phases of Li-N-Cl are missing: never "yes"
        assert formula == "Li9N2Cl3" and w.stable_against_li is None
        return
    assert w.stable_against_li == (w.reduction_V <= 1e-9)


@pytest.mark.parametrize(("qualifier", "comparator", "status"), [
    (">", ">", "pass"), (">", ">=", "pass"), (">", "<", "fail"), (">", "<=", "fail"),
    ("<", ">", "fail"), ("<", ">=", "fail"), ("<", "<", "pass"), ("<", "<=", "pass"),
    ("", ">=", "pass"), ("", ">", "fail"), ("", "<=", "pass"), ("", "<", "fail"),
])
def test_compare_at_equality(qualifier: str, comparator: str, status: str):
    """value == threshold: a bound ">1e-3" is above the threshold 1e-3 (and "<1e-3" below),
    an exact value meets ">=" and "<=" but not ">" or "<"."""
    assert compare(1e-3, qualifier, comparator, 1e-3) == status


def test_compare_bounds_on_the_wrong_side_are_unknown():
    assert compare(1e-4, ">", ">=", 1e-3) == "unknown"   # > 1e-4 says nothing about >= 1e-3
    assert compare(1e-2, "<", ">=", 1e-3) == "unknown"


def test_fast_charge_passes_at_exactly_the_allowed_drop():
    """``passes`` is total drop <= max drop: equality passes, one ulp less fails."""
    design = dict(areal_capacity_mAh_cm2=4.0, sse_um=20.0, catholyte_sigma_S_cm=1e-3,
                  nitride_sigma_S_cm=2e-3)
    drop = fast_charge_check(**design, c_rate=4.0).total_drop_V
    # j = 16 mA/cm2; 20 um at 1e-3 and 2e-3 S/cm: 0.032 + 0.016 V
    assert drop == pytest.approx(0.016 * 20e-4 / 1e-3 + 0.016 * 20e-4 / 2e-3, rel=1e-12)
    assert fast_charge_check(**design, c_rate=4.0, max_drop_V=drop).passes is True
    assert fast_charge_check(**design, c_rate=4.0,
                             max_drop_V=float(np.nextafter(drop, 0))).passes is False


def test_critical_value_reachable_at_the_zero_thickness_limit():
    """Thicker SSE only lowers Wh/kg: the best reachable target is the 0 um design itself, and
    exactly that target is reachable (at 0 um); one ulp more is not."""
    limit = critical_value(350, "sse_um").limit
    at = critical_value(limit, "sse_um")
    assert at.reachable and at.value == 0.0 and at.bound == "maximum"
    above = critical_value(float(np.nextafter(limit, math.inf)) * (1 + 1e-12), "sse_um")
    assert not above.reachable and math.isnan(above.value)


def test_critical_areal_capacity_asymptote_is_not_reachable():
    """Wh/kg rises with areal capacity towards k E1/D1 but never reaches it."""
    limit = critical_value(350, "areal_capacity_mAh_cm2").limit
    assert limit == pytest.approx(1000 * 3.75 / (1000 / 200 / 0.9 + 1000 / 3500), rel=1e-12)
    assert not critical_value(limit, "areal_capacity_mAh_cm2").reachable
    assert critical_value(limit * (1 - 1e-6), "areal_capacity_mAh_cm2").reachable
