"""The contract of a conductivity law and its fit result (in the spirit of kinisi's models).

A law is an object with a name, parameter names and units, :math:`\\ln\\sigma(T; p)` and a
``fit``: linear least squares where the law is linear in its parameters (the two Arrhenius
forms), weighted non-linear least squares (``scipy.optimize.curve_fit``) otherwise. Every fit
returns a frozen :class:`LawFit` with the parameters, their covariance and standard errors, and
the conductivity (with a confidence band, delta method) at any temperature.

The residuals are in :math:`\\ln\\sigma`; a conductivity error :math:`\\delta\\sigma` weighs a
point by :math:`w = (\\sigma/\\delta\\sigma)^2` (the standard deviation of :math:`\\ln\\sigma` is
the relative error).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from nitrolyte.checks import check_positive, check_positive_finite, check_range
from nitrolyte.errors import InputError
from nitrolyte.units import T_ROOM_K

#: minimum number of distinct temperatures of a two-parameter (Arrhenius) fit
MIN_TEMPERATURES = 3
#: range of a point's relative error sigma_err / sigma in a weighted fit
MIN_RELATIVE_ERROR, MAX_RELATIVE_ERROR = 1e-12, 1e6
#: variance floor of the studentized residuals (ln units): 1e-9 relative is far below any
#: measurement, so exact (synthetic) data give residuals of ~0, not round-off "outliers"
S2_FLOOR = 1e-18


@runtime_checkable
class ConductivityLaw(Protocol):
    """A conductivity law :math:`\\sigma(T; p)`: one module and one registration each.

    Attributes
    ----------
    name : str
        Registry key (``--law`` on the CLI, ``law`` on the web).
    label : str
        Text for tables and plots (``"VTF"``).
    equation : str
        The law in words and units, for docs and ``--help``.
    parameter_names, parameter_units : tuple of str
        Names (units in the names) and units of the parameters, in the order of ``params``.
    min_temperatures : int
        Fewest distinct temperatures a fit needs (parameters + 1).
    """

    name: str
    label: str
    equation: str
    parameter_names: tuple[str, ...]
    parameter_units: tuple[str, ...]
    min_temperatures: int

    def ln_sigma(self, T_K: Any, params: Sequence[float]) -> np.ndarray:
        """Natural log of the conductivity in S/cm at ``T_K`` (K) for parameters ``params``."""
        ...

    def fit(self, T_K: Any, sigma_S_cm: Any, sigma_err: Any = None, *,
            absolute_sigma: bool = True) -> LawFit:
        """Fit the law to conductivities (S/cm) at temperatures (K), errors in S/cm."""
        ...

    def record_fields(self, values: Sequence[float], stderr: Sequence[float]) -> dict[str, float]:
        """Database fields the fit fills (``Ea_eV`` ... as a record holds them), or ``{}``."""
        ...


@dataclass(frozen=True)
class ConductivityPrediction:
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


def critical_value(confidence: float, dof: int, known: bool) -> float:
    """Two-sided quantile: normal when the errors are absolute, else Student t with ``dof``."""
    from scipy import stats  # ~0.7 s to import: only when a confidence band is asked for

    q = 0.5 + confidence / 2
    return float(stats.norm.ppf(q)) if known else float(stats.t.ppf(q, dof))


def band(ln_sig: np.ndarray, J: np.ndarray, cov: np.ndarray, T: np.ndarray, confidence: float,
         dof: int, known: bool) -> ConductivityPrediction:
    """Prediction with the band :math:`\\ln\\hat\\sigma \\pm q\\sqrt{J C J^\\top}` (J: d ln sigma / dp)."""
    se = np.sqrt(np.einsum("ij,jk,ik->i", J, cov, J))
    half = critical_value(confidence, dof, known) * se
    return ConductivityPrediction(tuple(T.tolist()), tuple(np.exp(ln_sig).tolist()),
                                  tuple(np.exp(ln_sig - half).tolist()),
                                  tuple(np.exp(ln_sig + half).tolist()), confidence)


def validate_series(T_K: Any, sigma_S_cm: Any, sigma_err: Any, *,
                    min_temperatures: int = MIN_TEMPERATURES, what: str = "an Arrhenius fit"
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Checked 1-D arrays (T in K, sigma and its error in S/cm) of a fit's data."""
    T = np.atleast_1d(check_positive_finite("T_K", T_K)).ravel()
    sig = np.atleast_1d(check_positive_finite("sigma_S_cm", sigma_S_cm)).ravel()
    if T.shape != sig.shape:
        raise InputError(f"T_K and sigma_S_cm must have the same length, got {T.size} and {sig.size}")
    n_distinct = np.unique(T).size
    if n_distinct < min_temperatures:
        raise InputError(f"{what} needs at least {min_temperatures} distinct temperatures, "
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


def weighted_lstsq(X: np.ndarray, y: np.ndarray, w: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Weighted linear least squares: (beta, (XᵀWX)⁻¹, residuals y - Xβ, weighted residuals).

    .. math:: \\hat\\beta = \\arg\\min \\sum_i w_i (y_i - x_i\\beta)^2
    """
    sw = np.sqrt(w)
    Xw, yw = X * sw[:, None], y * sw
    beta, *_ = np.linalg.lstsq(Xw, yw, rcond=None)
    cov_unscaled = np.linalg.inv(Xw.T @ Xw)
    resid = y - X @ beta
    return beta, cov_unscaled, resid, resid * sw


def studentized(e: np.ndarray, h: np.ndarray, s2: float, dof: int, known: bool) -> np.ndarray:
    """Studentized residuals of weighted residuals ``e`` with leverages ``h``."""
    one_minus_h = np.clip(1.0 - h, 1e-12, None)
    if known:
        return e / np.sqrt(one_minus_h)
    if dof <= 1:  # no leave-one-out variance: internally studentized
        return e / np.sqrt(max(s2, S2_FLOOR) * one_minus_h)
    s2_i = np.clip((dof * s2 - e**2 / one_minus_h) / (dof - 1), S2_FLOOR, None)
    return e / np.sqrt(s2_i * one_minus_h)


def jacobian(law: ConductivityLaw, T: np.ndarray, params: Sequence[float]) -> np.ndarray:
    """:math:`\\partial\\ln\\sigma/\\partial p_j` at every T (central differences), shape (n, m)."""
    p = np.asarray(params, dtype=float)
    cols = []
    for j in range(p.size):
        h = 1e-6 * max(abs(p[j]), 1e-3)
        up, down = p.copy(), p.copy()
        up[j] += h
        down[j] -= h
        cols.append((law.ln_sigma(T, up) - law.ln_sigma(T, down)) / (2 * h))
    return np.stack(cols, axis=1)


@dataclass(frozen=True)
class LawFit:
    """Result of a law's ``fit``: parameters with covariance, data, residuals (ln sigma units).

    Attributes
    ----------
    model : ConductivityLaw
        The fitted law (``law`` is its name).
    values, stderr : tuple of float
        Parameters (order and units: ``model.parameter_names`` / ``parameter_units``) and their
        standard errors.
    covariance : tuple of tuple of float
        Covariance of the parameters.
    r_squared, chi2_reduced : float
        Weighted coefficient of determination of ln sigma; residual sum of squares over ``dof``.
    dof : int
        Degrees of freedom, ``n - len(values)``.
    absolute_sigma : bool
        True when the covariance comes from the given errors alone (not rescaled by chi2).
    T_K, sigma_S_cm, sigma_err_S_cm : tuple of float
        The data (K, S/cm; errors or None).
    residuals, studentized_residuals : tuple of float
        :math:`\\ln\\sigma_i - \\ln\\hat\\sigma_i` and their studentized form.
    outliers : tuple of bool
        Points with ``|studentized residual| > outlier_threshold``; kept in the fit.
    """

    model: ConductivityLaw = field(repr=False, compare=False)
    values: tuple[float, ...]
    stderr: tuple[float, ...]
    covariance: tuple[tuple[float, ...], ...]
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
    outlier_threshold: float = 3.0

    @property
    def law(self) -> str:
        """Registry name of the fitted law."""
        return self.model.name

    @property
    def params(self) -> dict[str, float]:
        """Parameter name (unit in the name) -> value."""
        return dict(zip(self.model.parameter_names, self.values, strict=True))

    @property
    def n_points(self) -> int:
        """Number of data points."""
        return len(self.T_K)

    @property
    def sigma_RT_S_cm(self) -> float:
        """Fitted conductivity at 25 C (298.15 K), S/cm."""
        return float(np.exp(self.model.ln_sigma(np.array([T_ROOM_K]), self.values))[0])

    def sigma_S_cm_at(self, T_K: Any) -> np.ndarray | float:
        """Fitted conductivity in S/cm at ``T_K`` (K, > 0; scalar in, scalar out)."""
        out = np.exp(self.model.ln_sigma(check_positive_finite("T_K", T_K), self.values))
        return float(out) if np.ndim(out) == 0 else out

    def predict(self, T_K: Any, confidence: float = 0.95) -> ConductivityPrediction:
        """Conductivity at ``T_K`` (K) with a two-sided confidence band (delta method).

        .. math:: \\mathrm{Var}\\,\\ln\\hat\\sigma = J C J^\\top, \\quad
                  J = \\partial\\ln\\sigma/\\partial p
        """
        T = np.atleast_1d(check_positive("T_K", T_K)).ravel()
        check_range("confidence", confidence, lo=0.0, hi=1.0, lo_inclusive=False, hi_inclusive=False)
        return band(self.model.ln_sigma(T, self.values), jacobian(self.model, T, self.values),
                    np.array(self.covariance), T, confidence, self.dof, self.absolute_sigma)

    @property
    def title(self) -> str:
        """``"VTF fit"`` (tables and plots)."""
        return f"{self.model.label} fit"

    def describe(self) -> str:
        """One line of the parameters with their errors (plot legends)."""
        return ", ".join(f"{n} = {v:.4g} ± {e:.2g}" for n, v, e in
                         zip(self.model.parameter_names, self.values, self.stderr, strict=True))

    def parameter_rows(self) -> list[list[str]]:
        """``[["name (unit)", "value ± error"], ...]`` for a table."""
        return [[f"{n} ({u})", f"{v:.5g} ± {e:.2g}"] for n, u, v, e in
                zip(self.model.parameter_names, self.model.parameter_units, self.values,
                    self.stderr, strict=True)]

    def summary(self) -> dict[str, Any]:
        """What a measurement set stores: law, parameters, errors, covariance, range, sigma at 25 C."""
        names = self.model.parameter_names
        return {"law": self.law, "parameters": self.params,
                "parameter_stderr": dict(zip(names, self.stderr, strict=True)),
                "parameter_units": dict(zip(names, self.model.parameter_units, strict=True)),
                **self.model.record_fields(self.values, self.stderr),
                "T_min_K": min(self.T_K), "T_max_K": max(self.T_K),
                "sigma_RT_S_cm": self.sigma_RT_S_cm, "n_points": self.n_points,
                "r_squared": self.r_squared, "covariance": [list(r) for r in self.covariance],
                "loss": "linear"}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (schema in docs/transport.md)."""
        d = {k: v for k, v in asdict(self).items() if k != "model"}
        return {**self.summary(), **d, "label": self.model.label, "equation": self.model.equation,
                "covariance": [list(r) for r in self.covariance]}

    def to_frame(self) -> pd.DataFrame:
        """One row per data point: data, fitted value, residuals and outlier flag."""
        return pd.DataFrame({
            "T_K": self.T_K, "sigma_S_cm": self.sigma_S_cm,
            "sigma_err_S_cm": self.sigma_err_S_cm or [np.nan] * self.n_points,
            "sigma_fit_S_cm": self.predict(self.T_K).sigma_S_cm, "residual_ln": self.residuals,
            "studentized_residual": self.studentized_residuals, "outlier": self.outliers})


def make_fit(law: ConductivityLaw, T: np.ndarray, sig: np.ndarray, err: np.ndarray | None,
             beta: np.ndarray, cov_unscaled: np.ndarray, *, absolute_sigma: bool = True,
             outlier_threshold: float = 3.0) -> LawFit:
    """The :class:`LawFit` of parameters ``beta`` with unscaled covariance :math:`(J^\\top WJ)^{-1}`."""
    y = np.log(sig)
    w = np.ones_like(T) if err is None else (sig / err) ** 2
    resid = y - law.ln_sigma(T, beta)
    e = resid * np.sqrt(w)
    dof = T.size - beta.size
    s2 = float(e @ e / dof) if dof > 0 else float("nan")
    known = err is not None and absolute_sigma
    cov = cov_unscaled if known else cov_unscaled * s2
    Jw = jacobian(law, T, beta) * np.sqrt(w)[:, None]
    h = np.einsum("ij,jk,ik->i", Jw, cov_unscaled, Jw)
    t = studentized(e, h, s2, dof, known)
    y_mean = float(np.sum(w * y) / np.sum(w))
    ss_tot = float(np.sum(w * (y - y_mean) ** 2))
    return LawFit(
        model=law, values=tuple(float(v) for v in beta),
        stderr=tuple(float(math.sqrt(max(c, 0.0))) for c in np.diag(cov)),
        covariance=tuple(tuple(float(c) for c in row) for row in cov),
        r_squared=1.0 - float(e @ e) / ss_tot if ss_tot > 0 else float("nan"),
        chi2_reduced=s2, dof=dof, absolute_sigma=known, T_K=tuple(T.tolist()),
        sigma_S_cm=tuple(sig.tolist()), sigma_err_S_cm=None if err is None else tuple(err.tolist()),
        residuals=tuple(resid.tolist()), studentized_residuals=tuple(t.tolist()),
        outliers=tuple(bool(v) for v in np.abs(t) > outlier_threshold),
        outlier_threshold=float(outlier_threshold))


def fit_nonlinear(law: ConductivityLaw, T: np.ndarray, sig: np.ndarray, err: np.ndarray | None,
                  p0: Sequence[float], bounds: tuple[Sequence[float], Sequence[float]], *,
                  absolute_sigma: bool = True) -> LawFit:
    """Weighted non-linear least squares of :math:`\\ln\\sigma` (``scipy.optimize.curve_fit``).

    .. math:: \\min_p \\sum_i w_i\\,(\\ln\\sigma_i - \\ln\\sigma(T_i; p))^2
    """
    from scipy.optimize import curve_fit

    def f(T_: np.ndarray, *p: float) -> np.ndarray:
        return law.ln_sigma(T_, p)

    s_ln = None if err is None else err / sig
    p0 = np.clip(np.asarray(p0, dtype=float), bounds[0], bounds[1])
    try:
        popt, _ = curve_fit(f, T, np.log(sig), p0=p0, sigma=s_ln, absolute_sigma=True,
                            bounds=bounds, max_nfev=20000)
    except (RuntimeError, ValueError) as exc:
        raise InputError(f"the {law.label} fit did not converge on these data ({exc})") from None
    w = np.ones_like(T) if err is None else (sig / err) ** 2
    Jw = jacobian(law, T, popt) * np.sqrt(w)[:, None]
    try:
        cov_unscaled = np.linalg.inv(Jw.T @ Jw)
    except np.linalg.LinAlgError:
        raise InputError(f"the {law.label} parameters are not determined by these data "
                         "(singular covariance: e.g. a straight line has no knee, or the range is too "
                         "narrow)") from None
    return make_fit(law, T, sig, err, np.asarray(popt, dtype=float), cov_unscaled,
                    absolute_sigma=absolute_sigma)
