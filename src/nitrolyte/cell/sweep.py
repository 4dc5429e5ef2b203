"""Vectorised sweeps of pouch-cell designs over any parameters (outer product of the axes).

``sweep(areal_capacity_mAh_cm2=np.linspace(1, 10, 100), sse_um=np.linspace(0, 200, 100),
n_p=[1, 2, 5, 10])`` evaluates 40 000 designs in one numpy pass; 10^6 designs is an ordinary call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from nitrolyte.cell.critical import expand_sse
from nitrolyte.cell.pouch import PouchCell, unit_of
from nitrolyte.errors import InputError

Output = Literal["frame", "grid"]
#: the outputs a sweep returns, per design
OUTPUTS = ("gravimetric_Wh_kg", "volumetric_Wh_L", "energy_mWh_cm2", "mass_mg_cm2",
           "thickness_um")


@dataclass(frozen=True)
class SweepGrid:
    """An xarray-like grid: one ndarray per output over the swept axes.

    Attributes
    ----------
    dims : tuple of str
        Axis names, in order (the parameters swept, units in their names).
    coords : dict of str to ndarray
        The values along each axis.
    data : dict of str to ndarray
        ``OUTPUTS`` (and ``mass_<layer>_mg_cm2``), each of shape ``tuple(len(c) for c in
        coords.values())``.
    fixed : dict
        The parameters that were not swept.
    """

    dims: tuple[str, ...]
    coords: dict[str, np.ndarray]
    data: dict[str, np.ndarray]
    fixed: dict[str, Any]

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(self.coords[d]) for d in self.dims)

    def to_frame(self) -> pd.DataFrame:
        """Long (tidy) frame: one row per design, axis columns then output columns."""
        mesh = np.meshgrid(*(self.coords[d] for d in self.dims), indexing="ij")
        cols = {d: m.ravel() for d, m in zip(self.dims, mesh, strict=True)}
        cols.update({k: v.ravel() for k, v in self.data.items()})
        return pd.DataFrame(cols)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (nested lists)."""
        return {"dims": list(self.dims),
                "coords": {d: {"values": self.coords[d].tolist(), "unit": unit_of(d)}
                           for d in self.dims},
                "data": {k: v.tolist() for k, v in self.data.items()},
                "fixed": {k: {"value": v, "unit": unit_of(k)} for k, v in self.fixed.items()}}


def _is_axis(value: Any) -> bool:
    return not isinstance(value, str) and np.ndim(value) == 1


def sweep(output: Output = "frame", *, layers: bool = False,
          **params: Any) -> pd.DataFrame | SweepGrid:
    """Evaluate every combination of the swept parameters.

    Parameters
    ----------
    output : {"frame", "grid"}
        ``"frame"``: a long DataFrame (one row per design); ``"grid"``: a :class:`SweepGrid`.
    layers : bool
        Also return the mass of each layer (``mass_<layer>_mg_cm2``, mg/cm2).
    **params
        :class:`PouchCell` parameters (``sse_um`` sets both SSE layers). A 1-D sequence or
        array is an axis of the sweep; a scalar or a string is held fixed. Units as in the names.

    Returns
    -------
    pandas.DataFrame or SweepGrid
        Columns/arrays ``gravimetric_Wh_kg`` (Wh/kg), ``volumetric_Wh_L`` (Wh/L),
        ``energy_mWh_cm2``, ``mass_mg_cm2``, ``thickness_um``.

    Notes
    -----
    Axis :math:`i` of length :math:`n_i` is reshaped to broadcast along dimension :math:`i`, so
    the model runs once over all :math:`\\prod_i n_i` designs.
    """
    if output not in ("frame", "grid"):
        raise InputError(f"sweep: output must be 'frame' or 'grid', got {output!r}")
    axes = {k: np.asarray(v, dtype=float) for k, v in params.items() if _is_axis(v)}
    for name, values in axes.items():
        if values.size == 0:
            raise InputError(f"sweep: axis {name} is empty")
    fixed = {k: v for k, v in params.items() if k not in axes}
    for k, v in fixed.items():
        if not isinstance(v, str) and v is not None and np.ndim(v) > 0:
            raise InputError(f"sweep: {k} must be a scalar or a 1-D sequence, got {np.ndim(v)}-D")
    ndim = len(axes)
    shaped = {}
    for i, (name, values) in enumerate(axes.items()):
        shape = [1] * ndim
        shape[i] = values.size
        shaped[name] = values.reshape(shape)
    design = expand_sse({**fixed, **shaped})
    result = PouchCell(**design).evaluate()
    full = tuple(v.size for v in axes.values())
    data = {k: np.broadcast_to(getattr(result, k), full) for k in OUTPUTS}
    if layers:
        data.update({f"mass_{layer}_mg_cm2": np.broadcast_to(m, full)
                     for layer, m in result.layer_mass_mg_cm2.items()})
    grid = SweepGrid(dims=tuple(axes), coords=axes, data=data, fixed=fixed)
    return grid if output == "grid" else grid.to_frame()
