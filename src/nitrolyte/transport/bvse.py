"""Bond-valence site energy (BVSE) of Li and its percolation barriers: a pathway screen in seconds.

The Li site energy on a grid (Morse-type bond-valence term plus screened Coulomb repulsion from
the cations, softBV parameters of Chen & Adams) comes from ``bvlain`` (MIT licence); the
percolation barriers for 1D, 2D and 3D migration from :mod:`nitrolyte.transport.percolation`.

What the number is: the energy (eV) above the lowest Li site at which a connected path of low
site energy first spans the crystal. It is a *migration* barrier of the static framework, not a
measured activation energy (no defect formation, grain boundaries or disorder).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from nitrolyte.errors import InputError

if TYPE_CHECKING:
    from pymatgen.core import Structure

    from nitrolyte.store.database import DatabaseLike

#: what ``Ea_eV`` of a BVSE result is, printed beside every value
QUANTITY = ("BVSE percolation barrier of Li migration — not a measured Ea: no defect formation, "
            "grain boundaries or disorder")
METHOD = "BVSE"
#: grid spacing (Å), Coulomb screening factor and cutoff (Å) of the site-energy map
RESOLUTION_A = 0.2
R_CUT_A = 10.0
ENCUT_EV = 5.0


@dataclass(frozen=True)
class BVSEResult:
    """Percolation barriers (eV) of Li in one structure and the site-energy map behind them."""

    formula: str
    barriers_eV: dict[str, float | None]
    periods: dict[str, list[list[int]]]
    dimensionality: int
    energy: np.ndarray = field(repr=False)
    lattice_abc_A: tuple[float, float, float]
    axis_barriers_eV: dict[str, float | None]

    @property
    def Ea_eV(self) -> float | None:
        """The lowest percolation barrier (eV), ``None`` when nothing percolates below the cutoff."""
        found = [v for v in self.barriers_eV.values() if v is not None]
        return min(found) if found else None

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` payload (docs/transport.md)."""
        return {"Ea_eV": self.Ea_eV, "method": METHOD, "quantity": QUANTITY,
                "formula": self.formula, "dimensionality": self.dimensionality,
                "barriers_eV": dict(self.barriers_eV), "periods": dict(self.periods),
                "axis_barriers_eV": dict(self.axis_barriers_eV),
                "grid": list(self.energy.shape), "resolution_A": RESOLUTION_A,
                "engine": _engine_version()}


def _engine_version() -> str:
    from importlib.metadata import version

    return f"bvlain-{version('bvlain')}"


def check_li(struct: Structure, method: str = METHOD) -> None:
    """InputError unless ``struct`` holds Li (every method from a structure maps Li migration)."""
    if "Li" not in {el.symbol for el in struct.composition.elements}:
        raise InputError(f"structure: {struct.composition.reduced_formula} has no Li "
                         f"({method} here maps Li migration; a Li-containing structure is required)")


def site_energy(struct: Structure, resolution: float = RESOLUTION_A) -> np.ndarray:
    """The Li BVSE map (eV) on a grid along a, b, c (spacing ≈ ``resolution`` Å)."""
    from bvlain import Lain

    check_li(struct)
    calc = Lain(verbose=False)
    # bvlain prints its own messages ("Oops. ..."): kept off stdout, which may carry --json
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        _read(calc, struct)
        try:
            return np.asarray(calc.bvse_distribution(mobile_ion="Li1+", r_cut=R_CUT_A,
                                                     resolution=resolution), dtype=float)
        except KeyError as exc:  # the atomic number of a species without softBV parameters
            raise InputError(f"structure: no softBV bond-valence parameters for Li+ with "
                             f"{_species(calc, exc.args[0] if exc.args else None)} in "
                             f"{struct.composition.reduced_formula}") from None


def _species(calc: Any, Z: Any) -> str:
    """``"P3-"``: the decorated species of atomic number ``Z`` (or the number as given)."""
    try:
        return next(str(site.specie) for site in calc.st if int(Z) == site.specie.Z)
    except (StopIteration, TypeError, ValueError, AttributeError):
        return f"element {Z}"


def _read(calc: Any, struct: Structure) -> None:
    """Oxidation states by bond valence (pymatgen's BVAnalyzer): bvlain's default forbids P3- (right
    for phosphates); a phosphide (Li3P) only balances with it, so it is allowed on a second try."""
    last = ""
    for forbidden in (["O-", "P3-"], ["O-"]):
        try:
            calc.read_structure(struct.copy(), forbidden_species=forbidden)
            return
        except ValueError as exc:
            last = str(exc).splitlines()[0] if str(exc) else "no charge-balanced assignment"
    raise InputError(f"structure: no bond-valence oxidation states for "
                     f"{struct.composition.reduced_formula} ({last})")


def bvse(struct: Structure, resolution: float = RESOLUTION_A, encut: float = ENCUT_EV) -> BVSEResult:
    """BVSE percolation barriers of Li in ``struct`` (ordered pymatgen Structure).

    Raises
    ------
    InputError
        No Li in the structure, or no bond-valence oxidation states for it.
    """
    from nitrolyte.transport.percolation import percolation

    energy = site_energy(struct, resolution)
    perc = percolation(energy, encut=encut)
    return BVSEResult(struct.composition.reduced_formula, perc.barriers_eV, perc.periods,
                      perc.dimensionality, energy, tuple(float(x) for x in struct.lattice.abc),
                      perc.axis_barriers_eV)


