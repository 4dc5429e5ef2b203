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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from nitrolyte.checks import check_choice, check_positive
from nitrolyte.errors import InputError, MissingDataError

if TYPE_CHECKING:
    import pandas as pd
    from pymatgen.core import Composition

    from nitrolyte.store import Database

#: resolved database URL -> Database (connection pools only, no data)
_DATABASES: dict[str, Database] = {}
#: columns every :func:`materials` frame starts with (the wide frame adds more after them)
MATERIAL_LIST_COLUMNS = ("name", "formula", "family", "crystal_system", "space_group",
                         "sigma_S_cm", "T_K", "Ea_eV", "direction", "from_arrhenius", "synthesis",
                         "ref", "doi", "note")
DIRECTIONS = ("perp_c", "par_c")


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


def _nan(value: Any) -> Any:
    """None for NaN/NA, else the value as a plain Python scalar."""
    try:
        if value is None or (not isinstance(value, str) and bool(value != value)):
            return None
    except (TypeError, ValueError):
        return value
    return value.item() if hasattr(value, "item") and not isinstance(value, str) else value


@dataclass(frozen=True)
class StoredMeasurement:
    """One measurement of a material as stored in the database.

    Attributes
    ----------
    property : str
        ``ionic_conductivity`` (S/cm), ``activation_energy`` (eV), ...
    value : float
        The value in ``unit``; with ``qualifier`` ``"<"`` it is an upper bound.
    qualifier : str
        ``""``, ``"="``, ``"<"``, ``">"`` or ``"~"``.
    unit : str
        Unit of ``value``.
    temperature : float or None
        Temperature as printed, in ``temperature_unit``.
    temperature_unit : str
        ``"K"`` or ``"C"``.
    temperature_K : float or None
        The temperature in K.
    direction, phase, method, ref, doi, location, note, source, added_at : str or None
        Provenance; ``derived_from_arrhenius`` marks footnote *a* of the review's tables.
    """

    property: str
    value: float
    unit: str
    qualifier: str = ""
    temperature: float | None = None
    temperature_unit: str = ""
    temperature_K: float | None = None
    direction: str = ""
    phase: str = ""
    method: str = ""
    derived_from_arrhenius: bool = False
    ref: str = ""
    doi: str = ""
    location: str = ""
    note: str = ""
    source: str = "literature"
    added_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class MaterialRecord:
    """Everything the database holds about one material.

    Attributes
    ----------
    material_id, name, formula, family, crystal_system, space_group, synthesis : str
        Identity and structure ('' where unknown).
    ref : str
        Reference number in the review ('' for none), or the user's reference.
    doi, citation : str
        Of ``ref`` ('' where unknown).
    note : str
        Errata and remarks, quoting what the review printed.
    source : {"literature", "user"}
        Who added the material.
    measurements : tuple of StoredMeasurement
        Every stored value, literature first.
    summary : tuple of dict
        The material's rows of the wide frame (one per direction and source).
    """

    material_id: str
    name: str
    formula: str = ""
    family: str = ""
    crystal_system: str = ""
    space_group: str = ""
    synthesis: str = ""
    ref: str = ""
    doi: str = ""
    citation: str = ""
    note: str = ""
    source: str = "literature"
    aliases: tuple[str, ...] = ()
    measurements: tuple[StoredMeasurement, ...] = ()
    summary: tuple[dict[str, Any], ...] = field(default=(), repr=False)

    # ------------------------------------------------------------ accessors
    @property
    def directions(self) -> tuple[str, ...]:
        """Crystal directions with their own room-temperature values (``perp_c``, ``par_c``)."""
        found = {r.get("direction") or "" for r in self.summary}
        return tuple(d for d in DIRECTIONS if d in found)

    @property
    def composition(self) -> Composition | None:
        """The pymatgen ``Composition`` of ``formula`` (None when no formula is known)."""
        if not self.formula:
            return None
        from pymatgen.core import Composition

        return Composition(self.formula)

    def _row(self, direction: str | None, what: str) -> dict[str, Any]:
        if not self.summary:
            raise MissingDataError(f"{self.name}: the database holds no {what}")
        if direction is not None:
            check_choice("direction", direction, DIRECTIONS)
            rows = [r for r in self.summary if (r.get("direction") or "") == direction]
            if not rows:
                have = ", ".join(self.directions) or "none (isotropic value only)"
                raise InputError(f"{self.name}: no value for direction {direction!r}; "
                                 f"directions in the database: {have}")
            return rows[0]
        if len(self.directions) > 1:
            raise InputError(f"{self.name} has values for several directions; pass "
                             f"direction= one of {', '.join(self.directions)}")
        return self.summary[0]

    def sigma_S_cm(self, direction: str | None = None) -> float | None:
        """Room-temperature ionic conductivity in S/cm (None where not reported).

        Parameters
        ----------
        direction : {"perp_c", "par_c"}, optional
            Required when the material has values for more than one direction.
        """
        return _nan(self._row(direction, "conductivity")["sigma_S_cm"])

    def T_K(self, direction: str | None = None) -> float | None:
        """Temperature in K that :meth:`sigma_S_cm` refers to."""
        return _nan(self._row(direction, "conductivity")["T_K"])

    def Ea_eV(self, direction: str | None = None,
              phase: Literal["LT", "HT"] | None = None) -> float | None:
        """Activation energy in eV: the one that applies at :meth:`T_K`, or of ``phase``.

        Parameters
        ----------
        direction : {"perp_c", "par_c"}, optional
            As for :meth:`sigma_S_cm`.
        phase : {"LT", "HT"}, optional
            The low- or high-temperature branch, where the review gives two.
        """
        if phase is None:
            return _nan(self._row(direction, "activation energy")["Ea_eV"])
        check_choice("phase", phase, ("LT", "HT"))
        for m in self.measurements:
            if (m.property == "activation_energy" and m.phase == phase
                    and (direction is None or m.direction == direction)):
                return m.value * (1e-3 if m.unit == "meV" else 1.0)
        return None

    @property
    def Ea_HT_eV(self) -> float | None:
        """High-temperature activation energy in eV (None where the review gives one branch)."""
        values = [_nan(r.get("Ea_HT_eV")) for r in self.summary]
        return next((v for v in values if v is not None), None)

    @property
    def T_transition_K(self) -> float | None:
        """Phase-transition temperature in K between the LT and HT branches (None if none)."""
        values = [_nan(r.get("T_transition_K")) for r in self.summary]
        return next((v for v in values if v is not None), None)

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON (measurements and summary rows included)."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["aliases"] = list(self.aliases)
        out["measurements"] = [m.to_dict() for m in self.measurements]
        out["summary"] = [{k: _nan(v) for k, v in r.items()} for r in self.summary]
        return out


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
    store = database(db)
    return build_record(store, store.resolve(name))


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
    frame = database(db).materials_frame(source)
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


