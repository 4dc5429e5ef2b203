"""MD campaigns on Dask: materials x vacancy fractions x temperatures x seeds.

Each task is one NVT run plus its analysis; its identity is a hash of what determines its result
(material, vacancy fraction, T, seed, length, timestep, equilibration, frame interval, supercell,
potential and model version). Tasks run on a ``dask.distributed`` cluster (a LocalCluster by
default, or an existing scheduler by address); the client stores each result as it finishes, so a
killed campaign resumes without redoing stored tasks. Trajectories are streamed to
``<out>/tasks/<task_id>/`` (on a remote cluster ``out`` must be a shared folder).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nitrolyte.errors import InputError
from nitrolyte.simulate.campaign_fit import CampaignFit, task_sets, unknown_task_ids

if TYPE_CHECKING:
    from nitrolyte.store.database import DatabaseLike

SPEC_COPY = "campaign.yaml"


class CampaignSpec(BaseModel):
    """The YAML spec of a campaign (``docs/simulate.md``)."""

    model_config = ConfigDict(extra="forbid")

    materials: list[str] = Field(min_length=1)
    vacancies: list[float] = Field(default=[0.0], min_length=1)
    temperatures_K: list[float] = Field(min_length=1)
    seeds: list[int] = Field(default=[0], min_length=1)
    ps: float = Field(gt=0, le=1e5)
    timestep_fs: float = Field(default=1.0, gt=0, le=5)
    equilibration_ps: float | None = Field(default=None, ge=0)
    frame_interval_fs: float = Field(default=10.0, gt=0)
    supercell: tuple[int, int, int] = (1, 1, 1)
    potential: str = "chgnet"
    device: str = "auto"
    out: str = "campaign-out"
    #: store σ outside the laboratory limits (> 10 S/cm: a toy potential, or a real run far above
    #: any measured temperature); not part of a task's identity
    allow_implausible: bool = False


@dataclass(frozen=True)
class TaskOutcome:
    """One MD task finished and stored: its measurement set and its answer at ``T_K``.

    ``D_cm2_s`` (cm²/s) and ``sigma_S_cm`` (S/cm) are NaN when the run never reached the
    diffusive regime (``diffusive`` False, ``reason`` says why; stored with ``n_points`` 0).
    """

    task_id: str
    set_id: int
    n_points: int
    material: str
    T_K: float
    D_cm2_s: float
    sigma_S_cm: float
    diffusive: bool
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (field order)."""
        return asdict(self)


@dataclass(frozen=True)
class FailedTask:
    """A task whose run raised: its id and the error, one line."""

    task_id: str
    error: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class CampaignReport:
    """What a run or resume did: counts, the tasks stored now, failures."""

    out: str
    n_tasks: int
    n_skipped: int
    n_stored: int
    n_failed: int
    stored: list[TaskOutcome]
    failed: list[FailedTask]
    arrhenius: list[CampaignFit] = field(default_factory=list)
    #: tasks finished now whose answer is unknown (not diffusive): stored as a set with no σ
    #: point, its reason given
    unknown: list[TaskOutcome] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


