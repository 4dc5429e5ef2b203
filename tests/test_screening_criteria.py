"""Screening rules on hand-made evidence: compare(), every criterion's pass/fail/unknown, targets."""

from __future__ import annotations

import math

import pytest

from nitrolyte import dataset
from nitrolyte.cell import pouch_cell
from nitrolyte.errors import InputError
from nitrolyte.screening import (
    ScreeningDesign,
    Target,
    compare,
    default_targets,
    ea_threshold_eV,
    parse_target,
    resolve_targets,
)
from nitrolyte.screening.criteria import CriterionResult, evaluate
from nitrolyte.screening.evidence import EVIDENCE_COLUMNS, EnergyModel, sigma_at
from nitrolyte.screening.result import scores
from nitrolyte.transport.arrhenius import ArrheniusModel

NAN = math.nan
DESIGN = ScreeningDesign()


def ev(**over):
    """Evidence with every value unknown, then ``over``."""
    base = {"kind": "material", "name": "X", "sigma_S_cm": NAN, "sigma_qualifier": "", "sigma_note": "",
            "sigma_source": "ref 1", "Ea_eV": NAN, "Ea_source": "ref 1", "reduction_V": NAN,
            "oxidation_V": NAN, "window_basis": "unknown: no energies", "pairings": (),
            "air_records": [], "ccd_records": [], "ccd_mA_cm2": NAN, "ccd_qualifier": "",
            "critical_capacity_records": [], "critical_capacity_mAh_cm2": NAN,
            "critical_capacity_qualifier": "", "sigma_op_S_cm": NAN, "sigma_op_qualifier": "",
            "sigma_op_note": "", "layer_um": (20.0,), "energy_model": None, "density_g_cm3": NAN}
    base.update(over)
    base.setdefault("reduction_basis", base["window_basis"])
    return base


def target(cid):
    return next(t for t in default_targets() if t.id == cid)


def judge(cid, design=DESIGN, **over):
    return evaluate(target(cid), ev(**over), design)


# ------------------------------------------------------------------ compare
@pytest.mark.parametrize(("value", "q", "op", "thr", "want"), [
    (2e-3, "", ">=", 1e-3, "pass"), (1e-3, "", ">=", 1e-3, "pass"), (5e-4, "", ">=", 1e-3, "fail"),
    (1e-3, "", ">", 1e-3, "fail"), (5e-4, "~", ">=", 1e-3, "fail"), (NAN, "", ">=", 1e-3, "unknown"),
    (1e-10, "<", ">=", 1e-3, "fail"), (1e-3, "<", ">=", 1e-3, "fail"), (1e-2, "<", ">=", 1e-3, "unknown"),
    (2e-3, ">", ">=", 1e-3, "pass"), (1e-8, ">", ">=", 1e-3, "unknown"),
    (0.3, "<", "<=", 0.4, "pass"), (0.5, "<", "<=", 0.4, "unknown"),
    (0.5, ">", "<", 0.4, "fail"), (0.3, ">", "<", 0.4, "unknown"), (math.inf, "", ">", 4.0, "pass"),
])
def test_compare_values_and_bounds(value, q, op, thr, want):
    assert compare(value, q, op, thr) == want


# ------------------------------------------------------------------ targets
def test_defaults_come_from_the_dataset_targets():
    rows = {r["id"]: r for r in dataset.targets().to_dict("records")}
    by_id = {t.id: t for t in default_targets()}
    for cid, review_id in [("sigma", "ionic_conductivity"), ("oxidation", "electrochemical_window"),
                           ("air", "conductivity_retention"), ("ccd", "critical_current_density"),
                           ("critical_capacity", "critical_capacity"), ("fast_charge", "charge_time"),
                           ("energy_density", "energy_density")]:
        t, row = by_id[cid], rows[review_id]
        assert (t.comparator, t.value, t.unit) == (row["comparator"], row["value"], row["unit"])
        assert review_id in t.source
    assert by_id["sigma"].stretch_value == 1e-2 and by_id["energy_density"].stretch_value == 500
    assert list(by_id) == ["sigma", "Ea", "li_stability", "oxidation", "air", "ccd",
                           "critical_capacity", "fast_charge", "energy_density"]


