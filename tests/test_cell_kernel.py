"""The fused one-pass kernel (nitrolyte.cell.kernel) gives the numpy model's numbers exactly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nitrolyte.cell import PouchCell, sweep
from nitrolyte.cell.kernel import MIN_SIZE, OUTPUTS, coefficients, proven_valid, usable
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


# ----------------------------------------------- checks hoisted out of the loop (issue 24 item 6)
_SCALARS = st.fixed_dictionaries({
    "al_um": st.floats(0, 1000), "cu_um": st.floats(0, 1000), "active_fraction": st.floats(0.05, 1),
    "cathode_porosity": st.floats(0, 0.9), "catholyte_porosity": st.floats(0, 0.9),
    "nitride_porosity": st.floats(0, 0.9), "packaging_mass_fraction": st.floats(0, 0.9),
    "packaging_mg_cm2": st.floats(0, 1000), "packaging_um": st.floats(0, 10_000),
    "sides": st.sampled_from(["single", "double"]),
    "anode": st.sampled_from(["lithium", "anode-free"])})


@settings(max_examples=15, deadline=None)
@given(options=_SCALARS, seed=st.integers(0, 2**32 - 1),
       q_top=st.floats(1e-3, 100), t_top=st.floats(0, 10_000), np_top=st.floats(0, 100))
def test_kernel_equals_the_reference_formula_on_random_valid_designs(
        options: dict, seed: int, q_top: float, t_top: float, np_top: float) -> None:
    """Any valid design, anywhere in the allowed ranges, gives the layer-by-layer numpy model's
    numbers (``stack``, the reference formula) through the check-free loop, and the per-design
    checks it skips would have passed."""
    rng = np.random.default_rng(seed)
    designs = {"areal_capacity_mAh_cm2": rng.uniform(q_top / 1e3, q_top, N),
               "catholyte_um": rng.uniform(0, t_top, N), "nitride_um": rng.uniform(0, t_top, N),
               "n_p": rng.uniform(0, np_top, N)}
    cell = PouchCell(**designs, **options)
    fast, slow = cell.evaluate(), cell._evaluate_numpy()
    for key in OUTPUTS:
        np.testing.assert_allclose(getattr(fast, key), getattr(slow, key), rtol=1e-12,
                                   err_msg=key)


def test_sweep_axes_are_checked_before_the_loop() -> None:
    """A bad value on a sweep axis is named, and a valid sweep is proven valid from the axes'
    min and max alone (the check-free loop runs)."""
    p = PouchCell(areal_capacity_mAh_cm2=np.linspace(1, 10, 300)[:, None],
                  nitride_um=np.linspace(0, 200, 300)).filled()
    assert proven_valid(p, coefficients(p, 1.0))
    with pytest.raises(InputError, match="n_p must be >= 0 and <= 100"):
        sweep("grid", areal_capacity_mAh_cm2=np.linspace(1, 10, 300),
              n_p=np.linspace(0, 101, 300))


def test_an_unprovable_batch_falls_back_to_the_per_design_checks() -> None:
    """Designs whose min/max bound cannot prove the mass positive (no foils, no packaging, the
    smallest capacity with zero thickness) but that are each valid still evaluate, through the
    checked loop, to the numpy model's numbers."""
    designs = _random(3)
    designs["areal_capacity_mAh_cm2"][:2] = 5e-324  # the bound underflows to mass 0
    designs["catholyte_um"][0] = designs["nitride_um"][0] = 1.0
    designs["catholyte_um"][1] = designs["nitride_um"][1] = 1.0
    designs["catholyte_um"][2] = designs["nitride_um"][2] = designs["n_p"][2] = 0.0
    cell = PouchCell(**designs, al_um=0.0, cu_um=0.0, cathode_capacity_mAh_g=4000.0,
                     active_fraction=1.0)
    p = cell.filled()
    assert not proven_valid(p, coefficients(p, 1.0))
    fast, slow = cell.evaluate(), cell._evaluate_numpy()
    np.testing.assert_allclose(fast.mass_mg_cm2, slow.mass_mg_cm2, rtol=1e-12)
