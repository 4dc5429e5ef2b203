"""A temperature series of impedance spectra -> sigma(T) -> Arrhenius fit -> a stored set.

.. math:: \\sigma_i = \\frac{L}{R_i A}, \\quad \\sigma_i T_i = A_0\\,e^{-E_a/k_B T_i}

Temperatures come from the caller (one per spectrum), a manifest CSV (:func:`read_manifest`) or
the file names (``pellet_80C.mpt``); each is range-checked (10-2000 K,
:mod:`nitrolyte.plausibility`). :meth:`SpectraArrhenius.store` saves the whole series with
``Database.add_measurement_set`` in one transaction.

A fit that breaks a rule of :mod:`nitrolyte.transport.eis_quality` (unphysical capacitance, a
parameter at its bound, a conductivity error above 30 %) is *unreliable*: it is left out of the
Arrhenius fit (which is robust, Huber loss, by default), named in the warnings, and not stored
unless ``force=True`` (``--force``); a forced one is stored with a note on its points
(:data:`UNRELIABLE_NOTE`) and listed in ``method_details["unreliable"]``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
import pandas as pd

from nitrolyte.checks import check_choice
from nitrolyte.errors import DataValidationError, InputError
from nitrolyte.transport.arrhenius import Convention
from nitrolyte.transport.fitting import (
    MAX_RELATIVE_ERROR,
    MIN_RELATIVE_ERROR,
    MIN_TEMPERATURES,
    ArrheniusFit,
    Loss,
    fit_arrhenius,
    fit_law,
)
from nitrolyte.transport.impedance import ImpedanceFit, fit_impedance
from nitrolyte.transport.io import Spectrum
from nitrolyte.transport.laws.base import LawFit
from nitrolyte.transport.laws.registry import arrhenius_law, resolve_law

if TYPE_CHECKING:
    from nitrolyte.store.database import Database

Which = Literal["bulk", "total"]
#: the note on a stored point of an unreliable fit (followed by its problems)
UNRELIABLE_NOTE = "unreliable impedance fit (stored with --force)"


@dataclass(frozen=True)
class SpectraArrhenius:
    """Impedance fits at several temperatures and the Arrhenius fit of their conductivities.

    Attributes
    ----------
    impedance_fits : tuple of ImpedanceFit
        One per spectrum, sorted by temperature.
    arrhenius : ArrheniusFit or None
        Fit of ``which`` conductivity; None with fewer than three distinct temperatures.
    which : {"bulk", "total"}
        The conductivity fitted.
    warnings : tuple of str
        Every spectrum's warnings, prefixed with its file name (an unreliable fit's problems
        included).
    """

    impedance_fits: tuple[ImpedanceFit, ...]
    arrhenius: ArrheniusFit | None
    which: str
    warnings: tuple[str, ...] = ()

    @property
    def unreliable(self) -> tuple[ImpedanceFit, ...]:
        """The fits that break a rule of :mod:`nitrolyte.transport.eis_quality`."""
        return tuple(f for f in self.impedance_fits if not f.reliable)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"which": self.which,
                "arrhenius": None if self.arrhenius is None else self.arrhenius.to_dict(),
                "impedance_fits": [f.to_dict() for f in self.impedance_fits],
                "warnings": list(self.warnings)}

    def to_frame(self) -> pd.DataFrame:
        """One row per spectrum: T, circuit, resistances, conductivities, quality."""
        keys = ("source", "T_K", "circuit", "R_bulk_ohm", "R_gb_ohm", "R_total_ohm",
                "sigma_bulk_S_cm", "sigma_bulk_stderr_S_cm", "sigma_total_S_cm",
                "sigma_total_stderr_S_cm", "rel_rmse", "kk_residual", "reliable")
        return pd.DataFrame([{**{k: getattr(f, k) for k in keys},
                              "problems": "; ".join(f.problems)} for f in self.impedance_fits])

    def points(self) -> list[dict[str, Any]]:
        """Bulk and total conductivity per temperature, as ``add_measurement_set`` points."""
        out = []
        for f in self.impedance_fits:
            for kind in ("total", "bulk"):
                if kind == "bulk" and f.R_gb_ohm is None:
                    continue  # no grain-boundary arc: bulk and total are the same number
                out.append({"T_K": f.T_K, "sigma_S_cm": getattr(f, f"sigma_{kind}_S_cm"),
                            "kind": kind,
                            "sigma_stderr_S_cm": _finite(getattr(f, f"sigma_{kind}_stderr_S_cm")),
                            "direction": None,
                            "note": None if f.reliable else unreliable_note(f)})
        return out

    def store(self, db: Database, name: str, *, formula: str | None = None,
              family: str | None = None, added_by: str | None = None,
              note: str | None = None, spectra: Sequence[Spectrum] | None = None,
              allow_implausible: bool = False, force: bool = False) -> Any:
        """Save the series as one measurement set (points, fit, method, files' SHA-256).

        ``method_details`` keeps the geometry, each file's circuit and parameters and, when
        ``spectra`` are given, the measured data (for the report's Nyquist figure). Returns the
        store's ``MeasurementSetResult``. Nothing is stored if any value is implausible
        (:func:`nitrolyte.plausibility.check_measurement`) unless ``allow_implausible``, nor if
        any fit is unreliable (:mod:`nitrolyte.transport.eis_quality`) unless ``force``.
        """
        from nitrolyte import __version__
        from nitrolyte.plausibility import check_measurement

        pts = self.points()
        check_measurement(T_K=[p["T_K"] for p in pts], sigma_S_cm=[p["sigma_S_cm"] for p in pts],
                          Ea_eV=[] if self.arrhenius is None else [self.arrhenius.Ea_eV],
                          where=name, allow_implausible=allow_implausible,
                          error=DataValidationError)
        bad = self.unreliable
        if bad and not force:
            raise DataValidationError(
                "unreliable impedance fit(s), nothing stored: " + "; ".join(
                    f"{Path(f.source).name or 'spectrum'}: {', '.join(f.problems)}" for f in bad)
                + ". Check the spectra or force a circuit (--circuit); --force stores them "
                "marked unreliable")
        first = self.impedance_fits[0]
        details = {"circuits": {Path(f.source).name: f.circuit for f in self.impedance_fits},
                   "thickness_cm": first.thickness_cm, "area_cm2": first.area_cm2,
                   "which": self.which, "nitrolyte_version": __version__,
                   "kk_residual_max": max((f.kk_residual or 0.0) for f in self.impedance_fits),
                   "warnings": list(self.warnings),
                   "unreliable": [{"file": Path(f.source).name, "T_K": f.T_K,
                                   "problems": list(f.problems)} for f in bad],
                   "spectra": [_spectrum_record(f, s) for f, s in
                               zip(self.impedance_fits, _matching(self.impedance_fits, spectra),
                                   strict=True)]}
        files = [(Path(f.source).name, sha256_file(f.source)) for f in self.impedance_fits
                 if f.source and Path(f.source).is_file()]
        return db.add_measurement_set(name, formula=formula, family=family, points=pts,
                                      fit=fit_summary(self.arrhenius), method="EIS",
                                      method_details=details, source_files=files,
                                      added_by=added_by, note=note,
                                      allow_implausible=allow_implausible)


def _matching(fits: Sequence[ImpedanceFit], spectra: Sequence[Spectrum] | None
              ) -> list[Spectrum | None]:
    by_source = {s.source: s for s in spectra or ()}
    return [by_source.get(f.source) for f in fits]


def _spectrum_record(fit: ImpedanceFit, spectrum: Spectrum | None) -> dict[str, Any]:
    """One spectrum's fit (and data, if given) as JSON for ``method_details``."""
    out: dict[str, Any] = {"file": Path(fit.source).name, "T_K": fit.T_K,
                           "circuit": fit.circuit, "parameters": list(fit.parameters),
                           "rel_rmse": fit.rel_rmse, "kk_residual": fit.kk_residual,
                           "problems": list(fit.problems)}
    if spectrum is not None:
        out.update(freq_Hz=spectrum.freq_Hz.tolist(), Z_real_ohm=spectrum.Z_ohm.real.tolist(),
                   Z_imag_ohm=spectrum.Z_ohm.imag.tolist())
    return out


def unreliable_note(fit: ImpedanceFit) -> str:
    """The note stored on the points of a forced unreliable fit."""
    return f"{UNRELIABLE_NOTE}: {'; '.join(fit.problems)}"


def _finite(x: float | None) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def fit_summary(fit: ArrheniusFit | LawFit | None) -> dict[str, Any] | None:
    """The ``fit`` dict of ``add_measurement_set`` for a fit of any law (None passes through):
    the law's name and parameters with their errors (:meth:`LawFit.summary`)."""
    return None if fit is None else fit.summary()


def pellet_geometry_cm(thickness: str | None, area: str | None, diameter: str | None, *,
                       prefix: str = "") -> tuple[float, float]:
    """(thickness in cm, electrode area in cm2) of a pellet from text with units.

    .. math:: A = \\pi d^2/4

    The thickness and exactly one of area / diameter are required (no default: a wrong
    geometry scales every conductivity). ``prefix`` ("--" for the CLI) goes before the field
    names in the messages.
    """
    import math

    from nitrolyte.units import parse_quantity

    t_name, a_name, d_name = (f"{prefix}{n}" for n in ("thickness", "area", "diameter"))
    blank = [v is None or not str(v).strip() for v in (thickness, area, diameter)]
    if blank[0]:
        raise InputError(f"{t_name}: give the pellet thickness with its unit (e.g. 1mm, 500um); "
                         "there is no default")
    if blank[1] == blank[2]:
        raise InputError(f"give the electrode size with exactly one of {a_name} (e.g. 0.785cm2) "
                         f"or {d_name} (e.g. 10mm); there is no default")
    L = parse_quantity(str(thickness), "length", t_name)
    if not blank[1]:
        A, field, text = parse_quantity(str(area), "area", a_name), a_name, str(area)
    else:
        d = parse_quantity(str(diameter), "length", d_name)
        A, field, text = math.pi * d * d / 4, d_name, str(diameter)
    for name, value, given in ((t_name, L, thickness), (field, A, text)):
        if not math.isfinite(value) or value > 1e4:
            raise InputError(f"{name} must be a finite size of a laboratory pellet, got {given}")
    return L, A


def sha256_file(path: str | Path) -> str:
    """SHA-256 (hex) of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_manifest(path: str | Path) -> dict[str, float]:
    """File name -> temperature (K) from a CSV with columns ``file`` and ``T`` (``25C``, ``300K``)
    or ``T_K`` / ``T_C``."""
    from nitrolyte.plausibility import check_measurement
    from nitrolyte.units import ZERO_C_K, parse_quantity

    path = Path(path)
    if not path.is_file():
        raise InputError(f"manifest file not found: {path}")
    try:
        frame = pd.read_csv(path, comment="#", skipinitialspace=True, dtype=str)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataValidationError(f"{path.name}: not a manifest CSV "
                                  f"({' '.join(str(exc).split())})") from None
    cols = {c.strip(): c for c in frame.columns}
    t_col = next((c for c in ("T", "T_K", "T_C") if c in cols), None)
    if "file" not in cols or t_col is None:
        raise DataValidationError(f"{path.name}: a manifest needs columns file and T (or T_K, "
                                  f"T_C); got {', '.join(cols)}")
    out = {}
    for i, (f, t) in enumerate(zip(frame[cols["file"]], frame[cols[t_col]], strict=True), start=2):
        where = f"{path.name} row {i}"
        try:
            T = (parse_quantity(str(t), "temperature", where) if t_col == "T"
                 else float(t) + (ZERO_C_K if t_col == "T_C" else 0.0))
        except ValueError as exc:
            raise DataValidationError(f"{where}: {exc}") from None
        check_measurement(T_K=[T], where=where, error=DataValidationError)
        out[Path(str(f).strip()).name] = T
    return out


def _with_temperatures(items: list[Spectrum], temperatures_K: Sequence[float] | None
                       ) -> list[Spectrum]:
    from nitrolyte.plausibility import check_measurement

    if temperatures_K is not None:
        if len(temperatures_K) != len(items):
            raise InputError(f"temperatures_K must have one value per spectrum ({len(items)}), "
                             f"got {len(temperatures_K)}")
        items = [Spectrum(s.freq_Hz, s.Z_ohm, float(T), s.source, s.meta) for s, T in
                 zip(items, temperatures_K, strict=True)]
    missing = [Path(s.source).name or f"#{i}" for i, s in enumerate(items) if s.T_K is None]
    if missing:
        raise InputError("no temperature for spectra " + ", ".join(missing) + "; pass "
                         "temperatures (--T, a manifest) or put it in the file name "
                         "(e.g. sample_300K.csv)")
    for s in items:
        check_measurement(T_K=[s.T_K], where=f"{Path(s.source).name or 'spectrum'}: temperature")
    return sorted(items, key=lambda s: float(s.T_K or 0.0))


def _spectra(items: Any) -> list[Spectrum]:
    from nitrolyte.transport.eis_readers import read_instrument_file

    if isinstance(items, str | Path) and Path(items).is_dir():
        files = sorted(p for p in Path(items).iterdir() if p.is_file())
        if not files:
            raise InputError(f"no spectra in folder {items}")
        return [read_instrument_file(p) for p in files]
    if isinstance(items, str | Path | Spectrum):
        items = [items]
    return [s if isinstance(s, Spectrum) else read_instrument_file(s) for s in items]


def arrhenius_from_spectra(
    spectra: Any,
    temperatures_K: Sequence[float] | None = None,
    *,
    thickness_cm: float,
    area_cm2: float,
    circuit: str | None = None,
    which: Which = "total",
    convention: Convention = "sigmaT",
    require_arrhenius: bool = True,
    loss: Loss = "huber",
) -> SpectraArrhenius:
    """Fit every spectrum, then an Arrhenius law to the bulk or total conductivities.

    Parameters
    ----------
    spectra : folder, file paths or Spectrum objects
        A folder means every file in it (any registered format).
    temperatures_K : sequence of float, optional
        One temperature per spectrum in K; default the spectra's own (from file names).
    thickness_cm, area_cm2 : float
        Pellet thickness (cm) and electrode area (cm^2); required.
    circuit : str, optional
        Force one circuit for every spectrum; default: chosen per spectrum by BIC.
    which : {"bulk", "total"}
        Which conductivity goes into the Arrhenius fit.
    convention : {"sigmaT", "sigma"}
        Arrhenius form; the conductivity errors of the impedance fits weigh the points.
    require_arrhenius : bool
        Raise when fewer than three distinct temperatures of reliable fits are given
        (default); with False, ``arrhenius`` is None instead.
    loss : {"huber", "linear"}
        Robust (default) or plain weighted least squares (:func:`fit_arrhenius`).

    Unreliable impedance fits (:mod:`nitrolyte.transport.eis_quality`) are left out of the
    Arrhenius fit, and the warnings say so.
    """
    check_choice("which", which, get_args(Which))
    arrhenius_law(convention)  # before any impedance fit: a wrong name fails fast
    items = _with_temperatures(_spectra(spectra), temperatures_K)
    fits = tuple(fit_impedance(s, thickness_cm=thickness_cm, area_cm2=area_cm2, circuit=circuit)
                 for s in items)
    notes = [w for s, f in zip(items, fits, strict=True)
             for w in [*s.meta.get("warnings", []), *f.warnings] if w]
    notes += [f"{Path(f.source).name or 'spectrum'} ({f.T_K:.2f} K): unreliable fit, left out "
              f"of the Arrhenius fit and not stored without --force: {'; '.join(f.problems)}"
              for f in fits if not f.reliable]
    good = [f for f in fits if f.reliable]
    n_T = len({f.T_K for f in good})
    if n_T < MIN_TEMPERATURES:
        if require_arrhenius:
            raise InputError(f"an Arrhenius fit needs at least {MIN_TEMPERATURES} distinct "
                             f"temperatures of reliable fits, got {n_T}")
        if len({f.T_K for f in fits}) >= MIN_TEMPERATURES:
            notes.append(f"no Arrhenius fit: fewer than {MIN_TEMPERATURES} temperatures with a "
                         "reliable impedance fit")
        return SpectraArrhenius(fits, None, which, tuple(notes))
    sig = [getattr(f, f"sigma_{which}_S_cm") for f in good]
    err = [getattr(f, f"sigma_{which}_stderr_S_cm") for f in good]
    use_err = all(e == e and MIN_RELATIVE_ERROR <= e / s <= MAX_RELATIVE_ERROR
                  for e, s in zip(err, sig, strict=True))  # else unweighted
    arr = fit_arrhenius([f.T_K for f in good], sig, err if use_err else None, convention,
                        absolute_sigma=False, loss=loss)
    return SpectraArrhenius(fits, arr, which, tuple(notes))


def store_conductivity_data(db: Database, name: str, data: Any, *, method: str = "fit",
                            convention: Convention | None = None, formula: str | None = None,
                            family: str | None = None, added_by: str | None = None,
                            allow_implausible: bool = False, law: str | None = None
                            ) -> tuple[Any, ArrheniusFit | LawFit | None]:
    """Store a sigma(T) file (:class:`~nitrolyte.transport.io.ConductivityData`) as one set.

    Every point is kept (kind ``total``, with its error when the file gives one), and the fit of
    ``law`` (any name of :func:`~nitrolyte.transport.laws.law_names`, default sigmaT;
    ``convention`` is its older alias) when there are enough distinct temperatures for it (3 for
    Arrhenius). The stored fit carries the law's name and parameters. Returns the store's
    ``MeasurementSetResult`` and the fit (or None).
    """
    from nitrolyte.plausibility import check_measurement

    obj = resolve_law(law, convention)
    n_T = len(set(data.T_K))
    fit = (fit_law(data.T_K, data.sigma_S_cm, data.sigma_err_S_cm, obj)
           if n_T >= obj.min_temperatures else None)
    summary = fit_summary(fit)
    Ea = [] if summary is None or "Ea_eV" not in summary else [summary["Ea_eV"]]
    where = Path(data.source).name if data.source else name
    check_measurement(T_K=data.T_K, sigma_S_cm=data.sigma_S_cm,
                      Ea_eV=Ea, where=where,
                      allow_implausible=allow_implausible, error=DataValidationError)
    errs = data.sigma_err_S_cm or [None] * len(data.T_K)
    points = [{"T_K": t, "sigma_S_cm": s, "kind": "total", "sigma_stderr_S_cm": e,
               "direction": None} for t, s, e in zip(data.T_K, data.sigma_S_cm, errs, strict=True)]
    files = ([(Path(data.source).name, sha256_file(data.source))]
             if data.source and Path(data.source).is_file() else [])
    from nitrolyte import __version__

    res = db.add_measurement_set(name, formula=formula, family=family, points=points,
                                 fit=summary, method=method,
                                 method_details={"columns": list(data.columns),
                                                 "convention": obj.name,
                                                 "nitrolyte_version": __version__},
                                 source_files=files, added_by=added_by,
                                 allow_implausible=allow_implausible)
    return res, fit


@dataclass(frozen=True)
class StoredFit:
    """A fit rebuilt from a stored set's ``method_details["spectra"]`` (for figures)."""

    circuit: str
    circuit_string: str
    parameters: tuple[float, ...]
    R_total_ohm: float
    T_K: float | None
    source: str
    problems: tuple[str, ...] = ()

    def predict(self, freq_Hz: Any) -> np.ndarray:
        """Complex impedance (ohm) of the stored circuit at ``freq_Hz`` (Hz)."""
        from nitrolyte.transport.impedance import _predict

        return _predict(self.circuit_string, self.parameters, freq_Hz)


def stored_spectra(method_details: dict[str, Any]) -> list[tuple[StoredFit, Spectrum]]:
    """(fit, measured spectrum) pairs of a stored EIS set that kept its data."""
    from nitrolyte.transport.circuits import circuit_model

    out = []
    for rec in method_details.get("spectra") or []:
        if "freq_Hz" not in rec:
            continue
        model = circuit_model(rec["circuit"])
        p = tuple(float(x) for x in rec["parameters"])
        R = p[model.bulk[0]] + (p[model.gb[0]] if model.gb else 0.0)
        fit = StoredFit(model.name, model.string, p, R, rec.get("T_K"), rec["file"],
                        tuple(rec.get("problems") or ()))
        Z = np.asarray(rec["Z_real_ohm"]) + 1j * np.asarray(rec["Z_imag_ohm"])
        out.append((fit, Spectrum(rec["freq_Hz"], Z, rec.get("T_K"), rec["file"])))
    return out
