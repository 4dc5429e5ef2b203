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
from typing import TYPE_CHECKING

from nitrolyte.errors import InputError
from nitrolyte.stability.energies import (
    EnergySource,
    MPSource,
    UserEntriesSource,
    _default_embedded,
)

if TYPE_CHECKING:
    from nitrolyte.store.database import DatabaseLike

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


#: a model source's factory: (potential name or None, database or None) -> source
ModelFactory = Callable[["str | None", "DatabaseLike | None"], EnergySource]
#: sources whose energies come from an ML potential: name -> factory
MODEL_SOURCES: dict[str, ModelFactory] = {}


def register_model_source(name: str) -> Callable[[ModelFactory], ModelFactory]:
    """Register ``factory(potential, db)`` under a source name; ``NAME`` is the default model's
    source and ``NAME@POTENTIAL`` (or ``--potential POTENTIAL``) another registered model's;
    ``db`` is the database whose user structures join the library (None: the user's)."""
    def deco(factory: ModelFactory) -> ModelFactory:
        MODEL_SOURCES[name] = factory
        SOURCES[name] = lambda: factory(None, None)
        return factory
    return deco


@register_model_source("ml")
def _ml_default(potential: str | None, db: DatabaseLike | None) -> EnergySource:
    from nitrolyte.stability.ml import ml_source

    return ml_source("anchored", potential, db=db)


@register_model_source("ml:mp2020")
def _ml_mp2020(potential: str | None, db: DatabaseLike | None) -> EnergySource:
    from nitrolyte.stability.ml import ml_source

    return ml_source("mp2020", potential, db=db)


@register_model_source("auto")
def _hybrid(potential: str | None, db: DatabaseLike | None) -> EnergySource:
    from nitrolyte.stability.ml import hybrid_source

    return hybrid_source(potential, db=db)


def resolve_source(source: str | Path | EnergySource = DEFAULT_SOURCE,
                   potential: str | None = None, db: DatabaseLike | None = None) -> EnergySource:
    """Turn a registered name (``"embedded"``, ``"mp"``, ``"ml"``, ``"ml:mp2020"``, ``"auto"``, or
    ``"ml@sevennet"``: an ML source with another registered potential), a path to an entries JSON
    file or a source into a source.

    Parameters
    ----------
    potential : str, optional
        A registered potential (:data:`nitrolyte.potentials.POTENTIALS`) for the ML sources
        (``ml``, ``ml:mp2020``, ``auto``); the default model when None.
    db : Database, URL or path, optional
        The database whose user structures an ML source reads (default: the user's); a source
        without a structure library ignores it.

    Raises
    ------
    InputError
        For anything else, naming the value received; for ``potential`` with a source that uses
        no model.
    """
    src = _resolve(source, potential, db)
    with_database = getattr(src, "with_database", None)
    return src if db is None or with_database is None else with_database(db)


def _resolve(source: str | Path | EnergySource, potential: str | None, db: DatabaseLike | None
             ) -> EnergySource:
    if isinstance(source, str) and "@" in source and source.split("@", 1)[0] in MODEL_SOURCES:
        base, named = source.split("@", 1)
        if potential not in (None, named):
            raise InputError(f"source {source!r} names potential {named!r} but --potential is {potential!r}")
        source, potential = base, named
    if isinstance(source, str) and source in MODEL_SOURCES:
        from nitrolyte.potentials import get_potential

        return MODEL_SOURCES[source](None if potential is None else get_potential(potential).name, db)
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
