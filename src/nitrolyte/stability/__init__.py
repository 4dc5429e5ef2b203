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

from nitrolyte._lazy import lazy_exports

# Loaded on first use (PEP 562): the command line reads the source registry without pandas and
# pymatgen, which the window/interface modules import.
_EXPORTS: dict[str, str] = {
    "ELECTRODES": "nitrolyte.stability.stack",
    "Electrode": "nitrolyte.stability.stack",
    "EmbeddedSource": "nitrolyte.stability.energies",
    "EnergySource": "nitrolyte.stability.energies",
    "InterfaceCheck": "nitrolyte.stability.stack",
    "InterfaceResult": "nitrolyte.stability.interface",
    "LayerWindow": "nitrolyte.stability.stack",
    "MPSource": "nitrolyte.stability.energies",
    "MissingPhase": "nitrolyte.stability.energies",
    "ProfileSegment": "nitrolyte.stability.window",
    "ReactionKink": "nitrolyte.stability.interface",
    "ReportedWindow": "nitrolyte.stability.reported",
    "StabilityWindow": "nitrolyte.stability.window",
    "StackCheck": "nitrolyte.stability.stack",
    "UserEntriesSource": "nitrolyte.stability.energies",
    "check_stack": "nitrolyte.stability.stack",
    "clear_cache": "nitrolyte.stability._common",
    "electrochemical_window": "nitrolyte.stability.window",
    "full_reduction_products": "nitrolyte.stability._common",
    "interface_reaction": "nitrolyte.stability.interface",
    "layer_window": "nitrolyte.stability.stack",
    "plateaus": "nitrolyte.stability.profile",
    "read_thermochemistry": "nitrolyte.stability.energies",
    "reported_window": "nitrolyte.stability.reported",
    "reported_windows": "nitrolyte.stability.reported",
    "resolve_material": "nitrolyte.stability._common",
    "resolve_source": "nitrolyte.stability.sources",
    "thermochemistry": "nitrolyte.stability.energies",
    "voltage_profile": "nitrolyte.stability.profile",
}

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


__getattr__, __dir__ = lazy_exports("nitrolyte.stability", _EXPORTS, globals())