def load_spec(path: str | Path) -> tuple[CampaignSpec, Path]:
    """Read a spec file (or a campaign folder holding ``campaign.yaml``); returns (spec, out dir)."""
    import yaml

    p = Path(path)
    if p.is_dir():
        p = p / SPEC_COPY
    if not p.is_file():
        raise InputError(f"campaign spec not found: {p}")
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(f"{p}: not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise InputError(f"{p}: the spec must be a mapping of fields")
    try:
        spec = CampaignSpec(**doc)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"]) or "spec"
        raise InputError(f"{p}: field {loc!r}: {err['msg']}") from None
    for x in spec.vacancies:
        if not 0 <= x < 0.5:
            raise InputError(f"{p}: field 'vacancies' must be in [0, 0.5), got {x}")
    for t in spec.temperatures_K:
        if not 0 < t <= 5000:
            raise InputError(f"{p}: field 'temperatures_K' must be in (0, 5000], got {t}")
    out = Path(spec.out)
    return spec, (out if out.is_absolute() else (p.parent / out)).resolve()


def tasks_of(spec: CampaignSpec) -> list[dict[str, Any]]:
    """Every task of the spec with its ``task_id`` (stable hash of what fixes its result)."""
    from nitrolyte.simulate.pipeline import display_name
    from nitrolyte.simulate.potentials import get_potential
    from nitrolyte.structures import structure

    version = get_potential(spec.potential).version
    for mat in spec.materials:
        structure(mat)  # unknown names fail here, before any task runs
    out = []
    for mat, x, T, seed in itertools.product(spec.materials, spec.vacancies, spec.temperatures_K,
                                             spec.seeds):
        ident = {"material": display_name(mat), "vacancies": float(x), "T_K": float(T),
                 "seed": int(seed), "ps": spec.ps, "timestep_fs": spec.timestep_fs,
                 "equilibration_ps": spec.equilibration_ps,
                 "frame_interval_fs": spec.frame_interval_fs,
                 "supercell": list(spec.supercell), "potential": spec.potential,
                 "model_version": version}
        tid = hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:16]
        out.append({**ident, "task_id": tid, "device": spec.device,
                    "allow_implausible": spec.allow_implausible})
    return out


def run_task(task: dict[str, Any], out_dir: str) -> dict[str, Any]:
    """Run one task (on a worker): MD + analysis, no storage; returns the simulation dict."""
    from nitrolyte.simulate.pipeline import MDSettings, simulate_transport

    settings = MDSettings(ps=task["ps"], timestep_fs=task["timestep_fs"],
                          equilibration_ps=task["equilibration_ps"],
                          frame_interval_fs=task["frame_interval_fs"],
                          supercell=tuple(task["supercell"]), vacancies=task["vacancies"],  # type: ignore[arg-type]
                          seed=task["seed"], device=task["device"], potential=task["potential"])
    folder = Path(out_dir) / "tasks" / task["task_id"]
    sim = simulate_transport(task["material"], [task["T_K"]], settings, folder, store=False)
    return sim.to_dict()


def stored_task_ids(db: DatabaseLike | None = None) -> dict[str, int]:
    """task_id -> set_id of the campaign tasks stored with a σ point (answered)."""
    from nitrolyte.api import database

    return {k: v["set_id"] for k, v in task_sets(database(db)).items() if v["n_points"] > 0}


def _store(result: dict[str, Any], task: dict[str, Any], out: Path, db: DatabaseLike | None
           ) -> TaskOutcome:
    from nitrolyte.simulate.pipeline import TransportSimulation, store_simulation

    sim = TransportSimulation.from_dict(result)
    run = sim.runs[0].diffusion
    # stored once either way: a σ point, or (D unknown) a set with no point saying why
    stored = store_simulation(sim, db=db, extra_details={"task_id": task["task_id"]},
                              allow_implausible=bool(task.get("allow_implausible", False)))
    folder = out / "tasks" / task["task_id"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "result.json").write_text(json.dumps({**result, "stored": stored}, default=str), encoding="utf-8")
    return TaskOutcome(task_id=task["task_id"], set_id=stored["set_id"],
                       n_points=stored["n_points"], material=sim.material, T_K=task["T_K"],
                       D_cm2_s=run.D_cm2_s, sigma_S_cm=run.sigma_S_cm,
                       diffusive=run.diffusive, reason=run.reason)


def dask_client(scheduler: str | None, workers: int | None) -> Any:
    """A Dask client: of the scheduler at ``scheduler`` (InputError when unreachable), else of a
    LocalCluster of ``workers`` threads (default 1). Campaigns and ``structure predict --search`` use it."""
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout="10s")
        except OSError as exc:
            raise InputError(f"--scheduler: cannot reach {scheduler}: {exc}") from None
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be >= 1, got {workers}")
    cluster = LocalCluster(n_workers=workers or 1, threads_per_worker=1, processes=False,
                           dashboard_address=":0")
    return Client(cluster)


