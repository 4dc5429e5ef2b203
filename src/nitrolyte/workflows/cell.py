"""A cell design: the pouch cell's energy density and, on request, its fast-charge check.

``nitrolyte cell`` and ``POST /api/v1/cells`` (and the designer page's first view) call
:func:`cell_design`; :class:`CellDesign`'s ``to_dict()`` is the JSON both give.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nitrolyte.cell.fastcharge import FastChargeCheck
    from nitrolyte.cell.pouch import CellResult
    from nitrolyte.store.database import DatabaseLike


@dataclass(frozen=True)
class CellDesign:
    """One design's energy density and layers, and the C-rate check when one was asked for."""

    cell: CellResult
    fast_charge: FastChargeCheck | None = None

    def to_dict(self) -> dict[str, Any]:
        """The cell's ``to_dict()``, plus ``fast_charge`` when checked."""
        doc = self.cell.to_dict()
        if self.fast_charge is not None:
            doc["fast_charge"] = self.fast_charge.to_dict()
        return doc


def cell_design(design: Mapping[str, Any] | None = None, *, c_rate: float | None = None,
                T_K: float = 298.15, max_drop_V: float = 0.1,
                nitride_sigma_S_cm: float | None = None, nitride_material: str | None = None,
                catholyte_sigma_S_cm: float | None = None,
                db: DatabaseLike | None = None) -> CellDesign:
    """Evaluate ``design`` (:func:`~nitrolyte.cell.pouch.pouch_cell` parameters; ``sse_um``
    sets both SSE layers) and, with ``c_rate``, the SSE ohmic drop at that C-rate and ``T_K``
    (:func:`~nitrolyte.cell.fastcharge.fast_charge_check`; conductivities in S/cm, the
    nitride's from ``nitride_material`` in ``db`` when not given)."""
    from nitrolyte.cell.critical import expand_sse
    from nitrolyte.cell.pouch import pouch_cell

    params = expand_sse(dict(design or {}))
    cell = pouch_cell(**params)
    if c_rate is None:
        return CellDesign(cell=cell)
    from nitrolyte.cell.fastcharge import fast_charge_check

    check = fast_charge_check(c_rate=c_rate, T_K=T_K, max_drop_V=max_drop_V,
                              nitride_sigma_S_cm=nitride_sigma_S_cm,
                              nitride_material=nitride_material,
                              catholyte_sigma_S_cm=catholyte_sigma_S_cm, db=db, **params)
    return CellDesign(cell=cell, fast_charge=check)
