"""Electrochemical stability: windows, decomposition products, interfaces and SSE pairing.

Implements Figs. 2A, 12B-D and 17A and Section 4.3 of the review with pymatgen's phase-diagram
machinery and a pluggable energy source (embedded experimental table, Materials Project, or the
user's own pymatgen entries).

>>> from nitrolyte.stability import electrochemical_window
>>> w = electrochemical_window("Li3N")
>>> round(w.oxidation_V, 3), w.oxidation_products, w.stable_against_li
(0.444, ('N2',), True)
"""

from __future__ import annotations

from nitrolyte.stability._common import clear_cache, full_reduction_products, resolve_material
from nitrolyte.stability.energies import (
    EmbeddedSource,
    EnergySource,
    MissingPhase,
    MPSource,
    UserEntriesSource,
    read_thermochemistry,
    thermochemistry,
)
from nitrolyte.stability.interface import InterfaceResult, ReactionKink, interface_reaction
from nitrolyte.stability.profile import plateaus, voltage_profile
from nitrolyte.stability.reported import ReportedWindow, reported_window, reported_windows
from nitrolyte.stability.sources import resolve_source
from nitrolyte.stability.stack import (
    ELECTRODES,
    Electrode,
    InterfaceCheck,
    LayerWindow,
    StackCheck,
    check_stack,
    layer_window,
)
from nitrolyte.stability.window import ProfileSegment, StabilityWindow, electrochemical_window

__all__ = [
    "ELECTRODES",
    "Electrode",
    "EmbeddedSource",
    "EnergySource",
    "InterfaceCheck",
    "InterfaceResult",
    "LayerWindow",
    "MPSource",
    "MissingPhase",
    "ProfileSegment",
    "ReactionKink",
    "ReportedWindow",
    "StabilityWindow",
    "StackCheck",
    "UserEntriesSource",
    "check_stack",
    "clear_cache",
    "electrochemical_window",
    "full_reduction_products",
    "interface_reaction",
    "layer_window",
    "plateaus",
    "read_thermochemistry",
    "reported_window",
    "reported_windows",
    "resolve_material",
    "resolve_source",
    "thermochemistry",
    "voltage_profile",
]
