"""The structure library: published crystal structures, each with its source, built and validated.

Entries live in ``data/structures/library.yaml`` (experimental CIFs from OBELiX, pymatgen-built
prototypes of standard structure types, and gas-phase molecules). :func:`library_structure` builds
the pymatgen ``Structure`` of an entry; partially occupied sites are replaced by an ordered
approximant (:mod:`nitrolyte.structures.ordering`). :func:`read_cif` imports a user's own CIF with one clear
error line when the file is bad.
"""

from __future__ import annotations

import functools
import math
import warnings
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nitrolyte.errors import DataValidationError, InputError, NitrolyteError, UnknownMaterialError
from nitrolyte.names import name_key
from nitrolyte.structures.entry import LibraryEntry

if TYPE_CHECKING:
    import pandas as pd
    from pymatgen.core import Structure

    from nitrolyte.store.database import Database, DatabaseLike
    from nitrolyte.structures.validate import ValidationResult

_KINDS = ("cif", "prototype", "molecule", "aflow", "predicted")
#: kinds kept in the store (the user's CIFs and predicted structures), built from their CIF text
_STORED_KINDS = ("user", "predicted")
#: edge of the cubic box a molecule sits in (Å): beyond CHGNet's 5 Å graph cutoff for images
MOLECULE_BOX_A = 12.0


def _cell_volume_A3(a: float, b: float, c: float, al: float, be: float, ga: float) -> float:
    ca, cb, cg = (math.cos(math.radians(x)) for x in (al, be, ga))
    return a * b * c * math.sqrt(1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg)


def published_density(formula: str, Z: int, cell: list[float]) -> float:
    """X-ray density (g/cm3) from a published cell and Z.

    .. math:: \\rho = \\frac{Z M}{N_A V}
    """
    from pymatgen.core import Composition

    from nitrolyte.units import N_A

    return Z * Composition(formula).weight / (N_A * _cell_volume_A3(*cell) * 1e-24)


def _entry(i: int, raw: dict[str, Any]) -> LibraryEntry:
    where = f"structures/library.yaml entry {i + 1} ({raw.get('name', '?')})"
    for col in ("name", "formula", "kind", "source"):
        if not raw.get(col):
            raise DataValidationError(f"{where}: field {col!r} is required")
    if raw["kind"] not in _KINDS:
        raise DataValidationError(f"{where}: kind must be one of {', '.join(_KINDS)}, got {raw['kind']!r}")
    if raw["kind"] == "prototype" and raw.get("density_g_cm3") is None:
        raise DataValidationError(f"{where}: a prototype needs density_g_cm3 (its published density)")
    if raw.get("density_g_cm3") is not None:
        rho = float(raw["density_g_cm3"])
    elif raw["kind"] in ("cif", "aflow"):
        rho = published_density(raw["formula"], int(raw["Z"]), [float(x) for x in raw["published_cell"]])
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


def _open_db(db: DatabaseLike | None) -> Database:
    from nitrolyte.api import database

    return database(db)


def user_entries(db: DatabaseLike | None = None) -> tuple[LibraryEntry, ...]:
    """Structures the user added with :func:`add_user_structure` (kept in the store's cache)."""
    stored = None
    if db is None:  # the default database: read-only through sqlite3 where it is up to date
        from nitrolyte.store import quick

        stored = quick.cache_namespace(USER_NAMESPACE)
    if stored is None:
        store = _open_db(db)

        def get(key: str) -> Any:
            return store.cache_get(USER_NAMESPACE, key)
    else:
        get = stored.get
    index = get(_INDEX_KEY) or {"names": []}
    out = []
    for name in index["names"]:
        raw = get(name)
        if raw is not None:
            predicted = raw.get("predicted")
            kind, role = ("predicted", "predicted structure") if predicted else ("user", "user structure")
            spec = {"cif_text": raw["cif"], **({"predicted": predicted} if predicted else {})}
            out.append(LibraryEntry(raw["name"], raw["formula"], kind, int(raw["Z"]), math.nan,  # type: ignore[arg-type]
                                    raw["source"], "", role, spec))
    return tuple(out)


