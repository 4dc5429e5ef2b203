"""``screen()`` on the curated database: real verdicts, user data, user targets, stacks, ranking."""

from __future__ import annotations

import functools
import itertools
import json
import math
import shutil
from pathlib import Path

import pytest

from nitrolyte import dataset
from nitrolyte.cell import pouch_cell
from nitrolyte.data.record_models import AirStability
from nitrolyte.errors import InputError
from nitrolyte.screening import SCHEMA, ScreeningDesign, Stack, Target
from nitrolyte.screening import screen as screen_default

# The verdicts below are those of the experimental thermochemical table ("embedded"): they test
# the screening rules on fixed, hand-checkable windows. The default source ("auto") is tested in
# test_screening_air.py.
screen = functools.partial(screen_default, source="embedded")


@pytest.fixture(scope="module")
def mdb(tmp_path_factory: pytest.TempPathFactory, _seeded_template: Path):
    """A seeded database shared by this module (read-only use)."""
    from nitrolyte.store import Database

    path = tmp_path_factory.mktemp("screen") / "db.sqlite"
    shutil.copyfile(_seeded_template, path)
    with Database(path) as database:
        yield database


@pytest.fixture(scope="module")
def default(mdb):
    return screen(db=mdb, stack="Li | vacancy-rich β-Li3N | Li3InCl6 | NMC811")


def statuses(row):
    return {c.criterion: c.status for c in row.criteria}


def test_every_database_row_is_screened(default, mdb):
    from nitrolyte import api

    frame = api.materials(db=mdb)
    assert len(default) == len(frame) + 1
    assert [r.rank for r in default.rows] == list(range(1, len(default) + 1))
    assert {r.kind for r in default.rows} == {"material", "stack"}


def test_vacancy_rich_beta_li3n(default):
    row = default.row("Vacancy-rich β-Li3N")
    assert statuses(row) == {"sigma": "pass", "Ea": "fail", "li_stability": "pass", "oxidation": "unknown",
                             "air": "unknown", "ccd": "fail", "critical_capacity": "pass",
                             "fast_charge": "pass", "energy_density": "pass"}
    assert row.criterion("sigma").value == 2.14e-3 and row.criterion("sigma").source == "ref 15, Table 1"
    assert row.criterion("Ea").value == 0.371
    ccd = row.criterion("ccd")
    assert (ccd.value, ccd.threshold, ccd.unit) == (7.5, 12.0, "mA/cm2")
    assert ccd.source.startswith("record ccd_vacancy_rich_beta_li3n (ref 15")
    air = row.criterion("air")  # > 1e-3 S/cm after 150 h of 2.14e-3: retention > 46.7 %, undecided
    assert air.qualifier == ">" and air.value == pytest.approx(100 * 1e-3 / 2.14e-3)
    assert row.criterion("energy_density").value == pytest.approx(pouch_cell().gravimetric_Wh_kg)
    assert "Li3InCl6: unknown" in row.criterion("oxidation").note
    assert "LGPS: unstable" in row.criterion("oxidation").note
    assert (row.score, row.confidence) == pytest.approx((5 / 7, 7 / 9))
    assert (row.score_min, row.score_max) == pytest.approx((5 / 9, 7 / 9))


def test_fails_and_unknowns_of_other_materials(default):
    lipon = default.row("Li2.9PO3.3N0.46")
    assert lipon.criterion("li_stability").status == "fail" and lipon.criterion("li_stability").value == 0.69
    assert statuses(lipon)["air"] == "unknown"
    approx = default.row("Li11N3Cl2")  # "~3.7e-11" counts as a value
    assert approx.criterion("sigma").status == "fail"
    pellet = default.row("α-Li3N sintered pellet")  # ">1e-8": a lower bound decides nothing here
    assert (pellet.criterion("sigma").status, pellet.criterion("sigma").qualifier) == ("unknown", ">")
    assert pellet.criterion("Ea").status == "unknown"
    assert default.row("Li9S3N").criterion("li_stability").status == "unknown"
    crystal = default.row("α-Li3N single crystal (∥c)")
    assert crystal.criterion("sigma").status == "fail" and crystal.direction == "par_c"
    structure_only = default.row("Li5NCl2")
    assert structure_only.criterion("sigma").status == "unknown" and not structure_only.eligible
    assert default.row("Li9N2Cl3").criterion("fast_charge").status == "fail"
    energy = default.row("Li9N2Cl3").criterion("energy_density")
    assert energy.status == "unknown" and "below 1.36 g/cm3" in energy.note


