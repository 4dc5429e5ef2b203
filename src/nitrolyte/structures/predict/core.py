"""The prediction registry and the :class:`Prediction` result (re-exported by the package)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nitrolyte.errors import InputError

if TYPE_CHECKING:
    from pymatgen.core import Structure

    from nitrolyte.structures.predict.model import Model


@dataclass
class Prediction:
    """The best structure a method found for a formula (energies in eV/atom of ``model``).

    Attributes
    ----------
    formula : str
        Reduced formula.
    method : str
        ``"type antifluorite"``, ``"search"``, ...
    model : str
        The potential's version string.
    structure : pymatgen.core.Structure
        The relaxed best structure.
    energy_eV_atom : float
        Its relaxed potential energy (eV/atom, the model's own scale).
    trials : int
        Candidates the method generated (orderings scored, random structures relaxed).
    ensemble_size : int
        Distinct candidates the model ranked (after duplicates were merged).
    details : dict
        Method-specific counts (supercells, exhaustive, cached trials, ...).
    wall_s : float
        Wall time of the prediction (s).
    """

    formula: str
    method: str
    model: str
    structure: Structure
    energy_eV_atom: float
    trials: int
    ensemble_size: int
    details: dict[str, Any] = field(default_factory=dict)
    wall_s: float = float("nan")
    date: str = field(default_factory=lambda: _dt.date.today().isoformat())

    def space_group(self) -> tuple[str, int]:
        """Space group (symbol, number) of the structure (spglib, symprec 0.1 Å)."""
        import warnings

        from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sga = SpacegroupAnalyzer(self.structure, symprec=0.1)
            return sga.get_space_group_symbol(), int(sga.get_space_group_number())

    def label(self) -> dict[str, Any]:
        """What the stored structure carries: method, model, trials, date."""
        return {"method": self.method, "model": self.model, "trials": self.trials, "date": self.date}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (without the structure)."""
        symbol, number = self.space_group()
        return {"formula": self.formula, "method": self.method, "model": self.model,
                "space_group": symbol, "space_group_number": number, "n_atoms": len(self.structure),
                "energy_eV_atom": self.energy_eV_atom, "trials": self.trials,
                "ensemble_size": self.ensemble_size, "date": self.date, "wall_s": self.wall_s,
                **self.details}


Method = Callable[..., Prediction]
#: prediction methods: name -> function (formula, model, **options) -> Prediction
METHODS: dict[str, Method] = {}


def register_method(name: str) -> Callable[[Method], Method]:
    """Register a prediction method under ``name``."""
    def deco(fn: Method) -> Method:
        METHODS[name] = fn
        return fn
    return deco


def matcher() -> Any:
    """The one StructureMatcher of prediction: merging duplicates of a search and matching a
    prediction with a known structure use the same tolerances."""
    from pymatgen.analysis.structure_matcher import StructureMatcher

    return StructureMatcher(ltol=0.3, stol=0.4, angle_tol=8, primitive_cell=True, scale=True)


def predict(formula: str, method: str, *, model: Model | None = None, **options: Any) -> Prediction:
    """Predict the structure of ``formula`` with a registered method.

    Parameters
    ----------
    formula : str
        The compound (``"Li9N2Cl3"``).
    method : str
        A name of :data:`METHODS` (``"type"``, ``"search"``).
    model : Model, optional
        The potential (:func:`.model.default_model`, CHGNet on the CPU, by default).
    **options
        The method's options (``type_name``, ``n_trials``, ``seed``, ``max_atoms``, ...).
    """
    import time

    if method not in METHODS:
        raise InputError(f"method must be one of {', '.join(sorted(METHODS))}; got {method!r}")
    if model is None:
        from nitrolyte.structures.predict.model import default_model

        model = default_model()
    t0 = time.perf_counter()
    result = METHODS[method](formula, model, **options)
    result.structure = result.structure.get_reduced_structure()  # Niggli cell: readable CIFs
    result.wall_s = round(time.perf_counter() - t0, 1)
    return result


def reduced_formula(formula: str) -> str:
    """The reduced formula of a user's formula (parsed strictly first)."""
    from pymatgen.core import Composition

    from nitrolyte.formula import parse_formula

    return Composition(parse_formula(formula)).reduced_formula


__all__ = ["METHODS", "Prediction", "predict", "reduced_formula", "register_method"]
