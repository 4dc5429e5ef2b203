"""Tracer and collective (charge) diffusion from a trajectory, through kinisi.

The estimator is kinisi's (Bayesian regression of the mean-squared displacement with its
covariance, McCluskey et al., J. Chem. Theory Comput. 2024, 20, 7396): nothing here fits an MSD by
hand. This module turns kinisi's posterior samples into a :class:`DiffusionResult` in nitrolyte's
units with the Nernst-Einstein conductivity, the Haven ratio it implies and diffusive-regime
diagnostics.

A run that has not reached the diffusive regime (too few hops, a flat or caged MSD, a fit window
of too few lags: :mod:`nitrolyte.simulate.regime`) gets no number: D, σ and the Haven ratio are
NaN (JSON ``null``), ``diffusive`` is False and ``reason`` says why. kinisi is not even asked then.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nitrolyte.checks import check_range
from nitrolyte.errors import InputError
from nitrolyte.simulate.regime import (
    DIFFUSIVE_SLOPE_TOLERANCE,
    HOP_LENGTH_A,
    MIN_HOPS,
    assess,
    msd_exponent,
    resolved,
    slope_reason,
    unwrapped_positions,
)

__all__ = ["DIFFUSIVE_SLOPE_TOLERANCE", "DiffusionResult", "analyze_diffusion"]
_NAN = math.nan
#: atoms x frames the analysis reads from trajectory files before it keeps every 2nd, 4th, ...
#: frame: about 2,900 frames of a 2,048-atom cell, ~1.1 GB for the analysis (kinisi included),
#: so a 50 ps, 2,000-atom run (5,001 frames at 10 fs) is read at 20 fs; small cells never are
MAX_ATOM_FRAMES = 6_000_000


@dataclass(frozen=True)
class DiffusionResult:
    """Diffusion coefficients and conductivity of one species at one temperature.

    Attributes
    ----------
    D_cm2_s, D_cm2_s_stderr : float
        Tracer (self) diffusion coefficient :math:`D^*` and its posterior standard deviation, cm²/s.
    D_sigma_cm2_s, D_sigma_cm2_s_stderr : float
        Collective (charge) diffusion coefficient :math:`D_\\sigma` from the mean-squared charge
        displacement, cm²/s.
    sigma_S_cm, sigma_S_cm_stderr : float
        Nernst-Einstein conductivity from :math:`D^*`, S/cm (Haven ratio 1 assumed).
    sigma_collective_S_cm, sigma_collective_S_cm_stderr : float
        Conductivity from :math:`D_\\sigma` (kinisi), S/cm (includes ion-ion correlations).
    haven_ratio, haven_ratio_stderr : float
        :math:`H_R = D^*/D_\\sigma` (error propagated from the two standard deviations).
    msd_exponent : float
        Slope of log MSD vs log t over the fit window (1 in the diffusive regime).
    msd_intercept_A2 : float
        Intercept of kinisi's straight line MSD = 6 D* t + c, Å² (posterior mean).
    diffusive : bool
        True when the run reached the diffusive regime: at least ``min_hops`` hops of at least
        ``hop_A`` Å, ``|msd_exponent - 1| < 0.2`` over a window of >= 10 lags, an MSD at the end
        of the window above ``min_msd_A2``, and a tracer D resolved from zero (> 2 s.d.).
        When False, every D, σ and Haven value is NaN: the answer is *unknown*.
    reason : str or None
        Why the run is not diffusive (all failed checks, "; "-separated); None when it is.
    collective_reason : str or None
        Why the collective D (and σ collective, Haven ratio) is NaN when the tracer D is not.
    n_hops : int
        Hops counted (all ions, all replicas; :func:`nitrolyte.simulate.regime.count_hops`).
    frame_stride : int
        Every how many stored frames were analysed: 1, or a power of 2 when the trajectory files
        held more than :data:`MAX_ATOM_FRAMES` atom-frames (``n_frames`` and
        ``frame_interval_ps`` are then those of the analysed frames).
    """

    species: str
    T_K: float
    estimator: str
    n_frames: int
    n_replicas: int
    n_ions: int
    volume_A3: float
    frame_interval_ps: float
    start_ps: float
    max_lag_ps: float
    D_cm2_s: float
    D_cm2_s_stderr: float
    D_sigma_cm2_s: float
    D_sigma_cm2_s_stderr: float
    sigma_S_cm: float
    sigma_S_cm_stderr: float
    sigma_collective_S_cm: float
    sigma_collective_S_cm_stderr: float
    haven_ratio: float
    haven_ratio_stderr: float
    msd_exponent: float
    msd_intercept_A2: float
    diffusive: bool
    reason: str | None
    collective_reason: str | None
    n_hops: int
    min_hops: int
    hop_A: float
    min_msd_A2: float
    msd_time_ps: tuple[float, ...]
    msd_A2: tuple[float, ...]
    msd_A2_stderr: tuple[float, ...]
    frame_stride: int = 1

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the MSD curve as lists)."""
        out = asdict(self)
        for key in ("msd_time_ps", "msd_A2", "msd_A2_stderr"):
            out[key] = list(out[key])
        return out


