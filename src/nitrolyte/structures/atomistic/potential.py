"""The offline CHGNet potential (pretrained weights shipped inside the ``chgnet`` wheel).

TEMP until issue 11 lands: minimal version of the contract in CONTRACTS.md (``load_chgnet``,
``chgnet_calculator``, ``model_version``, ``resolve_device``); issue 11's module replaces this file.
"""

from __future__ import annotations

import functools
from typing import Any

from nitrolyte.checks import check_choice
from nitrolyte.errors import InputError

DEVICES = ("auto", "cpu", "cuda")


def resolve_device(device: str = "auto") -> str:
    """``"auto"`` -> ``"cuda"`` when torch sees a GPU, else ``"cpu"``; ``"cuda"`` must exist."""
    check_choice("device", device, DEVICES)
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise InputError("device: cuda requested but torch sees no CUDA GPU; use cpu or auto")
    return device


@functools.cache
def load_chgnet(device: str = "cpu") -> Any:
    """The pretrained CHGNet model on ``device`` (cached per device; no download)."""
    import warnings

    from chgnet.model import CHGNet

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CHGNet.load(use_device=resolve_device(device), verbose=False)


def chgnet_calculator(device: str = "cpu") -> Any:
    """An ASE calculator over :func:`load_chgnet` (energies eV, forces eV/Å, stress)."""
    from chgnet.model.dynamics import CHGNetCalculator

    dev = resolve_device(device)
    return CHGNetCalculator(model=load_chgnet(dev), use_device=dev)


def model_version() -> str:
    """``"CHGNet <weights version> (chgnet <package version>)"``."""
    from importlib.metadata import version

    return f"CHGNet {load_chgnet('cpu').version} (chgnet {version('chgnet')})"
