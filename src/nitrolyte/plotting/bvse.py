"""The Li bond-valence site-energy map of :mod:`nitrolyte.transport.bvse` (matplotlib, Agg-safe)."""

from __future__ import annotations

from typing import Any

import numpy as np


def plot_bvse(result: Any, title: str = "") -> Any:
    """Two projections of the BVSE map: the lowest energy along c (ab plane) and along b (ac plane).

    Colours run from 0 (the lowest Li site) to the 3D barrier + 0.5 eV; the white contour is the
    lowest percolation barrier (``Ea_eV``), i.e. the open region when Li first percolates.
    Axes are fractional coordinates (a non-orthogonal cell is shown sheared to a square).
    """
    from nitrolyte.plotting.arrhenius import _mpl

    plt = _mpl()
    e = result.energy - result.energy.min()
    found = [v for v in result.barriers_eV.values() if v is not None]
    top = (max(found) if found else 2.0) + 0.5
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 4.4))
    for ax, (proj, axis, labels) in zip(axes, [(e.min(axis=2), "c", ("a", "b")),
                                               (e.min(axis=1), "b", ("a", "c"))], strict=True):
        im = ax.imshow(np.clip(proj, 0, top).T, origin="lower", extent=(0, 1, 0, 1),
                       cmap="viridis", vmin=0, vmax=top, aspect="equal")
        if result.Ea_eV is not None:
            ax.contour(np.linspace(0, 1, proj.shape[0]), np.linspace(0, 1, proj.shape[1]),
                       proj.T, levels=[result.Ea_eV], colors="white", linewidths=1.0)
        ax.set_xlabel(f"{labels[0]} (fractional)")
        ax.set_ylabel(f"{labels[1]} (fractional)")
        ax.set_title(f"lowest site energy along {axis}")
    fig.colorbar(im, ax=axes, label="Li BVSE above the lowest site (eV)")
    ea = "none below the cutoff" if result.Ea_eV is None else f"{result.Ea_eV:.2f} eV ({result.dimensionality}D)"
    fig.suptitle(title or f"{result.formula}: BVSE percolation barrier {ea} (simulation, not a measured Ea)",
                 fontsize=10)
    return fig
