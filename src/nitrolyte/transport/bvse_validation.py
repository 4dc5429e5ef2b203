"""Transport from a structure against the review's measured Ea: every crystalline nitride with a
structure (library, or predicted) and a measured activation energy in the review's tables (the
validation table of docs/transport.md and of the report).

Columns per method: BVSE from the same path as ``nitrolyte transport NAME --method bvse --json``
(:func:`nitrolyte.transport.bvse.resolve_structure` then :func:`~nitrolyte.transport.bvse.bvse`);
NEB and MD from the newest stored simulation set of the structure (``transport --method neb|md
--store``; blank when there is none). The measured Ea comes from the package data
(``data/measurements.csv``). Disagreements are reported as they are.

BVSE values of shipped library entries are precomputed in ``data/bvse_validation.json``
(``scripts/bvse_validation.py --write``, the same code) and used where the entry's hash and the
bvlain version match; anything else is computed.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nitrolyte.store.database import DatabaseLike

#: (structure name or formula, review material_id, direction, phase, which BVSE value): "Ea" is
#: the CLI's Ea_eV (lowest percolation barrier), "perp_c"/"par_c" its axis_barriers_eV. A row
#: appears when its structure exists (shipped, predicted, or in ``db``).
CANDIDATES: tuple[tuple[str, str, str | None, str | None, str], ...] = (
    ("α-Li3N", "alpha_li3n_single_crystal", "perp_c", None, "perp_c"),
    ("α-Li3N", "alpha_li3n_single_crystal", "par_c", None, "par_c"),
    ("α-Li3N", "alpha_li3n_sinter", None, None, "Ea"),
    ("β-Li3N", "beta_li3n", None, None, "Ea"),
    ("Li9N2Cl3", "li9n2cl3", None, None, "Ea"),
    ("Li6NBr3", "li6nbr3", None, None, "Ea"),
    ("Li13N4Br", "li13n4br", None, "LT", "Ea"),
    ("Li5NI2", "li5ni2", None, "LT", "Ea"),
    ("Li7N2I", "li7n2i", None, None, "Ea"),
    ("Li7PN4", "li7pn4", None, None, "Ea"),
    ("LiPN2", "lipn2", None, None, "Ea"),
    ("Li2CN2", "li2cn2_thermal_treated", None, None, "Ea"),
    ("LiSi2N3", "lisi2n3", None, None, "Ea"),
    ("Li2SiN2", "li2sin2", None, None, "Ea"),
    ("Li5SiN3", "li5sin3", None, None, "Ea"),
    ("Li8SiN4", "li8sin4", None, None, "Ea"),
    ("α-Li3BN2", "alpha_li3bn2", None, None, "Ea"),
    ("β-Li3BN2", "beta_li3bn2", None, None, "Ea"),
    ("Li3AlN2", "li3aln2", None, None, "Ea"),
)
METHODS = ("bvse", "neb", "md")
CACHE_FILE = "bvse_validation.json"


def review_name(material_id: str) -> str:
    """The review material's name (``"α-Li3N sinter"``)."""
    from nitrolyte.dataset import materials

    m = materials()
    return str(m.loc[m["material_id"] == material_id, "name"].iloc[0])


def measured_Ea(material_id: str, direction: str | None, phase: str | None = None
                ) -> tuple[float, str]:
    """(Ea in eV, "ref N, Table T") of a review material's activation energy row."""
    from nitrolyte.dataset import measurements

    m = measurements()
    rows = m[(m["material_id"] == material_id) & (m["property"] == "activation_energy")]
    if direction is not None:
        rows = rows[rows["direction"] == direction]
    if phase is not None:
        rows = rows[rows["phase"] == phase]
    if len(rows) != 1:
        raise LookupError(f"{material_id} ({direction}, {phase}): {len(rows)} activation_energy rows")
    r = rows.iloc[0]
    return float(r["value"]), f"ref {int(r['ref'])}, {r['location']}"


def _packaged() -> dict[str, Any]:
    try:
        text = resources.files("nitrolyte.data").joinpath(CACHE_FILE).read_text("utf-8")
    except FileNotFoundError:
        return {}
    return json.loads(text)  # type: ignore[no-any-return]


