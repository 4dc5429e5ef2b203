"""``--search N``: symmetric random structures (pyxtal) relaxed with the ML potential.

Trial ``t`` draws, from a generator seeded by ``(seed, t)``, a space group (1-230) and a number of
formula units whose conventional cell has at most ``max_atoms`` atoms, until pyxtal places the atoms
(Wyckoff positions compatible with the composition); the structure is relaxed coarsely
(:data:`.model.COARSE`). Each finished trial is written to the cache folder, keyed by formula, seed,
trial, atom limit and model, so an interrupted search resumes where it stopped. The coarse results
are merged (pymatgen's ``StructureMatcher``), the ``n_fine`` lowest distinct ones are relaxed finely
(:data:`.model.FINE`, cached the same way), and the lowest is kept. Trials run in ``workers``
processes (each loads its own copy of the model), or as tasks of a Dask ``client`` (any
``dask.distributed.Client``; the CLI's ``--scheduler`` builds it as campaigns do).
"""

from __future__ import annotations

import hashlib
import json
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nitrolyte.checks import check_range
from nitrolyte.errors import MissingDataError, NitrolyteError
from nitrolyte.structures.predict.core import Prediction, matcher, reduced_formula, register_method
from nitrolyte.structures.predict.model import COARSE, FINE

if TYPE_CHECKING:
    from pymatgen.core import Structure

    from nitrolyte.structures.predict.model import Model

#: bump when a trial's recipe changes (invalidates cached trials)
SEARCH_VERSION = "1"
#: largest conventional cell by default (atoms)
MAX_ATOMS = 16
#: lowest distinct coarse structures relaxed finely
N_FINE = 5
#: space groups and formula-unit counts drawn per trial before giving up
MAX_DRAWS = 200


def trial_key(formula: str, seed: int, trial: int, max_atoms: int, version: str, stage: str = "coarse") -> str:
    """Cache key of one trial (SHA-256 of formula, seed, trial, atom limit, model, stage and its criterion)."""
    criterion = COARSE if stage == "coarse" else FINE
    payload = json.dumps([SEARCH_VERSION, formula, seed, trial, max_atoms, version, stage, list(criterion)])
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def random_structure(formula: str, seed: int, trial: int, max_atoms: int) -> tuple[Structure, int, int]:
    """A symmetric random structure of ``formula``: (structure, space group, formula units)."""
    import numpy as np
    from pymatgen.core import Composition
    from pyxtal import pyxtal

    comp = Composition(formula).reduced_composition
    species = [str(el) for el in comp.elements]
    per_fu = [round(comp[el]) for el in comp.elements]
    z_max = max(1, max_atoms // sum(per_fu))
    rng = np.random.default_rng([seed, trial])
    for _ in range(MAX_DRAWS):
        group, z = int(rng.integers(1, 231)), int(rng.integers(1, z_max + 1))
        crystal = pyxtal()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                crystal.from_random(3, group, species, [n * z for n in per_fu],
                                    random_state=int(rng.integers(2**31)))
        except Exception:  # pyxtal: composition incompatible with the group, or no placement found
            continue
        if crystal.valid:
            return crystal.to_pymatgen(), group, z
    raise RuntimeError(f"no space group placed {formula} within {max_atoms} atoms in {MAX_DRAWS} draws")


def run_trial(formula: str, seed: int, trial: int, max_atoms: int, model: Model,
              folder: str | None) -> dict[str, Any]:
    """One trial (read from the cache folder when done before): random structure, coarse relaxation."""
    path = _cached_path(folder, trial_key(formula, seed, trial, max_atoms, model.version))
    if path is not None and path.is_file():
        return {**json.loads(path.read_text()), "cached": True}
    try:
        struct, group, z = random_structure(formula, seed, trial, max_atoms)
        energy, final, steps = model.relax(struct, fmax=COARSE[0], steps=COARSE[1])
        out = {"trial": trial, "space_group_drawn": group, "Z": z, "energy_eV_atom": float(energy),
               "steps": int(steps), "structure": final.as_dict()}
    except Exception as exc:  # a failed trial is recorded, not fatal (pyxtal or the relaxation gave up)
        out = {"trial": trial, "error": f"{type(exc).__name__}: {exc}"[:200]}
    _write(path, out)
    return {**out, "cached": False}


def _fine(formula: str, seed: int, trial: int, max_atoms: int, model: Model, folder: str | None,
          struct: Structure) -> tuple[float, Structure]:
    from pymatgen.core import Structure as _Structure

    path = _cached_path(folder, trial_key(formula, seed, trial, max_atoms, model.version, "fine"))
    if path is not None and path.is_file():
        raw = json.loads(path.read_text())
        return float(raw["energy_eV_atom"]), _Structure.from_dict(raw["structure"])
    energy, final, _ = model.relax(struct, fmax=FINE[0], steps=FINE[1])
    _write(path, {"energy_eV_atom": float(energy), "structure": final.as_dict()})
    return float(energy), final


def _cached_path(folder: str | None, key: str) -> Path | None:
    return None if folder is None else Path(folder) / f"{key}.json"


def _write(path: Path | None, data: dict[str, Any]) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    tmp.replace(path)  # atomic: an interrupted write never leaves half a trial


def default_folder() -> str | None:
    """Where finished trials are kept: ``<cache dir>/predict-search`` (None when caching is off)."""
    from nitrolyte.data.cache import cache_dir

    folder = cache_dir()
    return None if folder is None else str(folder / "predict-search")


def _run_all(formula: str, seed: int, n_trials: int, max_atoms: int, model: Model, folder: str | None,
             workers: int, progress: bool, client: Any = None) -> list[dict[str, Any]]:
    args = [(formula, seed, t, max_atoms, model, folder) for t in range(n_trials)]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=n_trials, desc=f"search {formula}", unit="trial", file=sys.stderr)
    results = []
    if client is not None:
        from dask.distributed import as_completed as dask_completed

        futures = [client.submit(run_trial, *a, pure=False) for a in args]
        for fut in dask_completed(futures):
            results.append(fut.result())
            if bar is not None:
                bar.update()
    elif workers <= 1:
        for a in args:
            results.append(run_trial(*a))
            if bar is not None:
                bar.update()
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        ctx = multiprocessing.get_context("spawn")  # never fork a process that may hold torch threads
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_one_thread) as pool:
            for fut in as_completed([pool.submit(run_trial, *a) for a in args]):
                results.append(fut.result())
                if bar is not None:
                    bar.update()
    if bar is not None:
        bar.close()
    return sorted(results, key=lambda r: r["trial"])


