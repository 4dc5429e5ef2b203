"""BVSE pathway screen: percolation on closed-form grids, known structures, the CLI's errors and store."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nitrolyte.cli import app
from nitrolyte.transport.percolation import percolation

# --------------------------------------------------------------- percolation on closed-form grids
N = 8


def _grid(high: float = 3.0) -> np.ndarray:
    return np.full((N, N, N), high)


def test_channel_along_c_is_1d() -> None:
    e = _grid()
    e[2, 3, :] = 0.4  # a straight channel along c at 0.4 eV, nothing else below 3 eV
    e[2, 3, 0] = 0.0
    p = percolation(e, encut=5.0, tol=0.001)
    assert p.barriers_eV["1D"] == pytest.approx(0.4, abs=0.002)
    assert p.barriers_eV["2D"] == pytest.approx(3.0, abs=0.002)  # everything open at 3 eV
    assert p.dimensionality == 1
    assert p.periods["1D"] == [[0, 0, 1]] or p.periods["1D"] == [[0, 0, -1]]
    assert p.axis_barriers_eV["par_c"] == pytest.approx(0.4, abs=0.002)
    assert p.axis_barriers_eV["perp_c"] == pytest.approx(3.0, abs=0.002)


def test_diagonal_channel_wraps_through_the_corner() -> None:
    e = _grid()
    for i in range(N):
        e[i, i, 5] = 0.3  # along [1 1 0]: every step crosses a 26-neighbour diagonal
    e[0, 4, 1] = 0.0  # an isolated lowest site sets the zero
    p = percolation(e, encut=2.0, tol=0.001)
    assert p.barriers_eV["1D"] == pytest.approx(0.3, abs=0.002)
    assert p.barriers_eV["2D"] is None and p.barriers_eV["3D"] is None
    assert [abs(x) for x in p.periods["1D"][0]] == [1, 1, 0]


def test_slab_is_2d_and_closed_pocket_does_not_percolate() -> None:
    e = _grid()
    e[:, :, 4] = 0.7  # an ab slab
    e[1:3, 1:3, 1:3] = 0.0  # a pocket: the lowest site, isolated
    p = percolation(e, encut=2.0, tol=0.001)
    assert p.barriers_eV["1D"] == pytest.approx(0.7, abs=0.002)
    assert p.barriers_eV["2D"] == pytest.approx(0.7, abs=0.002)
    assert p.barriers_eV["3D"] is None
    assert p.dimensionality == 2
    assert p.axis_barriers_eV == {"perp_c": pytest.approx(0.7, abs=0.002), "par_c": None}


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(3, 7))
def test_barriers_grow_with_dimension(seed: int, n: int) -> None:
    e = np.random.default_rng(seed).uniform(0.0, 1.0, size=(n, n + 1, n))
    b = percolation(e, encut=1.01, tol=0.01).barriers_eV
    inf = float("inf")
    b1, b2, b3 = (inf if b[k] is None else b[k] for k in ("1D", "2D", "3D"))
    assert b1 <= b2 <= b3
    assert b3 < inf  # everything open at the top: 3D


# --------------------------------------------------------------- structures and the CLI
pytest.importorskip("bvlain")


@pytest.fixture(scope="module")
def alpha_li3n() -> object:
    from nitrolyte.structures.library import library_structure
    from nitrolyte.transport.bvse import bvse

    return bvse(library_structure("α-Li3N"))


def test_alpha_li3n_in_plane_path_lowest(alpha_li3n: object) -> None:
    """α-Li3N: measured ⊥c 0.29 eV < ∥c 0.49 eV (review Table 1); BVSE gives the same order, but
    the two differ by only ~0.005 eV (docs/transport.md)."""
    ax = alpha_li3n.axis_barriers_eV  # type: ignore[attr-defined]
    assert ax["perp_c"] < ax["par_c"]
    assert alpha_li3n.dimensionality == 2  # type: ignore[attr-defined]
    assert alpha_li3n.Ea_eV == pytest.approx(0.18, abs=0.02)  # type: ignore[attr-defined]


def test_rock_salt_licl_is_3d_with_equal_barriers() -> None:
    """Cubic symmetry: the path that spans one axis spans all three."""
    from nitrolyte.structures.library import library_structure
    from nitrolyte.transport.bvse import bvse

    r = bvse(library_structure("LiCl"))
    assert r.dimensionality == 3
    assert r.barriers_eV["1D"] == r.barriers_eV["2D"] == r.barriers_eV["3D"]


def test_cli_json(alpha_li3n: object, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "map.png"
    res = CliRunner().invoke(app, ["transport", "alpha-Li3N", "--method", "bvse", "--json",
                                   "--plot", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["method"] == "BVSE" and doc["quantity"].startswith("BVSE percolation barrier")
    assert "not a measured Ea" in doc["quantity"]
    assert doc["Ea_eV"] == alpha_li3n.Ea_eV  # type: ignore[attr-defined]
    assert set(doc["barriers_eV"]) == {"1D", "2D", "3D"} and doc["dimensionality"] == 2
    assert out.stat().st_size > 1000


@pytest.mark.parametrize(("arg", "text"), [
    ("AlN", "AlN has no Li"),
    ("bad.cif", "bad.cif is not a readable CIF"),
    ("Li", "no bond-valence oxidation states for Li"),  # a metal
    ("Li3P", "no softBV bond-valence parameters for Li+ with P3- in Li3P"),
])
def test_cli_refuses_in_one_line_and_stores_nothing(arg: str, text: str, db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "bad.cif").write_text("data_x\n_cell_length_a 3\nnot a cif\n")
    path = str(tmp_path / arg) if arg.endswith(".cif") else arg
    before = len(db.measurement_sets())
    res = CliRunner().invoke(app, ["transport", path, "--store", "--db", str(db.url)])
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and text in lines[0]
    assert res.stdout == ""  # bvlain's own prints never reach stdout
    assert len(db.measurement_sets()) == before


def test_store_is_labelled_simulation(db) -> None:  # type: ignore[no-untyped-def]
    from nitrolyte.provenance import simulation_labels

    res = CliRunner().invoke(app, ["transport", "LiCl", "--store", "--db", str(db.url)])
    assert res.exit_code == 0, res.output
    sets = db.measurement_sets()
    row = sets[sets["method"] == "BVSE"].iloc[-1]
    label = simulation_labels(db)[row["material_id"]]
    assert label == "BVSE (simulation, bvlain-0.25.1)"
    # screening shows the stored barrier as simulated, never as measured
    scr = CliRunner().invoke(app, ["screen", "--material", "LiCl", "--db", str(db.url), "--json"])
    assert scr.exit_code == 0, scr.output
    (ea,) = [c for c in json.loads(scr.stdout)["rows"][0]["criteria"] if c["criterion"] == "Ea"]
    assert ea["value"] == pytest.approx(row_ea(db, int(row["set_id"]))) and ea["source"] == label
    text = CliRunner().invoke(app, ["screen", "--material", "LiCl", "--db", str(db.url)]).stdout
    assert " sim." in text


def row_ea(db, set_id: int) -> float:  # type: ignore[no-untyped-def]
    return float(db.measurement_set(set_id)["fit"]["Ea_eV"])


@pytest.mark.slow
def test_doc_validation_rows(db) -> None:  # type: ignore[no-untyped-def]
    """Three rows of the validation table in docs/transport.md, recomputed through the CLI's path
    (not the packaged values), and the packaged values are those the CLI computes."""
    from pathlib import Path

    from nitrolyte.transport import bvse_validation as v

    doc = (Path(__file__).parents[1] / "docs" / "transport.md").read_text("utf-8")
    picked = tuple(p for p in v.CANDIDATES if (p[0], p[2]) in {
        ("α-Li3N", "perp_c"), ("β-Li3N", None), ("Li2CN2", None)})
    assert len(picked) == 3
    packaged = v._packaged()
    for spec in ("α-Li3N", "β-Li3N", "Li2CN2"):
        res = CliRunner().invoke(app, ["transport", spec, "--json"])
        cli = json.loads(res.stdout)
        assert packaged[cli["structure"]]["Ea_eV"] == cli["Ea_eV"]
        assert packaged[cli["structure"]]["axis_barriers_eV"] == cli["axis_barriers_eV"]
    for row in v.validation_rows(picked, db=db):
        assert v.table_line(row) in doc


@pytest.mark.filterwarnings("ignore::UserWarning")  # pymatgen's CIF writer: site labels
def test_user_structure_from_its_database(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A user's own (or predicted) structure added with `structure NAME --cif` in --db is found."""
    import warnings

    from nitrolyte.structures.library import library_structure

    cif = tmp_path / "mine.cif"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        library_structure("β-Li3N").to(filename=str(cif))
    runner = CliRunner()
    assert runner.invoke(app, ["structure", "my-li3n", "--cif", str(cif), "--db", str(db.url)]).exit_code == 0
    res = runner.invoke(app, ["transport", "my-li3n", "--db", str(db.url), "--json"])
    assert res.exit_code == 0, res.output
    direct = runner.invoke(app, ["transport", str(cif), "--json"])
    assert json.loads(res.stdout)["barriers_eV"] == json.loads(direct.stdout)["barriers_eV"]
