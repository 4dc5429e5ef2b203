"""All-solid-state Li-metal pouch cells: energy density layer by layer, sweeps, critical values.

Implements Fig. 17B-H and section 5 of the review (EES 2025, 18, 4521); see ``docs/cell.md``.
"""

from __future__ import annotations

from nitrolyte.cell.components import (
    Component,
    ComponentValue,
    component,
    component_names,
    component_value,
    components_frame,
)
from nitrolyte.cell.critical import (
    REVIEW_READING,
    SOLVABLE,
    CriticalValue,
    critical_value,
    review_section5_table,
)
from nitrolyte.cell.fastcharge import FastChargeCheck, fast_charge_check
from nitrolyte.cell.pouch import (
    LAYERS,
    LI_REVIEW_CAPACITY_MAH_G,
    LI_THEORETICAL_CAPACITY_MAH_G,
    CellResult,
    PouchCell,
    pouch_cell,
)
from nitrolyte.cell.sweep import SweepGrid, sweep

__all__ = [
    "LAYERS",
    "LI_REVIEW_CAPACITY_MAH_G",
    "LI_THEORETICAL_CAPACITY_MAH_G",
    "REVIEW_READING",
    "SOLVABLE",
    "CellResult",
    "Component",
    "ComponentValue",
    "CriticalValue",
    "FastChargeCheck",
    "PouchCell",
    "SweepGrid",
    "component",
    "component_names",
    "component_value",
    "components_frame",
    "critical_value",
    "fast_charge_check",
    "pouch_cell",
    "review_section5_table",
    "sweep",
]