def test_ea_threshold_keeps_a_tenth_at_minus_20C():
    ea = ea_threshold_eV()
    assert ea == pytest.approx(0.35645, rel=1e-4)
    model = ArrheniusModel.from_point(1e-3, 298.15, ea, "sigmaT")
    assert model.sigma_S_cm(253.15) == pytest.approx(1e-4, rel=1e-9)
    assert ea_threshold_eV(convention="sigma") < ea  # no 1/T factor: a smaller Ea suffices
    assert target("Ea").value == pytest.approx(ea, abs=5e-5) and target("Ea").comparator == "<="


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"ratio": 1.0}, "ratio must be > 1"), ({"T_low_K": 300.0}, "T_low_K < T_room_K"),
    ({"convention": "arrhenius"}, "convention must be one of"),
])
def test_ea_threshold_errors(kwargs, match):
    with pytest.raises(InputError, match=match):
        ea_threshold_eV(**kwargs)


def test_parse_and_resolve_user_targets():
    assert parse_target("sigma=5e-4") == ("sigma", "=", 5e-4)
    assert parse_target(" Ea < 0.4 ") == ("Ea", "<", 0.4)
    ts = {t.id: t for t in resolve_targets(["sigma=5e-4", "Ea<0.4", "T_transition_K>=400"], EVIDENCE_COLUMNS)}
    assert (ts["sigma"].comparator, ts["sigma"].value, ts["sigma"].source) == (">=", 5e-4, "user")
    assert (ts["Ea"].comparator, ts["Ea"].value) == ("<", 0.4)
    assert (ts["T_transition_K"].column, ts["T_transition_K"].comparator) == ("T_transition_K", ">=")
    ts = {t.id: t for t in resolve_targets({"conductivity": 2e-3, "CCD": 5}, EVIDENCE_COLUMNS,
                                           weights={"energy": 2})}
    assert ts["sigma"].value == 2e-3 and ts["ccd"].value == 5 and ts["energy_density"].weight == 2
    own = Target("wide", "window_width_V", ">=", 1.0, "V")
    assert resolve_targets([own], EVIDENCE_COLUMNS)[-1] == own


@pytest.mark.parametrize(("targets", "match"), [
    (["sigma=abc"], "value must be a number, got 'abc'"),
    (["sigma"], "cannot read 'sigma'"),
    (["sigma=inf"], "value must be finite"),
    (["foo>3"], "'foo': not a criterion or an evidence column"),
    (["T_K=300"], "a new target needs a comparator"),
    ({"sigma": "x"}, r"targets\['sigma'\] must be a finite number"),
    ([42], "expected 'KEY=VALUE' text or a Target"),
    ([Target("mine", "nope", ">", 1.0)], "column 'nope' is not an evidence column"),
])
def test_target_errors(targets, match):
    with pytest.raises(InputError, match=match):
        resolve_targets(targets, EVIDENCE_COLUMNS)


def test_target_validation():
    with pytest.raises(InputError, match="comparator must be one of"):
        Target("a", "Ea_eV", "==", 1.0)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="weight must be > 0"):
        Target("a", "Ea_eV", "<", 1.0, weight=0)
    with pytest.raises(InputError, match="value must be a finite number"):
        Target("a", "Ea_eV", "<", math.nan)
    with pytest.raises(InputError, match="weights: unknown criterion 'nope'"):
        resolve_targets(None, EVIDENCE_COLUMNS, weights={"nope": 1})


# ------------------------------------------------------------------ each criterion
def test_sigma():
    r = judge("sigma", sigma_S_cm=2.14e-3)
    assert (r.status, r.value, r.stretch, r.source) == ("pass", 2.14e-3, "fail", "ref 1")
    assert judge("sigma", sigma_S_cm=2e-2).stretch == "pass"
    assert judge("sigma", sigma_S_cm=1e-10, sigma_qualifier="<").status == "fail"
    assert judge("sigma", sigma_S_cm=1e-2, sigma_qualifier="<").status == "unknown"
    r = judge("sigma", sigma_note="no room-temperature conductivity in the database")
    assert r.status == "unknown" and "no room-temperature conductivity" in r.note


def test_activation_energy():
    assert judge("Ea", Ea_eV=0.29).status == "pass"
    assert judge("Ea", Ea_eV=0.371).status == "fail"
    r = judge("Ea")
    assert r.status == "unknown" and r.note == "no activation energy in the database"


def test_li_stability():
    assert judge("li_stability", reduction_V=1e-12, window_basis="computed").status == "pass"
    r = judge("li_stability", reduction_V=0.69, window_basis="reported DFT window")
    assert r.status == "fail" and "reduced by Li metal below 0.69 V" in r.note
    r = judge("li_stability")
    assert r.status == "unknown" and r.note == "unknown: no energies"


