"""The structure library: published crystal structures, each with its source, built and validated.

Entries live in ``data/structures/library.yaml`` (experimental CIFs from OBELiX, pymatgen-built
prototypes of standard structure types, and gas-phase molecules). :func:`library_structure` builds
the pymatgen ``Structure`` of an entry; partially occupied sites are replaced by an ordered
approximant (:func:`order_structure`). :func:`read_cif` imports a user's own CIF with one clear
error line when the file is bad.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from nitrolyte.errors import DataValidationError, InputError, NitrolyteError, UnknownMaterialError
from nitrolyte.names import name_key

if TYPE_CHECKING:
    from pymatgen.core import Structure

Kind = Literal["cif", "prototype", "molecule", "user"]
_KINDS = ("cif", "prototype", "molecule")
#: edge of the cubic box a molecule sits in (Å): beyond CHGNet's 5 Å graph cutoff for images
MOLECULE_BOX_A = 12.0
#: random orderings tried per disordered structure (the lowest Ewald energy is kept)
N_ORDERINGS = 24
#: formal oxidation states used to order partially occupied sites electrostatically
OXIDATION_STATES: dict[str, int] = {
    "Li": 1, "Na": 1, "Mg": 2, "B": 3, "Al": 3, "Ga": 3, "In": 3, "Y": 3, "Si": 4, "Ge": 4,
    "C": 4, "P": 5, "N": -3, "O": -2, "S": -2, "F": -1, "Cl": -1, "Br": -1, "I": -1,
}


@dataclass(frozen=True)
class LibraryEntry:
    """One structure of the library.

    Attributes
    ----------
    name : str
        Display name (``"β-Li3N"``).
    formula : str
        Declared formula of one formula unit (``"Li3N"``).
    kind : {"cif", "prototype", "molecule", "user"}
        How the structure is built.
    Z : int
        Formula units per cell as published (0 for molecules).
    density_g_cm3 : float
        Published density (g/cm3): handbook value, or from the published cell and Z; NaN for molecules.
    source, doi, role : str
        Where the structure comes from, its DOI, and why it is in the library.
    spec : dict
        What the builder needs (CIF file name, or space group, cell and sites, or atoms).
    """

    name: str
    formula: str
    kind: Kind
    Z: int
    density_g_cm3: float
    source: str
    doi: str = ""
    role: str = ""
    spec: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (without the builder spec)."""
        d = {k: getattr(self, k) for k in ("name", "formula", "kind", "Z", "source", "doi", "role")}
        d["density_g_cm3"] = None if math.isnan(self.density_g_cm3) else self.density_g_cm3
        return d


def _cell_volume_A3(a: float, b: float, c: float, al: float, be: float, ga: float) -> float:
    ca, cb, cg = (math.cos(math.radians(x)) for x in (al, be, ga))
    return a * b * c * math.sqrt(1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg)


def published_density(formula: str, Z: int, cell: list[float]) -> float:
    """X-ray density (g/cm3) from a published cell and Z.

    .. math:: \\rho = \\frac{Z M}{N_A V}
    """
    from pymatgen.core import Composition
    from scipy.constants import Avogadro

    return Z * Composition(formula).weight / (Avogadro * _cell_volume_A3(*cell) * 1e-24)


def _entry(i: int, raw: dict[str, Any]) -> LibraryEntry:
    where = f"structures/library.yaml entry {i + 1} ({raw.get('name', '?')})"
    for col in ("name", "formula", "kind", "source"):
        if not raw.get(col):
            raise DataValidationError(f"{where}: field {col!r} is required")
    if raw["kind"] not in _KINDS:
        raise DataValidationError(f"{where}: kind must be one of {', '.join(_KINDS)}, got {raw['kind']!r}")
    if raw["kind"] == "cif":
        rho = published_density(raw["formula"], int(raw["Z"]), [float(x) for x in raw["published_cell"]])
    elif raw["kind"] == "prototype":
        rho = float(raw["density_g_cm3"])
    else:
        rho = math.nan
    spec = {k: v for k, v in raw.items() if k not in ("name", "formula", "kind", "Z", "source", "doi",
                                                     "role", "density_g_cm3")}
    return LibraryEntry(str(raw["name"]), str(raw["formula"]), raw["kind"], int(raw.get("Z", 0)), rho,
                        str(raw["source"]), str(raw.get("doi", "")), str(raw.get("role", "")), spec)


