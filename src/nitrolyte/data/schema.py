"""Row schema of the curated data: one pydantic model per CSV row type.

:class:`Reference`, :class:`Material` and :class:`Measurement` validate one row of
``references.csv``, ``materials.csv`` and ``measurements.csv`` (or one user row with the same
columns). A failed check raises :class:`pydantic.ValidationError` for per-field problems or
:class:`ColumnError` for checks that need several fields (a unit that does not fit the property);
:mod:`nitrolyte.dataset` turns both into :class:`~nitrolyte.errors.DataValidationError` naming
the file, row and column.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from nitrolyte.properties import CANONICAL_UNIT, PROPERTIES, T_MAX_K, to_canonical
from nitrolyte.properties import UNITS as _KIND_UNITS
from nitrolyte.units import (  # noqa: F401 - to_kelvin_or_none: re-exported
    ZERO_C_K,
    is_conductivity_unit,
    to_kelvin_or_none,
)

Family = Literal[
    "Li3N",
    "LiPON and derivatives",
    "nitride halide",
    "nitride chalcogenide",
    "nitridophosphate",
    "group 14",
    "group 13",
    "other ternary nitride",
]
#: The material families of the review (sections 2.1-2.7).
FAMILIES: tuple[str, ...] = get_args(Family)

CrystalSystem = Literal[
    "", "cubic", "hexagonal", "trigonal", "tetragonal", "orthorhombic", "monoclinic", "triclinic",
    "amorphous",
]
CRYSTAL_SYSTEMS: tuple[str, ...] = get_args(CrystalSystem)

#: The stored properties (from the registry of :mod:`nitrolyte.properties`).
Property = Literal[tuple(PROPERTIES)]  # type: ignore[valid-type]
#: property -> the kind of unit it takes.
PROPERTY_KINDS: dict[str, str] = {name: spec.kind for name, spec in PROPERTIES.items()}
#: kind -> {unit: factor to the canonical unit}; only the keys are used (factors in nitrolyte.units).
UNITS: dict[str, dict[str, float]] = {kind: dict.fromkeys(units, 1.0)
                                      for kind, units in _KIND_UNITS.items()}
Qualifier = Literal["", "=", "<", ">", "~"]
Direction = Literal["", "perp_c", "par_c"]
Phase = Literal["", "LT", "HT"]

DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


class ColumnError(Exception):
    """A check that spans several fields failed; ``column`` names the field to blame.

    Deliberately not a :class:`ValueError`, so that pydantic lets it through unchanged.
    """

    def __init__(self, column: str, message: str):
        super().__init__(f"column {column!r}: {message}")
        self.column = column
        self.message = message


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and not value.strip()
    )


def _clean(data: Any) -> Any:
    """Map NaN/None to '' and strip strings, so CSV cells and DataFrame rows validate alike."""
    if not isinstance(data, dict):
        return data
    return {k: ("" if _blank(v) else v.strip() if isinstance(v, str) else v) for k, v in data.items()}


#: control characters refused in every text cell (notes may hold tabs and newlines)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _check_text(column: str, value: str) -> None:
    """Refuse text that cannot be stored as UTF-8 (lone surrogates) or holds control characters."""
    from nitrolyte.names import printable

    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ColumnError(column, f"'{printable(value)}' is not valid Unicode text (undecodable "
                                  "bytes); use UTF-8") from None
    if _CONTROL.search(value) or (column != "note" and ("\n" in value or "\r" in value)):
        raise ColumnError(column, f"'{printable(value)}' contains a control character")


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _clean_cells(cls, data: Any) -> Any:
        data = _clean(data)
        if isinstance(data, dict):
            for key, value in data.items():
                if isinstance(value, str):
                    _check_text(str(key), value)
        return data

    @field_validator("ref", mode="before", check_fields=False)
    @classmethod
    def _optional_int(cls, value: Any) -> Any:
        if value == "":
            return None
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value


class Reference(_Row):
    """One entry of the review's reference list."""

    ref: int = Field(ge=1, description="number in the review's reference list")
    citation_key: str = Field(pattern=r"^[a-z][a-z0-9]*$")
    doi: str = ""
    citation: str = Field(min_length=1)

    @field_validator("doi")
    @classmethod
    def _doi(cls, value: str) -> str:
        if value and not DOI_PATTERN.match(value):
            raise ValueError(f"{value!r} is not a DOI; expected the pattern 10.NNNN/suffix")
        return value


@functools.cache
def _composition_ok(formula: str) -> str | None:
    from pymatgen.core import Composition

    from nitrolyte.errors import InputError
    from nitrolyte.formula import parse_formula

    try:
        parse_formula(formula)  # strict: no "Li3N)", zero amounts or unknown symbols
    except InputError as exc:
        return str(exc)
    try:
        comp = Composition(formula)
    except Exception as exc:  # pymatgen raises ValueError, KeyError, ... for bad formulas
        return f"{formula!r} is not a chemical formula pymatgen can parse ({exc})"
    if comp.num_atoms <= 0:
        return f"{formula!r} has no atoms"
    return None


#: crystal system by the last international space-group number it covers
_SYSTEM_BY_NUMBER = ((2, "triclinic"), (15, "monoclinic"), (74, "orthorhombic"),
                     (142, "tetragonal"), (167, "trigonal"), (194, "hexagonal"), (230, "cubic"))


