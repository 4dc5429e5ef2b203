"""CHGNet's loader and device choice, under their former import path.

The potentials live in :mod:`nitrolyte.potentials` (one contract, one registry); this module keeps
the names code was written against.
"""

from __future__ import annotations

from nitrolyte.potentials.chgnet import MODEL_NAME, chgnet_calculator, load_chgnet
from nitrolyte.potentials.registry import Device, resolve_device


def model_version() -> str:
    """CHGNet's version string, e.g. ``"chgnet-0.4.2/model-0.3.0"`` (no model load)."""
    from nitrolyte.potentials import get_potential

    return get_potential("chgnet").version


__all__ = ["MODEL_NAME", "Device", "chgnet_calculator", "load_chgnet", "model_version", "resolve_device"]