def _one_thread() -> None:
    """Worker start-up: one torch thread per process (the processes are the parallelism)."""
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass


def merge(structures: list[tuple[float, int, Structure]]) -> list[tuple[float, int, Structure, int]]:
    """Distinct structures (lowest energy first) with how many trials found each (StructureMatcher)."""
    same = matcher()
    out: list[list[Any]] = []
    for energy, trial, struct in sorted(structures, key=lambda t: (t[0], t[1])):
        for kept in out:
            if abs(kept[0] - energy) < 0.05 and same.fit(kept[2], struct):
                kept[3] += 1
                break
        else:
            out.append([energy, trial, struct, 1])
    return [tuple(k) for k in out]  # type: ignore[misc]


@register_method("search")
def predict_search(formula: str, model: Model, *, n_trials: int, seed: int = 0, max_atoms: int = MAX_ATOMS,
                   workers: int = 1, n_fine: int = N_FINE, folder: str | None = "default",
                   progress: bool = False, client: Any = None, **_: Any) -> Prediction:
    """The lowest structure of ``n_trials`` symmetric random structures of ``formula``.

    Parameters
    ----------
    formula : str
        The compound.
    model : Model
        The potential.
    n_trials : int
        Random structures generated and relaxed (1-10000).
    seed : int
        Seed of the whole search (trial ``t`` uses ``(seed, t)``).
    max_atoms : int
        Largest conventional cell (atoms), 1-200.
    workers : int
        Processes (1-64).
    n_fine : int
        Lowest distinct coarse structures relaxed finely.
    folder : str or None
        Cache folder of finished trials (``"default"``: :func:`default_folder`; None: no cache).
    progress : bool
        A progress bar (tqdm) on stderr.
    client : dask.distributed.Client, optional
        Run the trials as tasks on its cluster (instead of ``workers`` processes).
    """
    from pymatgen.core import Composition
    from pymatgen.core import Structure as _Structure

    check_range("n_trials", n_trials, lo=1, hi=10000)
    check_range("max_atoms", max_atoms, lo=1, hi=200)
    check_range("workers", workers, lo=1, hi=64)
    check_range("n_fine", n_fine, lo=1, hi=100)
    try:
        import pyxtal  # noqa: F401
    except ImportError:
        raise MissingDataError("structure predict --search needs pyxtal (pip install 'nitrolyte[predict]')") from None
    reduced = reduced_formula(formula)
    per_fu = int(Composition(reduced).num_atoms)
    if per_fu > max_atoms:
        from nitrolyte.errors import InputError

        raise InputError(f"max_atoms must be >= {per_fu} (one formula unit of {reduced}), got {max_atoms}")
    where = default_folder() if folder == "default" else folder
    trials = _run_all(reduced, int(seed), int(n_trials), int(max_atoms), model, where, int(workers), progress,
                      client)
    done = [(t["energy_eV_atom"], t["trial"], _Structure.from_dict(t["structure"])) for t in trials
            if "structure" in t]
    if not done:
        raise NitrolyteError(f"all {n_trials} trials of {reduced} failed: {trials[0].get('error', '?')}")
    distinct = merge(done)
    fine = []
    for _, trial, struct, _count in distinct[:int(n_fine)]:
        energy, final = _fine(reduced, int(seed), trial, int(max_atoms), model, where, struct)
        fine.append((energy, trial, final))
    best_energy, best_trial, best = min(fine, key=lambda t: (t[0], t[1]))
    counts = {trial: count for _, trial, _, count in distinct}
    same = matcher()  # trials whose fine relaxation ends in the best structure, with their duplicates
    found_by = sum(counts[t] for e, t, s in fine if t == best_trial or same.fit(best, s))
    details = {"failed_trials": sum("error" in t for t in trials), "cached_trials": sum(t["cached"] for t in trials),
               "best_trial": best_trial, "found_by_trials": found_by, "max_atoms": int(max_atoms),
               "seed": int(seed), "fine_relaxed": len(fine), **({"dask": True} if client is not None else {})}
    return Prediction(reduced, "search", model.version, best, float(best_energy), trials=int(n_trials),
                      ensemble_size=len(distinct), details=details)
