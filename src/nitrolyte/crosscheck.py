"""Cross-check conductivities from another source against the curated literature values.

A lab's own measurements, or an external dataset imported into the store (for example OBELiX
with ``nitrolyte import FILE --format obelix``), are matched to the review's records by reduced
formula (pymatgen), and the disagreement is expressed in decades:

.. math:: \\Delta = \\log_{10}(\\sigma_\\mathrm{other} / \\sigma_\\mathrm{review})

Where several curated rows share a formula (polymorphs, directions, glass vs crystal) the closest
one is reported together with the number of candidates, because the formula alone cannot tell
which phase the other source measured.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from nitrolyte.checks import check_positive

#: columns of :func:`compare_conductivities`
COLUMNS = ("formula", "other_name", "other_sigma_S_cm", "other_qualifier", "other_T_K",
           "name", "sigma_S_cm", "T_K", "ref", "n_candidates", "log10_ratio", "verdict")


def reduced_formula(text: Any) -> str | None:
    """pymatgen's reduced formula of ``text``, or None when it is empty or unparsable."""
    from pymatgen.core import Composition

    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return Composition(text).reduced_formula
    except Exception:  # pymatgen raises several types for unparsable formulas
        return None


def _verdict(log_ratio: float, qualifier: str, tolerance: float) -> str:
    if qualifier == "<":  # other value is an upper bound
        return "consistent" if log_ratio >= -tolerance else "disagrees"
    if qualifier == ">":
        return "consistent" if log_ratio <= tolerance else "disagrees"
    return "agrees" if abs(log_ratio) <= tolerance else "disagrees"


def compare_conductivities(other: pd.DataFrame, literature: pd.DataFrame | None = None, *,
                           tolerance_decades: float = 0.5) -> pd.DataFrame:
    """Match ``other`` rows to curated rows by reduced formula and compare conductivities.

    Parameters
    ----------
    other : DataFrame
        Rows with at least ``formula`` and ``sigma_S_cm`` (S/cm); ``name``, ``sigma_qualifier``
        and ``T_K`` (K) are used when present (the wide frame of :func:`nitrolyte.materials`).
    literature : DataFrame, optional
        Curated rows (default: :func:`nitrolyte.dataset.materials_frame`).
    tolerance_decades : float
        |log10 ratio| at or below which two values "agree" (default 0.5 decade).

    Returns
    -------
    DataFrame
        One row per matched ``other`` row, columns :data:`COLUMNS`; ``verdict`` is ``agrees``,
        ``disagrees`` or, for an upper/lower bound, ``consistent`` / ``disagrees``.
    """
    from nitrolyte import dataset

    tolerance = float(check_positive("tolerance_decades", tolerance_decades))
    lit = dataset.materials_frame() if literature is None else literature
    lit = lit[lit["sigma_S_cm"].notna()].assign(_rf=lambda f: f["formula"].map(reduced_formula))
    by_formula = {rf: group for rf, group in lit.dropna(subset=["_rf"]).groupby("_rf")}
    rows = []
    for rec in other.to_dict("records"):
        rf, sigma = reduced_formula(rec.get("formula")), rec.get("sigma_S_cm")
        if rf not in by_formula or sigma is None or not (sigma > 0):
            continue
        cands = by_formula[rf]
        logs = np.log10(float(sigma) / cands["sigma_S_cm"].to_numpy(dtype=float))
        best = int(np.argmin(np.abs(logs)))
        match = cands.iloc[best]
        qualifier = rec.get("sigma_qualifier") if isinstance(rec.get("sigma_qualifier"), str) else ""
        rows.append({
            "formula": rf, "other_name": rec.get("name", ""), "other_sigma_S_cm": float(sigma),
            "other_qualifier": qualifier, "other_T_K": rec.get("T_K", math.nan),
            "name": match["name"], "sigma_S_cm": float(match["sigma_S_cm"]), "T_K": match["T_K"],
            "ref": match["ref"], "n_candidates": len(cands), "log10_ratio": float(logs[best]),
            "verdict": _verdict(float(logs[best]), qualifier.strip(), tolerance),
        })
    return pd.DataFrame(rows, columns=list(COLUMNS))
