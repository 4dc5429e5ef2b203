"""The benchmark scripts still run (tiny sizes): their internal cross-checks of the fast path
against plain loops (rel 1e-12) are asserted inside the scripts. No timing is asserted here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.slow
@pytest.mark.parametrize(("script", "args", "expect"), [
    ("bench_cell_sweep.py", ["--designs", "70000", "--axis", "10", "--repeat", "1"],
     "ratio nitrolyte / numba kernel"),
    ("bench_transport.py", ["--n-temperatures", "200", "--loop-sample", "100", "--repeat", "1"],
     "ratio conductivity_table / plain numpy"),
    ("bench_windows.py", ["--repeat", "1"], "ratio plain pymatgen / nitrolyte"),
    ("bench_transport_predict.py", ["--names", "α-Li3N", "--neb-potentials", "lj-toy",
                                    "--min-image", "4", "--neb-images", "3"],
     "ratio plain ASE / nitrolyte"),
    ("bench_startup.py", ["--runs", "1", "--commands", "sigma"], "x import numpy"),
    ("bench_serve.py", ["--clients", "4", "--duration", "0.3", "--max-requests", "40",
                        "--writes", "3"], "12 stored, 0 lost"),
    ("bench_store.py", ["--rows", "300", "--repeat", "1"], "ratio import_file / to_sql time"),
    ("bench_eis.py", ["--n-spectra", "4", "--repeat", "1"], "ratio nitrolyte / impedance.py loop"),
    ("bench_ml_energies.py", ["--relax", "1", "--repeat", "1"], "speed-up naive/cached windows"),
    ("bench_report.py", ["--repeat", "1", "--section", "tables"], "ratio cold / warm"),
    ("bench_md.py", ["--supercells", "1x1x1", "--steps", "4", "--potential", "lj-toy"],
     "peak RSS GB run_md/hand"),
    ("bench_md.py", ["--rss-only", "--supercells", "1x1x1", "--steps", "2", "--potential",
                     "lj-toy"], "run_md peak RSS (GB)"),
    ("bench_graph.py", ["--supercells", "1x1x1", "--repeat", "1"],
     "ratio CHGNet converter / FastGraphConverter"),
    ("bench_md_memory.py", ["--supercells", "1x1x1", "--modes", "chunked+trim", "--evals", "1"],
     "chunked+trim: peak at 2,000 atoms: needs two sizes"),
    ("bench_md_run_length.py", ["--supercell", "1x1x1", "--steps", "40", "--frame-interval-fs",
                                "1", "--window", "5", "--potential", "lj-toy"],
     "ratio growth kept / run_md"),
    ("bench_discover.py", ["--toy", "--max-atoms", "8", "--workers", "2"], "ratio fresh / resumed from cache"),
    ("bench_md_run_length.py", ["--supercell", "1x1x1", "--analysis-frames", "30,60",
                                "--from-file"], "| 8 | 60 | 1 |"),
    ("bench_predict.py", ["--quick"], "recovered (matched or within 10 meV/atom, first model): 2 of 2"),
])
def test_benchmark_runs(script: str, args: list[str], expect: str, tmp_path: Path) -> None:
    env = {**os.environ, "NITROLYTE_DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite'}"}
    done = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True,
                          text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert expect in done.stdout
