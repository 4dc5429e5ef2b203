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
        from nitrolyte.names import printable, suggest

        self.name = name
        self.suggestions = suggest(name, known)
        hint = f"; did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        why = f" ({detail})" if detail else ""
        super().__init__(f"unknown material '{printable(name)}'{why}{hint}")

    def __str__(self) -> str:  # LookupError would otherwise repr() the message
        return str(self.args[0])


class AmbiguousNameError(UnknownMaterialError):
    """A name is the formula of several materials; the message lists them."""

    def __init__(self, name: str, candidates: Iterable[str]):
        from nitrolyte.names import printable

        self.name = name
        self.suggestions = list(dict.fromkeys(candidates))
        LookupError.__init__(self, f"ambiguous material '{printable(name)}': it is the formula of "
                             f"{len(self.suggestions)} materials; name one of: "
                             f"{'; '.join(self.suggestions)}")


class MissingDataError(NitrolyteError, LookupError):
    """A calculation needs data the database does not hold (for example a phase's energy)."""

    def __str__(self) -> str:
        return str(self.args[0])


class DatabaseError(NitrolyteError, RuntimeError):
    """The embedded database could not be opened, written or migrated (locked, read-only, ...)."""
