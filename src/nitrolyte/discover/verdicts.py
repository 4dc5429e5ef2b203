"""The *screen* stage: each surviving candidate against the review's targets, and the Pareto front.

Verdicts are pass / fail / unknown (:func:`nitrolyte.screening.compare`: a missing value is
unknown, never a pass). The values are predictions and say so: the Ea criterion judges a BVSE
migration barrier (not a measured Ea), the stability criteria a window from ML energies.
"""

from __future__ import annotations

from typing import Any

#: (criterion, row column, comparator, label); thresholds come from :func:`thresholds`
CRITERIA: tuple[tuple[str, str, str, str], ...] = (
    ("hull", "e_above_hull_meV_atom", "<=", "energy above hull (ML, predicted structure)"),
    ("joint_hull", "e_above_joint_hull_meV_atom", "<=", "energy above the hull with the other candidates"),
    ("Ea", "Ea_eV", "<=", "BVSE migration barrier (predicted, not a measured Ea)"),
    ("li_stability", "reduction_V", "<=", "stable vs Li (ML window)"),
    ("oxidation", "oxidation_V", ">=", "oxidation limit (ML window)"),
    ("air_reaction", "air_reaction_meV_atom", ">=", "no reaction with H2O/O2/CO2 (ML)"),
)
#: Pareto objectives over the survivors
OBJECTIVES = {"e_above_hull_meV_atom": "min", "Ea_eV": "min", "oxidation_V": "max",
              "air_reaction_meV_atom": "max"}


def thresholds(hull_meV_atom: float) -> dict[str, float]:
    """Threshold of each criterion: the campaign's hull, the screening's derived Ea limit and the
    review's oxidation target (:func:`nitrolyte.screening.default_targets`), 0 V and 0 meV/atom."""
    from nitrolyte.screening import default_targets

    targets = {t.id: t.value for t in default_targets()}
    return {"hull": float(hull_meV_atom), "joint_hull": float(hull_meV_atom), "Ea": float(targets["Ea"]), "li_stability": 0.0,
            "oxidation": float(targets["oxidation"]), "air_reaction": 0.0}


def judge(row: dict[str, Any], limits: dict[str, float]) -> dict[str, str]:
    """criterion -> pass / fail / unknown for one candidate row."""
    import math

    from nitrolyte.screening import compare

    out = {}
    for cid, column, op, _label in CRITERIA:
        value = row.get(column)
        status = compare(math.nan if value is None else float(value), "", op, limits[cid])
        if cid == "li_stability" and row.get("li_verdict") == "not decided":
            status = "unknown"  # a window on an incomplete phase set decides nothing
        out[cid] = status
    return out


def rank(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with ``pareto_rank``/``on_front``, sorted by fewest fails, most passes, then hull energy."""
    import pandas as pd

    from nitrolyte.screening import pareto_front

    if not rows:
        return []
    frame = pareto_front(pd.DataFrame(rows).reindex(columns=list(dict.fromkeys([*rows[0], *OBJECTIVES]))), OBJECTIVES)
    for row, (_, r) in zip(rows, frame.iterrows(), strict=True):
        row["pareto_rank"], row["on_front"] = int(r["pareto_rank"]), bool(r["on_front"])
    return sorted(rows, key=lambda r: (_count(r, "fail"), -_count(r, "pass"),
                                       r.get("e_above_hull_meV_atom") or 0.0, r["formula"]))


def _count(row: dict[str, Any], status: str) -> int:
    return sum(1 for v in row["verdicts"].values() if v == status)
