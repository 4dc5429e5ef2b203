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

from nitrolyte.checks import check_choice, check_positive, check_positive_finite, check_range
from nitrolyte.errors import InputError
from nitrolyte.transport.arrhenius import CONVENTIONS, ArrheniusModel, Convention
from nitrolyte.units import K_B_EV, T_ROOM_K

#: minimum number of distinct temperatures of a fit
MIN_TEMPERATURES = 3
#: loss functions of :func:`fit_arrhenius`
Loss = Literal["linear", "huber"]
LOSSES: tuple[str, ...] = ("linear", "huber")
#: Huber tuning constant (95 % efficiency for normal errors)
HUBER_C = 1.345


@dataclass(frozen=True)
class ArrheniusPrediction:
    """Conductivity predicted by a fit with its confidence band.

    Attributes
    ----------
    T_K : tuple of float
        Temperatures in K.
    sigma_S_cm, lower_S_cm, upper_S_cm : tuple of float
        Best estimate and the band of the mean conductivity, S/cm.
    confidence : float
        Two-sided confidence level of the band (0.95 = 95 %).
    """

    T_K: tuple[float, ...]
    sigma_S_cm: tuple[float, ...]
    lower_S_cm: tuple[float, ...]
    upper_S_cm: tuple[float, ...]
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)

    def to_frame(self) -> pd.DataFrame:
        """One row per temperature."""
        return pd.DataFrame({k: v for k, v in asdict(self).items() if k != "confidence"})


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

    def _critical_value(self, confidence: float) -> float:
        from scipy import stats  # ~0.7 s to import: only when a confidence band is asked for

        q = 0.5 + confidence / 2
        if self.absolute_sigma:
            return float(stats.norm.ppf(q))
        return float(stats.t.ppf(q, self.dof))

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
        s = 1.0 if self.convention == "sigmaT" else 0.0
        ln_sig = x @ beta - s * np.log(T)
        se = np.sqrt(np.einsum("ij,jk,ik->i", x, np.array(self.covariance), x))
        half = self._critical_value(confidence) * se
        return ArrheniusPrediction(tuple(T.tolist()), tuple(np.exp(ln_sig).tolist()),
                                   tuple(np.exp(ln_sig - half).tolist()),
                                   tuple(np.exp(ln_sig + half).tolist()), confidence)

    def to_model(self, name: str = "", ref: str = "") -> ArrheniusModel:
        """The fitted line as an :class:`ArrheniusModel` (no phase transition)."""
        return ArrheniusModel(Ea_eV=self.Ea_eV, prefactor=self.prefactor, convention=self.convention,
                              name=name, ref=ref)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (schema in docs/transport.md)."""
        d = asdict(self)
        d["prefactor"] = self.prefactor
        d["prefactor_unit"] = "S K/cm" if self.convention == "sigmaT" else "S/cm"
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


#: variance floor of the studentized residuals (ln units): 1e-9 relative is far below any
#: measurement, so exact (synthetic) data give residuals of ~0, not round-off "outliers"
_S2_FLOOR = 1e-18


def _studentized(e: np.ndarray, h: np.ndarray, s2: float, dof: int, known: bool) -> np.ndarray:
    """Studentized residuals of weighted residuals ``e`` with leverages ``h``."""
    one_minus_h = np.clip(1.0 - h, 1e-12, None)
    if known:
        return e / np.sqrt(one_minus_h)
    if dof <= 1:  # no leave-one-out variance: internally studentized
        return e / np.sqrt(max(s2, _S2_FLOOR) * one_minus_h)
    s2_i = np.clip((dof * s2 - e**2 / one_minus_h) / (dof - 1), _S2_FLOOR, None)
    return e / np.sqrt(s2_i * one_minus_h)


#: range of a point's relative error sigma_err / sigma in a weighted fit
MIN_RELATIVE_ERROR, MAX_RELATIVE_ERROR = 1e-12, 1e6


def _validate(T_K: Any, sigma_S_cm: Any, sigma_err: Any) -> tuple[np.ndarray, ...]:
    T = np.atleast_1d(check_positive_finite("T_K", T_K)).ravel()
    sig = np.atleast_1d(check_positive_finite("sigma_S_cm", sigma_S_cm)).ravel()
    if T.shape != sig.shape:
        raise InputError(f"T_K and sigma_S_cm must have the same length, got {T.size} and {sig.size}")
    n_distinct = np.unique(T).size
    if n_distinct < MIN_TEMPERATURES:
        raise InputError(f"an Arrhenius fit needs at least {MIN_TEMPERATURES} distinct temperatures, "
                         f"got {n_distinct}")
    err = None
    if sigma_err is not None:
        err = np.atleast_1d(check_positive("sigma_err", sigma_err)).ravel()
        err = np.broadcast_to(err, sig.shape).astype(float) if err.size == 1 else err
        if err.shape != sig.shape:
            raise InputError(f"sigma_err must have one value per point ({sig.size}), got {err.size}")
        # weights (sigma/err)^2 must stay finite and non-zero: an error of 1e-300 S/cm made them
        # overflow and LAPACK print "DLASCL ... illegal value" before a LinAlgError traceback
        with np.errstate(all="ignore"):
            check_range("sigma_err / sigma_S_cm (relative error)", err / sig,
                        lo=MIN_RELATIVE_ERROR, hi=MAX_RELATIVE_ERROR)
    return T, sig, err


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
    check_choice("convention", convention, CONVENTIONS)
    check_positive("outlier_threshold", outlier_threshold)
    check_choice("loss", loss, LOSSES)
    T, sig, err = _validate(T_K, sigma_S_cm, sigma_err)
    y = np.log(sig) + (np.log(T) if convention == "sigmaT" else 0.0)
    X = np.stack([np.ones_like(T), -1.0 / (K_B_EV * T)], axis=1)
    w = np.ones_like(T) if err is None else (sig / err) ** 2
    hw = _huber_weights(X, y, w, err is not None) if loss == "huber" else None
    if hw is not None:
        w = w * hw
    sw = np.sqrt(w)
    Xw, yw = X * sw[:, None], y * sw
    beta, *_ = np.linalg.lstsq(Xw, yw, rcond=None)
    cov_unscaled = np.linalg.inv(Xw.T @ Xw)
    resid = y - X @ beta
    e = resid * sw
    dof = T.size - 2
    s2 = float(e @ e / dof) if dof > 0 else float("nan")
    known = err is not None and absolute_sigma
    cov = cov_unscaled if known else cov_unscaled * s2
    y_mean = float(np.sum(w * y) / np.sum(w))
    ss_tot = float(np.sum(w * (y - y_mean) ** 2))
    h = np.einsum("ij,jk,ik->i", Xw, cov_unscaled, Xw)
    t = _studentized(e, h, s2, dof, known)
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
