"""Records of one material as the store returns them: :class:`MaterialRecord`, :class:`StoredMeasurement`.

Plain frozen dataclasses (no SQL); :mod:`nitrolyte.store.reads` fills them and
:mod:`nitrolyte.api` re-exports them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from nitrolyte.checks import check_choice
from nitrolyte.errors import InputError, MissingDataError

if TYPE_CHECKING:
    from pymatgen.core import Composition

DIRECTIONS = ("perp_c", "par_c")


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
    direction, phase, method, ref, doi, location, note, source, added_at, added_by : str
        Provenance; ``derived_from_arrhenius`` marks footnote *a* of the review's tables.
    value_stderr : float or None
        Standard error of ``value`` (same unit), e.g. of a fitted activation energy.
    set_id : int or None
        The measurement set the row belongs to (see :meth:`Database.add_measurement_set`).
    kind : str
        For a conductivity of a measurement set: ``"bulk"`` or ``"total"`` ('' otherwise).
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
    added_by: str = ""
    value_stderr: float | None = None
    set_id: int | None = None
    kind: str = ""

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
    measurements : sequence of StoredMeasurement
        Every stored value, literature first (a tuple, or from the store a lazy sequence
        that builds each one on access and compares equal to the tuple).
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
    measurements: Sequence[StoredMeasurement] = ()
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

    def value(self, property: str, direction: str | None = None) -> float | None:
        """The value the wide frame shows for a registered property, in its canonical unit.

        Parameters
        ----------
        property : str
            A property of :data:`nitrolyte.properties.PROPERTIES` (``electronic_conductivity``
            gives S/cm, ``activation_energy`` eV, ``transition_temperature`` K).
        direction : {"perp_c", "par_c"}, optional
            As for :meth:`sigma_S_cm`.
        """
        from nitrolyte.properties import PROPERTIES

        check_choice("property", property, tuple(PROPERTIES))
        spec = PROPERTIES[property]
        if not spec.wide:
            return None
        col = spec.wide[0]
        if not col.per_direction:
            values = [_nan(r.get(col.column)) for r in self.summary]
            return next((v for v in values if v is not None), None)
        return _nan(self._row(direction, spec.label).get(col.column))

    def sigma_e_S_cm(self) -> float | None:
        """Electronic conductivity in S/cm (None where not reported; may be an upper bound)."""
        return self.value("electronic_conductivity")

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


def _str(value: Any) -> str:
    value = _nan(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)

