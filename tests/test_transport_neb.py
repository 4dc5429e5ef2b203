"""NEB barriers from a structure: hop enumeration, direction labels, hop-network percolation, the
supercell rule, and the ``transport --method neb`` plumbing with the cheap lj-toy potential (one
slow test runs real CHGNet on α-Li3N)."""

from __future__ import annotations

import functools
import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

import nitrolyte.simulate.potentials  # noqa: F401  (registers lj-toy)
from nitrolyte.cli import app
from nitrolyte.errors import InputError, NitrolyteError
from nitrolyte.structures.library import library_structure
from nitrolyte.transport import neb as neb_mod
from nitrolyte.transport.hops import Hop, hop_percolation, li_hops
from nitrolyte.transport.neb import NebSettings, hop_endpoints, image_distance, neb, supercell_for

#: a small cell for the plumbing tests: images 4 Å apart (2x2x2 of α-Li3N, 31 atoms with the vacancy)
SMALL = NebSettings(min_image_A=4.0, n_images=3)


@pytest.fixture(scope="module")
def alpha() -> object:
    return library_structure("α-Li3N")


# --------------------------------------------------------------- hops
def test_alpha_li3n_has_two_distinct_hops(alpha) -> None:  # type: ignore[no-untyped-def]
    """α-Li3N (P6/mmm, a 3.648, c 3.875 Å): the in-plane Li(2c)-Li(2c) hop of the Li2N layer,
    a/√3 long, and the Li(1b)-Li(2c) hop between layer and interlayer site, √(a²/3 + c²/4)."""
    a, c = alpha.lattice.a, alpha.lattice.c
    hops = li_hops(alpha)
    assert [h.label for h in hops] == ["Li(2c)-Li(2c)", "Li(1b)-Li(2c)"]
    inplane, inter = hops
    assert inplane.length_A == pytest.approx(a / math.sqrt(3), abs=1e-4)
    assert inter.length_A == pytest.approx(math.sqrt(a * a / 3 + c * c / 4), abs=1e-4)
    assert inplane.direction == "⊥c" and inplane.angle_to_c_deg == pytest.approx(90.0)
    assert inter.angle_to_c_deg == pytest.approx(math.degrees(math.atan2(a / math.sqrt(3), c / 2)), abs=0.01)
    assert inter.direction == "oblique"  # it carries Li along c, but is not parallel to it
    # per cell: each 2c site has 3 in-plane Li neighbours (2 sites, each hop counted once);
    # the 1b site has 12 Li(2c) neighbours (6 in the layer below, 6 above)
    assert len(inplane.instances) == 3 and len(inter.instances) == 12


@pytest.mark.parametrize("name", ["α-Li3N", "β-Li3N", "Li6NBr3"])
def test_hops_cover_every_li_pair_once(name: str) -> None:
    """Round trip: the hop kinds' instances are exactly the Li–Li pairs within the cutoff."""
    s = library_structure(name)
    hops = li_hops(s)
    li = [i for i, site in enumerate(s) if site.species_string == "Li"]
    pairs = sum(1 for i in li for nb in s.get_neighbors(s[i], 3.5) if nb.species_string == "Li")
    assert 2 * sum(len(h.instances) for h in hops) == pairs
    for h in hops:  # every instance of a kind has the kind's length
        for i, j, *img in h.instances:
            d = s.lattice.get_cartesian_coords(s[j].frac_coords + np.array(img) - s[i].frac_coords)
            assert float(np.linalg.norm(d)) == pytest.approx(h.length_A, abs=1e-3)


def test_beta_li3n_hop_kinds() -> None:
    """β-Li3N (P6₃/mmc): five symmetry-distinct hops within 3.5 Å, the shortest the 4f-4f pair
    straight along c (2.007 Å)."""
    hops = li_hops(library_structure("β-Li3N"))
    assert len(hops) == 5
    assert hops[0].label == "Li(4f)-Li(4f)" and hops[0].direction == "∥c"
    assert hops[0].length_A == pytest.approx(2.0074, abs=1e-3)


@pytest.mark.parametrize(("angle", "label"), [(90.0, "⊥c"), (76.0, "⊥c"), (74.0, "oblique"),
                                              (47.4, "oblique"), (16.0, "oblique"), (0.0, "∥c")])
def test_direction_labels(angle: float, label: str) -> None:
    assert Hop("x", 0, 1, (0, 0, 0), 2.0, angle, ()).direction == label


# --------------------------------------------------------------- hop-network percolation
def test_percolation_in_plane_first(alpha) -> None:  # type: ignore[no-untyped-def]
    """Cheap in-plane hops make Li2N layers (2D, ⊥c); c opens only with the interlayer hop."""
    inplane, inter = li_hops(alpha)
    p = hop_percolation(len(alpha), [(0.1, inplane), (0.5, inter)])
    assert p.barriers_eV == {"1D": 0.1, "2D": 0.1, "3D": 0.5}
    assert p.axis_barriers_eV == {"perp_c": 0.1, "par_c": 0.5}
    assert p.Ea_eV == 0.1 and p.dimensionality == 2


