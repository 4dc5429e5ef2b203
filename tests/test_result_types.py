"""Results as frozen dataclasses with units in their field names (issue 24): measurement-set
points (:class:`SetPoint`), stored sets (:class:`StoredSet`) and MD campaign task outcomes."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from nitrolyte.store.models import POINT_KEYS, SetPoint, StoredSet

POINTS = [{"T_K": 300.0, "sigma_S_cm": 2.0e-4, "kind": "total", "sigma_stderr_S_cm": 1.0e-5,
           "direction": None, "note": None},
          {"T_K": 350.0, "sigma_S_cm": 1.1e-3, "kind": "bulk", "sigma_stderr_S_cm": None,
           "direction": "perp_c", "note": "second"}]
FIT = {"Ea_eV": 0.31, "Ea_stderr_eV": 0.01, "law": "sigmaT", "T_min_K": 300.0, "T_max_K": 350.0}


def test_set_point_is_frozen_and_its_dict_is_the_point_dict() -> None:
    p = SetPoint(**POINTS[1])
    assert p.to_dict() == POINTS[1] and tuple(p.to_dict()) == POINT_KEYS
    assert SetPoint(300.0, 1e-4).to_dict() == {"T_K": 300.0, "sigma_S_cm": 1e-4, "kind": "total",
                                               "sigma_stderr_S_cm": None, "direction": None,
                                               "note": None}
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.T_K = 1.0  # type: ignore[misc]


def test_set_points_store_as_their_dicts(db: Any) -> None:
    """Typed points and their dicts store the same rows (round trip through the store)."""
    a = db.add_measurement_set("Typed X1", formula="Li3N", points=[SetPoint(**p) for p in POINTS],
                               fit=FIT, method="fit")
    b = db.add_measurement_set("Typed X2", formula="Li3N", points=POINTS, fit=FIT, method="fit")
    pa, pb = db.measurement_set(a.set_id)["points"], db.measurement_set(b.set_id)["points"]
    import pandas as pd

    pd.testing.assert_frame_equal(pa, pb)
    assert list(pa["sigma_S_cm"]) == [2.0e-4, 1.1e-3] and list(pa["kind"]) == ["total", "bulk"]


def test_stored_set_reads_the_sets_frame(db: Any) -> None:
    res = db.add_measurement_set("Typed X3", formula="Li3N", points=POINTS, fit=FIT, method="EIS",
                                 method_details={"geometry": {"thickness_um": 500.0}},
                                 source_files=[("a.csv", "0" * 64)], note="lab book 4")
    (s,) = db.stored_sets("Typed X3")
    assert (s.set_id, s.name, s.method, s.n_points) == (res.set_id, "Typed X3", "EIS", 2)
    assert s.material_id == res.material_id and s.note == "lab book 4"
    assert s.fit == FIT and s.method_details == {"geometry": {"thickness_um": 500.0}}
    assert s.source_files == [["a.csv", "0" * 64]]
    assert json.loads(json.dumps(s.to_dict()))["fit"] == FIT
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.name = "other"  # type: ignore[misc]


def test_stored_set_never_guesses_a_column(db: Any) -> None:
    """The report read the set's name from whichever of three columns existed; the typed row
    names the one it needs."""
    db.add_measurement_set("Typed X4", formula="Li3N", points=POINTS[:1], method="fit")
    row = db.measurement_sets("Typed X4").iloc[0].drop(labels=["name"])
    with pytest.raises(KeyError, match="name"):
        StoredSet.from_row(row)


def test_campaign_report_json_keeps_its_layout() -> None:
    """Typed task outcomes serialise to the same JSON document the dicts gave (the CLI's
    ``campaign run --json``): same keys, same order, NaN as null."""
    from nitrolyte._json import json_text
    from nitrolyte.simulate.campaign import CampaignReport, FailedTask, TaskOutcome

    nan = float("nan")
    ok = TaskOutcome("a1", 7, 1, "α-Li3N", 700.0, 2.5e-5, 0.12, True, None)
    unknown = TaskOutcome("b2", 8, 0, "α-Li3N", 500.0, nan, nan, False, "no Li hops")
    rep = CampaignReport(out="o", n_tasks=3, n_skipped=0, n_stored=1, n_failed=1, stored=[ok],
                         failed=[FailedTask("c3", "RuntimeError: boom")], unknown=[unknown])
    as_dicts = {"out": "o", "n_tasks": 3, "n_skipped": 0, "n_stored": 1, "n_failed": 1,
                "stored": [{"task_id": "a1", "set_id": 7, "n_points": 1, "material": "α-Li3N",
                            "T_K": 700.0, "D_cm2_s": 2.5e-5, "sigma_S_cm": 0.12,
                            "diffusive": True, "reason": None}],
                "failed": [{"task_id": "c3", "error": "RuntimeError: boom"}],
                "arrhenius": [],
                "unknown": [{"task_id": "b2", "set_id": 8, "n_points": 0, "material": "α-Li3N",
                             "T_K": 500.0, "D_cm2_s": nan, "sigma_S_cm": nan,
                             "diffusive": False, "reason": "no Li hops"}]}
    assert json_text(rep.to_dict()) == json_text(as_dicts)
    assert json.loads(json_text(rep.to_dict()))["unknown"][0]["D_cm2_s"] is None


# --- MD runs and their fits (simulate/pipeline.py, simulate/campaign_fit.py) ---------------------

EA_EV = 0.30
LN_A = 12.0  # ln(σT / (S K/cm)) at 1/T = 0


def _sigma(T_K: float) -> float:
    """Closed-form σT-Arrhenius σ, S/cm: σT = A exp(-Ea / kT)."""
    import math

    from nitrolyte.units import K_B_EV

    return math.exp(LN_A - EA_EV / (K_B_EV * T_K)) / T_K


def _simulation() -> Any:
    """Three answered temperatures on the closed-form law and one unknown, fitted and typed."""
    from md_toy import temperature_run
    from nitrolyte.simulate.pipeline import TransportSimulation, fit_runs

    runs = [temperature_run(T, _sigma(T), 0.02 * _sigma(T), n_hops=50, msd_A2=(2.0, 8.0),
                            literature_sigma_S_cm=1e-3) for T in (600.0, 800.0, 1000.0)]
    runs.insert(0, temperature_run(400.0, reason="2 Li hops (need >= 20)", n_hops=2,
                                   msd_A2=(0.1, 0.3)))
    fit, rt = fit_runs(runs)
    return TransportSimulation(material="α-Li3N (MD)", structure="alpha-Li3N", formula="Li3N",
                               family="Li3N", settings={"ps": 1.0, "supercell": (2, 2, 1)},
                               runs=runs, fit=fit, sigma_25C=rt,
                               literature={"name": "α-Li3N", "ref": "1", "direction": None,
                                           "Ea_eV": 0.29, "sigma_25C_S_cm": 1e-4},
                               stored={"set_id": 3, "n_points": 3}, notes=["n"])


def test_md_fit_reads_the_closed_form_law_from_typed_runs() -> None:
    """The fit skips the unknown run and recovers Ea and σ(25 °C) of σT = A exp(-Ea/kT)."""
    sim = _simulation()
    assert sim.fit.Ea_eV == pytest.approx(EA_EV, rel=1e-9)
    assert (sim.fit.T_min_K, sim.fit.T_max_K) == (600.0, 1000.0)
    assert sim.sigma_25C.T_K == 298.15 and sim.sigma_25C.confidence == 0.95
    assert sim.sigma_25C.sigma_S_cm == pytest.approx(_sigma(298.15), rel=1e-9)
    assert sim.fit.sigma_RT_S_cm == sim.sigma_25C.sigma_S_cm
    assert sim.sigma_25C.lower_S_cm < sim.sigma_25C.sigma_S_cm < sim.sigma_25C.upper_S_cm


def test_md_results_are_frozen() -> None:
    sim = _simulation()
    for obj, name in ((sim, "fit"), (sim.runs[0], "md"), (sim.fit, "T_min_K"),
                      (sim.sigma_25C, "sigma_S_cm"), (sim.runs[0].md, "T_K")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, name, None)


def test_md_simulation_json_is_the_dict_layout_it_replaced() -> None:
    """``nitrolyte md --json`` prints ``TransportSimulation.to_dict()``: the typed runs and fit
    give the same document, byte for byte, as the dicts built before (issue 24 item 2)."""
    from nitrolyte._json import json_text

    sim = _simulation()
    f, rt = sim.fit.arrhenius, sim.sigma_25C
    old_fit = {**f.to_dict(), "law": f.convention, "T_min_K": 600.0, "T_max_K": 1000.0,
               "sigma_RT_S_cm": float(f.predict(298.15).sigma_S_cm[0])}
    old = {"material": sim.material, "structure": sim.structure, "formula": sim.formula,
           "family": sim.family, "settings": sim.settings,
           "runs": [{**r.diffusion.to_dict(), "md": dataclasses.asdict(r.md),
                     "literature_sigma_S_cm": r.literature_sigma_S_cm} for r in sim.runs],
           "fit": old_fit,
           "sigma_25C": {"T_K": 298.15, "sigma_S_cm": rt.sigma_S_cm, "lower_S_cm": rt.lower_S_cm,
                         "upper_S_cm": rt.upper_S_cm, "confidence": 0.95},
           "literature": sim.literature, "stored": sim.stored, "notes": sim.notes}
    assert json_text(sim.to_dict()) == json_text(old)
    assert list(sim.to_dict()["runs"][0])[-2:] == ["md", "literature_sigma_S_cm"]


def test_md_simulation_round_trips_through_its_dict() -> None:
    """A campaign task's result travels as its dict (Dask, ``result.json``) and is read back."""
    from nitrolyte._json import json_text
    from nitrolyte.simulate.pipeline import TransportSimulation

    sim = _simulation()
    doc = json.loads(json_text(sim.to_dict()))  # through JSON: tuples become lists, NaN null
    back = TransportSimulation.from_dict(sim.to_dict())
    assert json_text(back.to_dict()) == json_text(sim.to_dict())
    assert back.fit == sim.fit and back.runs[1] == sim.runs[1] and back.sigma_25C == sim.sigma_25C
    again = TransportSimulation.from_dict({**doc, "runs": doc["runs"][1:]})
    assert again.runs[0].diffusion.msd_A2 == (2.0, 8.0) and again.fit.Ea_eV == sim.fit.Ea_eV
    assert again.fit.arrhenius.covariance == sim.fit.arrhenius.covariance


