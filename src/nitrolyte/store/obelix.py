"""Read the OBELiX dataset CSV (room-temperature Li-ion conductivities) as user rows.

Private helper of :meth:`nitrolyte.store.Database.import_file` (``format="obelix"``). Columns
used: ``ID``, ``Reduced Composition``, ``Ionic conductivity (S cm-1)`` (values such as
``1.58e-06`` or ``<1E-10``, kept as an upper bound), ``Space group``, ``Family``, ``DOI``.
OBELiX reports room-temperature values; they are stored at 25 C. The data are not shipped.
"""

from __future__ import annotations

import csv
import functools
import re
from pathlib import Path
from typing import Any

from nitrolyte.errors import DataValidationError

_NEEDED = ("ID", "Reduced Composition", "Ionic conductivity (S cm-1)", "Space group", "DOI")
_SCREW = re.compile(r"(?<![-\d])([2346])([1-5])")


@functools.cache
def space_group(symbol: str) -> str:
    """A Hermann-Mauguin symbol pymatgen reads ('P 21 21 21' -> 'P212121'), or '' if none."""
    from pymatgen.symmetry.groups import SpaceGroup

    compact = symbol.replace(" ", "")
    for candidate in (compact, _SCREW.sub(r"\1_\2", compact)):
        try:
            SpaceGroup(candidate)
        except Exception:  # pymatgen raises ValueError or KeyError for unknown symbols
            continue
        return candidate
    return ""


@functools.cache
def formula(text: str) -> str:
    """``text`` if pymatgen can parse it as a composition, else ''."""
    from pymatgen.core import Composition

    try:
        return text if Composition(text).num_atoms > 0 else ""
    except Exception:  # pymatgen raises ValueError, KeyError, ... for odd formulas
        return ""


def obelix_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of the OBELiX CSV in nitrolyte's import format (entries without a value skipped)."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in _NEEDED if c not in (reader.fieldnames or ())]
        if missing:
            raise DataValidationError(f"{path.name} is not an OBELiX file: missing column(s) "
                                      f"{', '.join(missing)}")
        raw = list(reader)
    rows = []
    for r in raw:
        sigma = r["Ionic conductivity (S cm-1)"].strip()
        if not sigma:
            continue
        qualifier = sigma[0] if sigma[0] in "<>~" else ""
        given = r["Space group"].strip()
        group = space_group(given) if given else ""
        note = [f"OBELiX entry {r['ID']}"]
        if r.get("Family"):
            note.append(f"OBELiX family: {r['Family'].strip()}")
        comp = r["Reduced Composition"].strip()
        if not formula(comp):
            note.append("composition not parsable as a formula")
        if given and not group:
            note.append(f"space group as given by OBELiX: {given}")
        rows.append({"material_id": f"obelix-{r['ID'].strip()}",
                     "name": f"{comp} (OBELiX {r['ID'].strip()})",
                     "formula": formula(comp), "space_group": group,
                     "property": "ionic_conductivity", "value": sigma.lstrip("<>~ "),
                     "qualifier": qualifier, "unit": "S/cm", "temperature": 25,
                     "temperature_unit": "C", "method": "OBELiX dataset (room temperature)",
                     "ref": r["DOI"].strip(), "note": "; ".join(note)})
    return rows
