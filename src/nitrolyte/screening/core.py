"""``screen()``: score every material (and the user's stacks) against the Perspectives targets."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from nitrolyte.errors import InputError, NitrolyteError
from nitrolyte.screening.criteria import evaluate
from nitrolyte.screening.design import ScreeningDesign
from nitrolyte.screening.evidence import (
    AIR_COLUMNS,
    EVIDENCE_COLUMNS,
    EnergyModel,
    StabilityLookup,
    density,
    label,
    material_evidence,
)
from nitrolyte.screening.result import (
    RESULT_EVIDENCE,
    ScreeningResult,
    ScreeningRow,
    rank_key,
    scores,
)
from nitrolyte.screening.stack import Stack, stack_evidence
from nitrolyte.screening.targets import Target, resolve_targets

if TYPE_CHECKING:
    from nitrolyte.store.database import DatabaseLike

#: default minimum confidence: at least 3 of the 9 built-in criteria known
MIN_CONFIDENCE = 0.3
_DESIGN_FIELDS = tuple(f.name for f in dataclasses.fields(ScreeningDesign))


def _design(design: ScreeningDesign | None, options: Mapping[str, Any]) -> ScreeningDesign:
    unknown = [k for k in options if k not in _DESIGN_FIELDS]
    if unknown:
        raise InputError(f"screen: unknown option(s) {', '.join(map(repr, unknown))}; design options: "
                         f"{', '.join(_DESIGN_FIELDS)}")
    base = design or ScreeningDesign()
    return dataclasses.replace(base, **options) if options else base


def _check_source(source: str, db: DatabaseLike | None = None) -> None:
    """Fail early on an unusable energy source (a bad name, mp-api or its key missing) instead
    of turning every window into an unknown."""
    from nitrolyte.stability import resolve_source

    src = resolve_source(source, db=db)
    if source != "embedded":  # the others may need a package, a key or the ML table: try one system
        src.entries(frozenset({"Li"}))


def _mark_simulations(frame: Any, db: DatabaseLike | None) -> Any:
    """A ``simulation`` column: the MD label (model, version) of user rows from simulations."""
    if "source" not in frame.columns or not (frame["source"] == "user").any():
        return frame
    from nitrolyte.provenance import simulation_labels

    labels = simulation_labels(db)
    return frame.assign(simulation=[labels.get(m, "") if s == "user" else "" for m, s in
                                    zip(frame["material_id"], frame["source"], strict=True)])


#: wide-frame columns a simulation may fill in a literature row: (the value, its companions)
_FOLD = {"Ea": ("Ea_eV",), "sigma": ("sigma_S_cm", "sigma_qualifier", "T_K")}


def _fold_simulations(frame: Any, db: DatabaseLike | None) -> Any:
    """One material, one row: a user row made only of simulations (BVSE, MD) of a material that
    has a literature row fills that row's missing σ / Ea instead of adding a second row.

    A measured value always wins; a filled value's source is the simulation label
    (``Ea_simulation`` / ``sigma_simulation``), so the screening marks it ``sim.``. The
    simulated row is dropped either way.
    """
    if "simulation" not in frame.columns:
        return frame
    from nitrolyte.provenance import simulation_only_materials

    only = simulation_only_materials(db)
    lit = frame["source"] == "literature"
    sim_rows = frame[(frame["source"] == "user") & frame["material_id"].isin(only)
                     & frame["material_id"].isin(set(frame.loc[lit, "material_id"]))]
    if sim_rows.empty:
        return frame
    out = frame.assign(Ea_simulation="", sigma_simulation="")
    for _, row in sim_rows.iterrows():
        targets = out.index[lit & (out["material_id"] == row["material_id"])]
        same = [i for i in targets if out.at[i, "direction"] == row["direction"]]
        for i in same or list(targets):
            for key, cols in _FOLD.items():
                if _missing(out.at[i, cols[0]]) and not _missing(row[cols[0]]):
                    for c in cols:
                        out.at[i, c] = row[c]
                    out.at[i, f"{key}_simulation"] = row["simulation"]
    return out.drop(index=sim_rows.index)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))

def _mark_law_fits(frame: Any, db: DatabaseLike | None) -> Any:
    """A ``law_fit`` column: for user rows, the latest stored fit of a law with parameters
    (VTF, two-regime Arrhenius; :meth:`LawFit.summary`), from which sigma at 25 C and at the
    operating temperature are taken (:func:`~nitrolyte.screening.evidence.sigma_at`)."""
    if "source" not in frame.columns or not (frame["source"] == "user").any():
        return frame
    from nitrolyte.api import database
    from nitrolyte.transport.measured import as_dict

    sets = database(db).measurement_sets()
    fits = {str(m): d for m, d in zip(sets.get("material_id", []),
                                      (as_dict(f) for f in sets.get("fit", [])), strict=True)
            if "parameters" in d}  # later sets win
    return frame.assign(law_fit=[fits.get(str(m)) if s == "user" else None for m, s in
                                 zip(frame["material_id"], frame["source"], strict=True)])


def _add_unknown(frame: Any, family: str | None, db: DatabaseLike | None) -> Any:
    """Rows for materials whose only answer is a simulation with no σ (not diffusive): every
    value NaN, ``sigma_unknown`` saying why, so the screening shows them as unknown."""
    from nitrolyte.provenance import unknown_only_materials

    found = unknown_only_materials(db, set(frame["material_id"]))
    if not found:
        return frame
    import pandas as pd

    from nitrolyte import api

    rows = [{"material_id": m["material_id"], "name": m["name"], "family": m["family"],
             "formula": m["formula"], "source": "user", "simulation": m["label"],
             "sigma_unknown": "; ".join(text for _, text in m["sets"])} for m in found]
    extra = pd.DataFrame(rows).reindex(
        columns=list(dict.fromkeys([*frame.columns, "simulation", "sigma_unknown"])))
    extra = api.filter_frame(extra, family=family)
    return pd.concat([frame, extra], ignore_index=True) if len(extra) else frame


def _frame(materials: Sequence[str] | None, family: str | None, db: DatabaseLike | None,
           warnings: list[str]) -> Any:
    """The materials to screen; stored values no laboratory measures are blanked (unknown)
    and named in ``warnings`` (:func:`nitrolyte.plausibility.usable_frame`)."""
    from nitrolyte import api
    from nitrolyte.plausibility import usable_frame

    frame, skipped = usable_frame(api.materials(family=family, db=db))
    warnings.extend(skipped)
    frame = _mark_simulations(frame, db)
    frame = _fold_simulations(_mark_law_fits(frame, db), db)
    frame = _add_unknown(frame, family, db)
    if materials is None:
        return frame
    if isinstance(materials, str):
        materials = [materials]
    ids = [api.get(m, db=db).material_id for m in materials]
    picked = frame[frame["material_id"].isin(ids)]
    missing = [m for m, i in zip(materials, ids, strict=True) if i not in set(picked["material_id"])]
    if missing:
        raise InputError(f"materials: {', '.join(map(repr, missing))} not in family {family!r}")
    return picked


def _stacks(stack: Any, thickness_um: Sequence[float] | None) -> list[Stack]:
    if stack is None:
        return []
    if isinstance(stack, Stack | str):
        return [Stack.parse(stack, thickness_um)]
    items = list(stack)
    several = all(isinstance(s, str) and "|" in s for s in items) and len(items) > 1
    if items and (several or all(isinstance(s, Stack) for s in items)):
        if thickness_um is not None:
            raise InputError("stack_thickness_um applies to one stack; give each Stack its thickness_um")
        return [Stack.parse(s) for s in items]
    return [Stack.parse(items, thickness_um)]


def _energy_model(design: ScreeningDesign) -> tuple[EnergyModel | None, str]:
    rho, _ = density(design.catholyte, "", design)
    if not math.isfinite(rho):
        return None, f"no density for the catholyte {design.catholyte} (pass densities_g_cm3)"
    try:
        return EnergyModel(design, rho), ""
    except NitrolyteError as exc:
        return None, str(exc)


def _row(ev: dict[str, Any], targets: tuple[Target, ...], design: ScreeningDesign,
         min_confidence: float, row_label: str) -> ScreeningRow:
    criteria = tuple(evaluate(t, ev, design) for t in targets)
    score, lo, hi, conf = scores(criteria)
    kept = {k: ev.get(k, math.nan) for k in RESULT_EVIDENCE}
    return ScreeningRow(rank=0, label=row_label, kind=ev["kind"], name=ev["name"],
                        material_id=ev["material_id"], direction=ev["direction"], family=ev["family"],
                        criteria=criteria, score=score, score_min=lo, score_max=hi, confidence=conf,
                        eligible=conf >= min_confidence - 1e-12, evidence=kept)


def screen(materials: Sequence[str] | None = None, *, family: str | None = None,
           targets: Mapping[str, float] | Sequence[str | Target] | None = None,
           stack: str | Sequence[str] | Stack | Sequence[Stack] | None = None,
           stack_thickness_um: Sequence[float] | None = None,
           weights: Mapping[str, float] | None = None, min_confidence: float = MIN_CONFIDENCE,
           design: ScreeningDesign | None = None, records: Any = None, db: DatabaseLike | None = None,
           **options: Any) -> ScreeningResult:
    """Score materials and SSE stacks against the targets of the review's Perspectives.

    Parameters
    ----------
    materials : sequence of str, optional
        Names to screen (default: every material in the database; ``[]`` for stacks only).
    family : str, optional
        Only this family (as :func:`nitrolyte.api.materials`).
    targets : mapping or sequence, optional
        Changes to the default targets (:func:`~nitrolyte.screening.default_targets`):
        ``{"sigma": 5e-4}``, ``["Ea<0.4", "T_transition_K>=400"]`` or :class:`Target` objects.
    stack : str, sequence of str, Stack or sequence of Stack, optional
        ``"Li | vacancy-rich β-Li3N | Li3InCl6 | NMC811"`` (or its layers as a list).
    stack_thickness_um : sequence of float, optional
        Thickness (um) of each SSE layer of a single ``stack``.
    weights : mapping, optional
        Criterion id -> weight in the score (default 1 each).
    min_confidence : float
        Rows whose known criteria weigh less than this fraction rank after all others (0-1;
        default 0.3: 3 of the 9 built-in criteria).
    design : ScreeningDesign, optional
        The cell design; ``**options`` change single fields (``thickness_um=50``, ``T_K=273.15``,
        ``areal_capacity_mAh_cm2=3``, ``densities_g_cm3={...}``, ``source="mp"`` ...).
    records : Records, optional
        Records to use instead of ``nitrolyte.dataset.records()`` (air stability, cell
        demonstrations).
    db : Database, URL or path, optional
        The materials database (default: the user's).

    Returns
    -------
    ScreeningResult
        Ranked rows; ``to_frame()``, ``to_long_frame()``, ``pareto()``, ``to_dict()``.

    Examples
    --------
    >>> from nitrolyte.screening import screen
    >>> res = screen(family="Li3N")                          # doctest: +SKIP
    >>> res.to_frame()[["rank", "label", "score", "confidence"]].head(3)   # doctest: +SKIP
    """
    from nitrolyte import dataset

    if not (isinstance(min_confidence, int | float) and 0 <= min_confidence <= 1):
        raise InputError(f"min_confidence must be between 0 and 1, got {min_confidence!r}")
    des = _design(design, options)
    _check_source(des.source, db)
    tgts = resolve_targets(targets, EVIDENCE_COLUMNS, weights=weights)
    recs = records if records is not None else dataset.records()
    lookup = StabilityLookup(des, db)
    air = any(t.column in AIR_COLUMNS for t in tgts)
    rows, warnings = [], []
    if materials is None or len(materials) > 0:
        energy, reason = _energy_model(des)
        for r in _frame(materials, family, db, warnings).to_dict("records"):
            try:
                ev = material_evidence(r, des, recs, lookup, energy, energy_note=reason, air=air)
            except ArithmeticError as exc:  # one unusable row never fails the whole screening
                warnings.append(f"skipped {r.get('name')}: cannot be evaluated ({exc})")
                continue
            rows.append(_row(ev, tgts, des, min_confidence, label(ev)))
    for s in _stacks(stack, stack_thickness_um):
        ev = stack_evidence(s, des, recs, db, lookup)
        rows.append(_row(ev, tgts, des, min_confidence, s.label(des)))
    rows.sort(key=rank_key)
    ranked = tuple(dataclasses.replace(r, rank=i) for i, r in enumerate(rows, start=1))
    return ScreeningResult(ranked, tgts, des, float(min_confidence), tuple(warnings))
