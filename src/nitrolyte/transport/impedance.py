"""Impedance spectra of SSE pellets to bulk and total conductivity, with impedance.py.

The equivalent circuits live in :mod:`nitrolyte.transport.circuits` (one registry). Without a
forced circuit, :func:`fit_impedance` fits every candidate (bulk only; bulk + grain boundary;
each with and without the blocking-electrode CPE) and keeps the one with the lowest Bayesian
information criterion,

.. math:: \\mathrm{BIC} = N\\ln(\\mathrm{RSS}/N) + k\\ln N

(:math:`N` = 2 x number of frequencies, :math:`k` parameters, RSS of the modulus-weighted
residuals). impedance.py evaluates the circuit (``wrapCircuit``); the least squares (scipy
``least_squares``, residuals weighted by :math:`|Z|`) runs in :math:`\\ln R`, :math:`\\ln Q` and
:math:`n`, because ``CustomCircuit.fit`` in linear parameters stalls on the 12 decades between a
bulk Q (~1e-11) and R (~1e5). Standard errors come from the Jacobian, scaled by the residual
variance; the full covariance is kept (``parameter_covariance``), and the error of
:math:`\\sigma_\\mathrm{total}` propagates it, covariance of :math:`R_b` and :math:`R_{gb}`
included. Every fit carries a Kramers-Kronig residual (``impedance.validation.linKK``),
warnings (poor fit, Kramers-Kronig) and ``problems``: the rules of
:mod:`nitrolyte.transport.eis_quality` that make a fit unreliable (capacitance out of range, a
parameter at its bound, a conductivity error above 30 %).
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nitrolyte.checks import check_positive, check_range
from nitrolyte.errors import InputError, NitrolyteError
from nitrolyte.transport.circuits import (
    CANDIDATES,
    CIRCUIT_MODELS,
    FALLBACKS,
    CircuitModel,
    capacitance_F,
    circuit_model,
    compile_circuit,
)
from nitrolyte.transport.eis_quality import (  # noqa: F401  (re-exported)
    BULK_C_RANGE_F_CM,
    GB_C_RANGE_F_CM,
    KK_MAX_RANGE,
    MAX_KK_RESIDUAL,
    MAX_REL_RMSE,
    circuit_problems,
    fit_warnings,
    resistance_sum_stderr,
)
from nitrolyte.transport.io import Spectrum

#: kept for compatibility: circuit name -> impedance.py string
CIRCUITS: dict[str, str] = {k: m.string for k, m in CIRCUIT_MODELS.items()}


@dataclass(frozen=True)
class ImpedanceFit:
    """Result of :func:`fit_impedance`.

    Attributes
    ----------
    circuit : str
        Registry name of the fitted circuit; ``circuit_string`` the impedance.py string.
    parameter_names, parameters, parameter_stderr : tuple
        Fitted circuit parameters (ohm for R, F s^(n-1) for CPE Q, dimensionless n).
    R_bulk_ohm, R_gb_ohm, R_total_ohm : float or None
        Resistances in ohm (``R_gb_ohm`` None without a grain-boundary element) and their errors.
    C_bulk_F, C_gb_F : float or None
        Effective capacitance of a parallel R-CPE, :math:`C = (RQ)^{1/n}/R` (F).
    thickness_cm, area_cm2 : float
        Pellet geometry.
    sigma_bulk_S_cm, sigma_total_S_cm : float
        :math:`\\sigma = L/(RA)` in S/cm, with standard errors.
    rel_rmse : float
        Root-mean-square of :math:`|Z_\\mathrm{fit}-Z|/|Z|`.
    T_K : float or None
        Temperature of the spectrum, K.
    kk_residual : float or None
        RMS of the linKK residuals relative to :math:`|Z|` (None when not run).
    warnings : tuple of str
        Quality warnings (poor fit, Kramers-Kronig, sign fixed ...), each naming the file.
    selection : tuple of dict
        Every candidate circuit tried: ``circuit``, ``bic``, ``rel_rmse`` (empty when forced).
    parameter_covariance : tuple of tuple of float
        Covariance of ``parameters`` (their units squared).
    problems : tuple of str
        Why the fit is unreliable (:mod:`nitrolyte.transport.eis_quality`); empty when it is
        not. ``reliable`` is ``not problems``.
    """

    circuit: str
    circuit_string: str
    parameter_names: tuple[str, ...]
    parameters: tuple[float, ...]
    parameter_stderr: tuple[float, ...]
    R_bulk_ohm: float
    R_bulk_stderr_ohm: float
    R_gb_ohm: float | None
    R_gb_stderr_ohm: float | None
    R_total_ohm: float
    R_total_stderr_ohm: float
    C_bulk_F: float | None
    C_gb_F: float | None
    thickness_cm: float
    area_cm2: float
    sigma_bulk_S_cm: float
    sigma_bulk_stderr_S_cm: float
    sigma_total_S_cm: float
    sigma_total_stderr_S_cm: float
    rel_rmse: float
    T_K: float | None = None
    source: str = ""
    kk_residual: float | None = None
    warnings: tuple[str, ...] = ()
    selection: tuple[dict[str, Any], ...] = field(default=())
    parameter_covariance: tuple[tuple[float, ...], ...] = field(default=())
    problems: tuple[str, ...] = field(default=())

    @property
    def reliable(self) -> bool:
        """True when no rule of :mod:`nitrolyte.transport.eis_quality` is broken."""
        return not self.problems

    def predict(self, freq_Hz: Any) -> np.ndarray:
        """Complex impedance (ohm) of the fitted circuit at ``freq_Hz`` (Hz)."""
        return _predict(self.circuit_string, self.parameters, freq_Hz)

    def part(self, element: str, freq_Hz: Any) -> np.ndarray:
        """Impedance (ohm) of one part, ``"bulk"``, ``"gb"`` or ``"electrode"``, at ``freq_Hz``."""
        return part_impedance(self, element, freq_Hz)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (schema in docs/transport.md), with ``reliable``."""
        return {**asdict(self), "reliable": self.reliable}

    def to_frame(self) -> pd.DataFrame:
        """One row per circuit parameter."""
        return pd.DataFrame({"parameter": self.parameter_names, "value": self.parameters,
                             "stderr": self.parameter_stderr})


