"""The report skeleton: build, page, manifest, and the tables section."""

from __future__ import annotations

import csv
import dataclasses
import json
import re
import shutil
import sys
import types
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nitrolyte.errors import InputError
from nitrolyte.report import build as build_mod
from nitrolyte.report import build_report
from nitrolyte.report.framework import FigureOutput, ReportContext, Section, TableOutput
from nitrolyte.report.page import render_page
from nitrolyte.report.table_cells import sci, temperature_text
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
    assert (float(li11["sigma_S_cm"]), li11["from_arrhenius"]) == (3.7e-11, "true")
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
    # plotly.js once, from the file beside the page; the figure once (interactive, SVG fallback)
    assert page.count('<script src="plotly.min.js"') == 1 and "plotly.js v" not in page
    assert "plotly.js v" in (tmp_path / "plotly.min.js").read_text()[:200]
    assert page.count('id="figX-plotly"') == 1
    assert '<figure id="figX" data-figure="figX">' in page
    assert '<img src="figures/figX.svg"' not in page.split("<noscript>")[0]
    assert '<noscript><img src="figures/figX.svg"' in page and 'data-static="figures/figX.svg"' in page
    assert "Rebuilds: Fig. 3E" in page
    assert 'href="figures/figX.svg"' in page and "uses two points only" in page
    assert not _EXTERNAL.search(page)
    doc = json.loads((tmp_path / "manifest.json").read_text())
    assert doc["figures"] == [{"key": "figX", "title": "A test figure", "review_ref": "Fig. 3E",
                               "section": "figs", "interactive": True,
                               "files": {"svg": "figures/figX.svg", "csv": "data/figX.csv"},
                               "deviations": ["uses two points only"]}]
    assert doc["files"] == ["data/figX.csv", "figures/figX.svg", "index.html", "manifest.json",
                            "plotly.min.js"]
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


# ------------------------------------------------------------------ presentation helpers


def test_reference_labels_and_units() -> None:
    from nitrolyte.report.page import pretty_text, pretty_unit, ref_label

    assert [ref_label(r) for r in ("- (nitrolyte data)", "-", "", "Fig. 3E", "user data")] == [
        "nitrolyte data", "nitrolyte data", "nitrolyte data", "Fig. 3E", "user data"]
    assert [pretty_unit(u) for u in ("um", "mAh/cm2", "g/cm3", "1", "S/cm")] == [
        "µm", "mAh/cm²", "g/cm³", "", "S/cm"]
    assert pretty_text("at 10 mAh/cm2, 20 um and 10um; drum") == (
        "at 10 mAh/cm², 20 µm and 10 µm; drum")


def test_own_data_is_not_shown_as_a_review_reference() -> None:
    table = TableOutput(key="t", title="Embedded table", review_ref="- (nitrolyte data)",
                        html="<table></table>")
    fig = FigureOutput(key="f", title="Fig. 3E: Li3N", review_ref="Fig. 3E")
    page = render_page([Section(key="s", title="S", tables=(table,), figures=(fig,))],
                       generated="2025-01-01T00:00:00+00:00", version="0", database="x")
    assert "- (nitrolyte data)" not in page
    assert '<span class="toc-ref">nitrolyte data</span> Embedded table' in page
    assert '<p class="rebuilds">Not in the review (nitrolyte data)</p>' in page
    # a title that repeats its reference is not repeated in the contents
    assert '<span class="toc-ref">Fig. 3E</span> Li3N</a>' in page
    assert '<span class="rebuilds">Rebuilds: Fig. 3E</span>' in page


def test_frame_to_html_prints_numbers_without_padding() -> None:
    import pandas as pd

    html = ReportContext.frame_to_html(
        pd.DataFrame({"value": [1.27, 3500.0, 0.001, -128.64, 0.1 + 0.2, float("nan")],
                      "n": [1, 2, 3, 4, 5, 6]}), "x")
    cells = re.findall(r"<td>([^<]*)</td>", html)
    assert cells[::2] == ["1.27", "3500", "0.001", "-128.64", "0.3", ""]
    scores = ReportContext.frame_to_html(pd.DataFrame({"score": [1.0, 0.5, 0.71, None]}), "s")
    assert re.findall(r"<td>([^<]*)</td>", scores) == ["1.00", "0.50", "0.71", ""]
    assert "1.27000" not in html and "3500.00000" not in html