def test_oxidation_own_window_and_pairings():
    assert judge("oxidation", oxidation_V=4.21).status == "pass"
    stable = {"catholyte": "LiCl", "status": "stable", "verdict": "stable: windows overlap"}
    unstable = {"catholyte": "LGPS", "status": "unstable", "verdict": "unstable: no common window"}
    unknown = {"catholyte": "Li3InCl6", "status": "unknown", "verdict": "cannot judge"}
    r = judge("oxidation", oxidation_V=0.444, pairings=(unstable, stable))
    assert r.status == "pass" and "pairs with LiCl" in r.note
    r = judge("oxidation", oxidation_V=0.444, pairings=(unstable,))
    assert r.status == "fail" and "LGPS: unstable" in r.note
    assert judge("oxidation", oxidation_V=0.444, pairings=(unstable, unknown)).status == "unknown"
    assert judge("oxidation").status == "unknown"


def test_oxidation_of_a_stack():
    ok = {"left": "A", "right": "B", "status": "stable", "verdict": "stable"}
    bad = {"left": "A", "right": "B", "status": "unstable", "verdict": "unstable"}
    kw = {"kind": "stack", "cathode_side": "B"}
    assert judge("oxidation", oxidation_V=4.2, stack_interfaces=(ok,), **kw).status == "pass"
    assert judge("oxidation", oxidation_V=4.2, stack_interfaces=(bad,), **kw).status == "fail"
    assert judge("oxidation", oxidation_V=2.14, stack_interfaces=(ok,), **kw).status == "fail"
    assert judge("oxidation", oxidation_V=NAN, stack_interfaces=(ok,), **kw).status == "unknown"


def air_record(value, q="", rid="r1"):
    return {"id": rid, "atmosphere": "dry room", "duration_h": 150.0, "observation": "kept",
            "refs": [15], "location": "Section 4.2", "retention_percent": value, "qualifier": q}


def test_air_stability():
    r = judge("air", air_records=[air_record(46.7, ">"), air_record(93.5, rid="r2")])
    assert (r.status, r.value, r.source) == ("pass", 93.5, "record r2 (ref 15; Section 4.2)")
    r = judge("air", air_records=[air_record(46.7)])
    assert r.status == "fail" and "dry room for 150 h" in r.note
    r = judge("air", air_records=[air_record(46.7, ">")])
    assert (r.status, r.qualifier) == ("unknown", ">") and "does not decide" in r.note
    assert judge("air", air_records=[air_record(NAN)]).note.startswith("no conductivity after exposure")
    assert judge("air").note == "no air-stability record for this material"


def demo(value, rid="d1"):
    return [{"id": rid, "value": value, "unit": "mA/cm2", "qualifier": "", "refs": [15],
             "location": "Section 5", "conditions": "1 h steps"}]


def test_critical_current_density_and_capacity():
    r = judge("ccd", ccd_records=demo(14.0), ccd_mA_cm2=14.0, ccd_source="d1")
    assert (r.status, r.source) == ("pass", "record d1 (ref 15; Section 5)")
    assert judge("ccd", ccd_records=demo(7.5), ccd_mA_cm2=7.5, ccd_source="d1").status == "fail"
    assert judge("ccd").status == "unknown"
    kw = {"critical_capacity_records": demo(7.5), "critical_capacity_mAh_cm2": 7.5,
          "critical_capacity_source": "d1"}
    assert judge("critical_capacity", **kw).status == "pass"
    assert judge("critical_capacity", **{**kw, "critical_capacity_mAh_cm2": 2.0}).status == "fail"
    assert judge("critical_capacity").status == "unknown"


def test_fast_charge_threshold_is_the_required_conductivity():
    # 4 mAh/cm2 at 4C = 16 mA/cm2 through 20 um within 0.1 V: 16e-3 * 20e-4 / 0.1 = 3.2e-4 S/cm
    r = judge("fast_charge", sigma_op_S_cm=2.14e-3)
    assert (r.status, r.comparator, r.unit) == ("pass", ">=", "S/cm")
    assert r.threshold == pytest.approx(3.2e-4, rel=1e-12)
    assert judge("fast_charge", sigma_op_S_cm=3.1e-4).status == "fail"
    assert judge("fast_charge", sigma_op_S_cm=1e-8, sigma_op_qualifier=">").status == "unknown"
    assert judge("fast_charge").status == "unknown"
    # 10-min charge (6C) through 2 x 20 um: 24e-3 * 40e-4 / 0.1
    t = Target("fast_charge", "sigma_op_S_cm", "<=", 10.0, "min")
    assert evaluate(t, ev(sigma_op_S_cm=1e-3, layer_um=(20.0, 20.0)), DESIGN).threshold == pytest.approx(9.6e-4)
    with pytest.raises(InputError, match="charge time"):
        evaluate(Target("fast_charge", "sigma_op_S_cm", "<=", -1.0), ev(), DESIGN)


