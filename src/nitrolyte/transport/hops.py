"""Symmetry-distinct Li hops of a structure and the percolation of the hop network.

A *hop* joins two Li sites no more than :data:`HOP_CUTOFF_A` apart. Two hops are the same kind
when a space-group operation of the structure (pymatgen's ``SpacegroupAnalyzer``), with a lattice
translation, carries one onto the other (either way round). Each kind keeps one representative
(its start site in the cell, its end site and the cell that end sits in), its length, the angle
of the hop vector to the c axis and every instance in the cell (the edges of the hop graph).

:func:`hop_percolation` gives, for per-kind energies (e.g. the saddle of each kind's NEB), the
lowest energy at which the hops below it form a network that repeats in 1, 2, 3 dimensions, and
the lowest with a loop in the ab plane (``perp_c``) or along c (``par_c``), with the same
union-find as the BVSE grid (:mod:`nitrolyte.transport.percolation`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from pymatgen.core import Structure

#: longest Li–Li distance (Å) counted as a hop
HOP_CUTOFF_A = 3.5
#: a hop within this many degrees of the ab plane is ⊥c, within this many of c is ∥c
DIRECTION_TOL_DEG = 15.0
_GRID = 1000  # fractional coordinates are compared to 1e-3


@dataclass(frozen=True)
class Hop:
    """One symmetry-distinct Li hop (``site_i`` in the cell to ``site_j`` in cell ``image``).

    Attributes
    ----------
    label : str
        ``"Li(2c)-Li(2c)"``: the Wyckoff positions of the two Li sites.
    site_i, site_j : int
        Indices of the two Li sites in the structure.
    image : tuple of int
        Cell of ``site_j`` (lattice translation, in cells).
    length_A : float
        Hop length (Å).
    angle_to_c_deg : float
        Angle between the hop vector and the c axis (degrees, 0-90).
    instances : list of (int, int, int, int, int)
        Every hop of this kind in the cell, as graph edges ``(i, j, sx, sy, sz)``.
    """

    label: str
    site_i: int
    site_j: int
    image: tuple[int, int, int]
    length_A: float
    angle_to_c_deg: float
    instances: tuple[tuple[int, int, int, int, int], ...]

    @property
    def direction(self) -> str:
        """``"⊥c"`` (in the ab plane), ``"∥c"`` (along c) or ``"oblique"`` (both components)."""
        if self.angle_to_c_deg >= 90.0 - DIRECTION_TOL_DEG:
            return "⊥c"
        if self.angle_to_c_deg <= DIRECTION_TOL_DEG:
            return "∥c"
        return "oblique"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (no energies)."""
        return {"hop": self.label, "sites": [self.site_i, self.site_j], "image": list(self.image),
                "length_A": round(self.length_A, 4), "angle_to_c_deg": round(self.angle_to_c_deg, 2),
                "direction": self.direction, "multiplicity": len(self.instances)}


def _ops(struct: Structure) -> list[Any]:
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    return list(SpacegroupAnalyzer(struct, symprec=0.01).get_symmetry_operations(cartesian=False))


def _key(fa: np.ndarray, fb: np.ndarray) -> tuple[int, ...]:
    """A hop (fractional end points) up to a lattice translation, in units of :data:`_GRID`:
    the start wrapped into the cell, then the end."""
    a = np.rint(np.asarray(fa) * _GRID).astype(np.int64) % _GRID
    d = np.rint((np.asarray(fb) - np.asarray(fa)) * _GRID).astype(np.int64)
    return tuple(int(x) for x in (*a, *(a + d)))


def _orbit(ops: Sequence[Any], fa: np.ndarray, fb: np.ndarray) -> set[tuple[int, ...]]:
    """Keys of every image of the hop ``fa -> fb`` under the operations, both directions."""
    out = set()
    for op in ops:
        ga, gb = op.operate(fa), op.operate(fb)
        out.add(_key(ga, gb))
        out.add(_key(gb, ga))
    return out


def _site_labels(struct: Structure) -> dict[int, str]:
    """``{index: "Li(2c)"}``: each Li site named by its Wyckoff position."""
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    sym = SpacegroupAnalyzer(struct, symprec=0.01).get_symmetrized_structure()
    return {i: f"Li({w})" for g, w in zip(sym.equivalent_indices, sym.wyckoff_symbols, strict=True)
            for i in g if struct[i].species_string == "Li"}