def test_progress_is_plain_lines_when_not_a_terminal(db: Database, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    build_report(tmp_path, db=db, progress=True, sections=["tables"])
    err = capsys.readouterr().err
    assert re.fullmatch(r"nitrolyte report: \[1/1\] tables \(\d+\.\d s\)\n", err)
    build_report(tmp_path, db=db, progress=False, sections=["tables"])
    assert capsys.readouterr().err == ""


# ------------------------------------------------------------------ user data


@pytest.fixture(scope="module")
def user_built(tmp_path_factory: pytest.TempPathFactory, _seeded_template: Path) -> Path:
    """The full report of a database with user rows: a new material and a review material."""
    folder = tmp_path_factory.mktemp("user-report")
    shutil.copyfile(_seeded_template, folder / "db.sqlite")
    with Database(folder / "db.sqlite") as db:
        db.add_measurement(material="My Li3N pellet", property="ionic_conductivity", value=0.9,
                           unit="mS/cm", temperature=25, temperature_unit="C", formula="Li3N",
                           family="Li3N", method="EIS", note="hot-pressed")
        db.add_measurement(material="My Li3N pellet", property="activation_energy", value=0.3,
                           unit="eV", temperature=25, temperature_unit="C")
        db.add_measurement(material="beta-Li3N", property="ionic_conductivity", value=3.0e-4,
                           unit="S/cm", temperature=300, temperature_unit="K", ref="28")
        build_report(folder / "out", db=db, progress=False)
    return folder / "out"


def test_user_rows_have_their_own_table(user_built: Path) -> None:
    doc = json.loads((user_built / "manifest.json").read_text())
    tables = {t["key"]: t for t in doc["tables"]}
    assert tables["user_data"]["review_ref"] == "user data"
    keys = [t["key"] for t in doc["tables"] if t["section"] == "tables"]
    assert keys == [*TABLE_KEYS, "user_data"]
    rows = _rows(user_built / "data" / "user_data.csv")
    assert [(r["name"], r["source"], r["conductivity_printed"]) for r in rows] == [
        ("β-Li3N", "user", "3e-4 S/cm (300 K)"), ("My Li3N pellet", "user", "9e-4 S/cm (25 °C)")]
    assert rows[1]["Ea_eV"] == "0.3" and rows[1]["note"] == "EIS; hot-pressed"


def test_user_rows_stay_out_of_the_review_tables(user_built: Path) -> None:
    counts = [len(_rows(user_built / "data" / f"table{i}.csv")) for i in range(1, 5)]
    assert counts == [13, 11, 8, 13]
    beta = [r for r in _rows(user_built / "data" / "table1.csv") if r["name"] == "β-Li3N"]
    assert [r["sigma_S_cm"] for r in beta] == ["0.0002085"]
    page = (user_built / "index.html").read_text()
    start = page.index('data-table="user_data"')
    block = page[start:page.index("data-table=", start + 1)]
    assert "Not in the review (user data)" in block
    assert 'My Li<sub>3</sub>N pellet <span class="badge">user data</span>' in block
    table1 = page[page.index('data-table="table1"'):page.index('data-table="table2"')]
    assert "My Li" not in table1 and "user data" not in table1


def test_user_rows_are_marked_in_the_figures(user_built: Path) -> None:
    curves = _rows(user_built / "data" / "fig3E.csv")
    sources = {(r["name"], r["source"]) for r in curves}
    assert ("My Li3N pellet", "user") in sources and ("β-Li3N", "literature") in sources
    operating = {r["name"]: r["source"] for r in _rows(user_built / "data" /
                                                        "transport_operating_T.csv")}
    assert operating["My Li3N pellet"] == "user" and operating["β-Li3N"] == "literature"
    page = (user_built / "index.html").read_text()
    assert "My Li3N pellet (user data)" in page  # the Arrhenius legend


def _read_all(fd: int) -> str:
    import os

    chunks = []
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO: the other end is closed
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    """On a terminal (here a pseudo-terminal that reports no size) the bar is drawn."""
    import os
    import pty
    import subprocess

    master, slave = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "nitrolyte", "report", "--out",
                               str(tmp_path), "--section", "tables"], stderr=slave,
                              stdout=subprocess.PIPE, text=True, timeout=300, check=False)
    finally:
        os.close(slave)
    err = _read_all(master)
    os.close(master)
    assert done.returncode == 0, err
    assert "nitrolyte report: 100%" in err and "1/1" in err and "\r" in err


