"""Every page of ``nitrolyte serve`` in a real browser (Debian chromium through playwright).

A uvicorn server on 127.0.0.1 (a free port) serves a fresh seeded database. Each test drives a
page as a person would - filter the browser, open a material, overlay two materials, move a
cell-designer slider, upload a CSV with a token and find the new row - and checks that the
page logged no console error and requested nothing but this server.

Screenshots go to a temporary folder and, when ``NITROLYTE_WEB_SCREENSHOTS`` names a folder
(docs/img for the README), there too. Skipped cleanly without chromium or playwright.
"""

from __future__ import annotations

import math
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]
pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 30_000
K_B_EV = 8.617333262e-5


@dataclass
class Server:
    """A running server: its base URL, database and a write token."""

    url: str
    db: Any
    token: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, _seeded_template: Path) -> Iterator[Server]:
    import uvicorn

    from nitrolyte.store import Database
    from nitrolyte.web import create_app

    path = tmp_path_factory.mktemp("web") / "lab.sqlite"
    shutil.copyfile(_seeded_template, path)
    db = Database(path)
    token = db.create_token("bench-pc")
    port = _free_port()
    config = uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield Server(f"http://127.0.0.1:{port}", db, token)
    srv.should_exit = True
    thread.join(10)
    db.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("Debian chromium is not installed (run `make browser`)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@dataclass
class View:
    """A page with what it logged and requested."""

    page: Any
    base: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def check_clean(self) -> None:
        assert self.errors == []
        outside = [u for u in self.requests if not u.startswith((self.base, "data:"))]
        assert outside == [], "requests left the app"


@pytest.fixture
def view(browser: Any, server: Server) -> Iterator[View]:
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    v = View(page, server.url)
    page.on("console", lambda m: v.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: v.errors.append(str(e)))
    page.on("request", lambda r: v.requests.append(r.url))
    yield v
    page.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folders = [tmp_path_factory.mktemp("web-shots")]
    if extra := os.environ.get("NITROLYTE_WEB_SCREENSHOTS"):
        folders.append(Path(extra))
        folders[-1].mkdir(parents=True, exist_ok=True)
    return folders


def screenshot(view: View, shots: list[Path], name: str, full_page: bool = False) -> None:
    for folder in shots:
        view.page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)
        assert (folder / f"{name}.png").stat().st_size > 5000


def rendered_traces(page: Any, selector: str) -> int:
    page.wait_for_selector(f"{selector} .main-svg")
    return int(page.eval_on_selector(selector, "d => d.data ? d.data.length : 0"))


# ------------------------------------------------------------------------------------ tests

def test_browser_filters_and_sorts(view, server, shots):
    page = view.page
    page.goto(server.url + "/")
    total = int(page.inner_text("#row-count"))
    assert total == len(server.db.materials_frame())
    page.fill("#q", "Li3N")
    page.click("#apply")
    page.wait_for_url("**/?q=Li3N*")
    names = page.eval_on_selector_all("#materials tbody tr", "rs => rs.map(r => r.dataset.name)")
    assert 0 < len(names) < total and all("Li3N" in n for n in names)
    page.select_option("#family", "nitride halide")
    page.fill("#q", "")
    page.click("#apply")
    page.wait_for_url("**family=nitride+halide*")
    families = page.eval_on_selector_all("#materials tbody td:nth-child(3)",
                                         "cs => cs.map(c => c.textContent.trim())")
    assert families and set(families) == {"nitride halide"}
    sigma_header = page.locator("#materials thead th").nth(3)
    sigma_header.click()
    assert sigma_header.get_attribute("aria-sort") == "ascending"
    keys = page.eval_on_selector_all("#materials tbody td:nth-child(4)",
                                     "cs => cs.map(c => c.dataset.sort)")
    numbers = [float(k) for k in keys if k]
    assert numbers == sorted(numbers)
    page.goto(server.url + "/")
    screenshot(view, shots, "web-browser")
    view.check_clean()