def test_ranking_puts_eligible_rows_first(default):
    flags = [r.eligible for r in default.rows]
    assert flags == sorted(flags, reverse=True)
    eligible = [r for r in default.rows if r.eligible]
    bounds = [round(r.score_min, 12) for r in eligible]
    assert bounds == sorted(bounds, reverse=True)
    assert [r.label for r in default.rows[:3]] == [
        "Li | vacancy-rich β-Li3N (20 µm) | Li3InCl6 (20 µm) | NMC811", "Vacancy-rich β-Li3N",
        "α-Li3N sinter"]


def test_the_stack(default):
    row = default.row("Li | vacancy-rich β-Li3N (20 µm) | Li3InCl6 (20 µm) | NMC811")
    assert statuses(row)["sigma"] == "pass" and statuses(row)["oxidation"] == "unknown"
    fast = row.criterion("fast_charge")  # 40 um / (20 um / 2.14e-3 + 20 um / 1.49e-3)
    assert fast.value == pytest.approx(40 / (20 / 2.14e-3 + 20 / 1.49e-3))
    assert fast.threshold == pytest.approx(16e-3 * 40e-4 / 0.1)
    assert row.criterion("energy_density").value == pytest.approx(pouch_cell().gravimetric_Wh_kg)


def test_stack_oxidation_pass_fail_unknown(mdb):
    res = screen([], stack=["Li | β-Li3N | LiF", "Li | β-Li3N | LiCl", "Li | β-Li3N | LGPS | NMC811"],
                 targets={"oxidation": 3.5}, db=mdb)
    by = {r.label: r for r in res.rows}
    assert by["Li | β-Li3N (20 µm) | LiF (20 µm)"].criterion("oxidation").status == "pass"
    # Li3N + LiCl form the nitride chlorides (Li9N2Cl3, Li5NCl2, ...), missing from the source
    assert by["Li | β-Li3N (20 µm) | LiCl (20 µm)"].criterion("oxidation").status == "unknown"
    assert by["Li | β-Li3N (20 µm) | LGPS (20 µm) | NMC811"].criterion("oxidation").status == "fail"
    one = screen([], stack=Stack.parse("Li | Li3InCl6 | NMC811"), db=mdb).rows[0]
    assert one.criterion("oxidation").status == "unknown" and one.criterion("ccd").status == "unknown"
    assert one.criterion("energy_density").value == pytest.approx(
        pouch_cell(catholyte_um=0, nitride_um=20, nitride="Li3InCl6", nitride_density_g_cm3=2.59).gravimetric_Wh_kg)


def test_stack_thicknesses_and_errors(mdb):
    row = screen([], stack="Li | vacancy-rich β-Li3N | Li3InCl6 | NMC811", stack_thickness_um=(10, 30),
                 db=mdb).rows[0]
    assert row.label == "Li | vacancy-rich β-Li3N (10 µm) | Li3InCl6 (30 µm) | NMC811"
    assert row.criterion("energy_density").value == pytest.approx(
        pouch_cell(nitride_um=10, catholyte_um=30).gravimetric_Wh_kg)
    assert Stack.parse(["Li", "β-Li3N | LGPS"], (20, 30)).to_dict() == {
        "layers": ["Li", "β-Li3N", "LGPS"], "thickness_um": [20.0, 30.0]}
    with pytest.raises(InputError, match="one value per SSE layer"):
        screen([], stack="Li | β-Li3N | NMC811", stack_thickness_um=(10, 30), db=mdb)
    with pytest.raises(InputError, match="at least one SSE layer"):
        screen([], stack="Li | NMC811", db=mdb)
    with pytest.raises(InputError, match="applies to one stack"):
        screen([], stack=[Stack(("Li", "β-Li3N")), Stack(("Li", "LGPS"))], stack_thickness_um=(5,), db=mdb)
    three = screen([], stack="Li | β-Li3N | Li3YCl6 | LGPS | NMC811", db=mdb).rows[0]
    assert "two SSE layers" in three.criterion("energy_density").note


def test_user_targets_change_verdicts(mdb):
    res = screen(["vacancy-rich β-Li3N", "Li13N4Br", "Li5NI2", "Li9N2Cl3"],
                 targets=["ccd=5", "critical_capacity=10", "Ea<0.4", "T_transition_K>=450"], db=mdb)
    vr = res.row("Vacancy-rich β-Li3N")
    assert statuses(vr)["ccd"] == "pass" and statuses(vr)["critical_capacity"] == "fail"
    assert statuses(vr)["Ea"] == "pass" and statuses(vr)["T_transition_K"] == "unknown"
    assert res.row("Li13N4Br").criterion("T_transition_K").status == "pass"   # 230 C = 503 K
    assert res.row("Li5NI2").criterion("T_transition_K").status == "fail"     # 170 C = 443 K
    own = Target("wide_window", "window_width_V", ">=", 1.0, "V")
    res = screen(["Li9N2Cl3", "Li2.9PO3.3N0.46"], targets=[own, "oxidation=0.4"], db=mdb)
    assert res.row("Li9N2Cl3").criterion("wide_window").status == "fail"
    assert res.row("Li2.9PO3.3N0.46").criterion("wide_window").status == "fail"  # 0.69-1.07 V
    # 0.444 V > 0.4 V, but the Li3N + LiCl tie line (Li9N2Cl3's own energy missing) decides nothing
    assert res.row("Li9N2Cl3").criterion("oxidation").status == "unknown"


