"""BVSE pathway screen: seconds per structure, nitrolyte against bvlain's own pipeline.

Run: ``python benchmarks/bench_transport_predict.py [--repeat 1] [--names α-Li3N ...]``

For each structure (4 to 96 atoms from the library) it times

* ``nitrolyte``: :func:`nitrolyte.transport.bvse.bvse` — bvlain's Li site-energy map, then the
  periodic union-find percolation (1D/2D/3D barriers, dimensionality, ⊥c/∥c barriers);
* ``bvlain``: what a user writes with bvlain alone — ``Lain.read_structure``,
  ``bvse_distribution`` and ``percolation_barriers`` (same grid, 0.2 Å; same cutoff, 5 eV);

and prints both barrier sets, so that the agreement can be read beside the timings.
Target (issue 23): ≤ 10 s per structure of ≤ 100 atoms on one core.
"""

from __future__ import annotations

import argparse
import os
import warnings

from _timing import best_of

from nitrolyte.structures.library import library_structure
from nitrolyte.transport.bvse import ENCUT_EV, R_CUT_A, RESOLUTION_A, bvse

NAMES = ("α-Li3N", "β-Li3N", "α-Li3BN2", "LiSi2N3", "Li6NBr3", "Li3AlN2")


def _bvlain(struct):  # type: ignore[no-untyped-def]
    from bvlain import Lain

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        calc = Lain(verbose=False)
        calc.read_structure(struct.copy())
        calc.bvse_distribution(mobile_ion="Li1+", r_cut=R_CUT_A, resolution=RESOLUTION_A)
        return calc.percolation_barriers(encut=ENCUT_EV)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--names", nargs="*", default=list(NAMES))
    args = parser.parse_args()
    print(f"threads: OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}; best of {args.repeat}")
    _bvlain(library_structure(NAMES[0]))  # imports and first-call costs, untimed
    bvse(library_structure(NAMES[0]))
    print(f"{'structure':10s} {'atoms':>5s} {'nitrolyte s':>11s} {'bvlain s':>9s}  barriers 1D/2D/3D (eV): nitrolyte | bvlain")
    for name in args.names:
        s = library_structure(name)
        t_n, r = best_of(lambda s=s: bvse(s), args.repeat)
        t_b, b = best_of(lambda s=s: _bvlain(s), args.repeat)
        ours = "/".join("-" if v is None else f"{v:.3f}" for v in r.barriers_eV.values())
        theirs = "/".join("-" if v == float("inf") else f"{float(v):.3f}" for v in b.values())
        print(f"{name:10s} {len(s):5d} {t_n:11.2f} {t_b:9.2f}  {ours} | {theirs}")


if __name__ == "__main__":
    main()