def test_material_page_shows_records_errata_and_plot(view, server):
    page = view.page
    page.goto(server.url + "/")
    page.click("text=α-Li3N single crystal")
    page.wait_for_selector("#material-name")
    assert page.inner_text("#material-name") == "α-Li3N single crystal"
    assert page.locator("#records tbody tr").count() >= 4
    assert "P6_3/mmm" in page.inner_text("#errata")
    assert rendered_traces(page, "#arrhenius") >= 4  # the Li3N family: several curves
    view.check_clean()


def test_overlay_two_materials(view, server):
    page = view.page
    page.goto(server.url + "/")
    page.check('input[value="β-Li3N"]')
    page.check('input[value="Li9N2Cl3"]')
    page.click("#overlay")
    assert rendered_traces(page, "#overlay-plot") >= 2
    names = page.evaluate("() => document.getElementById('overlay-plot').data"
                          ".filter(t => t.mode === 'lines').map(t => t.name)")
    assert len(names) == 2
    assert any("β-Li3N" in n for n in names) and any("Li9N2Cl3" in n for n in names)
    view.check_clean()


def _number(page: Any, selector: str) -> float:
    page.wait_for_function(f"() => !isNaN(parseFloat(document.querySelector('{selector}')"
                           ".textContent))")
    return float(page.inner_text(selector))


def _mark(page: Any) -> tuple[float, float]:
    """(x, y) of the current design on the cell designer's Fig. 17 plot."""
    return tuple(page.evaluate(
        "() => { const t = document.getElementById('fig17').data.find("
        "d => d.name === 'current design'); return [t.x[0], t.y[0]]; }"))


def _wait_mark(page: Any, x: float, wh_kg: float) -> None:
    page.wait_for_function(
        "([x, y]) => { const p = document.getElementById('fig17'); if (!p || !p.data) return false;"
        " const t = p.data.find(d => d.name === 'current design');"
        " return t && Math.abs(t.x[0] - x) < 1e-9 && Math.abs(t.y[0] / y - 1) < 1e-9; }",
        arg=[x, wh_kg])


def test_cell_designer_slider_moves_the_energy_density(view, server, shots):
    import numpy as np

    import nitrolyte
    from nitrolyte.cell.sweep import FIG17_AREAL_CAPACITIES, review_figure17_data

    page = view.page
    page.goto(server.url + "/cell")
    before = _number(page, "#wh-kg")
    assert before == pytest.approx(nitrolyte.pouch_cell().gravimetric_Wh_kg, rel=1e-3)
    crit = _number(page, "#crit-nitride-350")
    assert crit == pytest.approx(
        nitrolyte.critical_value(350, "nitride_um").value, rel=5e-3)  # shown to 3 figures
    # the family of Fig. 17C, as the report draws it: one curve per areal capacity
    default = nitrolyte.pouch_cell().gravimetric_Wh_kg
    _wait_mark(page, 20.0, default)
    traces = page.evaluate("() => document.getElementById('fig17').data.map("
                           "d => [d.name, d.x, d.y])")
    assert [t[0] for t in traces] == [f"{q:g} mAh/cm²" for q in FIG17_AREAL_CAPACITIES] + [
        "current design"]
    ref = review_figure17_data("Li3InCl6", points=101)
    for q, (_name, x, y) in zip(FIG17_AREAL_CAPACITIES, traces, strict=False):
        curve = ref[(ref["panel"] == "C") & (ref["areal_capacity_mAh_cm2"] == q)]
        assert x == pytest.approx(list(curve["x"])) and y == pytest.approx(
            list(curve["gravimetric_Wh_kg"]), rel=1e-9)
    # the default design (4 mAh/cm2, 20 um layers, N/P 1, 10 um foils) lies on the 4 mAh/cm2 curve
    four = traces[FIG17_AREAL_CAPACITIES.index(4.0)]
    assert float(np.interp(20.0, four[1], four[2])) == pytest.approx(_mark(page)[1], rel=1e-9)
    page.fill("#nitride_um", "60")  # a range input: fill sets the value and fires input
    after = nitrolyte.pouch_cell(nitride_um=60).gravimetric_Wh_kg
    _wait_mark(page, 40.0, after)  # mean of the 20 um catholyte and 60 um nitride layers
    assert _number(page, "#wh-kg") == pytest.approx(after, rel=1e-3) and after < before
    # the N/P panel (Fig. 17D): the mark sits at the design's N/P and moves with its slider
    page.select_option("#fig17-panel", "1")
    _wait_mark(page, 1.0, after)
    page.fill("#n_p", "2")
    np2 = nitrolyte.pouch_cell(nitride_um=60, n_p=2).gravimetric_Wh_kg
    _wait_mark(page, 2.0, np2)
    assert _number(page, "#wh-kg") == pytest.approx(np2, rel=1e-3)
    # LGPS as catholyte: its own family (Fig. 17G) and energy density
    page.select_option("#catholyte", "LGPS")
    lgps = nitrolyte.pouch_cell(nitride_um=60, n_p=2, catholyte="LGPS").gravimetric_Wh_kg
    _wait_mark(page, 2.0, lgps)
    assert "(G) LGPS" in page.evaluate("() => document.getElementById('fig17').layout.title.text")
    screenshot(view, shots, "web-cell-designer", full_page=True)
    view.check_clean()


