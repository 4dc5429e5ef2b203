"""What MD adds to the one potentials registry (:mod:`nitrolyte.potentials`).

* ``chgnet``'s ``"md"`` calculator: :class:`~nitrolyte.simulate.lean_chgnet.LeanCHGNetCalculator`
  (energy and forces only, first-order autograd, the crystal graph built with numpy): half the
  memory of CHGNet's own calculator, the same forces.
* ``lj-toy``: a Lennard-Jones potential with no physical meaning, cheap enough to exercise the MD,
  analysis, storage and campaign plumbing in tests (never part of the committee).

MD asks ``get_potential(name).calculator(device, purpose="md")``; a potential without an MD
variant runs with its general calculator.
"""

from __future__ import annotations

from typing import Any

from nitrolyte.potentials import (
    POTENTIALS,
    Potential,
    get_potential,
    register_potential,
    register_variant,
)

__all__ = ["POTENTIALS", "get_potential", "register_potential"]


def _quiet() -> Any:
    """CHGNet prints banners on stdout; send them to stderr so ``--json`` output stays JSON."""
    import contextlib
    import sys

    return contextlib.redirect_stdout(sys.stderr)


@register_variant("chgnet", "md")
def _chgnet_md(device: str) -> Any:
    from nitrolyte.potentials.chgnet import load_chgnet
    from nitrolyte.simulate.lean_chgnet import LeanCHGNetCalculator

    with _quiet():
        model = load_chgnet(device)
    return LeanCHGNetCalculator(model, device)


def _lj_version() -> str:
    import ase

    return f"lj-toy sigma=1.8A eps=0.02eV rc=4A (ase {ase.__version__})"


def _lj(device: str) -> Any:
    from ase.calculators.lj import LennardJones

    return LennardJones(sigma=1.8, epsilon=0.02, rc=4.0, smooth=True)


register_potential(Potential(
    name="lj-toy", label="Lennard-Jones toy", package=None, model="lj", pinned=None,
    description="Lennard-Jones toy for plumbing tests (no physical meaning)",
    make_calculator=_lj, committee=False, fixed_version=_lj_version))
