"""Load the report that ``make run`` builds in a real browser (Debian chromium through playwright).

The report is built as ``make run`` builds it: ``nitrolyte report --out DIR`` in a subprocess
(stderr not a terminal, as in CI). Checks:

* completeness (issue 6, "Done when"): every figure and table of :data:`EXPECTED` - Tables 1-6,
  the Arrhenius plots 3E, 4F, 5E, 6B, 7B, 8D, the window chart 2A/12B/17A, the voltage profiles
  12C/D, 4E, 6A, 16C, all six panels of 17C-H for both stacks, the critical-value table and the
  screening table with its Pareto figure - is in ``manifest.json`` with the review reference it
  rebuilds, and is on the page, non-empty (image loaded, Plotly drawn, table rows);
* every figure and table shows what it rebuilds ("Rebuilds: Fig. X") and its list of differences
  from the review;
* no console or page errors, no request other than ``file:`` (and inline ``data:``) URLs;
* unique element ids; no page-wide horizontal scrolling at 1280 px or 800 px;
* every sortable table sorts on a header click.

Screenshots of every section go to a temporary folder and, when the environment variable
``NITROLYTE_SCREENSHOTS`` names a folder, there too, so that a person can look at them.

Skipped cleanly when chromium or playwright is missing (``make browser`` installs chromium).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 1000}
RENDER_TIMEOUT_MS = 60_000
BUILD_TIMEOUT_S = 600

#: what the report must rebuild (DESIGN.md "Figures the report must rebuild", issue 6):
#: (what, kind, manifest key, review reference the item must name or None for nitrolyte's own)
EXPECTED: tuple[tuple[str, str, str, str | None], ...] = (
    *((f"Table {i}", "table", f"table{i}", f"Table {i}") for i in range(1, 7)),
    ("Arrhenius plot, Li3N", "figure", "fig3E", "Fig. 3E"),
    ("Arrhenius plot, LiPON", "figure", "fig4F", "Fig. 4F"),
    ("Arrhenius plot, nitride halides", "figure", "fig5E", "Fig. 5E"),
    ("Arrhenius plot, chalcogenides and nitridophosphates", "figure", "fig6B", "Fig. 6B"),
    ("Arrhenius plot, group 14", "figure", "fig7B", "Fig. 7B"),
    ("Arrhenius plot, group 13", "figure", "fig8D", "Fig. 8D"),
    *((f"stability windows, Fig. {p}", "figure", "fig17A_windows", f"Fig. {p}")
      for p in ("2A", "12B", "17A")),
    *((f"voltage profile, Fig. {p}", "figure", "fig12CD_profiles", f"Fig. {p}")
      for p in ("12C", "12D")),
    ("LiPON conductivity vs Li content", "figure", "fig4E", "Fig. 4E"),
    ("degree of condensation of the nitridophosphates", "figure", "fig6A", "Fig. 6A"),
    ("critical current density comparison", "figure", "fig16C", "Fig. 16C"),
    *((f"energy density, Fig. 17{p}", "figure", "fig17CH", f"Fig. 17{p}") for p in "CDEFGH"),
    ("critical values for 350 Wh/kg", "table", "cell_critical_values", "Section 5"),
    ("screening table", "table", "screening_table", None),
    ("screening Pareto figure", "figure", "screening_pareto", None),
)


# ------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("Debian chromium is not installed (run `make browser`)")
    return path


@dataclass
class Build:
    """The folder ``nitrolyte report`` wrote, and what it printed."""

    out: Path
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The full report, built once for this module as ``make run`` builds it (the CLI)."""
    out = tmp_path_factory.mktemp("report") / "report"
    done = subprocess.run([sys.executable, "-m", "nitrolyte", "report", "--out", str(out)],
                          capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, check=False,
                          env={**os.environ, "COLUMNS": "120"})
    assert done.returncode == 0, done.stderr
    return Build(out=out, stdout=done.stdout, stderr=done.stderr)


