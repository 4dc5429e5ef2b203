"""Arrhenius plots: the per-family figures of the review (Figs. 3E, 4F, 5E, 6B, 7B, 8D) and fits.

Functions take prepared results (the long frame of
:func:`nitrolyte.transport.conductivity.arrhenius_curves`, or an
:class:`~nitrolyte.transport.fitting.ArrheniusFit`) and return a figure; nothing here computes
physics. ``plot_*`` return matplotlib figures, ``plotly_*`` Plotly figures with the same content.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from nitrolyte.errors import InputError
from nitrolyte.units import ZERO_C_K

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure
    from plotly.graph_objects import Figure as PlotlyFigure

#: the review's conductivity target (Perspective (a)), S/cm
TARGET_S_CM = 1e-3
_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
            "#17becf", "#7f7f7f", "#bcbd22", "#393b79", "#637939")
_DIRECTION = {"perp_c": " ⊥c", "par_c": " ∥c", "": ""}
_CURVE_COLUMNS = ("name", "direction", "ref", "from_arrhenius", "T_ref_K", "sigma_ref_S_cm",
                  "T_transition_K", "inv_T_1000_K", "log10_sigma_S_cm")
_X_LABEL = "1000/T (K$^{-1}$)"
_X_LABEL_PLOTLY = "1000/T (K⁻¹)"
_Y_LABEL_PLOTLY = "log<sub>10</sub>(σ / S cm⁻¹)"
_Y_LABEL = r"log$_{10}$($\sigma$ / S cm$^{-1}$)"


def _sci_text(value: float) -> str:
    """1e-3 -> '1e-3', 2.5e-4 -> '2.5e-4' (as the tables print conductivities)."""
    mantissa, exponent = f"{value:e}".split("e")
    return f"{float(mantissa):g}e{int(exponent)}"


def _mpl() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _curves(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """(legend label, rows sorted by 1000/T) per curve.

    A curve is one (name, direction) and, where the frame has a ``source`` column, one source:
    a user measurement of a review material is its own curve, labelled "(user data)".
    """
    missing = [c for c in _CURVE_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"arrhenius plot: frame lacks column(s) {', '.join(missing)}")
    if frame.empty:
        raise InputError("arrhenius plot: frame has no rows")
    keys = ["name", "direction"] + (["source"] if "source" in frame.columns else [])
    out = []
    for _key, g in frame.groupby(keys, sort=False):
        row = g.iloc[0]
        out.append((_label(row), g.sort_values("inv_T_1000_K")))
    return out


_SIM_COLOR = "#d62728"


def point_groups(points: pd.DataFrame | None) -> list[tuple[str, pd.DataFrame, bool]]:
    """(legend label, rows, is_simulation) per stored material and kind of point.

    Points whose ``method`` is a simulation (:mod:`nitrolyte.provenance`) are their own
    group, labelled ``"<name>: MD (simulation, <model version>)"`` (the points'
    ``method_label``, else ``"MD (simulation)"``); the others ``"<name> (measured, user data)"``.
    """
    from nitrolyte.provenance import is_simulation, method_label

    if points is None or points.empty:
        return []
    methods = points["method"] if "method" in points.columns else [""] * len(points)
    sim = [is_simulation(m) for m in methods]
    out = []
    for (name, is_sim), g in points.assign(_sim=sim).groupby(["name", "_sim"], sort=False):
        given = str(g["method_label"].iloc[0]) if "method_label" in g.columns else ""
        label = (f"{name}: {method_label('MD', given or None)}" if is_sim
                 else f"{name} (measured, user data)")
        out.append((label, g.drop(columns="_sim"), bool(is_sim)))
    return out


def is_user(row: Any) -> bool:
    """Whether a curve row is a user measurement (``source == "user"``)."""
    return str(row.get("source", "literature")) == "user"


def _label(row: Any) -> str:
    direction = str(row["direction"] or "")
    ref = row["ref"]
    ref_text = "" if ref is None or (isinstance(ref, float) and math.isnan(ref)) or str(ref) in (
        "", "<NA>", "nan") else f" [{ref}]"
    text = f"{row['name']}{_DIRECTION.get(direction, ' ' + direction)}{ref_text}"
    if is_user(row):
        text += " (user data)"
    if not math.isnan(row["T_transition_K"]):
        text += f" (LT/HT at {row['T_transition_K'] - ZERO_C_K:.0f} °C)"
    return text


def _celsius_ticks(ax: Any) -> list[float]:
    """Round °C values inside the 1000/T range of ``ax``, spaced so that labels never touch."""
    lo, hi = sorted(ax.get_xlim())
    t_max, t_min = 1000 / lo - ZERO_C_K, 1000 / hi - ZERO_C_K
    candidates = (-50, -25, 0, 25, 50, 100, 150, 200, 300, 400, 500, 700, 1000)
    ticks: list[float] = []
    for t in sorted(candidates, reverse=True):
        if not t_min <= t <= t_max:
            continue
        x = 1000 / (t + ZERO_C_K)
        if not ticks or abs(x - 1000 / (ticks[-1] + ZERO_C_K)) >= 0.06 * (hi - lo):
            ticks.append(t)
    return ticks


def plot_arrhenius_family(frame: pd.DataFrame, title: str = "",
                          target_S_cm: float = TARGET_S_CM,
                          points: pd.DataFrame | None = None) -> Figure:
    """log10(sigma) against 1000/T for every curve in ``frame``, with the conductivity target.

    Filled markers: the record's room-temperature value as measured; open markers: calculated
    from an Arrhenius plot (the tables' footnote a). Legend: name, direction, [reference number].

    Parameters
    ----------
    frame : DataFrame
        From :func:`~nitrolyte.transport.conductivity.arrhenius_curves`.
    title : str
        Figure title (e.g. ``"Fig. 3E - Li3N"``).
    target_S_cm : float
        Horizontal target line in S/cm (default 1e-3, Perspective (a)).
    points : DataFrame, optional
        Stored user measurements (``name, T_K, sigma_S_cm`` and ``method``), drawn as black
        markers with or without an activation energy
        (:func:`nitrolyte.transport.measured.user_points`); simulated points (method ``MD``) as
        red stars labelled "MD (simulation)".
    """
    plt = _mpl()
    fig, ax = plt.subplots(figsize=(9.0, 4.8))
    for j, (label, g, sim) in enumerate(point_groups(points)):
        ax.plot(1000 / g["T_K"], np.log10(g["sigma_S_cm"]), "*" if sim else "xsD^v"[j % 5],
                color=_SIM_COLOR if sim else "black", ms=9 if sim else 6, ls="none", label=label,
                zorder=4)
    for i, (label, g) in enumerate(_curves(frame)):
        color = _PALETTE[i % len(_PALETTE)]
        row = g.iloc[0]
        ax.plot(g["inv_T_1000_K"], g["log10_sigma_S_cm"], color=color, lw=1.6, label=label,
                ls="--" if is_user(row) else "-")
        ax.plot(1000 / row["T_ref_K"], math.log10(row["sigma_ref_S_cm"]), "o", ms=6, color=color,
                mfc="white" if row["from_arrhenius"] else color, zorder=3)
    ax.axhline(math.log10(target_S_cm), color="black", ls="--", lw=1)
    ax.annotate(f"target {_sci_text(target_S_cm)} S cm$^{{-1}}$",
                xy=(0.99, math.log10(target_S_cm)), xycoords=("axes fraction", "data"),
                xytext=(0, 2), textcoords="offset points", ha="right", va="bottom", fontsize=8,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1, "alpha": 0.85},
                zorder=4)
    ax.set_xlabel(_X_LABEL)
    ax.set_ylabel(_Y_LABEL)
    with np.errstate(divide="ignore"):
        top = ax.secondary_xaxis("top", functions=(lambda x: 1000 / x - ZERO_C_K,
                                                   lambda t: 1000 / (t + ZERO_C_K)))
    top.set_xticks(_celsius_ticks(ax))
    top.set_xlabel("T (°C)")
    ax.set_title(title, fontsize=11, pad=10)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False,
              title="[ref. no.]   ○ RT value from an Arrhenius plot (footnote a)",
              title_fontsize=7, alignment="left")
    fig.tight_layout()
    return fig


def plotly_arrhenius_family(frame: pd.DataFrame, title: str = "",
                            target_S_cm: float = TARGET_S_CM,
                            points: pd.DataFrame | None = None) -> PlotlyFigure:
    """Interactive version of :func:`plot_arrhenius_family` (hover shows T and sigma)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    curves = _curves(frame)
    for label, g, sim in point_groups(points):
        fig.add_trace(go.Scatter(
            x=1000 / g["T_K"], y=np.log10(g["sigma_S_cm"]), mode="markers", name=label,
            marker={"color": _SIM_COLOR, "symbol": "star", "size": 11} if sim
            else {"color": "black", "symbol": "x"},
            customdata=np.stack([g["T_K"], g["sigma_S_cm"]], axis=1),
            hovertemplate="%{fullData.name}<br>T = %{customdata[0]:.1f} K"
                          "<br>σ = %{customdata[1]:.3g} S/cm<extra></extra>"))
    for i, (label, g) in enumerate(curves):
        color = _PALETTE[i % len(_PALETTE)]
        row = g.iloc[0]
        fig.add_trace(go.Scatter(
            x=g["inv_T_1000_K"], y=g["log10_sigma_S_cm"], mode="lines", name=label,
            line={"color": color, "dash": "dash" if is_user(row) else "solid"}, legendgroup=label,
            customdata=np.stack([1000 / g["inv_T_1000_K"], g["sigma_S_cm"]], axis=1),
            hovertemplate="%{fullData.name}<br>T = %{customdata[0]:.1f} K"
                          "<br>σ = %{customdata[1]:.3g} S/cm<extra></extra>"))
        fig.add_trace(go.Scatter(
            x=[1000 / row["T_ref_K"]], y=[math.log10(row["sigma_ref_S_cm"])], mode="markers",
            marker={"color": "white" if row["from_arrhenius"] else color, "size": 9,
                    "line": {"color": color, "width": 2}},
            legendgroup=label, showlegend=False,
            hovertemplate=f"{label}<br>table value {row['sigma_ref_S_cm']:.3g} S/cm at "
                          f"{row['T_ref_K']:.2f} K" + (" (footnote a)" if row["from_arrhenius"]
                                                        else "") + "<extra></extra>"))
    # the simple_white template draws shapes 0 px wide at 30 % opacity: set both
    fig.add_hline(y=math.log10(target_S_cm), line_dash="dash", line_color="black", line_width=1,
                  opacity=1, annotation_text=f"target {_sci_text(target_S_cm)} S/cm",
                  annotation_position="top right")
    legend_rows = math.ceil(len(curves) / 2)
    fig.update_layout(title=title, template="simple_white", height=440 + 22 * legend_rows,
                      xaxis_title=_X_LABEL_PLOTLY, yaxis_title=_Y_LABEL_PLOTLY,
                      margin={"t": 60, "l": 70, "r": 20, "b": 40},
                      legend={"font": {"size": 11}, "orientation": "h", "x": 0, "y": -0.2,
                              "yanchor": "top", "entrywidth": 0.49, "entrywidthmode": "fraction"})
    return fig


def plot_fit(fit: Any, confidence: float = 0.95, title: str = "") -> Figure:
    """Data, fitted curve and confidence band of a fit of any law; outliers marked.

    Parameters
    ----------
    fit : ArrheniusFit or LawFit
        Result of :func:`~nitrolyte.transport.fitting.fit_law` (any registered law, e.g. VTF or
        two-regime Arrhenius) or :func:`~nitrolyte.transport.fitting.fit_arrhenius`.
    confidence : float
        Level of the band (default 0.95).
    title : str
        Figure title.
    """
    plt = _mpl()
    T = np.asarray(fit.T_K)
    grid = np.linspace(T.min() * 0.97, T.max() * 1.03, 200)
    band = fit.predict(grid, confidence)
    fig, ax = plt.subplots(figsize=(6.0, 4.4))
    x = 1000 / grid
    ax.fill_between(x, np.log10(band.lower_S_cm), np.log10(band.upper_S_cm), color="#1f77b4",
                    alpha=0.2, lw=0, label=f"{confidence:.0%} confidence band")
    ax.plot(x, np.log10(band.sigma_S_cm), color="#1f77b4",
            label=f"fit: {fit.describe()}")
    sig = np.asarray(fit.sigma_S_cm)
    out = np.asarray(fit.outliers)
    yerr = None
    if fit.sigma_err_S_cm is not None:
        yerr = np.asarray(fit.sigma_err_S_cm) / (sig * math.log(10))
    ax.errorbar(1000 / T[~out], np.log10(sig[~out]), yerr=None if yerr is None else yerr[~out],
                fmt="o", color="black", ms=5, label="data")
    if out.any():
        ax.plot(1000 / T[out], np.log10(sig[out]), "x", color="#d62728", ms=9, mew=2,
                label="flagged outlier (kept in fit)")
    ax.set_xlabel(_X_LABEL)
    ax.set_ylabel(_Y_LABEL)
    ax.set_title(title or f"{fit.title} ({fit.law}), R² = {fit.r_squared:.4f}",
                 fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
