"""The Python API over the database: ``materials(**filters)``, ``get(name)``, ``names()``.

Every function takes ``db``: a :class:`~nitrolyte.store.Database`, a SQLAlchemy URL or a file
path; the default is the user's database (``NITROLYTE_DATABASE_URL`` or the per-user data
directory, see :mod:`nitrolyte.store`).

State: a small cache (:data:`_DATABASES`) maps each resolved URL to one ``Database`` object so
repeated calls reuse its connection pool; it holds no data (every call reads the tables, so rows
written by another process are seen). :func:`clear_cache` closes and forgets them.

Examples
--------
>>> import nitrolyte
>>> nitrolyte.materials(family="nitride halide", min_sigma_S_cm=1e-4)   # doctest: +SKIP
>>> nitrolyte.get("beta-Li3N").sigma_S_cm()                             # doctest: +SKIP
0.0002085
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Literal

from nitrolyte.checks import check_positive
from nitrolyte.errors import InputError
from nitrolyte.store.records import DIRECTIONS, MaterialRecord, StoredMeasurement, _nan

if TYPE_CHECKING:
    import pandas as pd

    from nitrolyte.store import Database

#: resolved database URL -> Database (connection pools only, no data)
_DATABASES: dict[str, Database] = {}
#: columns every :func:`materials` frame starts with (the wide frame adds more after them)
MATERIAL_LIST_COLUMNS = ("name", "formula", "family", "crystal_system", "space_group",
                         "sigma_S_cm", "T_K", "Ea_eV", "direction", "from_arrhenius", "synthesis",
                         "ref", "doi", "note")
__all__ = ["DIRECTIONS", "MATERIAL_LIST_COLUMNS", "MaterialRecord", "StoredMeasurement", "_nan",
           "clear_cache", "database", "filter_frame", "get", "materials", "names"]


def database(db: Database | str | os.PathLike[str] | None = None) -> Database:
    """The :class:`~nitrolyte.store.Database` for ``db`` (a Database, URL, path or None)."""
    from nitrolyte.store import Database, resolve_url

    if isinstance(db, Database):
        return db
    if db is not None and not isinstance(db, str | os.PathLike):
        raise InputError(f"db must be a Database, a URL or a file path, got {type(db).__name__}")
    url = resolve_url(db)
    if url not in _DATABASES:
        _DATABASES[url] = Database(url)
    return _DATABASES[url]


def clear_cache() -> None:
    """Close and forget the cached Database objects."""
    for db in _DATABASES.values():
        db.close()
    _DATABASES.clear()


# ---------------------------------------------------------------- public functions
def names(db: Database | str | os.PathLike[str] | None = None) -> list[str]:
    """Display names of every material in the database (literature, then user)."""
    return database(db).names()


def get(name: str, db: Database | str | os.PathLike[str] | None = None) -> MaterialRecord:
    """The :class:`MaterialRecord` of a material.

    Parameters
    ----------
    name : str
        Display name, alias or material_id; any case; Greek letters or their ASCII spelling
        (``"β-Li3N"`` == ``"beta-Li3N"``).
    db : Database, str or path-like, optional
        The database (default: the user's).

    Raises
    ------
    UnknownMaterialError
        With close matches.
    """
    if db is None or isinstance(db, str | os.PathLike):  # read-only sqlite3 fast path first
        from nitrolyte.store import quick

        found = quick.get(name, db)
        if found is not None:
            return found
    return database(db).get(name)


def materials(family: str | None = None, element: str | None = None,
              min_sigma_S_cm: float | None = None, max_Ea_eV: float | None = None,
              name_contains: str | None = None, source: Literal["literature", "user"] | None = None,
              db: Database | str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The wide materials frame (one row per material and direction), filtered.

    Parameters
    ----------
    family : str, optional
        One of the review's families (``"Li3N"``, ``"nitride halide"``, ...).
    element : str, optional
        Keep materials whose formula contains this element (rows without formula are dropped).
    min_sigma_S_cm : float, optional
        Keep rows with room-temperature conductivity >= this, in S/cm.
    max_Ea_eV : float, optional
        Keep rows with activation energy <= this, in eV.
    name_contains : str, optional
        Case-insensitive substring of the name (Greek or ASCII spelling).
    source : {"literature", "user"}, optional
        Keep only rows of this source.
    db : Database, str or path-like, optional
        The database (default: the user's).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MATERIAL_LIST_COLUMNS` first, then the rest of the wide frame.
    """
    if min_sigma_S_cm is not None:
        check_positive("min_sigma_S_cm", min_sigma_S_cm)
    if max_Ea_eV is not None:
        check_positive("max_Ea_eV", max_Ea_eV)
    store = database(db)
    if family is not None:  # any case, spaces or hyphens (nitrolyte.names.resolve_choice)
        from nitrolyte.dataset import FAMILIES
        from nitrolyte.names import resolve_choice

        family = resolve_choice("family", family, (*FAMILIES, *(f for f in store.families()
                                                                if f not in FAMILIES)))
    frame = store.materials_frame(source, family=family)
    frame = filter_frame(frame, family=family, element=element, min_sigma_S_cm=min_sigma_S_cm,
                         max_Ea_eV=max_Ea_eV, name_contains=name_contains)
    first = [c for c in MATERIAL_LIST_COLUMNS if c in frame.columns]
    rest = [c for c in frame.columns if c not in first]
    return frame[first + rest].reset_index(drop=True)


# ---------------------------------------------------------------- helpers
def filter_frame(frame: pd.DataFrame, *, family: str | None = None, element: str | None = None,
                 min_sigma_S_cm: float | None = None, max_Ea_eV: float | None = None,
                 name_contains: str | None = None) -> pd.DataFrame:
    """Apply the :func:`materials` filters to a wide frame (see there for the meaning)."""
    from nitrolyte.dataset import FAMILIES, normalize_name
    from nitrolyte.names import resolve_choice

    keep = frame["material_id"].notna()
    if family is not None:  # any case, spaces or hyphens: "Nitride Halide" == "nitride-halide"
        present = [f for f in dict.fromkeys(frame["family"]) if f and f not in FAMILIES]
        family = resolve_choice("family", family, (*FAMILIES, *present))
        keep &= frame["family"] == family
    if element is not None:
        keep &= _has_element(frame["formula"], element)
    if min_sigma_S_cm is not None:  # an upper bound ("<1e-10") never passes a minimum
        keep &= (frame["sigma_S_cm"] >= min_sigma_S_cm) & (frame["sigma_qualifier"] != "<")
    if max_Ea_eV is not None:
        keep &= frame["Ea_eV"] <= max_Ea_eV
    if name_contains is not None:
        if not isinstance(name_contains, str) or not name_contains.strip():
            raise InputError(f"name_contains must be a non-empty string, got {name_contains!r}")
        needle = normalize_name(name_contains)
        keep &= frame["name"].map(lambda n: needle in normalize_name(str(n))).astype(bool)
    return frame[keep.fillna(False).astype(bool)]


def _has_element(formulas: pd.Series, element: str) -> pd.Series:
    from pymatgen.core import Composition, Element

    if not isinstance(element, str) or not Element.is_valid_symbol(element.strip()):
        raise InputError(f"element must be a chemical element symbol such as Li, N or Cl; "
                         f"got {element!r}")
    symbol = element.strip()
    cache: dict[str, bool] = {}

    def contains(formula: Any) -> bool:
        if not isinstance(formula, str) or not formula.strip():
            return False
        if formula not in cache:
            try:
                cache[formula] = symbol in {e.symbol for e in Composition(formula).elements}
            except Exception:  # an unparsable user formula simply does not match
                cache[formula] = False
        return cache[formula]

    return formulas.map(contains).astype(bool)
