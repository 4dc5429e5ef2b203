"""Library entries built from the AFLOW crystallographic prototype library shipped with pymatgen.

pymatgen ships ``pymatgen/analysis/prototypes/aflow_prototypes.json.gz``: 288 prototypes of the
AFLOW Library of Crystallographic Prototypes (M. J. Mehl et al., Comput. Mater. Sci. 136, S1
(2017), doi:10.1016/j.commatsci.2017.01.017), each with the lattice parameters and Wyckoff
positions of its original crystallographic paper (cited inside each record). An ``aflow`` entry of
``library.yaml`` names one prototype by its AFLOW label and formula, and optionally

* ``substitute``: an isostructural substitution ``{Al: In}`` (the structure type is documented for
  the substituted compound; fractional coordinates stay those of the prototype);
* ``cell``: the published conventional cell ``[a, b, c, alpha, beta, gamma]`` of the substituted
  compound (Å, degrees), which replaces the prototype's cell at fixed fractional coordinates;
* ``scale_to_density: true``: no published cell is at hand, so the cell is scaled isotropically to
  the published density (the density check then holds by construction and the ML relaxation check,
  volume change < 5 %, is the test of the entry).

Nothing here is typed from memory: coordinates come from the shipped prototype file, cells and
densities from the sources cited per entry.
"""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING, Any

from nitrolyte.errors import DataValidationError

if TYPE_CHECKING:
    from pymatgen.core import Structure

#: the shipped prototype library (paper of record)
AFLOW_DOI = "10.1016/j.commatsci.2017.01.017"


@functools.cache
def _prototypes() -> tuple[dict[str, Any], ...]:
    """The raw records (plain JSON: decoding them as StructureNL objects parses BibTeX and is slow)."""
    import gzip
    import importlib.util
    import json

    # located, not imported: importing pymatgen.analysis.prototypes decodes the whole file as
    # StructureNL objects at import time (~5 s)
    spec = importlib.util.find_spec("pymatgen.analysis")
    folder = spec.submodule_search_locations[0] if spec and spec.submodule_search_locations else ""
    path = os.path.join(folder, "prototypes", "aflow_prototypes.json.gz")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return tuple(json.load(fh))


def _formula(rec: dict[str, Any]) -> str:
    from pymatgen.core import Composition

    counts: dict[str, float] = {}
    for site in rec["snl"]["sites"]:
        for sp in site["species"]:
            counts[sp["element"]] = counts.get(sp["element"], 0) + sp["occu"]
    return Composition(counts).reduced_formula


def prototype_record(label: str, formula: str) -> dict[str, Any]:
    """The AFLOW record of a label and the prototype's reduced formula (``"AB3_mC16_12_g_ij"``, ``"AlCl3"``).

    Returns
    -------
    dict
        ``structure`` (pymatgen ``Structure`` as stored, usually the primitive cell),
        ``references`` (BibTeX of the original paper and of the AFLOW library) and ``tags``.

    Raises
    ------
    DataValidationError
        When pymatgen's prototype file holds no such prototype.
    """
    from pymatgen.core import Composition, Structure

    want = Composition(formula).reduced_formula
    for rec in _prototypes():
        if rec["tags"]["aflow"] == label and _formula(rec) == want:
            snl = {k: v for k, v in rec["snl"].items() if k != "about"}
            return {"structure": Structure.from_dict(snl), "references": rec["snl"]["about"]["references"],
                    "tags": rec["tags"]}
    raise DataValidationError(f"structures/library.yaml: no AFLOW prototype {label} ({formula}) "
                              "in pymatgen's aflow_prototypes.json.gz")


def record_json(label: str, formula: str) -> bytes:
    """The stored record as canonical JSON bytes (part of the entry's build hash)."""
    import json

    from pymatgen.core import Composition

    want = Composition(formula).reduced_formula
    rec = next((r for r in _prototypes() if r["tags"]["aflow"] == label and _formula(r) == want), None)
    if rec is None:
        prototype_record(label, formula)  # raises the one-line error
    return json.dumps(rec, sort_keys=True).encode()


def original_reference(label: str, formula: str) -> str:
    """Author, year, title and journal of the paper an AFLOW prototype is taken from."""
    import re

    refs = prototype_record(label, formula)["references"]
    first = refs.split("@", 2)[1] if refs.count("@") >= 1 else refs
    get = {k: (re.search(rf"{k}\s*=\s*[\"{{]([^\"}}]+)", first) or [None, ""])[1].strip()
           for k in ("author", "year", "title", "journal")}
    return f"{get['author']} ({get['year']}), {get['title']}, {get['journal']}".strip(", ")


def aflow_structure(spec: dict[str, Any]) -> Structure:
    """Build an ``aflow`` library entry: prototype, substitution, published cell or density.

    Parameters
    ----------
    spec : dict
        ``aflow`` (label), ``prototype`` (the prototype's formula), optional ``substitute``
        (``{old: new}``), ``cell`` (conventional a, b, c in Å, angles in degrees),
        ``scale_to_density`` with ``density_g_cm3`` (g/cm3).

    Returns
    -------
    pymatgen.core.Structure
        The conventional standard cell.
    """
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    struct = prototype_record(spec["aflow"], spec["prototype"])["structure"]
    struct = SpacegroupAnalyzer(struct, symprec=0.01).get_conventional_standard_structure()
    return substituted(struct, spec)


def substituted(struct: Structure, spec: dict[str, Any]) -> Structure:
    """Apply an entry's ``substitute``, ``cell`` and ``scale_to_density`` to a built cell (a copy).

    Used for ``aflow`` entries and for ``cif`` entries that are isostructural substitutions of a
    shipped CIF (Li3GaN2 from Li3AlN2).
    """
    from pymatgen.core import Lattice
    from pymatgen.core import Structure as _Structure

    struct = struct.copy()
    if spec.get("substitute"):
        struct.replace_species({str(k): str(v) for k, v in spec["substitute"].items()})
    if spec.get("cell"):
        lattice = Lattice.from_parameters(*[float(x) for x in spec["cell"]])
        struct = _Structure(lattice, struct.species, struct.frac_coords)
    if spec.get("scale_to_density"):
        rho = float(spec["density_g_cm3"])
        struct.scale_lattice(float(struct.volume) * float(struct.density) / rho)
    return struct
