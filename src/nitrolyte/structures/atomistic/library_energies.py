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

    from nitrolyte.structures.atomistic.relax import Potential

COLUMNS = ("name", "formula", "kind", "ok", "failures", "energy_per_atom_eV", "n_atoms", "volume_ratio",
           "n_steps", "structure_hash", "entry_hash", "model_version", "source", "doi")


def relaxation_input(name: str) -> Structure:
    """The cell a library entry is relaxed in: its ordered structure reduced to a primitive cell."""
    from nitrolyte.structures.library import library_entry, library_structure

    struct = library_structure(name)
    if library_entry(name).kind == "molecule":
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


def default_potential() -> Potential:
    """The real model (CHGNet on the CPU)."""
    from nitrolyte.structures.atomistic.relax import CHGNetPotential

    return CHGNetPotential("cpu")


def _row(name: str, potential: Potential, db: Any) -> dict[str, Any]:
    from nitrolyte.structures.atomistic.relax import relaxed_energy
    from nitrolyte.structures.library import entry_hash, library_entry, library_structure
    from nitrolyte.structures.validate import validate_structure

    entry = library_entry(name)
    struct = relaxation_input(name)
    res = relaxed_energy(struct, potential, db=db, relax_cell=entry.kind != "molecule")
    ratio = None if entry.kind == "molecule" else res.volume_ratio
    check = validate_structure(entry, library_structure(name), ratio)
    ok, failures = check.ok, "; ".join(check.failures)
    if not ok and _element_reference_kept(entry.formula, check.checks):
        ok, failures = True, f"kept as element reference despite: {failures}"
    return {"name": entry.name, "formula": entry.formula, "kind": entry.kind, "ok": ok,
            "failures": failures, "energy_per_atom_eV": res.energy_per_atom_eV,
            "n_atoms": res.n_atoms, "volume_ratio": res.volume_ratio, "n_steps": res.n_steps,
            "structure_hash": res.structure_hash, "entry_hash": entry_hash(name),
            "model_version": res.model_version,
            "source": entry.source, "doi": entry.doi}


def library_energies(names: Iterable[str] | None = None, potential: Potential | None = None, *,
                     db: Any = None, progress: bool = False) -> pd.DataFrame:
    """Relaxed ML energy and validation of library entries.

    Parameters
    ----------
    names : iterable of str, optional
        Entry names (all entries by default).
    potential : Potential, optional
        The model; CHGNet on the CPU by default.
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
    pot = default_potential() if potential is None else potential
    if progress:
        from tqdm import tqdm

        todo = tqdm(todo, desc="ML relaxations", unit="structure")
    return pd.DataFrame([_row(n, pot, db) for n in todo], columns=list(COLUMNS))


def packaged_rows(names: Iterable[str], version: str) -> pd.DataFrame:
    """Rows of the packaged table still valid for ``names`` (same entry hash and model version)."""
    from nitrolyte.structures.atomistic.relax import packaged_table
    from nitrolyte.structures.library import entry_hash

    table = packaged_table()
    if table.empty or "entry_hash" not in table.columns:
        return table.iloc[0:0]
    want = {n: entry_hash(n) for n in names}
    keep = [bool(want.get(r["name"]) == r["entry_hash"] and r["model_version"] == version)
            for _, r in table.iterrows()]
    return table[keep]


def plan(potential: Potential | None = None, *, db: Any = None) -> tuple[pd.DataFrame, list[str]]:
    """(packaged rows still valid, names of the entries that need computing or the store's cache).

    Nothing is relaxed: this is what :func:`current_energies` would do, for cache keys.
    """
    from nitrolyte.structures.library import all_entries

    pot = default_potential() if potential is None else potential
    names = [e.name for e in all_entries(db or None)]
    have = packaged_rows(names, pot.version)
    return have, [n for n in names if n not in set(have["name"])]


def _within(name: str, elements: frozenset[str] | None) -> bool:
    """Whether a library entry's elements all lie in ``elements`` (None: every entry)."""
    if elements is None:
        return True
    from pymatgen.core import Composition

    from nitrolyte.structures.library import library_entry

    try:
        return {str(el) for el in Composition(library_entry(name).formula).elements} <= elements
    except (ValueError, KeyError):
        return True


def current_energies(potential: Potential | None = None, *, db: Any = None,
                     progress: bool = True, elements: frozenset[str] | None = None) -> pd.DataFrame:
    """The ML energy table of the library: packaged rows where still valid, the rest computed.

    The packaged rows are used without rebuilding their structures (their entry hash and model
    version match); entries that changed or are new are relaxed (or read from the store's cache).
    With ``elements``, only the entries of that chemical system are computed (a question about
    Li-N never relaxes a user's sulfide); the packaged rows are all returned.
    """
    import pandas as pd

    pot = default_potential() if potential is None else potential
    have, todo = plan(pot, db=db)
    todo = [n for n in todo if _within(n, elements)]
    if not todo:
        return have.reset_index(drop=True)
    fresh = library_energies(todo, pot, db=db, progress=progress)
    return pd.concat([have, fresh], ignore_index=True)[list(COLUMNS)]