@functools.cache
def library_entries() -> tuple[LibraryEntry, ...]:
    """Every entry of the shipped library (validated for form, not yet for physics)."""
    import yaml

    text = resources.files("nitrolyte.data").joinpath("structures/library.yaml").read_text("utf-8")
    return tuple(_entry(i, raw) for i, raw in enumerate(yaml.safe_load(text)))


USER_NAMESPACE = "user_structures"
_INDEX_KEY = "__index__"


def _open_db(db: Any) -> Any:
    if db is not None:
        return db
    from nitrolyte.store import Database

    return Database()


def user_entries(db: Any = None) -> tuple[LibraryEntry, ...]:
    """Structures the user added with :func:`add_user_structure` (kept in the store's cache)."""
    store = _open_db(db)
    index = store.cache_get(USER_NAMESPACE, _INDEX_KEY) or {"names": []}
    out = []
    for name in index["names"]:
        raw = store.cache_get(USER_NAMESPACE, name)
        if raw is not None:
            out.append(LibraryEntry(raw["name"], raw["formula"], "user", int(raw["Z"]), math.nan,
                                    raw["source"], "", "user structure", {"cif_text": raw["cif"]}))
    return tuple(out)


def add_user_structure(name: str, cif: str | Path, *, db: Any = None) -> LibraryEntry:
    """Add the user's own CIF to the library under ``name`` (stored in the database).

    The structure is read (partial occupancies are ordered), its nearest-neighbour distances are
    checked, and it is stored; the ``ml`` energy source relaxes it on first use.

    Raises
    ------
    InputError
        For an empty name, a name of a shipped entry, a bad CIF, or a failed neighbour check.
    """
    from nitrolyte.structures.validate import check_neighbours

    if not isinstance(name, str) or not name.strip():
        raise InputError(f"name must be a non-empty string, got {name!r}")
    name = name.strip()
    if any(name_key(e.name) == name_key(name) for e in library_entries()):
        raise InputError(f"name {name!r} is a shipped library entry; choose another name")
    struct = read_cif(cif)
    formula = struct.composition.reduced_formula
    if not struct.is_ordered:
        struct = order_structure(struct, formula)
    ok, detail, _ = check_neighbours(struct)
    if not ok:
        raise InputError(f"cif: {Path(cif).name} fails the nearest-neighbour check ({detail})")
    z = round(struct.composition.num_atoms / struct.composition.reduced_composition.num_atoms)
    store = _open_db(db)
    store.cache_put(USER_NAMESPACE, name, {"name": name, "formula": formula, "Z": z,
                                           "source": f"user CIF {Path(cif).name}", "cif": struct.to(fmt="cif")})
    index = store.cache_get(USER_NAMESPACE, _INDEX_KEY) or {"names": []}
    if name not in index["names"]:
        store.cache_put(USER_NAMESPACE, _INDEX_KEY, {"names": [*index["names"], name]})
    _built.cache_clear()
    return LibraryEntry(name, formula, "user", z, math.nan, f"user CIF {Path(cif).name}", "",
                        "user structure", {})


def all_entries(db: Any = None) -> tuple[LibraryEntry, ...]:
    """Shipped entries followed by the user's own (:func:`user_entries`)."""
    try:
        return library_entries() + user_entries(db)
    except NitrolyteError:  # no usable database: the shipped library still works
        return library_entries()


def _find(entries: tuple[LibraryEntry, ...], key: str) -> LibraryEntry | None:
    return (next((e for e in entries if name_key(e.name) == key), None)
            or next((e for e in entries if name_key(e.formula) == key), None))


def library_entry(name: str) -> LibraryEntry:
    """The entry of a name (Greek or ASCII spelling, case-insensitive; also the formula).

    Shipped entries first, then the user's own (:func:`add_user_structure`).
    """
    key = name_key(str(name))
    found = _find(library_entries(), key)
    if found is None:
        found = _find(all_entries(), key)
    if found is None:
        raise UnknownMaterialError(str(name), [e.name for e in library_entries()])
    return found


