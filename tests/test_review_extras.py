"""Figures 3D, 4E, 6A, 16C: the frames the report section builds and the plots drawn from them."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from nitrolyte.errors import InputError
from nitrolyte.plotting import review_extras as pl
from nitrolyte.report import sec_review_extras as sec
from nitrolyte.report.framework import ReportContext


@pytest.fixture
def materials(db):
    from nitrolyte import api

    return api.materials(db=db)


@pytest.fixture(scope="module")
def records():
    from nitrolyte import dataset

    return dataset.records()


# ----------------------------------------------------------------------------- frames


def test_lipon_frame_uses_table1_compositions(materials):
    frame, left_out = sec.lipon_frame(materials)
    by_name = frame.set_index("name")
    assert by_name.loc["Li2.9PO3.3N0.46", "li_content"] == pytest.approx(2.9, rel=1e-12)
    assert by_name.loc["Li2.9PO3.3N0.46", "sigma_S_cm"] == pytest.approx(3.3e-6, rel=1e-9)
    assert by_name.loc["Li3.3PO3.9N0.17", "sigma_S_cm"] == pytest.approx(2.2e-6, rel=1e-9)
    # Si-doped: Li per (P + Si), with Li per P kept alongside
    assert by_name.loc["Li1.35Si0.79P0.21O1.96N0.96", "li_content"] == pytest.approx(1.35)
    assert by_name.loc["Li1.35Si0.79P0.21O1.96N0.96", "li_per_p"] == pytest.approx(1.35 / 0.21)
    assert by_name.loc["Li2.9Si0.35PO1.5N1.26", "li_content"] == pytest.approx(2.9 / 1.35)
    assert frame["li_content"].is_monotonic_increasing
    assert sorted(left_out) == ["LiBPON", "LiLaAlPON", "LiPSON"]


def test_condensation_frame_joins_table3(materials):
    frame = sec.condensation_frame(materials).set_index("name")
    assert frame.loc["Li7PN4", "sigma_S_cm"] == pytest.approx(1.83e-7, rel=1e-9)
    assert frame.loc["β-Li10P4N10", "Ea_eV"] == pytest.approx(0.41, rel=1e-9)
    assert frame.loc["LiPN2", "Ea_eV"] == pytest.approx(0.611, rel=1e-9)
    assert frame.loc["Li18P6N16", "kappa"] == "3/8"
    # structure-only compounds keep NaN, never a made-up value
    assert math.isnan(frame.loc["α-Li10P4N10", "sigma_S_cm"])
    assert math.isnan(frame.loc["Li12P3N9", "Ea_eV"])
    assert frame["sigma_S_cm"].notna().sum() == 4


def test_vacancy_frame_values(records):
    frame = sec.vacancy_frame(records.vacancy_compositions)
    li = frame[frame["site"] == "Li"].set_index("composition")
    assert li.loc["Li2.92N0.97", "vacancy_percent"] == pytest.approx(100 * (1 - 2.92 / 3))
    assert li.loc["Li2.92N0.97", "review_percent"] == 2.7
    assert li.loc["Li2.83N0.94", "review_percent"] == 5.6
    assert li.loc["Li8.60N1.911Cl2.867", "vacancy_percent"] == pytest.approx(100 * (1 - 8.6 / 9))
    assert math.isnan(li.loc["Li8.60N1.911Cl2.867", "review_percent"])
    # site vacancies Li(4f) 8.1 %, N(2c) 5.4 % of section 2.1 -> Li2.838N0.946
    assert li.loc["Li2.838N0.946", "vacancy_percent"] == pytest.approx(5.4, rel=1e-9)
    # anti-fluorite Li1.8N0.4Cl0.6: 10 % of the Li sites vacant, as the review states
    assert li.loc["Li1.8N0.4Cl0.6", "vacancy_percent"] == pytest.approx(10.0, rel=1e-9)
    assert li.loc["Li1.8N0.4Cl0.6", "review_percent"] == 10
    assert li.loc["Li5NCl2", "vacancy_percent"] == pytest.approx(100 / 6, rel=1e-9)
    assert li.loc["Li5NCl2", "review_percent"] == pytest.approx(100 / 6, rel=1e-9)
    # Li3N compositions first, then the nitride chlorides
    assert list(dict.fromkeys(frame["composition"]))[:3] == ["Li2.92N0.97", "Li2.83N0.94",
                                                            "Li2.838N0.946"]
    assert frame["net_charge_e"].abs().max() < 0.011


def test_ccd_frame_from_records(records):
    frame = sec.ccd_frame(records.cell_demonstrations).set_index("system")
    assert frame.loc["Vacancy-rich β-Li3N", "ccd_mA_cm2"] == 7.5
    assert frame.loc["Vacancy-rich β-Li3N", "capacity_mAh_cm2"] == 7.5
    assert frame.loc["Vacancy-rich β-Li3N", "ref"] == "15"
    assert frame.loc["LiPON-coated Li6PS5Cl", "ccd_mA_cm2"] == 4.1
    assert math.isnan(frame.loc["LiPON-coated Li6PS5Cl", "capacity_mAh_cm2"])
    # the other SSEs of Fig. 16C have no value in the text: kept empty, never invented
    assert frame["ccd_mA_cm2"].notna().sum() == 2
    assert math.isnan(frame.loc["Li6PS5Cl0.3F0.7", "ccd_mA_cm2"])
    assert frame.loc["Li6PS5Cl0.3F0.7", "ref"] == "180"
    assert len(frame) == 9


def test_structures_frame_density_difference():
    frame = sec.structures_frame(1.27).set_index("phase")
    assert frame.loc["α-Li3N", "difference_percent"] == pytest.approx(2.0, abs=0.05)
    assert frame.loc["β-Li3N", "difference_percent"] == pytest.approx(32.1, abs=0.05)
    assert frame.loc["vacancy-rich β-Li3N", "formula_per_fu"] == "Li2.838N0.946"


# ----------------------------------------------------------------------------- plots


def _kappa_frame():
    return pd.DataFrame({"name": ["Li7PN4", "Li12P3N9", "LiPN2"], "kappa_value": [0.25, 1 / 3, 0.5],
                         "kappa": ["1/4", "1/3", "1/2"],
                         "sublattice": ["isolated tetrahedra", "Dreier rings", "3D networks"],
                         "sigma_S_cm": [1.83e-7, math.nan, 2.1e-9], "Ea_eV": [0.487, math.nan, 0.611]})


def test_plot_condensation_draws_every_compound():
    fig = pl.plot_condensation(_kappa_frame())
    ax, ax_s, ax_e = fig.axes
    assert len(ax.patches) == 3
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Li7PN4", "Li12P3N9", "LiPN2"]
    assert ax_s.get_yscale() == "log"
    assert len(ax_s.collections[0].get_offsets()) == 2   # only the measured ones
    assert len(ax_e.collections[0].get_offsets()) == 2
    plt.close(fig)
    pfig = pl.plotly_condensation(_kappa_frame())
    assert sum(len(t.x) for t in pfig.data if t.type == "bar") == 3


def test_plot_ccd_marks_target_and_unstated(records):
    frame = sec.ccd_frame(records.cell_demonstrations)
    fig = pl.plot_critical_current_density(frame)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("not stated in the text") == len(frame) - 2
    assert " target > 12" in texts
    assert any(line.get_xdata()[0] == 12.0 for line in ax.lines)
    plt.close(fig)
    pfig = pl.plotly_critical_current_density(frame)
    assert list(pfig.data[0].x[:1]) == [7.5]


def test_plot_lipon_and_vacancies(materials, records):
    frame, _ = sec.lipon_frame(materials)
    fig = pl.plot_lipon_li_content(frame)
    assert len(fig.axes[0].collections) == len(frame)
    assert fig.axes[0].get_yscale() == "log"
    plt.close(fig)
    assert len(pl.plotly_lipon_li_content(frame).data) == len(frame)
    vac = sec.vacancy_frame(records.vacancy_compositions)
    fig = pl.plot_vacancies(vac)
    assert len(fig.axes[0].patches) == len(vac)
    plt.close(fig)
    pfig = pl.plotly_vacancies(vac)
    assert sum(len(t.x) for t in pfig.data if t.type == "bar") == len(vac)
    markers = next(t for t in pfig.data if t.type == "scatter")
    assert sorted(markers.y) == sorted(vac["review_percent"].dropna())


@pytest.mark.parametrize("func", [pl.plot_lipon_li_content, pl.plotly_lipon_li_content,
                                  pl.plot_condensation, pl.plotly_condensation,
                                  pl.plot_critical_current_density,
                                  pl.plotly_critical_current_density, pl.plot_vacancies,
                                  pl.plotly_vacancies])
def test_plot_errors_name_the_missing_column(func):
    with pytest.raises(InputError, match="lacks column"):
        func(pd.DataFrame({"name": ["x"]}))


def test_plot_errors_on_empty_frame():
    with pytest.raises(InputError, match="no rows"):
        pl.plot_condensation(_kappa_frame().iloc[0:0])


def test_figures_are_saved(tmp_path: Path, materials, records):
    ctx = ReportContext(out_dir=tmp_path)
    out = sec._fig16c(ctx, records.cell_demonstrations, records.targets)
    assert out.review_ref == "Fig. 16C"
    assert (tmp_path / out.svg).stat().st_size > 10_000
    assert (tmp_path / out.csv).read_text().startswith("system,ref,ccd_mA_cm2")
    assert 'id="fig16C-plotly"' in out.plotly_html
    assert any("left empty: Li6PS5Cl0.3F0.7" in d for d in out.deviations)
    assert any("LiPON-coated Li6PS5Cl (Section 5; Fig. 14C-D)" in d for d in out.deviations)
    fig4e = sec._fig4e(ctx, materials)
    assert any("LiBPON" in d for d in fig4e.deviations)


def test_missing_target_is_a_clear_error(tmp_path: Path, records):
    from nitrolyte.errors import MissingDataError

    with pytest.raises(MissingDataError, match="no target 'critical_current_density'"):
        sec._fig16c(ReportContext(out_dir=tmp_path), records.cell_demonstrations, ())


def test_section_builds(tmp_path: Path, db):
    section = sec.build(ReportContext(out_dir=tmp_path, db=db))
    assert [f.key for f in section.figures] == ["fig3D", "fig4E", "fig6A", "fig16C"]
    assert [t.key for t in section.tables] == ["table_kappa", "table_li3n_structures", "table_stated_values"]
    assert all((tmp_path / f.svg).exists() and (tmp_path / f.csv).exists() for f in section.figures)
    assert "+32 %" in section.tables[1].deviations[0]
