"""Energy of a predicted structure above the hull of its competing phases (the ``ml`` source).

The hull is the ``ml`` source's (the library's relaxed ML energies under the anchored scheme), with
the prediction added as one more phase of the same model. ``exclude_known`` hides the library's
structures of the predicted formula from the hull (blind prediction); they are still compared with
the prediction afterwards (:func:`nitrolyte.structures.predict.outcome.known_match`).
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

from nitrolyte.structures.predict.outcome import reduced, stored_name

if TYPE_CHECKING:
    import pandas as pd

    from nitrolyte.stability.ml import MLSource
    from nitrolyte.store.database import DatabaseLike
    from nitrolyte.structures.predict.core import Prediction
    from nitrolyte.structures.predict.model import Model

#: how the committee's other models evaluate a prediction (said in every ``--json``)
SECOND_MODEL = "re-relaxed (positions and cell, fmax 0.05 eV/Å) from the best structure"


def hull(pred: Prediction, table: pd.DataFrame, *, exclude_known: bool = False,
         potential: str | None = None) -> dict[str, Any]:
    """Energy of the prediction against the hull of its competing phases (meV/atom, same model).

    Returns ``e_above_hull_meV_atom`` (>= 0), ``e_vs_competing_meV_atom`` (signed: negative means
    below the hull of the other phases, i.e. stable), ``decomposes_to`` (the competing phases it
    would split into when above) and ``hidden_known`` (library entries left out). ``potential``
    names the registered model ``table`` and the prediction's energy come from (the default model).
    """
    from pymatgen.analysis.phase_diagram import PhaseDiagram

    name = stored_name(pred.formula)
    same = table["formula"].map(reduced) == pred.formula
    hidden = sorted(table.loc[same & (table["kind"] != "predicted"), "name"]) if exclude_known else []
    source = with_prediction(table[~same] if exclude_known else table, pred, potential)
    elements = frozenset(str(el) for el in pred.structure.composition.elements)
    entries = source.entries(elements)
    mine = next((e for e in entries if isinstance(e.attribute, dict) and e.attribute.get("structure") == name),
                None)
    if mine is None:  # an element without a reference energy in the model's table
        from nitrolyte.errors import MissingDataError

        raise MissingDataError(f"hull of {pred.formula}: {source.missing_structure_message(pred.formula)}")
    others = PhaseDiagram([e for e in entries if e is not mine])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        decomp, e_vs = others.get_decomp_and_e_above_hull(mine, allow_negative=True)
    e_vs = float(e_vs) * 1000.0
    return {"e_above_hull_meV_atom": round(max(e_vs, 0.0), 1), "e_vs_competing_meV_atom": round(e_vs, 1),
            "decomposes_to": sorted(e.name for e in decomp) if e_vs > 0 else [],
            "hull_model": pred.model, "hidden_known": hidden}


def joint_hull(preds: list[Prediction], table: pd.DataFrame, potential: str | None = None) -> list[float]:
    """Energy above the hull (meV/atom, >= 0) of each prediction when the others are phases too:
    the hull of ``table`` (one model's library energies) and every prediction together. A set of
    candidates each below the known hull can still decompose into one another; this says which."""
    import pandas as pd
    from pymatgen.analysis.phase_diagram import PhaseDiagram

    from nitrolyte.stability.ml import MLSource

    if not preds:
        return []
    names = [f"{p.formula} (candidate {i})" for i, p in enumerate(preds)]
    rows = [_row(name, p) for name, p in zip(names, preds, strict=True)]
    source = MLSource(energies=pd.concat([table, pd.DataFrame(rows)], ignore_index=True), potential=potential)
    elements = frozenset(str(el) for p in preds for el in p.structure.composition.elements)
    entries = source.entries(elements)
    by_name = {e.attribute.get("structure"): e for e in entries if isinstance(e.attribute, dict)}
    diagram = PhaseDiagram(entries)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [round(1000.0 * float(diagram.get_e_above_hull(by_name[n])), 1) for n in names]


def _row(name: str, pred: Prediction) -> dict[str, Any]:
    """A prediction as a row of a library energy table."""
    return {"name": name, "formula": pred.formula, "kind": "predicted", "ok": True, "failures": "",
            "energy_per_atom_eV": pred.energy_eV_atom, "n_atoms": len(pred.structure), "volume_ratio": math.nan,
            "n_steps": 0, "structure_hash": "", "entry_hash": "", "model_version": pred.model,
            "source": pred.method, "doi": ""}


def with_prediction(table: pd.DataFrame, pred: Prediction, potential: str | None = None) -> MLSource:
    """The ``ml`` source of ``table`` (one model's library energies) with the prediction added as
    one more phase, named :func:`~nitrolyte.structures.predict.outcome.stored_name` (a stored entry
    of that name in ``table`` is replaced)."""
    import pandas as pd

    from nitrolyte.stability.ml import MLSource

    name = stored_name(pred.formula)
    return MLSource(energies=pd.concat([table[table["name"] != name], pd.DataFrame([_row(name, pred)])],
                                       ignore_index=True), potential=potential)


def committee_hull(pred: Prediction, first: dict[str, Any], *, db: DatabaseLike | None = None, exclude_known: bool = False,
                   models: list[Model] | None = None) -> dict[str, Any]:
    """Energy above hull of the prediction from every committee model (meV/atom).

    ``first`` is :func:`hull` and :func:`nitrolyte.structures.predict.outcome.known_match` of the
    model that predicted. Each other model (:func:`nitrolyte.structures.predict.model.committee_models`)
    re-relaxes the best structure (:data:`SECOND_MODEL`) and judges it against its own packaged
    library table (``data/ml_energies.csv`` rows of its model version; never relaxing the library).
    Returns ``e_above_hull_by_model``, ``e_vs_competing_by_model``, ``dE_vs_known_by_model``
    (model version -> meV/atom), ``e_above_hull_spread_meV_atom`` (max - min), ``committee_flag``
    (spread above :data:`nitrolyte.stability.committee.E_TOL_MEV`) and ``second_model``; a model that
    cannot run here (its package missing) gets ``None`` and a line in ``committee_missing``.
    """
    import dataclasses

    from nitrolyte.errors import ModelNotInstalledError
    from nitrolyte.stability.committee import E_TOL_MEV, spread
    from nitrolyte.structures.predict.model import committee_models
    from nitrolyte.structures.predict.outcome import known_match, library_table, relaxed

    above = {pred.model: first["e_above_hull_meV_atom"]}
    versus = {pred.model: first["e_vs_competing_meV_atom"]}
    known = {pred.model: first.get("dE_vs_known_meV_atom")}
    missing = []
    for model in committee_models() if models is None else models:
        try:
            other = dataclasses.replace(pred, model=model.version, energy_eV_atom=relaxed(pred, model, db))
        except ModelNotInstalledError as exc:  # that model cannot run here: said, not guessed
            above[model.version] = versus[model.version] = known[model.version] = None
            missing.append(f"{model.version}: {exc}")
            continue
        table = library_table(model, db=db, compute=False)
        h = hull(other, table, exclude_known=exclude_known, potential=getattr(model, "name", None)
                 if _registered(model) else None)
        above[model.version] = h["e_above_hull_meV_atom"]
        versus[model.version] = h["e_vs_competing_meV_atom"]
        known[model.version] = known_match(other, table)["dE_vs_known_meV_atom"] if first.get("known") else None
    width = spread(versus.values())
    return {"e_above_hull_by_model": above, "e_vs_competing_by_model": versus, "dE_vs_known_by_model": known,
            "e_above_hull_spread_meV_atom": None if math.isnan(width) else round(width, 1),
            "committee_flag": bool(not math.isnan(width) and width > E_TOL_MEV),
            "second_model": SECOND_MODEL, **({"committee_missing": missing} if missing else {})}


def _registered(model: Model) -> bool:
    from nitrolyte.potentials import POTENTIALS

    return getattr(model, "name", None) in POTENTIALS
