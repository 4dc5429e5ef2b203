"""How the report splits its sections over forked workers (``report/runner.py``): the split is
the best one by the sections' costs, and a worker's failure reaches the caller."""

from __future__ import annotations

import itertools
import os
import sys
import types
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nitrolyte.report import build as build_mod
from nitrolyte.report import build_report, runner
from nitrolyte.report.build import SECTION_MODULES
from nitrolyte.report.framework import ReportContext, Section
from nitrolyte.store import Database


def _install(monkeypatch: pytest.MonkeyPatch, specs: dict[str, tuple[float, tuple[str, ...]]],
             build=None) -> list[str]:
    """Section modules named by ``specs`` (name -> (BUILD_COST, SHARES)); returns their names."""
    names = []
    for short, (cost, shares) in specs.items():
        name = f"nitrolyte_test_sec_{short}"
        module = types.ModuleType(name)
        module.BUILD_COST = cost  # type: ignore[attr-defined]
        module.SHARES = shares  # type: ignore[attr-defined]
        module.build = build or (lambda ctx, k=short: Section(key=k, title=k))  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, name, module)
        names.append(name)
    return names


def _load(group: list[str], specs: dict[str, tuple[float, tuple[str, ...]]],
          shared: dict[str, float]) -> float:
    needs = {s for n in group for s in specs[n.rsplit("_", 1)[-1]][1]}
    return sum(specs[n.rsplit("_", 1)[-1]][0] for n in group) + sum(shared[s] for s in needs)


def test_sections_that_share_state_go_together(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two 1 s sections that both load 1 s of shared state, and a 1.5 s one: together the two
    take 3 s, apart 2 s each plus 1.5 s beside one of them (3.5 s)."""
    monkeypatch.setattr(runner, "SHARED_STATE", {"pd": 1.0})
    specs = {"a": (1.0, ("pd",)), "b": (1.0, ("pd",)), "c": (1.5, ())}
    names = _install(monkeypatch, specs)
    assert sorted(runner.plan(names, 2)) == [names[:2], names[2:]]
    monkeypatch.setattr(runner, "SHARED_STATE", {"pd": 0.0})  # free to load: 2 s and 1.5 s
    assert sorted(map(len, runner.plan(names, 2))) == [1, 2]
    assert runner.plan(names, 1) == [names]


def test_the_report_sections_split_in_two(monkeypatch: pytest.MonkeyPatch) -> None:
    """With two workers the sections that load phase diagrams share one worker."""
    groups = runner.plan(SECTION_MODULES, 2)
    shares = [{m for m in g if "phase_diagrams" in getattr(sys.modules[m], "SHARES", ())}
              for g in groups]
    assert len(groups) == 2 and sorted(len(s) for s in shares) == [0, 3]
    assert sorted(m for g in groups for m in g) == sorted(SECTION_MODULES)


@settings(max_examples=40, deadline=None)
@given(costs=st.lists(st.floats(0.0, 5.0), min_size=1, max_size=6),
       shares=st.lists(st.sampled_from(["", "x", "y"]), min_size=6, max_size=6),
       setup=st.tuples(st.floats(0.0, 3.0), st.floats(0.0, 3.0)), jobs=st.integers(1, 3))
def test_plan_is_the_best_split(costs: list[float], shares: list[str],
                                setup: tuple[float, float], jobs: int) -> None:
    """The plan is a partition, each group in page order, and no split of the sections over
    ``jobs`` workers (all of them tried) has a shorter longest worker."""
    with pytest.MonkeyPatch.context() as mp:
        shared = {"x": setup[0], "y": setup[1]}
        mp.setattr(runner, "SHARED_STATE", shared)
        specs = {f"s{i}": (c, (shares[i],) if shares[i] else ()) for i, c in enumerate(costs)}
        names = _install(mp, specs)
        groups = runner.plan(names, jobs)
        assert len(groups) <= jobs and sorted(n for g in groups for n in g) == sorted(names)
        assert all(g == sorted(g, key=names.index) for g in groups)
        best = min(max(_load([n for n, w in zip(names, ws, strict=True) if w == k], specs, shared)
                       for k in range(jobs))
                   for ws in itertools.product(range(jobs), repeat=len(names)))
        assert max(_load(g, specs, shared) for g in groups) == pytest.approx(best, abs=1e-9)


def _broken(ctx: ReportContext) -> Section:
    raise ZeroDivisionError("boom")


_TEST_PID = os.getpid()


def _dies(ctx: ReportContext) -> Section:
    if os.getpid() == _TEST_PID:  # built in the test's own process: never end it
        raise AssertionError("the section was not built in a forked worker")
    os._exit(3)


def test_a_failing_section_in_a_worker_is_raised_with_its_name(
        db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = _install(monkeypatch, {"ok": (1.0, ()), "broken": (1.0, ())})
    sys.modules[names[1]].build = _broken  # type: ignore[attr-defined]
    monkeypatch.setattr(build_mod, "SECTION_MODULES", tuple(names))
    with pytest.raises(ZeroDivisionError, match="boom") as info:
        build_report(tmp_path, db=db, progress=False, jobs=2, cache=False)
    assert f"while building report section {names[1]}" in info.value.__notes__


def test_a_worker_that_dies_is_named(db: Database, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    if not runner.can_fork():
        # a thread runs in this process (pytest-xdist), so the build would not fork here: run this
        # very test alone in a fresh single-threaded pytest, where it can
        import subprocess

        test_id = f"{Path(__file__).name}::test_a_worker_that_dies_is_named"
        out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider",
                              test_id], cwd=Path(__file__).parent, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0 and "1 passed" in out.stdout, out.stdout[-3000:] + out.stderr[-2000:]
        return
    names = _install(monkeypatch, {"ok": (1.0, ()), "dies": (1.0, ())})
    sys.modules[names[1]].build = _dies  # type: ignore[attr-defined]
    monkeypatch.setattr(build_mod, "SECTION_MODULES", tuple(names))
    with pytest.raises(RuntimeError, match=r"ended \(exit code 3\) before building .*dies"):
        build_report(tmp_path, db=db, progress=False, jobs=2, cache=False)
    assert not (tmp_path / "index.html").exists()


def test_an_exception_that_cannot_be_pickled_keeps_its_text() -> None:
    class Local(Exception):  # a local class cannot be pickled
        pass

    exc = Local("no pickle")
    exc.add_note("while building report section x")
    sent = runner._picklable(exc)
    assert isinstance(sent, RuntimeError) and str(sent) == "Local: no pickle"
    assert sent.__notes__ == ["while building report section x"]
    plain = ValueError("fine")
    assert runner._picklable(plain) is plain


def _slow(ctx: ReportContext) -> Section:
    import time

    time.sleep(0.3)  # finishes after the other worker's section
    return Section(key="slow", title="slow")


def test_progress_lines_stay_in_page_order(db: Database, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    names = _install(monkeypatch, {"slow": (1.0, ()), "fast": (1.0, ())})
    sys.modules[names[0]].build = _slow  # type: ignore[attr-defined]
    monkeypatch.setattr(build_mod, "SECTION_MODULES", tuple(names))
    build_report(tmp_path, db=db, progress=True, jobs=2, cache=False)
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(" (")[0] for line in lines] == [
        "nitrolyte report: [1/2] nitrolyte_test_sec_slow",
        "nitrolyte report: [2/2] nitrolyte_test_sec_fast"]
