"""Result objects of a screening: one :class:`ScreeningRow` per material or stack, ranked.

Score (documented in ``docs/screening.md``), with :math:`w_i` the weight of criterion *i*:

.. math:: \\mathrm{score} = \\frac{\\sum_{pass} w_i}{\\sum_{known} w_i}, \\qquad
          \\mathrm{confidence} = \\frac{\\sum_{known} w_i}{\\sum_{all} w_i}

``score_min`` counts every unknown as a fail, ``score_max`` as a pass: the score can only move
inside [score_min, score_max] as data arrive.

Rows are ranked by the bound ``score_min`` - the share of *all* criteria known to pass - then,
among equal bounds, by ``confidence`` (the better-known first) and only then by ``score`` (the
optimistic share of the known criteria), so that a material with more unknowns never ranks above
a better-known one on optimism alone (:func:`rank_key`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from nitrolyte.errors import InputError
from nitrolyte.screening.criteria import CriterionResult
from nitrolyte.screening.design import ScreeningDesign
from nitrolyte.screening.pareto import DEFAULT_OBJECTIVES, Sense, pareto_front
from nitrolyte.screening.targets import Target

SCHEMA = "nitrolyte.screening/1"
_NAN = math.nan
#: evidence numbers carried into the result (for tables, Pareto fronts and JSON)
RESULT_EVIDENCE = ("formula", "sigma_S_cm", "sigma_qualifier", "T_K", "Ea_eV", "reduction_V",
                   "oxidation_V", "window_width_V", "window_basis", "sigma_op_S_cm",
                   "density_g_cm3", "energy_Wh_kg")


@dataclass(frozen=True)
class ScreeningRow:
    """One screened material (one crystal direction) or stack.

    Attributes
    ----------
    rank : int
        1 = best (see :func:`rank_rows`).
    label : str
        Display name (``"α-Li3N single crystal (⊥c)"``, ``"Li | β-Li3N (20 µm) | ..."``).
    kind : {"material", "stack"}
    name, material_id, direction, family : str
    criteria : tuple of CriterionResult
        One per target, in target order.
    score, score_min, score_max, confidence : float
        See the module docstring; ``score`` is NaN when no criterion is known.
    eligible : bool
        ``confidence >= min_confidence``: only eligible rows compete for the top ranks.
    evidence : mapping
        The numbers behind the verdicts (:data:`RESULT_EVIDENCE`).
    """

    rank: int
    label: str
    kind: Literal["material", "stack"]
    name: str
    material_id: str
    direction: str
    family: str
    criteria: tuple[CriterionResult, ...]
    score: float
    score_min: float
    score_max: float
    confidence: float
    eligible: bool
    evidence: Mapping[str, Any]

    def counts(self) -> dict[str, int]:
        """Number of pass, fail and unknown criteria."""
        return {s: sum(c.status == s for c in self.criteria) for s in ("pass", "fail", "unknown")}

    def criterion(self, cid: str) -> CriterionResult:
        """The result of criterion ``cid``."""
        for c in self.criteria:
            if c.criterion == cid:
                return c
        raise InputError(f"criterion {cid!r} not in this screening; have "
                         f"{', '.join(c.criterion for c in self.criteria)}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (NaN as None)."""
        head = {k: getattr(self, k) for k in ("rank", "label", "kind", "name", "material_id",
                                               "direction", "family", "eligible")}
        nums = {k: _clean(getattr(self, k)) for k in ("score", "score_min", "score_max", "confidence")}
        return {**head, **nums, **self.counts(),
                "criteria": [c.to_dict() for c in self.criteria],
                "evidence": {k: _clean(v) for k, v in self.evidence.items()}}


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def scores(criteria: tuple[CriterionResult, ...]) -> tuple[float, float, float, float]:
    """(score, score_min, score_max, confidence) of a row's criteria (module docstring)."""
    total = sum(c.weight for c in criteria)
    passed = sum(c.weight for c in criteria if c.status == "pass")
    known = sum(c.weight for c in criteria if c.status != "unknown")
    unknown = total - known
    if total <= 0:
        return _NAN, _NAN, _NAN, 0.0
    score = passed / known if known > 0 else _NAN
    return score, passed / total, (passed + unknown) / total, known / total