def predicted_label(label: dict[str, Any]) -> str:
    """One line naming a prediction: ``predicted (type antifluorite, chgnet-..., 120 trials, 2026-12-07)``."""
    parts = [str(label.get("method", "?")), str(label.get("model", "?"))]
    if label.get("trials") is not None:
        parts.append(f"{label['trials']} trials")
    parts.append(str(label.get("date", "?")))
    return f"predicted ({', '.join(parts)})"


def _new_name(name: str) -> str:
    """A stripped, non-empty name that is not a shipped entry's (InputError otherwise)."""
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"name must be a non-empty string, got {name!r}")
    name = name.strip()
    if any(name_key(e.name) == name_key(name) for e in library_entries()):
        raise InputError(f"name {name!r} is a shipped library entry; choose another name")
    return name


def add_user_structure(name: str, cif: str | Path, *, db: DatabaseLike | None = None) -> LibraryEntry:
    """Add the user's own CIF to the library under ``name`` (stored in the database).

    The structure is read (partial occupancies are ordered), its nearest-neighbour distances are
    checked, and it is stored; the ``ml`` energy source relaxes it on first use.

    Raises
    ------
    InputError
        For an empty name, a name of a shipped entry, a bad CIF, or a failed neighbour check.
    """
    name = _new_name(name)
    struct = read_cif(cif)
    formula = _declared_formula(name, struct, Path(cif).name)
    struct = _checked_user_structure(name, formula, struct, Path(cif).name)
    return _store_entry(name, struct, f"user CIF {Path(cif).name}", db)


def add_predicted_structure(name: str, struct: Structure, label: dict[str, Any], *,
                            db: DatabaseLike | None = None) -> LibraryEntry:
    """Store a predicted structure under ``name``, labelled *predicted* (method, model, trials, date).

    It is used like a user CIF (the ``ml`` source relaxes it on first use) and shows as kind
    ``predicted`` wherever the library is listed.

    Raises
    ------
    InputError
        For an empty name or a name of a shipped entry.
    """
    name = _new_name(name)
    return _store_entry(name, struct, predicted_label(label), db, predicted=dict(label))


def _store_entry(name: str, struct: Structure, source: str, db: DatabaseLike | None,
                 predicted: dict[str, Any] | None = None) -> LibraryEntry:
    """Write one stored entry (and the index) to the store's cache."""
    formula = struct.composition.reduced_formula
    z = round(struct.composition.num_atoms / struct.composition.reduced_composition.num_atoms)
    store = _open_db(db)
    raw = {"name": name, "formula": formula, "Z": z, "source": source, "cif": struct.to(fmt="cif")}
    if predicted:
        raw["predicted"] = predicted
    store.cache_put(USER_NAMESPACE, name, raw)
    index = store.cache_get(USER_NAMESPACE, _INDEX_KEY) or {"names": []}
    if name not in index["names"]:
        store.cache_put(USER_NAMESPACE, _INDEX_KEY, {"names": [*index["names"], name]})
    _built.cache_clear()
    _STORED.clear()
    kind, role = ("predicted", "predicted structure") if predicted else ("user", "user structure")
    return LibraryEntry(name, formula, kind, z, math.nan, source, "", role,  # type: ignore[arg-type]
                        {"predicted": predicted} if predicted else {})


def _declared_formula(name: str, struct: Structure, filename: str) -> str:
    """The reduced formula the entry claims: the name's if it is a formula, else the CIF's.

    Raises
    ------
    InputError
        When the CIF's occupancies do not give that formula (an OBELiX CIF of Li4PS4I whose Li
        occupancies sum to Li8.234 per two formula units), or give a non-integral composition.
    """
    from pymatgen.core import Composition

    from nitrolyte.formula import looks_like_formula, parse_formula

    got = struct.composition
    declared = None
    if looks_like_formula(name):
        try:
            declared = Composition(parse_formula(name))
        except InputError:
            declared = None
    if declared is None:
        declared = got
    if not got.reduced_composition.almost_equals(declared.reduced_composition, rtol=1e-3) \
            or any(abs(a - round(a)) > 1e-3 for a in got.reduced_composition.values()):
        want = (f"whole {declared.reduced_formula} formula units (the formula of the name)"
                if declared is not got else "a whole-number composition")
        raise InputError(f"cif: {filename} failed the composition check, not added: its occupancies "
                         f"give {got.formula.replace(' ', '')} per cell, not {want}; fix the occupancies "
                         "or name the entry by its composition")
    return declared.reduced_formula


