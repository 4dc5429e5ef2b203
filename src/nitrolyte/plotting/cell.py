"""Figures of pouch-cell designs (review Fig. 17C-H, mass breakdowns, sweeps).

These functions only draw: they take frames computed by :mod:`nitrolyte.cell` and return a
matplotlib (or Plotly) figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: horizontal target lines (Wh/kg) drawn on energy-density plots (review section 5)
TARGETS_WH_KG = (350.0, 500.0)
_LABELS = {
    "sse_um": "SSE thickness, each layer (µm)", "catholyte_um": "catholyte thickness (µm)",
    "nitride_um": "nitride thickness (µm)", "n_p": "N/P ratio",
    "areal_capacity_mAh_cm2": "areal capacity (mAh cm⁻²)", "al_um": "Al foil (µm)",
    "cu_um": "Cu foil (µm)", "gravimetric_Wh_kg": "energy density (Wh kg⁻¹)",
    "volumetric_Wh_L": "energy density (Wh L⁻¹)",
}
_LAYER_COLOURS = {"al": "#9e9e9e", "cathode": "#1f77b4", "catholyte": "#2ca02c",
                  "nitride": "#9467bd", "lithium": "#ff7f0e", "cu": "#b5651d",
                  "packaging": "#444444"}
_LAYER_NAMES = {"al": "Al foil", "cathode": "cathode composite", "catholyte": "catholyte",
                "nitride": "nitride SSE", "lithium": "Li metal", "cu": "Cu foil",
                "packaging": "packaging"}


def label(name: str) -> str:
    """Axis label of a column name."""
    return _LABELS.get(name, name)


def hue_colours(values: Sequence[float], cmap: str = "viridis") -> dict[float, str]:
    """One fixed colour per value (sorted, dark to light), the same in every panel and backend.

    Parameters
    ----------
    values : sequence of float
        The values of the hue column (for example every areal capacity in mAh/cm²).
    cmap : str
        A matplotlib colormap name; sampled from 0 to 0.88 so that no line is pale yellow.
    """
    import matplotlib
    from matplotlib.colors import to_hex

    keys = sorted({float(v) for v in values})
    colormap = matplotlib.colormaps[cmap]
    stops = np.linspace(0.0, 0.88, len(keys)) if len(keys) > 1 else [0.0]
    return {k: to_hex(colormap(float(t))) for k, t in zip(keys, stops, strict=True)}


def _hue_text(hue: str | None, key: float) -> str:
    unit = " mAh cm⁻²" if hue == "areal_capacity_mAh_cm2" else ""
    return f"{key:g}{unit}"


def draw_targets(ax: Axes, targets: Sequence[float]) -> None:
    """Dashed horizontal target lines, each labelled inside the axes at its right end."""
    for target in targets:
        ax.axhline(target, color="k", ls="--", lw=0.8, zorder=1)
        ax.annotate(f"{target:g} Wh kg⁻¹", (1.0, target), xycoords=("axes fraction", "data"),
                    xytext=(-3, 2), textcoords="offset points", ha="right", va="bottom",
                    fontsize=7, bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.8,
                                      "alpha": 0.85}, zorder=4)


def draw_curves(ax: Axes, frame: pd.DataFrame, x: str, hue: str | None = None,
                y: str = "gravimetric_Wh_kg", targets: Sequence[float] = TARGETS_WH_KG,
                title: str | None = None, legend: bool = True,
                colours: Mapping[float, str] | None = None) -> Axes:
    """Draw ``y`` vs ``x``, one line per value of ``hue``, with dashed target lines.

    ``colours`` maps each hue value to a colour (default :func:`hue_colours` of this frame);
    pass one mapping to every panel of a figure so that a value keeps its colour.
    """
    groups = [(None, frame)] if hue is None else list(frame.groupby(hue, sort=True))
    if hue is not None and colours is None:
        colours = hue_colours(frame[hue].unique())
    for key, part in groups:
        part = part.sort_values(x)
        colour = None if key is None or colours is None else colours[float(key)]
        ax.plot(part[x], part[y], lw=1.5, color=colour,
                label=None if key is None else _hue_text(hue, key))
    if y == "gravimetric_Wh_kg":
        draw_targets(ax, targets)
    ax.set_xlabel(label(x))
    ax.set_ylabel(label(y))
    finite = frame[y][np.isfinite(frame[y])]
    if len(finite):
        ax.set_ylim(0, max(float(finite.max()), *targets) * 1.08)
    if title:
        ax.set_title(title, fontsize=9)
    if hue is not None and legend:
        ax.legend(fontsize=6, title=label(hue), title_fontsize=6, ncols=2)
    return ax


def plot_sweep(frame: pd.DataFrame, x: str, hue: str | None = None,
               y: str = "gravimetric_Wh_kg", targets: Sequence[float] = TARGETS_WH_KG) -> Figure:
    """One-panel plot of a sweep frame (from :func:`nitrolyte.cell.sweep`)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.0, 3.6), layout="constrained")
    draw_curves(ax, frame, x, hue, y, targets)
    return fig