@pytest.fixture(scope="module")
def report_dir(build: Build) -> Path:
    assert (build.out / "index.html").is_file()
    return build.out


@pytest.fixture(scope="module")
def manifest(report_dir: Path) -> dict[str, Any]:
    return json.loads((report_dir / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@dataclass
class Loaded:
    """A page with the report fully rendered, and what happened while it loaded."""

    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def _open(browser: Any, report_dir: Path, viewport: dict[str, int] = VIEWPORT) -> Loaded:
    """A new page with the report fully rendered, and the errors and requests seen while loading."""
    page = browser.new_page(viewport=viewport)
    out = Loaded(page)
    page.on("console", lambda msg: out.errors.append(f"console: {msg.text}")
            if msg.type == "error" else None)
    page.on("pageerror", lambda exc: out.errors.append(f"pageerror: {exc}"))
    page.on("requestfailed", lambda req: out.errors.append(f"requestfailed: {req.url}"))
    page.on("request", lambda req: out.requests.append(req.url))
    page.goto((report_dir / "index.html").as_uri(), wait_until="load")
    # the page lazy-loads images: load them all now, then wait for them and for Plotly
    page.evaluate("document.querySelectorAll('img').forEach(i => { i.loading = 'eager'; })")
    page.wait_for_function("Array.from(document.images).every(i => i.complete)",
                           timeout=RENDER_TIMEOUT_MS)
    page.wait_for_function(
        "Array.from(document.querySelectorAll('div.plotly-graph-div'))"
        ".every(d => d.querySelector('.main-svg'))", timeout=RENDER_TIMEOUT_MS)
    return out


@pytest.fixture(scope="module")
def loaded(browser: Any, report_dir: Path) -> Iterator[tuple[Any, list[str]]]:
    """The report page, fully rendered, with the console/page errors collected while loading."""
    view = _open(browser, report_dir)
    yield view.page, view.errors
    view.page.close()


@pytest.fixture(scope="module")
def loaded_view(browser: Any, report_dir: Path) -> Iterator[Loaded]:
    """A second rendered page, kept unsorted, with the requests it made."""
    view = _open(browser, report_dir)
    yield view
    view.page.close()


@pytest.fixture(scope="module")
def screenshot_dirs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    dirs = [tmp_path_factory.mktemp("screenshots")]
    extra = os.environ.get("NITROLYTE_SCREENSHOTS")
    if extra:
        dirs.append(Path(extra))
        dirs[-1].mkdir(parents=True, exist_ok=True)
    return dirs


# ------------------------------------------------------------------------------------ tests


def test_no_console_or_page_errors(loaded):
    _page, errors = loaded
    assert errors == []


def test_every_manifest_figure_and_table_is_on_the_page(loaded, manifest):
    page, _ = loaded
    assert manifest["figures"], "the report has no figures"
    for fig in manifest["figures"]:
        assert page.locator(f'figure[data-figure="{fig["key"]}"]').count() == 1, fig["key"]
    for table in manifest["tables"]:
        assert page.locator(f'[data-table="{table["key"]}"]').count() == 1, table["key"]
    sections = page.eval_on_selector_all("main > section", "els => els.map(e => e.id)")
    assert [s["key"] for s in manifest["sections"]] == [s for s in sections if s != "differences"]


def test_every_image_loaded(loaded, manifest):
    page, _ = loaded
    broken = page.evaluate(
        "Array.from(document.images).filter(i => !(i.naturalWidth > 0))"
        ".map(i => i.getAttribute('src'))")
    assert broken == []
    for fig in manifest["figures"]:
        if not fig["interactive"]:
            width = page.eval_on_selector(f'figure[data-figure="{fig["key"]}"] img',
                                          "i => i.naturalWidth")
            assert width > 100, fig["key"]


def test_every_figure_is_shown_once(loaded, manifest):
    """Interactive where there is a Plotly version, else the static image; never both."""
    page, _ = loaded
    for fig in manifest["figures"]:
        shown = page.eval_on_selector(
            f'figure[data-figure="{fig["key"]}"]',
            "f => ({images: f.querySelectorAll('img').length,"
            " plots: f.querySelectorAll('div.plotly-graph-div').length})")
        assert shown == ({"images": 0, "plots": 1} if fig["interactive"]
                         else {"images": 1, "plots": 0}), fig["key"]
        static = fig["files"].get("svg") or fig["files"].get("png")
        assert static and page.locator(
            f'figure[data-figure="{fig["key"]}"] p.files a[href="{static}"]').count() == 1


def test_fig17_legend_clear_of_the_toolbar(loaded):
    page, _ = loaded
    boxes = page.evaluate(
        "() => { const f = document.getElementById('fig17CH');"
        " const r = e => { const b = e.getBoundingClientRect();"
        "  return [b.left, b.top, b.right, b.bottom]; };"
        " return [r(f.querySelector('.legend')), r(f.querySelector('.modebar'))]; }")
    (l1, t1, r1, b1), (l2, t2, r2, b2) = boxes
    assert r1 <= l2 or r2 <= l1 or b1 <= t2 or b2 <= t1, boxes


def test_every_plotly_div_rendered(loaded, manifest):
    page, _ = loaded
    for fig in manifest["figures"]:
        if fig["interactive"]:
            sel = f'figure[data-figure="{fig["key"]}"] div.plotly-graph-div'
            assert page.locator(sel).count() >= 1, fig["key"]
            n_svg = page.eval_on_selector_all(sel, "ds => ds.filter(d => d.querySelector("
                                                   "'.main-svg')).length")
            assert n_svg == page.locator(sel).count(), fig["key"]
            # a rendered plot has at least one trace drawn
            traces = page.eval_on_selector(sel, "d => d.querySelectorAll('.trace, .point, "
                                                "path.point, .bars path').length")
            assert traces > 0, fig["key"]


_SORT_PROBE = """
table => {
  const body = table.tBodies[0];
  Array.from(body.rows).forEach((r, i) => { r.dataset.probe = String(i); });
  return Array.from(table.querySelectorAll('thead th')).length;
}
"""


def _row_order(table: Any) -> list[str]:
    return table.evaluate("t => Array.from(t.tBodies[0].rows).map(r => r.dataset.probe)")


def test_tables_sort_on_header_click(loaded):
    page, _ = loaded
    tables = page.locator("table.sortable")
    assert tables.count() > 0
    for i in range(tables.count()):
        table = tables.nth(i)
        n_rows = table.evaluate("t => t.tBodies[0].rows.length")
        if n_rows < 2:
            continue
        n_cols = table.evaluate(_SORT_PROBE)
        before = _row_order(table)
        changed = False
        for col in range(n_cols):
            header = table.locator("thead th").nth(col)
            header.scroll_into_view_if_needed()
            header.click()
            assert header.get_attribute("aria-sort") == "ascending"
            after = _row_order(table)
            if after != before:
                changed = True
                header.click()  # click again: the order reverses
                assert header.get_attribute("aria-sort") == "descending"
                break
        table_id = table.get_attribute("id")
        assert changed, f"clicking the headers of table {table_id} never changed the row order"


def blank(png: bytes) -> bool:
    """True for a screenshot with (nearly) one colour: a section rendered as an empty box."""
    import io

    from PIL import Image, ImageStat

    image = Image.open(io.BytesIO(png)).convert("L")
    colours = image.getcolors(maxcolors=1 << 16)
    return ImageStat.Stat(image).stddev[0] < 2.0 or (colours is not None and len(colours) < 8)


def test_blank_detects_an_empty_box():
    import io

    from PIL import Image, ImageDraw

    def png(image: Image.Image) -> bytes:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()

    empty = Image.new("RGB", (400, 300), "white")
    drawn = empty.copy()
    ImageDraw.Draw(drawn).text((10, 10), "Fig. 17C-H 350 Wh/kg", fill="black")
    ImageDraw.Draw(drawn).line((0, 299, 399, 0), fill="navy", width=3)
    assert blank(png(empty)) and not blank(png(drawn))


def test_screenshots_of_every_section(browser, report_dir, screenshot_dirs, manifest):
    """Every section and every figure screenshots to a non-blank image."""
    # a fresh page, so that the tables are shown in their original order (not as sorted above)
    view = _open(browser, report_dir)
    page, errors = view.page, view.errors
    for folder in screenshot_dirs:
        page.screenshot(path=str(folder / "top.png"))
    targets = [f"section#{s['key']}" for s in manifest["sections"]]
    targets += [f'figure[data-figure="{f["key"]}"]' for f in manifest["figures"]]
    empty = []
    for selector in targets:
        element = page.locator(selector)
        element.scroll_into_view_if_needed()
        shot = element.screenshot()
        name = re.sub(r"[^A-Za-z0-9_]+", "-", selector).strip("-")
        for folder in screenshot_dirs:
            (folder / f"{name}.png").write_bytes(shot)
        if blank(shot):
            empty.append(selector)
    page.close()
    assert errors == [] and empty == []


def test_a_second_build_is_byte_identical(build, tmp_path):
    """Same data, same files, byte for byte: the CLI build (parallel, figure cache) against one
    built in this process, sequentially and without the cache (needs no browser)."""
    from nitrolyte.report import build_report

    again = tmp_path / "again"
    build_report(again, progress=False, cache=False, jobs=1)

    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes()
                for p in sorted(root.rglob("*")) if p.is_file()}

    first, second = files(build.out), files(again)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    assert any(name.endswith(".svg") for name in first)
    doc = json.loads(first["manifest.json"])
    assert sorted(doc["files"]) == sorted(first)


# ------------------------------------------------------------------------------ completeness

_PREFIX = re.compile(r"(Fig\.|Table|Section)\s+(.+)")
_RANGE = re.compile(r"(\d+)([A-Z])-([A-Z])")


def covered(review_ref: str) -> set[str]:
    """The review figures/tables a reference names: ``"Fig. 2A, 12B; Section 4.3"`` ->
    ``{"Fig. 2A", "Fig. 12B", "Section 4.3"}``; ``"Fig. 17C-H"`` -> Fig. 17C ... Fig. 17H."""
    out: set[str] = set()
    prefix = ""
    for part in re.split(r"[;,/]", review_ref):
        part = part.strip()
        if match := _PREFIX.fullmatch(part):
            prefix, part = match.group(1), match.group(2)
        if match := _RANGE.fullmatch(part):
            number, first, last = match.groups()
            out |= {f"{prefix} {number}{chr(c)}" for c in range(ord(first), ord(last) + 1)}
        elif prefix and part:
            out.add(f"{prefix} {part}")
    return out


def test_covered_reads_review_references():
    assert covered("Fig. 2A, 12B, 17A; Section 4.3") == {"Fig. 2A", "Fig. 12B", "Fig. 17A",
                                                         "Section 4.3"}
    assert covered("Fig. 17C-H") == {f"Fig. 17{p}" for p in "CDEFGH"}
    assert covered("Fig. 6A / Table 3") == {"Fig. 6A", "Table 3"}
    assert covered("nitrolyte data") == set()


def test_make_run_logs_plain_progress(build):
    """Not a terminal (as in CI): one line per section, no bar redraws or carriage returns."""
    lines = build.stderr.splitlines()
    n = len(manifest_sections(build.out))
    assert [re.sub(r" \(.*\)$", "", line) for line in lines] == [
        f"nitrolyte report: [{i}/{n}] {key}" for i, key in enumerate(manifest_sections(build.out),
                                                                      start=1)]
    assert "\r" not in build.stderr
    assert build.stdout.strip() == f"report written to {build.out / 'index.html'}"


def manifest_sections(out: Path) -> list[str]:
    doc = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return [s["key"] for s in doc["sections"]]


@pytest.mark.parametrize(("what", "kind", "key", "ref"), EXPECTED, ids=[e[0] for e in EXPECTED])
def test_expected_item_is_in_the_manifest(manifest, report_dir, what, kind, key, ref):
    items = {i["key"]: i for i in manifest[f"{kind}s"]}
    assert key in items, f"{what}: no {kind} {key!r} in manifest.json"
    item = items[key]
    if ref is not None:
        assert ref in covered(item["review_ref"]), (what, item["review_ref"])
    for rel in item["files"].values():
        assert (report_dir / rel).stat().st_size > 0, rel
    if kind == "figure":
        assert "csv" in item["files"] and {"png", "svg"} & set(item["files"]), key


_FIGURE_STATE = """
f => ({
  images: Array.from(f.querySelectorAll('img')).map(i => i.naturalWidth),
  plotly: Array.from(f.querySelectorAll('div.plotly-graph-div')).map(
      d => d.querySelectorAll('.main-svg').length),
  traces: f.querySelectorAll('.scatterlayer .trace, .barlayer .trace').length,
  rebuilds: (f.querySelector('.rebuilds') || {}).textContent || '',
  differences: f.querySelectorAll('.differences li').length,
})
"""
_TABLE_STATE = """
t => ({
  rows: Array.from(t.querySelectorAll('tbody tr')).filter(r => !r.classList.contains('group'))
      .filter(r => r.textContent.trim() !== '').length,
  columns: t.querySelectorAll('thead th').length,
  rebuilds: (t.querySelector('.rebuilds') || {}).textContent || '',
  differences: t.querySelectorAll('.differences li').length,
})
"""


@pytest.mark.parametrize(("what", "kind", "key", "ref"), EXPECTED, ids=[e[0] for e in EXPECTED])
def test_expected_item_is_rendered_non_empty(loaded_view, manifest, what, kind, key, ref):
    page = loaded_view.page
    item = next(i for i in manifest[f"{kind}s"] if i["key"] == key)
    if kind == "figure":
        state = page.eval_on_selector(f'figure[data-figure="{key}"]', _FIGURE_STATE)
        if not item["interactive"]:
            assert state["images"] and all(w > 100 for w in state["images"]), (what, state)
        else:
            assert state["plotly"] and all(n > 0 for n in state["plotly"]), (what, state)
            assert state["traces"] > 0, (what, state)
    else:
        state = page.eval_on_selector(f'[data-table="{key}"]', _TABLE_STATE)
        assert state["rows"] > 0 and state["columns"] > 1, (what, state)
    if ref is not None:
        assert state["rebuilds"] == f"Rebuilds: {item['review_ref']}", (what, state)
    assert state["differences"] >= 1, (what, state)


def test_fig17_has_all_six_panels_for_both_stacks(loaded_view, report_dir):
    import pandas as pd

    data = pd.read_csv(report_dir / "data" / "fig17CH.csv")
    stacks = data.groupby("panel")["catholyte"].first().to_dict()
    assert stacks == {"C": "Li3InCl6", "D": "Li3InCl6", "E": "Li3InCl6",
                      "F": "LGPS", "G": "LGPS", "H": "LGPS"}
    plot = loaded_view.page.evaluate(
        "() => { const gd = document.getElementById('fig17CH-plotly');"
        " return {axes: Array.from(new Set(gd.data.map(t => t.xaxis + t.yaxis))).length,"
        " titles: gd.layout.annotations.map(a => a.text).filter(t => /^\\([C-H]\\)/.test(t)),"
        " colours: gd.data.map(t => [t.legendgroup, t.line.color])}; }")
    assert plot["axes"] == 6
    assert [t[:3] for t in plot["titles"]] == [f"({p})" for p in "CDEFGH"]
    assert sum("Li3InCl6" in t for t in plot["titles"]) == 3
    assert sum("LGPS" in t for t in plot["titles"]) == 3
    # one colour per areal capacity in every panel
    colours: dict[str, set[str]] = {}
    for group, colour in plot["colours"]:
        colours.setdefault(group, set()).add(colour)
    assert len(colours) >= 2 and all(len(c) == 1 for c in colours.values()), colours
    assert len({next(iter(c)) for c in colours.values()}) == len(colours)


def test_every_item_names_its_source_and_differences(loaded_view, manifest):
    """Every figure and table of the manifest shows what it rebuilds and its differences."""
    from nitrolyte.report.page import NOT_IN_REVIEW, ref_label

    page = loaded_view.page
    for kind, selector, script in (("figures", "figure[data-figure", _FIGURE_STATE),
                                   ("tables", "[data-table", _TABLE_STATE)):
        for item in manifest[kind]:
            state = page.eval_on_selector(f'{selector}="{item["key"]}"]', script)
            label = ref_label(item["review_ref"])
            expected = (f"Not in the review ({label})" if label in NOT_IN_REVIEW
                        else f"Rebuilds: {label}")
            assert state["rebuilds"] == expected, item["key"]
            assert state["differences"] >= 1, item["key"]


def test_only_local_requests(loaded_view):
    assert loaded_view.errors == []
    assert loaded_view.requests, "no request recorded (the listener did not run)"
    remote = [u for u in loaded_view.requests if not u.startswith(("file://", "data:"))]
    assert remote == []


def test_element_ids_are_unique(loaded_view):
    duplicates = loaded_view.page.evaluate(
        "() => { const seen = {}; document.querySelectorAll('[id]').forEach(e => {"
        " seen[e.id] = (seen[e.id] || 0) + 1; });"
        " return Object.keys(seen).filter(k => seen[k] > 1); }")
    assert duplicates == []


def test_contents_labels(loaded_view, manifest):
    """The table of contents names every item by its reference; nitrolyte's own data as such."""
    links = loaded_view.page.eval_on_selector_all(
        "nav#toc ol ol a", "as => as.map(a => [a.getAttribute('href'), a.textContent])")
    labels = dict(links)
    assert set(labels) == {f"#{i['key']}" for i in (*manifest["tables"], *manifest["figures"])}
    assert not any(text.startswith("-") for text in labels.values())
    assert labels["#thermochemistry"].startswith("nitrolyte data ")
    assert labels["#fig3E"] == "Fig. 3E Li3N solid-state electrolytes"


@pytest.mark.parametrize("width", [1280, 800])
def test_no_page_wide_horizontal_scroll(browser, report_dir, width):
    """Wide tables scroll inside their own box; figures shrink; the page itself never scrolls
    sideways."""
    view = _open(browser, report_dir, {"width": width, "height": 900})
    overflow = view.page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    wide_tables = view.page.evaluate(
        "() => Array.from(document.querySelectorAll('.table-wrap')).filter("
        "w => w.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
        ".map(w => w.querySelector('table').id)")
    view.page.close()
    assert view.errors == []
    assert overflow <= 0 and wide_tables == []


def test_every_plotly_line_shape_is_drawn(loaded_view):
    """Target and threshold lines (Plotly shapes) have a visible stroke: the simple_white
    template's default shape is 0 px wide, which silently hides a line."""
    hidden = loaded_view.page.evaluate(
        "() => Array.from(document.querySelectorAll('div.plotly-graph-div')).flatMap(d =>"
        " Array.from(d.querySelectorAll('.shapelayer path')).filter(p => {"
        "  const cs = getComputedStyle(p);"
        "  return parseFloat(cs.strokeWidth) <= 0 || parseFloat(cs.strokeOpacity) <= 0; })"
        " .map(() => d.id))")
    assert hidden == []
