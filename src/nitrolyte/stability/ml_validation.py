"""Validation of the ML windows against what is known, through the code path a user runs.

Three comparisons (issue 11, item 4), each limit in V vs. Li/Li+:

(a) the embedded experimental thermochemistry for the lithium binaries (Li3N 0.444 V, LiCl 3.984 V,
    LiBr 3.545 V, LiI 2.801 V): exact by construction under the ``anchored`` scheme, a real test of
    the potential under ``mp2020``;
(b) the windows the review states (vacancy-rich β-Li3N 0-0.48 V, Li9N2Cl3 0-0.50 V, LiPON
    0.69-1.07 V; LiPON is compared with crystalline Li2PO2N, the library's LiPON);
(c) the published first-principles windows of the partner electrolytes in ``reported_windows``
    (refs 155, 189).

Disagreements are reported, not tuned away: :func:`deviation_summary` gives the mean and worst
absolute deviation per scheme and group.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from nitrolyte.errors import NitrolyteError

if TYPE_CHECKING:
    import pandas as pd

    from nitrolyte.stability.energies import EnergySource
    from nitrolyte.store.database import DatabaseLike

#: (group, material as the reference names it, composition the ML source is asked for)
CASES: tuple[tuple[str, str, str], ...] = (
    ("a", "Li3N", "Li3N"), ("a", "LiCl", "LiCl"), ("a", "LiBr", "LiBr"), ("a", "LiI", "LiI"),
    ("b", "vacancy-rich β-Li3N", "Li3N"), ("b", "vacancy-rich Li9N2Cl3", "Li9N2Cl3"),
    ("b", "LiPON", "Li2PO2N"),
    ("c", "Li6PS5Cl", "Li6PS5Cl"), ("c", "Li3PS4", "Li3PS4"), ("c", "LGPS", "Li10GeP2S12"),
    ("c", "Li3YCl6", "Li3YCl6"), ("c", "Li3YBr6", "Li3YBr6"),
)


def _reference(group: str, material: str) -> tuple[float, float, str]:
    from nitrolyte.stability.reported import reported_window
    from nitrolyte.stability.window import electrochemical_window

    if group == "a":
        w = electrochemical_window(material, "embedded")
        return w.reduction_V, w.oxidation_V, "embedded experimental ΔGf"
    rep = reported_window(material, "intrinsic")
    if rep is None or not rep.has_value:
        return math.nan, math.nan, "no published value"
    where = "stated in the review" if rep.stated_in_review else "source paper"
    return rep.reduction_V, rep.oxidation_V, f"{rep.method}, ref {rep.ref} ({where})"


def _ml_window(formula: str, source: EnergySource) -> tuple[float, float, str]:
    from nitrolyte.stability.window import electrochemical_window

    try:
        w = electrochemical_window(formula, source)
    except NitrolyteError as exc:
        return math.nan, math.nan, str(exc).split(";")[0]
    if not w.computable:
        return math.nan, math.nan, w.notes[0] if w.notes else "not computable"
    return w.reduction_V, w.oxidation_V, " + ".join(w.oxidation_products)


def ml_validation(sources: tuple[str | EnergySource, ...] = ("ml", "ml:mp2020"), *,
                  db: DatabaseLike | None = None) -> pd.DataFrame:
    """The validation table: one row per (case, source); the ML library includes the user
    structures of ``db`` (default: the user's database).

    Returns
    -------
    pandas.DataFrame
        ``group, material, formula, reference, ref_reduction_V, ref_oxidation_V, source,
        ml_reduction_V, ml_oxidation_V, d_reduction_V, d_oxidation_V`` (ML minus reference, V)
        and ``ml_note`` (oxidation products, or why there is no ML value).
    """
    import pandas as pd

    from nitrolyte.stability.sources import resolve_source

    rows: list[dict[str, Any]] = []
    for src_spec in sources:
        src = resolve_source(src_spec, db=db)
        for group, material, formula in CASES:
            r_red, r_ox, ref = _reference(group, material)
            m_red, m_ox, note = _ml_window(formula, src)
            rows.append({"group": group, "material": material, "formula": formula, "reference": ref,
                         "ref_reduction_V": r_red, "ref_oxidation_V": r_ox, "source": src.name,
                         "ml_reduction_V": m_red, "ml_oxidation_V": m_ox,
                         "d_reduction_V": m_red - r_red, "d_oxidation_V": m_ox - r_ox, "ml_note": note})
    return pd.DataFrame(rows)


def deviation_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Mean and worst absolute deviation (V) of the ML limits, per source and group.

    Both limits of every case with a reference and an ML value count; ``n`` is how many.
    """
    import pandas as pd

    out = []
    for (source, group), sub in table.groupby(["source", "group"], sort=True):
        dev = pd.concat([sub["d_reduction_V"], sub["d_oxidation_V"]]).abs().dropna()
        worst = sub.loc[sub[["d_reduction_V", "d_oxidation_V"]].abs().max(axis=1).idxmax(), "material"] \
            if len(dev) else ""
        out.append({"source": source, "group": group, "n": len(dev),
                    "mean_abs_dev_V": float(dev.mean()) if len(dev) else math.nan,
                    "worst_abs_dev_V": float(dev.max()) if len(dev) else math.nan, "worst_case": worst})
    return pd.DataFrame(out)
