"""A sigma(T) file: read, Arrhenius fit, and (on request) stored as one measurement set.

``nitrolyte fit``, ``nitrolyte import`` (a sigma(T) CSV) and ``POST /api/v1/fits`` call
:func:`conductivity_file` and :meth:`ConductivityFile.store`; they only render the result.
The fit is :func:`~nitrolyte.transport.fitting.fit_arrhenius`, the storing
:func:`~nitrolyte.transport.eis_series.store_conductivity_data`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nitrolyte.errors import InputError

if TYPE_CHECKING:
    from nitrolyte.store import Database
    from nitrolyte.transport.fitting import ArrheniusFit
    from nitrolyte.transport.io import ConductivityData


@dataclass(frozen=True)
class ConductivityFile:
    """One sigma(T) file: its points and their Arrhenius fit (None when not fitted)."""

    path: Path
    data: ConductivityData
    convention: str
    fit: ArrheniusFit | None

    def store(self, db: Database, name: str, *, method: str = "fit",
              formula: str | None = None, family: str | None = None,
              added_by: str | None = None, allow_implausible: bool = False) -> Any:
        """Keep every point (and the fit) as one measurement set of ``name``; returns the
        store's ``MeasurementSetResult``."""
        from nitrolyte.transport.eis_series import store_conductivity_data

        stored, _ = store_conductivity_data(db, name, self.data, method=method,
                                            convention=self.convention,  # type: ignore[arg-type]
                                            formula=formula, family=family, added_by=added_by,
                                            allow_implausible=allow_implausible)
        return stored


def conductivity_file(path: Path, convention: str = "sigmaT", *,
                      require_fit: bool = True) -> ConductivityFile:
    """Read a sigma(T) CSV (:func:`~nitrolyte.transport.io.read_conductivity_csv`) and fit it.

    With ``require_fit=False`` (an import) a file of fewer than three temperatures is read
    without a fit; otherwise a fit that cannot be made is an error naming the file.
    """
    from nitrolyte.transport.fitting import MIN_TEMPERATURES, fit_arrhenius
    from nitrolyte.transport.io import read_conductivity_csv

    data = read_conductivity_csv(path)
    fit = None
    if require_fit or len(set(data.T_K)) >= MIN_TEMPERATURES:
        try:
            fit = fit_arrhenius(data.T_K, data.sigma_S_cm, data.sigma_err_S_cm,
                                convention)  # type: ignore[arg-type]
        except InputError as exc:  # the file's numbers: say which file
            raise type(exc)(f"{Path(path).name}: {exc}") from None
    return ConductivityFile(path=Path(path), data=data, convention=convention, fit=fit)
