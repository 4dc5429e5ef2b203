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
    from nitrolyte.structures.predict.core import Prediction


def hull(pred: Prediction, table: pd.DataFrame, *, exclude_known: bool = False) -> dict[str, Any]:
    """Energy of the prediction against the hull of its competing phases (meV/atom, same model).

    Returns ``e_above_hull_meV_atom`` (>= 0), ``e_vs_competing_meV_atom`` (signed: negative means
    below the hull of the other phases, i.e. stable), ``decomposes_to`` (the competing phases it
    would split into when above) and ``hidden_known`` (library entries left out).
    """
    from pymatgen.analysis.phase_diagram import PhaseDiagram

    name = stored_name(pred.formula)
    same = table["formula"].map(reduced) == pred.formula
    hidden = sorted(table.loc[same & (table["kind"] != "predicted"), "name"]) if exclude_known else []
    source = with_prediction(table[~same] if exclude_known else table, pred)
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


def joint_hull(preds: list[Prediction], table: pd.DataFrame) -> list[float]:
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
    source = MLSource(energies=pd.concat([table, pd.DataFrame(rows)], ignore_index=True))
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


def with_prediction(table: pd.DataFrame, pred: Prediction) -> MLSource:
    """The ``ml`` source of ``table`` (one model's library energies) with the prediction added as
    one more phase, named :func:`~nitrolyte.structures.predict.outcome.stored_name` (a stored entry
    of that name in ``table`` is replaced)."""
    import pandas as pd

    from nitrolyte.stability.ml import MLSource

    name = stored_name(pred.formula)
    return MLSource(energies=pd.concat([table[table["name"] != name], pd.DataFrame([_row(name, pred)])],
                                       ignore_index=True))