def _checked_user_structure(name: str, formula: str, struct: Structure, filename: str) -> Structure:
    """The ordered structure of a user CIF that passes the composition and neighbour checks.

    Raises
    ------
    InputError
        Naming the check that failed (nothing is stored).
    """
    from nitrolyte.structures.ordering import order_structure
    from nitrolyte.structures.validate import validate_structure

    if not struct.is_ordered:
        struct = order_structure(struct, formula)
    entry = LibraryEntry(name, formula, "user", 0, math.nan, f"user CIF {filename}")
    result = validate_structure(entry, struct)
    if not result.ok:
        what = {"neighbours": "the nearest-neighbour check", "composition": "the composition check"}
        failed = "; ".join(f"{what.get(k, k)} ({d})" for k, (ok, d) in result.checks.items() if not ok)
        raise InputError(f"cif: {filename} failed {failed}; not added")
    return struct


def all_entries(db: DatabaseLike | None = None) -> tuple[LibraryEntry, ...]:
    """Shipped entries followed by the user's own (:func:`user_entries`)."""
    try:
        return library_entries() + user_entries(db)
    except NitrolyteError:  # no usable database: the shipped library still works
        return library_entries()


def _find(entries: tuple[LibraryEntry, ...], key: str) -> LibraryEntry | None:
    return (next((e for e in entries if name_key(e.name) == key), None)
            or next((e for e in entries if name_key(e.formula) == key), None))


def library_entry(name: str, db: DatabaseLike | None = None) -> LibraryEntry:
    """The entry of a name (Greek or ASCII spelling, case-insensitive; also the formula).

    Shipped entries first, then the user's own (:func:`add_user_structure`) in ``db`` (the
    default database if None).
    """
    key = name_key(str(name))
    found = _find(library_entries(), key)
    if found is None:
        found = _find(all_entries(db), key)
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
    "predicted": lambda e: (_user_structure(e.spec["cif_text"]) if "cif_text" in e.spec
                            else _cif_structure(e.spec["cif"])),
    "cif": lambda e: _cif_entry(e),
    "prototype": lambda e: _prototype(e.spec),
    "molecule": lambda e: _molecule(e.spec),
    "aflow": lambda e: _aflow(e),
}


def _cif_entry(entry: LibraryEntry) -> Structure:
    struct = _cif_structure(entry.spec["cif"])
    if not entry.spec.get("substitute"):
        return struct
    from nitrolyte.structures.aflow import substituted

    return substituted(struct, {**entry.spec, "density_g_cm3": entry.density_g_cm3})


def _aflow(entry: LibraryEntry) -> Structure:
    from nitrolyte.structures.aflow import aflow_structure

    return aflow_structure({**entry.spec, "density_g_cm3": entry.density_g_cm3})


def _build(entry: LibraryEntry) -> Structure:
    from nitrolyte.structures.ordering import order_structure

    struct = _BUILDERS[entry.kind](entry)
    if not struct.is_ordered:
        struct = order_structure(struct, entry.formula)
    return struct


@functools.cache
def _built(name: str) -> Structure:
    """The ordered structure of a shipped entry, built once per process."""
    return _build(library_entry(name))


#: (name, formula, CIF text) of a stored entry -> its ordered structure: one database's entry
#: never answers for another's of the same name
_STORED: dict[tuple[str, str, str], Structure] = {}


