"""The per-candidate stages of a discovery campaign after *generate* (:mod:`.candidates`).

Each stage maps one candidate (and the results of the stages before it) to one JSON-ready dict
with a ``status``: ``"ok"``, ``"skipped"`` (the candidate cannot be judged by this stage: a type
that holds no whole cell, a structure without Li; the ``reason`` says why) or ``"failed"`` (an
error, named). Nothing here writes files: :mod:`.run` caches each result and decides who goes on.

* ``relax``: the lowest ordered approximant in the candidate's structure type
  (:func:`nitrolyte.structures.predict.predict`, method ``type``) relaxed with the default model.
* ``stability``: energy above the hull of the known phases of its system (hidden formulas left
  out), with the default model's energy; the other committee models re-relax the structure and
  judge it against their own packaged tables, giving the spread.
* ``electrochemistry``: the thermodynamic window (V vs Li/Li+) with the candidate added to the
  ``auto`` source (experimental where tabulated, anchored ML elsewhere), and, when a partner is
  given, the most negative reaction energy of the interface.
* ``air``: reaction energies with H2O, O2 and CO2 (meV/atom).
* ``transport``: the BVSE percolation barrier of Li (a migration barrier, not a measured Ea).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from nitrolyte.errors import NitrolyteError

if TYPE_CHECKING:
    import pandas as pd
    from pymatgen.core import Structure

    from nitrolyte.discover.candidates import Candidate
    from nitrolyte.structures.predict.core import Prediction


@dataclass(frozen=True)
class Settings:
    """What a campaign is run with (recorded in the manifest; part of the run's identity).

    Attributes
    ----------
    max_atoms : int
        Largest formula unit and largest ordered cell (atoms).
    hull_meV_atom : float
        Candidates within this energy above the hull (default model) go on (meV/atom).
    seed : int
        Seed of the ordering sample when a supercell has more arrangements than are enumerated.
    n_candidates : int
        Orderings per candidate ranked by single-point energy (the best one is relaxed).
    committee : bool
        Judge survivors with every committee model (spread), not only the default.
    hide : tuple of str
        Reduced formulas left out of every hull (the back-test hides known phases).
    partner : str or None
        Cathode or catholyte of the interface check (``"LiCoO2"``), None for none.
    neb_top : int
        NEB barriers (vacancy hops, :mod:`nitrolyte.transport.neb`) for this many survivors with the
        lowest BVSE barrier (0: none; minutes to hours per structure on a CPU).
    neb_potential : str or None
        One potential for the NEB (None: every committee model, the spread).
    neb_images, neb_min_image_A : int, float
        NEB images per band and the least distance between vacancy images (Å).
    """

    max_atoms: int = 24
    hull_meV_atom: float = 25.0
    seed: int = 0
    n_candidates: int = 4
    committee: bool = True
    hide: tuple[str, ...] = ()
    partner: str | None = None
    neb_top: int = 0
    neb_potential: str | None = None
    neb_images: int = 5
    neb_min_image_A: float = 8.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {**asdict(self), "hide": list(self.hide)}


Stage = Callable[["Candidate", dict[str, Any], Settings], dict[str, Any]]
#: stage name -> function(candidate, earlier results by stage, settings) -> result
STAGES: dict[str, Stage] = {}


def register_stage(name: str) -> Callable[[Stage], Stage]:
    """Add a stage (run in registration order)."""
    def deco(fn: Stage) -> Stage:
        STAGES[name] = fn
        return fn
    return deco


def run_stage(name: str, cand: Candidate, earlier: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """One stage on one candidate: its result with ``wall_s``; a nitrolyte error is a ``skipped``
    result naming it, any other error a ``failed`` one (the campaign goes on)."""
    t0 = time.perf_counter()
    try:
        out = STAGES[name](cand, earlier, settings)
    except NitrolyteError as exc:
        out = {"status": "skipped", "reason": str(exc)}
    except Exception as exc:  # a candidate that breaks a model is reported, the others go on
        out = {"status": "failed", "reason": f"{type(exc).__name__}: {exc}"}
    out.setdefault("status", "ok")
    out["wall_s"] = round(time.perf_counter() - t0, 2)
    return out


def structure_of(result: dict[str, Any]) -> Structure:
    """The relaxed structure a ``relax`` result carries."""
    from pymatgen.core import Structure

    return Structure.from_dict(result["structure"])


def prediction_of(cand: Candidate, relax: dict[str, Any]) -> Prediction:
    """The ``relax`` result as a :class:`~nitrolyte.structures.predict.Prediction`."""
    from nitrolyte.structures.predict import Prediction

    return Prediction(cand.formula, f"discover {cand.generator}", relax["model"], structure_of(relax),
                      float(relax["energy_eV_atom"]), int(relax.get("trials", 0)),
                      int(relax.get("ensemble_size", 0)), date=relax.get("date", ""))


@register_stage("relax")
def relax_stage(cand: Candidate, earlier: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Predict the candidate's structure in its type with the default model."""
    from nitrolyte.discover.candidates import GENERATORS
    from nitrolyte.structures.predict import predict

    pred = predict(cand.formula, "type", type_name=GENERATORS[cand.generator], max_atoms=settings.max_atoms,
                   n_candidates=settings.n_candidates, n_relax=1, seed=settings.seed)
    symbol, number = pred.space_group()
    return {"model": pred.model, "energy_eV_atom": pred.energy_eV_atom, "n_atoms": len(pred.structure),
            "space_group": symbol, "space_group_number": number, "trials": pred.trials,
            "ensemble_size": pred.ensemble_size, "date": pred.date,
            "structure": pred.structure.as_dict()}


def library_table(potential: str | None, elements: frozenset[str], hide: tuple[str, ...]) -> pd.DataFrame:
    """One model's packaged library energies of a system, hidden formulas left out (nothing relaxed)."""
    from nitrolyte.stability.ml import ml_source
    from nitrolyte.structures.predict.outcome import reduced

    table = ml_source(potential=potential, compute=False).energies(elements)
    hidden = set(hide)
    return table[~table["formula"].map(reduced).isin(hidden)] if hidden else table


def _hull(pred: Prediction, potential: str | None, hide: tuple[str, ...]) -> dict[str, Any]:
    from nitrolyte.stability.predicted import hull

    elements = frozenset(str(el) for el in pred.structure.composition.elements)
    return hull(pred, library_table(potential, elements, hide), potential=potential)


@register_stage("stability")
def stability_stage(cand: Candidate, earlier: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Energy above the hull of the known phases, default model then (within the threshold) the
    other committee models, each against its own table."""
    from dataclasses import replace

    from nitrolyte.potentials import committee, get_potential

    pred = prediction_of(cand, earlier["relax"])
    default = get_potential().name
    first = _hull(pred, None, settings.hide)
    per = {default: first["e_above_hull_meV_atom"]}
    signed = {default: first["e_vs_competing_meV_atom"]}
    if settings.committee and first["e_above_hull_meV_atom"] <= settings.hull_meV_atom:
        for pot in committee():
            if pot.name == default or not pot.installed:
                continue
            energy, final, _ = pot.relax(pred.structure, fmax=0.05, steps=400)
            other = _hull(replace(pred, model=pot.version, structure=final, energy_eV_atom=energy),
                          pot.name, settings.hide)
            per[pot.name], signed[pot.name] = other["e_above_hull_meV_atom"], other["e_vs_competing_meV_atom"]
    values = list(per.values())
    return {"e_above_hull_meV_atom": first["e_above_hull_meV_atom"],
            "e_vs_competing_meV_atom": first["e_vs_competing_meV_atom"],
            "decomposes_to": first["decomposes_to"], "per_model_meV_atom": per,
            "per_model_signed_meV_atom": signed,
            "spread_meV_atom": round(max(values) - min(values), 1) if len(values) > 1 else None}


def listed(formula: str) -> list[str]:
    """Where a reduced formula is already listed: shipped library entries (measured or predicted)
    and the review's materials (``review: <material id>``); [] for a formula no database lists."""
    from nitrolyte.dataset import materials
    from nitrolyte.structures.library import library_entries
    from nitrolyte.structures.predict.outcome import reduced

    names = [e.name for e in library_entries() if reduced(e.formula) == formula]
    m = materials()
    ids = [f"review: {i}" for i, f in zip(m["material_id"], m["formula"], strict=True)
           if isinstance(f, str) and f and _same(f, formula)]
    return names + ids


def _same(text: str, formula: str) -> bool:
    from pymatgen.core import Composition

    try:
        return Composition(text).reduced_formula == formula
    except (ValueError, KeyError):
        return False


def candidate_source(cand: Candidate, relax: dict[str, Any], hide: tuple[str, ...]) -> Any:
    """The ``auto`` source (experimental + anchored ML, as ``nitrolyte window`` uses) with the
    candidate added as a phase of the default model."""
    from nitrolyte.stability.ml import HybridSource
    from nitrolyte.stability.predicted import with_prediction

    pred = prediction_of(cand, relax)
    elements = frozenset(str(el) for el in pred.structure.composition.elements)
    return HybridSource(ml=with_prediction(library_table(None, elements, hide), pred))


@register_stage("electrochemistry")
def electrochemistry_stage(cand: Candidate, earlier: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Window (V vs Li/Li+) and, with a partner, the interface reaction energy (meV/atom)."""
    from nitrolyte.stability.interface import interface_reaction
    from nitrolyte.stability.window import electrochemical_window

    src = candidate_source(cand, earlier["relax"], settings.hide)
    w = electrochemical_window(cand.formula, src, use_cache=False, committee=False)
    out: dict[str, Any] = {"reduction_V": _num(w.reduction_V), "oxidation_V": _num(w.oxidation_V),
                           "stable_against_li": w.stable_against_li, "li_verdict": w.li_verdict,
                           "completeness": w.completeness, "lacking": list(w.lacking),
                           "reduction_products": list(w.reduction_products),
                           "oxidation_products": list(w.oxidation_products)}
    if settings.partner:
        r = interface_reaction(cand.formula, settings.partner, src, use_cache=False, committee=False)
        out["partner"] = settings.partner
        out["interface_meV_atom"] = _num(1000.0 * r.min_energy_eV_atom) if r.computable else None
    return out


@register_stage("air")
def air_stage(cand: Candidate, earlier: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Reaction energies with H2O, O2 and CO2 (meV/atom; negative: reacts)."""
    from nitrolyte.stability.air import air_reactions

    src = candidate_source(cand, earlier["relax"], settings.hide)
    rx = air_reactions(cand.formula, src)
    per = {r.gas: _num(r.energy_meV_atom) for r in rx}
    known = [v for v in per.values() if v is not None]
    return {"per_gas_meV_atom": per, "air_reaction_meV_atom": min(known) if known else None}


@register_stage("transport")
def transport_stage(cand: Candidate, earlier: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """BVSE percolation barrier of Li (eV) and the network's dimensionality."""
    from nitrolyte.transport.bvse import METHOD, QUANTITY, bvse

    res = bvse(structure_of(earlier["relax"]))
    return {"Ea_eV": res.Ea_eV, "dimensionality": res.dimensionality, "method": METHOD, "quantity": QUANTITY,
            "barriers_eV": dict(res.barriers_eV)}


@register_stage("neb")
def neb_stage(cand: Candidate, earlier: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """NEB vacancy-hop barrier network of the relaxed structure (eV), committee spread."""
    import nitrolyte.simulate.potentials  # noqa: F401  (registers lj-toy, the plumbing potential)
    from nitrolyte.transport.neb import NebSettings, neb

    res = neb(structure_of(earlier["relax"]), settings.neb_potential, db=False,  # type: ignore[arg-type]
              settings=NebSettings(n_images=settings.neb_images, min_image_A=settings.neb_min_image_A))
    d = res.to_dict()
    return {"neb_Ea_eV": d["Ea_eV"], "neb_Ea_spread_eV": d["Ea_spread_eV"],
            "neb_dimensionality": d["dimensionality"], "neb_quantity": d["quantity"],
            "neb_supercell": d["supercell"], "neb_hops": len(d["hops"])}


def _num(x: float | None) -> float | None:
    """A finite float rounded for JSON, None for NaN/None (unknown, never 0)."""
    if x is None or not math.isfinite(float(x)):
        return None
    return round(float(x), 4)