def test_campaign_fit_json_keeps_its_layout() -> None:
    """``campaign status --json`` / ``campaign run --json``: a typed group fit serialises to the
    dict it replaced (same keys, same order)."""
    from nitrolyte._json import json_text
    from nitrolyte.simulate.campaign import CampaignReport
    from nitrolyte.simulate.campaign_fit import CampaignFit

    rt = _simulation().sigma_25C
    g = CampaignFit("α-Li3N", 0.0, "lj-toy", 3, 3, 0, True, 0.3, 0.01, rt, 12)
    old = {"material": "α-Li3N", "vacancies": 0.0, "potential": "lj-toy", "n_tasks": 3,
           "n_stored": 3, "n_unknown": 0, "complete": True, "Ea_eV": 0.3, "Ea_stderr_eV": 0.01,
           "sigma_25C": {"T_K": 298.15, "sigma_S_cm": rt.sigma_S_cm, "lower_S_cm": rt.lower_S_cm,
                         "upper_S_cm": rt.upper_S_cm, "confidence": 0.95}, "set_id": 12}
    assert json_text(g.to_dict()) == json_text(old)
    rep = CampaignReport(out="o", n_tasks=3, n_skipped=3, n_stored=0, n_failed=0, stored=[],
                         failed=[], arrhenius=[g])
    assert json_text(rep.to_dict()["arrhenius"]) == json_text([old])
    with pytest.raises(dataclasses.FrozenInstanceError):
        g.set_id = None  # type: ignore[misc]
