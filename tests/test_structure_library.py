"""The structure library: every shipped entry validates, and the checks catch what they must.

Published values: handbook densities of the prototypes (CRC Handbook) and X-ray densities from the
published cells of the OBELiX entries (quoted in data/structures/library.yaml); bond lengths of the
molecules (NIST CCCBDB). The α-S8 failure mode (S-S 0.56 Å) is the issue's own example.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymatgen.core import Composition, Lattice, Structure

from nitrolyte.errors import InputError, UnknownMaterialError
from nitrolyte.structures.library import (
    add_user_structure,
    library_entries,
    library_entry,
    library_structure,
    published_density,
    read_cif,
    user_entries,
    validate_entry,
    validation_table,
)
from nitrolyte.structures.validate import validate_structure

REVIEW_PARTNERS = ("Li3InCl6", "Li3YCl6", "Li6PS5Cl", "Li10GeP2S12", "γ-Li3PS4", "Li2PO2N",
                   "α-Li3N", "β-Li3N", "Li2S", "LiCl", "Li3P")


#: shipped on purpose although they fail a static check (flagged, left out of every diagram):
#: the AFLOW record of GeS2 (Zachariasen 1936, Fdd2) has an S-S contact of 1.28 Å
KNOWN_STATIC_FAILURES = {"GeS2": "neighbours"}


@pytest.mark.slow
def test_every_shipped_entry_passes_the_static_checks():
    table = validation_table()
    assert len(table) == len(library_entries()) >= 35
    failed = table[~table["ok"]]
    assert set(failed["name"]) == set(KNOWN_STATIC_FAILURES), failed[
        ["name", "composition", "density", "neighbours"]].to_string()
    for name, check in KNOWN_STATIC_FAILURES.items():
        assert not failed.set_index("name").loc[name, f"{check}_ok"]


@pytest.mark.parametrize("name", REVIEW_PARTNERS)
def test_partners_are_in_the_library_and_ordered(name):
    s = library_structure(name)
    assert s.is_ordered
    want = Composition(library_entry(name).formula).reduced_composition
    assert s.composition.reduced_composition.almost_equals(want)


def test_published_density_of_beta_li3n():
    """β-Li3N, a = 3.552 Å, c = 6.311 Å, Z = 2 (OBELiX fft): X-ray density 1.677 g/cm3."""
    rho = published_density("Li3N", 2, [3.552, 3.552, 6.311, 90, 90, 120])
    assert rho == pytest.approx(1.677, rel=2e-3)


@pytest.mark.parametrize(("name", "pair", "bond_A"), [
    ("N2", "N-N", 1.098), ("Cl2", "Cl-Cl", 1.988), ("S8", "S-S", 2.05), ("LiCl", "Cl-Li", 5.1295 / 2),
    ("α-Li3N", "Li-N", 3.875 / 2),
])
def test_bond_lengths(name, pair, bond_A):
    assert validate_entry(name).shortest_A[pair] == pytest.approx(bond_A, rel=5e-3)


def _s8_with_bond(scale: float) -> Structure:
    good = library_structure("S8")
    centre = good.cart_coords.mean(axis=0)
    return Structure(good.lattice, good.species, (good.cart_coords - centre) * scale + centre,
                     coords_are_cartesian=True)


def test_neighbour_check_catches_a_collapsed_s8():
    """An S8 typed from memory with S-S = 0.56 Å (the issue's example) fails."""
    bad = _s8_with_bond(0.56 / 2.05)
    res = validate_structure(library_entry("S8"), bad)
    assert not res.ok
    assert "S-S 0.56" in res.checks["neighbours"][1]


def test_density_check_catches_a_wrong_lattice_constant():
    entry = library_entry("LiCl")
    wrong = Structure.from_spacegroup("Fm-3m", Lattice.cubic(5.30), ["Li", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    res = validate_structure(entry, wrong)
    assert not res.checks["density"][0]
    assert res.checks["composition"][0]


def test_composition_check_catches_a_wrong_z():
    entry = library_entry("LiCl")
    prim = library_structure("LiCl").get_primitive_structure()
    assert not validate_structure(entry, prim).checks["composition"][0]


def test_relaxation_check_threshold():
    assert validate_entry("LiCl", relaxed_volume_ratio=1.049).checks["relaxation"][0]
    assert not validate_entry("LiCl", relaxed_volume_ratio=1.051).checks["relaxation"][0]


def test_unknown_entry_suggests():
    with pytest.raises(UnknownMaterialError, match="Li3InCl6"):
        library_entry("Li3InCl7")


def test_read_cif_bad_files(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_cif(tmp_path / "nope.cif")
    bad = tmp_path / "bad.cif"
    bad.write_text("data_x\n_cell_length_a 3\nloop_\n_atom_site_label\n")
    with pytest.raises(InputError, match=r"^cif: bad.cif "):
        read_cif(bad)


def test_user_cif_round_trip(tmp_path, db):
    path = tmp_path / "mine.cif"
    library_structure("Li2S").to(filename=str(path))
    entry = add_user_structure("my Li2S", path, db=db)
    assert entry.formula == "Li2S" and entry.Z == 4
    assert [e.name for e in user_entries(db)] == ["my Li2S"]
    with pytest.raises(InputError, match="shipped library entry"):
        add_user_structure("LiCl", path, db=db)


def test_user_cif_with_collapsed_atoms_is_refused(tmp_path, db):
    path = tmp_path / "collapsed.cif"
    _s8_with_bond(0.3).to(filename=str(path))
    with pytest.raises(InputError, match="nearest-neighbour"):
        add_user_structure("bad S", path, db=db)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_fuzz_read_cif_never_crashes(tmp_path: Path, data: bytes):
    path = tmp_path / "fuzz.cif"
    path.write_bytes(b"data_fuzz\n" + data)
    try:
        s = read_cif(path)
    except InputError as exc:
        assert str(exc).startswith("cif: ")
    else:
        assert len(s) > 0 and not math.isnan(s.volume)
