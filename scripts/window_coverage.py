"""Which formulas of the database get a window (default source), from what, and why not.

Prints one line per distinct formula of the literature records (status, window, completeness,
reason) and the counts (docs/stability.md, "The review's formulas answered"); ``--json`` prints the
rows and counts as JSON, ``--markdown`` the still-missing formulas as a table.

Usage::

    python scripts/window_coverage.py [--json | --markdown]
"""

from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str]) -> int:
    from nitrolyte.stability.coverage import coverage_counts, window_coverage

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="rows and counts as JSON")
    parser.add_argument("--markdown", action="store_true", help="the formulas without a structure, as a table")
    args = parser.parse_args(argv)
    rows = window_coverage()
    counts = coverage_counts(rows)
    if args.json:
        print(json.dumps({"counts": counts, "rows": [r.to_dict() for r in rows]}, indent=1))
        return 0
    if args.markdown:
        print("| formula | window (V) | reason |\n| --- | --- | --- |")
        for r in rows:
            if r.status in ("missing structure", "amorphous"):
                window = f"{r.reduction_V:.2f}-{r.oxidation_V:.2f} ({r.completeness})" if r.has_window else "none"
                print(f"| {r.formula} | {window} | {r.reason} |")
        return 0
    for r in rows:
        window = f"{r.reduction_V:.3f}-{r.oxidation_V:.3f} V" if r.has_window else "no window"
        print(f"{r.formula:28s} {r.status:20s} {window:18s} {r.completeness:10s} {r.reason}")
    print(counts)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
