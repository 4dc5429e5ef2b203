"""Typed MD results built by hand (no MD run): :class:`TemperatureRun` with given T, σ, hops."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

NAN = float("nan")


def md_run(T_K: float, **over: Any) -> Any:
    """An :class:`~nitrolyte.simulate.md.MDRun` of a 32-atom lj-toy cell at ``T_K``."""
    from nitrolyte.simulate.md import MDRun

    base = {"trajectory": f"md_{T_K:g}K_seed3.extxyz", "formula": "Li3N", "n_atoms": 32,
            "T_K": T_K, "timestep_fs": 1.0, "equilibration_ps": 0.1, "production_ps": 1.0,
            "frame_interval_ps": 0.01, "n_frames": 101, "seed": 3, "device": "cpu",
            "potential": "lj-toy", "model_version": "1", "thermostat": "Langevin",
            "mean_T_K": T_K, "wall_s": 2.0, "atom_steps_per_s": 1.76e4}
    return MDRun(**{**base, **over})


def temperature_run(T_K: float, sigma_S_cm: float = NAN, sigma_stderr_S_cm: float = NAN, *,
                    reason: str | None = None, n_hops: int = 0,
                    msd_A2: tuple[float, ...] = (), literature_sigma_S_cm: float | None = None
                    ) -> Any:
    """A :class:`~nitrolyte.simulate.pipeline.TemperatureRun`: diffusive when ``reason`` is None
    (other D, σ and Haven fields NaN)."""
    from nitrolyte.simulate.diffusion import DiffusionResult
    from nitrolyte.simulate.pipeline import TemperatureRun

    d: dict[str, Any] = {f.name: NAN for f in fields(DiffusionResult) if f.name != "frame_stride"}
    d.update(species="Li", T_K=T_K, estimator="kinisi", n_frames=101, n_replicas=1, n_ions=24,
             sigma_S_cm=sigma_S_cm, sigma_S_cm_stderr=sigma_stderr_S_cm,
             diffusive=reason is None, reason=reason, collective_reason=None, n_hops=n_hops,
             min_hops=20, msd_time_ps=tuple(0.1 * (i + 1) for i in range(len(msd_A2))),
             msd_A2=msd_A2, msd_A2_stderr=tuple(0.1 * m for m in msd_A2))
    return TemperatureRun(DiffusionResult(**d), md_run(T_K), literature_sigma_S_cm)