_PANEL_TITLES = {"sse_um": "vs SSE thickness", "n_p": "vs N/P ratio"}


def plot_fig17(data: pd.DataFrame, targets: Sequence[float] = TARGETS_WH_KG) -> Figure:
    """Fig. 17C-H rebuilt: one panel per letter in ``data["panel"]`` (3 per catholyte).

    ``data`` is :func:`nitrolyte.cell.sweep.review_figure17_data` output (one or both stacks
    concatenated).
    """
    import matplotlib.pyplot as plt

    panels = sorted(data["panel"].unique())
    colours = hue_colours(data["areal_capacity_mAh_cm2"].unique())
    ncols = 3
    nrows = int(np.ceil(len(panels) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(12, 3.6 * nrows), layout="constrained",
                             squeeze=False)
    for ax, letter in zip(axes.ravel(), panels, strict=False):
        part = data[data["panel"] == letter]
        x_name = part["x_name"].iloc[0]
        foils = f"{part['al_um'].iloc[0]:g} µm Al / {part['cu_um'].iloc[0]:g} µm Cu"
        title = (f"({letter}) Al–NMC811–{part['catholyte'].iloc[0]}–β-Li3N–Li–Cu\n"
                 f"{_PANEL_TITLES.get(x_name, x_name)}, {foils}")
        draw_curves(ax, part, x_name, "areal_capacity_mAh_cm2", targets=targets, title=title,
                    legend=False, colours=colours)
    for ax in axes.ravel()[len(panels):]:
        ax.set_visible(False)
    handles, texts = axes.ravel()[0].get_legend_handles_labels()
    fig.legend(handles, texts, loc="outside lower center", ncols=len(texts), fontsize=8,
               title="cathode areal capacity", title_fontsize=8)
    return fig


def plot_mass_breakdown(breakdowns: Mapping[str, pd.DataFrame], quantity: str = "mass_mg_cm2"
                        ) -> Figure:
    """Stacked bars, one per design, of the per-layer ``quantity``.

    Parameters
    ----------
    breakdowns : mapping of label to DataFrame
        :meth:`nitrolyte.cell.CellResult.to_frame` of each design (scalar designs).
    quantity : {"mass_mg_cm2", "thickness_um", "mass_fraction"}
    """
    import textwrap

    import matplotlib.pyplot as plt

    labels = ["\n".join(textwrap.fill(line, 18) for line in str(text).split("\n"))
              for text in breakdowns]
    fig, ax = plt.subplots(figsize=(max(4.0, 1.5 * len(labels) + 2), 4.5), layout="constrained")
    bottom = np.zeros(len(labels))
    layers = list(next(iter(breakdowns.values()))["layer"]) if labels else []
    for layer in layers:
        heights = np.array([float(f.loc[f["layer"] == layer, quantity].iloc[0])
                            for f in breakdowns.values()])
        if not heights.any():
            continue
        ax.bar(labels, heights, bottom=bottom, label=_LAYER_NAMES.get(layer, layer),
               color=_LAYER_COLOURS.get(layer))
        bottom += heights
    units = {"mass_mg_cm2": "mass (mg cm⁻²)", "thickness_um": "thickness (µm)",
             "mass_fraction": "mass fraction"}
    ax.set_ylabel(units.get(quantity, quantity))
    ax.tick_params(axis="x", labelsize=7)
    handles, texts = ax.get_legend_handles_labels()
    # top of the legend = top of the stack
    ax.legend(handles[::-1], texts[::-1], fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0),
              title="layer (top to bottom)", title_fontsize=7)
    return fig


