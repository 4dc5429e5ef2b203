"""ML energies of the whole structure library, each entry validated (relaxation check included).

:func:`library_energies` relaxes every library entry (or reads it from a cache, see
:mod:`nitrolyte.structures.atomistic.relax`) and returns one row per entry with its energy and the
outcome of the four validation checks. Entries that fail any check carry ``ok = False`` and are
left out of every phase diagram by :class:`nitrolyte.stability.ml.MLSource`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from pymatgen.core import Structure

    from nitrolyte.store.database import DatabaseLike
    from nitrolyte.structures.atomistic.relax import Relaxer

COLUMNS = ("name", "formula", "kind", "ok", "failures", "energy_per_atom_eV", "n_atoms", "volume_ratio",
           "n_steps", "structure_hash", "entry_hash", "model_version", "source", "doi")


def relaxation_input(name: str, db: DatabaseLike | None = None) -> Structure:
    """The cell a library entry is relaxed in: its ordered structure reduced to a primitive cell
    (a user's entry looked up in ``db``)."""
    from nitrolyte.structures.library import library_entry, library_structure

    struct = library_structure(name, db)
    if library_entry(name, db).kind == "molecule":
        return struct
    return struct.get_primitive_structure(tolerance=0.05)


def _element_reference_kept(formula: str, checks: dict[str, tuple[bool, str]]) -> bool:
    """An element failing only the relaxation check stays in as the element's reference.

    A phase diagram needs every element; GGA-trained potentials miss the volume of Li, Ge, In and
    layered P by 6-8 % (thermal expansion and van der Waals), which flags them, but there is no
    other reference to use. The flag stays in the ``failures`` column.
    """
    from pymatgen.core import Composition

    return Composition(formula).is_element and all(ok for k, (ok, _) in checks.items() if k != "relaxation")


def default_potential(name: str | None = None) -> Relaxer:
    """A registered model on the CPU (the default model, CHGNet, when ``name`` is None)."""
    from nitrolyte.structures.atomistic.relax import BoundPotential

    return BoundPotential(name, "cpu")


def _uncomputed_row(name: str, potential: Relaxer, why: str, db: DatabaseLike | None = None
                    ) -> dict[str, Any]:
    """A row for an entry whose energy cannot be computed here (the model is not installed)."""
    from nitrolyte.structures.library import entry_hash, library_entry

    entry = library_entry(name, db)
    return {"name": entry.name, "formula": entry.formula, "kind": entry.kind, "ok": False,
            "failures": why, "energy_per_atom_eV": float("nan"), "n_atoms": 0,
            "volume_ratio": float("nan"), "n_steps": 0, "structure_hash": "",
            "entry_hash": entry_hash(name, db), "model_version": potential.version,
            "source": entry.source, "doi": entry.doi}


def _row(name: str, potential: Relaxer, db: DatabaseLike | None) -> dict[str, Any]:
    from nitrolyte.errors import EnergyNotComputedError
    from nitrolyte.structures.atomistic.relax import relaxed_energy
    from nitrolyte.structures.library import entry_hash, library_entry, library_structure
    from nitrolyte.structures.validate import validate_structure

    entries = db or None  # False (no results cache) still reads the default database's entries
    entry = library_entry(name, entries)
    struct = relaxation_input(name, entries)
    try:
        res = relaxed_energy(struct, potential, db=db, relax_cell=entry.kind != "molecule")
    except EnergyNotComputedError as exc:  # nothing cached: say what computing it needs
        return _uncomputed_row(name, potential, f"ML energy not computed: {exc}",  # see stability.ml
                               entries)
    ratio = None if entry.kind == "molecule" else res.volume_ratio
    check = validate_structure(entry, library_structure(name, entries), ratio)
    ok, failures = check.ok, "; ".join(check.failures)
    if not ok and _element_reference_kept(entry.formula, check.checks):
        ok, failures = True, f"kept as element reference despite: {failures}"
    return {"name": entry.name, "formula": entry.formula, "kind": entry.kind, "ok": ok,
            "failures": failures, "energy_per_atom_eV": res.energy_per_atom_eV,
            "n_atoms": res.n_atoms, "volume_ratio": res.volume_ratio, "n_steps": res.n_steps,
            "structure_hash": res.structure_hash, "entry_hash": entry_hash(name, entries),
            "model_version": res.model_version,
            "source": entry.source, "doi": entry.doi}


def library_energies(names: Iterable[str] | None = None, potential: Relaxer | str | None = None, *,
                     db: DatabaseLike | None = None, progress: bool = False) -> pd.DataFrame:
    """Relaxed ML energy and validation of library entries.

    Parameters
    ----------
    names : iterable of str, optional
        Entry names (all entries by default).
    potential : str or Relaxer, optional
        A registered name (``"chgnet"``, ``"sevennet"``) or a relaxer; the default model on the CPU
        when None.
    db : nitrolyte.store.Database or False, optional
        Store for the computed-results cache (default database if None; False: none).
    progress : bool
        Show a progress bar (tqdm) on stderr.

    Returns
    -------
    pandas.DataFrame
        One row per entry: ``name, formula, kind, ok, failures, energy_per_atom_eV`` (eV/atom),
        ``n_atoms, volume_ratio, n_steps, structure_hash, model_version, source, doi``.
    """
    import pandas as pd

    from nitrolyte.structures.library import all_entries

    todo = [e.name for e in all_entries(db or None)] if names is None else list(names)
    pot = _relaxer(potential)
    if progress:
        from tqdm import tqdm

        todo = tqdm(todo, desc="ML relaxations", unit="structure")
    return pd.DataFrame([_row(n, pot, db) for n in todo], columns=list(COLUMNS))


def packaged_rows(names: Iterable[str], version: str, db: DatabaseLike | None = None
                  ) -> pd.DataFrame:
    """Rows of the packaged table still valid for ``names`` (same entry hash and model version;
    a user's entry looked up in ``db``)."""
    from nitrolyte.structures.atomistic.relax import packaged_table
    from nitrolyte.structures.library import entry_hash

    table = packaged_table()
    if table.empty or "entry_hash" not in table.columns:
        return table.iloc[0:0]
    want = {n: entry_hash(n, db) for n in names}
    keep = [bool(want.get(r["name"]) == r["entry_hash"] and r["model_version"] == version)
            for _, r in table.iterrows()]
    return table[keep]


def _relaxer(potential: Relaxer | str | None) -> Relaxer:
    return default_potential(potential) if potential is None or isinstance(potential, str) else potential


class _CachedOnly:
    """A relaxer that computes nothing: only packaged and cached energies of its model are used."""

    def __init__(self, potential: Relaxer):
        self.version = potential.version
        self.name = getattr(potential, "name", self.version)

    def relax(self, structure: Any, *, relax_cell: bool = True) -> Any:
        from nitrolyte.errors import EnergyNotComputedError

        raise EnergyNotComputedError(
            f"{structure.composition.reduced_formula} has no packaged or cached energy of {self.version}; "
            f"compute it with 'python scripts/compute_ml_energies.py --potential {self.name} --missing'")


def plan(potential: Relaxer | str | None = None, *, db: DatabaseLike | None = None) -> tuple[pd.DataFrame, list[str]]:
    """(packaged rows still valid, names of the entries that need computing or the store's cache).

    Nothing is relaxed: this is what :func:`current_energies` would do, for cache keys.
    """
    from nitrolyte.structures.library import all_entries

    pot = _relaxer(potential)
    names = [e.name for e in all_entries(db or None)]
    have = packaged_rows(names, pot.version, db or None)
    return have, [n for n in names if n not in set(have["name"])]


def _within(name: str, elements: frozenset[str] | None, db: DatabaseLike | None = None) -> bool:
    """Whether a library entry's elements all lie in ``elements`` (None: every entry)."""
    if elements is None:
        return True
    from pymatgen.core import Composition

    from nitrolyte.structures.library import library_entry

    try:
        return {str(el) for el in Composition(library_entry(name, db).formula).elements} <= elements
    except (ValueError, KeyError):
        return True


def current_energies(potential: Relaxer | str | None = None, *, db: DatabaseLike | None = None,
                     progress: bool = True, compute: bool = True,
                     elements: frozenset[str] | None = None) -> pd.DataFrame:
    """The ML energy table of the library: packaged rows where still valid, the rest computed.

    The packaged rows are used without rebuilding their structures (their entry hash and model
    version match); entries that changed or are new are relaxed (or read from the store's cache).
    With ``elements``, only the entries of that chemical system are computed (a question about
    Li-N never relaxes a user's sulfide); the packaged rows are all returned. Without the model
    installed, or with ``compute=False`` (a committee member: reading, never relaxing the
    library), such entries get a row with ``ok = False`` whose ``failures`` says what computing it
    needs.
    """
    import pandas as pd

    pot = _relaxer(potential)
    have, todo = plan(pot, db=db)
    todo = [n for n in todo if _within(n, elements, db or None)]
    if not todo:
        return have.reset_index(drop=True)
    fresh = library_energies(todo, pot if compute else _CachedOnly(pot), db=db,
                             progress=progress and compute)
    return pd.concat([have, fresh], ignore_index=True)[list(COLUMNS)]
