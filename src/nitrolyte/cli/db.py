"""``nitrolyte db upgrade | current | history | dump | restore``: the database itself.

``upgrade`` migrates an older nitrolyte database to this version's schema (a SQLite file is
copied to ``NAME.<revision>-<time>.bak`` first); ``current`` shows its revision without changing
anything; ``history`` lists the migrations; ``dump``/``restore`` copy a database's own rows
(with provenance) to a JSON file and into another database, SQLite or PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nitrolyte.cli._common import DbOption, JsonOption, echo_json, handle_errors

db_app = typer.Typer(name="db", help="The database itself: schema migrations, dump and restore.",
                     no_args_is_help=True)


def upgrade_cmd(as_json: JsonOption = False, db: DbOption = None) -> None:
    """Migrate the database to this nitrolyte's schema (backing a SQLite file up first)."""
    from nitrolyte.store import Database

    store = Database(db)
    res = store.upgrade()
    doc = {"schema": "nitrolyte.db-upgrade/1", "database": store.where,
           "upgraded": res is not None and res.from_revision is not None,
           **(res.to_dict() if res else {"from_revision": store.current()["revision"],
                                         "to_revision": store.current()["revision"],
                                         "backup": None})}
    if as_json:
        echo_json(doc)
    elif res is None or res.from_revision is None:
        typer.echo(f"database {store.where} is at revision {doc['to_revision']} (up to date)")
    else:
        backup = f"; backup: {res.backup}" if res.backup else ""
        typer.echo(f"upgraded {store.where} from revision {res.from_revision} to "
                   f"{res.to_revision}{backup}")


def current_cmd(as_json: JsonOption = False, db: DbOption = None) -> None:
    """Show the database's schema revision (changes nothing)."""
    from nitrolyte.store import Database

    store = Database(db)
    info = store.current()
    if as_json:
        echo_json({"schema": "nitrolyte.db-current/1", "database": store.where, **info})
        return
    rev = info["revision"] or "none (new database)"
    state = "up to date" if info["revision"] == info["head"] else f"head is {info['head']}"
    typer.echo(f"{store.where}: revision {rev}, schema version {info['schema_version']} ({state})")


def history_cmd(as_json: JsonOption = False) -> None:
    """List the schema migrations, oldest first."""
    from nitrolyte.store.migrate import history

    revs = history()
    if as_json:
        echo_json({"schema": "nitrolyte.db-history/1", "revisions": revs})
        return
    for r in revs:
        typer.echo(f"{r['revision']}  {r['description']}")


def dump_cmd(file: Annotated[Path, typer.Argument(help="Output JSON file.")],
             db: DbOption = None) -> None:
    """Write the database's own rows (with provenance), sets, cache and tokens to JSON."""
    from nitrolyte.store import Database

    store = Database(db)
    res = store.dump(file)
    typer.echo(f"dumped {res.n_measurements} user measurement(s) from {store.where} to {file}")


def restore_cmd(file: Annotated[Path, typer.Argument(help="A file written by `db dump`.")],
                replace: Annotated[bool, typer.Option(
                    "--replace", help="Delete the database's user rows first.")] = False,
                db: DbOption = None) -> None:
    """Load a dump into this database (all or nothing)."""
    from nitrolyte.store import Database

    store = Database(db)
    res = store.restore(file, replace=replace)
    typer.echo(f"restored {res.n_measurements} user measurement(s) from {file} into "
               f"{store.where}")


def register(app: typer.Typer) -> None:
    """Add the ``db`` command group to the ``nitrolyte`` app."""
    db_app.command("upgrade")(handle_errors(upgrade_cmd))
    db_app.command("current")(handle_errors(current_cmd))
    db_app.command("history")(handle_errors(history_cmd))
    db_app.command("dump")(handle_errors(dump_cmd))
    db_app.command("restore")(handle_errors(restore_cmd))
    app.add_typer(db_app)
