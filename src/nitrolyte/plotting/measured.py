"""A stored measurement set drawn over the literature Arrhenius lines of its family.

Takes a :class:`~nitrolyte.transport.measured.SetComparison` and the lines of
:func:`~nitrolyte.transport.measured.family_lines`; returns a matplotlib Figure.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def plot_set_vs_literature(comparison: Any, lines: pd.DataFrame, title: str = "") -> Any:
    """log10(sigma) against 1000/T: literature lines (solid) and the measured points (markers).

    Parameters
    ----------
    comparison : SetComparison
        The measured points (K, S/cm) and the matched records.
    lines : DataFrame
        ``name, direction, T_K, sigma_S_cm`` in long format.
    title : str
        Figure title; default names the set.
    """
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "svg", "pdf"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8.4, 4.6))
    matched = {(m["name"], m["direction"]) for m in comparison.matches}
    for (name, direction), g in lines.groupby(["name", "direction"], sort=False):
        label = name + (f" ({direction})" if direction else "")
        strong = (name, direction) in matched
        ax.plot(1000 / g["T_K"], g["sigma_S_cm"], "-", lw=1.6 if strong else 0.8,
                alpha=1.0 if strong else 0.5, label=label)
    T = np.asarray(comparison.T_K)
    ax.plot(1000 / T, comparison.sigma_S_cm, "ko", ms=6, mfc="none",
            label=f"{comparison.name} (measured, {comparison.method})")
    ax.set_yscale("log")
    ax.set_xlabel("1000 / T (1/K)")
    ax.set_ylabel("σ (S/cm)")
    Ea = "" if comparison.Ea_eV is None else (
        f": Ea = {comparison.Ea_eV:.3f} ± {comparison.Ea_stderr_eV or 0:.2g} eV")
    ax.set_title(title or f"{comparison.name}{Ea} vs {comparison.family or 'literature'}",
                 fontsize=10)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    fig.tight_layout()
    return fig
