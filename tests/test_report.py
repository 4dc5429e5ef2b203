"""The report skeleton: build, page, manifest, and the tables section."""

from __future__ import annotations

import csv
import json
import re
import shutil
import sys
import types
from pathlib import Path

import pytest

from nitrolyte.errors import InputError
from nitrolyte.report import build as build_mod
from nitrolyte.report import build_report
from nitrolyte.report.framework import FigureOutput, ReportContext, Section, TableOutput
from nitrolyte.report.page import render_page
from nitrolyte.report.sec_tables import sci, temperature_text
from nitrolyte.store import Database

TABLE_KEYS = ["table1", "table2", "table3", "table4", "table5", "table6", "errata", "targets"]
_EXTERNAL = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']?https?:", re.I)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, _seeded_template: Path) -> Path:
    """The tables section built once into a folder (from a copy of the seeded database)."""
    folder = tmp_path_factory.mktemp("report")
    shutil.copyfile(_seeded_template, folder / "db.sqlite")
    with Database(folder / "db.sqlite") as db:
        build_report(folder / "out", db=db, progress=False, sections=["tables"])
    return folder / "out"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_manifest_lists_every_table(built: Path) -> None:
    doc = json.loads((built / "manifest.json").read_text())
    assert doc["schema"] == "nitrolyte.report/1" and doc["page"] == "index.html"
    assert [t["key"] for t in doc["tables"]] == TABLE_KEYS
    assert doc["sections"][0]["tables"] == TABLE_KEYS
    refs = {t["key"]: t["review_ref"] for t in doc["tables"]}
    assert refs["table1"] == "Table 1" and refs["table6"] == "Table 6"
    for table in doc["tables"]:
        assert len(_rows(built / table["files"]["csv"])) > 0


def test_tables_1_to_4_have_45_rows(built: Path) -> None:
    counts = [len(_rows(built / "data" / f"table{i}.csv")) for i in range(1, 5)]
    assert counts == [13, 11, 8, 13] and sum(counts) == 45
    assert len(_rows(built / "data" / "table5.csv")) == 45
    assert len(_rows(built / "data" / "table6.csv")) == 3


def test_table_csv_values(built: Path) -> None:
    rows = {r["name"]: r for r in _rows(built / "data" / "table2.csv")}
    li11 = rows["Li11N3Cl2"]
    assert li11["conductivity_printed"] == "~3.7e-11^a S/cm (25 °C)"
    assert (float(li11["sigma_S_cm"]), li11["from_arrhenius"]) == (3.7e-11, "True")
    assert (rows["Li13N4Br"]["Ea_eV"], rows["Li13N4Br"]["Ea_HT_eV"]) == ("0.73", "0.47")
    crystal = [r for r in _rows(built / "data" / "table1.csv") if r["name"] == "α-Li3N single crystal"]
    assert [r["direction"] for r in crystal] == ["perp_c", "par_c"]
    assert crystal[0]["conductivity_printed"] == "1.2e-3 S/cm (300 K)"


def test_page_has_every_table_and_no_network(built: Path) -> None:
    page = (built / "index.html").read_text()
    assert '<section id="tables">' in page and 'nav id="toc"' in page
    for key in TABLE_KEYS:
        assert f'data-table="{key}"' in page and f'href="#{key}"' in page
        assert f'href="data/{key}.csv"' in page
    assert "Rebuilds: Table 1" in page and "Differences from the review" in page
    assert "2.14e-3 S/cm (25 °C)" in page
    assert '~3.7e-11<sup class="fn" title="calculated from Arrhenius plots">a</sup>' in page
    assert not _EXTERNAL.search(page) and "<script src" not in page
    assert "table.sortable" in page  # the inline sort script
    assert "plotly.js v" not in page  # no interactive figure, no Plotly


def test_errata_shown_as_table_deviations(built: Path) -> None:
    doc = json.loads((built / "manifest.json").read_text())
    table1 = next(t for t in doc["tables"] if t["key"] == "table1")
    assert any("P6_3/mmm" in d for d in table1["deviations"])
    table5 = next(t for t in doc["tables"] if t["key"] == "table5")
    assert "Li11N3Cl2" in table5["deviations"][0]


def test_formatting_helpers() -> None:
    assert [sci(v) for v in (2.14e-3, 1e-5, 2.085e-4, 3.7e-11)] == ["2.14e-3", "1e-5",
                                                                   "2.085e-4", "3.7e-11"]
    assert [temperature_text(t) for t in (298.15, 300.15, 300.0)] == ["25 °C", "27 °C", "300 K"]


