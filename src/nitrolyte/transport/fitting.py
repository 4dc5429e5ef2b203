"""Arrhenius fits of measured conductivities: weighted least squares with uncertainties.

The fit is linear in the parameters :math:`(\\ln A, E_a)`:

.. math:: y_i = \\ln\\sigma_i + s\\ln T_i = \\ln A - E_a\\,\\frac{1}{k_B T_i}, \\qquad
          s = 1\\ \\text{(sigmaT)},\\ 0\\ \\text{(sigma)}

with weights :math:`w_i = (\\sigma_i/\\delta\\sigma_i)^2` when conductivity errors are given (the
standard deviation of :math:`\\ln\\sigma` is the relative error). Outliers are flagged by their
studentized residual and kept in the fit. With ``loss="huber"`` the fit is robust: iteratively
reweighted least squares with Huber weights :math:`\\min(1, c\\,s/|e_i|)` (:math:`c = 1.345`,
:math:`s` the larger of the median-absolute-deviation scale of the weighted residuals and, when
errors are given, 1), so one point far off the line pulls it much less than in plain least
squares; points within their stated error keep full weight.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from nitrolyte.checks import check_choice, check_positive, check_range
from nitrolyte.transport.arrhenius import ArrheniusModel, Convention
from nitrolyte.transport.laws.arrhenius import ArrheniusLaw
from nitrolyte.transport.laws.base import (
    MAX_RELATIVE_ERROR,
    MIN_RELATIVE_ERROR,
    MIN_TEMPERATURES,
    ConductivityPrediction,
    LawFit,
    band,
    critical_value,
    studentized,
    validate_series,
    weighted_lstsq,
)
from nitrolyte.transport.laws.registry import DEFAULT_LAW, arrhenius_law, get_law
from nitrolyte.units import K_B_EV, T_ROOM_K

__all__ = ["MAX_RELATIVE_ERROR", "MIN_RELATIVE_ERROR", "MIN_TEMPERATURES", "ArrheniusFit",
           "ArrheniusPrediction", "fit_arrhenius", "fit_arrhenius_resistance", "fit_law",
           "sigma_from_resistance_S_cm"]
#: loss functions of :func:`fit_arrhenius`
Loss = Literal["linear", "huber"]
LOSSES: tuple[str, ...] = ("linear", "huber")
#: Huber tuning constant (95 % efficiency for normal errors)
HUBER_C = 1.345


#: conductivity with its confidence band (the class every law's fit returns)
ArrheniusPrediction = ConductivityPrediction


@dataclass(frozen=True)
class ArrheniusFit:
    """Result of :func:`fit_arrhenius`.

    Attributes
    ----------
    convention : {"sigmaT", "sigma"}
        The linearised form that was fitted.
    Ea_eV, Ea_stderr_eV : float
        Activation energy and its standard error, eV.
    ln_prefactor, ln_prefactor_stderr : float
        :math:`\\ln A` (A in S K/cm for sigmaT, S/cm for sigma) and its standard error.
    covariance : tuple of tuple of float
        2x2 covariance of :math:`(\\ln A, E_a)` (eV for Ea).
    r_squared : float
        Weighted coefficient of determination of the linearised fit.
    chi2_reduced : float
        Weighted residual sum of squares over the degrees of freedom.
    dof : int
        Degrees of freedom, ``n - 2``.
    absolute_sigma : bool
        True when the covariance comes from the given errors alone (not rescaled by chi2).
    T_K, sigma_S_cm : tuple of float
        The data in K and S/cm; ``sigma_err_S_cm`` the given errors (or None).
    residuals : tuple of float
        :math:`y_i - \\hat y_i` of the linearised fit (natural-log units).
    studentized_residuals : tuple of float
        Externally studentized (or, with absolute errors, standardized) residuals.
    outliers : tuple of bool
        Points with ``|studentized residual| > outlier_threshold``; they are kept in the fit.
    loss : {"linear", "huber"}
        Plain or robust (Huber) least squares.
    robust_weights : tuple of float or None
        With ``loss="huber"``, each point's final Huber weight (1 = full weight).
    """

    convention: Convention
    Ea_eV: float
    Ea_stderr_eV: float
    ln_prefactor: float
    ln_prefactor_stderr: float
    covariance: tuple[tuple[float, float], tuple[float, float]]
    r_squared: float
    chi2_reduced: float
    dof: int
    absolute_sigma: bool
    T_K: tuple[float, ...]
    sigma_S_cm: tuple[float, ...]
    sigma_err_S_cm: tuple[float, ...] | None
    residuals: tuple[float, ...]
    studentized_residuals: tuple[float, ...]
    outliers: tuple[bool, ...]
    outlier_threshold: float
    loss: str = "linear"
    robust_weights: tuple[float, ...] | None = None

    @property
    def prefactor(self) -> float:
        """:math:`A` in S K/cm (sigmaT) or :math:`\\sigma_0` in S/cm (sigma)."""
        return math.exp(self.ln_prefactor)

    @property
    def n_points(self) -> int:
        """Number of data points."""
        return len(self.T_K)

    @property
    def sigma_RT_S_cm(self) -> float:
        """Fitted conductivity at 25 C (298.15 K), S/cm."""
        return float(self.predict(T_ROOM_K).sigma_S_cm[0])

    @property
    def law(self) -> str:
        """Registry name of the fitted law (:mod:`nitrolyte.transport.laws`), = ``convention``."""
        return self.convention

    @property
    def params(self) -> dict[str, float]:
        """Parameter name -> value, as :attr:`LawFit.params` (``ln_prefactor``, ``Ea_eV``)."""
        return {"ln_prefactor": self.ln_prefactor, "Ea_eV": self.Ea_eV}

    def _critical_value(self, confidence: float) -> float:
        return critical_value(confidence, self.dof, self.absolute_sigma)

    def predict(self, T_K: Any, confidence: float = 0.95) -> ArrheniusPrediction:
        """Conductivity at ``T_K`` (K) with a two-sided confidence band of the fitted line.

        .. math:: \\ln\\hat\\sigma(T) = \\hat{\\ln A} - \\hat E_a/(k_BT) - s\\ln T, \\quad
                  \\mathrm{Var} = x^\\top C x,\\ x = (1, -1/k_BT)

        Parameters
        ----------
        T_K : array_like
            Temperatures in K (> 0).
        confidence : float
            Confidence level in (0, 1), default 0.95; Student t with ``dof`` degrees of freedom
            (normal quantile when ``absolute_sigma``).
        """
        T = np.atleast_1d(check_positive("T_K", T_K)).ravel()
        check_range("confidence", confidence, lo=0.0, hi=1.0, lo_inclusive=False, hi_inclusive=False)
        x = np.stack([np.ones_like(T), -1.0 / (K_B_EV * T)], axis=1)
        beta = np.array([self.ln_prefactor, self.Ea_eV])
        ln_sig = x @ beta - arrhenius_law(self.convention).T_exponent * np.log(T)
        return band(ln_sig, x, np.array(self.covariance), T, confidence, self.dof,
                    self.absolute_sigma)

    @property
    def title(self) -> str:
        """``"Arrhenius fit"`` (tables and plots)."""
        return "Arrhenius fit"

    def describe(self) -> str:
        """The plot legend's text: ``Ea = 0.400 ± 0.001 eV``."""
        return f"Ea = {self.Ea_eV:.3f} ± {self.Ea_stderr_eV:.3f} eV"

    def parameter_rows(self) -> list[list[str]]:
        """``nitrolyte fit``'s rows of the parameters: Ea and the prefactor with their errors."""
        unit = arrhenius_law(self.convention).prefactor_unit
        return [["Ea (eV)", f"{self.Ea_eV:.4f} ± {self.Ea_stderr_eV:.4f}"],
                [f"prefactor ({unit})", f"{self.prefactor:.4e} (ln: {self.ln_prefactor:.3f} ± "
                                        f"{self.ln_prefactor_stderr:.3f})"]]

    def summary(self) -> dict[str, Any]:
        """What a measurement set stores of the fit (Ea, ln A with errors, law, range, sigma at 25 C)."""
        return {"Ea_eV": self.Ea_eV, "Ea_stderr_eV": self.Ea_stderr_eV,
                "ln_prefactor": self.ln_prefactor, "ln_prefactor_stderr": self.ln_prefactor_stderr,
                "law": self.convention, "T_min_K": min(self.T_K), "T_max_K": max(self.T_K),
                "sigma_RT_S_cm": self.sigma_RT_S_cm, "n_points": self.n_points,
                "r_squared": self.r_squared, "covariance": [list(r) for r in self.covariance],
                "loss": self.loss}

    def to_model(self, name: str = "", ref: str = "") -> ArrheniusModel:
        """The fitted line as an :class:`ArrheniusModel` (no phase transition)."""
        return ArrheniusModel(Ea_eV=self.Ea_eV, prefactor=self.prefactor, convention=self.convention,
                              name=name, ref=ref)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (schema in docs/transport.md)."""
        d = asdict(self)
        d["prefactor"] = self.prefactor
        d["prefactor_unit"] = arrhenius_law(self.convention).prefactor_unit
        d["n_points"] = self.n_points
        d["sigma_RT_S_cm"] = self.sigma_RT_S_cm
        d["covariance"] = [list(r) for r in self.covariance]
        return d

    def to_frame(self) -> pd.DataFrame:
        """One row per data point: data, fitted value, residuals and outlier flag."""
        fitted = self.predict(self.T_K).sigma_S_cm
        return pd.DataFrame({
            "T_K": self.T_K, "sigma_S_cm": self.sigma_S_cm,
            "sigma_err_S_cm": self.sigma_err_S_cm or [np.nan] * self.n_points,
            "sigma_fit_S_cm": fitted, "residual_ln": self.residuals,
            "studentized_residual": self.studentized_residuals, "outlier": self.outliers})


def _validate(T_K: Any, sigma_S_cm: Any, sigma_err: Any) -> tuple[Any, ...]:
    return validate_series(T_K, sigma_S_cm, sigma_err)


def fit_arrhenius(
    T_K: Any,
    sigma_S_cm: Any,
    sigma_err: Any = None,
    convention: Convention = "sigmaT",
    *,
    absolute_sigma: bool = True,
    outlier_threshold: float = 3.0,
    loss: Loss = "linear",
) -> ArrheniusFit:
    """Weighted least-squares Arrhenius fit of conductivities measured at several temperatures.

    .. math:: \\min_{\\ln A, E_a} \\sum_i w_i\\,(y_i - \\ln A + E_a/k_BT_i)^2, \\quad
              w_i = (\\sigma_i/\\delta\\sigma_i)^2

    .. math:: C = (X^\\top W X)^{-1}\\ \\text{(absolute)}, \\quad
              C = \\chi^2_\\nu (X^\\top W X)^{-1}\\ \\text{(scaled)}

    Parameters
    ----------
    T_K : array_like
        Temperatures in K (> 0; at least 3 distinct).
    sigma_S_cm : array_like
        Conductivities in S/cm (> 0).
    sigma_err : array_like, optional
        One-standard-deviation errors of ``sigma_S_cm`` in S/cm (> 0; scalar or per point). Without
        them all points weigh the same and the covariance is scaled by the residual variance.
    convention : {"sigmaT", "sigma"}
        Linearised form: :math:`\\ln(\\sigma T)` (default) or :math:`\\ln\\sigma` against
        :math:`1/T`.
    absolute_sigma : bool
        With ``sigma_err``: take the errors as absolute (default, as in ``scipy.optimize.curve_fit``)
        or rescale the covariance by the reduced chi-square.
    outlier_threshold : float
        A point is flagged when its studentized residual exceeds this in magnitude (> 0).
    loss : {"linear", "huber"}
        ``"linear"`` (default): weighted least squares; ``"huber"``: robust, see the module
        docstring (the covariance then uses the final weights).

    Returns
    -------
    ArrheniusFit
    """
    law = arrhenius_law(convention)
    check_positive("outlier_threshold", outlier_threshold)
    check_choice("loss", loss, LOSSES)
    T, sig, err = _validate(T_K, sigma_S_cm, sigma_err)
    X, y = law.linearise(T, sig)
    w = np.ones_like(T) if err is None else (sig / err) ** 2
    hw = _huber_weights(X, y, w, err is not None) if loss == "huber" else None
    if hw is not None:
        w = w * hw
    sw = np.sqrt(w)
    Xw = X * sw[:, None]
    beta, cov_unscaled, resid, e = weighted_lstsq(X, y, w)
    dof = T.size - 2
    s2 = float(e @ e / dof) if dof > 0 else float("nan")
    known = err is not None and absolute_sigma
    cov = cov_unscaled if known else cov_unscaled * s2
    y_mean = float(np.sum(w * y) / np.sum(w))
    ss_tot = float(np.sum(w * (y - y_mean) ** 2))
    h = np.einsum("ij,jk,ik->i", Xw, cov_unscaled, Xw)
    t = studentized(e, h, s2, dof, known)
    return ArrheniusFit(
        convention=convention, Ea_eV=float(beta[1]), Ea_stderr_eV=float(np.sqrt(cov[1, 1])),
        ln_prefactor=float(beta[0]), ln_prefactor_stderr=float(np.sqrt(cov[0, 0])),
        covariance=((float(cov[0, 0]), float(cov[0, 1])), (float(cov[1, 0]), float(cov[1, 1]))),
        r_squared=1.0 - float(e @ e) / ss_tot if ss_tot > 0 else float("nan"),
        chi2_reduced=s2, dof=dof, absolute_sigma=known, T_K=tuple(T.tolist()),
        sigma_S_cm=tuple(sig.tolist()), sigma_err_S_cm=None if err is None else tuple(err.tolist()),
        residuals=tuple(resid.tolist()), studentized_residuals=tuple(t.tolist()),
        outliers=tuple(bool(v) for v in np.abs(t) > outlier_threshold),
        outlier_threshold=float(outlier_threshold), loss=loss,
        robust_weights=None if hw is None else tuple(hw.tolist()))


def fit_law(T_K: Any, sigma_S_cm: Any, sigma_err: Any = None, law: Any = DEFAULT_LAW, *,
            absolute_sigma: bool = True) -> ArrheniusFit | LawFit:
    """Fit any registered conductivity law (:mod:`nitrolyte.transport.laws`) to sigma(T) data.

    An Arrhenius law (``sigmaT``, ``sigma``) is fitted by :func:`fit_arrhenius` (the same line,
    with its outlier flags and the :class:`ArrheniusFit` schema of ``nitrolyte fit``); any other
    law by its own ``fit``. Both results have ``law``, ``params``, ``covariance``,
    ``predict(T_K, confidence)``, ``sigma_RT_S_cm``, ``summary()`` and ``to_dict()``.

    Parameters
    ----------
    T_K : array_like
        Temperatures in K (> 0; as many distinct as the law needs, 3 for Arrhenius).
    sigma_S_cm : array_like
        Conductivities in S/cm (> 0).
    sigma_err : array_like, optional
        One-standard-deviation errors of ``sigma_S_cm`` in S/cm.
    law : str or ConductivityLaw
        A name of :func:`~nitrolyte.transport.laws.law_names` (default ``"sigmaT"``).
    absolute_sigma : bool
        Take the errors as absolute (default) or rescale the covariance by the reduced chi-square.
    """
    obj = get_law(law)
    if isinstance(obj, ArrheniusLaw):
        return fit_arrhenius(T_K, sigma_S_cm, sigma_err, obj.name, absolute_sigma=absolute_sigma)
    return obj.fit(T_K, sigma_S_cm, sigma_err, absolute_sigma=absolute_sigma)


def _huber_weights(X: np.ndarray, y: np.ndarray, w: np.ndarray, known: bool,
                   iterations: int = 50) -> np.ndarray:
    """Huber weights of the points by iteratively reweighted least squares (module docstring)."""
    hw = np.ones_like(y)
    for _ in range(iterations):
        sw = np.sqrt(w * hw)
        beta, *_ = np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)
        e = (y - X @ beta) * np.sqrt(w)
        scale = 1.4826 * float(np.median(np.abs(e - np.median(e))))
        scale = max(scale, 1.0 if known else 1e-9 * max(float(np.abs(y).max()), 1.0))
        new = np.minimum(1.0, HUBER_C * scale / np.maximum(np.abs(e), 1e-300))
        if np.allclose(new, hw, rtol=1e-10, atol=1e-12):
            break
        hw = new
    return hw


def sigma_from_resistance_S_cm(R_ohm: Any, thickness_cm: Any, area_cm2: Any) -> np.ndarray | float:
    """Conductivity of a pellet or film from its resistance and geometry.

    .. math:: \\sigma = \\frac{L}{R\\,A}

    Parameters
    ----------
    R_ohm : array_like
        Resistance in ohm (> 0).
    thickness_cm : array_like
        Thickness L in cm (> 0).
    area_cm2 : array_like
        Electrode area A in cm^2 (> 0).
    """
    out = (check_positive("thickness_cm", thickness_cm)
           / (check_positive("R_ohm", R_ohm) * check_positive("area_cm2", area_cm2)))
    return float(out) if np.ndim(out) == 0 else out


def fit_arrhenius_resistance(
    T_K: Any,
    R_ohm: Any,
    thickness_cm: Any,
    area_cm2: Any,
    R_err_ohm: Any = None,
    convention: Convention = "sigmaT",
    **kwargs: Any,
) -> ArrheniusFit:
    """Arrhenius fit from resistances of one sample, :math:`\\sigma = L/(RA)`.

    .. math:: \\delta\\sigma/\\sigma = \\delta R/R

    Parameters
    ----------
    T_K : array_like
        Temperatures in K.
    R_ohm : array_like
        Resistances in ohm.
    thickness_cm, area_cm2 : array_like
        Sample thickness in cm and electrode area in cm^2 (scalar or one per point).
    R_err_ohm : array_like, optional
        Standard errors of the resistances in ohm.
    convention : {"sigmaT", "sigma"}
        Linearised form.
    **kwargs
        Passed to :func:`fit_arrhenius`.
    """
    sigma = np.atleast_1d(sigma_from_resistance_S_cm(R_ohm, thickness_cm, area_cm2))
    err = None
    if R_err_ohm is not None:
        err = sigma * check_positive("R_err_ohm", R_err_ohm) / np.atleast_1d(R_ohm)
    return fit_arrhenius(T_K, sigma, err, convention, **kwargs)
