"""Vectorised sweeps: shapes, agreement with single designs, frame and grid outputs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nitrolyte.cell import SweepGrid, pouch_cell, sweep
from nitrolyte.errors import InputError


def test_frame_is_the_outer_product_and_matches_single_designs():
    q, t, n_p = [2.0, 4.0, 10.0], [10.0, 100.0], [1.0, 10.0]
    frame = sweep(areal_capacity_mAh_cm2=q, sse_um=t, n_p=n_p, catholyte="LGPS")
    assert len(frame) == 12
    assert list(frame.columns[:3]) == ["areal_capacity_mAh_cm2", "sse_um", "n_p"]
    for row in frame.itertuples():
        single = pouch_cell(areal_capacity_mAh_cm2=row.areal_capacity_mAh_cm2,
                            catholyte_um=row.sse_um, nitride_um=row.sse_um, n_p=row.n_p,
                            catholyte="LGPS")
        assert row.gravimetric_Wh_kg == pytest.approx(single.gravimetric_Wh_kg, rel=1e-14)
        assert row.volumetric_Wh_L == pytest.approx(single.volumetric_Wh_L, rel=1e-14)


def test_grid_output():
    grid = sweep("grid", areal_capacity_mAh_cm2=np.linspace(1, 10, 4), nitride_um=[5, 50, 500],
                 layers=True)
    assert isinstance(grid, SweepGrid)
    assert grid.dims == ("areal_capacity_mAh_cm2", "nitride_um") and grid.shape == (4, 3)
    assert grid.data["gravimetric_Wh_kg"].shape == (4, 3)
    assert grid.data["mass_nitride_mg_cm2"][0] == pytest.approx([0.635, 6.35, 63.5])
    # energy density falls along the thickness axis and rises along the capacity axis
    g = grid.data["gravimetric_Wh_kg"]
    assert (np.diff(g, axis=1) < 0).all() and (np.diff(g, axis=0) > 0).all()
    assert len(grid.to_frame()) == 12
    d = json.loads(json.dumps(grid.to_dict()))
    assert d["coords"]["nitride_um"]["unit"] == "um"


def test_million_designs_is_an_ordinary_call():
    axis = np.linspace(1.0, 10.0, 100)
    grid = sweep("grid", areal_capacity_mAh_cm2=axis, sse_um=np.linspace(0, 200, 100),
                 n_p=np.linspace(0, 10, 100))
    assert grid.data["gravimetric_Wh_kg"].size == 10**6
    assert np.isfinite(grid.data["gravimetric_Wh_kg"]).all()


def test_no_axis_gives_one_row():
    frame = sweep(areal_capacity_mAh_cm2=4)
    assert len(frame) == 1
    assert frame["gravimetric_Wh_kg"].iloc[0] == pytest.approx(pouch_cell().gravimetric_Wh_kg)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"output": "xarray"}, r"output must be 'frame' or 'grid', got 'xarray'"),
    ({"sse_um": []}, r"axis sse_um is empty"),
    ({"sse_um": [[1, 2], [3, 4]]}, r"sse_um must be a scalar or a 1-D sequence, got 2-D"),
    ({"sse_um": [10, -10]}, r"(sse|catholyte)_um must be >= 0 and <= 10000, got array with min -10"),
])
def test_bad_sweeps(kwargs, message):
    with pytest.raises(InputError, match=message):
        sweep(**kwargs)