def run_campaign(spec_path: str | Path, *, scheduler: str | None = None,
                 workers: int | None = None, db: DatabaseLike | None = None,
                 progress: bool = True) -> CampaignReport:
    """Run (or resume) a campaign: every task not yet stored, stored as it finishes.

    Parameters
    ----------
    spec_path : path
        The YAML spec, or a campaign folder (its saved ``campaign.yaml``).
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``); default a LocalCluster.
    workers : int, optional
        Workers of the LocalCluster (default 1; threads, one task each).
    db : Database or path, optional
        Where results are stored (default: the user's database).
    progress : bool
        Show a progress bar on stderr.
    """
    from dask.distributed import as_completed
    from tqdm import tqdm

    spec, out = load_spec(spec_path)
    tasks = tasks_of(spec)
    out.mkdir(parents=True, exist_ok=True)
    copy = out / SPEC_COPY
    if not copy.exists():  # the spec as run, its ``out`` pointing at the folder itself
        import yaml

        copy.write_text(yaml.safe_dump({**spec.model_dump(), "supercell": list(spec.supercell),
                                        "out": "."}, allow_unicode=True), encoding="utf-8")
    done = {**stored_task_ids(db), **unknown_task_ids(tasks, db)}
    pending = [t for t in tasks if t["task_id"] not in done]
    stored: list[TaskOutcome] = []
    unknown: list[TaskOutcome] = []
    failed: list[FailedTask] = []
    if pending:
        client = dask_client(scheduler, workers)
        try:
            futures = {client.submit(run_task, t, str(out), pure=False,
                                     key=f"nitrolyte-md-{t['task_id']}"): t for t in pending}
            bar = tqdm(total=len(pending), desc="MD tasks", disable=not progress)
            for fut in as_completed(futures):
                task = futures[fut]
                try:
                    done_now = _store(fut.result(), task, out, db)
                    (stored if done_now.n_points else unknown).append(done_now)
                except Exception as exc:  # a failed task is reported, the others go on
                    failed.append(FailedTask(task["task_id"], f"{type(exc).__name__}: {exc}"))
                bar.update(1)
            bar.close()
        finally:
            client.close()
    from nitrolyte.simulate.campaign_fit import campaign_fits

    return CampaignReport(out=str(out), n_tasks=len(tasks), n_skipped=len(tasks) - len(pending),
                          n_stored=len(stored), n_failed=len(failed), stored=stored, failed=failed,
                          arrhenius=campaign_fits(tasks, db), unknown=unknown)


def campaign_arrhenius(spec_path: str | Path, db: DatabaseLike | None = None, *, store: bool = True
                       ) -> list[CampaignFit]:
    """Arrhenius fit per (material, vacancies, potential) of a campaign; see
    :func:`nitrolyte.simulate.campaign_fit.campaign_fits` (complete groups stored once)."""
    from nitrolyte.simulate.campaign_fit import campaign_fits

    spec, _ = load_spec(spec_path)
    return campaign_fits(tasks_of(spec), db, store=store)


def campaign_status(spec_path: str | Path, db: DatabaseLike | None = None) -> list[dict[str, Any]]:
    """One row per task: ``stored`` (with its set id), ``unknown`` (finished, not diffusive:
    stored as a set with no σ, ``reason`` says why), ``started`` (folder exists) or
    ``pending``."""
    spec, out = load_spec(spec_path)
    from nitrolyte.api import database

    sets = task_sets(database(db))
    done = stored_task_ids(db)
    tasks = tasks_of(spec)
    unknown = unknown_task_ids(tasks, db)
    rows = []
    for t in tasks:
        state = ("stored" if t["task_id"] in done else "unknown" if t["task_id"] in unknown else
                 "started" if (out / "tasks" / t["task_id"]).exists() else "pending")
        rows.append({"task_id": t["task_id"], "material": t["material"],
                     "vacancies": t["vacancies"], "T_K": t["T_K"], "seed": t["seed"],
                     "state": state, "set_id": sets.get(t["task_id"], {}).get("set_id"),
                     "reason": unknown.get(t["task_id"])})
    return rows
