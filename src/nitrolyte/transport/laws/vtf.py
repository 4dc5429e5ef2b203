"""Vogel-Tammann-Fulcher (VTF) law of glasses, polymers and composites.

.. math:: \\sigma = A\\,\\exp\\!\\left(-\\frac{B}{k_B\\,(T - T_0)}\\right)

:math:`A` in S/cm (parameter ``ln_prefactor`` = :math:`\\ln A`), the pseudo-activation energy
:math:`B` in eV and the ideal glass-transition (Vogel) temperature :math:`T_0` in K. This is the
form without the :math:`T^{-1/2}` prefactor; with :math:`T_0 = 0` it is the σ-Arrhenius law.
Below :math:`T_0` the law says nothing: :math:`\\ln\\sigma` is NaN there, never a number.

The fit is weighted non-linear least squares of :math:`\\ln\\sigma` started from the best
:math:`T_0` of a grid (at each :math:`T_0` the law is linear in :math:`(\\ln A, B)`), with
:math:`0 \\le T_0 < \\min T` and :math:`B \\ge 0`; it needs four distinct temperatures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nitrolyte.transport.laws.base import LawFit, fit_nonlinear, validate_series, weighted_lstsq
from nitrolyte.units import K_B_EV

#: number of T0 values tried for the starting point
_GRID = 60


@dataclass(frozen=True)
class VTFLaw:
    """:math:`\\sigma = A\\,e^{-B/k_B(T-T_0)}`; parameters ``(ln_prefactor, B_eV, T0_K)``."""

    name: str = "vtf"
    label: str = "VTF"
    equation: str = "σ = A·exp(-B/(kB·(T - T0))); A in S/cm, B in eV, T0 in K"
    parameter_names: tuple[str, ...] = ("ln_prefactor", "B_eV", "T0_K")
    parameter_units: tuple[str, ...] = ("ln(S/cm)", "eV", "K")
    min_temperatures: int = 4

    def ln_sigma(self, T_K: Any, params: Sequence[float]) -> np.ndarray:
        """:math:`\\ln\\sigma = \\ln A - B/(k_B(T-T_0))` in ln(S/cm); NaN where :math:`T \\le T_0`."""
        lnA, B, T0 = (float(p) for p in params)
        T = np.asarray(T_K, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(T > T0, lnA - B / (K_B_EV * (T - T0)), np.nan)

    def _start(self, T: np.ndarray, sig: np.ndarray, w: np.ndarray) -> list[float]:
        """Best (ln A, B, T0) over a grid of T0, each a linear fit."""
        best: tuple[float, list[float]] = (np.inf, [0.0, 0.0, 0.0])
        for T0 in np.linspace(0.0, 0.98 * T.min(), _GRID):
            X = np.stack([np.ones_like(T), -1.0 / (K_B_EV * (T - T0))], axis=1)
            beta, _, _, e = weighted_lstsq(X, np.log(sig), w)
            sse = float(e @ e)
            if beta[1] >= 0 and sse < best[0]:
                best = (sse, [float(beta[0]), float(beta[1]), float(T0)])
        return best[1]

    def fit(self, T_K: Any, sigma_S_cm: Any, sigma_err: Any = None, *,
            absolute_sigma: bool = True) -> LawFit:
        """Weighted non-linear least squares (module docstring); errors in S/cm."""
        T, sig, err = validate_series(T_K, sigma_S_cm, sigma_err,
                                      min_temperatures=self.min_temperatures, what="a VTF fit")
        w = np.ones_like(T) if err is None else (sig / err) ** 2
        p0 = self._start(T, sig, w)
        T0_max = T.min() * (1 - 1e-6)
        p0[2] = min(p0[2], T0_max * (1 - 1e-6))
        return fit_nonlinear(self, T, sig, err, p0, ([-np.inf, 0.0, 0.0], [np.inf, np.inf, T0_max]),
                             absolute_sigma=absolute_sigma)

    def record_fields(self, values: Sequence[float], stderr: Sequence[float]) -> dict[str, float]:
        """None: B is a pseudo-activation energy, not an Arrhenius Ea, and is never stored as one."""
        return {}


#: the registered instance
VTF = VTFLaw()
