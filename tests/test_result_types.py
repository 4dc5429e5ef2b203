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