def test_percolation_interlayer_hops_alone_are_3d(alpha) -> None:  # type: ignore[no-untyped-def]
    inplane, inter = li_hops(alpha)
    p = hop_percolation(len(alpha), [(0.7, inplane), (0.3, inter)])
    assert p.barriers_eV == {"1D": 0.3, "2D": 0.3, "3D": 0.3} and p.dimensionality == 3
    assert hop_percolation(len(alpha), []).Ea_eV is None


# --------------------------------------------------------------- supercell and end points
def test_supercell_rule(alpha) -> None:  # type: ignore[no-untyped-def]
    assert supercell_for(alpha, 8.0) == [3, 3, 3]
    assert supercell_for(alpha, 4.0) == [2, 2, 2]
    for d in (3.0, 6.0, 8.0, 11.0):
        n = supercell_for(alpha, d)
        assert image_distance(np.diag(n) @ alpha.lattice.matrix) >= d


def test_hop_endpoints_move_one_li_by_the_hop(alpha) -> None:  # type: ignore[no-untyped-def]
    for hop in li_hops(alpha):
        start, end = hop_endpoints(alpha, hop, [2, 2, 2])
        assert len(start) == len(end) == 31
        assert start.get_chemical_formula() == end.get_chemical_formula() == "Li23N8"
        moved = np.linalg.norm(end.positions - start.positions, axis=1)
        assert (moved > 1e-6).sum() == 1 and moved.max() == pytest.approx(hop.length_A, abs=1e-4)


# --------------------------------------------------------------- neb() with the lj-toy potential
@pytest.fixture(scope="module")
def toy(alpha) -> object:  # type: ignore[no-untyped-def]
    return neb(alpha, "lj-toy", settings=SMALL, db=False)


def test_result_shape(toy) -> None:  # type: ignore[no-untyped-def]
    d = toy.to_dict()
    assert {"Ea_eV", "Ea_spread_eV", "method", "dimensionality", "hops", "quantity", "supercell",
            "models", "mechanism", "settings"} <= set(d)
    assert d["method"] == "NEB" and "not a measured Ea" in d["quantity"]
    assert "vacancy hop" in d["quantity"] and d["mechanism"] == "vacancy"
    assert d["supercell"] == {"scaling": [2, 2, 2], "n_atoms": 31, "image_distance_A": 7.296,
                              "min_image_A": 4.0}
    assert d["Ea_spread_eV"] is None  # one model
    assert [m["name"] for m in d["models"]] == ["lj-toy"]
    assert [h["hop"] for h in d["hops"]] == ["Li(2c)-Li(2c)", "Li(1b)-Li(2c)"]
    for h in d["hops"]:
        assert len(h["profile_eV"]) == SMALL.n_images + 2 and h["profile_eV"][0] == 0.0
        p = h["profile_eV"]
        assert h["barrier_eV"] == pytest.approx(max(p) - min(p), abs=2e-4)
        assert h["barrier_eV"] >= max(h["forward_eV"], h["reverse_eV"]) - 2e-4
        assert h["dip_eV"] == pytest.approx(max(0.0, min(p[0], p[-1]) - min(p)), abs=2e-4)
        assert h["barrier_eV"] >= 0.0 and h["mechanism"] == "vacancy"
    # the macroscopic barrier is one of the hops' saddles (above the lowest vacancy state)
    assert d["Ea_eV"] in [h["saddle_eV"] for h in d["hops"]]
    json.dumps(d)


def test_symmetric_hop_has_equal_ends(toy) -> None:  # type: ignore[no-untyped-def]
    """The in-plane hop joins two equivalent vacancy sites: forward = reverse barrier."""
    h = toy.to_dict()["hops"][0]
    assert h["forward_eV"] == pytest.approx(h["reverse_eV"], abs=2e-3)


def test_second_call_reads_the_cache(alpha, db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    first = neb(alpha, "lj-toy", settings=SMALL, db=db)
    assert not first.cached

    def no_neb(*args: object, **kwargs: object) -> None:
        raise AssertionError("an NEB ran although the result is cached")

    monkeypatch.setattr(neb_mod, "run_band", no_neb)
    again = neb(alpha, "lj-toy", settings=SMALL, db=db)
    assert again.cached and again.hops == first.hops and again.Ea_eV == first.Ea_eV
    with pytest.raises(AssertionError, match="although"):  # other settings: a new key
        neb(alpha, "lj-toy", settings=NebSettings(min_image_A=4.0, n_images=4), db=db)


@pytest.mark.parametrize(("kwargs", "text"), [
    ({"n_images": 0}, "n_images must be between 1 and 15"),
    ({"fmax": -1.0}, "fmax must be between"),
    ({"min_image_A": float("nan")}, "min_image_A must be between"),
    ({"mechanism": "interstitial"}, "mechanism must be 'vacancy'"),
])
def test_bad_settings(alpha, kwargs, text) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=text):
        neb(alpha, "lj-toy", settings=NebSettings(**kwargs), db=False)