def test_targets_table_prints_units_as_the_review(tmp_path: Path, db) -> None:
    """Perspectives (a): dry rooms with a dew point < -40 °C (data unit degC); > 4C is a C-rate."""
    from nitrolyte.report.sec_tables import targets_table

    html = targets_table(ReportContext(out_dir=tmp_path, db=db)).html
    assert "-40 °C" in html
    assert "4 C<" in html


# ------------------------------------------------------------- cache, stale files, symlinks

def _counting_section(calls: list[str], stems: tuple[str, ...]):
    """A section with one static figure per stem; ``calls`` records every drawing."""
    def build(ctx: ReportContext) -> Section:
        import matplotlib.pyplot as plt
        import pandas as pd

        figures = []
        for stem in stems:
            data = pd.DataFrame({"x": [1.0, 2.0], "y": [3.0, float(len(stem))]})

            def draw(stem: str = stem, data: pd.DataFrame = data) -> object:
                calls.append(stem)
                fig, ax = plt.subplots()
                ax.plot(data["x"], data["y"])
                return fig

            png, svg = ctx.save_matplotlib(draw, stem, data=data)
            figures.append(FigureOutput(key=stem, title=stem, review_ref="-", png=png, svg=svg,
                                        csv=ctx.save_csv(data, stem), deviations=("test",)))
        return Section(key="figs", title="Figures", figures=tuple(figures))
    return build


@pytest.fixture
def sections(monkeypatch: pytest.MonkeyPatch):
    """Install a test section built from ``_counting_section``; returns a setter."""
    def install(calls: list[str], stems: tuple[str, ...]) -> None:
        module = types.ModuleType("nitrolyte_test_sec_count")
        module.build = _counting_section(calls, stems)  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "nitrolyte_test_sec_count", module)
        monkeypatch.setattr(build_mod, "SECTION_MODULES", ("nitrolyte_test_sec_count",))
    return install


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_figure_cache_skips_drawing_and_gives_the_same_bytes(db: Database, tmp_path: Path,
                                                            sections) -> None:
    calls: list[str] = []
    sections(calls, ("figA", "figB"))
    cache = tmp_path / "cache"
    build_report(tmp_path / "a", db=db, progress=False, cache=cache, jobs=1)
    assert calls == ["figA", "figB"] and len(list(cache.glob("*.svg"))) == 2
    build_report(tmp_path / "b", db=db, progress=False, cache=cache, jobs=1)
    assert calls == ["figA", "figB"]  # warm: nothing drawn
    build_report(tmp_path / "c", db=db, progress=False, cache=False, jobs=1)
    assert calls == ["figA", "figB", "figA", "figB"]
    a, b, c = (_tree(tmp_path / k) for k in "abc")
    assert a == b == c
    svg = a["figures/figA.svg"].decode()
    assert "<dc:date>" not in svg and 'id="' in svg


def test_stability_work_is_kept_by_data_generation(db: Database, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """``ctx.remember``: a warm build reuses the stability work of a cold one (same bytes); a
    database write, ``cache=False`` or a computation that warns computes it again (issue 24)."""
    import pandas as pd

    calls: list[str] = []

    def build(ctx: ReportContext) -> Section:
        def compute() -> pd.DataFrame:
            calls.append("computed")
            if (tmp_path / "warn").exists():
                print("warning: something", file=sys.stderr)
            return pd.DataFrame({"x": [0.1, 1 / 3], "s": ["a", None]})

        frame = ctx.remember("work", compute)
        csv = ctx.save_csv(frame, "work")
        return Section(key="w", title="W", tables=(TableOutput(
            key="work", title="Work", review_ref="-", html=ctx.frame_to_html(frame, "w"),
            csv=csv),))

    module = types.ModuleType("nitrolyte_test_sec_work")
    module.build = build  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "nitrolyte_test_sec_work", module)
    monkeypatch.setattr(build_mod, "SECTION_MODULES", ("nitrolyte_test_sec_work",))
    cache = tmp_path / "cache"
    for out in ("cold", "warm"):
        build_report(tmp_path / out, db=db, progress=False, cache=cache, jobs=1)
    assert calls == ["computed"] and len(list((cache / "results").glob("*.pickle"))) == 1
    build_report(tmp_path / "plain", db=db, progress=False, cache=False, jobs=1)
    assert len(calls) == 2
    db.add_measurement(material="Sample Z", property="ionic_conductivity", value=1e-4,
                       unit="S/cm", temperature=300)
    build_report(tmp_path / "new", db=db, progress=False, cache=cache, jobs=1)
    assert len(calls) == 3  # new data: computed again
    db.add_measurement(material="Sample Z", property="ionic_conductivity", value=2e-4,
                       unit="S/cm", temperature=310)
    (tmp_path / "warn").write_text("")
    for out in ("warn1", "warn2"):
        build_report(tmp_path / out, db=db, progress=False, cache=cache, jobs=1)
    assert len(calls) == 5  # a warning is shown every time: never kept
    cold, warm, plain = (_tree(tmp_path / k) for k in ("cold", "warm", "plain"))
    assert cold == warm == plain and b"0.333333" in cold["data/work.csv"]


