"""kinisi's unwrapping of non-orthorhombic trajectories, over blocks of frames.

kinisi (2.1) unwraps a trajectory in a non-orthorhombic cell (hexagonal Li3N is one) by taking,
for every frame step and atom, the shortest of 8 periodic images of the fractional step, all at
once: integer and float image arrays, their Cartesian vectors and norms, about 650 bytes per
atom and frame (6.7 GB for 2,048 atoms x 5,000 frames, a 50 ps run with a frame every 10 fs).
Each frame step is independent of the others, so :func:`chunked_non_orthorhombic_displacements`
does exactly kinisi's arithmetic over blocks of :data:`BLOCK_FRAMES` frame steps and then the
same cumulative sum; only the block's images exist at a time. :func:`install` puts it in place
of kinisi's static method (idempotent, process-wide; the numbers are kinisi's, tested).

Each kinisi analyzer also keeps its parser's raw fractional coordinates and uncorrected
displacements, used only to save the analyzer to a file; :func:`lighten` drops them (48 bytes
per atom and frame per analyzer; the drift-corrected displacements of the species stay).
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: frame steps per block (2,048 atoms: ~85 MB of images per block)
BLOCK_FRAMES = 64

#: kinisi's 8 periodic images of a fractional step, in its order
_IMAGES = np.array([[0, 0, 0], [-1, 0, 0], [-1, -1, 0], [0, -1, 0], [0, 0, -1], [-1, 0, -1],
                    [-1, -1, -1], [0, -1, -1]], dtype=float)


def chunked_non_orthorhombic_displacements(coords: Any, lattice: Any,
                                           block: int = BLOCK_FRAMES) -> Any:
    """Unwrapped displacements (scipp, dims ``obs, particle, dimension``, lattice unit).

    Parameters
    ----------
    coords : scipp.Variable
        Fractional coordinates, dims ``time, particle, dimension``.
    lattice : scipp.Variable
        Lattice matrices per frame (Å), dims ``time, dimension1, dimension2``.
    block : int
        Frame steps per block.
    """
    import scipp as sc

    c, lat = coords.values, lattice.values
    n_steps = c.shape[0] - 1
    out = np.empty((n_steps, c.shape[1], 3))
    for t0 in range(0, n_steps, block):
        t1 = min(t0 + block, n_steps)
        diff = c[t0 + 1:t1 + 1] - c[t0:t1]
        diff[diff < 0] += 1
        images = _IMAGES + diff[..., np.newaxis, :]
        cart = np.einsum("taid,tdc->taic", images, lat[t0 + 1:t1 + 1])
        pick = np.argmin(np.linalg.norm(cart, axis=-1), axis=-1)
        out[t0:t1] = np.take_along_axis(cart, pick[..., np.newaxis, np.newaxis], axis=2)[:, :, 0]
    steps = sc.array(dims=["obs", *coords.dims[1:]], values=out, unit=lattice.unit)
    return sc.cumsum(steps, "obs")


#: kinisi's own routine, kept by :func:`install` (tests compare against it)
ORIGINAL: dict[str, Any] = {}


def install() -> bool:
    """Use the blocked unwrapping in kinisi's parsers (idempotent); False, and kinisi's own
    routine kept, when this kinisi has no such routine (another version: same numbers, more
    memory)."""
    from kinisi.parser import Parser

    name = "non_orthorhombic_calculate_displacements"
    current = Parser.__dict__.get(name)
    if current is None:
        return False
    if getattr(current, "__func__", None) is chunked_non_orthorhombic_displacements:
        return True
    ORIGINAL.setdefault("routine", current.__func__ if isinstance(current, staticmethod)
                        else current)
    setattr(Parser, name, staticmethod(chunked_non_orthorhombic_displacements))
    return True


def lighten(analyzer: Any) -> Any:
    """Drop ``analyzer``'s parser's raw coordinates and uncorrected displacements (kinisi reads
    them only to save to a file, which nitrolyte never does); returns ``analyzer``."""
    parser = analyzer.trajectory
    for name in ("_coords", "_disp"):
        if hasattr(parser, name):
            setattr(parser, name, None)
    return analyzer