#: what the rank means, for table headers and ``--help`` (docs/screening.md quotes it)
RANK_MEANING = ("Rank: by the share of all criteria known to pass (proven); among equal proven "
                "shares the better-known row (confidence) first, then the share of the known "
                "criteria that pass (score). An unknown never counts as a pass, so rank 1 is "
                "the row with the most targets shown to be met, not the most promising guess.")


def rank_key(row: ScreeningRow) -> tuple[Any, ...]:
    """Sort key: eligible first, then the bound ``score_min`` (share of all criteria known to
    pass), confidence, the optimistic ``score`` and conductivity (all descending), label."""
    sigma = row.evidence.get("sigma_S_cm", _NAN)
    sigma = sigma if isinstance(sigma, float) and math.isfinite(sigma) and \
        row.evidence.get("sigma_qualifier") != "<" else -1.0
    score = row.score if math.isfinite(row.score) else -1.0
    proven = row.score_min if math.isfinite(row.score_min) else -1.0
    return (not row.eligible, -round(proven, 12), -round(row.confidence, 12), -score, -sigma,
            row.label)


@dataclass(frozen=True)
class ScreeningResult:
    """Ranked screening of materials and stacks against targets.

    Attributes
    ----------
    rows : tuple of ScreeningRow
        Ranked, best first.
    targets : tuple of Target
        The targets used (review defaults with the user's changes).
    design : ScreeningDesign
        The cell design and conditions.
    min_confidence : float
        Rows below this confidence rank after all others.
    warnings : tuple of str
        Stored values that could not be used (material, property, value, reason), skipped.
    """

    rows: tuple[ScreeningRow, ...]
    targets: tuple[Target, ...]
    design: ScreeningDesign
    min_confidence: float
    warnings: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.rows)

    def row(self, label: str) -> ScreeningRow:
        """The row with this label (or name, if unique)."""
        hits = [r for r in self.rows if r.label == label] or [r for r in self.rows if r.name == label]
        if len(hits) != 1:
            near = [r.label for r in self.rows if label.lower() in r.label.lower()][:8]
            raise InputError(f"no single screening row {label!r}" + (f"; rows: {', '.join(near)}" if near else ""))
        return hits[0]

    def to_frame(self) -> pd.DataFrame:
        """One row per material/stack: rank, label, scores, then ``<id>`` status and ``<id>_value``."""
        records = []
        for r in self.rows:
            rec = {"rank": r.rank, "label": r.label, "kind": r.kind, "name": r.name,
                   "family": r.family, "direction": r.direction, "score": r.score,
                   "score_min": r.score_min, "score_max": r.score_max, "confidence": r.confidence,
                   "eligible": r.eligible, **{f"n_{k}": v for k, v in r.counts().items()}}
            for c in r.criteria:
                rec[c.criterion] = c.status
                rec[f"{c.criterion}_value"] = c.value_text()
            rec.update({k: r.evidence.get(k, _NAN) for k in RESULT_EVIDENCE})
            records.append(rec)
        return pd.DataFrame(records)

    def to_long_frame(self) -> pd.DataFrame:
        """One row per (material or stack, criterion) with value, threshold, source and note."""
        return pd.DataFrame([{"rank": r.rank, "label": r.label, **c.to_dict()}
                             for r in self.rows for c in r.criteria])

    def pareto(self, objectives: Mapping[str, Sense] | None = None) -> pd.DataFrame:
        """Materials with their Pareto rank (:func:`pareto_front`); bounds are left out.

        Default objectives: ``sigma_S_cm`` (max), ``Ea_eV`` (min), ``oxidation_V`` (max).
        """
        frame = self.to_frame()
        frame = frame[frame["kind"] == "material"].copy()
        bound = frame["sigma_qualifier"].isin(["<", ">"])
        frame.loc[bound, "sigma_S_cm"] = _NAN
        cols = ["rank", "label", "name", "family", "direction", "score", "sigma_S_cm", "Ea_eV",
                "reduction_V", "oxidation_V", "window_width_V"]
        return pareto_front(frame[cols], objectives or DEFAULT_OBJECTIVES).reset_index(drop=True)

    def to_dict(self) -> dict[str, Any]:
        """The ``nitrolyte.screening/1`` document (docs/screening.md)."""
        return {"schema": SCHEMA, "design": self.design.to_dict(),
                "targets": [t.to_dict() for t in self.targets],
                "min_confidence": self.min_confidence, "count": len(self.rows),
                "warnings": list(self.warnings), "rows": [r.to_dict() for r in self.rows]}
