"""Print (and with --write, store) the validation table of docs/transport.md: BVSE, and the NEB and
hot-MD sets stored in the database, beside the review's measured Ea.

    PYTHONPATH=src python scripts/bvse_validation.py [--write] [--db PATH]

Same code path as ``nitrolyte transport NAME --method bvse --json``. ``--write`` recomputes the
BVSE values of every shipped candidate (``src/nitrolyte/data/bvse_validation.json``, used by the
report) and rewrites the table between the markers in docs/transport.md. After new structures
arrive in the library (predicted ones included), rerun it with --write.
"""

import argparse
import json
import re
from pathlib import Path

from nitrolyte.transport.bvse_validation import CACHE_FILE, fresh_values, markdown, validation_rows

ROOT = Path(__file__).resolve().parents[1]
MARK = "<!-- bvse-validation-table -->", "<!-- /bvse-validation-table -->"

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--db", default=None)
    args = ap.parse_args()
    if args.write:
        doc = json.dumps(fresh_values(), indent=1, sort_keys=True, ensure_ascii=False)
        (ROOT / "src" / "nitrolyte" / "data" / CACHE_FILE).write_text(doc + "\n", encoding="utf-8")
    table = markdown(validation_rows(db=args.db))
    print(table)
    if args.write:
        page = ROOT / "docs" / "transport.md"
        text = page.read_text(encoding="utf-8")
        new = re.sub(re.escape(MARK[0]) + ".*?" + re.escape(MARK[1]),
                     lambda _: f"{MARK[0]}\n{table}\n{MARK[1]}", text, flags=re.S)
        page.write_text(new, encoding="utf-8")
