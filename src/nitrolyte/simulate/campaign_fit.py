"""Campaign tasks -> Arrhenius fits: one per (material, vacancy fraction, potential + version).

Each campaign task stores one temperature (one σ point) as its own MD measurement set. When every
task of a group is stored, the group's points are fitted with the same code as ``nitrolyte md``
(:func:`nitrolyte.simulate.pipeline.fit_points`: Ea ± s.e., σ at 25 °C with its 95 % interval) and
the fit is stored once, as a fit-only MD measurement set under the same material (its points are
already the tasks' rows, so nothing is counted twice). ``method_details`` names the task ids and
set ids it combines and an ``arrhenius_key`` (hash of the task ids) so it is never stored twice.
A group still missing tasks gets a provisional fit that is reported, not stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nitrolyte.simulate.pipeline import MDFit, RoomSigma
    from nitrolyte.store.database import Database, DatabaseLike
    from nitrolyte.store.models import SetPoint


@dataclass(frozen=True)
class CampaignFit:
    """The Arrhenius fit of one task group (simulated σ).

    ``vacancies``: Li vacancy fraction; ``n_tasks``, ``n_stored`` (with a σ point),
    ``n_unknown`` (finished, not diffusive); ``complete``: every task finished; ``Ea_eV``,
    ``Ea_stderr_eV`` (eV) and ``sigma_25C`` (S/cm, 95 % interval) None with fewer than three
    temperatures stored; ``set_id`` of the stored fit, None while not stored.
    """

    material: str
    vacancies: float
    potential: str
    n_tasks: int
    n_stored: int
    n_unknown: int
    complete: bool
    Ea_eV: float | None
    Ea_stderr_eV: float | None
    sigma_25C: RoomSigma | None
    set_id: int | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


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


def _points(database: Database, set_ids: Sequence[int]) -> list[SetPoint]:
    """The σ points of the tasks' sets as ``fit_points`` input (missing stderr -> 0)."""
    from nitrolyte.store.models import SetPoint

    points = []
    for sid in set_ids:
        for p in database.measurement_set(sid)["points"].itertuples(index=False):
            err = p.sigma_stderr_S_cm
            points.append(SetPoint(T_K=float(p.T_K), sigma_S_cm=float(p.sigma_S_cm), kind="bulk",
                                   sigma_stderr_S_cm=0.0 if err is None or err != err
                                   else float(err)))
    return points


def _store_fit(database: Database, material: str, fit: MDFit, details: dict[str, Any]) -> int:
    from nitrolyte.simulate.pipeline import material_name

    res = database.add_measurement_set(
        material_name(material, details["vacancies"]), points=[], fit=fit.to_dict(), method="MD",
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
                  ) -> list[CampaignFit]:
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
    list of CampaignFit
        Per group (:class:`CampaignFit`): counts, Ea (eV) and σ(25 °C) (S/cm, 95 %) or None
        when fewer than three temperatures are stored, set_id of the stored fit (or None).
    """
    from nitrolyte.api import database as open_database
    from nitrolyte.simulate.pipeline import fit_points

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
        fit, rt = fit_points(_points(database, set_ids)) if set_ids else (None, None)
        key = hashlib.sha256(json.dumps(ids).encode()).hexdigest()[:16]
        complete = all(i in done or i in unknown for i in ids)
        set_id = fits.get(key)
        if store and complete and fit is not None and set_id is None:
            set_id = _store_fit(database, material, fit, {
                "model": potential, "version": version, "vacancies": vac,
                "T_K": sorted({t["T_K"] for t in members}), "task_ids": ids,
                "set_ids": set_ids, "arrhenius_key": key, "sigma_25C": None if rt is None else rt.to_dict(), "simulation": True})
        out.append(CampaignFit(
            material=material, vacancies=vac, potential=potential, n_tasks=len(ids),
            n_stored=len(set_ids), n_unknown=sum(i in unknown and i not in done for i in ids),
            complete=complete, Ea_eV=None if fit is None else fit.Ea_eV,
            Ea_stderr_eV=None if fit is None else fit.Ea_stderr_eV, sigma_25C=rt, set_id=set_id))
    return out
