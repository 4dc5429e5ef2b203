"""``nitrolyte serve --db X``: every route reads X, never the default database (issue 24).

A material that exists only in X (a user name with a formula) must be answered by the window,
stack (design) and page routes exactly as the Python API answers it with ``db=X``; on the
default database the same name is unknown.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

NAME = "Lab nitride X9"  # only in X
LAYERS = f"Li | {NAME} | NMC811"


@pytest.fixture
def only_in_x(sqlite_db: Any) -> Any:
    sqlite_db.add_measurement(material=NAME, formula="Li3N", family="Li3N",
                              property="ionic_conductivity", value=3e-4, unit="S/cm",
                              temperature=25, temperature_unit="C")
    yield sqlite_db
    from nitrolyte.api import clear_cache

    clear_cache()


@pytest.fixture
def client(only_in_x: Any) -> Any:
    from fastapi.testclient import TestClient

    from nitrolyte.web import create_app

    with TestClient(create_app(only_in_x), base_url="http://localhost") as c:
        yield c


def test_the_material_is_unknown_to_the_default_database(only_in_x: Any) -> None:
    from nitrolyte import api
    from nitrolyte.errors import UnknownMaterialError

    assert api.get(NAME, db=only_in_x).formula == "Li3N"
    with pytest.raises(UnknownMaterialError):
        api.get(NAME)


def test_window_route_reads_the_served_database(client: Any, only_in_x: Any) -> None:
    from nitrolyte.stability import electrochemical_window

    r = client.get(f"/api/v1/windows/{NAME}")
    assert r.status_code == 200, r.text
    doc = r.json()
    want = electrochemical_window(NAME, "auto", db=only_in_x)
    assert (doc["material"], doc["formula"]) == (NAME, "Li3N")
    # Fig. 2A: Li3N is stable against Li and oxidised at about 0.44 V
    assert doc["reduction_V"] == want.reduction_V == 0.0
    assert 0.40 < doc["oxidation_V"] == want.oxidation_V < 0.50
    assert doc["reported"] == [r.to_dict() for r in _reported(only_in_x)]


def _reported(db: Any) -> list[Any]:
    from nitrolyte.stability.reported import reported_window

    return [r for k in ("intrinsic", "extended", "experimental")
            if (r := reported_window(NAME, k, db=db)) is not None]  # type: ignore[arg-type]


def test_stack_route_and_page_read_the_served_database(client: Any, only_in_x: Any) -> None:
    from nitrolyte.stability import check_stack

    r = client.post("/api/v1/stacks", json={"layers": LAYERS})
    assert r.status_code == 200, r.text
    doc = r.json()
    want = check_stack(LAYERS, "auto", db=only_in_x).to_dict()
    assert doc["interfaces"] == want["interfaces"]
    assert [i["left"] for i in doc["interfaces"]] == ["Li", NAME]
    assert doc["interfaces"][0]["status"] == "stable"  # Li3N is stable against Li
    page = client.get("/stack", params={"layers": LAYERS})
    assert page.status_code == 200, page.text
    assert NAME in page.text and "unknown material" not in page.text.lower()


def test_material_page_reads_the_served_database(client: Any) -> None:
    page = client.get(f"/materials/{NAME}")
    assert page.status_code == 200, page.text
    assert NAME in page.text and "Li3N" in page.text


def test_reported_window_and_air_take_the_database(only_in_x: Any) -> None:
    """The functions under the routes: a user name resolves in the database they are given."""
    from nitrolyte.errors import UnknownMaterialError
    from nitrolyte.stability.air import air_reactions
    from nitrolyte.stability.reported import reported_window

    with pytest.raises(UnknownMaterialError):
        reported_window(NAME)
    assert reported_window(NAME, db=only_in_x) == reported_window("Li3N")
    mine = air_reactions(NAME, "embedded", db=only_in_x)
    li3n = air_reactions("Li3N", "embedded")
    assert [(r.gas, r.energy_meV_atom) for r in mine] == [(r.gas, r.energy_meV_atom) for r in li3n]
