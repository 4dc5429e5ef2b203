"""The registry of named energy sources: ``resolve_source`` turns a name, a path or a source into one.

Sources are registered, not chained (STYLE.md): ``register_source(name)`` adds a zero-argument
factory, and every ``source=`` argument and ``--source`` option reads :data:`SOURCES`. The default is
:data:`DEFAULT_SOURCE` (``"auto"``: the experimental table where it holds a phase, anchored ML
energies elsewhere). This module sits above :mod:`~nitrolyte.stability.energies` and
:mod:`~nitrolyte.stability.ml`, so neither imports the other's registry.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from nitrolyte.errors import InputError
from nitrolyte.stability.energies import (
    EnergySource,
    MPSource,
    UserEntriesSource,
    _default_embedded,
)

#: the source every function and command uses unless told otherwise
DEFAULT_SOURCE = "auto"

#: named energy sources: name -> factory (``register_source`` adds one; no if-chain elsewhere)
SOURCES: dict[str, Callable[[], EnergySource]] = {}


def register_source(name: str) -> Callable[[Callable[[], EnergySource]], Callable[[], EnergySource]]:
    """Register a zero-argument factory under a source name (``"embedded"``, ``"ml"``, ...)."""
    def deco(factory: Callable[[], EnergySource]) -> Callable[[], EnergySource]:
        SOURCES[name] = factory
        return factory
    return deco


register_source("embedded")(_default_embedded)
register_source("mp")(MPSource)


@register_source("ml")
@functools.cache
def _ml_default() -> EnergySource:
    from nitrolyte.stability.ml import MLSource

    return MLSource()


@register_source("ml:mp2020")
@functools.cache
def _ml_mp2020() -> EnergySource:
    from nitrolyte.stability.ml import MLSource

    return MLSource("mp2020")


@register_source("auto")
@functools.cache
def _hybrid() -> EnergySource:
    from nitrolyte.stability.ml import HybridSource

    return HybridSource()


def resolve_source(source: str | Path | EnergySource = DEFAULT_SOURCE) -> EnergySource:
    """Turn a registered name (``"embedded"``, ``"mp"``, ``"ml"``, ``"ml:mp2020"``, ``"auto"``), a path to an
    entries JSON file or a source into a source.

    Raises
    ------
    InputError
        For anything else, naming the value received.
    """
    if isinstance(source, EnergySource) and not isinstance(source, str | Path):
        return source
    if isinstance(source, str) and source in SOURCES:
        return SOURCES[source]()
    if isinstance(source, str | Path) and Path(source).suffix.lower() == ".json":
        return UserEntriesSource(source)
    raise InputError(f"source must be {', '.join(repr(n) for n in SOURCES)}, a path to a "
                     f".json file of pymatgen entries, or an EnergySource; got {source!r}")
