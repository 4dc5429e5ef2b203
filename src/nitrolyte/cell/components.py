"""The cell-components table: cathodes, SSE layers, Li metal and current collectors.

The table is package data (``nitrolyte/data/components.csv``), one property per row with its
value, unit, source and location, so every number the pouch-cell model uses by default can be
traced to the review's Fig. 17 caption or to a named reference. Values that are not known
reliably are simply absent; asking for them raises :class:`~nitrolyte.errors.MissingDataError`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import pandas as pd

from nitrolyte.errors import DataValidationError, MissingDataError, UnknownMaterialError
from nitrolyte.names import name_key

#: property -> the unit its rows must carry
PROPERTY_UNITS: dict[str, str] = {
    "specific_capacity": "mAh/g",
    "theoretical_capacity": "mAh/g",
    "nominal_voltage": "V",
    "active_fraction": "1",
    "density": "g/cm3",
    "ionic_conductivity": "S/cm",
    "light_thickness": "um",
    "areal_loading": "mg/cm2",
    "areal_capacity": "mAh/cm2",
}
KINDS = ("cathode", "sse", "anode", "foil")
COLUMNS = ("component", "aliases", "kind", "property", "value", "unit", "temperature_K", "source",
           "ref", "location", "note")

ComponentKind = Literal["cathode", "sse", "anode", "foil"]


@dataclass(frozen=True)
class ComponentValue:
    """One tabulated property of a component, with its provenance.

    Attributes
    ----------
    value : float
        The number, in ``unit``.
    unit : str
        Unit of ``value`` (``g/cm3``, ``mAh/g``, ``V``, ``S/cm``, ...).
    temperature_K : float or None
        Temperature the value refers to, where it depends on one (K).
    source, location, note : str
        Citation, where in it, and remarks (errata are quoted here).
    ref : str
        Reference number in the review, where the value comes from one of its references.
    """

    value: float
    unit: str
    temperature_K: float | None
    source: str
    ref: str = ""
    location: str = ""
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"value": self.value, "unit": self.unit, "temperature_K": self.temperature_K,
                "source": self.source, "ref": self.ref, "location": self.location,
                "note": self.note}


@dataclass(frozen=True)
class Component:
    """A cell component and its tabulated properties (first row per property)."""

    name: str
    kind: ComponentKind
    aliases: tuple[str, ...] = ()
    properties: dict[str, ComponentValue] = field(default_factory=dict)

    def get(self, prop: str) -> float:
        """Value of ``prop`` in its table unit; :class:`MissingDataError` if not tabulated."""
        if prop not in self.properties:
            have = ", ".join(sorted(self.properties)) or "none"
            raise MissingDataError(f"the components table has no {prop} for {self.name} "
                                   f"(it has: {have}); pass the value explicitly")
        return self.properties[prop].value

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"name": self.name, "kind": self.kind, "aliases": list(self.aliases),
                "properties": {k: v.to_dict() for k, v in self.properties.items()}}


#: the one name normalizer (:func:`nitrolyte.names.name_key`), under its old name here
normalize_name = name_key


def _text(row: pd.Series, column: str) -> str:
    value = row[column]
    return "" if pd.isna(value) else str(value).strip()


def _validate(frame: pd.DataFrame) -> None:
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DataValidationError(f"components.csv: missing columns {', '.join(missing)}")
    for i, row in frame.iterrows():
        where = f"components.csv row {int(i) + 2}"  # header is line 1
        prop, unit, kind = _text(row, "property"), _text(row, "unit"), _text(row, "kind")
        if kind not in KINDS:
            raise DataValidationError(f"{where}, column kind: {kind!r} is not one of {KINDS}")
        if prop not in PROPERTY_UNITS:
            raise DataValidationError(f"{where}, column property: unknown property {prop!r}")
        if unit != PROPERTY_UNITS[prop]:
            raise DataValidationError(f"{where}, column unit: {prop} must be in "
                                      f"{PROPERTY_UNITS[prop]}, got {unit!r}")
        value = pd.to_numeric(row["value"], errors="coerce")
        if not (math.isfinite(value) and value > 0):
            raise DataValidationError(f"{where}, column value: must be a number > 0, "
                                      f"got {row['value']!r}")
        if not _text(row, "source"):
            raise DataValidationError(f"{where}, column source: every value needs a source")


@lru_cache(maxsize=1)
def _load() -> pd.DataFrame:
    path = resources.files("nitrolyte").joinpath("data", "components.csv")
    with path.open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle, dtype={"ref": str})
    _validate(frame)
    frame["value"] = frame["value"].astype(float)
    return frame


def components_frame() -> pd.DataFrame:
    """The components table, one property per row, with provenance columns.

    Returns
    -------
    pandas.DataFrame
        Columns ``component, aliases, kind, property, value, unit, temperature_K, source, ref,
        location, note`` (a copy; editing it does not change the package data).
    """
    return _load().copy()


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for _, row in _load().iterrows():
        canonical = _text(row, "component")
        for alias in [canonical, *_text(row, "aliases").split(";")]:
            if alias.strip():
                index.setdefault(normalize_name(alias), canonical)
    return index


def component_names(kind: ComponentKind | None = None) -> list[str]:
    """Canonical names in the table, optionally of one ``kind``."""
    frame = _load()
    if kind is not None:
        frame = frame[frame["kind"] == kind]
    return list(dict.fromkeys(frame["component"]))


def resolve(name: str) -> str:
    """Canonical component name for ``name`` (aliases, Greek/ASCII and case-insensitive).

    Raises
    ------
    UnknownMaterialError
        With close matches, when ``name`` is not in the table.
    """
    canonical = _index().get(normalize_name(name))
    if canonical is None:
        known = [*component_names(), *(alias for aliases in _load()["aliases"].dropna()
                                       for alias in str(aliases).split(";"))]
        raise UnknownMaterialError(str(name), dict.fromkeys(known))
    return canonical


@lru_cache(maxsize=64)
def component(name: str) -> Component:
    """The :class:`Component` called ``name`` (or one of its aliases)."""
    canonical = resolve(name)
    rows = _load()[_load()["component"] == canonical]
    props: dict[str, ComponentValue] = {}
    for _, row in rows.iterrows():
        prop = _text(row, "property")
        if prop in props:  # keep the first row; later ones are alternatives shown in the table
            continue
        t = row["temperature_K"]
        props[prop] = ComponentValue(
            value=float(row["value"]), unit=_text(row, "unit"),
            temperature_K=None if pd.isna(t) else float(t), source=_text(row, "source"),
            ref=_text(row, "ref"), location=_text(row, "location"), note=_text(row, "note"))
    first = rows.iloc[0]
    aliases = tuple(a.strip() for a in _text(first, "aliases").split(";") if a.strip())
    return Component(name=canonical, kind=_text(first, "kind"), aliases=aliases,  # type: ignore[arg-type]
                     properties=props)


def component_value(name: str, prop: str) -> float:
    """Tabulated value of ``prop`` for component ``name``, in the table unit."""
    return component(name).get(prop)


def layer_density(name: str, parameter: str = "density_g_cm3") -> tuple[float, str]:
    """Density (g/cm3) of a layer material and where it comes from.

    The components table first (the review's Fig. 17 values), else the structure library: the
    X-ray or handbook density of a published structure (:mod:`nitrolyte.structures.library`),
    or the density of the user's or a predicted structure (labelled as such). A material of the
    database is looked up by its name, then by its formula.

    Raises
    ------
    MissingDataError
        One line naming ``parameter`` (the option to pass instead) when no density is known.
    """
    unknown: UnknownMaterialError | None = None
    try:
        comp = component(name)
    except UnknownMaterialError as exc:
        comp, unknown = None, exc
    if comp is not None and "density" in comp.properties:
        v = comp.properties["density"]
        return v.value, f"components table: {comp.name} ({v.source}, {v.location})".replace(", )", ")")
    formulas = _formulas_of(name)
    for key in dict.fromkeys((name, *formulas)):
        found = _structure_density(key)
        if found is not None:
            return found
    if unknown is not None and not formulas:  # a typo, not a material without a density
        raise unknown
    raise MissingDataError(
        f"no density for {name}: not in the components table and no structure of it in the library "
        f"(measured or predicted); pass {parameter} (--{parameter.removesuffix('_density_g_cm3')}-density "
        "on the command line) or add a structure with "
        "'nitrolyte structure NAME --cif FILE'")


def _formulas_of(name: str) -> tuple[str, ...]:
    """Formula of a material of the curated data (none if unknown)."""
    from nitrolyte import dataset
    from nitrolyte.errors import NitrolyteError

    try:
        mid = dataset.name_index().get(dataset.normalize_name(name))
        frame = dataset.materials()
    except (OSError, NitrolyteError):
        return ()
    rows = frame[frame["material_id"] == mid]["formula"].dropna()
    return tuple(str(f) for f in rows)


def _structure_density(key: str) -> tuple[float, str] | None:
    """(density, source) of the library entry named ``key`` (or of that formula), or None."""
    from nitrolyte.errors import NitrolyteError
    from nitrolyte.structures.library import library_entry, library_structure

    try:
        entry = library_entry(key)
    except NitrolyteError:
        return None
    if entry.kind == "molecule":
        return None
    if math.isfinite(entry.density_g_cm3):
        how = "X-ray density of the published cell" if entry.kind in ("cif", "aflow") else "published density"
        return entry.density_g_cm3, f"structure library: {entry.name} ({how}; {entry.source})"
    label = "predicted structure" if "predicted" in entry.role else "user structure"
    return float(library_structure(entry.name).density), f"{label} {entry.name} ({entry.source})"


@lru_cache(maxsize=1)
def layer_materials() -> tuple[str, ...]:
    """SSE layer materials with a density: the table's SSEs, then every structure-library entry
    of a review material (a compound with Li whose formula is in the curated data)."""
    from pymatgen.core import Composition

    from nitrolyte import dataset
    from nitrolyte.structures.library import library_entries

    formulas = set()
    for f in dataset.materials()["formula"].dropna():
        try:
            formulas.add(Composition(str(f)).reduced_formula)
        except (ValueError, KeyError):
            continue
    names = list(component_names("sse"))
    for e in library_entries():
        comp = Composition(e.formula)
        if (e.kind != "molecule" and "Li" in {str(el) for el in comp.elements} and len(comp.elements) > 1
                and comp.reduced_formula in formulas and math.isfinite(e.density_g_cm3)):
            names.append(e.name)
    return tuple(dict.fromkeys(names))