def _figure_section(ctx: ReportContext) -> Section:
    import matplotlib.pyplot as plt
    import pandas as pd
    import plotly.graph_objects as go

    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    png, svg = ctx.save_matplotlib(fig, "figX")
    data = ctx.save_csv(pd.DataFrame({"x": [1, 2], "y": [3, 4]}), "figX")
    div = ctx.plotly_div(go.Figure(go.Scatter(x=[1, 2], y=[3, 4])), "figX-plotly")
    out = FigureOutput(key="figX", title="A test figure", review_ref="Fig. 3E", caption="x vs y",
                       png=png, svg=svg, csv=data, plotly_html=div,
                       deviations=("uses two points only",))
    return Section(key="figs", title="Figures", figures=(out,))


def test_figures_are_embedded_with_plotly_once(db: Database, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("nitrolyte_test_sec_figs")
    module.build = _figure_section  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "nitrolyte_test_sec_figs", module)
    monkeypatch.setattr(build_mod, "SECTION_MODULES", ("nitrolyte_test_sec_figs",))
    index = build_report(tmp_path, db=db, progress=False)
    page = index.read_text()
    assert page.count("plotly.js v") == 1 and 'id="figX-plotly"' in page
    assert '<figure id="figX" data-figure="figX">' in page
    assert '<img src="figures/figX.png"' in page and "Rebuilds: Fig. 3E" in page
    assert 'href="figures/figX.svg"' in page and "uses two points only" in page
    assert not _EXTERNAL.search(page)
    doc = json.loads((tmp_path / "manifest.json").read_text())
    assert doc["figures"] == [{"key": "figX", "title": "A test figure", "review_ref": "Fig. 3E",
                               "section": "figs", "interactive": True,
                               "files": {"png": "figures/figX.png", "svg": "figures/figX.svg",
                                         "csv": "data/figX.csv"},
                               "deviations": ["uses two points only"]}]
    for rel in doc["figures"][0]["files"].values():
        assert (tmp_path / rel).stat().st_size > 0


def test_duplicate_keys_are_refused(db: Database, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    table = TableOutput(key="dup", title="t", review_ref="Table 1", html="<table></table>")
    module = types.ModuleType("nitrolyte_test_sec_dup")
    module.build = lambda ctx: Section(key="s", title="S", tables=(table, table))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "nitrolyte_test_sec_dup", module)
    monkeypatch.setattr(build_mod, "SECTION_MODULES", ("nitrolyte_test_sec_dup",))
    with pytest.raises(InputError, match="report key 'dup' of section 's' is used twice"):
        build_report(tmp_path, db=db, progress=False)


def test_failing_section_is_named(db: Database, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(ctx: ReportContext) -> Section:
        raise ZeroDivisionError("boom")

    module = types.ModuleType("nitrolyte_test_sec_broken")
    module.build = broken  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "nitrolyte_test_sec_broken", module)
    monkeypatch.setattr(build_mod, "SECTION_MODULES", ("nitrolyte_test_sec_broken",))
    with pytest.raises(ZeroDivisionError) as info:
        build_report(tmp_path, db=db, progress=False)
    assert "while building report section nitrolyte_test_sec_broken" in info.value.__notes__


def test_unknown_section(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"sections: unknown section\(s\) 'plots'; allowed: "):
        build_report(tmp_path, sections=["plots"], progress=False)


def test_out_dir_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(InputError, match=r"out_dir .*/f/sub cannot be created: Not a directory"):
        build_report(tmp_path / "f" / "sub", progress=False)


def test_empty_page_renders() -> None:
    page = render_page([], generated="2025-01-01T00:00:00+00:00", version="0", database="x")
    assert page.startswith("<!DOCTYPE html>") and "<li>None.</li>" in page


@pytest.mark.browser
def test_clicking_a_header_sorts(built: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("chromium not installed")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto((built / "index.html").as_uri())
        page.click("#tbl-table2 thead th:nth-child(3)")
        names = page.locator("#tbl-table2 tbody tr td:first-child").all_inner_texts()
        page.click("#tbl-table2 thead th:nth-child(3)")
        reverse = page.locator("#tbl-table2 tbody tr td:first-child").all_inner_texts()
        browser.close()
    assert len(names) == 11 and names[0] == "Li11N3Cl2" and names[-1] == "Li3N-LiI-LiOH"
    assert reverse[0] == "Li3N-LiI-LiOH"
