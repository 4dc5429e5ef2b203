"""Run (or resume) a discovery campaign: generate, then the stages of :mod:`.stages`, each
shrinking the list, then the screen (:mod:`.verdicts`).

Every finished (candidate, stage) result is written at once, whole or not at all, to
``<out>/stages/<stage>/<key>.json`` (and the relaxed structure to ``<out>/structures/<key>.cif``):
a rerun of the same command (Ctrl-C or kill -9 in between) reads them and computes only the rest.
``<out>/manifest.json`` records versions, models, settings, seeds and per-stage counts, so the same
command reproduces the same list. Expensive stages run on a process pool (``workers``) or a Dask
scheduler (``scheduler``); ``budget_min`` stops submitting new work after that many minutes
(unfinished candidates are listed as not run, and a rerun continues them).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nitrolyte.discover.candidates import Candidate, generate
from nitrolyte.discover.space import Space
from nitrolyte.discover.stages import STAGES, Settings, run_stage
from nitrolyte.errors import InputError

#: stages only some survivors get (their absence is not an unfinished campaign)
OPTIONAL = ("neb",)
#: stages that run on survivors of the hull only (``neb``: on the ``neb_top`` lowest BVSE barriers)
AFTER_HULL = ("electrochemistry", "air", "transport", "neb")


@dataclass
class Discovery:
    """A campaign's outcome: every candidate row (generated, judged or not) and the manifest."""

    out: str
    manifest: dict[str, Any]
    rows: list[dict[str, Any]]
    dropped: list[dict[str, str]] = field(default_factory=list)

    @property
    def survivors(self) -> list[dict[str, Any]]:
        """Rows within the hull threshold, ranked (:func:`.verdicts.rank`)."""
        return [r for r in self.rows if r.get("survives")]

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` payload."""
        return {"out": self.out, "manifest": self.manifest, "n_generated": len(self.rows),
                "n_dropped": len(self.dropped), "n_candidates": len(self.survivors),
                "candidates": self.survivors,
                "all": [{k: r.get(k) for k in SUMMARY} for r in self.rows]}


#: columns of every generated row in the ``all`` list
SUMMARY = ("formula", "generator", "space", "key", "status", "e_above_hull_meV_atom", "known_structures")


def run_id(spaces: list[Space], settings: Settings, model: str) -> str:
    """Identity of a campaign: spaces, settings and default model (the default output folder)."""
    doc = {"spaces": [s.label for s in spaces], "settings": settings.to_dict(), "model": model}
    return hashlib.sha1(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:12]


def default_out(spaces: list[Space], settings: Settings, model: str) -> Path:
    """``<cache dir>/discover/<spaces>-<run id>`` (the working directory without a cache)."""
    from nitrolyte.data.cache import cache_dir

    base = cache_dir() or Path.cwd()
    label = "_".join(s.label.replace(",", "") for s in spaces)
    return base / "discover" / f"{label}-{run_id(spaces, settings, model)}"


#: stages whose results depend on the known phases (kept per state of the library tables)
LIBRARY_STAGES = ("stability", "electrochemistry", "air")


def library_digest(settings: Settings) -> str:
    """A hash of the known phases the hulls use (every committee model's packaged and cached
    library energies): a result of a library stage is reused only while it is the same."""
    from nitrolyte.potentials import committee, get_potential
    from nitrolyte.stability.ml import ml_source

    names = [p.name for p in committee()] if settings.committee else [get_potential().name]
    h = hashlib.sha1()
    for name in names:
        t = ml_source(potential=name, compute=False).energies()
        h.update(t[["name", "formula", "energy_per_atom_eV", "ok"]].to_csv(index=False).encode())
    return h.hexdigest()[:10]


class _Cache:
    """Per-stage JSON results of one campaign folder (atomic writes); a library stage's folder is
    named by the library digest (``stages/stability-<digest>/``)."""

    def __init__(self, out: Path, digest: str):
        self.out = out
        self.digest = digest

    def path(self, stage: str, cand: Candidate) -> Path:
        folder = f"{stage}-{self.digest}" if stage in LIBRARY_STAGES else stage
        return self.out / "stages" / folder / f"{cand.key}.json"

    def get(self, stage: str, cand: Candidate) -> dict[str, Any] | None:
        p = self.path(stage, cand)
        if not p.is_file():
            return None
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # unreadable: computed again
            return None

    def put(self, stage: str, cand: Candidate, result: dict[str, Any]) -> None:
        from nitrolyte._atomic import write_text

        p = self.path(stage, cand)
        p.parent.mkdir(parents=True, exist_ok=True)
        write_text(p, json.dumps(result), f"discover {stage} result")
        if stage == "relax" and result.get("status") == "ok":
            from nitrolyte.discover.stages import structure_of

            cif = self.out / "structures" / f"{cand.key}.cif"
            cif.parent.mkdir(parents=True, exist_ok=True)
            write_text(cif, structure_of(result).to(fmt="cif"), "predicted structure CIF")


def _work(stage: str, cand: Candidate, earlier: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """One (stage, candidate) in a worker: one torch thread (the workers are the parallelism)."""
    from nitrolyte.structures.predict.search import _one_thread

    _one_thread()
    return run_stage(stage, cand, earlier, settings)


class _Runner:
    """Runs the pending (stage, candidate) pairs in process, on a pool or on Dask, within a budget."""

    def __init__(self, workers: int, scheduler: str | None, budget_min: float | None, progress: bool):
        self.workers, self.scheduler, self.progress = workers, scheduler, progress
        self.deadline = None if budget_min is None else time.monotonic() + 60.0 * budget_min
        self.out_of_budget = False

    def _bar(self, total: int, desc: str) -> Any:
        import sys

        from tqdm import tqdm

        return tqdm(total=total, desc=desc, unit="candidate", file=sys.stderr, disable=not self.progress)

    def _in_budget(self) -> bool:
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.out_of_budget = True
        return not self.out_of_budget

    def map(self, stage: str, jobs: list[tuple[Candidate, dict[str, Any]]], settings: Settings,
            done: Callable[[Candidate, dict[str, Any]], None]) -> None:
        """Run ``stage`` on each (candidate, earlier results); ``done`` gets each result as it ends."""
        if not jobs:
            return
        bar = self._bar(len(jobs), stage)
        if self.scheduler is None and self.workers <= 1:
            for cand, earlier in jobs:
                if not self._in_budget():
                    break
                done(cand, run_stage(stage, cand, earlier, settings))
                bar.update()
        elif self.scheduler is not None:
            self._dask(stage, jobs, settings, done, bar)
        else:
            self._pool(stage, jobs, settings, done, bar)
        bar.close()

    def _pool(self, stage: str, jobs: list[tuple[Candidate, dict[str, Any]]], settings: Settings,
              done: Callable[[Candidate, dict[str, Any]], None], bar: Any) -> None:
        import multiprocessing
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

        ctx = multiprocessing.get_context("spawn")  # never fork a process that may hold torch threads
        with ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx) as pool:
            todo = iter(jobs)
            running: dict[Any, Candidate] = {}
            for cand, earlier in _take(todo, self.workers):
                running[pool.submit(_work, stage, cand, earlier, settings)] = cand
            while running:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in finished:
                    done(running.pop(fut), fut.result())
                    bar.update()
                    if self._in_budget():
                        for cand, earlier in _take(todo, 1):
                            running[pool.submit(_work, stage, cand, earlier, settings)] = cand

    def _dask(self, stage: str, jobs: list[tuple[Candidate, dict[str, Any]]], settings: Settings,
              done: Callable[[Candidate, dict[str, Any]], None], bar: Any) -> None:
        from dask.distributed import as_completed

        from nitrolyte.simulate.campaign import dask_client

        client = dask_client(self.scheduler, self.workers)
        try:
            futures = {client.submit(_work, stage, cand, earlier, settings, pure=False,
                                     key=f"nitrolyte-discover-{stage}-{cand.key}"): cand
                       for cand, earlier in jobs}
            for fut in as_completed(futures):
                done(futures[fut], fut.result())
                bar.update()
                if not self._in_budget():
                    for other in futures:
                        other.cancel()
                    break
        finally:
            client.close()


def _take(items: Iterable[Any], n: int) -> list[Any]:
    out = []
    for item in items:
        out.append(item)
        if len(out) == n:
            break
    return out


def run_discovery(spaces: list[Space], settings: Settings | None = None, *, out: str | Path | None = None,
             workers: int = 1, scheduler: str | None = None, budget_min: float | None = None,
             progress: bool = True) -> Discovery:
    """Run or resume a campaign over ``spaces`` (see the module docstring).

    Parameters
    ----------
    spaces : list of Space
        From :func:`nitrolyte.discover.space.parse_space`.
    settings : Settings, optional
        Thresholds, seeds, hidden formulas (default :class:`~.stages.Settings`).
    out : path, optional
        The campaign folder (default :func:`default_out`).
    workers : int
        Processes for the relax and stability stages (1: in this process).
    scheduler : str, optional
        A Dask scheduler address (``tcp://host:8786``) instead of the local pool.
    budget_min : float, optional
        Stop submitting work after this many minutes (a rerun continues).
    progress : bool
        A progress bar per stage on stderr.
    """
    from nitrolyte.checks import check_range
    from nitrolyte.potentials import get_potential

    if not spaces:
        raise InputError("discover needs at least one --space (e.g. Li-N-Br)")
    check_range("--workers", workers, lo=1, hi=256)
    if budget_min is not None:
        check_range("--budget", budget_min, lo=0.0, hi=1e6)
    settings = settings or Settings()
    model = get_potential().version
    folder = Path(out) if out is not None else default_out(spaces, settings, model)
    _check_folder(folder, run_id(spaces, settings, model))
    folder.mkdir(parents=True, exist_ok=True)
    digest = library_digest(settings)
    cache = _Cache(folder, digest)
    t0 = time.time()
    manifest = {**_manifest(spaces, settings, model, folder), "library_digest": digest}
    candidates, dropped = generate(spaces, settings.max_atoms)
    results: dict[str, dict[str, dict[str, Any]]] = {c.key: {} for c in candidates}
    runner = _Runner(workers, scheduler, budget_min, progress)
    stage_counts = {}
    for stage in STAGES:
        todo = [c for c in candidates if _eligible(stage, results[c.key], settings)]
        if stage == "neb":
            todo = _lowest_bvse(todo, results, settings.neb_top)
        pending = []
        for c in todo:
            hit = cache.get(stage, c)
            if hit is None:
                pending.append((c, dict(results[c.key])))
            else:
                results[c.key][stage] = hit

        def done(cand: Candidate, result: dict[str, Any], stage: str = stage) -> None:
            cache.put(stage, cand, result)
            results[cand.key][stage] = result

        t_stage = time.time()
        runner.map(stage, pending, settings, done)
        stage_counts[stage] = {"in": len(todo), "cached": len(todo) - len(pending),
                               "ok": sum(1 for c in todo if results[c.key].get(stage, {}).get("status") == "ok"),
                               "not_run": sum(1 for c in todo if stage not in results[c.key]),
                               "wall_s": round(time.time() - t_stage, 1)}
    rows = [_row(c, results[c.key], settings, folder) for c in candidates]
    _joint_hulls(spaces, candidates, results, rows, settings)
    from nitrolyte.discover.verdicts import judge, rank, thresholds

    limits = thresholds(settings.hull_meV_atom)
    survivors = [r for r in rows if r["survives"]]
    for r in survivors:
        r["verdicts"] = judge(r, limits)
    ranked = rank(survivors)
    order = {id(r): i for i, r in enumerate(ranked)}
    for r in ranked:
        r["rank"] = order[id(r)] + 1
    manifest.update({"stages": stage_counts, "n_generated": len(candidates), "n_dropped": len(dropped),
                     "n_candidates": len(ranked), "thresholds": limits,
                     "out_of_budget": runner.out_of_budget, "wall_s": round(time.time() - t0, 1)})
    _write_json(folder / "manifest.json", manifest)
    rows = ranked + [r for r in rows if not r["survives"]]
    return Discovery(str(folder), manifest, rows, dropped)


def _joint_hulls(spaces: list[Space], candidates: list[Candidate], results: dict[str, dict[str, Any]],
                 rows: list[dict[str, Any]], settings: Settings) -> None:
    """``e_above_joint_hull_meV_atom`` of each judged candidate: its energy above the hull of the
    known phases *and every other candidate of its space* (default model)."""
    from nitrolyte.discover.stages import library_table, prediction_of
    from nitrolyte.stability.predicted import joint_hull

    for space in spaces:
        judged = [(c, r) for c, r in zip(candidates, rows, strict=True)
                  if c.space == space.label and results[c.key].get("stability", {}).get("status") == "ok"]
        if not judged:
            continue
        preds = [prediction_of(c, results[c.key]["relax"]) for c, _ in judged]
        elements = frozenset((*space.elements, *space.dopants))
        for (_, row), e in zip(judged, joint_hull(preds, library_table(None, elements, settings.hide)), strict=True):
            row["e_above_joint_hull_meV_atom"] = e


def _lowest_bvse(cands: list[Candidate], results: dict[str, dict[str, Any]], n: int) -> list[Candidate]:
    """The ``n`` candidates with the lowest BVSE barrier (those without one are never chosen)."""
    scored = [(results[c.key]["transport"]["Ea_eV"], c.key, c) for c in cands
              if results[c.key].get("transport", {}).get("Ea_eV") is not None]
    return [c for *_, c in sorted(scored, key=lambda t: (t[0], t[1]))[:max(n, 0)]]


def _check_folder(folder: Path, run: str) -> None:
    """A folder holding another campaign (other spaces, settings or model) is refused: its cached
    results would be read as this one's."""
    try:
        held = json.loads((folder / "manifest.json").read_text(encoding="utf-8")).get("run_id")
    except (OSError, ValueError):
        return
    if held not in (None, run):
        raise InputError(f"--out: {folder} holds campaign {held} (other spaces, settings or model than "
                         f"this one, {run}); choose another folder")


def _eligible(stage: str, done: dict[str, dict[str, Any]], settings: Settings) -> bool:
    """Whether a candidate enters ``stage`` given the results it has."""
    if stage == "relax":
        return True
    if done.get("relax", {}).get("status") != "ok":
        return False
    if stage == "stability":
        return True
    return _survives(done, settings)


def _survives(done: dict[str, dict[str, Any]], settings: Settings) -> bool:
    stab = done.get("stability", {})
    return stab.get("status") == "ok" and stab["e_above_hull_meV_atom"] <= settings.hull_meV_atom


def _row(cand: Candidate, done: dict[str, dict[str, Any]], settings: Settings, folder: Path) -> dict[str, Any]:
    """One candidate's evidence from every stage it went through (None: not computed)."""
    relax, stab = done.get("relax", {}), done.get("stability", {})
    row: dict[str, Any] = {**cand.to_dict(), "label": "predicted",
                           "status": _status(done, _survives(done, settings)), "survives": _survives(done, settings)}
    if relax.get("status") == "ok":
        row.update({k: relax[k] for k in ("model", "energy_eV_atom", "n_atoms", "space_group",
                                          "space_group_number", "trials", "date")})
        row["cif_path"] = str(folder / "structures" / f"{cand.key}.cif")
    row.update({k: stab.get(k) for k in ("e_above_hull_meV_atom", "e_vs_competing_meV_atom", "decomposes_to",
                                         "per_model_meV_atom", "spread_meV_atom")})
    from nitrolyte.discover.stages import listed

    row["known_structures"] = [] if cand.formula in settings.hide else listed(cand.formula)
    for stage in AFTER_HULL:
        res = done.get(stage, {})
        row.update({k: v for k, v in res.items() if k not in ("status", "reason", "wall_s")})
        row[f"{stage}_status"] = res.get("status", "not run")
    return row


def _status(done: dict[str, dict[str, Any]], survives: bool = False) -> str:
    """The furthest stage reached, or why it stopped (``relax skipped: ...``, ``air not run``
    for a survivor the budget did not reach, ``above the hull threshold (...)``)."""
    for stage in STAGES:
        res = done.get(stage)
        if res is None and stage in OPTIONAL:
            continue
        if res is None and stage in AFTER_HULL and not survives and done.get("stability", {}).get("status") == "ok":
            return f"above the hull threshold ({done['stability']['e_above_hull_meV_atom']:g} meV/atom)"
        if res is None:
            return f"{stage} not run"
        if res["status"] != "ok":
            return f"{stage} {res['status']}: {res.get('reason', '')}"
    return "all stages"


def _manifest(spaces: list[Space], settings: Settings, model: str, folder: Path) -> dict[str, Any]:
    import datetime as dt
    import importlib.metadata as md

    import nitrolyte
    from nitrolyte.potentials import committee

    models = {}
    for pot in committee():
        models[pot.name] = pot.version if pot.installed else "not installed"
    return {"nitrolyte": nitrolyte.__version__, "pymatgen": md.version("pymatgen"),
            "default_model": model, "committee_models": models, "settings": settings.to_dict(),
            "spaces": [s.label for s in spaces], "seed": settings.seed, "stages": list(STAGES),
            "run_id": run_id(spaces, settings, model), "out": str(folder),
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}


def _write_json(path: Path, doc: dict[str, Any]) -> None:
    from nitrolyte._atomic import write_text

    write_text(path, json.dumps(doc, indent=2, default=str), "discover manifest")
