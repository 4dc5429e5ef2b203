"""Impedance spectra of SSE pellets to bulk and total conductivity, with impedance.py.

Equivalent circuits (impedance.py circuit strings; ``p(a,b)`` is a parallel connection):

* ``"bulk"``: ``p(R1,CPE1)-CPE2`` - bulk R parallel to a CPE, in series with the blocking-electrode
  CPE;
* ``"bulk_gb"``: ``p(R1,CPE1)-p(R2,CPE2)-CPE3`` - bulk arc, grain-boundary arc, electrode;
* ``"series_gb"``: ``R0-p(R1,CPE1)-CPE2`` - the bulk arc lies above the highest measured
  frequency (fast conductors at room temperature), so the bulk is the high-frequency intercept
  R0 and the arc is the grain boundary.

A CPE has :math:`Z = 1/(Q(j\\omega)^n)`. impedance.py parses the circuit and evaluates it
(``CustomCircuit``, ``wrapCircuit``); the least squares (scipy ``least_squares``, residuals
weighted by :math:`|Z|` as impedance.py's ``weight_by_modulus``) runs in :math:`\\ln R`,
:math:`\\ln Q` and :math:`n`, because ``CustomCircuit.fit`` in linear parameters stalls on the
12 decades between a bulk Q (~1e-11) and R (~1e5). Standard errors come from the Jacobian,
scaled by the residual variance. The initial guess is read off the spectrum
(see :func:`initial_guess`) unless given.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from nitrolyte.checks import check_choice, check_positive
from nitrolyte.errors import InputError, NitrolyteError
from nitrolyte.transport.arrhenius import Convention
from nitrolyte.transport.fitting import ArrheniusFit, fit_arrhenius
from nitrolyte.transport.io import Spectrum, read_spectrum

Circuit = Literal["bulk", "bulk_gb", "series_gb"]
CIRCUITS: dict[str, str] = {"bulk": "p(R1,CPE1)-CPE2",
                            "bulk_gb": "p(R1,CPE1)-p(R2,CPE2)-CPE3",
                            "series_gb": "R0-p(R1,CPE1)-CPE2"}
_N_PARAMETERS = {"bulk": 5, "bulk_gb": 8, "series_gb": 6}
#: positions of the CPE exponents n in each circuit's parameter list
_EXPONENTS = {"bulk": (2, 4), "bulk_gb": (2, 5, 7), "series_gb": (3, 5)}
Which = Literal["bulk", "total"]


@dataclass(frozen=True)
class ImpedanceFit:
    """Result of :func:`fit_impedance`.

    Attributes
    ----------
    circuit : str
        ``"bulk"``, ``"bulk_gb"`` or ``"series_gb"``; ``circuit_string`` the impedance.py string.
    parameter_names, parameters, parameter_stderr : tuple
        Fitted circuit parameters (ohm for R, F s^(n-1) for CPE Q, dimensionless n).
    R_bulk_ohm, R_gb_ohm, R_total_ohm : float or None
        Resistances in ohm (``R_gb_ohm`` None without a grain-boundary element) and their errors.
    C_bulk_F, C_gb_F : float or None
        Effective capacitance of a parallel R-CPE, :math:`C = (RQ)^{1/n}/R` (F); bulk ~pF,
        grain boundaries ~nF.
    thickness_cm, area_cm2 : float
        Pellet geometry.
    sigma_bulk_S_cm, sigma_total_S_cm : float
        :math:`\\sigma = L/(RA)` in S/cm, with standard errors.
    rel_rmse : float
        Root-mean-square of :math:`|Z_\\mathrm{fit}-Z|/|Z|`.
    T_K : float or None
        Temperature of the spectrum, K.
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

    def predict(self, freq_Hz: Any) -> np.ndarray:
        """Complex impedance (ohm) of the fitted circuit at ``freq_Hz`` (Hz)."""
        from impedance.models.circuits import CustomCircuit

        c = CustomCircuit(self.circuit_string, initial_guess=list(self.parameters))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return c.predict(np.atleast_1d(check_positive("freq_Hz", freq_Hz)), use_initial=True)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (schema in docs/transport.md)."""
        return asdict(self)

    def to_frame(self) -> pd.DataFrame:
        """One row per circuit parameter."""
        return pd.DataFrame({"parameter": self.parameter_names, "value": self.parameters,
                             "stderr": self.parameter_stderr})


def _cpe_capacitance(R: float, Q: float, n: float) -> float:
    return float((R * Q) ** (1.0 / n) / R)


def initial_guess(spectrum: Spectrum, circuit: Circuit = "bulk") -> list[float]:
    """Starting values read off the Nyquist plot.

    The most resistive point (smallest phase angle) marks the end of the arc(s): its Z' is the
    total resistance; an arc's apex frequency gives its CPE, :math:`Q = \\omega_p^{-n}/R`; the
    lowest frequency gives the electrode CPE, :math:`Q = 1/(\\omega |Z - R|)^{n}`-like.
    """
    check_choice("circuit", circuit, tuple(CIRCUITS))
    order = np.argsort(spectrum.freq_Hz)[::-1]
    f, Z = spectrum.freq_Hz[order], spectrum.Z_ohm[order]
    w = 2 * np.pi * f
    phase = np.abs(np.arctan2(-Z.imag, Z.real))
    valley = int(np.argmin(phase[: max(len(f) - 2, 1)]))
    R_tot = max(float(Z.real[valley]), float(np.abs(Z).min()) * 1e-3, 1e-9)
    arc = slice(0, valley + 1)
    apex = int(np.argmax(-Z.imag[arc])) if valley > 0 else 0
    Q_el = 1.0 / (w[-1] ** 0.8 * max(abs(Z[-1] - R_tot), 1e-12))
    if circuit == "bulk":
        return [R_tot, w[apex] ** -0.9 / R_tot, 0.9, Q_el, 0.8]
    if circuit == "series_gb":
        R0 = max(float(Z.real[0]) * 0.9, 1e-9)
        R1 = max(R_tot - R0, R_tot * 0.1)
        return [R0, R1, w[apex] ** -0.9 / R1, 0.9, Q_el, 0.8]
    R1, R2 = R_tot / 2, R_tot / 2
    return [R1, (w[apex] * 10) ** -0.9 / R1, 0.9, R2, (w[apex] / 10) ** -0.9 / R2, 0.9, Q_el, 0.8]


def _resistances(circuit: str, p: np.ndarray, e: np.ndarray) -> dict[str, Any]:
    if circuit == "bulk":
        return {"R_bulk_ohm": p[0], "R_bulk_stderr_ohm": e[0], "R_gb_ohm": None,
                "R_gb_stderr_ohm": None, "C_bulk_F": _cpe_capacitance(*p[0:3]), "C_gb_F": None}
    if circuit == "bulk_gb":
        return {"R_bulk_ohm": p[0], "R_bulk_stderr_ohm": e[0], "R_gb_ohm": p[3],
                "R_gb_stderr_ohm": e[3], "C_bulk_F": _cpe_capacitance(*p[0:3]),
                "C_gb_F": _cpe_capacitance(*p[3:6])}
    return {"R_bulk_ohm": p[0], "R_bulk_stderr_ohm": e[0], "R_gb_ohm": p[1], "R_gb_stderr_ohm": e[1],
            "C_bulk_F": None, "C_gb_F": _cpe_capacitance(*p[1:4])}


def _least_squares(circuit: str, spectrum: Spectrum, p0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Modulus-weighted least squares in log(R), log(Q) and n, with impedance.py's circuit model."""
    from impedance.models.circuits.fitting import wrapCircuit
    from scipy.optimize import least_squares

    is_n = np.zeros(p0.size, dtype=bool)
    is_n[list(_EXPONENTS[circuit])] = True
    if np.any(p0[~is_n] <= 0) or np.any((p0[is_n] <= 0) | (p0[is_n] > 1)):
        raise InputError(f"guess must have R, Q > 0 and CPE exponents in (0, 1], got {p0.tolist()}")
    func = wrapCircuit(CIRCUITS[circuit], {})
    f, Z = spectrum.freq_Hz, spectrum.Z_ohm
    y, w = np.hstack([Z.real, Z.imag]), np.hstack([np.abs(Z), np.abs(Z)])

    def unpack(x: np.ndarray) -> np.ndarray:
        return np.where(is_n, x, np.exp(np.where(is_n, 0.0, x)))

    def residual(x: np.ndarray) -> np.ndarray:
        return (np.asarray(func(f, *unpack(x))) - y) / w

    x0 = np.where(is_n, p0, np.log(np.where(is_n, 1.0, p0)))
    bounds = (np.where(is_n, 0.0, -np.inf), np.where(is_n, 1.0, np.inf))
    with np.errstate(all="ignore"):
        sol = least_squares(residual, x0, bounds=bounds, x_scale="jac", max_nfev=5000)
    if sol.status <= 0 or not np.all(np.isfinite(sol.x)):
        raise NitrolyteError(f"impedance fit with circuit {circuit!r} did not converge: {sol.message}")
    p = unpack(sol.x)
    dof = max(y.size - p.size, 1)
    try:
        cov_x = np.linalg.inv(sol.jac.T @ sol.jac) * float(sol.fun @ sol.fun) / dof
        err_x = np.sqrt(np.clip(np.diag(cov_x), 0.0, None))
    except np.linalg.LinAlgError:
        err_x = np.full(p.size, np.inf)
    return p, np.where(is_n, err_x, p * err_x)