def _predict(string: str, parameters: Sequence[float], freq_Hz: Any) -> np.ndarray:
    from impedance.models.circuits.fitting import wrapCircuit

    f = np.atleast_1d(check_positive("freq_Hz", freq_Hz)).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = np.asarray(wrapCircuit(string, {})(f, *parameters))
    return out[: f.size] + 1j * out[f.size:]


def part_impedance(fit: ImpedanceFit, element: str, freq_Hz: Any) -> np.ndarray:
    """Impedance (ohm) of the bulk arc, the grain-boundary arc or the electrode CPE of a fit."""
    model, p = circuit_model(fit.circuit), fit.parameters
    idx = {"bulk": model.bulk, "gb": model.gb,
           "electrode": (len(p) - 2, len(p) - 1) if model.electrode else None}.get(element, ())
    if idx == ():
        raise InputError(f"element must be bulk, gb or electrode; got {element!r}")
    f = np.atleast_1d(check_positive("freq_Hz", freq_Hz)).astype(float)
    if idx is None:
        return np.zeros(f.size, dtype=complex)
    if len(idx) == 1:
        return np.full(f.size, p[idx[0]], dtype=complex)
    if len(idx) == 2:
        return _predict("CPE1", [p[idx[0]], p[idx[1]]], f)
    return _predict("p(R1,CPE1)", [p[i] for i in idx], f)


@functools.lru_cache(maxsize=32)
def _evaluator(string: str) -> Any:
    return compile_circuit(string)


