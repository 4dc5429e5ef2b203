"""A sigma(T) file: read, fit to a conductivity law, and (on request) stored as one set.

``nitrolyte fit``, ``nitrolyte import`` (a sigma(T) CSV) and ``POST /api/v1/fits`` call
:func:`conductivity_file` and :meth:`ConductivityFile.store`; they only render the result.
The fit is :func:`~nitrolyte.transport.fitting.fit_law` (any law of the registry,
:mod:`nitrolyte.transport.laws`; Arrhenius by default), the storing
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
    from nitrolyte.transport.laws import LawFit


@dataclass(frozen=True)
class ConductivityFile:
    """One sigma(T) file: its points and their fit (None when not fitted) to the law ``law``
    (a name of :func:`~nitrolyte.transport.laws.law_names`)."""

    path: Path
    data: ConductivityData
    law: str
    fit: ArrheniusFit | LawFit | None

    @property
    def convention(self) -> str:
        """Older name of :attr:`law`."""
        return self.law

    def store(self, db: Database, name: str, *, method: str = "fit",
              formula: str | None = None, family: str | None = None,
              added_by: str | None = None, allow_implausible: bool = False) -> Any:
        """Keep every point (and the fit) as one measurement set of ``name``; returns the
        store's ``MeasurementSetResult``."""
        from nitrolyte.transport.eis_series import store_conductivity_data

        stored, _ = store_conductivity_data(db, name, self.data, method=method, law=self.law,
                                            formula=formula, family=family, added_by=added_by,
                                            allow_implausible=allow_implausible)
        return stored


def conductivity_file(path: Path, law: str | None = None, *, convention: str | None = None,
                      require_fit: bool = True) -> ConductivityFile:
    """Read a sigma(T) CSV (:func:`~nitrolyte.transport.io.read_conductivity_csv`) and fit it
    to ``law`` (default sigmaT; ``convention`` is its older name, :func:`resolve_law`).

    With ``require_fit=False`` (an import) a file of fewer temperatures than the law needs is
    read without a fit; otherwise a fit that cannot be made is an error naming the file.
    """
    from nitrolyte.transport.fitting import fit_law
    from nitrolyte.transport.io import read_conductivity_csv
    from nitrolyte.transport.laws.registry import resolve_law

    obj = resolve_law(law, convention)
    data = read_conductivity_csv(path)
    fit = None
    if require_fit or len(set(data.T_K)) >= obj.min_temperatures:
        try:
            fit = fit_law(data.T_K, data.sigma_S_cm, data.sigma_err_S_cm, obj)
        except InputError as exc:  # the file's numbers: say which file
            raise type(exc)(f"{Path(path).name}: {exc}") from None
    return ConductivityFile(path=Path(path), data=data, law=obj.name, fit=fit)