def _cif_structure(filename: str) -> Structure:
    with resources.as_file(resources.files("nitrolyte.data").joinpath(f"structures/cif/{filename}")) as p:
        return read_cif(p)


def _prototype(spec: dict[str, Any]) -> Structure:
    from pymatgen.core import Lattice
    from pymatgen.core import Structure as _Structure

    lattice = Lattice.from_parameters(*[float(x) for x in spec["cell"]])
    species = [s[0] for s in spec["sites"]]
    coords = [[float(x) for x in s[1:4]] for s in spec["sites"]]
    return _Structure.from_spacegroup(spec["space_group"], lattice, species, coords)


def _molecule(spec: dict[str, Any]) -> Structure:
    import numpy as np
    from pymatgen.core import Lattice
    from pymatgen.core import Structure as _Structure

    xyz = np.array([[float(x) for x in a[1:4]] for a in spec["atoms"]])
    xyz = xyz - xyz.mean(axis=0) + MOLECULE_BOX_A / 2
    return _Structure(Lattice.cubic(MOLECULE_BOX_A), [a[0] for a in spec["atoms"]], xyz,
                      coords_are_cartesian=True)


def _user_structure(text: str) -> Structure:
    from pymatgen.io.cif import CifParser

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CifParser.from_str(text).parse_structures(primitive=False)[0]


_BUILDERS = {
    "user": lambda e: _user_structure(e.spec["cif_text"]),
    "cif": lambda e: _cif_structure(e.spec["cif"]),
    "prototype": lambda e: _prototype(e.spec),
    "molecule": lambda e: _molecule(e.spec),
}


@functools.cache
def _built(name: str) -> Structure:
    entry = library_entry(name)
    struct = _BUILDERS[entry.kind](entry)
    if not struct.is_ordered:
        struct = order_structure(struct, entry.formula)
    return struct


#: bump when the builders or the ordering change (invalidates packaged ML energies)
BUILD_VERSION = "1"


def entry_hash(name: str) -> str:
    """SHA-256 of what an entry's structure is built from (spec, CIF bytes, builder version)."""
    import hashlib
    import json

    entry = library_entry(name)
    payload = json.dumps([BUILD_VERSION, entry.formula, entry.kind, entry.Z, entry.spec],
                         sort_keys=True, default=str).encode()
    if entry.kind == "user":
        payload += entry.spec["cif_text"].encode()
    if entry.kind == "cif":
        payload += resources.files("nitrolyte.data").joinpath(
            f"structures/cif/{entry.spec['cif']}").read_bytes()
    return hashlib.sha256(payload).hexdigest()


def library_structure(name: str) -> Structure:
    """The ordered pymatgen ``Structure`` of a library entry (a copy).

    Parameters
    ----------
    name : str
        Entry name or formula (``"Li3InCl6"``, ``"β-Li3N"``, ``"LiCl"``).
    """
    return _built(library_entry(name).name).copy()


def read_cif(path: str | Path) -> Structure:
    """Read a CIF file into a pymatgen ``Structure`` (the first structure in it).

    Raises
    ------
    InputError
        When the file is missing, empty or not a readable CIF (one line naming the file).
    """
    from pymatgen.io.cif import CifParser

    p = Path(path)
    if not p.is_file():
        raise InputError(f"cif: file {str(p)!r} does not exist")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            structures = CifParser(str(p)).parse_structures(primitive=False)
    except Exception as exc:  # pymatgen raises ValueError, KeyError, IndexError... on bad CIFs
        raise InputError(f"cif: {p.name} is not a readable CIF ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else 'no structure'})") from None
    if not structures or len(structures[0]) == 0:
        raise InputError(f"cif: {p.name} holds no structure")
    return structures[0]


def _target_counts(struct: Structure, formula: str) -> dict[str, int]:
    """Whole atoms per element for the cell: the declared formula scaled to the cell's content."""
    from pymatgen.core import Composition

    comp = struct.composition
    target = Composition(formula)
    anchor = max(target, key=lambda el: comp[el])  # the element with most atoms in the cell
    scale = comp[anchor] / target[anchor]
    return {str(el): round(target[el] * round(scale)) for el in target}