def _least_squares(model: CircuitModel, spectrum: Spectrum, p0: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, float]:
    """Modulus-weighted least squares in log(R), log(Q) and n: parameters, their covariance
    (:math:`C_p = D C_x D`, :math:`D = \\mathrm{diag}(\\partial p/\\partial x)`) and the RSS."""
    from scipy.optimize import least_squares

    is_n = np.zeros(p0.size, dtype=bool)
    is_n[list(model.exponents)] = True
    if np.any(p0[~is_n] <= 0) or np.any((p0[is_n] <= 0) | (p0[is_n] > 1)):
        raise InputError(f"guess must have R, Q > 0 and CPE exponents in (0, 1], got {p0.tolist()}")
    func = _evaluator(model.string)
    f, Z = spectrum.freq_Hz, spectrum.Z_ohm
    y, w = np.hstack([Z.real, Z.imag]), np.hstack([np.abs(Z), np.abs(Z)])

    def unpack(x: np.ndarray) -> np.ndarray:
        return np.where(is_n, x, np.exp(np.where(is_n, 0.0, np.clip(x, -700, 700))))

    def residual(x: np.ndarray) -> np.ndarray:
        z = func(f, unpack(x))
        return (np.hstack([z.real, z.imag]) - y) / w

    x0 = np.where(is_n, p0, np.log(np.where(is_n, 1.0, p0)))
    bounds = (np.where(is_n, 0.0, -np.inf), np.where(is_n, 1.0, np.inf))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            sol = least_squares(residual, x0, bounds=bounds, x_scale="jac", max_nfev=2000)
        except ValueError as exc:  # non-finite residuals
            raise NitrolyteError(f"impedance fit with circuit {model.name!r} failed: {exc}") from None
    if sol.status <= 0 or not np.all(np.isfinite(sol.x)) or not np.isfinite(sol.cost):
        raise NitrolyteError(f"impedance fit with circuit {model.name!r} did not converge: "
                             f"{sol.message}")
    p = unpack(sol.x)
    rss = float(sol.fun @ sol.fun)
    dof = max(y.size - p.size, 1)
    try:
        with np.errstate(all="ignore"):
            cov_x = np.linalg.inv(sol.jac.T @ sol.jac) * rss / dof
    except np.linalg.LinAlgError:
        cov_x = np.full((p.size, p.size), np.inf)
    d = np.where(is_n, 1.0, p)
    with np.errstate(all="ignore"):
        cov = cov_x * d[:, None] * d[None, :]
    bad = ~(np.isfinite(np.diag(cov)) & (np.diag(cov) >= 0))
    cov[bad, :] = np.inf
    cov[:, bad] = np.inf
    return p, cov, rss


def _stderr(cov: np.ndarray) -> np.ndarray:
    """Standard errors from a covariance (inf where the variance is not finite or < 0)."""
    v = np.diag(cov)
    with np.errstate(all="ignore"):
        return np.where(np.isfinite(v) & (v >= 0), np.sqrt(np.abs(v)), np.inf)


def kk_residual(spectrum: Spectrum, c: float = 0.85, max_M: int = 50) -> float:
    """RMS Kramers-Kronig residual (relative to :math:`|Z|`) of the lin-KK test.

    .. math:: \\hat Z = R_0 + \\sum_{k=1}^{M} \\frac{R_k}{1 + j\\omega\\tau_k} + j\\omega L
              + \\frac{1}{j\\omega C}, \\qquad
              r = \\sqrt{\\tfrac{1}{n}\\sum_i |Z_i - \\hat Z_i|^2/|Z_i|^2}

    The number of RC elements grows until :math:`\\mu < c` (Schönleber et al. 2014), as
    ``impedance.validation.linKK`` does, whose ``get_tc_distribution`` and ``fit_linKK`` are
    used; the model is evaluated here because linKK's own string evaluation fails under
    numpy 2 (impedance.py 1.7). A serial capacitance is included so that blocking-electrode
    spectra pass.
    """
    from impedance.validation import fit_linKK, get_tc_distribution

    f, Z = spectrum.freq_Hz, spectrum.Z_ohm
    absZ = np.abs(Z)
    if not (absZ.min() > 0 and absZ.max() <= KK_MAX_RANGE * absZ.min()):
        return math.nan  # lin-KK weights by 1/|Z|: a zero |Z| breaks its least squares (LAPACK)
    M, mu = 0, 1.0
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            while mu > c and max_M > M:
                M += 1
                ts = get_tc_distribution(f, M)
                elements, mu = fit_linKK(f, ts, M, Z, "complex", True)
        except (np.linalg.LinAlgError, ValueError, ZeroDivisionError, FloatingPointError):
            return math.nan
        e = np.asarray(elements, dtype=float)
        jw = 2j * np.pi * f
        Z_hat = e[0] + (e[1:M + 1, None] / (1 + jw[None, :] * ts[:, None])).sum(axis=0)
        Z_hat = Z_hat + jw * e[-1] + e[-2] / jw
        return float(np.sqrt(np.mean(np.abs(Z - Z_hat) ** 2 / np.abs(Z) ** 2)))