def _key(name: str) -> tuple[str, str] | None:
    """(entry hash, engine) of a shipped library entry; None for other structures."""
    from nitrolyte.errors import NitrolyteError
    from nitrolyte.structures.library import entry_hash
    from nitrolyte.transport.bvse import _engine_version

    try:
        return entry_hash(name), _engine_version()
    except NitrolyteError:
        return None


def bvse_values(name: str, struct: Any) -> dict[str, Any]:
    """``Ea_eV``, ``axis_barriers_eV``, ``dimensionality`` of a structure: the packaged values
    when they are for this very entry and engine, else computed (:func:`bvse`; ``struct``: a
    Structure or a callable building it, called only then)."""
    key = _key(name)
    hit = _packaged().get(name)
    if key is not None and hit and (hit["hash"], hit["engine"]) == key:
        return hit  # type: ignore[no-any-return]
    return _compute(name, struct() if callable(struct) else struct)


def _compute(name: str, struct: Any) -> dict[str, Any]:
    from nitrolyte.errors import InputError
    from nitrolyte.transport.bvse import bvse

    key = _key(name)
    try:
        res = bvse(struct)
    except InputError as exc:  # a structure BVSE cannot score: blank in the table, with the reason
        return {"hash": key[0] if key else None, "engine": key[1] if key else None, "Ea_eV": None,
                "axis_barriers_eV": {}, "dimensionality": None, "error": str(exc)}
    return {"hash": key[0] if key else None, "engine": key[1] if key else None,
            "Ea_eV": res.Ea_eV, "axis_barriers_eV": dict(res.axis_barriers_eV),
            "dimensionality": res.dimensionality}


def _stored(name: str, method: str, direction: str | None, db: DatabaseLike | None) -> float | None:
    """The stored NEB / hot-MD Ea of a structure (per direction when the set gives one)."""
    from nitrolyte.transport.bvse import stored_estimate

    est = stored_estimate(name, method, db)
    if est is None:
        return None
    if direction is None:
        return est["Ea_eV"]
    value = (est["details"].get("axis_barriers_eV") or {}).get(direction)
    return None if value is None else float(value)


def _resolve(spec: str, db: DatabaseLike | None) -> tuple[str, Any, str] | None:
    """(name, structure builder, kind) of a candidate, None when no such structure exists.

    A shipped entry is not built here (its packaged BVSE values usually suffice)."""
    from nitrolyte.errors import UnknownMaterialError
    from nitrolyte.structures.library import library_entry, library_structure
    from nitrolyte.transport.bvse import resolve_structure

    try:
        entry = library_entry(spec)
        return entry.name, lambda: library_structure(entry.name), entry.kind
    except UnknownMaterialError:
        pass
    try:
        name, struct = resolve_structure(spec, db)
    except UnknownMaterialError:
        return None
    return name, lambda: struct, "user"


def validation_rows(candidates: tuple[tuple[str, str, str | None, str | None, str], ...] = CANDIDATES,
                    db: DatabaseLike | None = None) -> list[dict[str, Any]]:
    """One row per candidate whose structure exists: measured Ea, BVSE (and stored NEB / MD)
    value, dimensionality, ΔEa per method (eV)."""
    cache: dict[str, Any] = {}
    out = []
    for spec, mid, direction, phase, which in candidates:
        if spec not in cache:
            found = _resolve(spec, db)
            cache[spec] = None if found is None else (found[0], found[2],
                                                      bvse_values(found[0], found[1]))
        if cache[spec] is None:
            continue
        name, kind, bv = cache[spec]
        meas, where = measured_Ea(mid, direction, phase)
        values = {"bvse": bv["Ea_eV"] if which == "Ea" else bv["axis_barriers_eV"][which],
                  "neb": _stored(name, "NEB", direction, db),
                  "md": _stored(name, "MD", direction, db)}
        out.append({"material": review_name(mid), "structure": name, "structure_kind": kind,
                    "direction": direction or "", "phase": phase or "",
                    "measured_Ea_eV": meas, "source": where, "dimensionality": bv["dimensionality"],
                    **{f"{m}_eV": v for m, v in values.items()},
                    **{f"delta_{m}_eV": None if v is None else v - meas
                       for m, v in values.items()}})
    return out


