"""Relax structures with an ML potential and cache the energies, keyed by structure and model.

A :class:`Relaxer` (a registered :class:`nitrolyte.potentials.Potential`, or one bound to a device,
:class:`BoundPotential`) relaxes a structure; tests pass a fake with the same two members. :func:`relaxed_energy`
looks a result up before computing it, in this order:

1. this process's memory;
2. the packaged table ``data/ml_energies.csv`` (written by ``scripts/compute_ml_energies.py`` from
   the real models, one row per entry and model; used only when structure hash and model version
   both match);
3. the store's computed-results cache (``db.cache_get("ml_relax", key)``);

and otherwise relaxes and writes the result (with the relaxed structure) to the store, so a second
run recomputes nothing. The key is ``"<structure sha256>:<model version>"``.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import asdict, dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    import pandas as pd
    from pymatgen.core import Structure

    from nitrolyte.store.database import Database, DatabaseLike

NAMESPACE = "ml_relax"
PACKAGED_TABLE = "ml_energies.csv"
_MEMORY: dict[str, RelaxResult] = {}


@dataclass(frozen=True)
class RelaxResult:
    """A relaxed structure's energy.

    Attributes
    ----------
    energy_per_atom_eV : float
        Potential energy of the relaxed cell per atom (eV/atom, the model's own scale).
    n_atoms : int
        Atoms in the relaxed cell.
    formula : str
        Reduced formula.
    volume_ratio : float
        :math:`V_\\mathrm{relaxed}/V_0`.
    n_steps : int
        Optimiser steps taken (0 when read from a cache that did not record it).
    model_version : str
        The potential that produced it.
    structure_hash : str
        SHA-256 of the input structure (see :func:`structure_hash`).
    """

    energy_per_atom_eV: float
    n_atoms: int
    formula: str
    volume_ratio: float
    n_steps: int
    model_version: str
    structure_hash: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


@runtime_checkable
class Relaxer(Protocol):
    """What :func:`relaxed_energy` needs: a version (the cache key) and ``relax``.

    A registered :class:`nitrolyte.potentials.Potential` is one (CPU, default settings); so is a
    :class:`BoundPotential` (device and optimiser settings chosen); tests pass fakes.
    """

    version: str

    def relax(self, structure: Structure, *, relax_cell: bool = True) -> tuple[float, Structure, int]:
        """Relax; return (energy per atom in eV, relaxed structure, steps taken)."""
        ...


#: the former name of :class:`Relaxer`, kept for code written against it
Potential = Relaxer


class BoundPotential:
    """A registered potential on a device with optimiser settings (FIRE, cell and positions).

    Parameters
    ----------
    potential : str or nitrolyte.potentials.Potential, optional
        A name in :data:`nitrolyte.potentials.POTENTIALS` (the default model when None).
    device : {"auto", "cpu", "cuda"}
        Where the model runs.
    fmax : float
        Force convergence criterion (eV/Å).
    steps : int
        Maximum optimiser steps.
    """

    def __init__(self, potential: Any = None, device: str = "cpu", fmax: float = 0.05, steps: int = 400):
        from nitrolyte.potentials import get_potential, resolve_device

        self.potential = get_potential(potential)
        self.name = self.potential.name
        self.device = resolve_device(device)
        self.fmax = float(fmax)
        self.steps = int(steps)
        self.version = self.potential.version

    def relax(self, structure: Structure, *, relax_cell: bool = True) -> tuple[float, Structure, int]:
        """Relax ``structure``; returns (eV/atom, relaxed structure, steps)."""
        return self.potential.relax(structure, relax_cell=relax_cell, device=self.device,
                                    fmax=self.fmax, steps=self.steps)


class CHGNetPotential(BoundPotential):
    """CHGNet relaxation (its own FIRE ``StructOptimizer``) on the offline pretrained model."""

    def __init__(self, device: str = "cpu", fmax: float = 0.05, steps: int = 400):
        super().__init__("chgnet", device, fmax, steps)


def as_relaxer(potential: Any = None) -> Relaxer:
    """A name (or None: the default model), a registered potential or a relaxer -> a relaxer."""
    if potential is None or isinstance(potential, str):
        return BoundPotential(potential)
    return potential  # a registered Potential or any object with version and relax()


def structure_hash(structure: Structure) -> str:
    """SHA-256 of a structure: lattice (1e-4 Å) and sorted species with fractional coordinates (1e-4)."""
    lattice = [round(float(x), 4) for x in structure.lattice.matrix.flatten()]
    sites = sorted((site.species_string, *(round(float(x) % 1.0, 4) % 1.0 for x in site.frac_coords))
                   for site in structure)
    return hashlib.sha256(json.dumps([lattice, sites]).encode()).hexdigest()


@functools.cache
def packaged_table() -> pd.DataFrame:
    """The precomputed ML energies shipped with the package (empty frame if absent)."""
    import pandas as pd

    path = resources.files("nitrolyte.data").joinpath(PACKAGED_TABLE)
    if not path.is_file():
        return pd.DataFrame(columns=["name", "structure_hash", "model_version"])
    with path.open("rb") as fh:
        return pd.read_csv(fh)


def _from_packaged(key_hash: str, version: str) -> RelaxResult | None:
    table = packaged_table()
    hit = table[(table["structure_hash"] == key_hash) & (table["model_version"] == version)]
    if hit.empty:
        return None
    row = hit.iloc[0]
    return RelaxResult(float(row["energy_per_atom_eV"]), int(row["n_atoms"]), str(row["formula"]),
                       float(row["volume_ratio"]), int(row["n_steps"]), version, key_hash)


def relaxed_energy(structure: Structure, potential: Any = None, *,
                   db: DatabaseLike | Literal[False] | None = None,
                   relax_cell: bool = True, use_packaged: bool = True) -> RelaxResult:
    """The relaxed energy of a structure, from a cache or computed (and then cached).

    Parameters
    ----------
    structure : pymatgen.core.Structure
        An ordered structure.
    potential : str, nitrolyte.potentials.Potential or Relaxer, optional
        The model: a registered name (``"chgnet"``, ``"sevennet"``; the default model when None),
        a registered potential, a :class:`BoundPotential` or a fake with ``version`` and ``relax``.
    db : nitrolyte.store.Database, optional
        Store whose computed-results cache is read and written; the default database if None,
        ``False`` for no store at all.
    relax_cell : bool
        Relax the cell as well as the positions (False for a molecule in a box).
    use_packaged : bool
        Accept the packaged precomputed table.
    """
    potential = as_relaxer(potential)
    key_hash = structure_hash(structure)
    key = f"{key_hash}:{potential.version}"
    if key in _MEMORY:
        return _MEMORY[key]
    result = _from_packaged(key_hash, potential.version) if use_packaged else None
    store = _store(db)
    if result is None and store is not None:
        cached = store.cache_get(NAMESPACE, key)
        if cached is not None:
            result = RelaxResult(**cached["result"])
    if result is None:
        energy, final, steps = potential.relax(structure, relax_cell=relax_cell)
        result = RelaxResult(energy, len(final), final.composition.reduced_formula,
                             float(final.volume / structure.volume), steps, potential.version, key_hash)
        if store is not None:
            store.cache_put(NAMESPACE, key, {"result": result.to_dict(), "structure": final.as_dict()})
    _MEMORY[key] = result
    return result


def _store(db: DatabaseLike | Literal[False] | None) -> Database | None:
    """The store of ``db`` (a URL or path opened once per process), None for ``False``."""
    if db is False:
        return None
    from nitrolyte.api import database

    return database(db)


def clear_memory() -> None:
    """Forget results held in this process (the store and packaged table are untouched)."""
    _MEMORY.clear()