def li_hops(struct: Structure, cutoff_A: float = HOP_CUTOFF_A) -> list[Hop]:
    """The symmetry-distinct Li–Li hops of ``struct`` up to ``cutoff_A`` (Å), shortest first."""
    ops = _ops(struct)
    labels = _site_labels(struct)
    li = [i for i, s in enumerate(struct) if s.species_string == "Li"]
    c_axis = struct.lattice.matrix[2] / np.linalg.norm(struct.lattice.matrix[2])
    kinds: list[dict[str, Any]] = []
    for i in li:
        for nb in struct.get_neighbors(struct[i], cutoff_A):
            if nb.species_string != "Li" or nb.nn_distance < 1e-3:
                continue
            fa = struct[i].frac_coords
            image = tuple(int(x) for x in np.rint(nb.frac_coords - struct[nb.index].frac_coords))
            fb = struct[nb.index].frac_coords + np.array(image)
            edge = (i, int(nb.index), *image)
            key = _key(fa, fb)
            kind = next((k for k in kinds if key in k["orbit"]), None)
            if kind is None:
                vec = nb.coords - struct[i].coords
                cos = abs(float(np.dot(vec, c_axis))) / float(np.linalg.norm(vec))
                kind = {"orbit": _orbit(ops, fa, fb), "first": edge, "length": float(nb.nn_distance),
                        "angle": float(np.degrees(np.arccos(min(1.0, cos)))), "edges": set()}
                kinds.append(kind)
            if (nb.index, i, *(-x for x in image)) not in kind["edges"]:
                kind["edges"].add(edge)
    hops = []
    for k in kinds:
        i, j, *image = k["first"]
        name = "-".join(sorted((labels[i], labels[j])))
        hops.append(Hop(name, i, j, (image[0], image[1], image[2]), k["length"], k["angle"],
                        tuple(sorted(k["edges"]))))
    return sorted(hops, key=lambda h: (round(h.length_A, 3), h.label))


@dataclass(frozen=True)
class HopPercolation:
    """Lowest hop energies (eV) at which the hop network spans 1, 2, 3 dimensions, the ab plane
    (``perp_c``) and c (``par_c``); ``None`` when it never does with the hops given."""

    barriers_eV: dict[str, float | None]
    axis_barriers_eV: dict[str, float | None]
    periods: dict[str, list[list[int]]]

    @property
    def Ea_eV(self) -> float | None:
        """The lowest percolation barrier (eV), ``None`` when nothing percolates."""
        found = [v for v in self.barriers_eV.values() if v is not None]
        return min(found) if found else None

    @property
    def dimensionality(self) -> int:
        """Dimensions spanned at :attr:`Ea_eV` (0 when nothing percolates)."""
        low = self.Ea_eV
        if low is None:
            return 0
        return max(int(k[0]) for k, v in self.barriers_eV.items() if v is not None and v <= low)


def hop_percolation(n_sites: int, weighted: Sequence[tuple[float, Hop]]) -> HopPercolation:
    """Percolation of the hop graph of a cell with ``n_sites`` sites.

    ``weighted``: (energy in eV, hop) pairs, e.g. each hop kind's saddle energy above the lowest
    end state; a hop kind not listed never opens. Exact: every distinct energy is tried in turn.
    """
    from nitrolyte.transport.percolation import graph_periods, loop_state

    keys = ("1D", "2D", "3D", "perp_c", "par_c")
    found: dict[str, float | None] = dict.fromkeys(keys)
    periods: dict[str, list[list[int]]] = {k: [] for k in keys}
    for level in sorted({e for e, _ in weighted}):
        edges = [edge for e, h in weighted if e <= level for edge in h.instances]
        st = loop_state(graph_periods(n_sites, edges))
        for k in keys:
            if st[k] and found[k] is None:
                found[k], periods[k] = float(level), st["basis"]
    return HopPercolation({k: found[k] for k in keys[:3]}, {k: found[k] for k in keys[3:]},
                          {k: periods[k] for k in keys[:3]})
