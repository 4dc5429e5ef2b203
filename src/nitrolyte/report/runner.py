"""Run the report's section builders: in this process, or in parallel forked processes.

Each section module has ``build(ctx) -> Section``. With more than one job (and where the
operating system can fork), sections are built in worker processes forked from this one, so
that they inherit the imported libraries, the loaded data and the open figure cache; each
returns its :class:`Section` and the files it wrote, and the results are put back in page order.
Progress goes to stderr: a bar on a terminal, one line per finished section otherwise.
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
#: the context the forked workers read (set just before the pool forks)
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


def _worker(name: str) -> tuple[Section, list[str], float, int]:
    """Build one section in a forked worker, on a fresh copy of the parent's context."""
    assert _WORKER_CTX is not None  # set by _run_parallel before the fork
    parent = _WORKER_CTX
    engine = getattr(parent.db, "engine", None)
    if engine is not None:  # never share the parent's pooled database connections
        engine.dispose(close=False)
    ctx = ReportContext(out_dir=parent.out_dir, db=parent.db, dpi=parent.dpi, cache=parent.cache)
    start = time.perf_counter()
    section = build_one(name, ctx)
    return section, ctx.written, time.perf_counter() - start, ctx.cache_hits


def by_cost(modules: Sequence[str]) -> list[str]:
    """Section modules, most expensive first: each may set ``BUILD_COST`` (relative CPU time,
    default 1.0); ties keep page order."""
    costs = {m: float(getattr(importlib.import_module(m), "BUILD_COST", 1.0)) for m in modules}
    return sorted(modules, key=lambda m: -costs[m])


#: modules several sections import: imported once before the fork, not once per worker
SHARED_IMPORTS = ("pandas", "matplotlib.pyplot", "plotly.graph_objects", "pymatgen.core",
                  "nitrolyte.transport", "nitrolyte.stability", "nitrolyte.cell",
                  "nitrolyte.screening")


def _warm_imports() -> None:
    """Import :data:`SHARED_IMPORTS` before forking, so no worker imports them again."""
    for name in SHARED_IMPORTS:
        importlib.import_module(name)


def _run_parallel(modules: Sequence[str], ctx: ReportContext, progress: bool,
                  jobs: int) -> tuple[list[Section], list[str]]:
    from concurrent.futures import ProcessPoolExecutor

    global _WORKER_CTX
    _warm_imports()
    _WORKER_CTX = ctx
    bar: Any = None
    if progress and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=len(modules), desc="nitrolyte report", unit="section", file=sys.stderr)
    built: list[Section] = []
    written = list(ctx.written)
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            # the most expensive sections first (longest-processing-time order), results in
            # page order
            submitted = {name: pool.submit(_worker, name) for name in by_cost(modules)}
            futures = [submitted[name] for name in modules]
            for i, (name, future) in enumerate(zip(modules, futures, strict=True), start=1):
                section, files, seconds, hits = future.result()
                built.append(section)
                written += files
                ctx.cache_hits += hits
                if bar is not None:
                    bar.set_postfix_str(short_name(name))
                    bar.update()
                elif progress:
                    _line(i, len(modules), name, seconds)
    finally:
        _WORKER_CTX = None
        if bar is not None:
            bar.close()
    return built, written