def fit_impedance(
    freq_Hz: Any,
    Z_ohm: Any = None,
    thickness_cm: float = 0.1,
    area_cm2: float = 1.0,
    circuit: Circuit = "bulk",
    *,
    guess: Sequence[float] | None = None,
    T_K: float | None = None,
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
        Impedance in ohm, :math:`Z' + jZ''` (capacitive arcs have :math:`Z'' < 0`).
    thickness_cm : float
        Pellet thickness in cm (> 0).
    area_cm2 : float
        Electrode area in cm^2 (> 0).
    circuit : {"bulk", "bulk_gb", "series_gb"}
        Equivalent circuit (see the module docstring).
    guess : sequence of float, optional
        Initial parameters in impedance.py order; default :func:`initial_guess`.
    T_K : float, optional
        Temperature in K, stored with the result.
    """
    spectrum = freq_Hz if isinstance(freq_Hz, Spectrum) else Spectrum(freq_Hz, Z_ohm, T_K)
    check_choice("circuit", circuit, tuple(CIRCUITS))
    L = float(check_positive("thickness_cm", thickness_cm))
    A = float(check_positive("area_cm2", area_cm2))
    from impedance.models.circuits import CustomCircuit

    p0 = list(guess) if guess is not None else initial_guess(spectrum, circuit)
    n_par = _N_PARAMETERS[circuit]
    if len(p0) != n_par:
        raise InputError(f"guess must have {n_par} values for circuit {circuit!r}, got {len(p0)}")
    p, e = _least_squares(circuit, spectrum, np.asarray(p0, dtype=float))
    if circuit == "bulk_gb" and _cpe_capacitance(*p[0:3]) > _cpe_capacitance(*p[3:6]):
        # the two arcs are interchangeable in the fit: the bulk is the one of smaller capacitance
        swap = [3, 4, 5, 0, 1, 2, 6, 7]
        p, e = p[swap], e[swap]
    res = _resistances(circuit, p, e)
    R_tot = res["R_bulk_ohm"] + (res["R_gb_ohm"] or 0.0)
    R_tot_err = float(np.hypot(res["R_bulk_stderr_ohm"], res["R_gb_stderr_ohm"] or 0.0))
    model = CustomCircuit(CIRCUITS[circuit], initial_guess=list(p))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Z_fit = model.predict(spectrum.freq_Hz, use_initial=True)
    rel = float(np.sqrt(np.mean(np.abs(Z_fit - spectrum.Z_ohm) ** 2 / np.abs(spectrum.Z_ohm) ** 2)))
    s_b, s_t = L / (res["R_bulk_ohm"] * A), L / (R_tot * A)
    return ImpedanceFit(
        circuit=circuit, circuit_string=CIRCUITS[circuit],
        parameter_names=tuple(model.get_param_names()[0]), parameters=tuple(p.tolist()),
        parameter_stderr=tuple(e.tolist()), **{k: (None if v is None else float(v))
                                              for k, v in res.items()},
        R_total_ohm=float(R_tot), R_total_stderr_ohm=R_tot_err, thickness_cm=L, area_cm2=A,
        sigma_bulk_S_cm=s_b, sigma_bulk_stderr_S_cm=s_b * float(res["R_bulk_stderr_ohm"]) / res["R_bulk_ohm"],
        sigma_total_S_cm=s_t, sigma_total_stderr_S_cm=s_t * R_tot_err / R_tot, rel_rmse=rel,
        T_K=spectrum.T_K, source=spectrum.source)


@dataclass(frozen=True)
class SpectraArrhenius:
    """Impedance fits at several temperatures and the Arrhenius fit of their conductivities."""

    impedance_fits: tuple[ImpedanceFit, ...]
    arrhenius: ArrheniusFit
    which: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"which": self.which, "arrhenius": self.arrhenius.to_dict(),
                "impedance_fits": [f.to_dict() for f in self.impedance_fits]}

    def to_frame(self) -> pd.DataFrame:
        """One row per spectrum: T, resistances, conductivities."""
        keys = ("source", "T_K", "R_bulk_ohm", "R_gb_ohm", "R_total_ohm", "sigma_bulk_S_cm",
                "sigma_total_S_cm", "rel_rmse")
        return pd.DataFrame([{k: getattr(f, k) for k in keys} for f in self.impedance_fits])


def _spectra(items: Any) -> list[Spectrum]:
    if isinstance(items, str | Path) and Path(items).is_dir():
        files = sorted(Path(items).glob("*.csv"))
        if not files:
            raise InputError(f"no .csv spectra in folder {items}")
        return [read_spectrum(p) for p in files]
    if isinstance(items, str | Path | Spectrum):
        items = [items]
    return [s if isinstance(s, Spectrum) else read_spectrum(s) for s in items]


def arrhenius_from_spectra(
    spectra: Any,
    temperatures_K: Sequence[float] | None = None,
    *,
    thickness_cm: float,
    area_cm2: float,
    circuit: Circuit = "bulk",
    which: Which = "total",
    convention: Convention = "sigmaT",
) -> SpectraArrhenius:
    """Fit every spectrum, then an Arrhenius law to the bulk or total conductivities.

    .. math:: \\sigma_i = \\frac{L}{R_i A}, \\quad \\sigma_i T_i = A_0\\,e^{-E_a/k_B T_i}

    Parameters
    ----------
    spectra : folder, file paths or Spectrum objects
        A folder means every ``*.csv`` in it.
    temperatures_K : sequence of float, optional
        One temperature per spectrum in K; default the spectra's own (from file names).
    thickness_cm, area_cm2 : float
        Pellet thickness (cm) and area (cm^2).
    circuit : {"bulk", "bulk_gb", "series_gb"}
        Equivalent circuit for every spectrum.
    which : {"bulk", "total"}
        Which conductivity goes into the Arrhenius fit.
    convention : {"sigmaT", "sigma"}
        Arrhenius form; the conductivity errors of the impedance fits weigh the points.
    """
    check_choice("which", which, get_args(Which))
    items = _spectra(spectra)
    if temperatures_K is not None:
        if len(temperatures_K) != len(items):
            raise InputError(f"temperatures_K must have one value per spectrum ({len(items)}), "
                             f"got {len(temperatures_K)}")
        items = [Spectrum(s.freq_Hz, s.Z_ohm, float(T), s.source) for s, T in
                 zip(items, temperatures_K, strict=True)]
    missing = [s.source or f"#{i}" for i, s in enumerate(items) if s.T_K is None]
    if missing:
        raise InputError("no temperature for spectra " + ", ".join(missing) + "; pass temperatures_K "
                         "or put it in the file name (e.g. sample_300K.csv)")
    items = sorted(items, key=lambda s: float(s.T_K or 0.0))
    fits = tuple(fit_impedance(s, thickness_cm=thickness_cm, area_cm2=area_cm2, circuit=circuit)
                 for s in items)
    sig = np.array([getattr(f, f"sigma_{which}_S_cm") for f in fits])
    err = np.array([getattr(f, f"sigma_{which}_stderr_S_cm") for f in fits])
    use_err = bool(np.all(np.isfinite(err) & (err > 0)))
    arr = fit_arrhenius([f.T_K for f in fits], sig, err if use_err else None, convention,
                        absolute_sigma=False)
    return SpectraArrhenius(fits, arr, which)
