"""Figures of electrochemical stability: the window bar chart (Figs. 2A/12B/17A) and the
equilibrium voltage profiles (Fig. 12C/D).

These functions only draw: they take frames from :mod:`nitrolyte.stability`
(``window_comparison``, ``voltage_profile``) and return a matplotlib or Plotly figure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

#: bar style per basis: (colour, hatch, alpha)
_STYLE = {"reported intrinsic": ("#1f77b4", "", 0.9), "reported extended": ("#1f77b4", "//", 0.35),
          "reported experimental": ("#2ca02c", "", 0.5), "computed": ("#d62728", "", 0.9)}
_FAMILY_BG = {"nitride": "#f3eefb", "sulfide": "#fdf6e3", "halide": "#eef7ee"}


def window_chart(frame: pd.DataFrame, V_max: float = 6.0, title: str | None = None) -> Figure:
    """Horizontal bars of reported and computed windows, one row per material (Fig. 17A style).

    Parameters
    ----------
    frame : pandas.DataFrame
        :func:`nitrolyte.stability.compare.window_comparison` output.
    V_max : float
        Upper end of the potential axis (V vs. Li/Li+); open-ended windows are clipped there.
    title : str, optional
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    materials = list(dict.fromkeys(frame["material"]))
    bases = [b for b in _STYLE if b in set(frame["basis"])]
    height = 0.8 / max(len(bases), 1)
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(materials) + 1.2))
    for i, name in enumerate(materials):
        part = frame[frame["material"] == name]
        family = str(part["family"].iloc[0])
        ax.axhspan(i - 0.5, i + 0.5, color=_FAMILY_BG.get(family, "white"), zorder=0)
        for j, basis in enumerate(bases):
            rows = part[part["basis"] == basis]
            y = i - 0.4 + height * (j + 0.5)
            if rows.empty:
                continue
            lo, hi = float(rows["reduction_V"].iloc[0]), float(rows["oxidation_V"].iloc[0])
            colour, hatch, alpha = _STYLE[basis]
            if math.isnan(lo):
                ax.text(0.05, y, "not stated" if basis.startswith("reported") else "not computable",
                        va="center", fontsize=6, color="#777777")
                continue
            hi = min(hi, V_max)
            ax.barh(y, hi - lo, left=lo, height=height * 0.9, color=colour, alpha=alpha, hatch=hatch,
                    edgecolor=colour, zorder=2)
            ax.text(hi + 0.05, y, f"{lo:.2f}-{hi:.2f}", va="center", fontsize=6)
    ax.set_yticks(range(len(materials)), materials)
    ax.invert_yaxis()
    ax.set_xlim(0, V_max)
    ax.set_xlabel("potential (V vs. Li/Li⁺)")
    ax.legend(handles=[Patch(facecolor=_STYLE[b][0], alpha=_STYLE[b][2], hatch=_STYLE[b][1], label=b)
                       for b in bases], fontsize=7, loc="lower right")
    ax.set_title(title or "Electrochemical windows: reported vs. computed", fontsize=9)
    fig.tight_layout()
    return fig


def window_chart_plotly(frame: pd.DataFrame, V_max: float = 6.0) -> Any:
    """Interactive version of :func:`window_chart` (hover shows source and note)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for basis, (colour, _hatch, alpha) in _STYLE.items():
        rows = frame[(frame["basis"] == basis) & frame["reduction_V"].notna()]
        if rows.empty:
            continue
        hi = rows["oxidation_V"].clip(upper=V_max)
        fig.add_trace(go.Bar(
            y=rows["material"], x=hi - rows["reduction_V"], base=rows["reduction_V"], orientation="h",
            name=basis, marker_color=colour, opacity=alpha,
            customdata=list(zip(rows["reduction_V"], rows["oxidation_V"], rows["source"], strict=True)),
            hovertemplate="%{y}: %{customdata[0]:.2f}-%{customdata[1]:.2f} V<br>%{customdata[2]}"
                          "<extra>" + basis + "</extra>"))
    order = list(dict.fromkeys(frame["material"]))
    fig.update_layout(barmode="group", xaxis_title="potential (V vs. Li/Li+)", height=40 * len(order) + 150,
                      yaxis={"categoryorder": "array", "categoryarray": order[::-1]},
                      xaxis={"range": [0, V_max]})
    return fig


def profile_steps(profile: pd.DataFrame, V_max: float) -> tuple[list[float], list[float]]:
    """Step-curve coordinates (Li per f.u., V) of a voltage profile, clipped at ``V_max``."""
    xs: list[float] = []
    ys: list[float] = []
    for _, row in profile.iterrows():
        hi = min(float(row["V_high"]), V_max)
        xs += [float(row["li_per_fu"])] * 2
        ys += [float(row["V_low"]), hi]
    return xs, ys


def voltage_profiles(profiles: Mapping[str, pd.DataFrame], V_max: float = 5.0) -> Figure:
    """Equilibrium voltage profiles, one panel per material (Fig. 12C/D).

    Parameters
    ----------
    profiles : mapping of str to DataFrame
        Title -> :func:`nitrolyte.stability.voltage_profile` output.
    V_max : float
        Top of the potential axis (V vs. Li/Li+).
    """
    import matplotlib.pyplot as plt

    n = len(profiles)
    fig, axes = plt.subplots(1, n, figsize=(4.2 * n, 3.6), squeeze=False)
    for ax, (name, prof) in zip(axes[0], profiles.items(), strict=True):
        xs, ys = profile_steps(prof, V_max)
        ax.plot(xs, ys, color="k", lw=1.5)
        for _, row in prof.iterrows():
            mid = (float(row["V_low"]) + min(float(row["V_high"]), V_max)) / 2
            ax.annotate(str(row["phases"]), (float(row["li_per_fu"]), mid), xytext=(4, 0),
                        textcoords="offset points", fontsize=7, va="center")
        ax.set_ylim(0, V_max)
        lo = min(xs) if xs else -1.0
        ax.set_xlim(lo - 0.5, max(max(xs) if xs else 0.0, 0.0) + 0.5 + 0.25 * abs(lo))
        ax.set_xlabel("Li uptake per formula unit")
        ax.set_ylabel("potential (V vs. Li/Li⁺)")
        ax.set_title(name, fontsize=9)
    fig.tight_layout()
    return fig
