"""Back-test, the proof of a campaign: hide known stable phases from their spaces, run the
campaign from the remaining phases, and count how many it re-proposes within the hull threshold.

A hidden phase is *re-found* when a candidate of its formula survives the stability stage (its
predicted structure lies within ``hull_meV_atom`` of the hull of the phases left); its rank is the
candidate's place in the campaign's ranked list. The *false-positive picture* is every other
survivor whose formula no database lists: these are the campaign's proposals, to be read as
"computed stable with an ML potential in an ordered approximant", not as synthesised phases.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

#: hidden phase -> its space (the review's crystalline nitrides with a library structure)
CASES: dict[str, str] = {
    "Li6NBr3": "Li-N-Br", "Li3BN2": "Li-B-N", "Li3AlN2": "Li-Al-N", "Li3GaN2": "Li-Ga-N",
    "LiSi2N3": "Li-Si-N", "Li2CN2": "Li-C-N", "Li5NI2": "Li-N-I",
}


def backtest(cases: dict[str, str] | None = None, settings: Any = None, **options: Any) -> dict[str, Any]:
    """Run one campaign per hidden phase; the recall table and the unlisted survivors.

    Parameters
    ----------
    cases : dict, optional
        Hidden formula -> space (default :data:`CASES`).
    settings : Settings, optional
        The campaign settings (``hide`` is set per case).
    **options
        Passed to :func:`nitrolyte.discover.run.run_discovery` (workers, budget_min, out, progress).
    """
    from nitrolyte.discover.run import run_discovery
    from nitrolyte.discover.space import parse_space
    from nitrolyte.discover.stages import Settings
    from nitrolyte.structures.predict.outcome import reduced

    base = settings or Settings()
    rows, unlisted = [], []
    out = options.pop("out", None)
    for formula, space in (cases or CASES).items():
        hidden = reduced(formula)
        s = replace(base, hide=(*base.hide, hidden))
        folder = None if out is None else f"{out}/{hidden}"
        result = run_discovery([parse_space(space)], s, out=folder, **options)
        mine = [r for r in result.rows if r["formula"] == hidden]
        found = [r for r in mine if r["survives"]]
        best = min(mine, key=lambda r: (r.get("e_above_hull_meV_atom") is None,
                                        r.get("e_above_hull_meV_atom") or 0.0), default=None)
        rows.append({"hidden": formula, "space": space, "generated": bool(mine), "refound": bool(found),
                     "rank": min((r["rank"] for r in found), default=None),
                     "n_candidates": len(result.survivors),
                     "e_above_hull_meV_atom": None if best is None else best.get("e_above_hull_meV_atom"),
                     "e_above_joint_hull_meV_atom": None if best is None else best.get("e_above_joint_hull_meV_atom"),
                     "generator": None if best is None else best["generator"],
                     "status": "not generated (no structure type holds it)" if best is None else best["status"],
                     "wall_s": result.manifest["wall_s"]})
        unlisted += [{"space": space, "formula": r["formula"], "generator": r["generator"],
                      "e_above_hull_meV_atom": r["e_above_hull_meV_atom"],
                      "e_above_joint_hull_meV_atom": r.get("e_above_joint_hull_meV_atom")}
                     for r in result.survivors if r["formula"] != hidden and not r.get("known_structures")]
    joint = [u for u in unlisted if u["e_above_joint_hull_meV_atom"] is not None
             and u["e_above_joint_hull_meV_atom"] <= base.hull_meV_atom]
    return {"cases": rows, "recall": sum(r["refound"] for r in rows), "n_cases": len(rows),
            "unlisted_survivors": unlisted, "n_unlisted_on_joint_hull": len(joint), "settings": base.to_dict()}
