"""Plumbing shared by every ``nitrolyte`` command: options, error handling, JSON output.

Exit codes (docs/cli.md): 0 success; 1 the command failed (unknown material, invalid data row,
missing data, database locked or read-only); 2 bad input (an option value out of range or of the
wrong unit) or a usage error. Errors print one line on stderr starting with ``error:``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from nitrolyte._json import json_text
from nitrolyte.errors import DatabaseError, InputError, NitrolyteError
from nitrolyte.names import printable

F = TypeVar("F", bound=Callable[..., Any])

DbOption = Annotated[str | None, typer.Option(
    "--db", metavar="PATH", help="Database file or SQLAlchemy URL (default: $NITROLYTE_DATABASE_URL "
    "or the per-user data directory).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (schemas in docs/).")]


def one_line_warning(message: Warning | str, category: type[Warning], filename: str,
                     lineno: int, file: Any = None, line: str | None = None) -> None:
    """``warnings.showwarning`` of the command line (installed by :func:`nitrolyte.cli.main`,
    so also in ``serve``'s logs): one ``warning: ...`` line on stderr, never
    the source file and line (``fastcharge.py:117: PlausibilityWarning ...``). A warning of
    another package says its kind (``warning: UserWarning: ...``)."""
    from nitrolyte.errors import NitrolyteWarning

    text = " ".join(str(message).split())
    if not issubclass(category, NitrolyteWarning):
        text = f"{category.__name__}: {text}"
    typer.echo(f"warning: {printable(text, 4000)}", err=True)


def handle_errors(func: F) -> F:
    """Print nitrolyte errors as one clean line on stderr; exit 2 for bad input, else 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            _check_db_option(kwargs.get("db"))
            return func(*args, **kwargs)
        except InputError as exc:
            typer.echo(f"error: {printable(str(exc), 4000)}", err=True)
            raise typer.Exit(2) from None
        except NitrolyteError as exc:
            typer.echo(f"error: {printable(str(exc), 4000)}", err=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _check_db_option(db: object) -> None:
    """A ``--db`` that names a folder is an error on every command, needed or not."""
    from nitrolyte.store.location import directory_problem

    problem = directory_problem(db) if isinstance(db, str) else None
    if problem:
        raise DatabaseError(problem)


def echo_json(doc: Any) -> None:
    """Print a JSON document (UTF-8, indented, NaN as null)."""
    typer.echo(json_text(doc))


def echo_rows(title: str, columns: list[str], rows: list[list[str]]) -> None:
    """Print a titled table of text rows (rich's table; plain text where identical, see
    ``cli/_table.py``), the one table printer the commands share."""
    from nitrolyte.cli._table import print_table

    print_table(title, [(c, {}) for c in columns], rows)