def _structure(entry: LibraryEntry) -> Structure:
    """The ordered structure of an entry (not a copy)."""
    if entry.kind not in _STORED_KINDS or "cif_text" not in entry.spec:
        return _built(entry.name)
    key = (entry.name, entry.formula, str(entry.spec["cif_text"]))
    if key not in _STORED:
        _STORED[key] = _build(entry)
    return _STORED[key]


#: bump when the builders or the ordering change (invalidates packaged ML energies)
BUILD_VERSION = "1"


def entry_hash(name: str, db: DatabaseLike | None = None) -> str:
    """SHA-256 of what an entry's structure is built from (spec, CIF bytes, builder version);
    a user's entry is looked up in ``db``."""
    import hashlib
    import json

    entry = library_entry(name, db)
    payload = json.dumps([BUILD_VERSION, entry.formula, entry.kind, entry.Z, entry.spec],
                         sort_keys=True, default=str).encode()
    if entry.kind in _STORED_KINDS and "cif_text" in entry.spec:
        payload += entry.spec["cif_text"].encode()
    if entry.kind == "aflow":  # the record pymatgen ships, and the density (it can set the cell)
        from nitrolyte.structures.aflow import record_json

        payload += repr(entry.density_g_cm3).encode() + record_json(entry.spec["aflow"], entry.spec["prototype"])
    if entry.kind == "cif" or (entry.kind == "predicted" and "cif" in entry.spec):
        payload += resources.files("nitrolyte.data").joinpath(
            f"structures/cif/{entry.spec['cif']}").read_bytes()
    return hashlib.sha256(payload).hexdigest()


def library_structure(name: str, db: DatabaseLike | None = None) -> Structure:
    """The ordered pymatgen ``Structure`` of a library entry (a copy).

    Parameters
    ----------
    name : str
        Entry name or formula (``"Li3InCl6"``, ``"β-Li3N"``, ``"LiCl"``).
    db : Database, URL or path, optional
        Where a user's entry is looked up (default: the user's database).
    """
    return _structure(library_entry(name, db)).copy()


def read_cif(path: str | Path) -> Structure:
    """Read a CIF file into a pymatgen ``Structure`` (the first structure in it).

    Raises
    ------
    InputError
        When the file is missing, empty or not a readable CIF, or its cell or atoms are outside
        :data:`nitrolyte.structures.cif_limits.CIF_LIMITS` (one line naming the file and field).
    """
    from pymatgen.io.cif import CifParser

    from nitrolyte.structures.cif_limits import check_cif_text, check_structure

    p = Path(path)
    if not p.is_file():
        raise InputError(f"cif: file {str(p)!r} does not exist")
    check_cif_text(p.read_text(encoding="utf-8", errors="replace"), p.name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            structures = CifParser(str(p)).parse_structures(primitive=False)
    except Exception as exc:  # pymatgen raises ValueError, KeyError, IndexError... on bad CIFs
        raise InputError(f"cif: {p.name} is not a readable CIF ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else 'no structure'})") from None
    if not structures or len(structures[0]) == 0:
        raise InputError(f"cif: {p.name} holds no structure")
    check_structure(structures[0], p.name)
    return structures[0]


def validate_entry(name: str, relaxed_volume_ratio: float | None = None, *,
                   db: DatabaseLike | None = None) -> ValidationResult:
    """Build a library entry (a user's looked up in ``db``) and run the checks (see
    :func:`validate_structure`)."""
    from nitrolyte.structures.validate import validate_structure

    entry = library_entry(name, db)
    return validate_structure(entry, library_structure(entry.name, db), relaxed_volume_ratio)


def validation_table() -> pd.DataFrame:
    """One row per library entry: name, formula, kind, source, ok, and each check's detail."""
    import pandas as pd

    rows = []
    for entry in library_entries():
        res = validate_entry(entry.name)
        row = {**entry.to_dict(), "ok": res.ok}
        row.update({f"{k}_ok": p for k, (p, _) in res.checks.items()})
        row.update({k: d for k, (_, d) in res.checks.items()})
        rows.append(row)
    return pd.DataFrame(rows)