def _ordered(struct: Structure) -> Structure:
    if struct.is_ordered:
        return struct
    from nitrolyte.structures.ordering import order_structure

    return order_structure(struct, struct.composition.reduced_formula)


def resolve_structure(spec: str, db: DatabaseLike | None = None) -> tuple[str, Structure]:
    """(name, ordered Structure) of a library/user entry name or formula, or a CIF path.

    A path (it exists, or ends in ``.cif``) is read with :func:`nitrolyte.structures.library.read_cif`
    (one ``InputError`` line for a broken file); anything else is looked up in the structure
    library: shipped entries, then the user's own (``nitrolyte structure NAME --cif FILE``) in the
    default database or in ``db`` (``UnknownMaterialError`` with close names).
    """
    from pathlib import Path

    from nitrolyte.errors import UnknownMaterialError
    from nitrolyte.structures.library import all_entries, library_entry, library_structure, read_cif

    p = Path(spec)
    if p.suffix.lower() == ".cif" or p.is_file():
        return p.stem, _ordered(read_cif(p))
    try:
        entry = library_entry(spec, db)  # shipped entries, then the user's own in db only
    except UnknownMaterialError:
        if db is None:
            raise
        raise UnknownMaterialError(spec, [e.name for e in all_entries(db)]) from None
    if db is None or entry.kind != "user":
        return entry.name, library_structure(entry.name, db)
    from pymatgen.core import Structure as _Structure

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return entry.name, _ordered(_Structure.from_str(entry.spec["cif_text"], fmt="cif"))


def store_bvse(name: str, result: BVSEResult, db: DatabaseLike | None = None) -> dict[str, Any]:
    """Store ``result`` as a ``BVSE`` simulation measurement set of ``name`` (a fit, no σ point).

    The set's ``Ea_eV`` is the percolation barrier; ``method_details`` carries the engine, the
    quantity text and all barriers, so every table labels it a simulation (``provenance.py``).
    """
    if result.Ea_eV is None:
        raise InputError(f"structure: no Li percolation below {ENCUT_EV:g} eV in {result.formula}; "
                         "nothing to store")
    d = result.to_dict()
    details = {"model": "bvlain", "version": d["engine"], "quantity": QUANTITY,
               "barriers_eV": d["barriers_eV"], "dimensionality": d["dimensionality"],
               "axis_barriers_eV": d["axis_barriers_eV"], "resolution_A": RESOLUTION_A}
    return store_estimate(name, result.formula, METHOD, {"Ea_eV": result.Ea_eV, "law": "BVSE"},
                          details, f"simulation: {QUANTITY}", db)


def store_estimate(name: str, formula: str, method: str, fit: dict[str, Any],
                   details: dict[str, Any], note: str, db: DatabaseLike | None = None) -> dict[str, Any]:
    """Store a transport estimate from a structure (BVSE, NEB, hot MD) as a simulation set of
    ``name``: a fit (``Ea_eV`` and what goes with it), no σ point; ``details`` must name the
    ``model``, its ``version`` and the ``quantity`` (what the Ea is), so every table labels it.
    """
    from nitrolyte.api import database

    res = database(db).add_measurement_set(name, formula=formula, points=[], fit=fit,
                                           method=method, method_details=details, note=note)
    return res.to_dict()  # type: ignore[no-any-return]


def store_barrier(name: str, formula: str, Ea_eV: float, method: str, details: dict[str, Any],
                  quantity: str, db: DatabaseLike | None = None) -> dict[str, Any]:
    """Store a simulated barrier (eV, e.g. NEB) through :func:`store_estimate`: a fit with
    ``Ea_eV`` and no σ point, ``details`` naming ``model`` and ``version``, ``quantity`` what it is."""
    return store_estimate(name, formula, method, {"Ea_eV": Ea_eV, "law": method},
                          {**details, "quantity": details.get("quantity", quantity)},
                          f"simulation: {quantity}", db)


def stored_estimate(name: str, method: str, db: DatabaseLike | None = None) -> dict[str, Any] | None:
    """The newest stored simulation set of ``name`` with ``method`` (``"NEB"``, ``"MD"``,
    ``"BVSE"``) that has a fit: ``{"set_id", "Ea_eV", "fit", "details"}``; None when there is none
    (or ``name`` is not in the database)."""
    import json

    from nitrolyte.api import database
    from nitrolyte.errors import NitrolyteError

    try:
        sets = database(db).measurement_sets(name)
    except NitrolyteError:
        return None
    for _, row in sets[sets["method"] == method].iloc[::-1].iterrows():
        fit = json.loads(row["fit"]) if isinstance(row["fit"], str) else row["fit"]
        if isinstance(fit, dict) and fit.get("Ea_eV") is not None:
            details = row["method_details"]
            details = json.loads(details) if isinstance(details, str) else (details or {})
            return {"set_id": int(row["set_id"]), "Ea_eV": float(fit["Ea_eV"]), "fit": fit,
                    "details": details}
    return None