def test_energy_density_with_and_without_a_density():
    model = EnergyModel(DESIGN, 2.59)
    r = judge("energy_density", energy_model=model, density_g_cm3=1.27)
    assert r.status == "pass" and r.stretch == "fail"
    assert r.value == pytest.approx(pouch_cell().gravimetric_Wh_kg, rel=1e-12)
    thick = ScreeningDesign(thickness_um=100)
    r = evaluate(target("energy_density"), ev(energy_model=EnergyModel(thick, 2.59), density_g_cm3=1.27), thick)
    assert r.status == "fail"
    assert r.value == pytest.approx(pouch_cell(nitride_um=100).gravimetric_Wh_kg, rel=1e-12)
    r = judge("energy_density", energy_model=model, name="Li9N2Cl3")
    assert (r.status, r.qualifier) == ("unknown", "<")
    limit = model.density_limit(350.0)
    assert model.energy_Wh_kg(limit) == pytest.approx(350.0, rel=1e-12)
    assert f"below {limit:.3g} g/cm3" in r.note
    low = ScreeningDesign(areal_capacity_mAh_cm2=1.0)
    r = evaluate(target("energy_density"), ev(energy_model=EnergyModel(low, 2.59)), low)
    assert r.status == "fail" and r.value < 350  # even a massless layer misses 350 Wh/kg
    assert judge("energy_density", energy_note="no density for the catholyte").status == "unknown"


def test_custom_target_on_a_column():
    t = Target("hot", "T_transition_K", ">=", 400.0, "K")
    assert evaluate(t, ev(T_transition_K=503.15), DESIGN).status == "pass"
    assert evaluate(t, ev(T_transition_K=350.0), DESIGN).status == "fail"
    r = evaluate(t, ev(), DESIGN)
    assert r.status == "unknown" and r.note == "no value of T_transition_K"


def test_sigma_at_moves_along_arrhenius_or_refuses():
    assert sigma_at(2.14e-3, "", 298.15, 0.371, 300.0)[0] == 2.14e-3  # within 5 K: as recorded
    value, q, note = sigma_at(2.14e-3, "", 298.15, 0.371, 253.15)
    assert value == pytest.approx(ArrheniusModel.from_point(2.14e-3, 298.15, 0.371).sigma_S_cm(253.15))
    assert "Arrhenius" in note and q == ""
    assert math.isnan(sigma_at(1e-3, "", 350.0, NAN, 298.15)[0])
    assert sigma_at(1e-8, ">", 298.15, NAN, 298.15)[:2] == (1e-8, ">")


def test_scores():
    crit = (CriterionResult("a", "pass"), CriterionResult("b", "fail", weight=2.0),
            CriterionResult("c", "unknown"), CriterionResult("d", "pass"))
    score, lo, hi, conf = scores(crit)
    assert (score, lo, hi, conf) == pytest.approx((2 / 4, 2 / 5, 3 / 5, 4 / 5))
    score, lo, hi, conf = scores((CriterionResult("a", "unknown"),))
    assert math.isnan(score) and (lo, hi, conf) == (0.0, 1.0, 0.0)


def test_criterion_result_text_and_dict():
    r = CriterionResult("sigma", "fail", 1e-10, "<", ">=", 1e-3, "S/cm")
    assert (r.symbol, r.value_text()) == ("✗", "<1e-10")
    assert CriterionResult("x", "unknown").to_dict()["value"] is None


def test_design_validation():
    with pytest.raises(InputError, match="thickness_um must be > 0"):
        ScreeningDesign(thickness_um=0)
    with pytest.raises(InputError, match=r"densities_g_cm3\['X'\] must be > 0"):
        ScreeningDesign(densities_g_cm3={"X": -1})
    with pytest.raises(InputError, match="catholytes must be a sequence"):
        ScreeningDesign(catholytes="LGPS")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="cathode must be a non-empty string"):
        ScreeningDesign(cathode="")
    assert ScreeningDesign().c_rate(15) == 4.0
