"""Has a run reached the diffusive regime? The checks that decide whether D is answered at all.

A diffusion coefficient is only a number when the ions have actually diffused: enough hops, a
mean-squared displacement (MSD) that grows linearly in time over a fit window of enough time lags.
Otherwise the answer is *unknown* (NaN with the reason), never a number: a fit to a flat or caged
MSD gives values such as 1e15 cm²/s or a vibrational "D" that says nothing about conduction.

The checks here run on the unwrapped positions before any estimator is asked (kinisi's Bayesian
regression is only run on a trajectory that passes); the MSD computed here is a diagnostic curve
(all time origins, all ions), never fitted for D.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: |MSD log-log slope - 1| below this over the fit window counts as diffusive
DIFFUSIVE_SLOPE_TOLERANCE = 0.2
#: minimum number of hops (all ions, all replicas) for D to be answered
MIN_HOPS = 20
#: a hop: the ion's time-averaged position moves this far (Å) from where it last settled
HOP_LENGTH_A = 1.5
#: positions are averaged over this time (ps) before hops are counted (removes vibrations)
HOP_SMOOTHING_PS = 0.1
#: minimum number of time lags in the fit window
MIN_WINDOW_LAGS = 10
#: the posterior mean must exceed this many standard deviations to count as resolved
MIN_SIGNAL_TO_NOISE = 2.0


@dataclass(frozen=True)
class Regime:
    """Diagnostics of one analysis: hops, diagnostic MSD slope, window, and the verdict.

    ``reasons`` is empty when the run is diffusive; otherwise each entry says which check failed
    with the numbers (e.g. ``"3 Li hops >= 1.5 Å in the run (need >= 20)"``).
    """

    n_hops: int
    msd_time_ps: np.ndarray
    msd_A2: np.ndarray
    msd_exponent: float
    window_lags: int
    reasons: tuple[str, ...]

    @property
    def diffusive(self) -> bool:
        """True when every check passed."""
        return not self.reasons


def unwrapped_positions(frames: list[Any], species: str) -> np.ndarray:
    """Cartesian positions of ``species`` (Å), unwrapped across periodic boundaries.

    Each frame-to-frame step takes the minimum image in fractional coordinates, so the frames
    must be close enough in time that no ion moves half a cell between two of them.
    Returns an array of shape (n_frames, n_ions, 3).
    """
    idx = [i for i, s in enumerate(frames[0].get_chemical_symbols()) if s == species]
    frac = np.stack([f.get_scaled_positions(wrap=False)[idx] for f in frames])
    step = np.diff(frac, axis=0)
    step -= np.round(step)
    frac_u = frac[0] + np.concatenate([np.zeros_like(frac[:1]), np.cumsum(step, axis=0)])
    cells = np.stack([np.asarray(f.cell[:]) for f in frames])
    return np.einsum("tij,tjk->tik", frac_u, cells)


def count_hops(pos: np.ndarray, smooth_frames: int, hop_A: float = HOP_LENGTH_A) -> int:
    """Number of hops in unwrapped positions ``pos`` (n_frames, n_ions, 3), Å.

    Positions are averaged over ``smooth_frames`` consecutive frames (vibrations out); a hop is
    counted each time an ion's averaged position is more than ``hop_A`` from its last resting
    point, which then moves there.
    """
    w = max(1, min(int(smooth_frames), len(pos)))
    kernel = np.cumsum(np.concatenate([np.zeros_like(pos[:1]), pos]), axis=0)
    avg = (kernel[w:] - kernel[:-w]) / w
    anchor, hops = avg[0].copy(), 0
    for p in avg[1:]:
        moved = np.linalg.norm(p - anchor, axis=1) > hop_A
        hops += int(moved.sum())
        anchor[moved] = p[moved]
    return hops


def diagnostic_msd(reps_pos: list[np.ndarray], lags: np.ndarray) -> np.ndarray:
    """MSD (Å²) at each lag (frames), over all time origins, ions and replicas."""
    out = np.empty(len(lags))
    for k, lag in enumerate(lags):
        sq = [np.sum((p[lag:] - p[:-lag]) ** 2, axis=-1).mean() for p in reps_pos]
        out[k] = float(np.mean(sq))
    return out


def msd_exponent(t: np.ndarray, msd: np.ndarray, start: float) -> float:
    """Slope of log MSD against log t from ``start`` on (1 diffusive, 2 ballistic, < 1 caged)."""
    sel = (t >= start) & (msd > 0)
    if sel.sum() < 2:
        return float("nan")
    return float(np.polyfit(np.log(t[sel]), np.log(msd[sel]), 1)[0])


def slope_reason(beta: float, msd_end: float, min_msd_A2: float, what: str = "MSD") -> list[str]:
    """Why an MSD is not diffusive (empty when it is): flat/caged/ballistic, or too small."""
    out = []
    if not abs(beta - 1) < DIFFUSIVE_SLOPE_TOLERANCE:
        kind = "flat" if not beta > 0.3 else ("sub-diffusive" if beta < 1 else "super-diffusive")
        slope = "undefined: zero" if beta != beta else f"{beta:.2f}"
        out.append(f"{what} is {kind} over the fit window (log-log slope {slope}, "
                   f"need 1 ± {DIFFUSIVE_SLOPE_TOLERANCE:g})")
    if not msd_end > min_msd_A2:
        out.append(f"{what} reaches only {msd_end:.2g} Å² (need > {min_msd_A2:g} Å², about one "
                   f"hop)")
    return out


def assess(reps_pos: list[np.ndarray], lags: np.ndarray, dt_frame: float, start: float,
           species: str, min_msd_A2: float, min_hops: int = MIN_HOPS) -> Regime:
    """Run every check of the diffusive regime on unwrapped positions (one array per replica).

    Parameters
    ----------
    reps_pos : list of ndarray
        Unwrapped positions per replica, (n_frames, n_ions, 3), Å.
    lags : ndarray of int
        Time lags in frames; the fit window is the lags with ``lag * dt_frame >= start``.
    dt_frame : float
        Time between frames, ps.
    start : float
        Start of the fit window, ps.
    species : str
        Name of the ion in the messages.
    min_msd_A2 : float
        MSD (Å²) that must be exceeded at the longest lag.
    min_hops : int
        Hops (all ions, all replicas) needed.
    """
    smooth = max(1, round(HOP_SMOOTHING_PS / dt_frame))
    hops = sum(count_hops(p, smooth) for p in reps_pos)
    t = lags * dt_frame
    msd = diagnostic_msd(reps_pos, lags)
    beta = msd_exponent(t, msd, start)
    window = int(np.sum(t >= start))
    reasons = []
    if hops < min_hops:
        reasons.append(f"{hops} {species} hops >= {HOP_LENGTH_A:g} Å in the run (need >= "
                       f"{min_hops})")
    if window < MIN_WINDOW_LAGS:
        reasons.append(f"fit window has {window} time lags (need >= {MIN_WINDOW_LAGS})")
    reasons += slope_reason(beta, float(msd[-1]), min_msd_A2)
    return Regime(n_hops=hops, msd_time_ps=t, msd_A2=msd, msd_exponent=beta,
                  window_lags=window, reasons=tuple(reasons))


def resolved(mean: float, sd: float) -> bool:
    """True when a posterior mean is positive and at least ``MIN_SIGNAL_TO_NOISE`` s.d. from 0."""
    return bool(np.isfinite(mean) and np.isfinite(sd) and mean > MIN_SIGNAL_TO_NOISE * sd
                and mean > 0)


#: framework (non-mobile) atoms: mean-squared displacement (Å²) over the run above which the
#: framework counts as molten or transformed (a solid's vibrational MSD stays well below 1 Å²
#: up to its melting point, Lindemann: RMS ≈ 0.1-0.15 × the bond length of ~2 Å)
FRAMEWORK_MAX_MSD_A2 = 1.0


def framework_reasons(pos: np.ndarray, smooth_frames: int, what: str = "framework"
                      ) -> list[str]:
    """Why a run's framework is not the crystal it started as (empty when it is).

    ``pos``: unwrapped positions (n_frames, n_atoms, 3), Å, of the non-mobile atoms. Two checks:
    no framework atom hops (:func:`count_hops`, ``HOP_LENGTH_A``), and the framework's MSD
    from the first frame, averaged over the last tenth of the run, stays below
    :data:`FRAMEWORK_MAX_MSD_A2` (melting or a phase change moves the framework, not only Li).
    """
    if pos.size == 0 or len(pos) < 2:
        return []
    hops = count_hops(pos, smooth_frames)
    tail = pos[-max(1, len(pos) // 10):]
    msd = float(np.mean(np.sum((tail - pos[0]) ** 2, axis=-1)))
    out = []
    if hops > 0 or not msd < FRAMEWORK_MAX_MSD_A2:
        out.append(f"{what} moved ({hops} hops >= {HOP_LENGTH_A:g} Å, MSD {msd:.2g} Å², "
                   f"allowed 0 hops and < {FRAMEWORK_MAX_MSD_A2:g} Å²): melted or changed phase")
    return out