def _orbit_counts(struct: Structure, counts: dict[str, int]) -> list[tuple[list[int], dict[str, int]]]:
    """Split each element's whole-atom count over the partially occupied site groups (largest remainder)."""
    groups: dict[tuple[tuple[str, float], ...], list[int]] = {}
    for i, site in enumerate(struct):
        key = tuple(sorted((str(sp.symbol), round(float(occ), 4)) for sp, occ in site.species.items()))
        groups.setdefault(key, []).append(i)
    out = [(idx, {}) for idx in groups.values()]
    for el, total in counts.items():
        shares = [(len(idx) * dict(key).get(el, 0.0), g) for g, (key, idx) in enumerate(groups.items())]
        base = [math.floor(s) for s, _ in shares]
        rest = total - sum(base)
        order = sorted(range(len(shares)), key=lambda j: shares[j][0] - base[j], reverse=True)
        for j in order[:max(rest, 0)]:
            base[j] += 1
        for (_, g), n in zip(shares, base, strict=True):
            if n:
                out[g][1][el] = min(n, len(out[g][0]))
    return out


def order_structure(struct: Structure, formula: str, *, n_orderings: int = N_ORDERINGS,
                    seed: int = 0) -> Structure:
    """An ordered approximant of a partially occupied structure (electrostatic ordering).

    Each group of equivalent partially occupied sites receives whole atoms in proportion to its
    occupancies (the declared formula fixes the totals); ``n_orderings`` random arrangements are
    scored by their Ewald energy with formal charges (:data:`OXIDATION_STATES`) and the lowest kept.

    Parameters
    ----------
    struct : pymatgen.core.Structure
        The disordered cell.
    formula : str
        The formula unit the ordered cell must reproduce.
    n_orderings : int
        Random arrangements scored.
    seed : int
        Seed of the random arrangements.
    """
    import numpy as np
    from pymatgen.analysis.ewald import EwaldSummation
    from pymatgen.core import Structure as _Structure

    plan = _orbit_counts(struct, _target_counts(struct, formula))
    too_close = _too_close(struct)
    rng = np.random.default_rng(seed)
    best: tuple[float, Structure] | None = None
    for _ in range(max(1, n_orderings)):
        placed = _arrange(plan, too_close, rng)
        cand = _Structure(struct.lattice, [el for el, _ in placed],
                          [struct[i].frac_coords for _, i in placed])
        charged = cand.copy()
        charged.add_oxidation_state_by_element({el: OXIDATION_STATES.get(el, 0) for el in
                                                {str(e) for e in cand.composition.elements}})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            energy = EwaldSummation(charged).total_energy
        if best is None or energy < best[0]:
            best = (energy, cand)
    return best[1]  # type: ignore[index]


def _too_close(struct: Structure) -> Any:
    """Boolean matrix: sites closer than the neighbour-check floor (split sites, not both filled)."""
    import numpy as np

    from nitrolyte.structures.validate import NN_MIN_FACTOR, _radius

    radius = np.array([max(_radius(str(sp.symbol)) for sp in site.species) for site in struct])
    floor = NN_MIN_FACTOR * (radius[:, None] + radius[None, :])
    close = struct.distance_matrix < floor
    np.fill_diagonal(close, False)
    return close


def _arrange(plan: list[tuple[list[int], dict[str, int]]], too_close: Any,
             rng: Any) -> list[tuple[str, int]]:
    """One random arrangement that fills each group, avoiding split-site pairs where it can."""
    placed: list[tuple[str, int]] = []
    taken: set[int] = set()
    for idx, counts in plan:
        labels = [el for el, n in counts.items() for _ in range(n)]
        order = [int(i) for i in rng.permutation(idx)]
        free = [i for i in order if not any(too_close[i, j] for j in taken)]
        pool = free if len(free) >= len(labels) else order
        chosen: list[int] = []
        for i in pool:
            if len(chosen) == len(labels):
                break
            if pool is free and any(too_close[i, j] for j in chosen):
                continue
            chosen.append(i)
        if len(chosen) < len(labels):  # could not avoid every close pair: fill in order
            chosen += [i for i in order if i not in chosen][:len(labels) - len(chosen)]
        placed += list(zip(labels, chosen, strict=True))
        taken.update(chosen)
    return placed
