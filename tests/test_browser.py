"""Load the built report in a real browser (Debian chromium through playwright) and check it.

Checks: no console or page errors; every figure and table listed in ``manifest.json`` is on the
page; every ``<img>`` loaded; every Plotly div rendered; every sortable table sorts on a header
click. Screenshots of every section go to a temporary folder and, when the environment variable
``NITROLYTE_SCREENSHOTS`` names a folder, there too, so that a person can look at them.

Skipped cleanly when chromium or playwright is missing (``make browser`` installs chromium).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 1000}
RENDER_TIMEOUT_MS = 60_000


# ------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("Debian chromium is not installed (run `make browser`)")
    return path


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full report, built once for this module into a temporary folder."""
    from nitrolyte.report import build_report

    out = tmp_path_factory.mktemp("report")
    index = build_report(out, progress=False)
    assert index == out / "index.html"
    return out


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


def _open(browser: Any, report_dir: Path) -> tuple[Any, list[str]]:
    """A new page with the report fully rendered, and the errors collected while loading."""
    page = browser.new_page(viewport=VIEWPORT)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error"
            else None)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("requestfailed", lambda req: errors.append(f"requestfailed: {req.url}"))
    page.goto((report_dir / "index.html").as_uri(), wait_until="load")
    # the page lazy-loads images: load them all now, then wait for them and for Plotly
    page.evaluate("document.querySelectorAll('img').forEach(i => { i.loading = 'eager'; })")
    page.wait_for_function("Array.from(document.images).every(i => i.complete)",
                           timeout=RENDER_TIMEOUT_MS)
    page.wait_for_function(
        "Array.from(document.querySelectorAll('div.plotly-graph-div'))"
        ".every(d => d.querySelector('.main-svg'))", timeout=RENDER_TIMEOUT_MS)
    return page, errors


@pytest.fixture(scope="module")
def loaded(browser: Any, report_dir: Path) -> Iterator[tuple[Any, list[str]]]:
    """The report page, fully rendered, with the console/page errors collected while loading."""
    page, errors = _open(browser, report_dir)
    yield page, errors
    page.close()


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
        if "png" in fig["files"]:
            width = page.eval_on_selector(f'figure[data-figure="{fig["key"]}"] img',
                                          "i => i.naturalWidth")
            assert width > 100, fig["key"]


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


def test_screenshots_of_every_section(browser, report_dir, screenshot_dirs, manifest):
    # a fresh page, so that the tables are shown in their original order (not as sorted above)
    page, errors = _open(browser, report_dir)
    for folder in screenshot_dirs:
        page.screenshot(path=str(folder / "top.png"))
    for key in [s["key"] for s in manifest["sections"]]:
        section = page.locator(f"section#{key}")
        section.scroll_into_view_if_needed()
        for folder in screenshot_dirs:
            path = folder / f"section-{key}.png"
            section.screenshot(path=str(path))
            assert path.stat().st_size > 1000
    page.close()
    assert errors == []
