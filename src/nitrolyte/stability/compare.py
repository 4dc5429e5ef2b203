"""Computed windows next to published ones (the data behind Figs. 2A/12B/17A), with deviations."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from nitrolyte.stability.energies import EnergySource
from nitrolyte.stability.reported import WINDOW_KINDS, reported_window
from nitrolyte.stability.sources import DEFAULT_SOURCE, resolve_source
from nitrolyte.stability.window import electrochemical_window

if TYPE_CHECKING:
    from nitrolyte.store.database import DatabaseLike

#: the SSEs of Fig. 17A, in the figure's order (nitrides, sulfides, halides)
FIG17A_MATERIALS: tuple[str, ...] = (
    "Li3N", "Li9N2Cl3", "LiPON", "Li2S", "Li6PS5Cl", "Li3PS4", "LGPS", "LiCl", "Li3YCl6",
    "Li3InCl6", "Li3ErCl6", "Li3ScCl6", "LiBr", "Li3YBr6", "Li3HoBr6")
COMPARISON_COLUMNS = ("material", "formula", "family", "basis", "reduction_V", "oxidation_V", "ref",
                      "source", "stated_in_review", "note")


def window_comparison(materials: Sequence[str] = FIG17A_MATERIALS,
                      source: str | Path | EnergySource = DEFAULT_SOURCE, *,
                      db: DatabaseLike | None = None) -> pd.DataFrame:
    """Published (intrinsic, extended, experimental) and computed windows, one row each.

    Parameters
    ----------
    materials : sequence of str
        Names or formulas (default: the SSEs of Fig. 17A).
    source : str (a name in ``SOURCES``), path or EnergySource
        Energy source of the computed windows.
    db : Database, URL or path, optional
        Where names and user structures are read (default: the user's database).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COMPARISON_COLUMNS`; ``basis`` is ``"reported intrinsic"``,
        ``"reported extended"``, ``"reported experimental"`` or ``"computed"``; limits in V vs.
        Li/Li+ (NaN where not stated / not computable).
    """
    src = resolve_source(source, db=db)
    rows = []
    for name in materials:
        family = ""
        for kind in WINDOW_KINDS:
            rep = reported_window(name, kind, db=db)  # type: ignore[arg-type]
            if rep is None:
                continue
            family = rep.family
            rows.append({"material": name, "formula": rep.formula, "family": rep.family,
                         "basis": f"reported {kind}", "reduction_V": rep.reduction_V,
                         "oxidation_V": rep.oxidation_V, "ref": rep.ref, "source": rep.source,
                         "stated_in_review": rep.stated_in_review, "note": rep.note})
        w = electrochemical_window(name, src, db=db)
        rows.append({"material": name, "formula": w.formula, "family": family, "basis": "computed",
                     "reduction_V": w.reduction_V, "oxidation_V": w.oxidation_V, "ref": "",
                     "source": f"nitrolyte, source {w.source!r}"
                               + (f" ({w.basis_text()})" if w.energy_basis else ""),
                     "stated_in_review": False,
                     "note": " ".join(w.notes)})
    return pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))


def window_deviations(frame: pd.DataFrame) -> list[str]:
    """Plain-language differences between computed and reported intrinsic windows.

    .. math:: \\Delta V = V_\\mathrm{computed} - V_\\mathrm{reported}
    """
    out = []
    for name, part in frame.groupby("material", sort=False):
        comp = part[part["basis"] == "computed"]
        rep = part[part["basis"] == "reported intrinsic"]
        if comp.empty or rep.empty:
            continue
        c, r = comp.iloc[0], rep.iloc[0]
        if math.isnan(c["oxidation_V"]):
            if not math.isnan(r["oxidation_V"]):
                out.append(f"{name}: not computable from the source (missing phases); the "
                           f"reported {r['reduction_V']:g}-{r['oxidation_V']:g} V (ref {r['ref']}) is shown")
            continue
        if math.isnan(r["oxidation_V"]):
            out.append(f"{name}: computed {c['reduction_V']:.2f}-{c['oxidation_V']:.2f} V; the review "
                       "draws a bar without a number")
            continue
        for side in ("reduction", "oxidation"):
            cv, rv = c[f"{side}_V"], r[f"{side}_V"]
            if abs(cv - rv) > 5e-3:
                out.append(f"{name} {side} limit computed from {c['source'].removeprefix('nitrolyte, ')} is {cv:.3f} V vs "
                           f"{rv:g} V (DFT, ref {r['ref']}) in the review ({cv - rv:+.3f} V)"
                           + ("; computed as the tie line of its neighbours, its own energy is not in the source"
                              if "tie line" in str(c["note"]) else ""))
    return out
