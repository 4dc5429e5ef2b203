"""The pouch-cell model as one fused kernel: every output in a single pass.

:meth:`nitrolyte.cell.PouchCell.evaluate` on large arrays calls :func:`evaluate_arrays`: a numba
loop that reads each design's parameters once and writes the five outputs (gravimetric and
volumetric energy density, areal energy, mass, thickness) into preallocated arrays; the inputs
are broadcast views (sweep axes, scalars), never copied.

The range checks are hoisted out of the loop: each per-design parameter is checked on its own
(un-broadcast) array by its min and max, and the model, monotone in every input, is bounded by
its value at those extremes, which proves that no design's mass or energy overflows. Only when
that proof fails does the loop run with a check per design (:func:`_checked_kernel`); the usual
per-parameter checks then name the offending parameter. Memory beyond inputs and outputs: none.

The kernel is compiled on first use (cached on disk by numba); small inputs never import numba.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

#: the per-design parameters the kernel reads element by element (any broadcastable shape)
MAIN = ("areal_capacity_mAh_cm2", "catholyte_um", "nitride_um", "n_p")
#: numeric PouchCell parameters folded into scalar coefficients (must be scalars for the kernel)
SCALARS = ("al_um", "cu_um", "cathode_capacity_mAh_g", "voltage_V", "active_fraction",
           "li_capacity_mAh_g", "packaging_mass_fraction", "packaging_mg_cm2", "packaging_um",
           "cathode_porosity", "catholyte_porosity", "nitride_porosity", "cathode_density_g_cm3",
           "composite_sse_density_g_cm3", "catholyte_density_g_cm3", "nitride_density_g_cm3",
           "li_density_g_cm3", "al_density_g_cm3", "cu_density_g_cm3")
#: kernel outputs, in order (the CellResult fields)
OUTPUTS = ("gravimetric_Wh_kg", "volumetric_Wh_L", "energy_mWh_cm2", "mass_mg_cm2",
           "thickness_um")
#: below this many designs the plain numpy path is used (no numba import, no compilation)
MIN_SIZE = 1 << 16


def coefficients(p: dict[str, Any], share: float) -> np.ndarray:
    r"""The model folded into 10 scalars, so that per design it is linear in Q, t, N/P.

    .. math:: M = (A + Q\,(B + E\,N/P) + C\,t_{cath} + D\,t_{nit}) / (1 - f_{pack}), \quad
              L = G + Q\,(H + J\,N/P) + t_{cath} + t_{nit}, \quad E_{areal} = Q\,V
    """
    cap, w, cap_li = p["cathode_capacity_mAh_g"], p["active_fraction"], p["li_capacity_mAh_g"]
    rho_cath = p["cathode_density_g_cm3"]
    rho_cath = math.nan if rho_cath is None else rho_cath
    a = 0.1 * share * (p["al_density_g_cm3"] * p["al_um"] + p["cu_density_g_cm3"] * p["cu_um"]) \
        + p["packaging_mg_cm2"]
    h = 10.0 * (1000.0 / cap / rho_cath + 1000.0 / cap * (1.0 - w) / w
                / p["composite_sse_density_g_cm3"]) / (1.0 - p["cathode_porosity"])
    return np.array([
        a, 1000.0 / (cap * w), 0.1 * p["catholyte_density_g_cm3"] * (1 - p["catholyte_porosity"]),
        0.1 * p["nitride_density_g_cm3"] * (1 - p["nitride_porosity"]), 1000.0 / cap_li,
        1.0 / (1.0 - p["packaging_mass_fraction"]),
        share * (p["al_um"] + p["cu_um"]) + p["packaging_um"], h,
        10.0 * 1000.0 / cap_li / p["li_density_g_cm3"], p["voltage_V"]], dtype=float)


def _kernel(q: np.ndarray, t_c: np.ndarray, t_n: np.ndarray, n_p: np.ndarray, k: np.ndarray,
            grav: np.ndarray, vol: np.ndarray, energy: np.ndarray, mass: np.ndarray,
            thick: np.ndarray) -> None:  # pragma: no cover - compiled by numba
    """One pass over 3-D (broadcast) inputs already known valid: all five outputs, no checks."""
    a, b, c, d, e, inv_f, g, h, j, volt = k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8], k[9]
    n0, n1, n2 = grav.shape
    for i0 in range(n0):
        for i1 in range(n1):
            for i2 in range(n2):
                qi, tc, tn, npi = q[i0, i1, i2], t_c[i0, i1, i2], t_n[i0, i1, i2], n_p[i0, i1, i2]
                en = qi * volt
                m = (a + qi * (b + e * npi) + c * tc + d * tn) * inv_f
                t = g + qi * (h + j * npi) + tc + tn
                grav[i0, i1, i2] = 1000.0 * en / m
                vol[i0, i1, i2] = 1e4 * en / t
                energy[i0, i1, i2] = en
                mass[i0, i1, i2] = m
                thick[i0, i1, i2] = t


def _checked_kernel(q: np.ndarray, t_c: np.ndarray, t_n: np.ndarray, n_p: np.ndarray,
                    k: np.ndarray, hi: np.ndarray, grav: np.ndarray, vol: np.ndarray,
                    energy: np.ndarray, mass: np.ndarray,
                    thick: np.ndarray) -> int:  # pragma: no cover - compiled by numba
    """:func:`_kernel` with a check per design; returns #invalid (the slow path).

    ``hi``: the upper limits of :data:`MAIN` (:data:`nitrolyte.cell.limits.DESIGN_LIMITS`)."""
    a, b, c, d, e, inv_f, g, h, j, volt = k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8], k[9]
    bad = 0
    n0, n1, n2 = grav.shape
    for i0 in range(n0):
        for i1 in range(n1):
            for i2 in range(n2):
                qi, tc, tn, npi = q[i0, i1, i2], t_c[i0, i1, i2], t_n[i0, i1, i2], n_p[i0, i1, i2]
                if not (0.0 < qi <= hi[0] and 0.0 <= tc <= hi[1] and 0.0 <= tn <= hi[2]
                        and 0.0 <= npi <= hi[3]):
                    bad += 1
                en = qi * volt
                m = (a + qi * (b + e * npi) + c * tc + d * tn) * inv_f
                t = g + qi * (h + j * npi) + tc + tn
                if not (0.0 < m < np.inf and en < np.inf):
                    bad += 1  # overflow: extreme magnitudes
                grav[i0, i1, i2] = 1000.0 * en / m
                vol[i0, i1, i2] = 1e4 * en / t
                energy[i0, i1, i2] = en
                mass[i0, i1, i2] = m
                thick[i0, i1, i2] = t
    return bad


def proven_valid(p: dict[str, Any], k: np.ndarray) -> bool:
    r"""True when every design is in range and none overflows, from the inputs' min and max.

    Each :data:`MAIN` array is checked on its own (its size, not the designs'); the mass
    :math:`M` and energy :math:`QV` grow monotonically with Q, t and N/P (coefficients >= 0,
    and rounded IEEE operations keep that order), so :math:`0 < M(\min)` and
    :math:`M(\max), Q_{max}V < \infty` hold for every design. False means: check per design.
    """
    lo, hi = [], []
    for key, top in zip(MAIN, upper_limits(), strict=True):
        values = np.asarray(p[key], dtype=float)
        lo.append(float(values.min()))
        hi.append(float(values.max()))
        if not (lo[-1] >= 0.0 and hi[-1] <= top):  # NaN fails too
            return False
    a, b, c, d, e, inv_f, _, _, _, volt = (float(x) for x in k)
    if lo[0] <= 0.0 or min(a, b, c, d, e, inv_f) < 0.0:
        return False
    m_lo = (a + lo[0] * (b + e * lo[3]) + c * lo[1] + d * lo[2]) * inv_f  # Python floats:
    m_hi = (a + hi[0] * (b + e * hi[3]) + c * hi[1] + d * hi[2]) * inv_f  # inf, never raise
    return m_lo > 0.0 and m_hi < math.inf and hi[0] * volt < math.inf


@functools.cache
def _compiled(checked: bool = False) -> Any:
    from numba import njit

    return njit(cache=True, nogil=True)(_checked_kernel if checked else _kernel)


def evaluate_arrays(p: dict[str, Any], share: float, shape: tuple[int, ...],
                    out: tuple[np.ndarray, ...] | None = None) -> tuple[tuple[np.ndarray, ...], int]:
    """All five outputs of the designs in one pass (no temporaries of the designs' size).

    Parameters
    ----------
    p : dict
        Parameters: :data:`MAIN` of any shapes broadcasting to ``shape`` (ndim <= 3), the
        :data:`SCALARS` scalar and already checked.
    share : float
        1 (single-sided) or 0.5 (double-sided).
    shape : tuple of int
        The broadcast shape of the designs (at most 3 dimensions).
    out : tuple of 5 ndarrays, optional
        Preallocated float64 outputs of ``shape`` (e.g. columns of a frame).

    Returns
    -------
    (outputs, n_invalid)
        :data:`OUTPUTS` in order, and the number of designs with a main parameter out of range.
    """
    shape3 = (1,) * (3 - len(shape)) + tuple(shape)
    if out is None:
        out = tuple(np.empty(shape) for _ in OUTPUTS)
    views = [np.broadcast_to(np.asarray(p[key], dtype=float), shape3) for key in MAIN]
    k = coefficients(p, share)
    outs = [o.reshape(shape3) for o in out]
    if proven_valid(p, k):
        _compiled()(*views, k, *outs)
        return out, 0
    return out, int(_compiled(True)(*views, k, upper_limits(), *outs))


def upper_limits() -> np.ndarray:
    """The upper limits of :data:`MAIN`, in order (lower ones: > 0 for Q, >= 0 else)."""
    from nitrolyte.cell.limits import DESIGN_LIMITS

    return np.array([DESIGN_LIMITS[key].hi for key in MAIN], dtype=float)


def usable(p: dict[str, Any], shape: tuple[int, ...]) -> bool:
    """True when the fused kernel applies: many designs, <= 3-D, coefficient parameters scalar."""
    return (int(np.prod(shape)) >= MIN_SIZE and len(shape) <= 3
            and all(p.get(k) is None or np.ndim(p[k]) == 0 for k in SCALARS))
