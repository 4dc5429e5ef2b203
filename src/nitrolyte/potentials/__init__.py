"""Interatomic potentials: one contract (:class:`Potential`) and one registry (:data:`POTENTIALS`).

Registered here: ``chgnet`` (the default) and ``sevennet``, the two models of the committee every
ML energy is computed with. Importing this package imports neither torch nor the model packages.
"""

from __future__ import annotations

from nitrolyte.potentials import chgnet as _chgnet  # noqa: F401  (registers "chgnet")
from nitrolyte.potentials import sevennet as _sevennet  # noqa: F401  (registers "sevennet")
from nitrolyte.potentials.registry import (
    DEFAULT_POTENTIAL,
    NEEDS_EXTRA,
    POTENTIALS,
    Potential,
    ase_relax,
    committee,
    get_potential,
    register_potential,
    register_variant,
    resolve_device,
)

__all__ = ["DEFAULT_POTENTIAL", "NEEDS_EXTRA", "POTENTIALS", "Potential", "ase_relax", "committee",
           "get_potential", "register_potential", "register_variant", "resolve_device"]