def test_svg_ids_and_metadata_are_fixed(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    def draw() -> object:
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1], clip_on=True)
        ax.set_title("fixed")
        return fig

    first, second = ReportContext(tmp_path / "1"), ReportContext(tmp_path / "2")
    first.save_matplotlib(draw, "f")
    second.save_matplotlib(draw, "f")
    assert (tmp_path / "1/figures/f.svg").read_bytes() == (tmp_path / "2/figures/f.svg").read_bytes()


def test_rebuild_removes_only_the_files_it_wrote(db: Database, tmp_path: Path, sections) -> None:
    out = tmp_path / "out"
    sections([], ("figA", "figB"))
    build_report(out, db=db, progress=False, jobs=1)
    (out / "notes.txt").write_text("mine")
    (out / "figures" / "my_plot.svg").write_text("<svg/>")
    sections([], ("figB",))
    build_report(out, db=db, progress=False, jobs=1)
    names = set(_tree(out))
    assert {"figures/figB.svg", "data/figB.csv", "notes.txt", "figures/my_plot.svg"} <= names
    assert not {"figures/figA.svg", "data/figA.csv"} & names
    doc = json.loads((out / "manifest.json").read_text())
    assert "notes.txt" not in doc["files"] and "figures/figB.svg" in doc["files"]


def test_a_forged_manifest_cannot_remove_outside_files(db: Database, tmp_path: Path,
                                                       sections) -> None:
    out, outside = tmp_path / "out", tmp_path / "precious.txt"
    outside.write_text("keep")
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({
        "schema": "nitrolyte.report/1",
        "files": ["../precious.txt", str(outside), "data/../../precious.txt"]}))
    sections([], ("figA",))
    build_report(out, db=db, progress=False, jobs=1)
    assert outside.read_text() == "keep"


def test_no_write_through_a_symlink_leaving_the_folder(db: Database, tmp_path: Path,
                                                       sections) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    (out / "data").mkdir(parents=True)
    elsewhere.mkdir()
    victim = elsewhere / "victim.csv"
    victim.write_text("original")
    (out / "data" / "figA.csv").symlink_to(victim)  # a file link: replaced by a plain file
    sections([], ("figA",))
    build_report(out, db=db, progress=False, jobs=1)
    assert victim.read_text() == "original"
    assert not (out / "data" / "figA.csv").is_symlink()
    assert (out / "data" / "figA.csv").read_text().startswith("x,y")
    (out / "figures").rename(tmp_path / "old_figures")
    (out / "figures").symlink_to(elsewhere)  # a folder link out: refused, nothing written there
    with pytest.raises(InputError, match=r"symbolic link .* outside the report folder"):
        build_report(out, db=db, progress=False, jobs=1)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["victim.csv"]


def test_report_cli_refuses_a_symlinked_folder(db: Database, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from nitrolyte.cli import app

    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "data").symlink_to(elsewhere)
    done = CliRunner().invoke(app, ["report", "--out", str(out), "--section", "tables",
                                    "--db", db.where, "--no-progress"])
    assert done.exit_code == 2 and done.output.startswith("error: out_dir:")
    assert list(elsewhere.iterdir()) == []


def test_source_date_epoch(db: Database, tmp_path: Path, sections,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    sections([], ("figA",))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    build_report(tmp_path / "a", db=db, progress=False, jobs=1)
    doc = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert doc["generated_at"] == "2025-01-01T00:00:00+00:00"
    assert "generated 2025-01-01T00:00:00+00:00" in (tmp_path / "a" / "index.html").read_text()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(InputError, match="SOURCE_DATE_EPOCH must be a whole number"):
        build_report(tmp_path / "b", db=db, progress=False, jobs=1)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.lists(st.sampled_from(["a", "b.csv", ".", "..", "", "~", "\\", "/x"]),
                    min_size=1, max_size=5).map("/".join))
