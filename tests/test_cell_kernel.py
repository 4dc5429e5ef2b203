"""The fused one-pass kernel (nitrolyte.cell.kernel) gives the numpy model's numbers exactly."""

from __future__ import annotations

import numpy as np
import pytest

from nitrolyte.cell import PouchCell, sweep
from nitrolyte.cell.kernel import MIN_SIZE, OUTPUTS, usable
from nitrolyte.errors import InputError

N = MIN_SIZE + 17


def _random(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"areal_capacity_mAh_cm2": rng.uniform(0.5, 10, N),
            "catholyte_um": rng.uniform(0, 200, N), "nitride_um": rng.uniform(0, 200, N),
            "n_p": rng.uniform(0, 10, N)}


@pytest.mark.parametrize("options", [
    {},
    {"sides": "double", "al_um": 8.0, "cu_um": 4.0},
    {"anode": "anode-free"},
    {"packaging_mass_fraction": 0.2, "packaging_mg_cm2": 1.5, "packaging_um": 30.0,
     "cathode_porosity": 0.2, "nitride_porosity": 0.1, "catholyte_porosity": 0.05},
    {"catholyte": "LGPS", "active_fraction": 0.8, "capacity_basis": "theoretical"},
    {"cathode": "LFP"},  # no density: volumetric NaN on both paths
])
def test_kernel_equals_the_numpy_model(options: dict) -> None:
    designs = _random()
    cell = PouchCell(**designs, **options)
    assert usable(cell.filled(), (N,))
    fast = cell.evaluate()
    slow = cell._evaluate_numpy()
    for key in OUTPUTS:
        np.testing.assert_allclose(getattr(fast, key), getattr(slow, key), rtol=1e-12,
                                   equal_nan=True, err_msg=key)
    for layer in ("al", "nitride", "lithium", "packaging"):
        np.testing.assert_allclose(fast.layer_mass_mg_cm2[layer], slow.layer_mass_mg_cm2[layer],
                                   rtol=1e-12)
    assert fast.notes == slow.notes


def test_review_value_through_the_kernel() -> None:
    """351 Wh/kg for 4 mAh/cm2, 20+20 um (the pouch_cell doctest), in a large batch."""
    q = np.full(N, 4.0)
    out = PouchCell(areal_capacity_mAh_cm2=q, catholyte_um=20.0, nitride_um=20.0).evaluate()
    assert out.gravimetric_Wh_kg[-1] == pytest.approx(351.4, abs=0.05)


@pytest.mark.parametrize(("key", "bad", "message"), [
    ("catholyte_um", -1.0, "catholyte_um must be >= 0"),
    ("nitride_um", np.inf, "nitride_um must be >= 0 and <= 10000, got array with min inf"),
    ("areal_capacity_mAh_cm2", 0.0, "areal_capacity_mAh_cm2 must be > 0"),
    ("n_p", np.nan, "n_p must be a number, got NaN"),
])
def test_one_bad_design_is_named(key: str, bad: float, message: str) -> None:
    designs = _random(1)
    designs[key][N // 2] = bad
    with pytest.raises(InputError, match=message):
        PouchCell(**designs).evaluate()


def test_scalar_parameters_are_checked_too() -> None:
    with pytest.raises(InputError, match="al_um must be >= 0 and <= 1000, got inf"):
        PouchCell(**_random(), al_um=np.inf).evaluate()


def test_outputs_are_written_in_place() -> None:
    designs = _random(2)
    out = tuple(np.empty(N) for _ in OUTPUTS)
    result = PouchCell(**designs).evaluate(out=out)
    assert result.gravimetric_Wh_kg is out[0] and np.isfinite(out[0]).all()


def test_sweep_frame_equals_grid_and_kernel_equals_numpy() -> None:
    axes = {"areal_capacity_mAh_cm2": np.linspace(1, 10, 50), "sse_um": np.linspace(0, 200, 40),
            "n_p": np.linspace(0, 10, 40)}  # 80 000 designs: the kernel path
    grid = sweep("grid", **axes)
    frame = sweep("frame", **axes)
    np.testing.assert_allclose(frame.to_numpy(), grid.to_frame().to_numpy(), rtol=1e-12)
    small = sweep("grid", **{k: v[::4] for k, v in axes.items()})  # numpy path
    np.testing.assert_allclose(grid.data["gravimetric_Wh_kg"][::4, ::4, ::4],
                               small.data["gravimetric_Wh_kg"], rtol=1e-12)


def test_four_swept_axes_fall_back_to_numpy() -> None:
    axes = {"areal_capacity_mAh_cm2": np.linspace(1, 10, 20), "catholyte_um": np.linspace(0, 50, 20),
            "nitride_um": np.linspace(0, 50, 20), "n_p": np.linspace(0, 5, 10)}
    frame = sweep("frame", **axes)
    assert len(frame) == 80_000 and np.isfinite(frame["gravimetric_Wh_kg"]).all()