def test_pairing_with_a_cathode_side_sse(mdb):
    res = screen(["β-Li3N"], catholytes=("LiF",), db=mdb)
    assert res.rows[0].criterion("oxidation").status == "pass"
    # with LiCl the nitride chlorides (Li9N2Cl3, Li5NCl2, ...) are missing from the source
    res = screen(["β-Li3N"], catholytes=("LiCl",), db=mdb)
    assert res.rows[0].criterion("oxidation").status == "unknown"
    res = screen(["β-Li3N"], catholytes=("LGPS", "Li3YCl6"), db=mdb)
    assert res.rows[0].criterion("oxidation").status == "fail"


def test_user_measurements_with_bounds(db):
    for name, value, q in (("Pellet A", 1e-10, "<"), ("Pellet B", 1e-2, "<"), ("Pellet C", 2e-2, ">")):
        db.add_measurement(material=name, property="ionic_conductivity", value=value, unit="S/cm",
                           temperature=25, temperature_unit="C", qualifier=q)
    res = screen(["Pellet A", "Pellet B", "Pellet C"], db=db)
    sig = {r.name: r.criterion("sigma") for r in res.rows}
    assert (sig["Pellet A"].status, sig["Pellet A"].value_text()) == ("fail", "<1e-10")
    assert sig["Pellet B"].status == "unknown"
    assert (sig["Pellet C"].status, sig["Pellet C"].stretch) == ("pass", "pass")
    assert res.row("Pellet A").criterion("fast_charge").status == "fail"


def test_user_records_and_densities(mdb):
    base = dataset.records()
    mine = AirStability(id="lab_dry_room", material_id="vacancy_rich_beta_li3n", kind="air",
                        atmosphere="dry room, -45 C dew point", duration_h=720, observation="kept",
                        conductivity_S_cm=2.0e-3, location="our lab")
    res = screen(["vacancy-rich β-Li3N"], records=base.model_copy(update={"air_stability": (mine,)}), db=mdb)
    air = res.rows[0].criterion("air")
    assert (air.status, air.source) == ("pass", "record lab_dry_room (our lab)")
    assert air.value == pytest.approx(100 * 2.0 / 2.14)
    lost = mine.model_copy(update={"conductivity_S_cm": 1.0e-3, "conductivity_qualifier": ""})
    res = screen(["vacancy-rich β-Li3N"], records=base.model_copy(update={"air_stability": (lost,)}), db=mdb)
    assert res.rows[0].criterion("air").status == "fail"
    res = screen(["Li9N2Cl3"], densities_g_cm3={"Li9N2Cl3": 1.2}, db=mdb)
    energy = res.rows[0].criterion("energy_density")
    assert energy.status == "pass" and "user (densities_g_cm3)" in energy.note
    assert energy.value == pytest.approx(pouch_cell(nitride="x", nitride_density_g_cm3=1.2).gravimetric_Wh_kg)


def test_design_options_reach_the_criteria(mdb):
    cold = screen(["vacancy-rich β-Li3N"], T_K=253.15, thickness_um=100, db=mdb).rows[0]
    fast = cold.criterion("fast_charge")
    assert fast.threshold == pytest.approx(16e-3 * 100e-4 / 0.1)
    assert fast.status == "fail" and "Arrhenius" in fast.note
    assert cold.criterion("energy_density").status == "fail"
    assert screen(["β-Li3N"], design=ScreeningDesign(catholytes=()), db=mdb).rows[0].criterion(
        "oxidation").status == "fail"


def test_weights_and_min_confidence(mdb):
    res = screen(["vacancy-rich β-Li3N"], weights={"ccd": 3}, min_confidence=0.9, db=mdb)
    row = res.rows[0]
    assert row.score == pytest.approx(5 / 9) and not row.eligible  # 5 passes of 9 known weight


def test_screen_errors(mdb):
    with pytest.raises(InputError, match="unknown option\\(s\\) 'thickness'"):
        screen(thickness=20, db=mdb)
    with pytest.raises(InputError, match="min_confidence must be between 0 and 1"):
        screen(min_confidence=2, db=mdb)
    with pytest.raises(InputError, match="not in family 'nitride halide'"):
        screen(["β-Li3N"], family="nitride halide", db=mdb)
    with pytest.raises(InputError, match="value must be a number"):
        screen(targets=["sigma=abc"], db=mdb)
    with pytest.raises(InputError, match="source must be 'embedded', 'mp'"):
        screen(["β-Li3N"], source="nope", db=mdb)


