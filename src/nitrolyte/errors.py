"""One exception tree for nitrolyte.

Every error a user can trigger derives from :class:`NitrolyteError`, and the ones caused by
bad input also derive from :class:`ValueError` so that generic code keeps working.
"""

from __future__ import annotations

from collections.abc import Iterable


class NitrolyteError(Exception):
    """Base class of every nitrolyte error."""


class InputError(NitrolyteError, ValueError):
    """A function or CLI option received a value outside its allowed range or of the wrong kind."""


class UnitError(InputError):
    """A unit string is unknown or has the wrong dimension for the field it labels."""


class DataValidationError(NitrolyteError, ValueError):
    """A data record (package data, an imported CSV/JSON row) failed validation.

    The message names the row and the column.
    """


class UnknownMaterialError(NitrolyteError, LookupError):
    """A material name is not in the database; the message suggests close matches."""

    def __init__(self, name: str, known: Iterable[str] = (), detail: str = ""):
        self.name = name
        self._known, self._detail = list(known), detail
        self._message: str | None = None
        super().__init__(name)

    @property
    def suggestions(self) -> list[str]:
        """Known names closest to ``name``, best first (computed when first asked for)."""
        if not hasattr(self, "_suggestions"):
            from nitrolyte._text import suggest

            self._suggestions = suggest(self.name, self._known)
        return self._suggestions

    def __str__(self) -> str:  # LookupError would otherwise repr() the message
        if self._message is None:
            from nitrolyte._text import printable

            hint = f"; did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
            why = f" ({self._detail})" if self._detail else ""
            self._message = f"unknown material '{printable(self.name)}'{why}{hint}"
        return self._message


class AmbiguousNameError(UnknownMaterialError):
    """A name is the formula of several materials; the message lists them."""

    def __init__(self, name: str, candidates: Iterable[str]):
        from nitrolyte._text import printable

        super().__init__(name)
        self._suggestions = list(dict.fromkeys(candidates))
        self._message = (f"ambiguous material '{printable(name)}': it is the formula of "
                         f"{len(self._suggestions)} materials; name one of: "
                         f"{'; '.join(self._suggestions)}")


class MissingDataError(NitrolyteError, LookupError):
    """A calculation needs data the database does not hold (for example a phase's energy)."""

    def __str__(self) -> str:
        return str(self.args[0])


class EnergyNotComputedError(MissingDataError):
    """An ML energy is neither packaged nor cached, and is not computed here."""


class ModelNotInstalledError(EnergyNotComputedError):
    """A new ML energy must be computed but the model's package (the ``ml`` extra) is not installed."""


class DatabaseError(NitrolyteError, RuntimeError):
    """The embedded database could not be opened, written or migrated (locked, read-only, ...)."""


class OutputError(NitrolyteError):
    """A file could not be written (disk full, folder read-only); nothing partial was left."""


class AlreadyImportedError(NitrolyteError):
    """A file with the same content (SHA-256) was imported into this database before."""


class NitrolyteWarning(UserWarning):
    """Base of every warning nitrolyte emits (filter them all with this category)."""


class PlausibilityWarning(NitrolyteWarning):
    """A value computed where its data do not hold: outside a record's measured temperature
    range, past a known phase transition or past the melting point
    (:func:`nitrolyte.plausibility.evaluation_warnings`)."""
