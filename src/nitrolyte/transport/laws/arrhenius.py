"""The two Arrhenius laws: :math:`\\sigma T = A e^{-E_a/k_BT}` (``sigmaT``) and
:math:`\\sigma = \\sigma_0 e^{-E_a/k_BT}` (``sigma``), one class, two instances.

Both are linear in :math:`(\\ln A, E_a)` after moving :math:`s\\ln T` to the left
(:math:`s` = ``T_exponent``: 1 for sigmaT, 0 for sigma), so they are fitted by linear least
squares. :func:`ln_sigma_arrhenius` is the broadcasting kernel every Arrhenius model of the
package evaluates (with an optional phase transition, continuous at ``T_transition_K``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nitrolyte.transport.laws.base import LawFit, make_fit, validate_series, weighted_lstsq
from nitrolyte.units import K_B_EV


def ln_sigma_arrhenius(
    T_K: np.ndarray,
    ln_prefactor: Any,
    Ea_eV: Any,
    sigma_T: Any,
    T_transition_K: Any = np.inf,
    Ea_HT_eV: Any = np.nan,
) -> np.ndarray:
    """Natural log of the conductivity (S/cm) of one or many models, by numpy broadcasting.

    The low-temperature branch applies for :math:`T < T_t`, the high-temperature branch (made
    continuous at :math:`T_t`) for :math:`T \\ge T_t`:

    .. math:: \\ln\\sigma = \\ln A - E_a/(k_B T) - s \\ln T, \\quad s = 1 \\text{ (sigmaT) or } 0

    .. math:: \\ln A_{HT} = \\ln A + (E_{a,HT} - E_a)/(k_B T_t)

    Parameters
    ----------
    T_K : ndarray
        Temperatures in K (already validated).
    ln_prefactor, Ea_eV, sigma_T, T_transition_K, Ea_HT_eV : array_like
        Per-model parameters (broadcast against ``T_K``): ln of the prefactor (S K/cm or S/cm),
        activation energy in eV, 1.0 for the sigmaT convention and 0.0 for sigma, transition
        temperature in K (``inf`` for none) and high-temperature activation energy in eV.
    """
    lnA = np.asarray(ln_prefactor, dtype=float)
    Ea = np.asarray(Ea_eV, dtype=float)
    Tt = np.asarray(T_transition_K, dtype=float)
    Ea_ht = np.where(np.isfinite(Tt), np.asarray(Ea_HT_eV, dtype=float), Ea)
    with np.errstate(invalid="ignore"):
        lnA_ht = np.where(np.isfinite(Tt), lnA + (Ea_ht - Ea) / (K_B_EV * Tt), lnA)
    high = np.greater_equal(T_K, Tt)
    return (np.where(high, lnA_ht, lnA) - np.where(high, Ea_ht, Ea) / (K_B_EV * T_K)
            - np.asarray(sigma_T, dtype=float) * np.log(T_K))


def ln_prefactor_from_point(sigma_S_cm: Any, T_K: Any, Ea_eV: Any, sigma_T: Any) -> np.ndarray:
    """ln of the Arrhenius prefactor that puts a model through one measured point (broadcasts).

    .. math:: \\ln A = \\ln\\sigma + E_a/(k_B T) + s \\ln T, \\quad s = 1 \\text{ (sigmaT) or } 0

    Parameters
    ----------
    sigma_S_cm : array_like
        Conductivity at ``T_K`` in S/cm (already validated, > 0).
    T_K : array_like
        Temperature of the point in K (already validated, > 0).
    Ea_eV : array_like
        Activation energy in eV.
    sigma_T : array_like
        1.0 for the sigmaT convention (A in S K/cm), 0.0 for sigma (A in S/cm).
    """
    T = np.asarray(T_K, dtype=float)
    return (np.log(np.asarray(sigma_S_cm, dtype=float)) + np.asarray(Ea_eV, dtype=float) / (K_B_EV * T)
            + np.asarray(sigma_T, dtype=float) * np.log(T))


@dataclass(frozen=True)
class ArrheniusLaw:
    """:math:`\\sigma T^s = A\\,e^{-E_a/k_BT}`; parameters ``(ln_prefactor, Ea_eV)``.

    Attributes
    ----------
    name, label : str
        Registry key and table label.
    T_exponent : float
        :math:`s`: 1.0 (A in S K/cm) or 0.0 (A in S/cm).
    prefactor_unit : str
        Unit of :math:`A`.
    """

    name: str
    label: str
    T_exponent: float
    prefactor_unit: str
    min_temperatures: int = 3

    @property
    def equation(self) -> str:
        """The law with its units."""
        lhs = "σT" if self.T_exponent else "σ"
        return f"{lhs} = A·exp(-Ea/(kB·T)); A in {self.prefactor_unit}, Ea in eV"

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """``("ln_prefactor", "Ea_eV")``."""
        return ("ln_prefactor", "Ea_eV")

    @property
    def parameter_units(self) -> tuple[str, ...]:
        """Units of the parameters."""
        return (f"ln({self.prefactor_unit})", "eV")

    def ln_sigma(self, T_K: Any, params: Sequence[float]) -> np.ndarray:
        """:math:`\\ln\\sigma = \\ln A - E_a/(k_BT) - s\\ln T` (S/cm) at ``T_K`` (K)."""
        lnA, Ea = params
        return ln_sigma_arrhenius(np.asarray(T_K, dtype=float), lnA, Ea, self.T_exponent)

    def linearise(self, T: np.ndarray, sig: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Design matrix and response of the linear fit: :math:`y = \\ln\\sigma + s\\ln T`."""
        X = np.stack([np.ones_like(T), -1.0 / (K_B_EV * T)], axis=1)
        return X, np.log(sig) + self.T_exponent * np.log(T)

    def fit(self, T_K: Any, sigma_S_cm: Any, sigma_err: Any = None, *,
            absolute_sigma: bool = True) -> LawFit:
        """Weighted linear least squares of :math:`y = \\ln A - E_a/(k_BT)` (see the module).

        For the outlier flags, a robust (Huber) loss and the schema of ``nitrolyte fit``, use
        :func:`nitrolyte.transport.fitting.fit_arrhenius` (the same line).
        """
        T, sig, err = validate_series(T_K, sigma_S_cm, sigma_err)
        X, y = self.linearise(T, sig)
        w = np.ones_like(T) if err is None else (sig / err) ** 2
        beta, cov_unscaled, _, _ = weighted_lstsq(X, y, w)
        return make_fit(self, T, sig, err, beta, cov_unscaled, absolute_sigma=absolute_sigma)

    def record_fields(self, values: Sequence[float], stderr: Sequence[float]) -> dict[str, float]:
        """``Ea_eV`` and its error, as a database record holds them."""
        return {"Ea_eV": float(values[1]), "Ea_stderr_eV": float(stderr[1])}


#: Fig. 10B of the review and the default everywhere: σT = A exp(-Ea/kT), A in S K/cm
SIGMA_T = ArrheniusLaw("sigmaT", "σT Arrhenius", 1.0, "S K/cm")
#: σ = σ0 exp(-Ea/kT), σ0 in S/cm
SIGMA = ArrheniusLaw("sigma", "σ Arrhenius", 0.0, "S/cm")
