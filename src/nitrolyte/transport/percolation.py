"""Percolation of a periodic energy grid: the lowest energy at which an open region spans 1, 2, 3 dimensions.

A grid point is *open* at threshold ``E`` when its energy (above the grid minimum) is below ``E``.
Open points are joined with their 26 neighbours inside the cell (``scipy.ndimage.label``); the
joins across the cell faces carry an integer cell shift, and a union-find with offsets over the
labels collects the shift of every closed loop. A component whose loops span a lattice of rank
``d`` percolates in ``d`` dimensions (1D channel, 2D layer, 3D network). Each barrier is found by
bisection on ``E`` (the rank only grows with ``E``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

#: the 13 neighbour offsets that, with their negatives, make the 26-neighbourhood
_HALF = np.array([o for o in itertools.product((-1, 0, 1), repeat=3) if o > (0, 0, 0)])


@dataclass(frozen=True)
class Percolation:
    """Barriers (eV, above the grid minimum) for 1D, 2D, 3D percolation; ``None`` above ``encut``.

    ``periods`` holds, per dimension, the integer cell shifts (rows) that span the percolating
    component at that barrier (``[[0, 0, 1]]``: a channel along c). ``axis_barriers_eV``: the
    lowest barrier of a path within the ab plane (``perp_c``) and of one with a component along c
    (``par_c``), meaningful for a hexagonal or tetragonal c axis.
    """

    barriers_eV: dict[str, float | None]
    periods: dict[str, list[list[int]]]
    axis_barriers_eV: dict[str, float | None]

    @property
    def dimensionality(self) -> int:
        """How many dimensions percolate at the lowest barrier (0 when none does below ``encut``)."""
        found = [v for v in self.barriers_eV.values() if v is not None]
        if not found:
            return 0
        low = min(found)
        return max(int(k[0]) for k, v in self.barriers_eV.items() if v is not None and v <= low)


def _find(parent: list[int], off: list[np.ndarray], x: int) -> tuple[int, np.ndarray]:
    shift = np.zeros(3, dtype=np.int64)
    while parent[x] != x:
        shift = shift + off[x]
        x = parent[x]
    return x, shift


def _cross_edges(labels: np.ndarray) -> np.ndarray:
    """Rows ``(a, b, sx, sy, sz)``: label ``a`` touches label ``b`` in the cell shifted by s."""
    n = np.array(labels.shape)
    idx = np.indices(labels.shape).reshape(3, -1).T
    lab = labels.ravel()
    keep = (lab > 0) & ((idx == 0) | (idx == n - 1)).any(axis=1)  # only face points wrap
    idx, lab = idx[keep], lab[keep]
    rows = []
    for o in _HALF:
        j = idx + o
        shift = np.floor_divide(j, n)
        wrapped = shift.any(axis=1)
        if not wrapped.any():
            continue
        jj = j[wrapped] - shift[wrapped] * n
        other = labels[jj[:, 0], jj[:, 1], jj[:, 2]]
        ok = other > 0
        rows.append(np.column_stack([lab[wrapped][ok], other[ok], shift[wrapped][ok]]))
    if not rows:
        return np.zeros((0, 5), dtype=np.int64)
    return np.unique(np.concatenate(rows).astype(np.int64), axis=0)


def spanned_periods(open_mask: np.ndarray) -> list[np.ndarray]:
    """Per periodic component of ``open_mask`` that wraps: its loop shifts (k×3 int array)."""
    from scipy import ndimage

    labels, count = ndimage.label(open_mask, structure=np.ones((3, 3, 3), dtype=bool))
    return graph_periods(count + 1, _cross_edges(labels))


def graph_periods(n_nodes: int, edges: Any) -> list[np.ndarray]:
    """Per component of a periodic graph that wraps: its loop shifts (k×3 int array).

    ``edges``: rows ``(a, b, sx, sy, sz)``, node ``a`` joined to node ``b`` of the cell shifted by
    s (nodes ``0 .. n_nodes-1``); a union-find with cell offsets collects every closed loop's shift.
    """
    parent = list(range(n_nodes))
    off = [np.zeros(3, dtype=np.int64) for _ in range(n_nodes)]
    loops: dict[int, list[np.ndarray]] = {}
    for a, b, *s in edges:
        ra, oa = _find(parent, off, int(a))
        rb, ob = _find(parent, off, int(b))
        t = oa + np.asarray(s, dtype=np.int64) - ob  # shift of b's frame in a's frame
        if ra == rb:
            if t.any():
                loops.setdefault(ra, []).append(t)
        else:
            parent[rb], off[rb] = ra, t
            loops.setdefault(ra, []).extend(loops.pop(rb, []))
    return [np.array(v) for v in loops.values() if v]


def _state(open_mask: np.ndarray) -> dict[str, Any]:
    """:func:`loop_state` of the open region of a grid."""
    return loop_state(spanned_periods(open_mask))


def loop_state(components: list[np.ndarray]) -> dict[str, Any]:
    """Rank of the best-connected component, its basis, and whether any loop lies in the ab plane
    (``perp_c``) or has a component along c (``par_c``); keys ``rank``, ``basis``, ``1D``, ``2D``,
    ``3D``, ``perp_c``, ``par_c``."""
    best, basis, perp, par = 0, [], False, False
    for vecs in components:
        r = int(np.linalg.matrix_rank(vecs.astype(float)))
        par = par or bool((vecs[:, 2] != 0).any())
        # a rank-2 loop lattice always holds an in-plane vector (v1*c2 - v2*c1)
        perp = perp or r >= 2 or bool(((vecs[:, 2] == 0) & vecs[:, :2].any(axis=1)).any())
        if r > best:
            best, basis = r, _independent(vecs)
    return {"rank": best, "basis": basis, "1D": best >= 1, "2D": best >= 2, "3D": best >= 3,
            "perp_c": perp, "par_c": par}


def _independent(vecs: np.ndarray) -> list[list[int]]:
    """Shortest independent rows of ``vecs`` (greedy by length)."""
    out: list[np.ndarray] = []
    for v in sorted({tuple(int(x) for x in v) for v in vecs}, key=lambda v: (sum(x * x for x in v), v)):
        trial = [*out, np.array(v)]
        if np.linalg.matrix_rank(np.array(trial, dtype=float)) == len(trial):
            out = trial
    return [[int(x) for x in v] for v in out]


_KEYS = ("1D", "2D", "3D", "perp_c", "par_c")


def percolation(energy: np.ndarray, encut: float = 5.0, tol: float = 0.005) -> Percolation:
    """Percolation barriers (eV) of a periodic energy grid (eV, shape nx×ny×nz, axes along a, b, c).

    One bisection per quantity (1D, 2D, 3D; a path within the ab plane, ``perp_c``; one with a
    component along c, ``par_c``), each evaluation narrowing every quantity's interval (all five
    only switch on as the threshold grows).

    Parameters
    ----------
    energy : array
        Energy at each grid point (eV); only differences to its minimum matter.
    encut : float
        Highest barrier searched (eV above the minimum); a quantity not reached is ``None``.
    tol : float
        Bisection tolerance (eV).
    """
    e = np.asarray(energy, dtype=float)
    e = np.where(np.isfinite(e), e - np.nanmin(e), np.inf)
    lo = dict.fromkeys(_KEYS, 0.0)
    hi = dict.fromkeys(_KEYS, encut)
    basis: dict[str, list[list[int]]] = {k: [] for k in _KEYS}

    def probe(E: float) -> None:
        st = _state(e < E)
        for k in _KEYS:
            if st[k] and hi[k] >= E:
                hi[k], basis[k] = E, st["basis"]
            elif not st[k]:
                lo[k] = max(lo[k], E)

    top = _state(e < encut)
    reached = {k: bool(top[k]) for k in _KEYS}
    basis.update({k: top["basis"] for k in _KEYS if reached[k]})
    for k in _KEYS:
        while reached[k] and hi[k] - lo[k] > tol:
            probe(0.5 * (lo[k] + hi[k]))
    barriers = {k: round(hi[k], 4) if reached[k] else None for k in _KEYS}
    return Percolation({k: barriers[k] for k in _KEYS[:3]},
                       {k: basis[k] if reached[k] else [] for k in _KEYS[:3]},
                       {k: barriers[k] for k in _KEYS[3:]})
