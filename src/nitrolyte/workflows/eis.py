"""An EIS file series: instrument files -> impedance fits -> sigma(T) -> Arrhenius -> a stored set.

``nitrolyte eis`` and ``POST /api/v1/eis`` both call :func:`eis_series` (every registered
instrument format through :func:`~nitrolyte.transport.eis_readers.read_instrument_file`; the
circuit chosen per spectrum unless forced, Kramers-Kronig check, Arrhenius over >= 3
temperatures by :func:`~nitrolyte.transport.eis_series.arrhenius_from_spectra`) and
:meth:`EisSeries.store`; each renders the frozen :class:`EisSeries` its own way. No physics here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nitrolyte.errors import InputError

if TYPE_CHECKING:
    from nitrolyte.store import Database
    from nitrolyte.transport.eis_series import SpectraArrhenius
    from nitrolyte.transport.impedance import ImpedanceFit
    from nitrolyte.transport.io import Spectrum


@dataclass(frozen=True)
class EisSeries:
    """One series' fits: the pellet geometry, the spectra read and their fits."""

    thickness_cm: float
    area_cm2: float
    circuit: str | None  # forced circuit, None: chosen per spectrum
    spectra: tuple[Spectrum, ...]
    series: SpectraArrhenius

    @property
    def sigma_RT_S_cm(self) -> float | None:
        """sigma at 25 C from the Arrhenius fit, S/cm (None without one)."""
        arr = self.series.arrhenius
        return None if arr is None else arr.sigma_RT_S_cm

    def nyquist(self) -> list[dict[str, Any]]:
        """Measured and fitted Nyquist curves per fit (sorted by temperature), ohm."""
        by_source = {s.source: s for s in self.spectra}
        return [nyquist_curves(by_source[f.source], f) for f in self.series.impedance_fits]

    def store(self, db: Database, name: str, *, formula: str | None = None,
              family: str | None = None, added_by: str | None = None,
              allow_implausible: bool = False, force: bool = False) -> Any:
        """Keep the series and its spectra as one measurement set
        (:meth:`~nitrolyte.transport.eis_series.SpectraArrhenius.store`)."""
        return self.series.store(db, name, formula=formula, family=family, added_by=added_by,
                                 spectra=self.spectra, allow_implausible=allow_implausible,
                                 force=force)


def nyquist_curves(spectrum: Spectrum, fit: ImpedanceFit) -> dict[str, Any]:
    """Measured and fitted curves; ``arcs_view_ohm`` is the Z' range of the arcs (a page
    zooms there, equal aspect, so the blocking-electrode tail does not squash them)."""
    Z_fit = fit.predict(spectrum.freq_Hz)
    return {"source": Path(spectrum.source).name, "T_K": spectrum.T_K,
            "arcs_view_ohm": [0.0, 1.5 * fit.R_total_ohm], "reliable": fit.reliable,
            "freq_Hz": spectrum.freq_Hz.tolist(), "Z_real_ohm": spectrum.Z_ohm.real.tolist(),
            "minus_Z_imag_ohm": (-spectrum.Z_ohm.imag).tolist(),
            "fit_Z_real_ohm": Z_fit.real.tolist(), "fit_minus_Z_imag_ohm": (-Z_fit.imag).tolist()}


def eis_series(paths: Sequence[Path], temperatures_K: Sequence[float | None] | None, *,
               thickness_cm: float, area_cm2: float, circuit: str | None = None,
               which: str = "total", convention: str = "sigmaT",
               fmt: str = "auto") -> EisSeries:
    """Read and fit a series of spectra.

    ``temperatures_K`` gives one temperature (K) or None (read from the file or its name) per
    path, or is None for all from the files; thickness in cm, electrode area in cm2.
    """
    from nitrolyte.transport.eis_readers import read_instrument_file
    from nitrolyte.transport.eis_series import arrhenius_from_spectra

    temps = [None] * len(paths) if temperatures_K is None else list(temperatures_K)
    if len(temps) != len(paths):
        raise InputError(f"T: given {len(temps)} temperatures for {len(paths)} files")
    spectra = tuple(read_instrument_file(p, t, fmt) for p, t in zip(paths, temps, strict=True))
    series = arrhenius_from_spectra(list(spectra), thickness_cm=thickness_cm, area_cm2=area_cm2,
                                    circuit=circuit, which=which,  # type: ignore[arg-type]
                                    convention=convention,  # type: ignore[arg-type]
                                    require_arrhenius=False)
    return EisSeries(thickness_cm=thickness_cm, area_cm2=area_cm2, circuit=circuit,
                     spectra=spectra, series=series)
