"""Window comparison, its figures, and the stability report section."""

from __future__ import annotations

import math

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from nitrolyte.stability import voltage_profile
from nitrolyte.stability.compare import FIG17A_MATERIALS, window_comparison, window_deviations

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return window_comparison(source="embedded")


def test_comparison_rows(frame):
    assert list(dict.fromkeys(frame["material"])) == list(FIG17A_MATERIALS)
    comp = frame[frame["basis"] == "computed"].set_index("material")
    assert comp.loc["LiCl", "oxidation_V"] == pytest.approx(384.37 / 96.48533212, rel=1e-6)
    assert math.isnan(comp.loc["Li3InCl6", "oxidation_V"])
    rep = frame[(frame["basis"] == "reported intrinsic")].set_index("material")
    assert rep.loc["Li3N", "oxidation_V"] == 0.48


def test_deviations_name_the_difference(frame):
    devs = window_deviations(frame)
    li3n = next(d for d in devs if d.startswith("Li3N oxidation"))
    assert "0.444 V vs 0.48 V" in li3n and "(-0.036 V)" in li3n
    assert any(d.startswith("Li9N2Cl3 oxidation") and "tie line" in d for d in devs)
    assert any(d.startswith("LiCl: computed 0.00-3.98 V") for d in devs)


def test_window_chart_and_profiles_draw(frame):
    from nitrolyte.plotting.stability import (
        profile_steps,
        voltage_profiles,
        window_chart,
        window_chart_plotly,
    )

    fig = window_chart(frame)
    assert len(fig.axes[0].patches) >= 12
    plt.close(fig)
    interactive = window_chart_plotly(frame)
    assert [t.type for t in interactive.data] == ["bar"] * 4 + ["scatter"]
    assert list(interactive.data[-1].y) == list(dict.fromkeys(frame["material"]))
    prof = voltage_profile("Li9N2Cl3", "embedded")  # the Li3N + LiCl tie line: steps at 6 and 9 Li
    xs, ys = profile_steps(prof, V_max=5.0)
    assert xs == pytest.approx([0.0, 0.0, -6.0, -6.0, -9.0, -9.0]) and ys[-1] == 5.0
    fig = voltage_profiles({"Li9N2Cl3": prof})
    assert fig.axes[0].get_xlabel() == "Li uptake per formula unit"
    plt.close(fig)


def test_report_section(tmp_path):
    from nitrolyte.report.framework import ReportContext
    from nitrolyte.report.sec_stability import build

    ctx = ReportContext(tmp_path)
    section = build(ctx)
    assert [f.review_ref for f in section.figures] == ["Fig. 2A, 12B, 17A; Section 4.3", "Fig. 12C, 12D"]
    assert any("0.444 V vs 0.48 V" in d for d in section.figures[0].deviations)
    for rel in ("data/fig17A_windows.csv", "figures/fig17A_windows.svg", "data/fig12CD_profiles.csv",
                "data/thermochemistry.csv", "data/stack_pairing.csv"):
        assert (tmp_path / rel).is_file(), rel
    saved = pd.read_csv(tmp_path / "data" / "stack_pairing.csv")
    # the default source computes Li3InCl6 (ML) and LGPS, but InCl3 (and for LGPS GeS2, P2S5) are
    # missing: their oxidation limits are upper bounds, so the NMC811 contacts are not decided
    assert set(saved["status"]) == {"stable", "unstable", "unknown"}
    undecided = saved[saved["status"] == "unknown"]
    assert set(undecided["right"]) == {"NMC811"} and all(undecided["verdict"].str.startswith("not decided"))
    assert len(section.tables[-1].deviations) == len(undecided)
    windows = pd.read_csv(tmp_path / "data" / "fig17A_windows.csv")
    computed = windows[windows["basis"] == "computed"].set_index("material")
    assert math.isfinite(computed.loc["Li3InCl6", "oxidation_V"])
    assert "Li3InCl6: ML (CHGNet" in computed.loc["Li3InCl6", "source"]
    assert "LiCl: experimental" in computed.loc["LiCl", "source"]