def test_no_hop_within_the_cutoff() -> None:
    with pytest.raises(InputError, match=r"no Li–Li pair within 3\.5 Å in LiCl"):
        neb(library_structure("LiCl"), "lj-toy", db=False)  # rock salt: Li–Li 3.63 Å


def test_unconverged_band_raises_and_caches_nothing(alpha, db) -> None:  # type: ignore[no-untyped-def]
    tight = NebSettings(min_image_A=4.0, n_images=3, neb_steps=1, fmax=0.005)
    with pytest.raises(NitrolyteError, match=r"NEB of hop Li\(2c\)-Li\(2c\) with lj-toy did not converge"):
        neb(alpha, "lj-toy", settings=tight, db=db)
    assert db.cache_get(neb_mod.NAMESPACE, neb_mod._cache_key(alpha, _toy_version(), tight)) is None


def _toy_version() -> str:
    from nitrolyte.potentials import get_potential

    return get_potential("lj-toy").version


# --------------------------------------------------------------- the command line
@pytest.fixture
def small_cli(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The CLI's default settings with images 4 Å apart (the 8 Å default is 107 atoms)."""
    monkeypatch.setattr(neb_mod, "NebSettings", functools.partial(NebSettings, min_image_A=4.0, n_images=3))


def test_cli_json_and_store(small_cli, db) -> None:  # type: ignore[no-untyped-def]
    from nitrolyte.provenance import simulation_labels

    res = CliRunner().invoke(app, ["transport", "alpha-Li3N", "--method", "neb", "--potential",
                                   "lj-toy", "--json", "--store", "--db", str(db.url)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["structure"] == "α-Li3N" and doc["method"] == "NEB" and len(doc["hops"]) == 2
    sets = db.measurement_sets()
    row = sets[sets["method"] == "NEB"].iloc[-1]
    assert db.measurement_set(int(row["set_id"]))["fit"]["Ea_eV"] == doc["Ea_eV"]
    assert simulation_labels(db)[row["material_id"]].startswith("NEB (simulation, lj-toy")
    text = CliRunner().invoke(app, ["transport", "alpha-Li3N", "--method", "neb", "--potential",
                                    "lj-toy", "--db", str(db.url)])
    assert text.exit_code == 0, text.output
    assert "Li(2c)-Li(2c)" in text.stdout and "[cached]" in text.stdout
    assert "not a measured Ea" in text.stdout


@pytest.mark.parametrize(("args", "code", "text"), [
    (["AlN"], 2, "AlN has no Li (NEB here maps Li migration"),
    (["bad.cif"], 2, "bad.cif is not a readable CIF"),
    (["alpha-Li3N", "--potential", "nope"], 2, "potential must be one of"),
    (["alpha-Li3N", "--plot", "x.png"], 2, "--plot draws the BVSE map"),
])
def test_cli_refuses_in_one_line_and_stores_nothing(args, code, text, db, tmp_path, small_cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "bad.cif").write_text("data_x\n_cell_length_a 3\nnot a cif\n")
    if args[0].endswith(".cif"):
        args = [str(tmp_path / args[0]), *args[1:]]
    before = len(db.measurement_sets())
    res = CliRunner().invoke(app, ["transport", *args, "--method", "neb", "--store", "--db", str(db.url)])
    assert res.exit_code == code
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and text in lines[0], res.stderr
    assert res.stdout == "" and len(db.measurement_sets()) == before


def test_cli_unconverged_is_one_line(db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(neb_mod, "NebSettings", functools.partial(
        NebSettings, min_image_A=4.0, n_images=3, neb_steps=1, fmax=0.005))
    before = len(db.measurement_sets())
    res = CliRunner().invoke(app, ["transport", "alpha-Li3N", "--method", "neb", "--potential",
                                   "lj-toy", "--store", "--json", "--db", str(db.url)])
    assert res.exit_code == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "did not converge" in lines[0] and "nothing stored" in lines[0]
    assert res.stdout == "" and len(db.measurement_sets()) == before


def test_potential_only_with_neb() -> None:
    res = CliRunner().invoke(app, ["transport", "alpha-Li3N", "--potential", "chgnet"])
    assert res.exit_code == 2 and "--potential applies to --method neb" in res.stderr


# --------------------------------------------------------------- real CHGNet
@pytest.mark.slow
def test_chgnet_alpha_li3n_in_plane_below_par_c(db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """α-Li3N with CHGNet through the command line (2x2x2 cell, 3 images, fmax 0.1 eV/Å): the ⊥c
    barrier is below the ∥c one, as measured (0.29 vs 0.49 eV, review Table 1); stdout is JSON."""
    pytest.importorskip("chgnet")
    import torch

    torch.set_num_threads(1)
    monkeypatch.setattr(neb_mod, "NebSettings", functools.partial(
        NebSettings, min_image_A=4.0, n_images=3, fmax=0.1))
    res = CliRunner().invoke(app, ["transport", "alpha-Li3N", "--method", "neb", "--potential",
                                   "chgnet", "--json", "--db", str(db.url)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    ax = doc["axis_barriers_eV"]
    assert ax["perp_c"] < ax["par_c"]
    assert doc["models"][0]["version"].startswith("chgnet-")
