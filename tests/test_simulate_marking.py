"""MD results beside experiments, marked as simulation: Arrhenius family figures (matplotlib,
plotly, report caption), ``nitrolyte show`` and the report's user-data table."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from nitrolyte.cli import app

runner = CliRunner()
MD_NAME = "β-Li3N (MD)"
VERSION = "chgnet-0.4.2/model-0.3.0"
MD_LABEL = f"MD (simulation, {VERSION})"


def test_method_label() -> None:
    from nitrolyte.provenance import is_simulation, method_label

    assert [method_label(m) for m in ("MD", " MD ", "EIS", "", None)] == [
        "MD (simulation)", "MD (simulation)", "EIS", "", ""]
    assert is_simulation("MD") and not is_simulation("EIS") and not is_simulation(float("nan"))
    assert method_label("MD", MD_LABEL) == MD_LABEL and method_label("EIS", MD_LABEL) == "EIS"


def test_simulation_label_names_model_and_version() -> None:
    from nitrolyte.provenance import simulation_label

    assert simulation_label({"model": "chgnet", "version": VERSION}) == MD_LABEL
    assert simulation_label({"model": "lj-toy", "version": "1"}) == "MD (simulation, lj-toy 1)"
    assert simulation_label({"simulation": True}) == simulation_label(None) == "MD (simulation)"


@pytest.fixture
def md_db(db: object) -> object:
    """An MD set (two points in Fig. 3E's 250-500 K range) and an EIS set, both family Li3N."""
    db.add_measurement_set(MD_NAME, formula="Li3N", family="Li3N", method="MD",  # type: ignore[attr-defined]
                           method_details={"model": "chgnet", "version": VERSION,
                                           "simulation": True},
                           points=[{"T_K": 450.0, "sigma_S_cm": 2e-3, "kind": "bulk"},
                                   {"T_K": 500.0, "sigma_S_cm": 5e-3, "kind": "bulk"}])
    db.add_measurement_set("Pellet B", formula="Li3N", family="Li3N", method="EIS",  # type: ignore[attr-defined]
                           points=[{"T_K": 313.15, "sigma_S_cm": 3e-5}])
    return db


def test_md_points_are_stars_marked_simulation_in_fig_3e(md_db: object, tmp_path: Path) -> None:
    from nitrolyte.plotting.arrhenius import (
        plot_arrhenius_family,
        plotly_arrhenius_family,
        point_groups,
    )
    from nitrolyte.report.sec_transport import FIGURES, curves_frame
    from nitrolyte.transport.measured import user_points

    pts = user_points(("Li3N",), md_db, 250, 500)
    groups = {label: (len(g), sim) for label, g, sim in point_groups(pts)}
    assert groups == {f"{MD_NAME}: {MD_LABEL}": (2, True),
                      "Pellet B (measured, user data)": (1, False)}
    frame = curves_frame(FIGURES[0], md_db)
    fig = plot_arrhenius_family(frame, "Fig. 3E", points=pts)
    line = next(ln for ln in fig.axes[0].lines if ln.get_label().endswith(MD_LABEL))
    assert line.get_marker() == "*" and list(line.get_xdata()) == pytest.approx([1000 / 450,
                                                                                  2.0])
    fig.savefig(tmp_path / "f.svg")
    assert MD_LABEL in (tmp_path / "f.svg").read_text()
    traces = {t.name: t for t in plotly_arrhenius_family(frame, "Fig. 3E", points=pts).data}
    assert traces[f"{MD_NAME}: {MD_LABEL}"].marker.symbol == "star"
    assert traces["Pellet B (measured, user data)"].marker.symbol == "x"


def test_report_caption_and_user_table_say_simulation(md_db: object, tmp_path: Path) -> None:
    import csv

    from nitrolyte.report.build import build_report

    out = tmp_path / "report"
    build_report(out, db=md_db, progress=False, sections=["transport", "tables"])
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "simulated points (ML-potential MD) as red stars marked MD (simulation)" in page
    with open(out / "data" / "user_data.csv", encoding="utf-8") as fh:
        rows = {r["name"]: r for r in csv.DictReader(fh)}
    assert rows[MD_NAME]["note"].startswith(MD_LABEL) and rows[MD_NAME]["method"] == MD_LABEL
    assert rows["Pellet B"]["note"].startswith("EIS") and rows["Pellet B"]["method"] == ""
    assert f'<span class="badge">{MD_LABEL}</span>' in page


def test_show_has_a_method_column_saying_md(md_db: object) -> None:
    res = runner.invoke(app, ["show", MD_NAME, "--db", str(md_db.path)])  # type: ignore[attr-defined]
    assert res.exit_code == 0, res.output
    assert "method" in res.output and res.output.count("MD (simulation,") == 2
    assert res.output.count("model-0.3.0") == 2


def test_screening_marks_md_rows_as_simulation_not_user_data(md_db: object) -> None:
    from nitrolyte.screening import screen

    details = {"model": "chgnet", "version": VERSION}
    md_db.add_measurement_set("Li3N film (MD)", formula="Li3N", family="Li3N", method="MD",  # type: ignore[attr-defined]
                              method_details=details, points=[{"T_K": 298.15, "sigma_S_cm": 2e-3}])
    md_db.add_measurement_set("Li3N film", formula="Li3N", family="Li3N", method="EIS",  # type: ignore[attr-defined]
                              points=[{"T_K": 298.15, "sigma_S_cm": 1e-3}])
    long = screen(family="Li3N", db=md_db).to_long_frame()
    source = long[long["criterion"] == "sigma"].set_index("label")["source"]
    assert source["Li3N film (MD)"] == MD_LABEL
    assert source["Li3N film"] == "user data"
