"""How simulated results are marked beside experiments (tables, figures, ``show``).

A stored row or point whose ``method`` is in :data:`SIMULATION_METHODS` is a simulation; it is
labelled ``"MD (simulation)"`` wherever experiments and simulations appear together.
"""

from __future__ import annotations

#: stored ``method`` values that are simulations, not experiments
SIMULATION_METHODS: tuple[str, ...] = ("MD",)
#: how an MD result is named in legends and tables
SIMULATION_LABEL = "MD (simulation)"


def is_simulation(method: object) -> bool:
    """Whether a stored ``method`` is a simulation (``"MD"``)."""
    return isinstance(method, str) and method.strip() in SIMULATION_METHODS


def method_label(method: object) -> str:
    """The method as shown to a reader: ``"MD (simulation)"`` for MD, else the text (or "")."""
    if is_simulation(method):
        return SIMULATION_LABEL
    return method if isinstance(method, str) else ""
