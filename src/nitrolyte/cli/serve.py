"""``nitrolyte serve`` and ``nitrolyte token create | list | revoke``: the lab's web server.

``serve`` runs the FastAPI application of :mod:`nitrolyte.web` under uvicorn on loopback
unless ``--host`` says otherwise. Writes need a token: ``nitrolyte token create NAME`` prints it
once (only its SHA-256 is stored). Errors print one line on stderr (exit 1; 2 for bad input).
"""

from __future__ import annotations

from typing import Annotated

import typer

from nitrolyte.cli._common import DbOption, JsonOption, echo_json, handle_errors
from nitrolyte.errors import InputError

token_app = typer.Typer(help="API tokens for writes to `nitrolyte serve` (create, list, revoke).",
                        no_args_is_help=True)


def serve_cmd(
    host: Annotated[str, typer.Option("--host", help="Interface to bind (default loopback only).")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port, 1-65535.")] = 8000,
    private: Annotated[bool, typer.Option("--private", help="Reads need a token too.")] = False,
    max_body_mb: Annotated[float, typer.Option("--max-body-mb", help="Largest request body, MB.")]
    = 8.0,
    db: DbOption = None,
) -> None:
    """Serve the web application and the REST API (/api/v1, schema at /openapi.json)."""
    from nitrolyte.api import database

    if not 1 <= port <= 65535:
        raise InputError(f"--port must be 1-65535, got {port}")
    if not 0 < max_body_mb <= 1024:
        raise InputError(f"--max-body-mb must be > 0 and <= 1024, got {max_body_mb:g}")
    try:
        import uvicorn  # noqa: F401

        from nitrolyte.web import create_app
        from nitrolyte.web.server import serve
    except ImportError as exc:
        raise InputError(f"nitrolyte serve needs the web extra ({exc.name} is missing): "
                         "pip install 'nitrolyte[web]'") from None
    store = database(db)
    store.ensure()  # open (create, migrate) before the first request; errors exit 1 here
    app = create_app(store, private=private, max_body_bytes=int(max_body_mb * 1024 * 1024))
    typer.echo(f"nitrolyte serving {store.where} on http://{host}:{port}/ "
               f"(reads {'need a token' if private else 'open'}; writes need a token)", err=True)
    serve(app, host, port)


@token_app.command("create")
@handle_errors
def token_create(name: Annotated[str, typer.Argument(help="Who or what uses the token.")],
                 scope: Annotated[str, typer.Option(
                     "--scope", help="write: may store data through the API (POST measurements, "
                     "imports, fits, eis); admin: that, and manage tokens through the API "
                     "(GET/POST /api/v1/tokens, DELETE /api/v1/tokens/NAME).")] = "write",
                 as_json: JsonOption = False, db: DbOption = None) -> None:
    """Create a token and print it once (only its hash is stored)."""
    from nitrolyte.api import database

    plain = database(db).create_token(name, scope)  # type: ignore[arg-type]
    if as_json:
        echo_json({"name": name, "scope": scope, "token": plain})
    else:
        typer.echo(plain)
        typer.echo(f"token {name!r} ({scope}) created; it is shown only this once", err=True)


@token_app.command("list")
@handle_errors
def token_list(as_json: JsonOption = False, db: DbOption = None) -> None:
    """List the tokens (names, scopes, dates; never the tokens themselves)."""
    from nitrolyte.api import database

    tokens = database(db).list_tokens()
    if as_json:
        echo_json({"tokens": tokens})
        return
    for t in tokens:
        state = f"revoked {t['revoked_at']}" if t["revoked_at"] else "active"
        typer.echo(f"{t['name']:<24} {t['scope']:<6} created {t['created_at']}  {state}")


@token_app.command("revoke")
@handle_errors
def token_revoke(name: Annotated[str, typer.Argument(help="Name of the token.")],
                 db: DbOption = None) -> None:
    """Revoke the active token of this name."""
    from nitrolyte.api import database
    from nitrolyte.errors import NitrolyteError

    if not database(db).revoke_token(name):
        raise NitrolyteError(f"no active token named {name!r}")
    typer.echo(f"token {name!r} revoked")


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``token`` to the ``nitrolyte`` app."""
    app.command("serve")(handle_errors(serve_cmd))
    app.add_typer(token_app, name="token")