def panel_title(part: pd.DataFrame, letter: str) -> str:
    """Title of one Fig. 17 panel: letter, catholyte, what is swept and the foils."""
    x_name = part["x_name"].iloc[0]
    foils = f"{part['al_um'].iloc[0]:g}/{part['cu_um'].iloc[0]:g} µm Al/Cu"
    return f"({letter}) {part['catholyte'].iloc[0]}, {_PANEL_TITLES.get(x_name, x_name)}, {foils}"


def plotly_fig17(data: pd.DataFrame, targets: Sequence[float] = TARGETS_WH_KG) -> Any:
    """Interactive Plotly version of :func:`plot_fig17`.

    Each areal capacity keeps one colour in every panel (:func:`hue_colours`, as in the
    matplotlib figure); the legend above the panels toggles a capacity in all of them.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    panels = sorted(data["panel"].unique())
    colours = hue_colours(data["areal_capacity_mAh_cm2"].unique())
    rows = int(np.ceil(len(panels) / 3))
    titles = [panel_title(data[data["panel"] == p], p) for p in panels]
    fig = make_subplots(rows=rows, cols=3, subplot_titles=titles, horizontal_spacing=0.07,
                        vertical_spacing=0.16 if rows > 1 else 0.1)
    fig.update_annotations(font_size=11)  # the subplot titles
    top = max(float(data["gravimetric_Wh_kg"].max()), *targets) * 1.08
    shapes: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    for i, letter in enumerate(panels):
        part = data[data["panel"] == letter]
        x_name = part["x_name"].iloc[0]
        r, c = i // 3 + 1, i % 3 + 1
        for q, curve in part.groupby("areal_capacity_mAh_cm2"):
            curve = curve.sort_values(x_name)
            fig.add_trace(go.Scatter(
                x=curve[x_name], y=curve["gravimetric_Wh_kg"], mode="lines",
                name=f"{q:g} mAh/cm²", legendgroup=f"{q:g}", showlegend=i == 0,
                line={"color": colours[float(q)], "width": 2},
                hovertemplate=f"({letter}) {q:g} mAh/cm²<br>{label(x_name)} = %{{x:g}}"
                              "<br>%{y:.0f} Wh/kg<extra></extra>"), row=r, col=c)
        suffix = "" if i == 0 else str(i + 1)
        for target in targets:  # one shape list for all panels: add_hline is slow per call
            shapes.append({"type": "line", "xref": f"x{suffix} domain", "yref": f"y{suffix}",
                           "x0": 0, "x1": 1, "y0": target, "y1": target,
                           "line": {"dash": "dash", "width": 1, "color": "black"}})
            notes.append({"text": f"{target:g} Wh/kg", "xref": f"x{suffix} domain",
                          "yref": f"y{suffix}", "x": 1, "y": target, "xanchor": "right",
                          "yanchor": "bottom", "showarrow": False, "font": {"size": 9}})
        fig.update_xaxes(title_text=label(x_name), row=r, col=c)
        fig.update_yaxes(range=[0, top], title_text=label("gravimetric_Wh_kg") if c == 1 else None,
                         row=r, col=c)
    fig.update_layout(shapes=shapes, annotations=[*fig.layout.annotations, *notes])
    # the legend sits under the panels: at the top it ran under Plotly's toolbar (modebar)
    fig.update_layout(template="simple_white", height=360 * rows + 110,
                      margin={"t": 40, "l": 60, "r": 20, "b": 110},
                      legend={"orientation": "h", "x": 0.5, "xanchor": "center", "y": 0.005,
                              "yanchor": "bottom", "yref": "container",
                              "title": {"text": "cathode areal capacity "}})
    return fig
