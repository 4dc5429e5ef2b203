"""Benchmark: electrochemical windows of every formula in the database vs. plain pymatgen.

The baseline is what a competent pymatgen user writes instead (in this script): for each formula,
a ``PhaseDiagram`` of its chemical system built from the same entries (the embedded energy
source) and ``get_element_profile(Li, composition)``; the window is the Li chemical-potential
range with no Li exchange. nitrolyte (``electrochemical_window``, which reuses one phase diagram
per chemical system) runs on the same formulas in the same process; the two windows must agree
(1e-9 V) wherever the baseline finds one, and the script prints both times and their ratio.

Run:  .venv/bin/python benchmarks/bench_windows.py [--repeat N]
"""

from __future__ import annotations

import argparse
import time


def database_formulas() -> list[str]:
    """Every distinct formula of the curated materials plus the reported-window and table phases."""
    from nitrolyte import dataset
    from nitrolyte.stability import reported_windows, thermochemistry

    formulas = [str(f) for f in dataset.materials()["formula"] if isinstance(f, str) and f]
    formulas += list(reported_windows()["formula"]) + list(thermochemistry()["formula"])
    return list(dict.fromkeys(formulas))


def run(formulas: list[str], use_cache: bool) -> tuple[float, int]:
    """Seconds to compute every window, and how many were computable."""
    from nitrolyte.stability import clear_cache, electrochemical_window

    clear_cache()
    start = time.perf_counter()
    ok = sum(electrochemical_window(f, "embedded", use_cache=use_cache).computable for f in formulas)
    return time.perf_counter() - start, ok


def pymatgen_window(formula: str, source: object) -> tuple[float, float] | None:
    """(reduction, oxidation) in V vs. Li/Li+ with plain pymatgen; None if no Li-closed range."""
    import warnings

    from pymatgen.analysis.phase_diagram import PhaseDiagram
    from pymatgen.core import Composition, Element

    comp = Composition(formula)
    pd_ = PhaseDiagram(source.entries(frozenset(map(str, comp.elements)) | {"Li"}))
    li = Element("Li")
    mu0 = pd_.el_refs[li].energy_per_atom
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        profile = pd_.get_element_profile(li, comp)
    for i, step in enumerate(profile):
        if abs(step["evolution"]) < 1e-9:
            low = max(-(step["chempot"] - mu0), 0.0)
            high = -(profile[i + 1]["chempot"] - mu0) if i + 1 < len(profile) else float("inf")
            return float(low), float(high)
    return None


def run_pymatgen(formulas: list[str]) -> tuple[float, dict[str, tuple[float, float] | None]]:
    from nitrolyte.stability import resolve_source

    source = resolve_source("embedded")
    out: dict[str, tuple[float, float] | None] = {}
    start = time.perf_counter()
    for f in formulas:
        try:
            out[f] = pymatgen_window(f, source)
        except (ValueError, KeyError):  # a terminal element without an entry
            out[f] = None
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="passes over the formula list (default 3)")
    args = parser.parse_args()
    formulas = database_formulas() * args.repeat
    run(formulas[:5], use_cache=True)  # warm imports
    naive, n_ok = run(formulas, use_cache=False)
    cached, n_ok_cached = run(formulas, use_cache=True)
    if n_ok != n_ok_cached:
        raise SystemExit(f"cached and naive disagree: {n_ok_cached} vs {n_ok} computable windows")
    plain, windows = run_pymatgen(formulas)
    from nitrolyte.stability import electrochemical_window

    compared = 0
    for f, win in windows.items():
        ours = electrochemical_window(f, "embedded")
        if win is None or not ours.computable or not ours.equilibrium_phases:
            continue
        if abs(ours.reduction_V - win[0]) > 1e-9 or not (
                abs(ours.oxidation_V - win[1]) <= 1e-9 or ours.oxidation_V == win[1]):
            raise SystemExit(f"{f}: nitrolyte {ours.reduction_V, ours.oxidation_V} vs "
                             f"pymatgen {win}")
        compared += 1
    print(f"windows: {len(formulas)} ({len(formulas) // args.repeat} distinct formulas x {args.repeat}), "
          f"{n_ok} computable with the embedded source")
    print(f"naive (fresh phase diagram per formula): {naive:.3f} s  ({1e3 * naive / len(formulas):.2f} ms/window)")
    print(f"cached (one phase diagram per chemical system): {cached:.3f} s  "
          f"({1e3 * cached / len(formulas):.2f} ms/window)")
    print(f"plain pymatgen (PhaseDiagram + element profile per formula, written here): "
          f"{plain:.3f} s  ({1e3 * plain / len(formulas):.2f} ms/window)")
    print(f"windows agreeing with plain pymatgen to 1e-9 V: {compared} distinct formulas")
    print(f"ratio plain pymatgen / nitrolyte (cached): {plain / cached:.2f}x")
    print(f"speed-up naive/cached: {naive / cached:.2f}x")


if __name__ == "__main__":
    main()
