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
    for i in range(1, len(materials)):
        ax.axhline(i - 0.5, color="#b0b0b0", lw=0.6, zorder=1)
    ax.set_yticks(range(len(materials)), materials)
    ax.set_ylim(len(materials) - 0.5, -0.5)
    ax.set_xlim(0, V_max)
    ax.set_xlabel("potential (V vs. Li/Li⁺)")
    families = [f for f in _FAMILY_BG if f in set(frame["family"])]
    handles = [Patch(facecolor=_STYLE[b][0], alpha=_STYLE[b][2], hatch=_STYLE[b][1],
                     edgecolor=_STYLE[b][0], label=b) for b in bases]
    handles += [Patch(facecolor=_FAMILY_BG[f], edgecolor="#b0b0b0", label=f"{f} (background)")
                for f in families]
    ax.legend(handles=handles, fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0),
              ncols=4, frameon=False)
    ax.set_title(title or "Electrochemical windows: reported vs. computed", fontsize=9, pad=34)
    fig.tight_layout()
    return fig


def window_chart_plotly(frame: pd.DataFrame, V_max: float = 6.0) -> Any:
    """Interactive version of :func:`window_chart` (hover shows source and note).

    One row per material, in the order of ``frame`` (top to bottom), separated by thin lines;
    a material with no window on any basis keeps its (empty) row.
    """
    import plotly.graph_objects as go

    order = list(dict.fromkeys(frame["material"]))
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
    # an invisible point per material keeps rows without any window (every row is a category)
    fig.add_trace(go.Scatter(x=[None] * len(order), y=order, mode="markers", showlegend=False,
                             hoverinfo="skip", name="materials"))
    for i in range(1, len(order)):
        fig.add_hline(y=i - 0.5, line_color="#c8c8c8", line_width=1, opacity=1, layer="below")
    fig.update_layout(barmode="group", template="simple_white", height=34 * len(order) + 170,
                      xaxis={"range": [0, V_max], "title": "potential (V vs. Li/Li⁺)",
                             "showgrid": True},
                      yaxis={"categoryorder": "array", "categoryarray": order[::-1],
                             "range": [-0.5, len(order) - 0.5], "tickmode": "array",
                             "tickvals": order},
                      legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
                      margin={"t": 50, "l": 90, "r": 20, "b": 50}, bargap=0.15)
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
        previous = 0.0
        for _, row in prof.iterrows():
            li, low = float(row["li_per_fu"]), float(row["V_low"])
            mid = (low + min(float(row["V_high"]), V_max)) / 2
            ax.annotate(str(row["phases"]), (li, mid), xytext=(4, 0),
                        textcoords="offset points", fontsize=7, va="center")
            if low > 0:  # the plateau at which the previous phases give up Li
                ax.annotate(f"{low:.2f} V", ((previous + li) / 2, low), xytext=(0, 3),
                            textcoords="offset points", fontsize=7, ha="center", va="bottom",
                            color="#1f5fa8")
            previous = li
        ax.set_ylim(0, V_max)
        lo = min(xs) if xs else -1.0
        ax.set_xlim(lo - 0.5, max(max(xs) if xs else 0.0, 0.0) + 0.5 + 0.25 * abs(lo))
        ax.set_xlabel("Li uptake per formula unit")
        ax.set_ylabel("potential (V vs. Li/Li⁺)")
        ax.set_title(name, fontsize=9)
    fig.tight_layout()
    return fig
