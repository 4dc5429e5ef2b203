"""What a prediction is worth: the known structure it matches, the library table it is judged
against, the stored entry (its energy above the hull is
:func:`nitrolyte.stability.predicted.hull`, one layer up).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from pymatgen.core import Structure

    from nitrolyte.store.database import DatabaseLike
    from nitrolyte.structures.predict.core import Prediction
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


def library_table(model: Model, db: DatabaseLike | None = None, *, compute: bool = True) -> pd.DataFrame:
    """The library's ML energies of ``model`` (packaged where valid, the rest relaxed and cached;
    ``compute=False``: packaged and cached only, the rest marked not computed)."""
    from nitrolyte.structures.atomistic.library_energies import current_energies

    return current_energies(_AsPotential(model), db=db, progress=False, compute=compute)


def relaxed(pred: Prediction, model: Model, db: DatabaseLike | None = None) -> float:
    """The prediction's structure re-relaxed (fine) with another ``model``: eV/atom, cached by
    structure hash and model version (:func:`nitrolyte.structures.atomistic.relax.relaxed_energy`)."""
    from nitrolyte.structures.atomistic.relax import relaxed_energy

    return float(relaxed_energy(pred.structure, _AsPotential(model), db=db).energy_per_atom_eV)


def reduced(formula: str) -> str:
    """Reduced formula (pymatgen)."""
    from pymatgen.core import Composition

    return Composition(formula).reduced_formula


def known_match(pred: Prediction, table: pd.DataFrame) -> dict[str, Any]:
    """The shipped (not predicted) library structure of the formula the prediction matches
    (StructureMatcher), if any, and the prediction's energy minus the known structure's (meV/atom,
    same model)."""
    from nitrolyte.structures.library import library_entries, library_structure
    from nitrolyte.structures.predict.core import matcher as same_structure

    matcher = same_structure()
    known = [e for e in library_entries() if reduced(e.formula) == pred.formula and e.kind != "predicted"]
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


def store(pred: Prediction, *, db: DatabaseLike | None = None, name: str | None = None) -> str:
    """Store the prediction as a library entry labelled *predicted*; returns its name."""
    from nitrolyte.structures.library import add_predicted_structure

    entry = add_predicted_structure(name or stored_name(pred.formula), pred.structure, pred.label(), db=db)
    return entry.name
