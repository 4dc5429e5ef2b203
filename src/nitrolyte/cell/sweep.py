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
    cell = PouchCell(**expand_sse({**fixed, **shaped}))
    full = tuple(v.size for v in axes.values())
    if output == "frame" and not layers:
        return _frame(cell, shaped, full)
    result = cell.evaluate()
    data = {k: np.broadcast_to(getattr(result, k), full) for k in OUTPUTS}
    if layers:
        data.update({f"mass_{layer}_mg_cm2": np.broadcast_to(m, full)
                     for layer, m in result.layer_mass_mg_cm2.items()})
    grid = SweepGrid(dims=tuple(axes), coords=axes, data=data, fixed=fixed)
    return grid if output == "grid" else grid.to_frame()


def _frame(cell: PouchCell, shaped: dict[str, np.ndarray], full: tuple[int, ...]) -> pd.DataFrame:
    """The long frame written in place: one float block, axis columns filled by broadcasting,
    output columns written by the model (no meshgrid, no intermediate grid, no copy)."""
    columns = [*shaped, *OUTPUTS]
    n = int(np.prod(full))
    block = np.empty((len(columns), n))
    for row, values in zip(block, shaped.values(), strict=False):
        row.reshape(full)[...] = values
    cell.evaluate(out=tuple(block[len(shaped) + k].reshape(full) for k in range(len(OUTPUTS))))
    return pd.DataFrame(block.T, columns=columns, copy=False)


#: areal capacities (mAh/cm2) drawn as separate curves in the rebuilt Fig. 17C-H
FIG17_AREAL_CAPACITIES = (1.0, 2.0, 3.0, 4.0, 5.0, 7.0, 10.0)
#: panel letters of Fig. 17 per catholyte: (vs SSE thickness, vs N/P, light foils)
FIG17_PANELS = {"Li3InCl6": ("C", "D", "E"), "LGPS": ("F", "G", "H")}


def review_figure17_data(catholyte: str = "Li3InCl6", *, points: int = 201) -> pd.DataFrame:
    """The curves of Fig. 17C-E (Li3InCl6) or F-H (LGPS), under this package's reading.

    Energy density vs SSE thickness (each layer 0-200 um, N/P 1, 10 um foils), vs N/P (0-20,
    20 um SSE layers) and vs SSE thickness with the light 8 um Al / 4 um Cu foils, one curve per
    areal capacity in :data:`FIG17_AREAL_CAPACITIES`.

    Parameters
    ----------
    catholyte : {"Li3InCl6", "LGPS"}
        Cathode-side SSE of the stack.
    points : int
        Points per curve.

    Returns
    -------
    pandas.DataFrame
        Long frame with ``panel`` (letter), ``x_name`` (``sse_um`` or ``n_p``), ``x``, the design
        columns and the :data:`OUTPUTS`.
    """
    from nitrolyte.cell.components import component_value, resolve
    from nitrolyte.cell.critical import REVIEW_READING

    name = resolve(catholyte)
    if name not in FIG17_PANELS:
        raise InputError(f"review_figure17_data: catholyte must be Li3InCl6 or LGPS, "
                         f"got {catholyte!r}")
    if int(points) < 2:
        raise InputError(f"review_figure17_data: points must be >= 2, got {points}")
    letters = FIG17_PANELS[name]
    q = list(FIG17_AREAL_CAPACITIES)
    thick = np.linspace(0.0, 200.0, int(points))
    std = {"al_um": REVIEW_READING["al_um"], "cu_um": REVIEW_READING["cu_um"]}
    light = {"al_um": component_value("Al", "light_thickness"),
             "cu_um": component_value("Cu", "light_thickness")}
    specs = (
        (letters[0], "sse_um", {"sse_um": thick, "n_p": REVIEW_READING["n_p"], **std}),
        (letters[1], "n_p", {"n_p": np.linspace(0.0, 20.0, int(points)),
                             "sse_um": REVIEW_READING["np_plot_sse_um"], **std}),
        (letters[2], "sse_um", {"sse_um": thick, "n_p": REVIEW_READING["n_p"], **light}),
    )
    frames = []
    for letter, x_name, params in specs:
        frame = sweep(areal_capacity_mAh_cm2=q, catholyte=name, **params)
        fixed = {k: v for k, v in params.items() if k != x_name}
        frame = frame.assign(**fixed, x=frame[x_name], x_name=x_name, panel=letter,
                             catholyte=name)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
