"""Benchmark: the HTML report's build time, cold (no figure cache) and warm, and its size.

Each build is ``nitrolyte report --out DIR`` in a fresh process, as a user runs it (imports and
database start-up included). Cold: an empty figure cache (``$NITROLYTE_CACHE_DIR/report-figures``
removed, with the stability results kept in its ``results/`` folder), so every static figure is
drawn and every window computed. Warm: the same data again, so figures are copied and the
stability work read from the cache (target: warm <= half of cold, issue 24 item 6). The baseline of the ratio is the cold build; a third build, ``--jobs 1 --no-cache``
(one process, everything drawn, as the report was built before the cache and the workers), is
printed next to it. All three keep the rest of ``$NITROLYTE_CACHE_DIR`` (the once-per-data
validation results of :mod:`nitrolyte.data.cache`, written by the first command a user runs on
an installation), as a user's second command finds it. A fourth build, "first run", starts with
an empty ``$NITROLYTE_CACHE_DIR`` altogether: the very first command after installing. The builds
must write byte-identical files: the script checks that and exits 1 if not.

Run:  .venv/bin/python benchmarks/bench_report.py [--repeat N] [--section NAME ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def build(out: Path, cache: Path, extra: list[str], env: dict[str, str]) -> float:
    """Wall seconds of one ``nitrolyte report`` run in a new process (``cache``: its
    ``$NITROLYTE_CACHE_DIR``)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "nitrolyte", "report", "--out", str(out),
                           "--no-progress", *extra], capture_output=True, text=True,
                          env={**env, "NITROLYTE_CACHE_DIR": str(cache)})
    seconds = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"error: nitrolyte report --out {out} {' '.join(extra)} failed "
                 f"(exit {done.returncode}):\n{done.stderr}")
    return seconds


def tree(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="builds of each kind; best is kept")
    parser.add_argument("--section", action="append", default=[],
                        help="build only this section (repeatable; default all)")
    args = parser.parse_args()
    extra = [a for s in args.section for a in ("--section", s)]
    env = dict(os.environ)
    work = Path(tempfile.mkdtemp(prefix="nitrolyte-bench-report-"))
    env.setdefault("NITROLYTE_DATABASE_URL", f"sqlite:///{work / 'bench.sqlite'}")
    try:
        cache = work / "cache"
        build(work / "seed", cache, extra, env)  # seeds the database and the data cache once
        cold, warm, plain, first = [], [], [], []
        for i in range(max(1, args.repeat)):
            shutil.rmtree(cache / "report-figures", ignore_errors=True)
            cold.append(build(work / f"cold{i}", cache, extra, env))
            warm.append(build(work / f"warm{i}", cache, extra, env))
            plain.append(build(work / f"plain{i}", cache, [*extra, "--jobs", "1", "--no-cache"],
                               env))
            first.append(build(work / f"first{i}", work / f"empty-cache{i}", extra, env))
        same = all(tree(work / "cold0") == tree(work / f"{kind}0")
                   for kind in ("warm", "plain", "first"))
        files = tree(work / "cold0")
        page = len(files.get("index.html", b""))
        total = sum(len(b) for b in files.values())
        print(f"cold build (no figure cache)      : {min(cold):6.2f} s")
        print(f"warm build (figure cache)         : {min(warm):6.2f} s")
        print(f"ratio cold / warm                 : {min(cold) / min(warm):6.2f}")
        print(f"one process, no cache (baseline)  : {min(plain):6.2f} s "
              f"(ratio to cold {min(plain) / min(cold):.2f})")
        print(f"first run (empty cache folder)    : {min(first):6.2f} s")
        print(f"page size index.html              : {page / 1e6:6.2f} MB")
        print(f"report size (all {len(files)} files)     : {total / 1e6:6.2f} MB "
              f"(plotly.min.js {len(files.get('plotly.min.js', b'')) / 1e6:.2f} MB)")
        print(f"all builds byte-identical         : {same}")
        if not same:
            sys.exit(1)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