def summary(rows: list[dict[str, Any]], method: str = "bvse") -> dict[str, float] | None:
    """Mean and worst |ΔEa| (eV) and the Spearman rank correlation of one method over the rows
    with a value; None when fewer than 3 rows have one."""
    import numpy as np
    from scipy.stats import spearmanr

    ok = [r for r in rows if r[f"{method}_eV"] is not None]
    if len(ok) < 3:
        return None
    d = np.abs([r[f"delta_{method}_eV"] for r in ok])
    rho = spearmanr([r["measured_Ea_eV"] for r in ok], [r[f"{method}_eV"] for r in ok]).statistic
    return {"n": len(ok), "mean_abs_delta_eV": float(d.mean()), "max_abs_delta_eV": float(d.max()),
            "spearman": float(rho)}


def anisotropy(rows: list[dict[str, Any]]) -> dict[str, bool | None]:
    """Per method: α-Li3N ⊥c below ∥c (True / False), None without both values."""
    pair = {r["direction"]: r for r in rows if r["structure"] == "α-Li3N" and r["direction"]
            in ("perp_c", "par_c")}
    out: dict[str, bool | None] = {}
    for m in METHODS:
        perp, par = (pair.get(d, {}).get(f"{m}_eV") for d in ("perp_c", "par_c"))
        out[m] = None if perp is None or par is None else bool(perp < par)
    return out


def _num(value: float | None, signed: bool = False) -> str:
    if value is None:
        return ""
    return f"{round(value, 2) + 0.0:+.2f}" if signed else f"{value:.2f}"


def table_line(r: dict[str, Any]) -> str:
    """One row of the markdown table (values to 0.01 eV; blank: not computed / not stored)."""
    predicted = r["structure_kind"] == "predicted" and "predicted" not in r["structure"]
    name = r["structure"] + (" (predicted)" if predicted else "")
    what = r["direction"] or r["phase"] or "—"
    bv = "none" if r["bvse_eV"] is None else _num(r["bvse_eV"])
    return (f"| {r['material']} | {name} | {what} | {r['measured_Ea_eV']:.3g} | {r['source']} | {bv} | "
            f"{'—' if r['dimensionality'] is None else str(r['dimensionality']) + 'D'} | {_num(r['neb_eV'])} | {_num(r['md_eV'])} | "
            f"{_num(r['delta_bvse_eV'], True) or '—'} | {_num(r['delta_neb_eV'], True)} | "
            f"{_num(r['delta_md_eV'], True)} |")


def summary_lines(rows: list[dict[str, Any]]) -> list[str]:
    """One line per method (n, mean and worst |ΔEa|, Spearman ρ) and the α-Li3N anisotropy."""
    lines = []
    for m in METHODS:
        s = summary(rows, m)
        lines.append(f"{m.upper()}: " + ("fewer than 3 values" if s is None else
                     f"n = {s['n']}, mean |ΔEa| = {s['mean_abs_delta_eV']:.2f} eV, worst |ΔEa| = "
                     f"{s['max_abs_delta_eV']:.2f} eV, Spearman ρ = {s['spearman']:.2f}"))
    an = anisotropy(rows)
    lines.append("α-Li3N ⊥c below ∥c (measured 0.29 < 0.49 eV): " + ", ".join(
        f"{m.upper()} {'—' if v is None else 'yes' if v else 'NO'}" for m, v in an.items()))
    return lines


def markdown(rows: list[dict[str, Any]]) -> str:
    """The table of docs/transport.md with its summary lines."""
    lines = ["| review material | structure | direction / phase | measured Ea (eV) | source | BVSE (eV) | dim. | "
             "NEB (eV) | MD (eV) | ΔBVSE | ΔNEB | ΔMD |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|", *(table_line(r) for r in rows), ""]
    return "\n".join([*lines, *(f"{x}  " for x in summary_lines(rows))]).rstrip()


def fresh_values() -> dict[str, Any]:
    """BVSE values of every shipped candidate entry, computed now: the ``data/bvse_validation.json``
    document (``scripts/bvse_validation.py --write``)."""
    out: dict[str, Any] = {}
    for spec, *_ in CANDIDATES:
        found = _resolve(spec, None)
        if found is not None and found[0] not in out and _key(found[0]) is not None:
            out[found[0]] = _compute(found[0], found[1]())
    return out
