"""Bounds on a CIF's cell and atoms, checked on its text before pymatgen builds anything.

A fuzzed CIF with a cell length of 1e6 Å made the neighbour search ask for 35 GB and die with
``MemoryError``; 1e400 became NaN; an angle of 180° divided by zero in the Ewald sum; a zero or
degenerate cell crashed the neighbour list. :func:`check_cif_text` reads the raw values with
pymatgen's CIF tokenizer (no structure is built) and refuses, in one line naming the block, the
field and the allowed range, anything outside :data:`CIF_LIMITS`; :func:`check_structure` bounds
what the symmetry expansion produced.
"""

from __future__ import annotations

import math
from typing import Any

from nitrolyte.errors import InputError

#: field -> (low, high, unit): what a crystal structure of an electrolyte can have
CIF_LIMITS: dict[str, tuple[float, float, str]] = {
    "_cell_length": (1.0, 200.0, "Å"),
    "_cell_angle": (10.0, 170.0, "°"),
    "_cell_volume": (1.0, 1e6, "Å³"),
    "_atom_site_fract": (-10.0, 10.0, ""),
    "_atom_site_occupancy": (0.01, 1.0, ""),
}
#: most atom-site rows of the file, and most atoms once the symmetry operations are applied
MAX_SITES = 2_000
MAX_ATOMS = 5_000
_OCCUPANCY_TOLERANCE = 0.05  # written occupancies like 1.02 are rounding


def _number(text: str) -> float | None:
    """A CIF number (``6.0774(3)`` -> 6.0774); None for ``?``, ``.`` and text."""
    from pymatgen.io.cif import str2float

    if text in ("?", "."):
        return None
    try:
        return float(str2float(text))
    except (ValueError, TypeError, OverflowError):
        return None


def _out_of(field: str, value: float, lo: float, hi: float, unit: str, where: str) -> InputError:
    u = "" if not unit else unit if unit == "°" else f" {unit}"
    return InputError(f"cif: {where}: {field} = {value:g}{u} is outside {lo:g}-{hi:g}{u} (what "
                      "a crystal structure can have)")


def _cell(block: dict[str, Any], where: str) -> None:
    """Lengths, angles and the volume they make (a valid cell has a positive volume)."""
    values: dict[str, float] = {}
    for kind, axes in (("_cell_length", "abc"), ("_cell_angle", ("alpha", "beta", "gamma"))):
        lo, hi, unit = CIF_LIMITS[kind]
        for axis in axes:
            field = f"{kind}_{axis}"
            raw = block.get(field)
            value = None if raw is None or isinstance(raw, list) else _number(str(raw))
            if value is None:
                continue  # missing: pymatgen's own error
            if not (math.isfinite(value) and lo <= value <= hi):
                raise _out_of(field, value, lo, hi, unit, where)
            values[field] = value
    if len(values) < 6:
        return
    cos = [math.cos(math.radians(values[f"_cell_angle_{x}"])) for x in ("alpha", "beta", "gamma")]
    factor = 1 - sum(c * c for c in cos) + 2 * cos[0] * cos[1] * cos[2]
    lo, hi, unit = CIF_LIMITS["_cell_volume"]
    volume = (values["_cell_length_a"] * values["_cell_length_b"] * values["_cell_length_c"]
              * math.sqrt(max(factor, 0.0)))
    if not lo <= volume <= hi:
        angles = ", ".join(f"{values['_cell_angle_' + x]:g}" for x in ("alpha", "beta", "gamma"))
        raise InputError(f"cif: {where}: the cell's volume from its lengths and angles "
                         f"({angles}°) is {volume:g} {unit}, outside {lo:g}-{hi:g} {unit}")


def _sites(block: dict[str, Any], where: str) -> None:
    """Atom-site rows: how many, and finite fractional coordinates and occupancies in range."""
    rows = block.get("_atom_site_fract_x")
    n = len(rows) if isinstance(rows, list) else int(rows is not None)
    if n > MAX_SITES:
        raise InputError(f"cif: {where}: {n} atom sites; at most {MAX_SITES} are read")
    for field in ("_atom_site_fract_x", "_atom_site_fract_y", "_atom_site_fract_z",
                  "_atom_site_occupancy"):
        kind = "_atom_site_occupancy" if field.endswith("occupancy") else "_atom_site_fract"
        lo, hi, unit = CIF_LIMITS[kind]
        hi = hi + _OCCUPANCY_TOLERANCE if kind == "_atom_site_occupancy" else hi
        raw = block.get(field)
        for i, text in enumerate(raw if isinstance(raw, list) else [] if raw is None else [raw]):
            value = _number(str(text))
            if value is None:
                continue
            if not (math.isfinite(value) and lo <= value <= hi):
                raise _out_of(f"{field} (row {i + 1})", value, lo, hi, unit, where)


def check_cif_text(text: str, name: str) -> None:
    """Refuse a CIF whose cell or atom sites are outside :data:`CIF_LIMITS` (InputError, one
    line naming the file, the field and the allowed range). Unparseable text is left to
    pymatgen's reader, whose error the caller reports."""
    import warnings

    from pymatgen.io.cif import CifFile

    try:
        with warnings.catch_warnings():  # the structure reader warns (and is silenced) too
            warnings.simplefilter("ignore")
            blocks = CifFile.from_str(text).data
    except Exception:  # pymatgen's tokenizer on garbage: the structure reader says why
        return
    for key, block in blocks.items():
        data = {k.replace(".", "_"): v for k, v in block.data.items()}
        where = name if len(blocks) == 1 else f"{name} (data_{key})"
        _cell(data, where)
        _sites(data, where)


def check_structure(struct: Any, name: str) -> None:
    """Bound what the symmetry expansion produced: at most :data:`MAX_ATOMS` atoms, and only
    real elements (pymatgen reads an unknown symbol such as ``Xx`` as a dummy species)."""
    if len(struct) > MAX_ATOMS:
        raise InputError(f"cif: {name}: the symmetry operations make {len(struct)} atoms; at "
                         f"most {MAX_ATOMS} are accepted")
    from pymatgen.core import Element

    unknown = sorted({str(getattr(sp, "symbol", sp)) for site in struct for sp in site.species
                      if not isinstance(getattr(sp, "element", sp), Element)})
    if unknown:
        raise InputError(f"cif: {name}: atom type {unknown[0]!r} is not a chemical element "
                         "(_atom_site_type_symbol)")