def _ne_factor(n_ions: int, volume_A3: float, T_K: float, charge: int) -> float:
    """σ/D* of the Nernst-Einstein relation (:func:`nitrolyte.transport.sigma_from_D`), S s/cm³."""
    from nitrolyte.transport.microscopic import sigma_from_D

    return float(sigma_from_D(1.0, n_ions / (volume_A3 * 1e-24), T_K, z=charge))


def _as_replicas(trajectories: Any) -> tuple[list[list[Any]], int]:
    """Replicas as lists of frames, and the frame stride files were read with (lists: 1)."""
    from nitrolyte.simulate.trajectory import read_frames_bounded

    if isinstance(trajectories, str | Path):
        trajectories = [trajectories]
    if trajectories and not isinstance(trajectories[0], str | Path | list | tuple):
        trajectories = [trajectories]  # one list of Atoms
    if not trajectories:
        raise InputError("no trajectory given")
    budget = MAX_ATOM_FRAMES // len(trajectories)
    read = [read_frames_bounded(t, max_atom_frames=budget) if isinstance(t, str | Path)
            else (list(t), 1) for t in trajectories]
    stride = max(k for _, k in read)
    reps = [frames[::stride // k] for frames, k in read]
    n = min(len(r) for r in reps)
    if any(len(r[0]) != len(reps[0][0]) for r in reps):
        raise InputError("replica trajectories must have the same number of atoms")
    return [r[:n] for r in reps], stride


def _lags(n_frames: int, max_lag_fraction: float, n_points: int) -> np.ndarray:
    max_lag = max(2, int(n_frames * max_lag_fraction))
    return np.unique(np.linspace(1, max_lag, min(n_points, max_lag)).astype(int))


def _count_ions(reps: list[list[Any]], species: str) -> int:
    first = reps[0][0]
    n_ions = int(sum(1 for s in first.get_chemical_symbols() if s == species))
    if n_ions == 0:
        raise InputError(f"species {species!r} is not in the trajectory (elements: "
                         f"{', '.join(sorted(set(first.get_chemical_symbols())))})")
    if len(reps[0]) < 5:
        raise InputError(f"a trajectory needs at least 5 frames for a diffusion fit, "
                         f"got {len(reps[0])}")
    return n_ions


def _run_kinisi(reps: list[list[Any]], species: str, dt_frame: float, times: np.ndarray,
                start: float, T: float, charge: int, seed: int) -> tuple[Any, Any]:
    """kinisi's tracer (MSD) and conductivity (MSCD) analyses, Bayesian slopes sampled."""
    import scipp as sc
    from kinisi.analyze import ConductivityAnalyzer, DiffusionAnalyzer

    from nitrolyte.simulate.kinisi_memory import install, lighten

    install()  # kinisi's unwrapping over blocks of frames: same numbers, bounded memory
    kw = dict(specie=species, time_step=sc.scalar(dt_frame, unit="ps"),
              step_skip=sc.scalar(1, unit=sc.units.dimensionless),
              dt=sc.array(dims=["time interval"], values=times, unit="ps"), progress=False,
              dtype="identical" if len(reps) > 1 else None)
    traj = reps if len(reps) > 1 else reps[0]
    start_sc = sc.scalar(start, unit="ps")
    tracer = lighten(DiffusionAnalyzer.from_ase(traj, **kw))
    tracer.diffusion(start_sc, progress=False, random_state=np.random.RandomState(seed))
    coll = lighten(ConductivityAnalyzer.from_ase(traj, ionic_charge=sc.scalar(charge, unit="e"),
                                                 system_particles=len(reps), **kw))
    coll.conductivity(start_sc, sc.scalar(T, unit="K"), progress=False,
                      random_state=np.random.RandomState(seed + 1))
    return tracer, coll


def _stats(samples: Any) -> tuple[float, float]:
    arr = np.asarray(samples, dtype=float).ravel()
    return float(np.mean(arr)), float(np.std(arr, ddof=1))


def _estimate(reps: list[list[Any]], species: str, dt_frame: float, times: np.ndarray,
              start: float, T: float, charge: int, seed: int, factor: float,
              min_msd_A2: float) -> dict[str, Any]:
    """kinisi's estimates in nitrolyte's units, with the checks that need them."""
    import scipp as sc

    tracer, coll = _run_kinisi(reps, species, dt_frame, times, start, T, charge, seed)
    D = sc.to_unit(tracer.D, "cm^2/s").values
    sig_c = sc.to_unit(coll.sigma, "S/cm").values
    msd = tracer.msd
    t_msd = np.asarray(msd.coords["time interval"].values if hasattr(msd, "coords")
                       else tracer.dt.values, dtype=float)
    msd_v = np.asarray(msd.values, dtype=float)
    beta = msd_exponent(t_msd, msd_v, start)
    (d, d_e), (ds, ds_e), (sc_, sc_e) = _stats(D), _stats(sig_c / factor), _stats(sig_c)
    ne = _stats(factor * np.asarray(D))
    reasons = slope_reason(beta, float(msd_v[-1]), min_msd_A2, "kinisi's MSD")
    if not resolved(d, d_e):
        reasons.append(f"tracer D not resolved from zero ({d:.2g} ± {d_e:.2g} cm²/s)")
    out = dict(D_cm2_s=d, D_cm2_s_stderr=d_e, sigma_S_cm=ne[0], sigma_S_cm_stderr=ne[1],
               D_sigma_cm2_s=ds, D_sigma_cm2_s_stderr=ds_e, sigma_collective_S_cm=sc_,
               sigma_collective_S_cm_stderr=sc_e, msd_exponent=beta,
               msd_intercept_A2=float(np.mean(tracer.intercept.values)),
               msd_time_ps=t_msd, msd_A2=msd_v,
               msd_A2_stderr=np.sqrt(np.asarray(msd.variances, dtype=float)),
               reason="; ".join(reasons) or None, collective_reason=None)
    if not resolved(ds, ds_e):
        out["collective_reason"] = (f"collective D not resolved from zero ({ds:.2g} ± "
                                    f"{ds_e:.2g} cm²/s); pool replicas or run longer")
    return out


_UNKNOWN = dict.fromkeys(
    ("D_cm2_s", "D_cm2_s_stderr", "sigma_S_cm", "sigma_S_cm_stderr", "D_sigma_cm2_s",
     "D_sigma_cm2_s_stderr", "sigma_collective_S_cm", "sigma_collective_S_cm_stderr",
     "haven_ratio", "haven_ratio_stderr", "msd_intercept_A2"), _NAN)
_COLLECTIVE = ("D_sigma_cm2_s", "D_sigma_cm2_s_stderr", "sigma_collective_S_cm",
               "sigma_collective_S_cm_stderr", "haven_ratio", "haven_ratio_stderr")


def _haven(v: dict[str, Any]) -> tuple[float, float]:
    d, d_e, ds, ds_e = (v[k] for k in ("D_cm2_s", "D_cm2_s_stderr", "D_sigma_cm2_s",
                                       "D_sigma_cm2_s_stderr"))
    if not (ds > 0 and d > 0):
        return _NAN, _NAN
    h = d / ds
    return h, abs(h) * math.hypot(d_e / d, ds_e / ds)


def analyze_diffusion(
    trajectories: str | Path | Sequence[Any],
    *,
    species: str = "Li",
    frame_interval_ps: float,
    T_K: float,
    charge: int = 1,
    start_ps: float | None = None,
    max_lag_fraction: float = 0.5,
    n_points: int = 100,
    min_msd_A2: float = 4.0,
    min_hops: int = MIN_HOPS,
    seed: int = 0,
) -> DiffusionResult:
    """Tracer and collective diffusion, Nernst-Einstein σ and Haven ratio of ``species``.

    Parameters
    ----------
    trajectories : path, list of ase.Atoms, or a list of either
        One trajectory, or several independent replicas of the same system (same atoms; pooled:
        tracer over all ions, collective as one system per replica).
    species : str
        Element symbol of the mobile ion.
    frame_interval_ps : float
        Time between stored frames, ps (1e-4 to 1e4).
    T_K : float
        Temperature of the run, K (for the conductivities; 0 < T <= 1e4).
    charge : int
        Charge number of the ion (1 for Li+).
    start_ps : float, optional
        Start of the fit window (the diffusive regime), ps; default 20 % of the longest lag.
    max_lag_fraction : float
        Longest time lag as a fraction of the run (0 < f <= 1; default 0.5).
    n_points : int
        Number of time lags evaluated (linearly spaced frames).
    min_msd_A2 : float
        MSD (Å²) the ions must exceed at the end of the window for ``diffusive`` to be True.
    min_hops : int
        Hops (all ions, all replicas) needed for ``diffusive`` (default 20: D from N hops has a
        relative error of about 1/sqrt(N)).
    seed : int
        Seed of kinisi's MCMC sampler (results are reproducible).

    Returns
    -------
    DiffusionResult
        With NaN for every D, σ and Haven value, ``diffusive=False`` and ``reason`` when the run
        did not reach the diffusive regime (see :mod:`nitrolyte.simulate.regime`).
    """
    import kinisi

    # 0.1 fs to 10 ns between frames, up to 10 000 K: a 1.8e308 fs interval crashed kinisi
    dt_stored = float(check_range("frame_interval_ps", frame_interval_ps, lo=1e-4, hi=1e4))
    T = float(check_range("T_K", T_K, lo=0.0, hi=1e4, lo_inclusive=False))
    check_range("max_lag_fraction", max_lag_fraction, lo=0.0, hi=1.0, lo_inclusive=False)
    check_range("min_hops", min_hops, lo=0)
    reps, stride = _as_replicas(trajectories)
    dt_frame = dt_stored * stride
    n_ions, n_frames = _count_ions(reps, species), len(reps[0])
    lags = _lags(n_frames, max_lag_fraction, n_points)
    times = lags * dt_frame
    start = float(start_ps) if start_ps is not None else 0.2 * float(times[-1])
    check_range("start_ps", start, lo=0.0, hi=float(times[-2]), lo_inclusive=False)
    volume = float(np.mean([abs(np.linalg.det(f.cell[:])) for f in reps[0]]))
    regime = assess([unwrapped_positions(r, species) for r in reps], lags, dt_frame, start,
                    species, min_msd_A2, int(min_hops))
    if regime.diffusive:
        values = _estimate(reps, species, dt_frame, times, start, T, charge, seed,
                           _ne_factor(n_ions, volume, T, charge), min_msd_A2)
        values["haven_ratio"], values["haven_ratio_stderr"] = _haven(values)
        if values["collective_reason"]:
            values.update(dict.fromkeys(_COLLECTIVE, _NAN))
        if values["reason"]:
            values.update(_UNKNOWN)
    else:
        values = {**_UNKNOWN, "msd_exponent": regime.msd_exponent,
                  "msd_time_ps": regime.msd_time_ps, "msd_A2": regime.msd_A2,
                  "msd_A2_stderr": np.full(len(regime.msd_A2), _NAN),
                  "reason": "; ".join(regime.reasons), "collective_reason": None}
    curve = {k: tuple(map(float, values.pop(k))) for k in ("msd_time_ps", "msd_A2",
                                                          "msd_A2_stderr")}
    return DiffusionResult(
        species=species, T_K=T, estimator=f"kinisi {kinisi.__version__}", n_frames=n_frames,
        n_replicas=len(reps), n_ions=n_ions, volume_A3=volume, frame_interval_ps=dt_frame,
        start_ps=start, max_lag_ps=float(times[-1]), diffusive=values["reason"] is None,
        n_hops=regime.n_hops, min_hops=int(min_hops), hop_A=HOP_LENGTH_A,
        min_msd_A2=float(min_msd_A2), frame_stride=stride, **values, **curve)
