"""Figures of pouch-cell designs: they draw what the science computes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from nitrolyte.cell import pouch_cell, sweep
from nitrolyte.cell.sweep import FIG17_AREAL_CAPACITIES, review_figure17_data
from nitrolyte.errors import InputError
from nitrolyte.plotting import cell as plots


@pytest.fixture(scope="module")
def fig17() -> pd.DataFrame:
    return pd.concat([review_figure17_data("Li3InCl6", points=21),
                      review_figure17_data("LGPS", points=21)], ignore_index=True)


def test_fig17_data_panels_and_reading(fig17):
    assert sorted(fig17["panel"].unique()) == list("CDEFGH")
    e = fig17[fig17["panel"] == "E"]
    assert set(e["al_um"]) == {8.0} and set(e["cu_um"]) == {4.0}
    d = fig17[fig17["panel"] == "D"]
    assert set(d["sse_um"]) == {20.0} and d["n_p"].max() == 20.0
    assert set(fig17["areal_capacity_mAh_cm2"]) == set(FIG17_AREAL_CAPACITIES)
    point = fig17[(fig17["panel"] == "F") & (fig17["areal_capacity_mAh_cm2"] == 4)
                  & (fig17["sse_um"] == 20)].iloc[0]
    assert point["gravimetric_Wh_kg"] == pytest.approx(pouch_cell(catholyte="LGPS")
                                                       .gravimetric_Wh_kg)


def test_fig17_figure_has_six_panels_with_target_lines(fig17):
    fig = plots.plot_fig17(fig17)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 6
    for ax in axes:
        levels = {line.get_ydata()[0] for line in ax.get_lines() if line.get_linestyle() == "--"}
        assert levels == {350.0, 500.0}
        assert len(ax.get_lines()) == len(FIG17_AREAL_CAPACITIES) + 2
    plt.close(fig)


def test_mass_breakdown_bars_stack_to_the_total():
    results = {"LIC": pouch_cell(), "LGPS": pouch_cell(catholyte="LGPS")}
    fig = plots.plot_mass_breakdown({k: r.to_frame() for k, r in results.items()})
    ax = fig.axes[0]
    tops = {}
    for patch in ax.patches:
        x = round(patch.get_x() + patch.get_width() / 2)
        tops[x] = max(tops.get(x, 0.0), patch.get_y() + patch.get_height())
    assert tops[0] == pytest.approx(results["LIC"].mass_mg_cm2)
    assert tops[1] == pytest.approx(results["LGPS"].mass_mg_cm2)
    plt.close(fig)


def test_plot_sweep_and_plotly(fig17):
    frame = sweep(areal_capacity_mAh_cm2=[2, 4], sse_um=np.linspace(0, 100, 5))
    fig = plots.plot_sweep(frame, "sse_um", "areal_capacity_mAh_cm2")
    assert len(fig.axes[0].get_lines()) == 4
    plt.close(fig)
    interactive = plots.plotly_fig17(fig17)
    assert len(interactive.data) == 6 * len(FIG17_AREAL_CAPACITIES)


def test_fig17_data_refuses_other_catholytes():
    with pytest.raises(InputError, match="catholyte must be Li3InCl6 or LGPS"):
        review_figure17_data("β-Li3N")
    with pytest.raises(InputError, match="points must be >= 2, got 1"):
        review_figure17_data(points=1)


def test_fig17_keeps_one_colour_per_areal_capacity(fig17):
    fig = plots.plot_fig17(fig17)
    colours: dict[str, set[str]] = {}
    for ax in (a for a in fig.axes if a.get_visible()):
        for line in ax.get_lines():
            if line.get_linestyle() == "-":
                colours.setdefault(line.get_label(), set()).add(line.get_color())
    plt.close(fig)
    assert len(colours) == len(FIG17_AREAL_CAPACITIES)
    assert all(len(c) == 1 for c in colours.values())
    assert len({c.pop() for c in colours.values()}) == len(FIG17_AREAL_CAPACITIES)
    interactive = plots.plotly_fig17(fig17)
    by_group: dict[str, set[str]] = {}
    for trace in interactive.data:
        by_group.setdefault(trace.legendgroup, set()).add(trace.line.color)
    assert all(len(c) == 1 for c in by_group.values()) and len(by_group) == len(colours)
    assert plots.hue_colours([4, 1, 2]) == plots.hue_colours([1.0, 2.0, 4.0])


def test_fig17_target_labels_stay_inside_their_panel(fig17):
    fig = plots.plot_fig17(fig17)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in (a for a in fig.axes if a.get_visible()):
        labels = [t for t in ax.texts if "Wh kg" in t.get_text()]
        assert len(labels) == 2
        for text in labels:
            box = text.get_window_extent(renderer)
            assert ax.bbox.x0 <= box.x0 and box.x1 <= ax.bbox.x1 - 1, text.get_text()
    plt.close(fig)
