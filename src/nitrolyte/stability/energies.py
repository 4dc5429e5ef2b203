"""Where phase energies come from: one small protocol and three sources.

Every stability calculation in :mod:`nitrolyte.stability` asks an :class:`EnergySource` for the
pymatgen entries of a chemical system and builds a pymatgen ``PhaseDiagram`` from them. The
default is :data:`DEFAULT_SOURCE` (``"auto"``: the experimental table where it holds a phase,
anchored ML energies of the structure library elsewhere, each entry saying which). Registered
sources (:data:`SOURCES`):

* :class:`EmbeddedSource` (``"embedded"``, offline): the thermochemical table shipped with the package,
  ``data/thermochemistry.csv``: standard Gibbs energies of formation at 298.15 K, one row per
  phase, each naming its source; phases without a reliable value are listed as ``missing`` so that
  a result can say what it lacks instead of guessing.
* ``"ml"`` / ``"ml:mp2020"`` (:class:`nitrolyte.stability.ml.MLSource`, offline): CHGNet energies
  of the validated structure library; ``"auto"`` (:class:`nitrolyte.stability.ml.HybridSource`).
* :class:`MPSource` (optional extra ``nitrolyte[mp]``, online, needs the user's API key).
* :class:`UserEntriesSource`: a JSON file of pymatgen ``ComputedEntry`` / ``PDEntry`` dicts.

Energies of the embedded table are converted from kJ/mol to eV per formula unit,

.. math:: E_\\mathrm{fu} = \\Delta_f G^\\circ / (F/1000),

with the elements in their standard states at zero.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from nitrolyte.errors import DataValidationError, InputError, MissingDataError
from nitrolyte.units import FARADAY

if TYPE_CHECKING:
    import pandas as pd
    from pymatgen.analysis.phase_diagram import PDEntry

#: kJ/mol per eV per formula unit (F / 1000).
KJ_MOL_PER_EV: float = FARADAY / 1000.0

#: the source every stability function, screening design, CLI command and report uses by default

KINDS = ("experimental", "computed", "missing")
_COLUMNS = ("formula", "name", "state", "dGf_kJ_mol", "dHf_kJ_mol", "T_K", "kind", "source", "note")


@dataclass(frozen=True)
class MissingPhase:
    """A phase known to exist in a chemical system whose energy the source does not hold.

    Attributes
    ----------
    formula : str
        Reduced formula of the phase.
    name : str
        Its name.
    reason : str
        Why it is not embedded (the table's ``source`` column).
    """

    formula: str
    name: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        """A JSON-ready dict."""
        return asdict(self)


@runtime_checkable
class EnergySource(Protocol):
    """What a stability calculation needs from an energy source.

    ``name`` labels results (``"embedded"``, ``"mp"``, ``"file:entries.json"``); ``cache_key``
    changes whenever the energies may change, so phase diagrams can be cached per source and
    chemical system.
    """

    name: str
    cache_key: str

    def entries(self, elements: frozenset[str]) -> list[PDEntry]:
        """Entries whose elements are all in ``elements`` (element symbols)."""
        ...

    def missing_phases(self, elements: frozenset[str]) -> tuple[MissingPhase, ...]:
        """Known phases of the chemical system that the source has no energy for."""
        ...


@functools.cache
def _elements_of(formula: str) -> frozenset[str]:
    from pymatgen.core import Composition

    return frozenset(str(el) for el in Composition(formula).elements)


def _isna(value: Any) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def _validate_row(i: int, row: pd.Series) -> None:
    from pymatgen.core import Composition

    where = f"thermochemistry.csv row {i + 2}"
    try:
        Composition(str(row["formula"]))
    except (ValueError, KeyError) as exc:
        raise DataValidationError(f"{where}, column formula: cannot parse {row['formula']!r}") from exc
    if row["kind"] not in KINDS:
        raise DataValidationError(f"{where}, column kind: must be one of {', '.join(KINDS)}; got {row['kind']!r}")
    if not str(row["source"]).strip() or str(row["source"]) == "nan":
        raise DataValidationError(f"{where}, column source: every row must name its source")
    has_value = not _isna(row["dGf_kJ_mol"])
    if row["kind"] == "missing" and has_value:
        raise DataValidationError(f"{where}, column dGf_kJ_mol: a 'missing' row must have no value")
    if row["kind"] != "missing" and not (has_value and math.isfinite(float(row["dGf_kJ_mol"]))):
        raise DataValidationError(f"{where}, column dGf_kJ_mol: {row['kind']} row needs a finite value")
    if float(row["T_K"]) != 298.15:
        raise DataValidationError(f"{where}, column T_K: must be 298.15, got {row['T_K']}")


def read_thermochemistry(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate a thermochemical table (the embedded one by default).

    Parameters
    ----------
    path : str or Path, optional
        A CSV with the columns of ``data/thermochemistry.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per phase: ``formula, name, state, dGf_kJ_mol`` (kJ/mol, 298.15 K),
        ``dHf_kJ_mol``, ``T_K``, ``kind`` (experimental / computed / missing), ``source``, ``note``.

    Raises
    ------
    DataValidationError
        Naming the row and column of the first bad value (a row without a source, for example).
    """
    import pandas as pd

    if path is None:
        with resources.files("nitrolyte.data").joinpath("thermochemistry.csv").open("rb") as fh:
            frame = pd.read_csv(fh, dtype={"note": str, "source": str})
    else:
        frame = pd.read_csv(path, dtype={"note": str, "source": str})
    missing_cols = [c for c in _COLUMNS if c not in frame.columns]
    if missing_cols:
        raise DataValidationError(f"thermochemical table lacks columns: {', '.join(missing_cols)}")
    for i, row in frame.iterrows():
        _validate_row(int(i), row)  # type: ignore[arg-type]
    frame["note"] = frame["note"].fillna("")
    return frame


@functools.cache
def _embedded_table() -> pd.DataFrame:
    return read_thermochemistry()


def thermochemistry() -> pd.DataFrame:
    """The embedded thermochemical table (a copy; see :func:`read_thermochemistry`)."""
    return _embedded_table().copy()


def element_entries(elements: frozenset[str]) -> list[PDEntry]:
    """Zero-energy entries of the elements in their standard states."""
    from pymatgen.analysis.phase_diagram import PDEntry
    from pymatgen.core import Composition

    return [PDEntry(Composition(el), 0.0, name=Composition(el).reduced_formula) for el in sorted(elements)]


class EmbeddedSource:
    """Standard Gibbs energies of formation shipped with nitrolyte (offline).

    Parameters
    ----------
    table : pandas.DataFrame, optional
        A table like :func:`thermochemistry` (the embedded one by default).
    """

    name = "embedded"

    def __init__(self, table: pd.DataFrame | None = None):
        self.table = _embedded_table() if table is None else table
        digest = hashlib.sha1(self.table.to_csv(index=False).encode()).hexdigest()[:12]
        self.cache_key = f"embedded:{digest}"
        self._records = [(_elements_of(r["formula"]), r) for r in self.table.to_dict("records")]

    def _rows(self, elements: frozenset[str], missing: bool) -> list[dict[str, Any]]:
        return [r for els, r in self._records if els <= elements and (r["kind"] == "missing") == missing]

    def entries(self, elements: frozenset[str]) -> list[PDEntry]:
        """Element references at zero plus every tabulated phase of the system (eV per f.u.)."""
        from pymatgen.analysis.phase_diagram import PDEntry
        from pymatgen.core import Composition

        out = element_entries(elements)
        for row in self._rows(elements, missing=False):
            energy_eV = float(row["dGf_kJ_mol"]) / KJ_MOL_PER_EV
            out.append(PDEntry(Composition(row["formula"]), energy_eV, name=row["formula"],
                               attribute={"kind": row["kind"], "source": row["source"]}))
        return out

    def missing_phases(self, elements: frozenset[str]) -> tuple[MissingPhase, ...]:
        """The table's ``missing`` rows whose elements all lie in ``elements``."""
        return tuple(MissingPhase(r["formula"], r["name"], r["source"])
                     for r in self._rows(elements, missing=True))

    def row(self, formula: str) -> dict[str, Any] | None:
        """The table row of a formula (reduced-formula match), or None."""
        from pymatgen.core import Composition

        target = Composition(formula).reduced_formula
        for _, r in self.table.iterrows():
            if Composition(r["formula"]).reduced_formula == target:
                return r.to_dict()
        return None


def _decode_entries(raw: Any, label: str) -> list[PDEntry]:
    from monty.json import MontyDecoder
    from pymatgen.analysis.phase_diagram import PDEntry
    from pymatgen.entries.computed_entries import ComputedEntry

    items = raw.get("entries") if isinstance(raw, dict) else raw
    if not isinstance(items, list) or not items:
        raise DataValidationError(f"{label}: expected a JSON list of ComputedEntry/PDEntry dicts "
                                  "(or an object with an 'entries' list)")
    out: list[PDEntry] = []
    for i, item in enumerate(items):
        obj = MontyDecoder().process_decoded(item)
        if not isinstance(obj, PDEntry | ComputedEntry):
            raise DataValidationError(f"{label}: item {i} is not a ComputedEntry or PDEntry dict "
                                      "(needs '@module' and '@class' keys)")
        out.append(obj)
    return out


class UserEntriesSource:
    """Energies from a JSON file of pymatgen entries the user supplies.

    Parameters
    ----------
    path : str or Path
        JSON list of ``ComputedEntry.as_dict()`` / ``PDEntry.as_dict()`` dicts, or an object
        with such a list under ``"entries"``. Energies are total energies in eV per formula
        unit (as pymatgen stores them); elemental entries must be included.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.is_file():
            raise InputError(f"source: entries file {str(self.path)!r} does not exist")
        try:
            raw = json.loads(self.path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DataValidationError(f"{self.path}: not valid JSON ({exc})") from None
        self._entries = _decode_entries(raw, str(self.path))
        self.name = f"file:{self.path.name}"
        self.cache_key = f"file:{self.path.resolve()}:{self.path.stat().st_mtime_ns}"

    def entries(self, elements: frozenset[str]) -> list[PDEntry]:
        """The file's entries whose elements all lie in ``elements``."""
        return [e for e in self._entries if {str(el) for el in e.composition.elements} <= elements]

    def missing_phases(self, elements: frozenset[str]) -> tuple[MissingPhase, ...]:
        """A user file declares no missing phases."""
        return ()


class MPSource:
    """Energies from the Materials Project through ``mp-api`` (optional extra, online).

    Parameters
    ----------
    api_key : str, optional
        Materials Project API key; defaults to the ``MP_API_KEY`` (or ``PMG_MAPI_KEY``)
        environment variable.
    client : object, optional
        Anything with ``get_entries_in_chemsys(elements)`` (an ``MPRester``); tests pass a
        recorded response here. Created lazily from ``mp_api.client.MPRester`` otherwise.
    """

    name = "mp"
    cache_key = "mp"

    def __init__(self, api_key: str | None = None, client: Any = None):
        self.api_key = api_key
        self._client = client
        self._cache: dict[frozenset[str], list[PDEntry]] = {}

    def client(self) -> Any:
        """The MP client, created on first use."""
        if self._client is None:
            try:
                from mp_api.client import MPRester
            except ImportError:
                raise MissingDataError("source='mp' needs the optional mp-api package: "
                                       "pip install 'nitrolyte[mp]'") from None
            key = self.api_key or os.environ.get("MP_API_KEY") or os.environ.get("PMG_MAPI_KEY")
            if not key:
                raise InputError("source='mp' needs a Materials Project API key: set MP_API_KEY "
                                 "or pass MPSource(api_key=...)")
            self._client = MPRester(key)
        return self._client

    def entries(self, elements: frozenset[str]) -> list[PDEntry]:
        """Every MP entry of the chemical system (corrected energies as MP serves them)."""
        if elements not in self._cache:
            got = self.client().get_entries_in_chemsys(sorted(elements))
            self._cache[elements] = [e for e in got
                                     if {str(el) for el in e.composition.elements} <= elements]
        return list(self._cache[elements])

    def missing_phases(self, elements: frozenset[str]) -> tuple[MissingPhase, ...]:
        """MP declares no missing phases."""
        return ()


@functools.cache
def _default_embedded() -> EmbeddedSource:
    return EmbeddedSource()
