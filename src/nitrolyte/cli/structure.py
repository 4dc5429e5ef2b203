"""``nitrolyte structure``: the validated structure library, and the user's own CIFs.

``nitrolyte structure`` lists every entry with its validation verdict; ``nitrolyte structure NAME``
shows one entry (source, DOI, checks); ``nitrolyte structure NAME --cif FILE`` adds the user's own
structure under NAME, so that ``--source ml`` can judge a composition no database holds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nitrolyte.cli._common import DbOption, JsonOption, echo_json, handle_errors


@handle_errors
def structure(name: Annotated[str | None, typer.Argument(metavar="[NAME]")] = None,
              cif: Annotated[Path | None, typer.Option("--cif", metavar="FILE",
                                                       help="Add this CIF to the library as NAME.")] = None,
              db: DbOption = None, json_: JsonOption = False) -> None:
    """Structure library: list entries, show one, or add your own CIF (--cif)."""
    from nitrolyte.errors import InputError
    from nitrolyte.store import Database
    from nitrolyte.structures.library import add_user_structure, all_entries, library_entry
    from nitrolyte.structures.validate import validate_entry

    store = Database(db) if db else None
    if cif is not None:
        if not name:
            raise InputError("structure --cif FILE needs a NAME for the new entry")
        entry = add_user_structure(name, cif, db=store)
        if json_:
            echo_json(entry.to_dict())
            return
        typer.echo(f"added {entry.name} ({entry.formula}, Z = {entry.Z}) from {cif.name}; "
                   "it is relaxed on first use by --source ml")
        return
    if name is None:
        rows = [{**e.to_dict()} for e in all_entries(store)]
        if json_:
            echo_json(rows)
            return
        for r in rows:
            typer.echo(f"{r['name']:16s} {r['formula']:14s} {r['kind']:9s} {r['source']}")
        return
    entry = library_entry(name)
    result = validate_entry(entry.name)
    if json_:
        echo_json({**entry.to_dict(), "validation": result.to_dict()})
        return
    typer.echo(f"{entry.name} ({entry.formula}), {entry.kind}, Z = {entry.Z}")
    typer.echo(f"  source: {entry.source}" + (f", doi {entry.doi}" if entry.doi else ""))
    for check, (ok, detail) in result.checks.items():
        typer.echo(f"  {check}: {'ok' if ok else 'FAILED'} ({detail})")


def register(app: typer.Typer) -> None:
    """Add the ``structure`` command."""
    app.command("structure")(structure)
