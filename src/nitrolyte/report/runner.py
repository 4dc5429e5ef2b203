"""Run the report's section builders: in this process, or in parallel forked processes.

Each section module has ``build(ctx) -> Section``. With more than one job (and where the
operating system can fork), the sections are split over worker processes by :func:`plan`
(measured cost, sections that load the same shared state kept together) and built in processes
forked from this one, so that they inherit the imported libraries, the loaded data and the open
figure cache; each worker sends every :class:`Section` and the files it wrote through a pipe as
soon as it is built, and the results are put back in page order. Progress goes to stderr: a bar
on a terminal, one line per section (in page order) otherwise.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import shutil
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

from nitrolyte.report.framework import ReportContext, Section

#: the most worker processes a build starts by default
MAX_JOBS = 4
#: the context the forked workers read (set just before the fork)
_WORKER_CTX: ReportContext | None = None


def default_jobs(n_sections: int) -> int:
    """Worker processes for ``n_sections``: the CPUs this process may use, at most :data:`MAX_JOBS`."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_JOBS, cpus, n_sections))


def can_fork() -> bool:
    """Whether workers may be forked: the OS supports it and this process runs one thread (a
    fork from a threaded process - a web server, pytest-xdist - can deadlock on a held lock)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def short_name(module: str) -> str:
    """``"tables"`` for ``nitrolyte.report.sec_tables``."""
    return module.rsplit(".", 1)[-1].removeprefix("sec_")


def build_one(name: str, ctx: ReportContext) -> Section:
    """Import a section module and build it (the section's name is added to any error)."""
    try:
        return importlib.import_module(name).build(ctx)
    except Exception as exc:
        exc.add_note(f"while building report section {name}")
        raise


def run_sections(modules: Sequence[str], ctx: ReportContext, progress: bool,
                 jobs: int | None = None) -> tuple[list[Section], list[str]]:
    """Build every section; return them in page order with the files written (in that order).

    Parameters
    ----------
    modules : sequence of str
        Section modules, in page order.
    ctx : ReportContext
        Where to write; workers get a copy each.
    progress : bool
        Show progress on stderr.
    jobs : int, optional
        Worker processes (default :func:`default_jobs`); 1, a system that cannot fork or a
        process with several threads (:func:`can_fork`) builds in this process.
    """
    n = default_jobs(len(modules)) if jobs is None else max(1, min(int(jobs), len(modules)))
    if n > 1 and can_fork():
        return _run_parallel(modules, ctx, progress, n)
    if progress and sys.stderr.isatty():
        return _run_bar(modules, ctx), ctx.written
    built: list[Section] = []
    for i, name in enumerate(modules, start=1):
        start = time.perf_counter()
        built.append(build_one(name, ctx))
        if progress:
            _line(i, len(modules), name, time.perf_counter() - start)
    return built, ctx.written


def _line(i: int, n: int, name: str, seconds: float) -> None:
    print(f"nitrolyte report: [{i}/{n}] {short_name(name)} ({seconds:.1f} s)", file=sys.stderr,
          flush=True)


def _run_bar(modules: Sequence[str], ctx: ReportContext) -> list[Section]:
    from tqdm import tqdm

    built: list[Section] = []
    # a pseudo-terminal that reports 0 columns or rows would get an empty or hidden bar
    size = shutil.get_terminal_size()
    with tqdm(modules, desc="nitrolyte report", unit="section", file=sys.stderr,
              ncols=size.columns, nrows=size.lines) as bar:
        for name in bar:
            bar.set_postfix_str(short_name(name))
            built.append(build_one(name, ctx))
    return built


#: seconds of CPU that loading a piece of shared state costs a process the first time a section
#: needs it (a section names what it needs in ``SHARES``): :func:`plan` puts sections that share
#: it on one worker when that shortens the build
SHARED_STATE: dict[str, float] = {
    # pymatgen's phase-diagram module (and scipy), the ML energies with their MP2020 corrections
    # and the phase diagrams built from them: stability, ml and screening
    "phase_diagrams": 0.9,
}


def _costs(modules: Sequence[str]) -> dict[str, tuple[float, frozenset[str]]]:
    """``BUILD_COST`` (seconds of CPU, default 1.0) and ``SHARES`` of each section module."""
    out = {}
    for name in modules:
        module = importlib.import_module(name)
        out[name] = (float(getattr(module, "BUILD_COST", 1.0)),
                     frozenset(getattr(module, "SHARES", ())))
    return out


def plan(modules: Sequence[str], jobs: int) -> list[list[str]]:
    """Split the sections over at most ``jobs`` workers so that the busiest finishes first.

    A worker's time is the ``BUILD_COST`` of its sections plus, once, the cost of each piece
    of :data:`SHARED_STATE` they need. The split that minimises the longest worker's time is
    found by branch and bound (sections most expensive first; a handful of sections, so it is
    exact and instant). Each worker's sections stay in page order; empty workers are dropped.
    """
    costs = _costs(modules)
    order = sorted(modules, key=lambda m: -(costs[m][0] + sum(SHARED_STATE.get(s, 0.0)
                                                              for s in costs[m][1])))
    best: list[float | list[int]] = [float("inf"), []]
    loads = [0.0] * max(1, jobs)
    shared: list[set[str]] = [set() for _ in loads]
    chosen: list[int] = []

    def search(i: int) -> None:
        if max(loads) >= best[0]:  # type: ignore[operator]
            return
        if i == len(order):
            best[:] = [max(loads), list(chosen)]
            return
        cost, needs = costs[order[i]]
        for w in range(len(loads)):
            if w and not loads[w - 1] and not loads[w]:
                break  # empty workers are interchangeable: try only the first
            new = needs - shared[w]
            loads[w] += cost + sum(SHARED_STATE.get(s, 0.0) for s in new)
            shared[w] |= new
            chosen.append(w)
            search(i + 1)
            chosen.pop()
            shared[w] -= new
            loads[w] -= cost + sum(SHARED_STATE.get(s, 0.0) for s in new)

    search(0)
    groups: list[list[str]] = [[] for _ in loads]
    for name, w in zip(order, best[1], strict=True):  # type: ignore[arg-type]
        groups[w].append(name)
    return [sorted(g, key=list(modules).index) for g in groups if g]


#: modules every section imports: imported once before the fork, not once per worker
SHARED_IMPORTS = ("pandas", "matplotlib.pyplot", "plotly.graph_objects", "pymatgen.core")


def _warm_imports() -> None:
    """Import :data:`SHARED_IMPORTS` before forking, so no worker imports them again."""
    for name in SHARED_IMPORTS:
        importlib.import_module(name)


def _worker(names: Sequence[str], conn: Any) -> None:
    """Build ``names`` in a forked worker, sending each result to the parent as it is done:
    ``("ok", name, section, files, seconds, cache_hits)`` or ``("error", name, exception)``."""
    assert _WORKER_CTX is not None  # set by _run_parallel before the fork
    parent = _WORKER_CTX
    engine = getattr(parent.db, "engine", None)
    if engine is not None:  # never share the parent's pooled database connections
        engine.dispose(close=False)
    for name in names:
        ctx = ReportContext(out_dir=parent.out_dir, db=parent.db, dpi=parent.dpi,
                            cache=parent.cache)
        start = time.perf_counter()
        try:
            section = build_one(name, ctx)
        except BaseException as exc:  # sent to the parent, which raises it
            conn.send(("error", name, _picklable(exc)))
            return
        conn.send(("ok", name, section, ctx.written, time.perf_counter() - start, ctx.cache_hits))


def _picklable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a RuntimeError with its text and notes."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        err = RuntimeError(f"{type(exc).__name__}: {exc}")
        for note in getattr(exc, "__notes__", ()):
            err.add_note(note)
        return err


def _run_parallel(modules: Sequence[str], ctx: ReportContext, progress: bool,
                  jobs: int) -> tuple[list[Section], list[str]]:
    """Fork one worker per group of :func:`plan`; gather the sections as they finish."""
    import gc

    global _WORKER_CTX
    groups = plan(modules, jobs)
    _warm_imports()
    _WORKER_CTX = ctx
    fork = multiprocessing.get_context("fork")
    bar = None
    done: dict[str, tuple[Section, list[str], int, float]] = {}
    workers = []
    # objects that exist before the fork are never collected in a worker: without this, the
    # first collection there writes to (and so copies) every page they live on
    gc.freeze()
    try:
        for group in groups:
            receive, send = fork.Pipe(duplex=False)
            process = fork.Process(target=_worker, args=(group, send), daemon=True)
            process.start()
            send.close()
            workers.append((process, receive, group))
        gc.unfreeze()
        if progress and sys.stderr.isatty():  # after the forks: tqdm may start a thread
            bar = _bar(len(modules))
        _gather(workers, done, bar, progress, modules)
    finally:
        gc.unfreeze()
        _WORKER_CTX = None
        for process, receive, _ in workers:
            if process.is_alive():
                process.terminate()
            process.join()
            receive.close()
        if bar is not None:
            bar.close()
    ctx.cache_hits += sum(done[name][2] for name in modules)
    built = [done[name][0] for name in modules]
    return built, [*ctx.written, *(f for name in modules for f in done[name][1])]


def _gather(workers: list[tuple[Any, Any, list[str]]],
            done: dict[str, tuple[Section, list[str], int, float]], bar: Any, progress: bool,
            modules: Sequence[str]) -> None:
    """Receive every worker's sections; raise a worker's exception, or name the sections of a
    worker that died without sending them. Progress lines come in page order (a bar counts
    sections as they finish)."""
    from multiprocessing.connection import wait

    shown = 0
    pending = {receive: (process, group) for process, receive, group in workers}
    while pending:
        for receive in wait(list(pending)):
            process, group = pending[receive]
            try:
                message = receive.recv()
            except EOFError:
                del pending[receive]
                missing = [n for n in group if n not in done]
                if missing:
                    process.join()
                    raise RuntimeError(f"report worker {process.pid} ended (exit code "
                                       f"{process.exitcode}) before building "
                                       f"{', '.join(map(short_name, missing))}") from None
                continue
            if message[0] == "error":
                raise message[2]
            _, name, section, files, seconds, hits = message
            done[name] = (section, files, hits, seconds)
            if bar is not None:
                bar.set_postfix_str(short_name(name))
                bar.update()
            while bar is None and progress and shown < len(modules) and modules[shown] in done:
                _line(shown + 1, len(modules), modules[shown], done[modules[shown]][3])
                shown += 1


def _bar(total: int) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc="nitrolyte report", unit="section", file=sys.stderr)
