"""The pouch-cell report section: figures, tables and their data files."""

from __future__ import annotations

import pandas as pd
import pytest

from nitrolyte.report import sec_cell
from nitrolyte.report.build import SECTION_MODULES
from nitrolyte.report.framework import ReportContext


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    ctx = ReportContext(out_dir=tmp_path_factory.mktemp("report"), dpi=60)
    return ctx, sec_cell.build(ctx)


def test_section_is_registered():
    assert "nitrolyte.report.sec_cell" in SECTION_MODULES


def test_figures_and_tables(built):
    ctx, section = built
    assert section.key == "cell"
    assert [f.review_ref for f in section.figures] == ["Fig. 17C-H", "Fig. 17B"]
    assert {t.key for t in section.tables} == {"cell_critical_values", "cell_fast_charge",
                                               "cell_components"}
    for item in (*section.figures, *section.tables):
        assert (ctx.out_dir / item.csv).is_file()
        assert item.deviations or item.key == "cell_components"
    fig17 = section.figures[0]
    assert fig17.png is None and (ctx.out_dir / fig17.svg).stat().st_size > 10_000
    assert fig17.plotly_html and "fig17CH-plotly" in fig17.plotly_html


def test_critical_table_shows_review_model_and_deviation(built):
    ctx, section = built
    table = next(t for t in section.tables if t.key == "cell_critical_values")
    frame = pd.read_csv(ctx.out_dir / table.csv)
    assert {"review_value", "model_value", "deviation_pct"} <= set(frame.columns)
    row = frame[frame["quantity"] == "critical SSE thickness at 10 mAh/cm2"].iloc[0]
    assert row["review_value"] == 100 and row["model_value"] == pytest.approx(96.2)
    assert row["deviation_pct"] == pytest.approx(-3.8)
    assert "cannot both hold" in " ".join(table.deviations)


def test_fast_charge_table(built):
    ctx, section = built
    table = next(t for t in section.tables if t.key == "cell_fast_charge")
    frame = pd.read_csv(ctx.out_dir / table.csv)
    first = frame.iloc[0]
    assert first["total_drop_mV"] == pytest.approx(1000 * 0.016 * 20e-4 * (1 / 1.49e-3
                                                                            + 1 / 2.14e-3), abs=0.1)
    assert bool(first["passes_100_mV"])
    assert not frame["passes_100_mV"].iloc[-1]
