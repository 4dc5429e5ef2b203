"""CHGNet's crystal graph built with numpy: the same tensors as CHGNet's converter, ~20x sooner.

CHGNet (0.4.2) turns a structure into its graph in three steps: pymatgen's neighbour list
(compiled, ~1 ms for 136 atoms), then a directed/undirected edge bookkeeping (C, returned as
Python objects) and the three-body line graph (a Python loop over every bond pair at each
atom): ~90 ms of the ~100 ms a 136-atom graph takes, and on a GPU 83-100 % of an MD step (see
docs/simulate.md, GPU figures). :class:`FastGraphConverter` keeps the neighbour list and the
rules, and replaces the two loops by array operations that reproduce CHGNet's edge numbering
and row order exactly, so the model sees identical tensors (tested element for element against
``CrystalGraphConverter``). Anything outside the rules it reproduces (isolated atoms, a
neighbour list without the reverse of some edge, no edges) goes to CHGNet's own converter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class EdgeGraph:
    """Integer arrays of one crystal graph, in CHGNet's numbering (indices are row numbers).

    Attributes
    ----------
    atom_graph : ndarray, shape (n_directed, 2)
        Centre and neighbour atom of each directed edge (the neighbour-list order).
    directed2undirected : ndarray, shape (n_directed,)
        Undirected edge of each directed edge.
    undirected2directed : ndarray, shape (n_undirected,)
        First directed edge of each undirected edge.
    bond_graph : ndarray, shape (n_angles, 5)
        Centre atom, undirected and directed index of bond 1, then of bond 2.
    """

    atom_graph: np.ndarray
    directed2undirected: np.ndarray
    undirected2directed: np.ndarray
    bond_graph: np.ndarray


class GraphRulesNotMet(ValueError):
    """The neighbour list is outside what :func:`edge_graph` reproduces (use CHGNet's converter)."""


def _reverse_partner(center: np.ndarray, neighbor: np.ndarray, image: np.ndarray,
                     n_atoms: int) -> np.ndarray:
    """Index of the edge (j, i, -image) for every edge (i, j, image)."""
    span = int(np.abs(image).max()) if len(image) else 0
    base = 2 * span + 1
    shifted = image + span

    def key(c: np.ndarray, n: np.ndarray, img: np.ndarray) -> np.ndarray:
        k = c.astype(np.int64) * n_atoms + n
        for axis in range(3):
            k = k * base + img[:, axis]
        return k

    keys = key(center, neighbor, shifted)
    reverse_keys = key(neighbor, center, 2 * span - shifted)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    if len(sorted_keys) > 1 and np.any(sorted_keys[1:] == sorted_keys[:-1]):
        raise GraphRulesNotMet("the neighbour list repeats an edge")
    pos = np.minimum(np.searchsorted(sorted_keys, reverse_keys), len(keys) - 1)
    if not np.array_equal(sorted_keys[pos], reverse_keys):
        raise GraphRulesNotMet("an edge has no reverse edge in the neighbour list")
    return order[pos]


def _node_order(center: np.ndarray, neighbor: np.ndarray, n_atoms: int) -> np.ndarray:
    """Directed edges grouped by centre, then by neighbour in order of first appearance.

    That is the order CHGNet walks a node's ``neighbors`` (an insertion-ordered map from
    neighbour index to the list of its edges).
    """
    pair = center.astype(np.int64) * n_atoms + neighbor
    _, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
    first_seen = first[inverse.ravel()]
    edge = np.arange(len(center))
    return np.lexsort((edge, first_seen, center))


def edge_graph(n_atoms: int, center: np.ndarray, neighbor: np.ndarray, image: np.ndarray,
               distance: np.ndarray, bond_cutoff: float) -> EdgeGraph:
    """CHGNet's atom graph and line (bond) graph from a neighbour list.

    Parameters
    ----------
    n_atoms : int
        Atoms in the cell.
    center, neighbor : ndarray of int, shape (n_edges,)
        Pymatgen's ``get_neighbor_list`` centre and neighbour indices.
    image : ndarray of int, shape (n_edges, 3)
        Lattice translation of each neighbour.
    distance : ndarray of float, shape (n_edges,)
        Edge lengths (Å).
    bond_cutoff : float
        CHGNet's bond-graph cutoff (Å): bonds no longer than it make angles.

    Raises
    ------
    GraphRulesNotMet
        The neighbour list repeats an edge or lacks the reverse of one.
    """
    image = np.asarray(image, dtype=np.int64)
    n_edges = len(center)
    if n_edges == 0:
        raise GraphRulesNotMet("no edges")
    partner = _reverse_partner(center, neighbor, image, n_atoms)
    edge = np.arange(n_edges)
    opens = edge < partner  # the first of the two directions opens the undirected edge
    first_of = np.minimum(edge, partner)
    u_of_opener = np.cumsum(opens) - 1
    d2u = u_of_opener[first_of]
    u2d = np.flatnonzero(opens)
    second = partner[u2d]

    walk = _node_order(center, neighbor, n_atoms)
    short = walk[distance[walk] < bond_cutoff]
    degree = np.bincount(center[short], minlength=n_atoms)
    start = np.concatenate(([0], np.cumsum(degree)[:-1]))

    kept = np.flatnonzero(~(distance[u2d] > bond_cutoff))  # undirected edges that make angles
    end_center = np.stack([center[u2d[kept]], neighbor[u2d[kept]]], axis=1).ravel()
    end_edge = np.stack([u2d[kept], second[kept]], axis=1).ravel()
    end_u = np.repeat(kept, 2)
    counts = degree[end_center]
    row_of = np.repeat(np.arange(len(end_center)), counts)
    k = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    other = short[start[end_center][row_of] + k]
    keep = other != end_edge[row_of]
    row_of, other = row_of[keep], other[keep]
    bond_graph = np.stack([end_center[row_of], end_u[row_of], end_edge[row_of],
                           d2u[other], other], axis=1)
    return EdgeGraph(atom_graph=np.stack([center, neighbor], axis=1),
                     directed2undirected=d2u, undirected2directed=u2d, bond_graph=bond_graph)


class FastGraphConverter:
    """Drop-in for a CHGNet model's ``graph_converter`` (``converter(structure) -> CrystalGraph``).

    Parameters
    ----------
    chgnet_converter : chgnet.graph.CrystalGraphConverter
        The model's own converter: its cutoffs and isolated-atom policy are used, and it builds
        any graph outside the rules :func:`edge_graph` reproduces.
    """

    def __init__(self, chgnet_converter: Any) -> None:
        self.chgnet_converter = chgnet_converter
        self.atom_graph_cutoff = float(chgnet_converter.atom_graph_cutoff)
        self.bond_graph_cutoff = float(chgnet_converter.bond_graph_cutoff)
        self.fallbacks = 0

    def __repr__(self) -> str:
        return f"FastGraphConverter({self.chgnet_converter!r})"

    def __call__(self, structure: Any, graph_id: Any = None, mp_id: Any = None) -> Any:
        """The CHGNet ``CrystalGraph`` of a pymatgen ``Structure``."""
        import torch
        from chgnet.graph.converter import TORCH_DTYPE  # CHGNet's float dtype
        from chgnet.graph.crystalgraph import CrystalGraph

        center, neighbor, image, distance = structure.get_neighbor_list(
            r=self.atom_graph_cutoff, sites=structure.sites, numerical_tol=1e-8)
        try:
            if len(np.unique(center)) != len(structure):
                raise GraphRulesNotMet("isolated atoms")
            g = edge_graph(len(structure), center, neighbor, image, distance,
                           self.bond_graph_cutoff)
            if len(g.bond_graph) == 0:
                raise GraphRulesNotMet("no angles")
        except GraphRulesNotMet:
            self.fallbacks += 1
            return self.chgnet_converter(structure, graph_id=graph_id, mp_id=mp_id)

        def ints(a: np.ndarray) -> Any:
            return torch.from_numpy(np.ascontiguousarray(a, dtype=np.int32))

        return CrystalGraph(
            atomic_number=torch.tensor(structure.atomic_numbers, dtype=torch.int32),
            atom_frac_coord=torch.tensor(structure.frac_coords, dtype=TORCH_DTYPE,
                                         requires_grad=True),
            atom_graph=ints(g.atom_graph),
            neighbor_image=torch.tensor(image, dtype=TORCH_DTYPE),
            directed2undirected=ints(g.directed2undirected),
            undirected2directed=ints(g.undirected2directed),
            bond_graph=ints(g.bond_graph),
            lattice=torch.tensor(structure.lattice.matrix, dtype=TORCH_DTYPE,
                                 requires_grad=True),
            graph_id=graph_id, mp_id=mp_id, composition=structure.composition.formula,
            atom_graph_cutoff=self.chgnet_converter.atom_graph_cutoff,
            bond_graph_cutoff=self.chgnet_converter.bond_graph_cutoff,
        )
