"""Validation of every library structure before it is used.

Four checks, each with a stated threshold (an entry failing any of them is flagged and left out of
every phase diagram):

* **composition and Z**: the built cell has the declared reduced formula and Z formula units;
* **density**: within :data:`DENSITY_TOL` (2 %) of the published value (handbook density, or the
  X-ray density from the published cell and Z);
* **nearest neighbours**: for every pair of elements the shortest distance is at least
  :data:`NN_MIN_FACTOR` times the sum of their covalent radii, and every atom's nearest neighbour
  is closer than :data:`NN_MAX_FACTOR` times that sum (catches collapsed or exploded cells: an
  S8 typed from memory with S-S = 0.56 Å fails the first);
* **relaxation**: the ML relaxation changes the volume by less than :data:`RELAX_VOLUME_TOL` (5 %).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from pymatgen.core import Structure

    from nitrolyte.structures.library import LibraryEntry

DENSITY_TOL = 0.02
NN_MIN_FACTOR = 0.75
NN_MAX_FACTOR = 1.6
RELAX_VOLUME_TOL = 0.05


@dataclass(frozen=True)
class ValidationResult:
    """Outcome of the checks of one structure.

    Attributes
    ----------
    name : str
        Entry name.
    checks : dict
        ``{check: (passed, detail)}`` for ``composition``, ``density``, ``neighbours`` and, once
        relaxed, ``relaxation``.
    shortest_A : dict
        Shortest distance (Å) per element pair, ``"Li-N": 1.94``.
    """

    name: str
    checks: dict[str, tuple[bool, str]] = field(default_factory=dict)
    shortest_A: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return all(passed for passed, _ in self.checks.values())

    @property
    def failures(self) -> tuple[str, ...]:
        """``"check: detail"`` of each failed check."""
        return tuple(f"{k}: {d}" for k, (p, d) in self.checks.items() if not p)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"name": self.name, "ok": self.ok,
                "checks": {k: {"passed": p, "detail": d} for k, (p, d) in self.checks.items()},
                "shortest_A": dict(self.shortest_A)}


def _radius(symbol: str) -> float:
    from pymatgen.analysis.molecule_structure_comparator import CovalentRadius

    return float(CovalentRadius.radius[symbol])


def shortest_distances(struct: Structure) -> dict[str, float]:
    """Shortest distance (Å) for each element pair present within 6 Å."""
    out: dict[str, float] = {}
    for i, neighbours in enumerate(struct.get_all_neighbors(6.0)):
        a = struct[i].specie.symbol
        for nb in neighbours:
            pair = "-".join(sorted((a, nb.specie.symbol)))
            out[pair] = min(out.get(pair, math.inf), float(nb.nn_distance))
    return dict(sorted(out.items()))


def check_neighbours(struct: Structure) -> tuple[bool, str, dict[str, float]]:
    """The nearest-neighbour check (see module docstring)."""
    short = shortest_distances(struct)
    bad = []
    for pair, d in short.items():
        a, b = pair.split("-")
        floor = NN_MIN_FACTOR * (_radius(a) + _radius(b))
        if d < floor:
            bad.append(f"{pair} {d:.2f} Å < {floor:.2f} Å")
    for i, neighbours in enumerate(struct.get_all_neighbors(6.0)):
        a = struct[i].specie.symbol
        if not neighbours:
            bad.append(f"{a} site {i} has no neighbour within 6 Å")
            continue
        nb = min(neighbours, key=lambda n: n.nn_distance)
        ceiling = NN_MAX_FACTOR * (_radius(a) + _radius(nb.specie.symbol))
        if nb.nn_distance > ceiling:
            bad.append(f"{a} site {i}: nearest neighbour {nb.nn_distance:.2f} Å > {ceiling:.2f} Å")
    detail = "; ".join(bad[:3]) if bad else ", ".join(f"{p} {d:.2f}" for p, d in short.items())
    return not bad, detail, short


def validate_structure(entry: LibraryEntry, struct: Structure,
                       relaxed_volume_ratio: float | None = None) -> ValidationResult:
    """Run the checks on a built structure of an entry.

    Parameters
    ----------
    entry : LibraryEntry
        What the structure claims to be (formula, Z, published density).
    struct : pymatgen.core.Structure
        The built (ordered) cell.
    relaxed_volume_ratio : float, optional
        :math:`V_\\mathrm{relaxed}/V_0` from the ML relaxation; the relaxation check is added when given.
    """
    from pymatgen.core import Composition

    checks: dict[str, tuple[bool, str]] = {}
    want = Composition(entry.formula)
    got = struct.composition
    same = got.reduced_composition.almost_equals(want.reduced_composition, rtol=1e-3)
    if entry.kind in ("cif", "prototype"):
        z = got.num_atoms / want.num_atoms
        ok = same and abs(z - entry.Z) < 1e-6
        checks["composition"] = (ok, f"{got.reduced_formula}, Z = {z:g} (declared {want.reduced_formula}, "
                                     f"Z = {entry.Z})")
    else:
        checks["composition"] = (same, f"{got.reduced_formula} (declared {want.reduced_formula})")
    if not math.isnan(entry.density_g_cm3):
        dev = struct.density / entry.density_g_cm3 - 1
        checks["density"] = (abs(dev) <= DENSITY_TOL,
                             f"{struct.density:.3f} vs published {entry.density_g_cm3:.3f} g/cm3 "
                             f"({100 * dev:+.1f} %)")
    ok_nn, detail, short = check_neighbours(struct)
    checks["neighbours"] = (ok_nn, detail)
    if relaxed_volume_ratio is not None:
        dv = relaxed_volume_ratio - 1
        checks["relaxation"] = (abs(dv) < RELAX_VOLUME_TOL, f"volume {100 * dv:+.1f} % on ML relaxation")
    return ValidationResult(entry.name, checks, short)


def validate_entry(name: str, relaxed_volume_ratio: float | None = None) -> ValidationResult:
    """Build a library entry and run the checks (see :func:`validate_structure`)."""
    from nitrolyte.structures.library import library_entry, library_structure

    entry = library_entry(name)
    return validate_structure(entry, library_structure(entry.name), relaxed_volume_ratio)


def validation_table() -> pd.DataFrame:
    """One row per library entry: name, formula, kind, source, ok, and each check's detail."""
    from nitrolyte.structures.library import library_entries

    rows = []
    for entry in library_entries():
        res = validate_entry(entry.name)
        row = {**entry.to_dict(), "ok": res.ok}
        row.update({f"{k}_ok": p for k, (p, _) in res.checks.items()})
        row.update({k: d for k, (_, d) in res.checks.items()})
        rows.append(row)
    return pd.DataFrame(rows)
