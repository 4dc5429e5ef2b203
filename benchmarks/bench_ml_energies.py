"""Benchmark: ML relaxations (cold vs cached) and windows of every library formula (cached vs naive).

1. Structures relaxed per second with CHGNet on the CPU (cold: a fresh store, nothing packaged),
   against reading the same results back from the store's cache (a second run).
2. Windows of every valid library formula with ``source="ml"``: nitrolyte's path (one phase diagram
   per chemical system, cached) against what a pymatgen user would write (a fresh ``PhaseDiagram``
   per formula from the same entries). The limits of both are checked to agree (1e-9 V).

Run:  .venv/bin/python benchmarks/bench_ml_energies.py [--relax N] [--repeat N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

#: small cells relaxed in the cold/cached comparison, in order
SMALL = ("LiCl", "Li2S", "α-Li3N", "Li3P", "LiBr", "LiI", "Li2O", "AlN", "β-Li3N", "Li3InCl6")


def relax_rates(n: int) -> tuple[float, float]:
    """Structures per second: cold (relaxed) and cached (read from the store)."""
    from nitrolyte.store import Database
    from nitrolyte.structures.atomistic import relax
    from nitrolyte.structures.atomistic.library_energies import default_potential, relaxation_input
    from nitrolyte.structures.atomistic.relax import relaxed_energy

    names = list(SMALL[:n])
    pot = default_potential()
    structures = [relaxation_input(name) for name in names]
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "bench.sqlite")
        relax.clear_memory()
        t0 = time.perf_counter()
        cold = [relaxed_energy(s, pot, db=db, use_packaged=False) for s in structures]
        t_cold = time.perf_counter() - t0
        relax.clear_memory()
        t0 = time.perf_counter()
        warm = [relaxed_energy(s, pot, db=db, use_packaged=False) for s in structures]
        t_warm = time.perf_counter() - t0
        db.close()
    if [c.energy_per_atom_eV for c in cold] != [w.energy_per_atom_eV for w in warm]:
        raise SystemExit("cached energies differ from the computed ones")
    return len(names) / t_cold, len(names) / t_warm


def _naive_window(formula: str, src: object) -> tuple[float, float]:
    """What a pymatgen user writes: a fresh PhaseDiagram of the system, then its Li profile."""
    from pymatgen.analysis.phase_diagram import PhaseDiagram
    from pymatgen.core import Composition

    from nitrolyte.stability._common import chemsys
    from nitrolyte.stability.window import _window_from_profile, li_profile

    comp = Composition(formula)
    segs = li_profile(comp, PhaseDiagram(src.entries(chemsys(comp))))  # type: ignore[attr-defined]
    idx, _, hi = _window_from_profile(segs)
    if idx is not None:
        return segs[idx].V_low, segs[idx].V_high
    v = segs[hi].V_low if hi is not None else segs[-1].V_high
    return v, v


def windows(repeat: int) -> tuple[float, float, int]:
    """Seconds for every library formula's window: nitrolyte (cached) and naive pymatgen."""
    import math

    from pymatgen.core import Composition

    from nitrolyte.stability import clear_cache, electrochemical_window, resolve_source

    src = resolve_source("ml")
    formulas = [f for f in dict.fromkeys(src.formation["reduced_formula"])
                if not Composition(f).is_element] * repeat
    for f in formulas[:3]:  # warm the imports and the name tables, not the phase diagrams
        electrochemical_window(f, src)
        _naive_window(f, src)
    clear_cache()
    t0 = time.perf_counter()
    ours = [electrochemical_window(f, src) for f in formulas]
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    naive = [_naive_window(f, src) for f in formulas]
    t_naive = time.perf_counter() - t0
    for w, (red, ox) in zip(ours, naive, strict=True):
        same = all(math.isclose(a, b, abs_tol=1e-9) or a == b for a, b in ((w.reduction_V, red),
                                                                          (w.oxidation_V, ox)))
        if not same:
            raise SystemExit(f"window of {w.formula} disagrees: {w.reduction_V, w.oxidation_V} vs {red, ox}")
    return t_ours, t_naive, len(formulas)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relax", type=int, default=len(SMALL), help="small cells to relax (default all)")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the formula list (default 3)")
    args = parser.parse_args()
    cold, cached = relax_rates(max(1, min(args.relax, len(SMALL))))
    print(f"relaxations: cold {cold:.2f} structures/s, cached {cached:.1f} structures/s, "
          f"ratio cached/cold {cached / cold:.0f}x")
    t_ours, t_naive, n = windows(args.repeat)
    print(f"windows: {n} library formulas, nitrolyte {t_ours:.3f} s, naive PhaseDiagram per formula "
          f"{t_naive:.3f} s")
    print(f"speed-up naive/cached windows: {t_naive / t_ours:.2f}x")


if __name__ == "__main__":
    main()