def _str(value: Any) -> str:
    value = _nan(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def build_record(store: Database, material_id: str) -> MaterialRecord:
    """Assemble the :class:`MaterialRecord` of ``material_id`` from the database tables."""
    from nitrolyte.units import to_kelvin_or_none

    mats = store.table("materials")
    mat = mats[mats["material_id"] == material_id].iloc[0]
    refs = store.table("references").sort_values("source", kind="stable").drop_duplicates("ref")
    by_ref = {str(r["ref"]): r for r in refs.to_dict("records")}
    meas = store.table("measurements")
    meas = meas[meas["material_id"] == material_id].sort_values("source", kind="stable")
    stored = []
    for m in meas.to_dict("records"):
        t, unit = _nan(m["temperature"]), _str(m["temperature_unit"])
        ref = _str(m["ref"])
        stored.append(StoredMeasurement(
            property=m["property"], value=float(m["value"]), unit=_str(m["unit"]),
            qualifier=_str(m["qualifier"]), temperature=t, temperature_unit=unit,
            temperature_K=None if t is None else to_kelvin_or_none(float(t), unit or "K"),
            direction=_str(m["direction"]), phase=_str(m["phase"]), method=_str(m["method"]),
            derived_from_arrhenius=bool(m["derived_from_arrhenius"]), ref=ref,
            doi=_str(by_ref.get(ref, {}).get("doi")), location=_str(m["location"]),
            note=_str(m["note"]), source=m["source"], added_at=_str(m["added_at"])))
    wide = store.materials_frame()
    summary = tuple({k: _nan(v) for k, v in r.items()}
                    for r in wide[wide["material_id"] == material_id].to_dict("records"))
    ref = _str(mat["ref"])
    aliases = tuple(a.strip() for a in _str(mat["aliases"]).split(";") if a.strip())
    return MaterialRecord(
        material_id=material_id, name=_str(mat["name"]), formula=_str(mat["formula"]),
        family=_str(mat["family"]), crystal_system=_str(mat["crystal_system"]),
        space_group=_str(mat["space_group"]), synthesis=_str(mat["synthesis"]), ref=ref,
        doi=_str(by_ref.get(ref, {}).get("doi")), citation=_str(by_ref.get(ref, {}).get("citation")),
        note=_str(mat["note"]), source=_str(mat["source"]), aliases=aliases,
        measurements=tuple(stored), summary=summary)
