"""``nitrolyte structure``: the validated structure library, the user's own CIFs, predictions.

``nitrolyte structure`` lists every entry with its validation verdict; ``nitrolyte structure NAME``
shows one entry (source, DOI, checks); ``nitrolyte structure NAME --cif FILE`` adds the user's own
structure under NAME, so that ``--source ml`` can judge a composition no database holds;
``nitrolyte structure predict FORMULA --type T | --search N`` predicts one (``cli/predict.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from nitrolyte.cli._common import DbOption, JsonOption, echo_json, handle_errors

if TYPE_CHECKING:
    from nitrolyte.store.database import Database


class _ShowByDefault(TyperGroup):
    """``structure NAME`` (or no argument, or options only) runs ``structure show``; ``structure
    predict ...`` runs the sub-command."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = ["show", *args]
        return super().parse_args(ctx, args)


structure_app = typer.Typer(name="structure", cls=_ShowByDefault, no_args_is_help=False,
                            help="Structure library: list entries, show one, add your own CIF (--cif), "
                                 "or predict a structure (predict).")


@handle_errors
def structure(name: Annotated[str | None, typer.Argument(metavar="[NAME]")] = None,
              cif: Annotated[Path | None, typer.Option("--cif", metavar="FILE",
                                                       help="Add this CIF to the library as NAME.")] = None,
              db: DbOption = None, json_: JsonOption = False) -> None:
    """Structure library: list entries, show one, or add your own CIF (--cif)."""
    from nitrolyte.errors import InputError
    from nitrolyte.store import Database
    from nitrolyte.structures.library import (
        add_user_structure,
        all_entries,
        validate_entry,
    )

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
    entry = _entry_or_hint(name, store)
    result = validate_entry(entry.name, db=store)
    if json_:
        echo_json({**entry.to_dict(), "validation": result.to_dict()})
        return
    typer.echo(f"{entry.name} ({entry.formula}), {entry.kind}, Z = {entry.Z}")
    if entry.kind == "predicted":
        typer.echo(f"  structure: {entry.source}  (a prediction, not a measured structure)")
    typer.echo(f"  source: {entry.source}" + (f", doi {entry.doi}" if entry.doi else ""))
    for check, (ok, detail) in result.checks.items():
        typer.echo(f"  {check}: {'ok' if ok else 'FAILED'} ({detail})")


def _entry_or_hint(name: str, db: Database | None = None) -> Any:
    """The library entry of ``name``; for a formula nobody has a structure of, the one line saying how
    to predict one."""
    from nitrolyte.errors import InputError, MissingDataError, UnknownMaterialError
    from nitrolyte.formula import parse_formula
    from nitrolyte.structures.library import library_entry

    try:
        return library_entry(name, db)
    except UnknownMaterialError:
        try:
            parse_formula(name)
        except InputError:
            raise
        raise MissingDataError(f"no structure of {name} in the library and no prediction; predict one with "
                               f"'nitrolyte structure predict {name} --type TYPE' (or --search N), or add "
                               f"yours with 'nitrolyte structure NAME --cif FILE'") from None


def register(app: typer.Typer) -> None:
    """Add the ``structure`` group: ``show`` (the default) and ``predict``."""
    from nitrolyte.cli.predict import predict

    structure_app.command("show", help="List entries, show one (NAME), or add a CIF (--cif).")(structure)
    structure_app.command("predict")(predict)
    app.add_typer(structure_app)
