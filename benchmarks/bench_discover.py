"""Benchmark: a discovery campaign's throughput per stage, and its scaling over workers.

1. A fresh campaign over one space (default Li-N-Br, ``--max-atoms 12``) in one process: candidates
   per hour through each stage (relax: ordered approximant relaxed with the default model; stability:
   hull; electrochemistry; air; transport: BVSE), from the campaign's own manifest.
2. The same campaign in a fresh folder with 2 worker processes (``--workers``) or a Dask LocalCluster
   (``--dask``): the ratio of wall times (the scaling on this machine).
3. The rerun of the first campaign from its cache (what a resumed campaign costs), as a ratio.
4. The projection the issue's target is set in: hours for 200 generated candidates through the
   stability and BVSE stages at the measured rate (target <= 2 h on 2 cores).

Run:  nice -n 10 .venv/bin/python benchmarks/bench_discover.py [--space Li-N-Br] [--max-atoms 12]
      (``--toy``: the test suite's stand-in potential, seconds; for the plumbing only)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def _campaign(space: str, max_atoms: int, out: Path, workers: int, dask: bool,
              processes: bool = True) -> tuple[float, dict]:
    from nitrolyte.discover.run import run_discovery
    from nitrolyte.discover.space import parse_space
    from nitrolyte.discover.stages import Settings

    t0 = time.perf_counter()
    scheduler = None
    cluster = None
    if dask:
        from dask.distributed import LocalCluster

        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes, dashboard_address=":0")
        scheduler = cluster.scheduler_address
    try:
        result = run_discovery([parse_space(space)], Settings(max_atoms=max_atoms, committee=False), out=out,
                          workers=workers, scheduler=scheduler, progress=False)
    finally:
        if cluster is not None:
            cluster.close()
    return time.perf_counter() - t0, result.manifest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--space", default="Li-N-Br")
    ap.add_argument("--max-atoms", type=int, default=12)
    ap.add_argument("--workers", type=int, default=2, help="workers of the scaling run")
    ap.add_argument("--dask", action="store_true", help="scaling run on a Dask LocalCluster")
    ap.add_argument("--toy", action="store_true", help="stand-in potential (tests/discover_toy.py)")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if args.toy:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        import nitrolyte.structures.predict.model as model_mod
        from discover_toy import TableToy

        model_mod.default_model = lambda device="cpu": TableToy()
        if args.workers > 1 and not args.dask:
            print("note: --toy runs the scaling campaign on Dask threads (worker processes would load the real model)")
            args.dask = True
    with tempfile.TemporaryDirectory() as tmp:
        one_s, m1 = _campaign(args.space, args.max_atoms, Path(tmp) / "one", 1, False)
        print(f"campaign {args.space}, max {args.max_atoms} atoms, model {m1['default_model']}: "
              f"{m1['n_generated']} candidates, {m1['n_candidates']} within the hull, {one_s:.1f} s (1 process)")
        print("| stage | in | wall (s) | candidates per hour |")
        print("|---|---|---|---|")
        for stage, c in m1["stages"].items():
            rate = 3600.0 * c["in"] / c["wall_s"] if c["wall_s"] > 0 else float("inf")
            print(f"| {stage} | {c['in']} | {c['wall_s']:.1f} | {rate:.0f} |")
        resume_s, _ = _campaign(args.space, args.max_atoms, Path(tmp) / "one", 1, False)
        print(f"ratio fresh / resumed from cache: {one_s / resume_s:.1f}x ({resume_s:.2f} s)")
        many_s, _ = _campaign(args.space, args.max_atoms, Path(tmp) / "many", args.workers, args.dask,
                              processes=not args.toy)
        how = "Dask LocalCluster" if args.dask else "process pool"
        print(f"ratio 1 worker / {args.workers} workers ({how}): {one_s / many_s:.2f}x "
              f"({one_s:.1f} s vs {many_s:.1f} s)")
        st = m1["stages"]
        per_candidate = (st["relax"]["wall_s"] + st["stability"]["wall_s"]) / max(st["relax"]["in"], 1) \
            + st["transport"]["wall_s"] / max(st["transport"]["in"], 1)
        print(f"projection: 200 candidates through relax, stability and BVSE: {200 * per_candidate / 3600:.2f} h "
              f"in one process (target <= 2 h on 2 cores)")


if __name__ == "__main__":
    main()
