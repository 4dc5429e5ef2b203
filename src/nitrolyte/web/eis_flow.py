"""The impedance upload as the ``nitrolyte eis`` command runs it, packed for JSON.

Calls :func:`nitrolyte.transport.read_spectrum`, :func:`~nitrolyte.transport.fit_impedance`
and :func:`~nitrolyte.transport.arrhenius_from_spectra`; adds the measured and fitted Nyquist
curves of every file so that the upload page can draw them. No physics here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nitrolyte.errors import InputError

#: most spectra accepted in one upload
MAX_FILES = 50


@dataclass
class EisResult:
    """Fits of one upload: the JSON document, the fit objects and the stored method details."""

    doc: dict[str, Any]
    fits: tuple[Any, ...]
    arrhenius: Any
    details: dict[str, Any]


def _nyquist(spectrum: Any, fit: Any) -> dict[str, Any]:
    Z_fit = fit.predict(spectrum.freq_Hz)
    return {"source": Path(spectrum.source).name, "T_K": spectrum.T_K,
            "freq_Hz": spectrum.freq_Hz.tolist(), "Z_real_ohm": spectrum.Z_ohm.real.tolist(),
            "minus_Z_imag_ohm": (-spectrum.Z_ohm.imag).tolist(),
            "fit_Z_real_ohm": Z_fit.real.tolist(), "fit_minus_Z_imag_ohm": (-Z_fit.imag).tolist()}


def fit_files(paths: list[tuple[Path, str]], *, thickness: str, area: str,
              temperatures: list[str], circuit: str, which: str) -> EisResult:
    """Fit the uploaded spectra (paths with their sha256)."""
    from nitrolyte.transport import arrhenius_from_spectra, fit_impedance, read_spectrum
    from nitrolyte.units import parse_quantity

    if not paths or len(paths) > MAX_FILES:
        raise InputError(f"files: give 1 to {MAX_FILES} spectra, got {len(paths)}")
    L = parse_quantity(thickness, "length", "thickness")
    A = parse_quantity(area, "area", "area")
    temps = [parse_quantity(t, "temperature", "T") for t in temperatures] or None
    if temps is not None and len(temps) != len(paths):
        raise InputError(f"T: given {len(temps)} times for {len(paths)} files")
    spectra = [read_spectrum(p, None if temps is None else temps[i])
               for i, (p, _) in enumerate(paths)]
    distinct = {s.T_K for s in spectra if s.T_K is not None}
    arr = None
    if len(distinct) >= 3 and all(s.T_K is not None for s in spectra):
        res = arrhenius_from_spectra(spectra, thickness_cm=L, area_cm2=A, circuit=circuit,
                                     which=which)  # type: ignore[arg-type]
        fits, arr = tuple(res.impedance_fits), res.arrhenius
    else:
        fits = tuple(fit_impedance(s, thickness_cm=L, area_cm2=A, circuit=circuit)  # type: ignore[arg-type]
                     for s in spectra)
    details = {"circuit": circuit, "which": which, "thickness_cm": L, "area_cm2": A}
    doc = {**details, "impedance_fits": [f.to_dict() for f in fits],
           "arrhenius": None if arr is None else arr.to_dict(),
           "sigma_RT_S_cm": None if arr is None else arr.sigma_RT_S_cm,
           "nyquist": [_nyquist(s, f) for s, f in zip(spectra, fits, strict=True)],
           "warnings": _warnings(fits, arr), "stored": None}
    return EisResult(doc=doc, fits=fits, arrhenius=arr, details=details)


def _warnings(fits: tuple[Any, ...], arr: Any) -> list[str]:
    """What the result objects themselves flag (their ``warnings`` and the fit's outliers)."""
    out = [f"{Path(f.source).name}: {w}" for f in fits for w in getattr(f, "warnings", ())]
    if arr is not None:
        out += [f"{t:g} K is an outlier of the Arrhenius fit (kept)"
                for t, o in zip(arr.T_K, arr.outliers, strict=True) if o]
    return out


def points(result: EisResult, which: str) -> list[dict[str, Any]]:
    """The measured points of a measurement set (CONTRACTS.md) from the impedance fits."""
    key = "sigma_bulk" if which == "bulk" else "sigma_total"
    out = []
    for f in result.fits:
        if f.T_K is None:
            raise InputError(f"T: the temperature of {Path(f.source).name} is not known; give "
                             "T for every file (or name files like pellet_300K.csv) to store")
        out.append({"T_K": f.T_K, "sigma_S_cm": getattr(f, f"{key}_S_cm"),
                    "sigma_stderr_S_cm": getattr(f, f"{key}_stderr_S_cm"), "kind": which})
    return out
