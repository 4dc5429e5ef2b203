"""Arrhenius figures (Figs. 3E, 4F, 5E, 6B, 7B, 8D), the fit plot and the report section."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from nitrolyte.errors import InputError
from nitrolyte.plotting.arrhenius import plot_arrhenius_family, plot_fit, plotly_arrhenius_family
from nitrolyte.report import sec_transport
from nitrolyte.report.framework import ReportContext
from nitrolyte.transport.conductivity import arrhenius_curves, conductivity
from nitrolyte.transport.fitting import fit_arrhenius

#: curves per figure: Tables 1-4 rows of each family (alpha-Li3N single crystal counts twice)
EXPECTED_CURVES = {"fig3E": 6, "fig4F": 7, "fig5E": 11, "fig6B": 8, "fig7B": 9, "fig8D": 4}


@pytest.mark.parametrize("spec", sec_transport.FIGURES, ids=lambda s: s.key)
def test_every_table_row_is_in_its_figure(spec):
    frame = sec_transport.curves_frame(spec, n_points=11)
    assert frame.groupby(["name", "direction"]).ngroups == EXPECTED_CURVES[spec.key]
    assert frame["T_K"].min() == spec.T_min_K and frame["T_K"].max() == spec.T_max_K


def test_all_45_rows_are_plotted_once():
    """Every (material, direction) row of Tables 1-4 with sigma and Ea is in exactly one figure."""
    import nitrolyte

    rows = nitrolyte.materials(source="literature")
    rows = rows[rows["sigma_S_cm"].notna() & rows["Ea_eV"].notna()]
    plotted = [key for spec in sec_transport.FIGURES
               for key in sec_transport.curves_frame(spec, n_points=3)
               .groupby(["name", "direction"]).groups]
    assert len(plotted) == len(set(plotted)) == len(rows) == 45
    assert set(plotted) == set(zip(rows["name"], rows["direction"].fillna(""), strict=True))


def test_curves_equal_the_transport_model():
    frame = arrhenius_curves("nitride halide", np.array([250.0, 400.0, 600.0]))
    for (name, direction), g in frame.groupby(["name", "direction"]):
        np.testing.assert_allclose(g["sigma_S_cm"], conductivity(name, g["T_K"].to_numpy(),
                                                                 direction or None), rtol=1e-12)
        np.testing.assert_allclose(g["inv_T_1000_K"], 1000 / g["T_K"])


def test_matplotlib_figure_content():
    frame = arrhenius_curves("Li3N", np.linspace(250, 500, 21))
    fig = plot_arrhenius_family(frame, "Fig. 3E")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "α-Li3N single crystal ⊥c [26]" in labels and "Vacancy-rich β-Li3N [15]" in labels
    target = [ln for ln in ax.get_lines() if list(ln.get_ydata()) == [-3.0, -3.0]]
    assert len(target) == 1
    plt.close(fig)


def test_transition_label_and_plotly():
    frame = arrhenius_curves("nitride halide", np.linspace(250, 700, 31))
    fig = plotly_arrhenius_family(frame, "Fig. 5E")
    names = [t.name for t in fig.data if t.showlegend is not False]
    assert "Li13N4Br [64] (LT/HT at 230 °C)" in names
    assert "Li5NI2 [59] (LT/HT at 170 °C)" in names
    assert len(fig.data) == 2 * 11  # one line and one table-value marker per curve
    (target,) = fig.layout.shapes  # drawn: the template's default shape is 0 px at 30 %
    assert (target.y0, target.line.width, target.opacity) == (-3.0, 1, 1)
    assert fig.layout.xaxis.title.text == "1000/T (K⁻¹)"


def test_user_rows_are_their_own_dashed_curves():
    frame = arrhenius_curves("Li3N", np.linspace(250, 500, 11))
    user = frame[frame["name"] == "β-Li3N"].assign(source="user", sigma_ref_S_cm=3e-4)
    both = pd.concat([frame.assign(source="literature"), user], ignore_index=True)
    fig = plot_arrhenius_family(both, "Fig. 3E")
    ax = fig.axes[0]
    styles = {ln.get_label(): ln.get_linestyle() for ln in ax.get_lines()
              if not ln.get_label().startswith("_")}
    assert styles["β-Li3N [28]"] == "-" and styles["β-Li3N [28] (user data)"] == "--"
    plt.close(fig)
    names = [t.name for t in plotly_arrhenius_family(both).data if t.showlegend is not False]
    assert names.count("β-Li3N [28] (user data)") == 1 and names.count("β-Li3N [28]") == 1


def test_celsius_ticks_never_crowd():
    frame = arrhenius_curves("group 14", np.linspace(250, 600, 11))
    fig = plot_arrhenius_family(frame)
    ax = fig.axes[0]
    (top,) = ax.child_axes  # the secondary °C axis
    ticks = [1000 / (t + 273.15) for t in top.get_xticks()]
    lo, hi = sorted(ax.get_xlim())
    gaps = np.diff(sorted(ticks))
    assert len(ticks) >= 4 and (gaps >= 0.06 * (hi - lo) - 1e-9).all()
    plt.close(fig)


def test_plot_errors():
    with pytest.raises(InputError, match="frame lacks column"):
        plot_arrhenius_family(pd.DataFrame({"name": ["x"]}))
    frame = arrhenius_curves("group 13", [300.0, 400.0])
    with pytest.raises(InputError, match="frame has no rows"):
        plot_arrhenius_family(frame.iloc[0:0])


def test_plot_fit_marks_outliers():
    T = np.linspace(300, 450, 8)
    sigma = 1e-6 * 300 / T * np.exp(-0.5 / 8.617e-5 * (1 / T - 1 / 300))
    sigma[3] *= 5
    fit = fit_arrhenius(T, sigma)
    fig = plot_fit(fit)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "flagged outlier (kept in fit)" in labels
    plt.close(fig)


def test_report_section(tmp_path):
    ctx = ReportContext(tmp_path, dpi=60)
    section = sec_transport.build(ctx)
    assert section.key == "transport"
    assert [f.review_ref for f in section.figures] == ["Fig. 3E", "Fig. 4F", "Fig. 5E", "Fig. 6B",
                                                       "Fig. 7B", "Fig. 8D"]
    for fig in section.figures:
        assert fig.png is None and (tmp_path / fig.svg).stat().st_size > 0
        assert f'id="{fig.key}-plotly"' in fig.plotly_html
        assert any("not digitised data points" in d for d in fig.deviations)
        data = pd.read_csv(tmp_path / fig.csv)
        assert {"name", "T_K", "sigma_S_cm", "log10_sigma_S_cm", "ref"} <= set(data.columns)
    table = pd.read_csv(tmp_path / section.tables[0].csv)
    assert len(table) == 45
    row = table[table["name"] == "Vacancy-rich β-Li3N"].iloc[0]
    assert row["σ at 25 °C (S/cm)"] == 2.14e-3
    assert math.isclose(row["σ at -20 °C (S/cm)"], float(f"{conductivity('vacancy-rich beta-Li3N', 253.15):.3g}"))
