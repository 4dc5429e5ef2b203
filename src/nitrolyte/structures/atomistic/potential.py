"""The offline machine-learned interatomic potential (CHGNet) and the device it runs on.

CHGNet (Deng et al., Nat. Mach. Intell. 2023, 5, 1031) ships its weights inside its wheel, so
loading it needs no network. It is trained on Materials Project GGA/GGA+U relaxations (MPtrj) and
predicts total energies in eV (per atom from ``predict_structure``) on the MP energy scale.

PyTorch must be the CPU wheel ``torch==2.13.0`` (see ``pyproject.toml``); ``"cuda"`` is only used
when asked for and available.
"""

from __future__ import annotations

import contextlib
import functools
import io
from typing import Any, Literal

from nitrolyte.errors import InputError, MissingDataError

Device = Literal["auto", "cpu", "cuda"]
_DEVICES = ("auto", "cpu", "cuda")


def _cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def resolve_device(device: str = "auto") -> str:
    """The torch device to run on.

    Parameters
    ----------
    device : {"auto", "cpu", "cuda"}
        ``"auto"`` is ``"cuda"`` when ``torch.cuda.is_available()`` and ``"cpu"`` otherwise.

    Returns
    -------
    str
        ``"cpu"`` or ``"cuda"``.

    Raises
    ------
    InputError
        For any other value, or ``"cuda"`` when no CUDA device is available.
    """
    if device not in _DEVICES:
        raise InputError(f"device must be one of {', '.join(_DEVICES)}; got {device!r}")
    if device == "auto":
        return "cuda" if _cuda_available() else "cpu"
    if device == "cuda" and not _cuda_available():
        raise InputError("device 'cuda' requested but torch.cuda.is_available() is False "
                         "(nitrolyte installs the CPU wheel of torch); use device='cpu' or 'auto'")
    return device


@functools.cache
def load_chgnet(device: str = "cpu") -> Any:
    """The pretrained CHGNet model on ``device`` (loaded once per device, offline).

    Parameters
    ----------
    device : {"auto", "cpu", "cuda"}
        Where the model runs (see :func:`resolve_device`).

    Returns
    -------
    chgnet.model.CHGNet
        The model with the weights bundled in the ``chgnet`` wheel.

    Raises
    ------
    MissingDataError
        When ``chgnet`` (or torch) is not installed.
    """
    dev = resolve_device(device)
    try:
        import warnings

        from chgnet.model import CHGNet
    except ImportError:
        raise MissingDataError("the ML energy source needs chgnet and torch==2.13.0 "
                               "(pip install 'nitrolyte[ml]')") from None
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        return CHGNet.load(use_device=dev, verbose=False)


def chgnet_calculator(device: str = "cpu") -> Any:
    """An ASE calculator backed by the cached CHGNet model (energies in eV, forces in eV/Å).

    Parameters
    ----------
    device : {"auto", "cpu", "cuda"}
        Where the model runs.

    Returns
    -------
    chgnet.model.dynamics.CHGNetCalculator
    """
    from chgnet.model.dynamics import CHGNetCalculator

    dev = resolve_device(device)
    return CHGNetCalculator(model=load_chgnet(dev), use_device=dev)


@functools.cache
def model_version() -> str:
    """A string naming the potential and its weights, e.g. ``"chgnet-0.4.2/model-0.3.0"``.

    It keys every cached ML result: a different model never reuses another's energies.
    """
    try:
        import chgnet
    except ImportError:
        raise MissingDataError("the ML energy source needs chgnet (pip install 'nitrolyte[ml]')") from None
    model = load_chgnet("cpu")
    return f"chgnet-{chgnet.__version__}/model-{getattr(model, 'version', 'unknown')}"
