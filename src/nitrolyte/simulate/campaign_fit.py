"""Campaign tasks -> Arrhenius fits: one per (material, vacancy fraction, potential + version).

Each campaign task stores one temperature (one σ point) as its own MD measurement set. When every
task of a group is stored, the group's points are fitted with the same code as ``nitrolyte md``
(:func:`nitrolyte.simulate.pipeline.fit_runs`: Ea ± s.e., σ at 25 °C with its 95 % interval) and
the fit is stored once, as a fit-only MD measurement set under the same material (its points are
already the tasks' rows, so nothing is counted twice). ``method_details`` names the task ids and
set ids it combines and an ``arrhenius_key`` (hash of the task ids) so it is never stored twice.
A group still missing tasks gets a provisional fit that is reported, not stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nitrolyte.store.database import Database, DatabaseLike


def group_key(task: dict[str, Any]) -> tuple[str, float, str, str]:
    """(material, vacancies, potential, model version): the tasks one Arrhenius fit combines."""
    return (task["material"], float(task["vacancies"]), task["potential"], task["model_version"])


def _details(row: Any) -> dict[str, Any]:
    d = row.method_details
    return json.loads(d) if isinstance(d, str) else dict(d or {})


def task_sets(database: Database) -> dict[str, dict[str, Any]]:
    """task_id -> ``{"set_id", "n_points", "reason"}`` of the campaign task sets stored.

    A task whose run never reached the diffusive regime is stored as a set with no point
    (``n_points`` 0) whose ``method_details["not_diffusive"]`` gives the ``reason``; an
    answered task has its σ point and ``reason`` None.
    """
    from nitrolyte.provenance import unknown_reasons

    out = {}
    for row in database.measurement_sets().itertuples(index=False):
        d = _details(row) if row.method == "MD" else {}
        if "task_id" in d:
            reasons = unknown_reasons(d) if int(row.n_points) == 0 else []
            out[d["task_id"]] = {"set_id": int(row.set_id), "n_points": int(row.n_points),
                                 "reason": "; ".join(reasons) or None}
    return out


def _md_sets(database: Database) -> tuple[dict[str, int], dict[str, int]]:
    """(task_id -> set_id of the answered tasks, arrhenius_key -> set_id) in the database."""
    tasks = {k: v["set_id"] for k, v in task_sets(database).items() if v["n_points"] > 0}
    fits = {}
    for row in database.measurement_sets().itertuples(index=False):
        d = _details(row) if row.method == "MD" else {}
        if "arrhenius_key" in d:
            fits[d["arrhenius_key"]] = int(row.set_id)
    return tasks, fits


def _points(database: Database, set_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The σ points of the tasks' sets as ``fit_runs`` input (missing stderr -> 0)."""
    runs = []
    for sid in set_ids:
        for p in database.measurement_set(sid)["points"].itertuples(index=False):
            err = p.sigma_stderr_S_cm
            runs.append({"T_K": float(p.T_K), "sigma_S_cm": float(p.sigma_S_cm),
                         "sigma_S_cm_stderr": 0.0 if err is None or err != err else float(err)})
    return runs


def _store_fit(database: Database, material: str, fit: dict[str, Any], details: dict[str, Any]
               ) -> int:
    from nitrolyte.simulate.pipeline import material_name

    res = database.add_measurement_set(
        material_name(material, details["vacancies"]), points=[], fit=fit, method="MD",
        method_details=details,
        note="simulation: Arrhenius fit across the campaign's MD temperatures (points in the "
             "task sets)")
    return int(res.set_id)


#: cache namespace where older versions kept the tasks whose answer is "unknown" (still read)
UNKNOWN_NAMESPACE = "md-campaign-unknown"


def unknown_task_ids(tasks: list[dict[str, Any]], db: DatabaseLike | None = None) -> dict[str, str]:
    """task_id -> reason of the tasks that finished without reaching the diffusive regime.

    Such a task is stored as an MD set with no σ point and its reasons (:func:`task_sets`), so
    it is not run again; tasks an older version remembered in the cache (namespace
    :data:`UNKNOWN_NAMESPACE`) count too.
    """
    from nitrolyte.api import database

    store = database(db)
    wanted = {t["task_id"] for t in tasks}
    out = {k: v["reason"] or "not diffusive" for k, v in task_sets(store).items()
           if k in wanted and v["n_points"] == 0}
    for tid in wanted - set(out):
        hit = store.cache_get(UNKNOWN_NAMESPACE, tid)
        if hit is not None:
            out[tid] = str(hit.get("reason"))
    return out


def campaign_fits(tasks: Sequence[dict[str, Any]], db: DatabaseLike | None = None, *, store: bool = True
                  ) -> list[dict[str, Any]]:
    """Arrhenius fit of each task group; complete groups' fits stored once (``store``).

    Parameters
    ----------
    tasks : sequence of dict
        :func:`nitrolyte.simulate.campaign.tasks_of` output.
    db : Database or path, optional
        Where the tasks were stored (default: the user's database).
    store : bool
        Store the fit of each complete group that is not stored yet.

    Returns
    -------
    list of dict
        Per group: material, vacancies, potential, n_tasks, n_stored, complete, Ea_eV,
        Ea_stderr_eV (eV), sigma_25C (S/cm with lower/upper, 95 %) or None when fewer than three
        temperatures are stored, and set_id of the stored fit (or None).
    """
    from nitrolyte.api import database as open_database
    from nitrolyte.simulate.pipeline import fit_runs

    database = open_database(db)
    unknown = unknown_task_ids(list(tasks), database)
    groups: dict[tuple[str, float, str, str], list[dict[str, Any]]] = {}
    for t in tasks:
        groups.setdefault(group_key(t), []).append(t)
    done, fits = _md_sets(database)
    out = []
    for (material, vac, potential, version), members in groups.items():
        ids = sorted(t["task_id"] for t in members)
        set_ids = [done[i] for i in ids if i in done]
        fit, rt = fit_runs(_points(database, set_ids)) if set_ids else (None, None)
        key = hashlib.sha256(json.dumps(ids).encode()).hexdigest()[:16]
        complete = all(i in done or i in unknown for i in ids)
        set_id = fits.get(key)
        if store and complete and fit is not None and set_id is None:
            set_id = _store_fit(database, material, fit, {
                "model": potential, "version": version, "vacancies": vac,
                "T_K": sorted({t["T_K"] for t in members}), "task_ids": ids,
                "set_ids": set_ids, "arrhenius_key": key, "sigma_25C": rt, "simulation": True})
        out.append({"material": material, "vacancies": vac, "potential": potential,
                    "n_tasks": len(ids), "n_stored": len(set_ids),
                    "n_unknown": sum(i in unknown and i not in done for i in ids),
                    "complete": complete,
                    "Ea_eV": None if fit is None else fit["Ea_eV"],
                    "Ea_stderr_eV": None if fit is None else fit["Ea_stderr_eV"],
                    "sigma_25C": rt, "set_id": set_id})
    return out