def _oriented(model: CircuitModel, p: np.ndarray, cov: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """Two arcs are interchangeable in the fit: the bulk is the one of smaller capacitance."""
    if model.gb is None or len(model.bulk) != 3:
        return p, cov
    b, g = list(model.bulk), list(model.gb)
    if capacitance_F(*p[b]) <= capacitance_F(*p[g]):
        return p, cov
    order = np.arange(p.size)
    order[b], order[g] = g, b
    return p[order], cov[np.ix_(order, order)]


def _resistances(model: CircuitModel, p: np.ndarray, e: np.ndarray) -> dict[str, Any]:
    b, g = model.bulk, model.gb
    return {"R_bulk_ohm": p[b[0]], "R_bulk_stderr_ohm": e[b[0]],
            "R_gb_ohm": None if g is None else p[g[0]],
            "R_gb_stderr_ohm": None if g is None else e[g[0]],
            "C_bulk_F": capacitance_F(*p[list(b)]) if len(b) == 3 else None,
            "C_gb_F": None if g is None else capacitance_F(*p[list(g)])}


def _fit_circuit(model: CircuitModel, spectrum: Spectrum, guess: Sequence[float] | None
                 ) -> tuple[np.ndarray, np.ndarray, float]:
    """Parameters, their covariance and the RSS of one circuit."""
    order = np.argsort(spectrum.freq_Hz)[::-1]
    p0 = list(guess) if guess is not None else model.guess(spectrum.freq_Hz[order],
                                                           spectrum.Z_ohm[order])
    if len(p0) != model.n_parameters:
        raise InputError(f"guess must have {model.n_parameters} values for circuit "
                         f"{model.name!r}, got {len(p0)}")
    p, cov, rss = _least_squares(model, spectrum, np.asarray(p0, dtype=float))
    return (*_oriented(model, p, cov), rss)


def _assess(model: CircuitModel, p: np.ndarray, cov: np.ndarray, L: float, A: float
            ) -> dict[str, Any]:
    """Resistances, errors, total R with its covariance-based error, and the fit's problems."""
    e = _stderr(cov)
    res = _resistances(model, p, e)
    R_idx = [model.bulk[0]] + ([] if model.gb is None else [model.gb[0]])
    R_tot = float(sum(p[i] for i in R_idx))
    R_tot_err = resistance_sum_stderr(cov, R_idx)
    rel_err = {"total": R_tot_err / R_tot}
    if model.gb is not None:
        rel_err["bulk"] = float(res["R_bulk_stderr_ohm"]) / res["R_bulk_ohm"]
    return {"e": e, "res": res, "R_tot": R_tot, "R_tot_err": R_tot_err,
            "problems": circuit_problems(model, res, p, rel_err, L, A)}


def _select(spectrum: Spectrum, L: float, A: float
            ) -> tuple[CircuitModel, np.ndarray, np.ndarray, list[dict[str, Any]]]:
    """The candidate of lowest BIC among the reliable fits; the fallbacks (``series_gb``) join
    when the lowest-BIC candidate is unreliable; the lowest BIC of all when nothing is. A circuit whose
    parameters break a rule of :mod:`~nitrolyte.transport.eis_quality` (a spurious second arc,
    say) is not chosen over a physical one."""
    N = 2 * spectrum.freq_Hz.size
    fitted: list[tuple[bool, float, CircuitModel, np.ndarray, np.ndarray]] = []
    tried: list[dict[str, Any]] = []
    errors: list[str] = []
    for names in (CANDIDATES, FALLBACKS):
        if fitted and not min(fitted, key=lambda c: c[1])[0]:
            break  # the best candidate by BIC is reliable
        for name in names:
            model = CIRCUIT_MODELS[name]
            try:
                p, cov, rss = _fit_circuit(model, spectrum, None)
            except NitrolyteError as exc:
                errors.append(str(exc))
                continue
            bic = N * np.log(max(rss, 1e-300) / N) + p.size * np.log(N)
            reliable = not _assess(model, p, cov, L, A)["problems"]
            tried.append({"circuit": name, "bic": float(bic), "rss": rss, "reliable": reliable})
            fitted.append((not reliable, bic, model, p, cov))
    if not fitted:
        raise NitrolyteError("no candidate circuit could be fitted: " + "; ".join(errors))
    best = min(fitted, key=lambda c: (c[0], c[1]))
    return best[2], best[3], best[4], tried


def fit_impedance(
    freq_Hz: Any,
    Z_ohm: Any = None,
    *,
    thickness_cm: float,
    area_cm2: float,
    circuit: str | None = None,
    guess: Sequence[float] | None = None,
    T_K: float | None = None,
    kk: bool = True,
) -> ImpedanceFit:
    """Fit an equivalent circuit to an impedance spectrum; bulk and total conductivity.

    .. math:: \\sigma_\\mathrm{bulk} = \\frac{L}{R_\\mathrm{b} A}, \\quad
              \\sigma_\\mathrm{total} = \\frac{L}{(R_\\mathrm{b}+R_\\mathrm{gb}) A}, \\quad
              Z_\\mathrm{CPE} = \\frac{1}{Q (j\\omega)^n}

    Parameters
    ----------
    freq_Hz : array_like or Spectrum
        Frequencies in Hz, or a :class:`Spectrum` (then ``Z_ohm`` is omitted).
    Z_ohm : array_like of complex
        Impedance in ohm, :math:`Z' + jZ''` (capacitive arcs have :math:`Z'' < 0`; a spectrum
        with the opposite sign is flipped and the fit says so in ``warnings``).
    thickness_cm : float
        Pellet thickness in cm (> 0); required.
    area_cm2 : float
        Electrode area in cm^2 (> 0); required.
    circuit : str, optional
        A registered circuit (:mod:`nitrolyte.transport.circuits`); default: the candidate with
        the lowest BIC.
    guess : sequence of float, optional
        Initial parameters in impedance.py order (needs ``circuit``).
    T_K : float, optional
        Temperature in K, stored with the result.
    kk : bool
        Run the Kramers-Kronig check (default True).
    """
    from nitrolyte.transport.eis_readers import fix_sign

    spectrum = freq_Hz if isinstance(freq_Hz, Spectrum) else Spectrum(freq_Hz, Z_ohm, T_K)
    L = float(check_range("thickness_cm", thickness_cm, lo=0.0, hi=1e4, lo_inclusive=False))
    A = float(check_range("area_cm2", area_cm2, lo=0.0, hi=1e8, lo_inclusive=False))
    spectrum, notes = fix_sign(spectrum)
    if not np.any(np.abs(spectrum.Z_ohm) > 0):
        raise InputError(f"{spectrum.source or 'spectrum'}: impedance is zero at every frequency")
    if circuit is None:
        if guess is not None:
            raise InputError("guess needs circuit (the parameter order depends on it)")
        model, p, cov, tried = _select(spectrum, L, A)
    else:
        model = circuit_model(circuit)
        p, cov, _ = _fit_circuit(model, spectrum, guess)
        tried = []
    q = _assess(model, p, cov, L, A)
    e, res, R_tot, R_tot_err = q["e"], q["res"], q["R_tot"], q["R_tot_err"]
    Z_fit = _predict(model.string, p, spectrum.freq_Hz)
    rel = float(np.sqrt(np.mean(np.abs(Z_fit - spectrum.Z_ohm) ** 2 / np.abs(spectrum.Z_ohm) ** 2)))
    kk_res = kk_residual(spectrum) if kk else None
    name = Path(spectrum.source).name
    notes += [f"{name}: {w}" if name else w for w in fit_warnings(rel, kk_res)]
    s_b, s_t = L / (res["R_bulk_ohm"] * A), L / (R_tot * A)
    n = spectrum.freq_Hz.size * 2
    sel = tuple({"circuit": t["circuit"], "bic": t["bic"], "reliable": t["reliable"],
                 "rel_rmse": float(np.sqrt(t["rss"] / (n / 2)))} for t in tried)
    return ImpedanceFit(
        circuit=model.name, circuit_string=model.string, parameter_names=_parameter_names(model),
        parameters=tuple(p.tolist()), parameter_stderr=tuple(e.tolist()),
        **{k: (None if v is None else float(v)) for k, v in res.items()},
        R_total_ohm=R_tot, R_total_stderr_ohm=R_tot_err, thickness_cm=L, area_cm2=A,
        sigma_bulk_S_cm=s_b, sigma_bulk_stderr_S_cm=s_b * float(res["R_bulk_stderr_ohm"]) / res["R_bulk_ohm"],
        sigma_total_S_cm=s_t, sigma_total_stderr_S_cm=s_t * R_tot_err / R_tot, rel_rmse=rel,
        T_K=spectrum.T_K, source=spectrum.source, kk_residual=kk_res, warnings=tuple(notes),
        selection=sel, parameter_covariance=tuple(tuple(r) for r in cov.tolist()),
        problems=tuple(q["problems"]))


def _parameter_names(model: CircuitModel) -> tuple[str, ...]:
    from impedance.models.circuits import CustomCircuit

    c = CustomCircuit(model.string, initial_guess=[1.0] * model.n_parameters)
    return tuple(c.get_param_names()[0])
