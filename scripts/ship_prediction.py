"""Ship a predicted structure: copy its CIF into the package with the predicted label, print the entry.

Takes the CIF and the ``--json`` result of ``nitrolyte structure predict`` (or of the same
prediction run from Python) and writes ``src/nitrolyte/data/structures/cif/predicted-FORMULA.cif``
with a header naming method, model, trials and date; prints the ``library.yaml`` entry (kind
``predicted``) to paste. The ML energies of both models then come from
``scripts/compute_ml_energies.py --potential chgnet|sevennet NAME``.

Usage::

    python scripts/ship_prediction.py RESULT.json STRUCTURE.cif [--note TEXT] [--role TEXT]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

CIF_DIR = Path(__file__).resolve().parents[1] / "src" / "nitrolyte" / "data" / "structures" / "cif"


def main(argv: list[str]) -> int:
    from nitrolyte.structures.library import predicted_label

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("result", type=Path, help="the prediction's JSON result")
    parser.add_argument("cif", type=Path, help="the predicted structure (CIF)")
    parser.add_argument("--note", default="", help="what the approximant stands for (in the source)")
    parser.add_argument("--role", default="predicted structure", help="the entry's role")
    args = parser.parse_args(argv)
    r = json.loads(args.result.read_text("utf-8"))
    label = {k: r[k] for k in ("method", "model", "trials", "date")}
    source = predicted_label(label) + (f"; {args.note}" if args.note else "")
    name = f"predicted-{r['formula']}.cif"
    header = "".join(f"# {line}\n" for line in (
        f"PREDICTED structure of {r['formula']} (not a measured structure): nitrolyte structure predict",
        f"method: {r['method']}; model: {r['model']}; trials: {r['trials']}; date: {r['date']}",
        f"space group {r['space_group']} (No. {r['space_group_number']}), {r['n_atoms']} atoms, "
        f"{r['energy_eV_atom']:.4f} eV/atom ({r['model']})"))
    (CIF_DIR / name).write_text(header + args.cif.read_text("utf-8"), encoding="utf-8")
    z = r["n_atoms"] // _atoms_per_fu(r["formula"])
    print(f"- name: {r['formula']} (predicted approximant)\n  formula: {r['formula']}\n  kind: predicted\n"
          f"  cif: {name}\n  Z: {z}\n  predicted: {json.dumps(label)}\n  source: {json.dumps(source, ensure_ascii=False)}\n"
          f"  role: {args.role}")
    return 0


def _atoms_per_fu(formula: str) -> int:
    from pymatgen.core import Composition

    return round(Composition(formula).num_atoms)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
