"""FastGraphConverter builds CHGNet's crystal graph: the same tensors, element for element."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

pytest.importorskip("chgnet")

from nitrolyte.simulate.fast_graph import (
    FastGraphConverter,
    GraphRulesNotMet,
    edge_graph,
)

FIELDS = ("atomic_number", "atom_frac_coord", "atom_graph", "neighbor_image",
          "directed2undirected", "undirected2directed", "bond_graph", "lattice")


@pytest.fixture(scope="module")
def converters() -> tuple:
    from nitrolyte.structures.atomistic.potential import load_chgnet

    chgnet = load_chgnet("cpu").graph_converter
    return chgnet, FastGraphConverter(chgnet)


def _assert_same_graph(a: object, b: object) -> None:
    import torch

    for field in FIELDS:
        x, y = getattr(a, field), getattr(b, field)
        assert x.dtype == y.dtype and x.shape == y.shape, field
        assert torch.equal(x, y), field
    assert a.composition == b.composition


@pytest.mark.parametrize(("name", "supercell", "vacancies", "rattle"), [
    ("beta-Li3N", (3, 3, 2), 0.056, 0.0),   # the Fig. 3D cell, 136 atoms
    ("beta-Li3N", (3, 3, 2), 0.056, 0.3),   # an MD-like disordered snapshot
    ("alpha-Li3N", (1, 1, 1), 0.0, 0.0),    # 4 atoms: bonds to an atom's own images
    ("alpha-Li3N", (2, 2, 2), 0.027, 0.2),
])
def test_same_tensors_as_chgnet(converters: tuple, name: str, supercell: tuple,
                                vacancies: float, rattle: float) -> None:
    from nitrolyte.simulate.pipeline import build_cell

    chgnet, fast = converters
    cell = build_cell(name, supercell, vacancies, 0)
    if rattle:
        cell.perturb(rattle)
    _assert_same_graph(chgnet(cell), fast(cell))
    assert fast.fallbacks == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lengths=st.tuples(*[st.floats(2.0, 7.0)] * 3),
       angles=st.tuples(*[st.floats(65.0, 115.0)] * 3),
       species=st.lists(st.sampled_from(["Li", "N", "Si", "P"]), min_size=1, max_size=6),
       seed=st.integers(0, 2**16))
def test_random_cells_same_graph_or_same_error(converters: tuple, lengths: tuple,
                                               angles: tuple, species: list, seed: int) -> None:
    """Any periodic cell: identical graph, or CHGNet's own error (e.g. isolated atoms)."""
    from pymatgen.core import Lattice, Structure

    chgnet, fast = converters
    try:
        lattice = Lattice.from_parameters(*lengths, *angles)
    except ValueError:
        assume(False)
    assume(lattice.volume > 1.0)
    coords = np.random.default_rng(seed).random((len(species), 3))
    structure = Structure(lattice, species, coords)
    assume(len(structure) == 1 or structure.distance_matrix[np.triu_indices(len(species), 1)].min() > 0.7)
    try:
        expected = chgnet(structure)
    except Exception as exc:
        with pytest.raises(type(exc)):
            fast(structure)
        return
    _assert_same_graph(expected, fast(structure))


def test_neighbour_list_outside_the_rules_is_refused() -> None:
    image = np.zeros((1, 3), dtype=int)
    with pytest.raises(GraphRulesNotMet, match="reverse"):
        edge_graph(2, np.array([0]), np.array([1]), image, np.array([1.5]), 3.0)
    twice = np.zeros((4, 3), dtype=int)
    with pytest.raises(GraphRulesNotMet, match="repeats"):
        edge_graph(2, np.array([0, 0, 1, 1]), np.array([1, 1, 0, 0]), twice,
                   np.full(4, 1.5), 3.0)
    with pytest.raises(GraphRulesNotMet, match="no edges"):
        edge_graph(2, np.array([], int), np.array([], int), np.zeros((0, 3), int),
                   np.array([]), 3.0)


def test_isolated_atom_goes_to_chgnet_and_its_error() -> None:
    from chgnet.graph import CrystalGraphConverter
    from pymatgen.core import Lattice, Structure

    fast = FastGraphConverter(CrystalGraphConverter(atom_graph_cutoff=6, bond_graph_cutoff=3,
                                                    on_isolated_atoms="error"))
    lonely = Structure(Lattice.cubic(20.0), ["Li", "N", "Li"], [[0, 0, 0], [0.05, 0, 0], [0.5, 0.5, 0.5]])
    with pytest.raises(ValueError, match="isolated atom"):
        fast(lonely)
    assert fast.fallbacks == 1


def test_md_calculator_energy_and_forces_unchanged() -> None:
    """The MD calculator with the fast graph gives CHGNet's graph's energy and forces exactly."""
    from pymatgen.io.ase import AseAtomsAdaptor

    from nitrolyte.simulate.lean_chgnet import LeanCHGNetCalculator
    from nitrolyte.simulate.pipeline import build_cell
    from nitrolyte.structures.atomistic.potential import load_chgnet

    cell = build_cell("beta-Li3N", (2, 2, 1), 0.0, 0)
    cell.perturb(0.1)
    model = load_chgnet("cpu")
    results = []
    for fast in (True, False):
        atoms = AseAtomsAdaptor.get_atoms(cell)
        atoms.calc = LeanCHGNetCalculator(model, "cpu", fast_graph=fast)
        results.append((atoms.get_potential_energy(), atoms.get_forces()))
    assert results[0][0] == results[1][0]
    np.testing.assert_array_equal(results[0][1], results[1][1])


def test_plain_pass_where_it_fits_chunked_where_not() -> None:
    """Issue 23 Speed: the checkpointed blocks cost 1.5-1.8x a plain force pass, so the plain
    pass runs wherever its memory (8 MB per atom) fits in half of what is available."""
    from nitrolyte.simulate.chunked_chgnet import DEFAULT_CHUNK_ROWS
    from nitrolyte.simulate.lean_chgnet import LeanCHGNetCalculator, plain_pass_fits

    assert plain_pass_fits(1000, 16e9) and not plain_pass_fits(1001, 16e9)
    small, big, gpu = (LeanCHGNetCalculator(None, d) for d in ("cpu", "cpu", "cuda"))
    small.decide(96, 16e9)
    big.decide(2048, 16e9)  # 16.4 GB plain: blocks
    gpu.decide(2048, 16e9)
    assert small.chunk_rows is None and big.chunk_rows == DEFAULT_CHUNK_ROWS
    assert gpu.chunk_rows is None
    assert LeanCHGNetCalculator(None, "cuda", chunk_rows=300).chunk_rows == 300
    with pytest.raises(ValueError, match="chunk_rows"):
        LeanCHGNetCalculator(None, "cpu", chunk_rows="big")