def test_frames_json_and_lookup(default):
    frame = default.to_frame()
    assert len(frame) == len(default) and frame.loc[0, "rank"] == 1
    assert {"sigma", "sigma_value", "energy_density", "score_min", "n_unknown"} <= set(frame.columns)
    long = default.to_long_frame()
    assert len(long) == 9 * len(default) and set(long["status"]) == {"pass", "fail", "unknown"}
    doc = json.loads(json.dumps(default.to_dict(), allow_nan=False))
    assert doc["schema"] == SCHEMA == "nitrolyte.screening/1"
    assert doc["count"] == len(doc["rows"]) and len(doc["targets"]) == 9
    first = doc["rows"][0]
    assert {"rank", "label", "score", "confidence", "criteria", "evidence", "pass"} <= set(first)
    with pytest.raises(InputError, match="no single screening row 'Li9N2'"):
        default.row("Li9N2")
    with pytest.raises(InputError, match="criterion 'nope' not in this screening"):
        default.rows[0].criterion("nope")


def test_pareto_of_the_database(default):
    p = default.pareto()
    front = set(p.loc[p["on_front"], "label"])
    assert {"α-Li3N sinter", "Vacancy-rich β-Li3N", "Li2.9PO3.3N0.46"} == front
    assert (p.loc[p["oxidation_V"].isna(), "pareto_rank"] == 0).all()
    assert math.isnan(p.loc[p["label"] == "α-Li3N sintered pellet", "sigma_S_cm"].iloc[0])


def test_rank_follows_the_proven_bound(default):
    """Rank 1 is the row with the most targets shown to be met: vacancy-rich β-Li3N (5 pass,
    2 fail, 2 unknown) above the α-Li3N sinter (5 pass, 4 unknown), whose optimistic score is
    higher only because it is less known."""
    from nitrolyte.screening.result import RANK_MEANING

    first = next(r for r in default.rows if r.kind == "material")
    assert first.name == "Vacancy-rich β-Li3N" and first.counts() == {"pass": 5, "fail": 2,
                                                                        "unknown": 2}
    sinter = default.row("α-Li3N sinter")
    assert sinter.score > first.score and sinter.score_min == pytest.approx(first.score_min)
    assert sinter.rank > first.rank
    eligible = [r for r in default.rows if r.eligible]
    assert all(not r.eligible for r in default.rows[len(eligible):])
    for a, b in itertools.pairwise(eligible):
        # never a lower bound above a higher one; on equal bounds never the less-known one first
        assert a.score_min >= b.score_min - 1e-12, (a.label, b.label)
        if abs(a.score_min - b.score_min) < 1e-12:
            assert a.confidence >= b.confidence - 1e-12, (a.label, b.label)
    assert "share of all criteria known to pass" in RANK_MEANING


def test_a_layer_too_thin_to_weigh_has_no_density_limit() -> None:
    """thickness_um = 5e-324 is positive, but 0.1 t underflows to 0 mg/cm2 per g/cm3: the design
    reaches the target at any density instead of dividing by zero (found by the web fuzz)."""
    from nitrolyte.screening.design import ScreeningDesign
    from nitrolyte.screening.evidence import EnergyModel

    energy = EnergyModel(ScreeningDesign(thickness_um=5e-324))
    assert energy.mass_per_density == 0.0
    assert energy.density_limit(350.0) == float("inf")
    assert energy.density_limit(1e9) == float("-inf")


def test_a_stack_of_a_material_only_in_the_given_database(sqlite_db):
    """The stack's interfaces are checked in the database given (issue 24: check_stack was
    called without it, so a user name of that database was an unknown material)."""
    sqlite_db.add_measurement(material="Lab nitride X9", formula="Li3N", family="Li3N",
                              property="ionic_conductivity", value=3e-4, unit="S/cm",
                              temperature=25, temperature_unit="C")
    mine = screen([], stack="Li | Lab nitride X9 | Li3InCl6 | NMC811", db=sqlite_db).rows[0]
    li3n = screen([], stack="Li | Li3N | Li3InCl6 | NMC811", db=sqlite_db).rows[0]
    assert mine.label == "Li | Lab nitride X9 (20 µm) | Li3InCl6 (20 µm) | NMC811"
    # the same formula gives the same stability verdicts (Li3N is stable against Li, Fig. 2A)
    assert statuses(mine)["li_stability"] == statuses(li3n)["li_stability"] == "pass"
    assert statuses(mine)["oxidation"] == statuses(li3n)["oxidation"]
