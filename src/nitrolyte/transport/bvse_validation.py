"""BVSE against the review's measured Ea: every crystalline nitride with a library structure and a
measured activation energy in the review's tables (the validation table of docs/transport.md).

Values come from the same path as ``nitrolyte transport NAME --method bvse --json``
(:func:`nitrolyte.transport.bvse.resolve_structure` then :func:`~nitrolyte.transport.bvse.bvse`);
the measured Ea from the package data (``data/measurements.csv``). Disagreements are reported as
they are.
"""

from __future__ import annotations

from typing import Any

#: (structure library entry, review material_id, direction of the measured Ea, which BVSE value)
#: "Ea" is the CLI's Ea_eV (lowest percolation barrier); "perp_c"/"par_c" its axis_barriers_eV
PAIRS: tuple[tuple[str, str, str | None, str], ...] = (
    ("α-Li3N", "alpha_li3n_single_crystal", "perp_c", "perp_c"),
    ("α-Li3N", "alpha_li3n_single_crystal", "par_c", "par_c"),
    ("β-Li3N", "beta_li3n", None, "Ea"),
    ("Li6NBr3", "li6nbr3", None, "Ea"),
    ("LiSi2N3", "lisi2n3", None, "Ea"),
    ("α-Li3BN2", "alpha_li3bn2", None, "Ea"),
    ("β-Li3BN2", "beta_li3bn2", None, "Ea"),
    ("Li3AlN2", "li3aln2", None, "Ea"),
)


def measured_Ea(material_id: str, direction: str | None) -> tuple[float, str]:
    """(Ea in eV, "ref N, Table T") of a review material's activation energy row."""
    from nitrolyte.dataset import measurements

    m = measurements()
    rows = m[(m["material_id"] == material_id) & (m["property"] == "activation_energy")]
    if direction is not None:
        rows = rows[rows["direction"] == direction]
    if len(rows) != 1:
        raise LookupError(f"{material_id} ({direction}): {len(rows)} activation_energy rows")
    r = rows.iloc[0]
    return float(r["value"]), f"ref {int(r['ref'])}, {r['location']}"


def validation_rows(pairs: tuple[tuple[str, str, str | None, str], ...] = PAIRS) -> list[dict[str, Any]]:
    """One row per pair: structure, direction, measured Ea, BVSE value, dimensionality, ΔEa (eV)."""
    from nitrolyte.transport.bvse import bvse, resolve_structure

    cache: dict[str, Any] = {}
    out = []
    for name, mid, direction, which in pairs:
        if name not in cache:
            cache[name] = bvse(resolve_structure(name)[1])
        res = cache[name]
        meas, where = measured_Ea(mid, direction)
        value = res.Ea_eV if which == "Ea" else res.axis_barriers_eV[which]
        out.append({"structure": name, "direction": direction or "", "measured_Ea_eV": meas,
                    "source": where, "bvse_eV": value, "dimensionality": res.dimensionality,
                    "delta_eV": None if value is None else value - meas})
    return out


def summary(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Mean and worst |ΔEa| (eV) and the Spearman rank correlation over rows with a BVSE value."""
    import numpy as np
    from scipy.stats import spearmanr

    ok = [r for r in rows if r["bvse_eV"] is not None]
    d = np.abs([r["delta_eV"] for r in ok])
    rho = spearmanr([r["measured_Ea_eV"] for r in ok], [r["bvse_eV"] for r in ok]).statistic
    return {"n": len(ok), "mean_abs_delta_eV": float(d.mean()), "max_abs_delta_eV": float(d.max()),
            "spearman": float(rho)}


def table_line(r: dict[str, Any]) -> str:
    """One row of the markdown table (values to 0.01 eV)."""
    bv = "none" if r["bvse_eV"] is None else f"{r['bvse_eV']:.2f}"
    de = "—" if r["delta_eV"] is None else f"{round(r['delta_eV'], 2) + 0.0:+.2f}"
    return (f"| {r['structure']} | {r['direction'] or '—'} | {r['measured_Ea_eV']:.3g} | "
            f"{r['source']} | {bv} | {r['dimensionality']}D | {de} |")


def markdown(rows: list[dict[str, Any]]) -> str:
    """The table of docs/transport.md with its summary line."""
    lines = ["| structure | direction | measured Ea (eV) | source | BVSE (eV) | dim. | ΔEa (eV) |",
             "|---|---|---|---|---|---|---|", *(table_line(r) for r in rows)]
    s = summary(rows)
    lines.append("")
    lines.append(f"n = {s['n']}: mean |ΔEa| = {s['mean_abs_delta_eV']:.2f} eV, worst |ΔEa| = "
                 f"{s['max_abs_delta_eV']:.2f} eV, Spearman ρ = {s['spearman']:.2f}")
    return "\n".join(lines)
