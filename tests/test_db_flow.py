"""``--db X`` reaches every read: a material that exists only in X is found by ``window``,
``air``, ``stack``, ``show`` and ``screen``, and the default database is never opened (issue 24).

The sentinel: every resolution of the *default* database's URL (``resolve_url(None)``, which
``api.database()``, ``Database()`` and the read-only fast path all go through) is recorded;
the default file must also not be created.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

NAME = "Lab nitride X9"  # only in X
LAYERS = f"Li | {NAME} | NMC811"


@pytest.fixture
def x_path(tmp_path: Path, _seeded_template: Path) -> Any:
    """A seeded database file X holding one user material, Li3N under a lab name."""
    from nitrolyte.api import clear_cache
    from nitrolyte.store import Database

    path = tmp_path / "x.sqlite"
    shutil.copyfile(_seeded_template, path)
    with Database(path) as db:
        db.add_measurement(material=NAME, formula="Li3N", family="Li3N",
                           property="ionic_conductivity", value=3e-4, unit="S/cm",
                           temperature=25, temperature_unit="C")
    yield path
    clear_cache()


@pytest.fixture
def default_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The calls that resolved the default database (empty when none did)."""
    import nitrolyte.store as store_pkg
    from nitrolyte.store import engine, location, quick

    default = tmp_path / "default" / "never.sqlite"
    monkeypatch.setenv("NITROLYTE_DATABASE_URL", f"sqlite:///{default}")
    monkeypatch.setenv("NITROLYTE_RESULT_CACHE", "off")  # compute, never replay a cached answer
    real = location.resolve_url
    calls: list[str] = []

    def sentinel(url: Any = None) -> str:
        if url in (None, ""):
            import traceback

            calls.append("".join(traceback.format_stack(limit=6)))
        return real(url)

    for module in (location, engine, quick, store_pkg):
        monkeypatch.setattr(module, "resolve_url", sentinel, raising=False)
    yield calls
    assert not default.exists(), "the default database was created"


def _run(*args: str) -> Any:
    from nitrolyte.cli import app

    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def test_window_finds_the_material_in_x(x_path: Path, default_opened: list[str]) -> None:
    doc = json.loads(_run("window", NAME, "--json", "--db", str(x_path)).stdout)
    # Fig. 2A: Li3N is stable against Li metal and oxidised at about 0.44 V
    assert doc["formula"] == "Li3N" and doc["reduction_V"] == 0.0
    assert 0.40 < doc["oxidation_V"] < 0.50
    assert default_opened == []


def test_air_takes_db_and_finds_the_material_in_x(x_path: Path, default_opened: list[str]) -> None:
    mine = json.loads(_run("air", NAME, "--json", "--source", "embedded",
                           "--db", str(x_path)).stdout)
    li3n = json.loads(_run("air", "Li3N", "--json", "--source", "embedded",
                           "--db", str(x_path)).stdout)
    assert [(r["gas"], r["energy_meV_atom"]) for r in mine] == \
        [(r["gas"], r["energy_meV_atom"]) for r in li3n]
    assert default_opened == []


def test_stack_finds_the_material_in_x(x_path: Path, default_opened: list[str]) -> None:
    doc = json.loads(_run("stack", LAYERS, "--json", "--db", str(x_path)).stdout)
    assert [i["left"] for i in doc["interfaces"]] == ["Li", NAME]
    assert doc["interfaces"][0]["status"] == "stable"  # Li3N is stable against Li
    assert default_opened == []


def test_show_finds_the_material_in_x(x_path: Path, default_opened: list[str]) -> None:
    doc = json.loads(_run("show", NAME, "--json", "--db", str(x_path)).stdout)
    material = doc["material"]
    assert material["name"] == NAME and material["formula"] == "Li3N"
    assert [m["value"] for m in material["measurements"]] == [3e-4]
    assert default_opened == []


def test_screen_finds_the_material_in_x(x_path: Path, default_opened: list[str]) -> None:
    doc = json.loads(_run("screen", "--material", NAME, "--json", "--db", str(x_path)).stdout)
    rows = doc["rows"]
    assert [r["name"] for r in rows] == [NAME]
    evidence = rows[0]["evidence"]
    assert (evidence["formula"], evidence["sigma_S_cm"]) == ("Li3N", 3e-4)
    assert evidence["reduction_V"] == 0.0 and 0.40 < evidence["oxidation_V"] < 0.50
    assert default_opened == []


def test_a_user_structure_in_x_is_found_only_there(x_path: Path, _seeded_template: Path,
                                                   default_opened: list[str]) -> None:
    """The structure library's lookup takes the database too (it read the default before)."""
    from nitrolyte.errors import UnknownMaterialError
    from nitrolyte.structures.library import (
        add_user_structure,
        library_entry,
        library_structure,
    )

    cif = x_path.parent / "lab.cif"
    library_structure("LiCl").to(filename=str(cif))
    add_user_structure("Lab chloride X9", cif, db=str(x_path))
    assert library_entry("Lab chloride X9", db=str(x_path)).kind == "user"
    assert library_structure("Lab chloride X9", db=str(x_path)).composition.reduced_formula \
        == "LiCl"
    assert default_opened == []
    other = x_path.parent / "y.sqlite"  # another database does not hold it
    shutil.copyfile(_seeded_template, other)
    with pytest.raises(UnknownMaterialError):
        library_entry("Lab chloride X9", db=str(other))


def test_structure_command_shows_a_user_structure_of_x(x_path: Path, default_opened: list[str]
                                                       ) -> None:
    from nitrolyte.structures.library import library_structure

    cif = x_path.parent / "lab.cif"
    library_structure("LiCl").to(filename=str(cif))
    _run("structure", "Lab chloride X8", "--cif", str(cif), "--db", str(x_path))
    doc = json.loads(_run("structure", "Lab chloride X8", "--json", "--db", str(x_path)).stdout)
    assert (doc["name"], doc["formula"], doc["kind"]) == ("Lab chloride X8", "LiCl", "user")
    assert doc["validation"]["ok"] is True
    assert default_opened == []
