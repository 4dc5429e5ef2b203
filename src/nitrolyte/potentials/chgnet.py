"""CHGNet (Deng et al., Nat. Mach. Intell. 2023, 5, 1031), the default potential.

The pretrained weights ship inside the ``chgnet`` wheel, so loading needs no network. Trained on
Materials Project GGA/GGA+U relaxations (MPtrj); energies in eV on the MP scale (uncorrected).
Relaxations use CHGNet's own ``StructOptimizer`` (FIRE, cell and positions), which produced the
packaged table. MD uses the lean calculator that :mod:`nitrolyte.simulate.potentials` registers
as this potential's ``"md"`` variant.
"""

from __future__ import annotations

import contextlib
import functools
import io
import warnings
from typing import TYPE_CHECKING, Any

from nitrolyte.potentials.registry import Potential, register_potential, resolve_device

if TYPE_CHECKING:
    from pymatgen.core import Structure

#: the pretrained CHGNet weights loaded (named so the version is known without loading)
MODEL_NAME = "0.3.0"


@functools.cache
def load_chgnet(device: str = "cpu") -> Any:
    """The pretrained CHGNet model on ``device`` (loaded once per device, offline).

    Raises
    ------
    ModelNotInstalledError
        When ``chgnet`` (or torch) is not installed.
    """
    dev = resolve_device(device)
    CHGNET.require()
    try:
        from chgnet.model import CHGNet
    except ImportError:
        from nitrolyte.errors import ModelNotInstalledError
        from nitrolyte.potentials.registry import NEEDS_EXTRA

        raise ModelNotInstalledError(NEEDS_EXTRA.format(package="chgnet")) from None
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        return CHGNet.load(model_name=MODEL_NAME, use_device=dev, verbose=False)


def chgnet_calculator(device: str = "cpu") -> Any:
    """CHGNet's own ASE calculator on the cached model (energy, forces, stress)."""
    from chgnet.model.dynamics import CHGNetCalculator

    dev = resolve_device(device)
    return CHGNetCalculator(model=load_chgnet(dev), use_device=dev)


def _relax(structure: Structure, device: str, fmax: float, steps: int,
           relax_cell: bool) -> tuple[float, Structure, int]:
    from chgnet.model import StructOptimizer

    model = load_chgnet(device)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        opt = StructOptimizer(model=model, use_device=device)
        out = opt.relax(structure, fmax=fmax, steps=steps, relax_cell=relax_cell, verbose=False)
    traj = out["trajectory"]
    return float(traj.energies[-1]) / len(structure), out["final_structure"], len(traj.energies)


CHGNET = register_potential(Potential(
    name="chgnet", label="CHGNet", package="chgnet", model=MODEL_NAME, pinned="0.4.2",
    description="pretrained CHGNet 0.3.0 universal potential (MPtrj; weights in the wheel, offline)",
    make_calculator=chgnet_calculator, relaxer=_relax))
