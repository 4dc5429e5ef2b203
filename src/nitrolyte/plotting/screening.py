"""Figure of the screening: conductivity vs activation energy, coloured by oxidation limit.

The functions only draw. They take the frame of
:meth:`nitrolyte.screening.ScreeningResult.pareto` with two boolean columns added by the caller:
``on_front`` (the front of conductivity, activation energy and oxidation limit) and ``front_2d``
(the front of conductivity and activation energy alone). ``plot_*`` returns a matplotlib figure,
``plotly_*`` a Plotly figure with the same content.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from nitrolyte.errors import InputError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure
    from plotly.graph_objects import Figure as PlotlyFigure

COLUMNS = ("label", "sigma_S_cm", "Ea_eV", "oxidation_V", "on_front", "front_2d")
_UNKNOWN = "#b0b0b0"
_CMAP = "viridis"


def _points(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{what}: frame lacks column(s) {', '.join(missing)}")
    pts = frame[frame["sigma_S_cm"].notna() & frame["Ea_eV"].notna() & (frame["sigma_S_cm"] > 0)]
    if pts.empty:
        raise InputError(f"{what}: no row has both a conductivity and an activation energy")
    return pts


def _front_line(pts: pd.DataFrame) -> tuple[list[float], list[float]]:
    """Staircase through the 2-D front (Ea ascending)."""
    front = pts[pts["front_2d"]].sort_values("Ea_eV")
    xs: list[float] = []
    ys: list[float] = []
    for ea, s in zip(front["Ea_eV"], front["sigma_S_cm"], strict=True):
        if xs:
            xs.append(float(ea))
            ys.append(ys[-1])
        xs.append(float(ea))
        ys.append(float(s))
    return xs, ys


def _colour_range(pts: pd.DataFrame) -> tuple[float, float]:
    ox = pts["oxidation_V"].replace([math.inf], math.nan).dropna()
    if ox.empty:
        return 0.0, 5.0
    lo, hi = float(ox.min()), float(ox.max())
    return (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)


def label_positions(ea: list[float], log_sigma: list[float], dx: float = 0.02, gap: float = 0.45,
                    width: float = 0.3) -> list[tuple[float, float]]:
    """Label anchors (Ea, log10 σ) right of each point, pushed down until no two labels of
    nearby points (within ``width`` eV) are closer than ``gap`` decades; highest σ first."""
    placed: list[tuple[float, float]] = []
    out: dict[int, tuple[float, float]] = {}
    for i in sorted(range(len(ea)), key=lambda k: -log_sigma[k]):
        x, y = ea[i] + dx, log_sigma[i] + 0.15
        while any(abs(y - py) < gap and abs(x - px) < width for px, py in placed):
            y -= gap
        placed.append((x, y))
        out[i] = (x, y)
    return [out[i] for i in range(len(ea))]


def _labels(ax: Any, rows: pd.DataFrame) -> None:
    ea = [float(v) for v in rows["Ea_eV"]]
    logs = [math.log10(float(v)) for v in rows["sigma_S_cm"]]
    for (x, y), lab, e, ls in zip(label_positions(ea, logs), rows["label"], ea, logs, strict=True):
        moved = abs(y - ls - 0.15) > 1e-9
        ax.annotate(str(lab), (e, 10 ** ls), xytext=(x, 10 ** y), textcoords="data", fontsize=7, zorder=5,
                    va="center", bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.8, "lw": 0},
                    arrowprops={"arrowstyle": "-", "lw": 0.5, "color": "#666666"} if moved else None)


def plot_screening_pareto(frame: pd.DataFrame, sigma_target_S_cm: float = 1e-3,
                          sigma_stretch_S_cm: float | None = 1e-2, ea_target_eV: float | None = None,
                          title: str = "") -> Figure:
    """log σ vs Ea, coloured by oxidation limit (grey: unknown), fronts and targets marked.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns :data:`COLUMNS` (S/cm, eV, V vs. Li/Li+).
    sigma_target_S_cm, sigma_stretch_S_cm : float
        Horizontal target lines (S/cm).
    ea_target_eV : float, optional
        Vertical line at the activation-energy threshold (eV).
    title : str
    """
    import matplotlib.pyplot as plt

    pts = _points(frame, "plot_screening_pareto")
    known = pts[pts["oxidation_V"].notna()]
    vmin, vmax = _colour_range(pts)
    fig, ax = plt.subplots(figsize=(7.6, 5.2))
    ax.scatter(pts.loc[pts["oxidation_V"].isna(), "Ea_eV"], pts.loc[pts["oxidation_V"].isna(), "sigma_S_cm"],
               s=28, color=_UNKNOWN, edgecolor="white", linewidth=0.5, zorder=2, label="oxidation limit unknown")
    sc = ax.scatter(known["Ea_eV"], known["sigma_S_cm"], c=known["oxidation_V"].clip(upper=vmax), cmap=_CMAP,
                    vmin=vmin, vmax=vmax, s=46, edgecolor="black", linewidth=0.4, zorder=3)
    front = pts[pts["on_front"]]
    ax.scatter(front["Ea_eV"], front["sigma_S_cm"], s=150, facecolor="none", edgecolor="#d62728",
               linewidth=1.6, zorder=4, label="Pareto front (σ, Ea, oxidation limit)")
    xs, ys = _front_line(pts)
    ax.plot(xs, ys, color="#d62728", ls="--", lw=1.0, zorder=1)
    two = pts[pts["front_2d"]]
    ax.scatter(two["Ea_eV"], two["sigma_S_cm"], s=70, marker="D", facecolor="none", edgecolor="#d62728",
               linewidth=1.2, zorder=4, label="Pareto front (σ, Ea)")
    _labels(ax, pts[pts["on_front"] | pts["front_2d"]])
    ax.axhline(sigma_target_S_cm, color="black", lw=1.0, label=f"target {sigma_target_S_cm:g} S/cm")
    if sigma_stretch_S_cm is not None:
        ax.axhline(sigma_stretch_S_cm, color="black", lw=0.8, ls=":", label=f"stretch {sigma_stretch_S_cm:g} S/cm")
    if ea_target_eV is not None:
        ax.axvline(ea_target_eV, color="#555555", lw=0.8, ls="-.", label=f"Ea ≤ {ea_target_eV:g} eV")
    ax.set_yscale("log")
    ax.set_xlabel("activation energy $E_a$ (eV)")
    ax.set_ylabel(r"room-temperature $\sigma$ (S cm$^{-1}$)")
    fig.colorbar(sc, ax=ax, label="oxidation limit (V vs. Li/Li⁺)")
    ax.legend(fontsize=7, loc="lower left", framealpha=0.9)
    ax.set_title(title or "Screening: conductivity vs activation energy", fontsize=10)
    fig.tight_layout()
    return fig


def _hover(df: pd.DataFrame) -> list[str]:
    return [f"{r.label}<br>σ = {r.sigma_S_cm:.3g} S/cm<br>Ea = {r.Ea_eV:.3g} eV<br>oxidation limit = "
            + ("unknown" if math.isnan(r.oxidation_V) else f"{r.oxidation_V:.3g} V")
            for r in df.itertuples(index=False)]


def plotly_screening_pareto(frame: pd.DataFrame, sigma_target_S_cm: float = 1e-3,
                            sigma_stretch_S_cm: float | None = 1e-2, ea_target_eV: float | None = None,
                            title: str = "") -> PlotlyFigure:
    """Interactive version of :func:`plot_screening_pareto` (hover for name and values)."""
    import plotly.graph_objects as go

    pts = _points(frame, "plotly_screening_pareto")
    vmin, vmax = _colour_range(pts)
    unknown, known = pts[pts["oxidation_V"].isna()], pts[pts["oxidation_V"].notna()]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=unknown["Ea_eV"], y=unknown["sigma_S_cm"], mode="markers",
                             name="oxidation limit unknown", marker={"color": _UNKNOWN, "size": 8},
                             hovertext=_hover(unknown), hoverinfo="text"))
    fig.add_trace(go.Scatter(
        x=known["Ea_eV"], y=known["sigma_S_cm"], mode="markers", name="oxidation limit known",
        hovertext=_hover(known), hoverinfo="text",
        marker={"color": known["oxidation_V"].clip(upper=vmax), "colorscale": "Viridis", "cmin": vmin,
                "cmax": vmax, "size": 10, "line": {"color": "black", "width": 0.5},
                "colorbar": {"title": "oxidation<br>limit (V)"}}))
    front = pts[pts["on_front"]]
    fig.add_trace(go.Scatter(x=front["Ea_eV"], y=front["sigma_S_cm"], mode="markers+text",
                             name="Pareto front (σ, Ea, oxidation)", text=front["label"],
                             textposition="top right", hoverinfo="skip",
                             marker={"size": 18, "color": "rgba(0,0,0,0)",
                                     "line": {"color": "#d62728", "width": 2}}))
    xs, ys = _front_line(pts)
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers", name="Pareto front (σ, Ea)",
                             line={"color": "#d62728", "dash": "dash", "width": 1}, hoverinfo="skip",
                             marker={"symbol": "diamond-open", "size": 10, "color": "#d62728"}))
    _plotly_targets(fig, sigma_target_S_cm, sigma_stretch_S_cm, ea_target_eV)
    fig.update_yaxes(type="log", title="room-temperature σ (S/cm)", exponentformat="power")
    fig.update_xaxes(title="activation energy Ea (eV)")
    fig.update_layout(template="simple_white", height=520, title=title or "Screening: σ vs Ea",
                      legend={"orientation": "h", "y": -0.2}, margin={"l": 70, "r": 30, "t": 60, "b": 90})
    return fig


def _plotly_targets(fig: Any, sigma: float, stretch: float | None, ea: float | None) -> None:
    fig.add_hline(y=sigma, line={"color": "black", "width": 1.5}, opacity=1,
                  annotation_text=f"target {sigma:g} S/cm", annotation_position="bottom right")
    if stretch is not None:
        fig.add_hline(y=stretch, line={"color": "black", "width": 1, "dash": "dot"}, opacity=1,
                      annotation_text=f"stretch {stretch:g} S/cm", annotation_position="top right")
    if ea is not None:
        fig.add_vline(x=ea, line={"color": "#555555", "width": 1, "dash": "dashdot"}, opacity=1,
                      annotation_text=f"Ea ≤ {ea:g} eV", annotation_position="top left")