@functools.cache
def _space_group_system(symbol: str) -> str | None:
    """Crystal system of a space-group symbol, or None for an unknown symbol.

    Symbols in pymatgen's table of standard symbols are looked up by their number (fast);
    any other spelling goes through ``pymatgen.symmetry.groups.SpaceGroup`` (about 0.1 s each).
    """
    from pymatgen.symmetry.groups import SYMM_DATA, SpaceGroup

    encoding = SYMM_DATA["space_group_encoding"]
    key = symbol.replace(" ", "")
    key = SYMM_DATA["abbreviated_spacegroup_symbols"].get(key, key)
    if key in encoding:
        number = int(encoding[key]["int_number"])
        return next(name for last, name in _SYSTEM_BY_NUMBER if number <= last)
    try:
        return str(SpaceGroup(symbol).crystal_system)
    except Exception:  # unknown symbol
        return None


class Material(_Row):
    """One material (a row of Tables 1-4, or a compound named in the text)."""

    material_id: str = Field(min_length=1, max_length=120)
    name: str = Field(min_length=1)
    aliases: str = ""
    formula: str = ""
    formula_printed: str = ""
    family: Family
    crystal_system: CrystalSystem = ""
    space_group: str = ""
    synthesis: str = ""
    ref: int | None = Field(default=None, ge=1)
    location: str = ""
    note: str = ""

    @field_validator("material_id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID_PATTERN.match(value):
            raise ValueError(f"{value!r} is not a valid id (letters, digits, '_', '.', '-')")
        return value

    @field_validator("formula")
    @classmethod
    def _formula(cls, value: str) -> str:
        if value and (problem := _composition_ok(value)):
            raise ValueError(problem)
        return value

    @field_validator("crystal_system", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _space_group(self) -> Material:
        if not self.space_group:
            return self
        system = _space_group_system(self.space_group)
        if system is None:
            raise ColumnError("space_group", f"{self.space_group!r} is not a Hermann-Mauguin "
                              "space-group symbol (write e.g. P6/mmm, P6_3/mmc, Fm-3m)")
        if self.crystal_system and self.crystal_system != system:
            raise ColumnError("crystal_system", f"{self.crystal_system!r} does not match space "
                              f"group {self.space_group} ({system})")
        return self

    @property
    def alias_list(self) -> tuple[str, ...]:
        """The ``;``-separated aliases as a tuple."""
        return tuple(a.strip() for a in self.aliases.split(";") if a.strip())


class Measurement(_Row):
    """One measured (or back-calculated) value of one material, with its provenance."""

    material_id: str = Field(min_length=1)
    property: Property
    value: float
    qualifier: Qualifier = ""
    unit: str
    temperature: float | None = None
    temperature_unit: str = ""
    direction: Direction = ""
    phase: Phase = ""
    method: str = ""
    derived_from_arrhenius: bool = False
    ref: int | None = Field(default=None, ge=1)
    location: str = ""
    note: str = ""

    @field_validator("value", mode="before")
    @classmethod
    def _required_number(cls, value: Any) -> Any:
        if value == "":
            raise ValueError("a number is required, got an empty cell")
        return value

    @field_validator("temperature", mode="before")
    @classmethod
    def _optional_number(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("derived_from_arrhenius", mode="before")
    @classmethod
    def _flag(cls, value: Any) -> Any:
        return False if value == "" else value

    @model_validator(mode="after")
    def _consistent(self) -> Measurement:
        spec = PROPERTIES[self.property]
        kind = spec.kind
        if self.unit not in UNITS[kind] and not (kind == "conductivity"
                                                 and is_conductivity_unit(self.unit)):
            raise ColumnError("unit", f"{self.unit!r} is not a{'n' if kind == 'energy' else ''} "
                              f"{kind} unit; expected {CANONICAL_UNIT[kind]} "
                              f"(allowed: {', '.join(UNITS[kind])})")
        if kind == "temperature":
            if to_kelvin_or_none(self.value, self.unit) is None:
                raise ColumnError("value", f"{self.value} {self.unit} is not above 0 K")
        elif self.value <= 0:
            raise ColumnError("value", f"a {kind} must be > 0, got {self.value}")
        if to_canonical(self.value, self.unit, kind) > spec.max_value:
            raise ColumnError("value", f"{self.value:g} {self.unit} is not a plausible "
                              f"{spec.label}; allowed: at most {spec.max_value:g} "
                              f"{spec.canonical_unit}")
        self._check_temperature(spec.needs_temperature)
        return self

    def _check_temperature(self, needed: bool) -> None:
        if self.temperature is None:
            if needed:
                raise ColumnError("temperature", f"a {PROPERTIES[self.property].label} needs the "
                                  "temperature it was measured at (room temperature too: 25 with "
                                  "unit C)")
            if self.temperature_unit:
                raise ColumnError("temperature", "temperature_unit is given but temperature is empty")
            return
        if self.temperature_unit not in UNITS["temperature"]:
            raise ColumnError("temperature_unit", f"{self.temperature_unit!r} is not a temperature "
                              "unit; expected K or C")
        kelvin = to_kelvin_or_none(self.temperature, self.temperature_unit)
        if kelvin is None:
            raise ColumnError("temperature", f"{self.temperature} {self.temperature_unit} is not "
                              "above 0 K")
        if kelvin > T_MAX_K:
            raise ColumnError("temperature", f"{self.temperature:g} {self.temperature_unit} is "
                              f"out of range; allowed: above 0 K and at most {T_MAX_K:g} K")

    @property
    def temperature_K(self) -> float | None:
        """The measurement temperature in kelvin (None where not given)."""
        if self.temperature is None:
            return None
        return to_kelvin_or_none(self.temperature, self.temperature_unit)


