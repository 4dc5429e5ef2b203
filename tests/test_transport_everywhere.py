"""Transport from a structure shown everywhere: screening folds a stored simulation into the
material's own row (one material, one row; a measurement always wins), the web material page and
the report list every stored simulation set with its method, quantity, Ea and dimensionality."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from nitrolyte.cli import app

BVSE_DETAILS = {"model": "bvlain", "version": "bvlain-0.25.1", "dimensionality": 3,
                "quantity": "BVSE percolation barrier of Li migration — not a measured Ea"}


def _bvse_set(db: object, name: str, formula: str, Ea: float) -> int:
    res = db.add_measurement_set(name, formula=formula, points=[],  # type: ignore[attr-defined]
                                 fit={"Ea_eV": Ea, "law": "BVSE"}, method="BVSE",
                                 method_details=BVSE_DETAILS, note="simulation: BVSE")
    return int(res.set_id)


def _screen(db: object, name: str) -> list[dict]:
    res = CliRunner().invoke(app, ["screen", "--material", name, "--db", str(db.url), "--json"])  # type: ignore[attr-defined]
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)["rows"]


def _crit(row: dict, name: str) -> dict:
    return next(c for c in row["criteria"] if c["criterion"] == name)


def test_screen_one_row_with_the_simulated_ea_where_none_is_measured(db: object) -> None:
    """The bug of issue 23: after ``transport Li3GaN2 --store`` the screening showed two rows."""
    _bvse_set(db, "Li3GaN2", "Li3GaN2", 0.63)
    rows = _screen(db, "Li3GaN2")
    assert len(rows) == 1
    ea = _crit(rows[0], "Ea")
    assert ea["value"] == pytest.approx(0.63) and ea["source"] == "BVSE (simulation, bvlain-0.25.1)"
    text = CliRunner().invoke(app, ["screen", "--material", "Li3GaN2", "--db", str(db.url)]).stdout  # type: ignore[attr-defined]
    assert "0.63 sim." in text


def test_screen_keeps_the_measured_ea_over_a_simulation(db: object) -> None:
    _bvse_set(db, "β-Li3N", "Li3N", 0.44)
    rows = _screen(db, "β-Li3N")
    assert len(rows) == 1
    ea = _crit(rows[0], "Ea")
    assert ea["value"] == pytest.approx(0.448) and "simulation" not in ea["source"]  # Table 1


def test_lab_data_still_gets_its_own_row(db: object) -> None:
    """A lab's own measurement of a review material sits beside the review's row (unchanged)."""
    db.add_measurement_set("Li3GaN2", formula="Li3GaN2", method="EIS",  # type: ignore[attr-defined]
                           points=[{"T_K": 298.15, "sigma_S_cm": 1e-6}])
    assert len(_screen(db, "Li3GaN2")) == 2


def test_validation_table_has_ten_review_materials_and_reads_stored_neb_md(db: object) -> None:
    """Issue 23 item 6: >= 10 review materials with a structure and a measured Ea; NEB and MD
    columns come from stored sets (blank without), with their own summary and anisotropy."""
    from nitrolyte.transport import bvse_validation as v

    rows = v.validation_rows(db=db)
    assert len({r["material"] for r in rows}) >= 9  # 9 shipped; Li9N2Cl3 (h8) makes 10
    assert {r["material"] for r in rows} >= {"Li2CN2 (thermal-treated)", "α-Li3N sinter"}
    li2cn2 = next(r for r in rows if r["structure"] == "Li2CN2")
    assert li2cn2["measured_Ea_eV"] == 0.601 and li2cn2["source"] == "ref 96, Table 4"
    assert all(r["neb_eV"] is None and r["md_eV"] is None for r in rows)
    assert v.summary(rows, "neb") is None and v.anisotropy(rows)["bvse"] is True
    # a stored NEB set per direction (what `transport alpha-Li3N --method neb --store` keeps)
    for Ea in (0.05, 0.40, 0.60, 0.70):  # the newest counts
        db.add_measurement_set("α-Li3N", formula="Li3N", points=[], fit={"Ea_eV": Ea},  # type: ignore[attr-defined]
                               method="NEB", method_details={
                                   "model": "chgnet", "version": "x", "quantity": "NEB",
                                   "axis_barriers_eV": {"perp_c": 0.04, "par_c": Ea}})
    _bvse = db.add_measurement_set  # type: ignore[attr-defined]
    _bvse("β-Li3N", formula="Li3N", points=[], fit={"Ea_eV": 0.45}, method="NEB",
          method_details={"model": "chgnet", "version": "x"})
    rows = v.validation_rows(db=db)
    by = {(r["material"], r["direction"]): r for r in rows}
    assert by[("α-Li3N single crystal", "perp_c")]["neb_eV"] == 0.04
    assert by[("α-Li3N single crystal", "par_c")]["neb_eV"] == 0.70
    assert by[("α-Li3N sinter", "")]["neb_eV"] == 0.70
    assert by[("β-Li3N", "")]["delta_neb_eV"] == pytest.approx(0.45 - 0.448)
    s = v.summary(rows, "neb")
    assert s is not None and s["n"] == 4 and s["max_abs_delta_eV"] == pytest.approx(0.41)
    assert v.anisotropy(rows)["neb"] is True
    text = v.markdown(rows)
    assert "| α-Li3N single crystal | α-Li3N | perp_c | 0.29 | ref 26, Table 1 | 0.18 | 2D | 0.04 |" in text
    assert "NEB: n = 4" in text and "NEB yes" in text


def test_web_material_page_shows_transport_from_structure(db: object) -> None:
    from fastapi.testclient import TestClient

    from nitrolyte.web.app import create_app

    _bvse_set(db, "Li3GaN2", "Li3GaN2", 0.63)
    with TestClient(create_app(db), base_url="http://localhost") as c:
        page = c.get("/materials/Li3GaN2")
        assert page.status_code == 200
        html = page.text
        block = html[html.index('id="transport-from-structure"'):]
        block = block[:block.index("</table>")]
        assert "BVSE (simulation, bvlain-0.25.1)" in block and "0.630" in block
        assert "BVSE percolation barrier of Li migration" in block and "3D" in block
        assert "Transport from structure" in html
        other = c.get("/materials/Li3AlN2").text  # nothing stored: no block
        assert 'id="transport-from-structure"' not in other


def test_report_transport_section_has_structure_tables(db: object, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from nitrolyte.report.framework import ReportContext
    from nitrolyte.report.structure_tables import estimates_table, validation_table

    ctx = ReportContext(out_dir=tmp_path, db=db)
    assert estimates_table(ctx) is None  # nothing stored: no table
    _bvse_set(db, "Li3GaN2", "Li3GaN2", 0.63)
    est = estimates_table(ctx)
    assert est is not None and "BVSE (simulation, bvlain-0.25.1)" in est.html and "0.63" in est.html
    val = validation_table(ctx)
    assert "Li2CN2 (thermal-treated)" in val.html and "0.601" in val.html
    assert "BVSE: n = 17" in val.caption and "BVSE yes" in val.caption
