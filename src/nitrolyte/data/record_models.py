"""Schema of ``records.yaml``: everything the review reports that is not a per-material value.

Every entry carries its provenance: ``refs`` (numbers in the review's reference list; empty where
the review states the value without a citation, e.g. its own Perspectives) and ``location``
(``Table 6``, ``Section 5``, ``Fig. 16E caption`` ...).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Comparator = Literal[">=", ">", "<", "<=", "=", "~"]


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    refs: tuple[int, ...] = ()
    location: str = Field(min_length=1)
    note: str = ""


class SynthesisMethod(_Entry):
    """One row of Table 6 (comparison of synthesis methods)."""

    method: str = Field(min_length=1)
    advantages: tuple[str, ...] = Field(min_length=1)
    disadvantages: tuple[str, ...] = Field(min_length=1)
    suitable_forms: str = Field(min_length=1)


class PhaseTransition(_Entry):
    """A phase transition of a material, driven by pressure or temperature."""

    id: str = Field(min_length=1)
    material: str = Field(min_length=1, description="material as named in the review")
    material_id: str = ""
    from_phase: str = Field(min_length=1)
    to_phase: str = Field(min_length=1)
    driver: Literal["pressure", "temperature"]
    kind: Literal["transition", "onset", "onset_to_completion", "stable_up_to", "stability_range",
                  "melting"]
    value: float
    value_max: float | None = None
    qualifier: Literal["", "~"] = ""
    unit: Literal["GPa", "C", "K"]

    @model_validator(mode="after")
    def _range(self) -> PhaseTransition:
        if self.value_max is not None and self.value_max < self.value:
            raise ValueError(f"value_max {self.value_max} is below value {self.value}")
        return self


class VacancyComposition(_Entry):
    """A vacancy-rich composition or a site vacancy concentration."""

    id: str = Field(min_length=1)
    material_id: str = Field(min_length=1)
    composition: str = Field(min_length=1, description="composition as printed")
    formula: str = Field(default="", description="pymatgen-parsable nominal formula")
    site: str = ""
    vacancy_percent: float | None = Field(default=None, ge=0, le=100)
    vacancy_percent_uncertainty: float | None = Field(default=None, ge=0)
    printed: str = Field(min_length=1, description="the value as the review prints it")
    method: str = ""


class Target(_Entry):
    """A design target of the review's Perspectives / Conclusions."""

    id: str = Field(min_length=1)
    quantity: str = Field(min_length=1)
    comparator: Comparator
    value: float
    unit: str = Field(min_length=1)
    stretch_value: float | None = None
    purpose: str = ""


class CellDemonstration(_Entry):
    """A cell-level result reported in the review (critical current density, cycling, ...)."""

    id: str = Field(min_length=1)
    quantity: str = Field(min_length=1)
    value: float | None = None
    value_max: float | None = None
    qualifier: Literal["", "=", "<", ">", "~"] = ""
    unit: str = ""
    printed: str = Field(min_length=1, description="the value as the review prints it")
    electrolyte: str = Field(min_length=1)
    material_id: str = ""
    cell: str = ""
    conditions: str = ""


class AirStability(_Entry):
    """An air/moisture (or thermal) stability observation."""

    id: str = Field(min_length=1)
    material_id: str = Field(min_length=1)
    kind: Literal["air", "moisture", "thermal"]
    atmosphere: str = Field(min_length=1)
    duration_h: float | None = Field(default=None, gt=0)
    observation: str = Field(min_length=1)
    conductivity_S_cm: float | None = Field(default=None, gt=0)
    conductivity_qualifier: Literal["", "=", "<", ">", "~"] = ""


class Erratum(_Entry):
    """A place where the review contradicts itself or prints a typo; the data keep ``correct``."""

    id: str = Field(min_length=1)
    material_ids: tuple[str, ...] = ()
    printed: str = Field(min_length=1)
    correct: str = Field(min_length=1)
    explanation: str = Field(min_length=1)


class StatedRange(_Entry):
    """A range the review states for a class of materials or a composition (not one measurement).

    ``value`` to ``value_max`` in ``unit``, e.g. "0-1.0 V for most nitrides" or "Li:P from 1:1 to
    2.91:1".
    """

    id: str = Field(min_length=1)
    quantity: str = Field(min_length=1)
    subject: str = Field(min_length=1, description="what the range is stated for")
    value: float
    value_max: float
    unit: str = Field(min_length=1)
    printed: str = Field(min_length=1, description="the statement as the review prints it")

    @model_validator(mode="after")
    def _ordered(self) -> StatedRange:
        if self.value_max < self.value:
            raise ValueError(f"value_max ({self.value_max}) must be >= value ({self.value})")
        return self


class Records(BaseModel):
    """All sections of ``records.yaml``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    table6: tuple[SynthesisMethod, ...]
    phase_transitions: tuple[PhaseTransition, ...]
    vacancy_compositions: tuple[VacancyComposition, ...]
    targets: tuple[Target, ...]
    cell_demonstrations: tuple[CellDemonstration, ...]
    air_stability: tuple[AirStability, ...]
    errata: tuple[Erratum, ...]
    stated_ranges: tuple[StatedRange, ...] = ()

    @model_validator(mode="after")
    def _unique_ids(self) -> Records:
        for section in ("phase_transitions", "vacancy_compositions", "targets",
                        "cell_demonstrations", "air_stability", "errata", "stated_ranges"):
            ids = [entry.id for entry in getattr(self, section)]
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                raise ValueError(f"{section}: duplicate id(s) {', '.join(dupes)}")
        return self
