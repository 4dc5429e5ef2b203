"""The layer-by-layer pouch-cell model against hand calculations from the Fig. 17 caption."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nitrolyte.cell import (
    LAYERS,
    LI_THEORETICAL_CAPACITY_MAH_G,
    PouchCell,
    pouch_cell,
)
from nitrolyte.errors import InputError, MissingDataError, UnknownMaterialError

# Hand calculation, Q = 4 mAh/cm2, 20 um Li3InCl6 + 20 um beta-Li3N, N/P 1, 10 um Al and Cu.
# 1 g/cm3 x 1 um = 1e-4 g/cm2 = 0.1 mg/cm2.
HAND_MASS = {
    "al": 2.7 * 10 * 0.1,                 # 2.7 mg/cm2
    "cathode": 4 / 200 * 1000 / 0.9,      # 20 mg NMC811 / 0.9 = 22.222 mg/cm2
    "catholyte": 2.59 * 20 * 0.1,         # 5.18 mg/cm2
    "nitride": 1.27 * 20 * 0.1,           # 2.54 mg/cm2
    "lithium": 1 * 4 / 3500 * 1000,       # 1.142857 mg/cm2
    "cu": 8.9 * 10 * 0.1,                 # 8.9 mg/cm2
    "packaging": 0.0,
}
HAND_ENERGY = 4 * 3.75                    # 15 mWh/cm2
HAND_THICKNESS = {
    "al": 10.0,
    "cathode": (20e-3 / 4.78 + 20e-3 / 9 / 2.59) * 1e4,  # active + 10 wt% SSE, cm -> um
    "catholyte": 20.0,
    "nitride": 20.0,
    "lithium": 4 / 3500 / 0.534 * 1e4,    # 21.40 um
    "cu": 10.0,
    "packaging": 0.0,
}


def test_defaults_are_the_caption_values_not_tuned():
    p = PouchCell().resolved()
    assert p["cathode"] == "NMC811" and p["catholyte"] == "Li3InCl6" and p["nitride"] == "β-Li3N"
    assert float(p["cathode_capacity_mAh_g"]) == 200.0
    assert float(p["voltage_V"]) == 3.75
    assert float(p["active_fraction"]) == 0.9
    assert float(p["li_capacity_mAh_g"]) == 3500.0
    assert float(p["catholyte_density_g_cm3"]) == 2.59
    assert float(p["nitride_density_g_cm3"]) == 1.27
    assert float(p["al_density_g_cm3"]) == 2.7
    assert float(p["cu_density_g_cm3"]) == 8.9
    assert float(p["li_density_g_cm3"]) == 0.534
    assert float(p["packaging_mass_fraction"]) == 0.0
    assert PouchCell(catholyte="LGPS").resolved()["catholyte_density_g_cm3"] == 2.04


def test_layer_masses_and_energy_by_hand():
    r = pouch_cell()
    for layer in LAYERS:
        assert r.layer_mass_mg_cm2[layer] == pytest.approx(HAND_MASS[layer], rel=1e-12), layer
    total = sum(HAND_MASS.values())                                 # 42.685 mg/cm2
    assert r.mass_mg_cm2 == pytest.approx(total, rel=1e-12)
    assert r.energy_mWh_cm2 == pytest.approx(HAND_ENERGY, rel=1e-12)
    assert r.gravimetric_Wh_kg == pytest.approx(1000 * 15 / total, rel=1e-12)
    assert r.gravimetric_Wh_kg == pytest.approx(351.41, rel=1e-4)


def test_volumetric_by_hand():
    r = pouch_cell()
    for layer in LAYERS:
        assert r.layer_thickness_um[layer] == pytest.approx(HAND_THICKNESS[layer], rel=1e-12)
    total_um = sum(HAND_THICKNESS.values())                         # 131.82 um
    assert r.thickness_um == pytest.approx(total_um, rel=1e-12)
    assert r.volumetric_Wh_L == pytest.approx(15 / (total_um * 1e-4), rel=1e-12)  # mWh/cm3
    assert r.volumetric_Wh_L == pytest.approx(1137.89, rel=1e-4)


def test_lgps_stack_by_hand():
    r = pouch_cell(catholyte="LGPS", areal_capacity_mAh_cm2=10, catholyte_um=50, nitride_um=50,
                   n_p=2)
    mass = 2.7 + 10 / 200 * 1000 / 0.9 + 2.04 * 5 + 1.27 * 5 + 2 * 10 / 3500 * 1000 + 8.9
    assert r.gravimetric_Wh_kg == pytest.approx(1000 * 37.5 / mass, rel=1e-12)


def test_double_sided_halves_the_foils():
    single, double = pouch_cell(), pouch_cell(sides="double")
    assert double.layer_mass_mg_cm2["al"] == pytest.approx(1.35)
    assert double.layer_mass_mg_cm2["cu"] == pytest.approx(4.45)
    assert double.layer_thickness_um["cu"] == pytest.approx(5.0)
    assert double.mass_mg_cm2 == pytest.approx(single.mass_mg_cm2 - 1.35 - 4.45)


def test_packaging_fraction_and_per_area():
    base = pouch_cell()
    frac = pouch_cell(packaging_mass_fraction=0.2)
    assert frac.mass_mg_cm2 == pytest.approx(base.mass_mg_cm2 / 0.8)
    assert frac.gravimetric_Wh_kg == pytest.approx(0.8 * base.gravimetric_Wh_kg)
    area = pouch_cell(packaging_mg_cm2=5.0, packaging_um=12.0)
    assert area.layer_mass_mg_cm2["packaging"] == pytest.approx(5.0)
    assert area.thickness_um == pytest.approx(base.thickness_um + 12.0)
    both = pouch_cell(packaging_mg_cm2=5.0, packaging_mass_fraction=0.1)
    assert both.mass_mg_cm2 == pytest.approx((base.mass_mg_cm2 + 5.0) / 0.9)


def test_anode_free_and_theoretical_li():
    free = pouch_cell(anode="anode-free", n_p=5)
    assert free.layer_mass_mg_cm2["lithium"] == 0.0
    assert free.inputs["n_p"] == 0.0
    assert any("anode-free" in n for n in free.notes)
    li = pouch_cell(li_capacity_mAh_g=LI_THEORETICAL_CAPACITY_MAH_G)
    assert round(LI_THEORETICAL_CAPACITY_MAH_G) == 3861
    assert li.layer_mass_mg_cm2["lithium"] == pytest.approx(4 / 3861.3 * 1000, rel=1e-4)


def test_other_cathodes_from_the_table():
    lfp = pouch_cell(cathode="LiFePO4", cathode_density_g_cm3=3.6)
    assert lfp.inputs["cathode_capacity_mAh_g"] == 165.0 and lfp.inputs["voltage_V"] == 3.4
    lnmo = pouch_cell(cathode="LNMO", capacity_basis="theoretical")
    assert lnmo.inputs["cathode_capacity_mAh_g"] == pytest.approx(146.7)
    assert np.isnan(lnmo.volumetric_Wh_L)
    assert any("cathode_density_g_cm3" in n for n in lnmo.notes)


def test_unlisted_materials_with_explicit_values():
    r = pouch_cell(cathode="my cathode", cathode_capacity_mAh_g=180, voltage_V=3.7,
                   cathode_density_g_cm3=4.7, catholyte="Li6PS5Cl (mine)",
                   catholyte_density_g_cm3=1.9)
    assert r.inputs["catholyte"] == "Li6PS5Cl (mine)"
    assert r.layer_mass_mg_cm2["catholyte"] == pytest.approx(1.9 * 20 * 0.1)


def test_porosity():
    r = pouch_cell(cathode_porosity=0.2, nitride_porosity=0.5)
    assert r.layer_thickness_um["cathode"] == pytest.approx(HAND_THICKNESS["cathode"] / 0.8)
    assert r.layer_mass_mg_cm2["nitride"] == pytest.approx(HAND_MASS["nitride"] / 2)


def test_broadcasting_matches_scalar_calls():
    q = np.array([2.0, 4.0, 8.0])
    t = np.array([[10.0], [50.0]])
    r = pouch_cell(areal_capacity_mAh_cm2=q, catholyte_um=t, nitride_um=t)
    assert r.gravimetric_Wh_kg.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            s = pouch_cell(areal_capacity_mAh_cm2=q[j], catholyte_um=t[i, 0], nitride_um=t[i, 0])
            assert r.gravimetric_Wh_kg[i, j] == pytest.approx(s.gravimetric_Wh_kg, rel=1e-14)
    frame = r.to_frame()
    assert len(frame) == 6 * len(LAYERS)
    assert frame.groupby("design")["mass_fraction"].sum().to_numpy() == pytest.approx(1.0)


def test_to_frame_and_json_round_trip():
    r = pouch_cell()
    frame = r.to_frame()
    assert list(frame["layer"]) == list(LAYERS)
    assert frame["mass_mg_cm2"].sum() == pytest.approx(r.mass_mg_cm2)
    d = json.loads(json.dumps(r.to_dict()))
    assert d["inputs"]["areal_capacity_mAh_cm2"] == {"value": 4.0, "unit": "mAh/cm2"}
    assert d["inputs"]["catholyte_um"]["unit"] == "um"
    assert d["gravimetric_Wh_kg"] == r.gravimetric_Wh_kg
    assert d["breakdown"]["cu"]["mass_mg_cm2"] == pytest.approx(8.9)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"catholyte_um": -5}, r"catholyte_um must be >= 0 and <= 10000, got -5"),
    ({"nitride_um": np.array([1.0, -2.0])}, r"nitride_um must be >= 0 and <= 10000, got array with min -2"),
    ({"areal_capacity_mAh_cm2": 0}, r"areal_capacity_mAh_cm2 must be > 0 and <= 100, got 0"),
    ({"active_fraction": 1.2}, r"active_fraction must be > 0 and <= 1, got 1.2"),
    ({"active_fraction": 0}, r"active_fraction must be > 0 and <= 1, got 0"),
    ({"n_p": -0.1}, r"n_p must be >= 0 and <= 100, got -0.1"),
    ({"al_um": float("nan")}, r"al_um must be a number, got NaN"),
    ({"cu_um": "thin"}, r"cu_um must be a number, got 'thin'"),
    ({"cathode_porosity": 1.0}, r"cathode_porosity must be >= 0 and < 1, got 1"),
    ({"packaging_mass_fraction": -0.1}, r"packaging_mass_fraction must be >= 0 and < 1"),
    ({"sides": "triple"}, r"sides must be one of single, double; got 'triple'"),
    ({"anode": "graphite"}, r"anode must be one of lithium, anode-free; got 'graphite'"),
    ({"capacity_basis": "nominal"}, r"capacity_basis must be one of practical, theoretical"),
    ({"li_capacity_mAh_g": 0}, r"li_capacity_mAh_g must be > 0 and <= 3861.5, got 0"),
    ({"catholyte_density_g_cm3": -2.0}, r"catholyte_density_g_cm3 must be > 0 and <= 25, got -2"),
])
def test_bad_designs_are_refused(kwargs, message):
    with pytest.raises(InputError, match=message):
        pouch_cell(**kwargs)


def test_unknown_and_incomplete_materials():
    with pytest.raises(UnknownMaterialError, match=r"unknown material 'LGSP'"):
        pouch_cell(catholyte="LGSP")
    with pytest.raises(MissingDataError, match=r"no specific_capacity for NCM83.*cathode_capacity"):
        pouch_cell(cathode="NCM83")


_q = st.floats(0.5, 15.0)
_t = st.floats(0.0, 300.0)
_np = st.floats(0.0, 50.0)


@settings(max_examples=40, deadline=None)
@given(q=_q, t=_t, n_p=_np, dt=st.floats(0.1, 100.0),
       layer=st.sampled_from(["catholyte_um", "nitride_um", "al_um", "cu_um"]))
def test_energy_density_falls_as_any_inactive_layer_thickens(q, t, n_p, dt, layer):
    design = {"areal_capacity_mAh_cm2": q, "catholyte_um": t, "nitride_um": t, "n_p": n_p}
    thin = pouch_cell(**design)
    thick = pouch_cell(**{**design, layer: design.get(layer, 10.0) + dt})
    assert thick.gravimetric_Wh_kg < thin.gravimetric_Wh_kg
    assert thick.volumetric_Wh_L < thin.volumetric_Wh_L


@settings(max_examples=40, deadline=None)
@given(q=_q, t=_t, n_p=_np, dn=st.floats(0.1, 20.0), dq=st.floats(0.1, 10.0))
def test_monotone_in_np_and_areal_capacity(q, t, n_p, dn, dq):
    design = {"areal_capacity_mAh_cm2": q, "catholyte_um": t, "nitride_um": t, "n_p": n_p}
    base = pouch_cell(**design).gravimetric_Wh_kg
    assert pouch_cell(**{**design, "n_p": n_p + dn}).gravimetric_Wh_kg < base
    assert pouch_cell(**{**design, "areal_capacity_mAh_cm2": q + dq}).gravimetric_Wh_kg > base
    # never above the active-material limit V c w / (1 + w c N/P / c_Li)
    assert base < 3.75 * 200 * 0.9


@settings(max_examples=30, deadline=None)
@given(q=_q, t=_t, n_p=_np)
def test_breakdown_sums_to_total(q, t, n_p):
    r = pouch_cell(areal_capacity_mAh_cm2=q, catholyte_um=t, nitride_um=t, n_p=n_p,
                   packaging_mass_fraction=0.1)
    assert sum(r.layer_mass_mg_cm2.values()) == pytest.approx(r.mass_mg_cm2, rel=1e-12)
    assert sum(r.layer_thickness_um.values()) == pytest.approx(r.thickness_um, rel=1e-12)
