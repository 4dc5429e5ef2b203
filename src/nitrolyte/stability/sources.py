"""The registry of named energy sources: ``resolve_source`` turns a name, a path or a source into one.

Sources are registered, not chained (STYLE.md): ``register_source(name)`` adds a zero-argument
factory, and every ``source=`` argument and ``--source`` option reads :data:`SOURCES`. The default is
:data:`DEFAULT_SOURCE` (``"auto"``: the experimental table where it holds a phase, anchored ML
energies elsewhere). This module sits above :mod:`~nitrolyte.stability.energies` and
:mod:`~nitrolyte.stability.ml`, so neither imports the other's registry.
"""

from __future__ import annotations

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


#: sources whose energies come from an ML potential: name -> factory(potential name or None)
MODEL_SOURCES: dict[str, Callable[[str | None], EnergySource]] = {}


def register_model_source(name: str) -> Callable[[Callable[[str | None], EnergySource]],
                                                 Callable[[str | None], EnergySource]]:
    """Register ``factory(potential)`` under a source name; ``NAME`` is the default model's source
    and ``NAME@POTENTIAL`` (or ``--potential POTENTIAL``) another registered model's."""
    def deco(factory: Callable[[str | None], EnergySource]) -> Callable[[str | None], EnergySource]:
        MODEL_SOURCES[name] = factory
        SOURCES[name] = lambda: factory(None)
        return factory
    return deco


@register_model_source("ml")
def _ml_default(potential: str | None) -> EnergySource:
    from nitrolyte.stability.ml import ml_source

    return ml_source("anchored", potential)


@register_model_source("ml:mp2020")
def _ml_mp2020(potential: str | None) -> EnergySource:
    from nitrolyte.stability.ml import ml_source

    return ml_source("mp2020", potential)


@register_model_source("auto")
def _hybrid(potential: str | None) -> EnergySource:
    from nitrolyte.stability.ml import hybrid_source

    return hybrid_source(potential)


def resolve_source(source: str | Path | EnergySource = DEFAULT_SOURCE,
                   potential: str | None = None) -> EnergySource:
    """Turn a registered name (``"embedded"``, ``"mp"``, ``"ml"``, ``"ml:mp2020"``, ``"auto"``, or
    ``"ml@sevennet"``: an ML source with another registered potential), a path to an entries JSON
    file or a source into a source.

    Parameters
    ----------
    potential : str, optional
        A registered potential (:data:`nitrolyte.potentials.POTENTIALS`) for the ML sources
        (``ml``, ``ml:mp2020``, ``auto``); the default model when None.

    Raises
    ------
    InputError
        For anything else, naming the value received; for ``potential`` with a source that uses
        no model.
    """
    if isinstance(source, str) and "@" in source and source.split("@", 1)[0] in MODEL_SOURCES:
        base, named = source.split("@", 1)
        if potential not in (None, named):
            raise InputError(f"source {source!r} names potential {named!r} but --potential is {potential!r}")
        source, potential = base, named
    if isinstance(source, str) and source in MODEL_SOURCES:
        from nitrolyte.potentials import get_potential

        return MODEL_SOURCES[source](None if potential is None else get_potential(potential).name)
    if potential is not None and hasattr(source, "with_potential"):
        from nitrolyte.potentials import get_potential

        return source.with_potential(get_potential(potential).name)  # type: ignore[union-attr]
    if potential is not None:
        raise InputError(f"potential applies to the ML sources ({', '.join(MODEL_SOURCES)}); "
                         f"source {source!r} uses no model; got potential {potential!r}")
    if isinstance(source, EnergySource) and not isinstance(source, str | Path):
        return source
    if isinstance(source, str) and source in SOURCES:
        return SOURCES[source]()
    if isinstance(source, str | Path) and Path(source).suffix.lower() == ".json":
        return UserEntriesSource(source)
    raise InputError(f"source must be {', '.join(repr(n) for n in SOURCES)}, a path to a "
                     f".json file of pymatgen entries, or an EnergySource; got {source!r}")