def test_upload_csv_with_token_then_find_the_row(view, server, tmp_path, shots):
    page = view.page
    Ea, s0 = 0.40, 3e-4
    rows = ["T_C,sigma_S_cm"] + [
        f"{c},{s0 * 298.15 / (c + 273.15) * math.exp(-Ea / K_B_EV * (1 / (c + 273.15) - 1 / 298.15))!r}"
        for c in (0, 25, 50, 75, 100)]
    csv = tmp_path / "pellet_series.csv"
    csv.write_text("\n".join(rows) + "\n")
    page.goto(server.url + "/upload")
    page.set_input_files("#files", str(csv))
    page.fill("#mat-name", "Bench nitride 7")
    page.fill("#mat-formula", "Li3N")
    page.click("#preview")
    page.wait_for_selector("#preview-table tr")
    assert "Preview only" in page.inner_text("#upload-status")
    assert "0.4000" in page.inner_text("#preview-table")
    assert server.db.table("measurements", "user").empty
    page.click("#store")  # without a token: refused, nothing stored
    page.wait_for_selector("#upload-error:not([hidden])")
    assert "token" in page.inner_text("#upload-error")
    page.fill("#token", server.token)
    page.click("#store")
    page.wait_for_function("() => document.querySelector('#upload-status').textContent"
                           ".startsWith('Stored')")
    page.goto(server.url + "/?q=Bench")
    names = page.eval_on_selector_all("#materials tbody tr", "rs => rs.map(r => r.dataset.name)")
    assert names == ["Bench nitride 7"]
    assert page.inner_text("#materials tbody td:nth-child(9)") == "user"
    view.check_clean()


def test_stack_and_screening_pages(view, server):
    page = view.page
    page.goto(server.url + "/stack")
    page.fill("#layers", "Li | β-Li3N | Li3InCl6 | NMC811")
    page.click("#check")
    page.wait_for_selector("#interfaces")
    first = page.inner_text("#interfaces tbody tr:first-child")
    assert "Li | β-Li3N" in first and "stable" in first
    page.goto(server.url + "/screening")
    assert page.locator("#screening tbody tr").count() == len(server.db.materials_frame())
    view.check_clean()


def test_upload_impedance_preview_shows_fit_and_nyquist(view, server, shots):
    page = view.page
    files = sorted((Path(__file__).parents[1] / "data" / "eis").glob("*.csv"))
    stored_before = len(server.db.table("measurements", "user"))
    page.goto(server.url + "/upload")
    page.select_option("#kind", "eis")
    page.set_input_files("#files", [str(p) for p in files])
    page.fill("#thickness", "1mm")
    page.fill("#area", "0.785cm2")  # geometry has no default (issue 21)
    page.click("#preview")
    page.wait_for_selector("#preview-table tr", timeout=60_000)
    ea_row = page.inner_text("#preview-table tr:first-child")
    assert ea_row.startswith("Ea (eV, σT Arrhenius")
    assert float(ea_row.split("\t")[1].split("±")[0]) == pytest.approx(0.52, rel=0.02)
    assert rendered_traces(page, "#preview-plot") == 2 * len(files)  # data + fit per file
    assert len(server.db.table("measurements", "user")) == stored_before  # a preview stores nothing
    screenshot(view, shots, "web-upload-eis", full_page=True)
    view.check_clean()
