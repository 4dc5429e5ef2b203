"""Figures 3D, 4E, 6A and 16C of the review: structure- and cell-level comparisons.

Every function takes a prepared DataFrame (the report section builds it from the database and
:mod:`nitrolyte.structures`) and returns a figure; nothing here computes physics. ``plot_*``
return matplotlib figures, ``plotly_*`` Plotly figures with the same content.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from nitrolyte.errors import InputError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure
    from plotly.graph_objects import Figure as PlotlyFigure

_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
            "#17becf", "#7f7f7f", "#bcbd22")
#: axis title of room-temperature conductivity in the Plotly figures (log axes show 10^n)
_SIGMA_RT = "σ<sub>RT</sub> (S cm⁻¹)"
_PLOTLY_LAYOUT = {"template": "simple_white", "height": 440, "margin": {"l": 70, "r": 30, "t": 60,
                                                                        "b": 60}}


def _require(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{what}: frame lacks column(s) {', '.join(missing)}")
    if frame.empty:
        raise InputError(f"{what}: frame has no rows")


def _mpl() -> object:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


# ----------------------------------------------------------------------------------- Fig. 4E


def plot_lipon_li_content(frame: pd.DataFrame) -> Figure:
    """Room-temperature conductivity of LiPON vs Li content (Fig. 4E).

    ``frame`` columns: ``name``, ``li_content`` (Li per network former), ``sigma_S_cm`` (S/cm),
    ``ref``.
    """
    _require(frame, ("name", "li_content", "sigma_S_cm", "ref"), "plot_lipon_li_content")
    plt = _mpl()
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for i, row in enumerate(frame.itertuples(index=False)):
        ax.scatter(row.li_content, row.sigma_S_cm, s=60, color=_PALETTE[i % len(_PALETTE)],
                   edgecolor="black", zorder=3, label=f"{row.name} (ref. {row.ref})")
    ax.set_yscale("log")
    ax.set_xlabel("Li content, Li per (P + Si)")
    ax.set_ylabel(r"$\sigma_\mathrm{RT}$ (S cm$^{-1}$)")
    lo, hi = frame["sigma_S_cm"].min(), frame["sigma_S_cm"].max()
    ax.set_ylim(10 ** math.floor(math.log10(lo)), 10 ** math.ceil(math.log10(hi) + 0.01))
    xmin, xmax = frame["li_content"].min(), frame["li_content"].max()
    ax.set_xlim(max(0.0, xmin - 0.4), xmax + 0.4)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="best", frameon=False)
    ax.set_title("LiPON: room-temperature conductivity vs Li content (cf. Fig. 4E)", fontsize=10)
    fig.tight_layout()
    return fig


def plotly_lipon_li_content(frame: pd.DataFrame) -> PlotlyFigure:
    """Interactive version of :func:`plot_lipon_li_content`."""
    import plotly.graph_objects as go

    _require(frame, ("name", "li_content", "sigma_S_cm", "ref"), "plotly_lipon_li_content")
    fig = go.Figure()
    for i, row in enumerate(frame.itertuples(index=False)):
        fig.add_trace(go.Scatter(
            x=[row.li_content], y=[row.sigma_S_cm], mode="markers", name=f"{row.name} (ref. {row.ref})",
            marker={"size": 11, "color": _PALETTE[i % len(_PALETTE)], "line": {"width": 1}},
            hovertemplate=f"{row.name}<br>Li/(P+Si) = %{{x:.3g}}<br>σ = %{{y:.3g}} S/cm<extra></extra>"))
    fig.update_layout(title="LiPON: σ<sub>RT</sub> vs Li content (cf. Fig. 4E)",
                      xaxis_title="Li content, Li per (P + Si)", yaxis_title=_SIGMA_RT,
                      yaxis={"type": "log", "exponentformat": "power"}, **_PLOTLY_LAYOUT)
    return fig


# ----------------------------------------------------------------------------------- Fig. 6A


_KAPPA_LEVELS = ((0.25, "1/4"), (1 / 3, "1/3"), (0.375, "3/8"), (0.4, "2/5"), (0.5, "1/2"))


def plot_condensation(frame: pd.DataFrame) -> Figure:
    """Degree of condensation κ of the nitridophosphates and σ_RT / Ea vs κ (Fig. 6A, 6B data).

    ``frame`` columns: ``name``, ``kappa_value``, ``kappa`` (text), ``sublattice``,
    ``sigma_S_cm`` (S/cm, NaN where not measured), ``Ea_eV`` (eV, NaN where not measured).
    """
    _require(frame, ("name", "kappa_value", "kappa", "sublattice", "sigma_S_cm", "Ea_eV"),
             "plot_condensation")
    plt = _mpl()
    fig, (ax, ax_s) = plt.subplots(1, 2, figsize=(11.5, 4.6), gridspec_kw={"width_ratios": [1.15, 1]})
    ordered = frame.sort_values("kappa_value", kind="stable").reset_index(drop=True)
    _kappa_panel(plt, ax, ordered)
    _conductivity_panel(ax_s, ordered.dropna(subset=["sigma_S_cm"]))
    fig.tight_layout()
    return fig


def _kappa_panel(plt: Any, ax: Any, ordered: pd.DataFrame) -> None:
    kinds = list(dict.fromkeys(ordered["sublattice"]))
    colors = {k: _PALETTE[i % len(_PALETTE)] for i, k in enumerate(kinds)}
    for y, row in enumerate(ordered.itertuples(index=False)):
        ax.barh(y, row.kappa_value, color=colors[row.sublattice], edgecolor="black", height=0.6)
        ax.text(row.kappa_value + 0.005, y, f"κ = {row.kappa}", va="center", fontsize=8)
    ax.set_yticks(range(len(ordered)), ordered["name"])
    ax.set_xlim(0, 0.62)
    ax.set_xlabel("degree of condensation κ = n(P)/n(N)")
    ax.set_title("κ of the lithium nitridophosphates (cf. Fig. 6A)", fontsize=10)
    handles = [plt.Rectangle((0, 0), 1, 1, color=colors[k]) for k in kinds]
    ax.legend(handles, kinds, fontsize=7.5, loc="lower right", title="PN4 sub-lattice",
              title_fontsize=8)


def _conductivity_panel(ax_s: Any, measured: pd.DataFrame) -> None:
    ax_s.scatter(measured["kappa_value"], measured["sigma_S_cm"], s=55, color="#1f77b4",
                 edgecolor="black", zorder=3, label=r"$\sigma_\mathrm{RT}$ (left axis)")
    for row in measured.itertuples(index=False):
        ax_s.annotate(row.name, (row.kappa_value, row.sigma_S_cm), textcoords="offset points",
                      xytext=(6, 4), fontsize=8)
    ax_s.set_yscale("log")
    ax_s.set_ylabel(r"$\sigma_\mathrm{RT}$ (S cm$^{-1}$)")
    ax_s.set_xlabel("κ")
    ax_s.set_xticks([k for k, _ in _KAPPA_LEVELS], [t for _, t in _KAPPA_LEVELS])
    ax_s.set_xlim(0.22, 0.56)
    ax_e = ax_s.twinx()
    ax_e.scatter(measured["kappa_value"], measured["Ea_eV"], marker="s", s=45, color="#d62728",
                 edgecolor="black", zorder=3, label="Ea (right axis)")
    ax_e.set_ylabel("Ea (eV)", color="#d62728")
    ax_e.set_ylim(0.3, 0.75)
    ax_s.set_title(r"$\sigma_\mathrm{RT}$ and Ea vs κ (Table 3)", fontsize=10)
    h1, l1 = ax_s.get_legend_handles_labels()
    h2, l2 = ax_e.get_legend_handles_labels()
    ax_s.legend(h1 + h2, l1 + l2, fontsize=8, loc="lower left", frameon=True)


def plotly_condensation(frame: pd.DataFrame) -> PlotlyFigure:
    """Interactive version of :func:`plot_condensation`."""
    from plotly.subplots import make_subplots

    _require(frame, ("name", "kappa_value", "kappa", "sublattice", "sigma_S_cm", "Ea_eV"),
             "plotly_condensation")
    ordered = frame.sort_values("kappa_value", kind="stable")
    fig = make_subplots(rows=1, cols=2, specs=[[{}, {"secondary_y": True}]],
                        subplot_titles=("κ of the nitridophosphates (cf. Fig. 6A)",
                                        "σ<sub>RT</sub> and Ea vs κ (Table 3)"))
    for i, kind in enumerate(dict.fromkeys(ordered["sublattice"])):
        part = ordered[ordered["sublattice"] == kind]
        fig.add_bar(x=part["kappa_value"], y=part["name"], orientation="h", name=kind,
                    marker_color=_PALETTE[i % len(_PALETTE)], text=[f"κ = {k}" for k in part["kappa"]],
                    textposition="outside", row=1, col=1)
    measured = ordered.dropna(subset=["sigma_S_cm"])
    fig.add_scatter(x=measured["kappa_value"], y=measured["sigma_S_cm"], mode="markers+text",
                    text=measured["name"], textposition="top right", name="σ<sub>RT</sub>",
                    marker={"size": 10, "color": "#1f77b4"}, row=1, col=2)
    fig.add_scatter(x=measured["kappa_value"], y=measured["Ea_eV"], mode="markers", name="Ea",
                    marker={"size": 9, "symbol": "square", "color": "#d62728"}, row=1, col=2,
                    secondary_y=True)
    fig.update_xaxes(title_text="κ = n(P)/n(N)", range=[0, 0.65], row=1, col=1)
    fig.update_yaxes(categoryorder="array", categoryarray=list(ordered["name"]), row=1, col=1)
    fig.update_xaxes(title_text="κ", range=[0.22, 0.55], row=1, col=2)
    fig.update_yaxes(title_text=_SIGMA_RT, type="log", exponentformat="power", row=1, col=2,
                     secondary_y=False)
    fig.update_yaxes(title_text="Ea (eV)", range=[0.3, 0.75], tickmode="linear", tick0=0.3,
                     dtick=0.05, showgrid=False, row=1, col=2, secondary_y=True)
    fig.update_layout(**{**_PLOTLY_LAYOUT, "height": 480}, barmode="overlay")
    return fig


# ----------------------------------------------------------------------------------- Fig. 16C


def plot_critical_current_density(frame: pd.DataFrame, target_ccd_mA_cm2: float = 12.0,
                                  target_capacity_mAh_cm2: float = 3.0) -> Figure:
    """Critical current density and capacity of Li symmetric cells (Fig. 16C).

    ``frame`` columns: ``system``, ``ccd_mA_cm2`` (mA/cm2), ``capacity_mAh_cm2`` (mAh/cm2),
    ``ref``; NaN where the review's text does not state the value. Dashed lines: the targets
    of the Perspectives (> 12 mA/cm2, > 3 mAh/cm2).
    """
    _require(frame, ("system", "ccd_mA_cm2", "capacity_mAh_cm2", "ref"),
             "plot_critical_current_density")
    plt = _mpl()
    fig, axes = plt.subplots(1, 2, figsize=(11.5, 0.45 * len(frame) + 2.0), sharey=True)
    labels = [f"{s} (ref. {r})" for s, r in zip(frame["system"], frame["ref"], strict=True)]
    ys = list(range(len(frame)))[::-1]
    panels = (("ccd_mA_cm2", target_ccd_mA_cm2, "critical current density (mA cm$^{-2}$)", "#1f77b4"),
              ("capacity_mAh_cm2", target_capacity_mAh_cm2, "critical capacity (mAh cm$^{-2}$)",
               "#2ca02c"))
    for ax, (col, target, xlabel, color) in zip(axes, panels, strict=True):
        values = frame[col].to_numpy(dtype=float)
        xmax = max(float(max((v for v in values if v == v), default=0.0)), target) * 1.35
        for y, v in zip(ys, values, strict=True):
            if v == v:  # not NaN
                ax.barh(y, v, color=color, edgecolor="black", height=0.6)
                ax.text(v + xmax * 0.01, y, f"{v:g}", va="center", fontsize=8)
            else:
                ax.text(xmax * 0.01, y, "not stated in the text", va="center", fontsize=8,
                        color="#7f7f7f", style="italic", zorder=3,
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
        ax.axvline(target, color="black", linestyle="--", linewidth=1)
        ax.text(target, len(frame) - 0.4, f" target > {target:g}", fontsize=8, va="bottom")
        ax.set_xlim(0, xmax)
        ax.set_ylim(-0.6, len(frame) + 0.2)
        ax.set_xlabel(xlabel)
    axes[0].set_yticks(ys, labels, fontsize=8)
    fig.suptitle("Li symmetric cells: critical current density and capacity (cf. Fig. 16C)",
                 fontsize=10)
    fig.tight_layout()
    return fig


def plotly_critical_current_density(frame: pd.DataFrame, target_ccd_mA_cm2: float = 12.0,
                                    target_capacity_mAh_cm2: float = 3.0) -> PlotlyFigure:
    """Interactive version of :func:`plot_critical_current_density`."""
    from plotly.subplots import make_subplots

    _require(frame, ("system", "ccd_mA_cm2", "capacity_mAh_cm2", "ref"),
             "plotly_critical_current_density")
    labels = [f"{s} (ref. {r})" for s, r in zip(frame["system"], frame["ref"], strict=True)]
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True,
                        subplot_titles=("critical current density (mA/cm²)",
                                        "critical capacity (mAh/cm²)"))
    for col_i, (col, target, color) in enumerate(
            (("ccd_mA_cm2", target_ccd_mA_cm2, "#1f77b4"),
             ("capacity_mAh_cm2", target_capacity_mAh_cm2, "#2ca02c")), start=1):
        values = frame[col].astype(float)
        text = [f"{v:g}" if v == v else "not stated in the text" for v in values]
        fig.add_bar(x=values.fillna(0.0), y=labels, orientation="h", marker_color=color,
                    text=text, textposition="outside", showlegend=False, row=1, col=col_i)
        fig.add_vline(x=target, line_dash="dash", line_color="black", line_width=1, opacity=1,
                      layer="below",
                      annotation_text=f"target > {target:g}", annotation_position="bottom right",
                      row=1, col=col_i)
        fig.update_xaxes(range=[0, max(float(values.max(skipna=True) or 0.0), target) * 1.6],
                         row=1, col=col_i)
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(title="Critical current density and capacity (cf. Fig. 16C)",
                      **{**_PLOTLY_LAYOUT, "height": 120 + 45 * len(frame),
                         "margin": {"l": 260, "r": 30, "t": 80, "b": 50}})
    return fig


# ----------------------------------------------------------------------------------- Fig. 3D


def plot_vacancies(frame: pd.DataFrame) -> Figure:
    """Vacancy concentrations of vacancy-rich β-Li3N / Li9N2Cl3 compositions (cf. Fig. 3C/D).

    ``frame`` columns: ``composition``, ``site`` (``Li``, ``N``, ``Li(4f)`` ...),
    ``vacancy_percent`` (computed, %), ``review_percent`` (stated by the review, NaN if none).
    """
    _require(frame, ("composition", "site", "vacancy_percent", "review_percent"), "plot_vacancies")
    plt = _mpl()
    comps = list(dict.fromkeys(frame["composition"]))
    sites = list(dict.fromkeys(frame["site"]))
    n_max = max(frame.groupby("composition")["site"].nunique())
    width = 0.8 / n_max
    fig, ax = plt.subplots(figsize=(1.45 * len(comps) + 1.2, 4.4))
    labelled: set[str] = set()
    for i, comp in enumerate(comps):
        part = frame[frame["composition"] == comp].reset_index(drop=True)
        for j, row in part.iterrows():
            x = i + (j - (len(part) - 1) / 2) * width
            color = _PALETTE[sites.index(row["site"]) % len(_PALETTE)]
            label = f"{row['site']} vacancies (computed)"
            ax.bar(x, row["vacancy_percent"], width=width * 0.95, color=color, edgecolor="black",
                   label=None if label in labelled else label)
            labelled.add(label)
            if row["review_percent"] == row["review_percent"]:
                ax.scatter(x, row["review_percent"], marker="D", color="black", s=30, zorder=4,
                           label=None if "review" in labelled else "stated in the review")
                labelled.add("review")
    ticks = [f"{c}\n{o}" for c, o in zip(comps, frame.drop_duplicates("composition")["origin"],
                                          strict=True)] if "origin" in frame else comps
    ax.set_xticks(range(len(comps)), ticks, fontsize=7.5)
    ax.set_ylabel("vacancy concentration (%)")
    ax.set_ylim(0, max(frame["vacancy_percent"].max(), frame["review_percent"].max()) * 1.3)
    ax.legend(fontsize=8, frameon=False, loc="upper left", ncols=2)
    ax.set_title("Vacancy concentrations of β-Li3N and Li-N-Cl anti-fluorites (cf. Fig. 3C/D)",
                 fontsize=10)
    fig.tight_layout()
    return fig


def plotly_vacancies(frame: pd.DataFrame) -> PlotlyFigure:
    """Interactive version of :func:`plot_vacancies`."""
    import plotly.graph_objects as go

    _require(frame, ("composition", "site", "vacancy_percent", "review_percent"), "plotly_vacancies")
    comps = list(dict.fromkeys(frame["composition"]))
    sites = list(dict.fromkeys(frame["site"]))
    width = 0.8 / max(frame.groupby("composition")["site"].nunique())
    xs = []
    for i, comp in enumerate(comps):
        n = int((frame["composition"] == comp).sum())
        xs += [i + (j - (n - 1) / 2) * width for j in range(n)]
    frame = frame.assign(x=xs)
    fig = go.Figure()
    for j, site in enumerate(sites):
        part = frame[frame["site"] == site]
        fig.add_bar(x=part["x"], y=part["vacancy_percent"], width=width * 0.95,
                    name=f"{site} vacancies", marker_color=_PALETTE[j % len(_PALETTE)],
                    customdata=part["composition"],
                    hovertemplate="%{customdata}: %{y:.2f} %<extra></extra>")
    stated = frame.dropna(subset=["review_percent"])
    fig.add_scatter(x=stated["x"], y=stated["review_percent"], mode="markers",
                    name="stated in the review", customdata=stated["composition"],
                    marker={"symbol": "diamond", "size": 10, "color": "black"},
                    hovertemplate="%{customdata}: review %{y:g} %<extra></extra>")
    fig.update_xaxes(tickvals=list(range(len(comps))), ticktext=comps)
    fig.update_layout(title="Vacancy concentrations (cf. Fig. 3C/D)", barmode="overlay",
                      yaxis_title="vacancy concentration (%)", **_PLOTLY_LAYOUT)
    return fig
