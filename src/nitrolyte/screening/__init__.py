"""Screening of materials and SSE stacks against the targets of the review's Perspectives.

Every material of the database (and any stack the user describes) is judged criterion by
criterion - ``pass``, ``fail`` or ``unknown``, each with its value, unit and source - against
the targets of "Conclusions and perspectives (a)" of the review (kept as data in
:func:`nitrolyte.dataset.targets`), ranked by a documented score, and sorted into Pareto fronts
of conductivity, activation energy and oxidation limit. See ``docs/screening.md``.

>>> from nitrolyte.screening import screen
>>> res = screen(targets={"sigma": 5e-4})                     # doctest: +SKIP
>>> res.to_frame()[["rank", "label", "score", "confidence"]]   # doctest: +SKIP
"""

from __future__ import annotations

from nitrolyte.screening.core import MIN_CONFIDENCE, screen
from nitrolyte.screening.criteria import STATUSES, CriterionResult, Status, compare
from nitrolyte.screening.design import ScreeningDesign
from nitrolyte.screening.evidence import EVIDENCE_COLUMNS
from nitrolyte.screening.pareto import DEFAULT_OBJECTIVES, non_dominated_sort, pareto_front
from nitrolyte.screening.result import SCHEMA, ScreeningResult, ScreeningRow
from nitrolyte.screening.stack import Stack
from nitrolyte.screening.targets import (
    BUILTIN,
    COMPARATORS,
    Target,
    default_targets,
    ea_threshold_eV,
    parse_target,
    resolve_targets,
)

__all__ = [
    "BUILTIN",
    "COMPARATORS",
    "DEFAULT_OBJECTIVES",
    "EVIDENCE_COLUMNS",
    "MIN_CONFIDENCE",
    "SCHEMA",
    "STATUSES",
    "CriterionResult",
    "ScreeningDesign",
    "ScreeningResult",
    "ScreeningRow",
    "Stack",
    "Status",
    "Target",
    "compare",
    "default_targets",
    "ea_threshold_eV",
    "non_dominated_sort",
    "pareto_front",
    "parse_target",
    "resolve_targets",
    "screen",
]
