"""Interatomic potentials for MD, in one registry (name -> :class:`Potential`).

``chgnet`` is the offline pretrained CHGNet (:mod:`nitrolyte.structures.atomistic.potential`);
``lj-toy`` is a Lennard-Jones potential with no physical meaning, cheap enough to exercise the
MD, analysis, storage and campaign plumbing in tests. Add one with :func:`register_potential`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nitrolyte.errors import InputError


@dataclass(frozen=True)
class Potential:
    """A registered potential: ``calculator(device)`` -> ASE calculator; ``version()`` -> str."""

    name: str
    description: str
    calculator: Callable[[str], Any]
    version: Callable[[], str]


#: name -> potential
POTENTIALS: dict[str, Potential] = {}


def register_potential(name: str, description: str, version: Callable[[], str]
                       ) -> Callable[[Callable[[str], Any]], Callable[[str], Any]]:
    """Decorator registering ``calculator(device)`` under ``name``."""

    def deco(func: Callable[[str], Any]) -> Callable[[str], Any]:
        POTENTIALS[name] = Potential(name, description, func, version)
        return func

    return deco


def get_potential(name: str) -> Potential:
    """The registered potential ``name`` (InputError listing the known ones otherwise)."""
    if name not in POTENTIALS:
        raise InputError(f"potential must be one of {', '.join(POTENTIALS)}; got {name!r}")
    return POTENTIALS[name]


def _quiet() -> Any:
    """CHGNet prints banners on stdout; send them to stderr so ``--json`` output stays JSON."""
    import contextlib
    import sys

    return contextlib.redirect_stdout(sys.stderr)


def _chgnet_version() -> str:
    from nitrolyte.structures.atomistic.potential import model_version

    with _quiet():
        return model_version()


@register_potential("chgnet", "pretrained CHGNet universal potential (offline weights)",
                    _chgnet_version)
def _chgnet(device: str) -> Any:
    import functools

    from nitrolyte.structures.atomistic.potential import chgnet_calculator

    with _quiet():
        calc = chgnet_calculator(device)
    # NVT MD needs energy and forces only: skipping stress and magmoms saves ~1/3 of a step
    calc.calculate = functools.partial(calc.calculate, task="ef")
    return calc


def _lj_version() -> str:
    import ase

    return f"lj-toy sigma=1.8A eps=0.02eV rc=4A (ase {ase.__version__})"


@register_potential("lj-toy", "Lennard-Jones toy for plumbing tests (no physical meaning)",
                    _lj_version)
def _lj(device: str) -> Any:
    from ase.calculators.lj import LennardJones

    return LennardJones(sigma=1.8, epsilon=0.02, rc=4.0, smooth=True)
