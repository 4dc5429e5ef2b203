"""CHGNet's crystal graph: nitrolyte's numpy converter against CHGNet's own converter.

The baseline is what a CHGNet user runs: the model's ``graph_converter`` (pymatgen neighbour list,
C edge bookkeeping, Python line-graph loop). Both are timed on the same structures in the same
run (best of ``--repeat``), and the graphs are checked identical element for element first.

    python benchmarks/bench_graph.py --supercells 3x3x2,4x4x4,8x8x4 --repeat 5
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import best_of

FIELDS = ("atom_graph", "directed2undirected", "undirected2directed", "bond_graph",
          "neighbor_image", "atom_frac_coord", "lattice", "atomic_number")


def main() -> None:
    import torch

    from nitrolyte.simulate.fast_graph import FastGraphConverter
    from nitrolyte.structures import structure
    from nitrolyte.structures.atomistic.potential import load_chgnet

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--supercells", default="3x3x2,4x4x4")
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    torch.set_num_threads(1)
    chgnet = load_chgnet("cpu").graph_converter
    fast = FastGraphConverter(chgnet)
    print(f"{'atoms':>6} {'angles':>9} {'CHGNet ms':>10} {'nitrolyte ms':>13} ratio")
    for text in args.supercells.split(","):
        cell = structure("beta-Li3N") * tuple(int(x) for x in text.split("x"))
        cell.perturb(0.1, min_distance=0.0)
        expected, got = chgnet(cell), fast(cell)
        for field in FIELDS:
            if not torch.equal(getattr(expected, field), getattr(got, field)):
                raise SystemExit(f"graphs differ in {field} for {text}")
        t_chgnet, _ = best_of(lambda c=cell: chgnet(c), args.repeat)
        t_fast, _ = best_of(lambda c=cell: fast(c), args.repeat)
        print(f"{len(cell):>6} {len(got.bond_graph):>9} {1e3 * t_chgnet:>10.1f} "
              f"{1e3 * t_fast:>13.1f} {t_chgnet / t_fast:5.1f}")
    print("ratio CHGNet converter / FastGraphConverter (identical graphs checked)")


if __name__ == "__main__":
    main()
