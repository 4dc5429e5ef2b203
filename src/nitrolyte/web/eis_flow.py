"""The impedance upload as ``nitrolyte eis`` runs it, packed for JSON.

Calls :func:`nitrolyte.transport.eis_readers.read_instrument_file` (every registered instrument
format) and :func:`nitrolyte.transport.eis_series.arrhenius_from_spectra` (circuit chosen per
spectrum unless forced, Kramers-Kronig check, Arrhenius over >= 3 temperatures), and adds the
measured and fitted Nyquist curves of every file so that the upload page can draw them. No
physics here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nitrolyte.errors import InputError

if TYPE_CHECKING:
    from nitrolyte.store.database import Database

#: most spectra accepted in one upload
MAX_FILES = 50


@dataclass
class EisResult:
    """One upload's fits: the JSON document, the series result and the spectra read."""

    doc: dict[str, Any]
    series: Any
    spectra: list[Any]

    def store(self, db: Database, name: str, *, formula: str | None, family: str | None,
              added_by: str, force: bool = False) -> Any:
        """Keep the series as one measurement set (:meth:`SpectraArrhenius.store`)."""
        return self.series.store(db, name, formula=formula, family=family, added_by=added_by,
                                 spectra=self.spectra, force=force)


def _nyquist(spectrum: Any, fit: Any) -> dict[str, Any]:
    """Measured and fitted curves; ``arcs_view_ohm`` is the Z' range of the arcs (the page
    zooms there, equal aspect, so the blocking-electrode tail does not squash them)."""
    Z_fit = fit.predict(spectrum.freq_Hz)
    return {"source": Path(spectrum.source).name, "T_K": spectrum.T_K,
            "arcs_view_ohm": [0.0, 1.5 * fit.R_total_ohm], "reliable": fit.reliable,
            "freq_Hz": spectrum.freq_Hz.tolist(), "Z_real_ohm": spectrum.Z_ohm.real.tolist(),
            "minus_Z_imag_ohm": (-spectrum.Z_ohm.imag).tolist(),
            "fit_Z_real_ohm": Z_fit.real.tolist(), "fit_minus_Z_imag_ohm": (-Z_fit.imag).tolist()}


def fit_files(paths: list[tuple[Path, str]], *, thickness: str | None, area: str | None,
              diameter: str | None = None, temperatures: list[str], circuit: str | None,
              which: str, convention: str = "sigmaT") -> EisResult:
    """Fit the uploaded spectra (paths with their sha256); thickness and exactly one of area /
    diameter are required."""
    from nitrolyte.transport.eis_readers import read_instrument_file
    from nitrolyte.transport.eis_series import arrhenius_from_spectra, pellet_geometry_cm
    from nitrolyte.units import parse_quantity

    if not paths or len(paths) > MAX_FILES:
        raise InputError(f"files: give 1 to {MAX_FILES} spectra, got {len(paths)}")
    L, A = pellet_geometry_cm(thickness, area, diameter)
    temps = [parse_quantity(t, "temperature", "T") for t in temperatures] or None
    if temps is not None and len(temps) != len(paths):
        raise InputError(f"T: given {len(temps)} times for {len(paths)} files")
    spectra = [read_instrument_file(p, None if temps is None else temps[i])
               for i, (p, _) in enumerate(paths)]
    series = arrhenius_from_spectra(spectra, thickness_cm=L, area_cm2=A, circuit=circuit,
                                    which=which, convention=convention,  # type: ignore[arg-type]
                                    require_arrhenius=False)
    by_source = {s.source: s for s in spectra}
    arr = series.arrhenius
    doc = {**series.to_dict(), "thickness_cm": L, "area_cm2": A, "circuit": circuit or "auto",
           "sigma_RT_S_cm": None if arr is None else arr.sigma_RT_S_cm,
           "nyquist": [_nyquist(by_source[f.source], f) for f in series.impedance_fits],
           "stored": None}
    return EisResult(doc=doc, series=series, spectra=spectra)
