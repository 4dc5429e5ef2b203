"""The material page names a predicted structure as such (issue 22: predicted label everywhere)."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("fastapi")


def test_material_page_shows_predicted_structure(sqlite_db: Any) -> None:
    from fastapi.testclient import TestClient

    from nitrolyte.structures.library import add_predicted_structure
    from nitrolyte.web.app import create_app

    label = {"method": "type antifluorite", "model": "test-model", "trials": 7, "date": "2026-12-08"}
    add_predicted_structure("Li9N2Cl3 (predicted)", _li9n2cl3(), label, db=sqlite_db)  # only the label is checked
    with TestClient(create_app(sqlite_db), base_url="http://localhost") as client:
        page = client.get("/materials/Li9N2Cl3")
        assert page.status_code == 200
        assert "Li9N2Cl3 (predicted): predicted (type antifluorite, test-model, 7 trials, 2026-12-08)" in page.text
        assert "a prediction, not a measured structure" in page.text
        li3n = client.get("/materials/β-Li3N").text
        assert "β-Li3N: cif:" in li3n and "a prediction" not in li3n


def _li9n2cl3() -> Any:
    from pymatgen.core import Lattice, Structure

    species = ["Li"] * 9 + ["N"] * 2 + ["Cl"] * 3
    coords = [[i / 14, (3 * i % 14) / 14, (5 * i % 14) / 14] for i in range(14)]
    return Structure(Lattice.cubic(7.5), species, coords)
