"""What a prediction is worth: energy above the hull, the known structure it matches, the stored entry.

The hull is the ``ml`` source's (the library's relaxed ML energies under the anchored scheme), with
the prediction added as one more phase of the same model. ``exclude_known`` hides the library's
structures of the predicted formula from the hull (blind prediction); they are still compared with
the prediction afterwards (``known_match``, ``dE_vs_known_meV_atom``).
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from pymatgen.core import Structure

    from nitrolyte.structures.predict import Prediction
    from nitrolyte.structures.predict.model import Model


class _AsPotential:
    """The relaxation contract of :mod:`nitrolyte.structures.atomistic.relax` over a :class:`Model`."""

    def __init__(self, model: Model):
        self.model = model
        self.version = model.version

    def relax(self, structure: Structure, *, relax_cell: bool = True) -> tuple[float, Structure, int]:
        from nitrolyte.structures.predict.model import FINE

        return self.model.relax(structure, fmax=FINE[0], steps=FINE[1], relax_cell=relax_cell)


def stored_name(formula: str) -> str:
    """Name a prediction is stored under: ``"Li9N2Cl3 (predicted)"``."""
    return f"{formula} (predicted)"


def library_table(model: Model, db: Any = None) -> pd.DataFrame:
    """The library's ML energies of ``model`` (packaged where valid, the rest relaxed and cached)."""
    from nitrolyte.structures.atomistic.library_energies import current_energies

    return current_energies(_AsPotential(model), db=db, progress=False)


def _reduced(formula: str) -> str:
    from pymatgen.core import Composition

    return Composition(formula).reduced_formula


def hull(pred: Prediction, table: pd.DataFrame, *, exclude_known: bool = False) -> dict[str, Any]:
    """Energy of the prediction against the hull of its competing phases (meV/atom, same model).

    Returns ``e_above_hull_meV_atom`` (>= 0), ``e_vs_competing_meV_atom`` (signed: negative means
    below the hull of the other phases, i.e. stable), ``decomposes_to`` (the competing phases it
    would split into when above) and ``hidden_known`` (library entries left out).
    """
    import pandas as pd
    from pymatgen.analysis.phase_diagram import PhaseDiagram

    from nitrolyte.stability.ml import MLSource

    name = stored_name(pred.formula)
    same = table["formula"].map(_reduced) == pred.formula
    hidden = sorted(table.loc[same & (table["kind"] != "predicted"), "name"]) if exclude_known else []
    keep = ~(table["name"] == name) & ~(same if exclude_known else False)
    row = {"name": name, "formula": pred.formula, "kind": "predicted", "ok": True, "failures": "",
           "energy_per_atom_eV": pred.energy_eV_atom, "n_atoms": len(pred.structure), "volume_ratio": math.nan,
           "n_steps": 0, "structure_hash": "", "entry_hash": "", "model_version": pred.model,
           "source": pred.method, "doi": ""}
    source = MLSource(energies=pd.concat([table[keep], pd.DataFrame([row])], ignore_index=True))
    elements = frozenset(str(el) for el in pred.structure.composition.elements)
    entries = source.entries(elements)
    mine = next(e for e in entries if isinstance(e.attribute, dict) and e.attribute.get("structure") == name)
    others = PhaseDiagram([e for e in entries if e is not mine])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        decomp, e_vs = others.get_decomp_and_e_above_hull(mine, allow_negative=True)
    e_vs = float(e_vs) * 1000.0
    return {"e_above_hull_meV_atom": round(max(e_vs, 0.0), 1), "e_vs_competing_meV_atom": round(e_vs, 1),
            "decomposes_to": sorted(e.name for e in decomp) if e_vs > 0 else [],
            "hull_model": pred.model, "hidden_known": hidden}


def known_match(pred: Prediction, table: pd.DataFrame) -> dict[str, Any]:
    """The shipped (not predicted) library structure of the formula the prediction matches
    (StructureMatcher), if any, and the prediction's energy minus the known structure's (meV/atom,
    same model)."""
    from pymatgen.analysis.structure_matcher import StructureMatcher

    from nitrolyte.structures.library import library_entries, library_structure

    matcher = StructureMatcher(ltol=0.3, stol=0.4, angle_tol=8, primitive_cell=True, scale=True)
    known = [e for e in library_entries() if _reduced(e.formula) == pred.formula and e.kind != "predicted"]
    out: dict[str, Any] = {"known": [e.name for e in known], "known_match": None, "dE_vs_known_meV_atom": None}
    energies = dict(zip(table["name"], table["energy_per_atom_eV"], strict=True))
    best = None
    for entry in known:
        if entry.name in energies:
            de = 1000.0 * (pred.energy_eV_atom - float(energies[entry.name]))
            best = de if best is None else min(best, de)
        if out["known_match"] is None and matcher.fit(library_structure(entry.name), pred.structure):
            out["known_match"] = entry.name
    out["dE_vs_known_meV_atom"] = None if best is None else round(best, 1)
    return out


def write_cif(pred: Prediction, path: str | Path | None = None) -> Path:
    """Write the predicted structure as a CIF (default ``<cache dir>/predicted/<formula>-<method>.cif``)."""
    from nitrolyte.data.cache import cache_dir

    if path is None:
        folder = (cache_dir() or Path.cwd()) / "predicted"
        path = folder / f"{pred.formula}-{pred.method.replace(' ', '-')}.cif"
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    pred.structure.to(filename=str(out), fmt="cif")
    return out


def store(pred: Prediction, *, db: Any = None, name: str | None = None) -> str:
    """Store the prediction as a library entry labelled *predicted*; returns its name."""
    from nitrolyte.structures.library import add_predicted_structure

    entry = add_predicted_structure(name or stored_name(pred.formula), pred.structure, pred.label(), db=db)
    return entry.name