def test_safe_path_stays_inside(tmp_path: Path, name: str) -> None:
    """Any name either gives a path inside the report folder or raises InputError."""
    from nitrolyte.report.framework import safe_path

    root = tmp_path / "root"
    root.mkdir(exist_ok=True)
    try:
        path = safe_path(root, name)
    except (InputError, OSError):
        return
    assert path.resolve().is_relative_to(root.resolve())


def test_safe_path_when_another_worker_makes_the_folder_first(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Sections run in parallel workers: a folder made by another one between the existence
    check and mkdir is used, not a FileExistsError (seen in a CI run: report/data)."""
    from nitrolyte.report.framework import safe_path

    root = tmp_path / "root"
    (root / "data").mkdir(parents=True)
    real_exists = Path.exists
    monkeypatch.setattr(Path, "exists", lambda self: False if self.name == "data"
                        else real_exists(self))  # the check ran before the other worker's mkdir
    assert safe_path(root, "data/x.csv") == (root / "data" / "x.csv").resolve()
    monkeypatch.undo()
    (root / "file").write_text("")
    with pytest.raises(InputError, match="is not a folder"):
        safe_path(root, "file/x.csv")


def test_errata_table_shows_the_issue_13_errata(built: Path) -> None:
    page = (built / "index.html").read_text()
    ids = {r["id"] for r in _rows(built / "data" / "errata.csv")}
    for eid in ("fig13_credits", "li9n2cl3_anion_site_percent", "fig4_caption_f_twice",
                "lgps_formula_fig17a", "lipon_initial_reports_year", "li9_27n2_76i_formula",
                "vacancy_rich_beta_li3n_surpassing", "nitride_window_wording",
                "fig5e_caption_li6nbr3"):
        assert eid in ids and eid in page, eid
    assert "Li9.28N2.76I" in page and "Li12GeP2S12 (LGPS)" in page


def test_parallel_and_sequential_builds_agree(db: Database, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Two sections in forked workers (where this process may fork) give the same files, in
    the same page order, as one process."""
    from nitrolyte.report.runner import plan

    names = []
    for i, stems in enumerate((("figA",), ("figB", "figC"))):
        module = types.ModuleType(f"nitrolyte_test_sec_par{i}")
        build = _counting_section([], stems)
        module.build = (lambda b, k: lambda ctx: dataclasses.replace(b(ctx), key=k))(  # type: ignore[attr-defined]
            build, f"figs{i}")
        module.BUILD_COST = float(i + 1)  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, module.__name__, module)
        names.append(module.__name__)
    monkeypatch.setattr(build_mod, "SECTION_MODULES", tuple(names))
    assert sorted(plan(names, 2)) == [[n] for n in names]
    build_report(tmp_path / "seq", db=db, progress=False, jobs=1, cache=False)
    build_report(tmp_path / "par", db=db, progress=False, jobs=2, cache=False)
    assert _tree(tmp_path / "seq") == _tree(tmp_path / "par")
    doc = json.loads((tmp_path / "par" / "manifest.json").read_text())
    assert [s["key"] for s in doc["sections"]] == ["figs0", "figs1"]


def test_previous_files_of_an_older_manifest(tmp_path: Path) -> None:
    """A manifest without ``files`` (older builds) still names its figures' and tables' files."""
    from nitrolyte.report.build import previous_files

    (tmp_path / "manifest.json").write_text(json.dumps({
        "schema": "nitrolyte.report/1",
        "figures": [{"key": "fig3E", "files": {"png": "figures/fig3E.png", "svg": "figures/fig3E.svg",
                                                "csv": "data/fig3E.csv"}}],
        "tables": [{"key": "table1", "files": {"csv": "data/table1.csv"}},
                   {"key": "evil", "files": {"csv": "../evil.csv"}}]}))
    assert previous_files(tmp_path) == ["figures/fig3E.png", "figures/fig3E.svg", "data/fig3E.csv",
                                        "data/table1.csv"]
    (tmp_path / "manifest.json").write_text("not json")
    assert previous_files(tmp_path) == []


@settings(max_examples=20, deadline=None)
@given(jobs=st.one_of(st.integers(max_value=0), st.integers(min_value=65),
                      st.text(alphabet="abc.-x ", min_size=1, max_size=6)))
def test_report_cli_rejects_bad_jobs(jobs: object) -> None:
    """``--jobs`` outside 1-64 or not a number: usage error (exit 2), nothing built."""
    from typer.testing import CliRunner

    from nitrolyte.cli import app

    done = CliRunner().invoke(app, ["report", "--jobs", str(jobs), "--out", "/nonexistent/x"])
    assert done.exit_code == 2 and "Traceback" not in done.output
