"""The screening figure (matplotlib + Plotly) and the report section."""

from __future__ import annotations

import itertools
import math

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from nitrolyte.errors import InputError
from nitrolyte.plotting.screening import (
    label_positions,
    plot_screening_pareto,
    plotly_screening_pareto,
)
from nitrolyte.report.framework import ReportContext
from nitrolyte.report.sec_screening import (
    HOW_TO_READ,
    INTRO,
    RANK_HEADER,
    STACKS,
    build,
    pareto_frame,
    table_frame,
)
from nitrolyte.screening import screen

matplotlib.use("Agg")


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({"label": ["a", "b", "c", "d"], "sigma_S_cm": [2e-3, 1e-6, 1e-4, math.nan],
                         "Ea_eV": [0.37, 0.54, 0.45, 0.3], "oxidation_V": [0.44, 1.07, math.nan, 0.44],
                         "on_front": [True, True, False, False], "front_2d": [True, False, False, False]})


def test_matplotlib_figure(frame):
    fig = plot_screening_pareto(frame, ea_target_eV=0.3565)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and "activation energy" in ax.get_xlabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "target 0.001 S/cm" in labels and "stretch 0.01 S/cm" in labels and "Ea ≤ 0.3565 eV" in labels
    assert sorted(t.get_text() for t in ax.texts) == ["a", "b"]  # the front members are named
    plt.close(fig)


def test_plotly_figure(frame):
    fig = plotly_screening_pareto(frame, ea_target_eV=0.3565)
    names = [t.name for t in fig.data]
    assert names[:2] == ["oxidation limit unknown", "oxidation limit known"]
    assert list(fig.data[0].x) == [0.45] and list(fig.data[1].y) == [2e-3, 1e-6]
    assert fig.layout.yaxis.type == "log" and len(fig.layout.shapes) == 3


def test_figure_errors(frame):
    with pytest.raises(InputError, match="lacks column\\(s\\) front_2d"):
        plot_screening_pareto(frame.drop(columns="front_2d"))
    with pytest.raises(InputError, match="no row has both"):
        plotly_screening_pareto(frame.assign(Ea_eV=math.nan))


def test_label_positions_keep_labels_apart():
    pos = label_positions([0.29, 0.29, 0.37], [-2.82, -2.92, -2.67])
    ys = sorted(y for _, y in pos)
    assert all(b - a >= 0.45 - 1e-9 for a, b in itertools.pairwise(ys))
    assert label_positions([0.5], [-5.0]) == [(0.52, -4.85)]


def test_section_writes_table_csv_and_figure(tmp_path, db):
    ctx = ReportContext(tmp_path, db=db)
    section = build(ctx)
    assert section.key == "screening" and section.intro == INTRO
    # the how-to-read paragraph is printed once (in the table caption), after what rank means
    (table, _) = section.tables
    assert HOW_TO_READ in table.caption and HOW_TO_READ not in section.intro
    assert table.caption.startswith("Rank: by the share of all criteria known to pass")
    main, targets = section.tables
    assert main.key == "screening_table" and 'id="screening-table"' in main.html and "✓" in main.html
    data = pd.read_csv(tmp_path / main.csv)
    assert len(data) == 80 + len(STACKS) and data.loc[0, "rank"] == 1
    assert len(pd.read_csv(tmp_path / targets.csv)) == 9
    assert len(pd.read_csv(tmp_path / "data/screening_criteria.csv")) == 9 * len(data)
    (fig,) = section.figures
    for rel in (fig.svg, fig.csv):
        assert (tmp_path / rel).stat().st_size > 1000
    assert 'id="screening-pareto"' in fig.plotly_html
    # the default source ("auto") gives LiSi2N3 and Li3BN2 windows from the anchored ML energies,
    # which puts them on the three-objective front beside the table-computed ones (Li3BN2 has one
    # since the α-B reference was added, oxidation 1.67 V; it displaced Li6NBr3 from the front);
    # with the shipped predicted approximants Li9N2Cl3 (0-0.46 V) and LiPN2 have windows of their
    # own and join the front; LiSi2N3 is reduced by Li (0.04 V) since Si3N4 and Li5SiN3 are in
    assert "Vacancy-rich β-Li3N, α-Li3N sinter, Vacancy-rich Li9N2Cl3, Li3BN2 glass, LiPN2, LiSi2N3" in fig.caption


def test_table_and_pareto_frames(db):
    res = screen(["vacancy-rich β-Li3N", "H-doped α-Li3N single crystal"], db=db)
    shown = table_frame(res)
    vr = shown[shown["material / stack"] == "Vacancy-rich β-Li3N"].iloc[0]
    assert vr["σ RT >= 0.001 S/cm"] == "✓\u00a00.00214"
    assert vr["CCD > 12 mA/cm2"] == "✗\u00a07.5"
    assert vr["4C (σ for 15 min)"] == "✓\u00a00.00214"
    assert list(shown.columns[:5]) == [RANK_HEADER, "material / stack", "proven", "score",
                                       "confidence"]
    assert RANK_HEADER.startswith("rank (proven share")
    p = pareto_frame(res)
    flags = p.set_index("label")[["front_2d", "on_front"]].to_dict("index")
    # H-doped α-Li3N: higher σ and lower Ea, but no formula, so no window for the 3-D front
    assert flags == {"H-doped α-Li3N single crystal (⊥c)": {"front_2d": True, "on_front": False},
                     "Vacancy-rich β-Li3N": {"front_2d": False, "on_front": True}}
