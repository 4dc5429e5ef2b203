"""Two-regime Arrhenius law: two activation energies meeting at a knee (σT form).

.. math:: \\sigma T = A\\,e^{-E_a/k_BT} \\ (T < T_k), \\qquad
          \\sigma T = A\\,e^{(E_{a,HT}-E_a)/k_BT_k}\\,e^{-E_{a,HT}/k_BT} \\ (T \\ge T_k)

continuous at the knee :math:`T_k`: the shape of a phase transition (Li5NI2, Li13N4Br in the
review) or of a change of mechanism. Parameters ``(ln_prefactor, Ea_eV, Ea_HT_eV, T_knee_K)``:
:math:`\\ln A` with :math:`A` in S K/cm, the two activation energies in eV (below and above the
knee) and :math:`T_k` in K. It is the record model of :class:`~nitrolyte.transport.ArrheniusModel`
with ``T_transition_K`` = :math:`T_k`, evaluated by the same kernel.

The fit scans the knee between the data (two temperatures at least on each side; at a fixed knee
the law is linear), then refines all four parameters by weighted non-linear least squares; it
needs five distinct temperatures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nitrolyte.transport.laws.arrhenius import ln_sigma_arrhenius
from nitrolyte.transport.laws.base import LawFit, fit_nonlinear, validate_series, weighted_lstsq
from nitrolyte.units import K_B_EV


@dataclass(frozen=True)
class TwoRegimeArrheniusLaw:
    """Two σT-Arrhenius branches continuous at the knee ``T_knee_K`` (module docstring)."""

    name: str = "two_regime"
    label: str = "two-regime σT Arrhenius"
    equation: str = ("σT = A·exp(-Ea/(kB·T)) below T_knee, Ea_HT above, continuous at T_knee; "
                     "A in S K/cm, Ea in eV, T_knee in K")
    parameter_names: tuple[str, ...] = ("ln_prefactor", "Ea_eV", "Ea_HT_eV", "T_knee_K")
    parameter_units: tuple[str, ...] = ("ln(S K/cm)", "eV", "eV", "K")
    min_temperatures: int = 5

    def ln_sigma(self, T_K: Any, params: Sequence[float]) -> np.ndarray:
        """ln sigma (S/cm) at ``T_K`` (K): :func:`ln_sigma_arrhenius` with a transition."""
        lnA, Ea, Ea_ht, Tk = (float(p) for p in params)
        return ln_sigma_arrhenius(np.asarray(T_K, dtype=float), lnA, Ea, 1.0, Tk, Ea_ht)

    def _start(self, T: np.ndarray, sig: np.ndarray, w: np.ndarray) -> list[float]:
        """Best parameters over knees between the distinct temperatures (linear at each knee)."""
        Ts = np.unique(T)
        x, y = 1.0 / (K_B_EV * T), np.log(sig) + np.log(T)
        best: tuple[float, list[float]] = (np.inf, [])
        for Tk in (Ts[1:-2] + Ts[2:-1]) / 2:  # two temperatures at least on each side
            xk = 1.0 / (K_B_EV * Tk)
            X = np.stack([np.ones_like(T), -np.maximum(x, xk), -np.minimum(x - xk, 0.0)], axis=1)
            beta, _, _, e = weighted_lstsq(X, y, w)
            if float(e @ e) < best[0]:
                best = (float(e @ e), [*(float(b) for b in beta), float(Tk)])
        return best[1]

    def fit(self, T_K: Any, sigma_S_cm: Any, sigma_err: Any = None, *,
            absolute_sigma: bool = True) -> LawFit:
        """Knee scan, then weighted non-linear least squares (module docstring)."""
        T, sig, err = validate_series(T_K, sigma_S_cm, sigma_err,
                                      min_temperatures=self.min_temperatures,
                                      what="a two-regime Arrhenius fit")
        w = np.ones_like(T) if err is None else (sig / err) ** 2
        Ts = np.unique(T)
        bounds = ([-np.inf, 0.0, 0.0, float(Ts[1])], [np.inf, np.inf, np.inf, float(Ts[-2])])
        return fit_nonlinear(self, T, sig, err, self._start(T, sig, w), bounds,
                             absolute_sigma=absolute_sigma)

    def record_fields(self, values: Sequence[float], stderr: Sequence[float]) -> dict[str, float]:
        """The record fields of a phase transition: ``Ea_eV`` (below), ``Ea_HT_eV``, ``T_transition_K``."""
        return {"Ea_eV": float(values[1]), "Ea_stderr_eV": float(stderr[1]),
                "Ea_HT_eV": float(values[2]), "Ea_HT_stderr_eV": float(stderr[2]),
                "T_transition_K": float(values[3]), "T_transition_stderr_K": float(stderr[3])}


#: the registered instance
TWO_REGIME = TwoRegimeArrheniusLaw()
