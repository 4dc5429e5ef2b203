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
