"""Campaigns kept in the store, so the web app and the report show them beside the database.

``save`` writes one document per campaign (namespace ``discover``, key the run id): the manifest
and the ranked candidates with each one's evidence and its CIF text; ``campaigns`` reads them
back, newest first. Candidate structures are also stored as predicted library entries by the CLI
(``<formula> (discover)``), so ``show``, ``window``, ``transport`` and ``screen`` take them by name.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nitrolyte.discover.run import Discovery
    from nitrolyte.store.database import Database, DatabaseLike

NAMESPACE = "discover"
_INDEX = "_index"
#: evidence kept per candidate (besides its verdicts and CIF)
FIELDS = ("rank", "formula", "generator", "space", "key", "label", "model", "space_group", "n_atoms",
          "e_above_hull_meV_atom", "e_above_joint_hull_meV_atom", "spread_meV_atom", "per_model_meV_atom", "decomposes_to",
          "reduction_V", "oxidation_V", "li_verdict", "completeness", "air_reaction_meV_atom",
          "per_gas_meV_atom", "Ea_eV", "dimensionality", "quantity", "neb_Ea_eV", "neb_Ea_spread_eV", "pareto_rank", "on_front",
          "known_structures", "stored_as", "verdicts")


def _store(db: DatabaseLike | None) -> Database:
    from nitrolyte.api import database

    return database(db)


def save(result: Discovery, db: DatabaseLike | None = None) -> str:
    """Keep a campaign's manifest and candidates in the store; returns its run id."""
    store = _store(db)
    run = str(result.manifest["run_id"])
    rows = []
    for r in result.survivors:
        cif = Path(r["cif_path"]) if r.get("cif_path") else None
        rows.append({**{k: r.get(k) for k in FIELDS},
                     "cif": cif.read_text(encoding="utf-8") if cif is not None and cif.is_file() else None})
    store.cache_put(NAMESPACE, run, {"manifest": result.manifest, "candidates": rows})
    index = store.cache_get(NAMESPACE, _INDEX) or {"runs": []}
    store.cache_put(NAMESPACE, _INDEX, {"runs": [run, *[x for x in index["runs"] if x != run]]})
    return run


def campaigns(db: DatabaseLike | None = None) -> list[dict[str, Any]]:
    """Every saved campaign (``manifest``, ``candidates``), the last saved first."""
    store = _store(db)
    index = store.cache_get(NAMESPACE, _INDEX) or {"runs": []}
    docs = [store.cache_get(NAMESPACE, run) for run in index["runs"]]
    return [{"run_id": run, **doc} for run, doc in zip(index["runs"], docs, strict=True) if doc]


def candidate_cif(run_id: str, key: str, db: DatabaseLike | None = None) -> str | None:
    """The CIF text of one saved candidate (None when there is none)."""
    doc = _store(db).cache_get(NAMESPACE, run_id)
    for row in (doc or {}).get("candidates", []):
        if row.get("key") == key:
            return row.get("cif")
    return None
