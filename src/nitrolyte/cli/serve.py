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
    host: Annotated[str, typer.Option("--host", help="Interface to bind (default loopback only); "
                                      "its name is added to the allowed hosts.")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port, 1-65535.")] = 8000,
    private: Annotated[bool | None, typer.Option(
        "--private/--public", help="Reads need a token too (--private), or are open (--public). "
        "Default: private when --host is not loopback.", show_default=False)] = None,
    allowed_host: Annotated[list[str] | None, typer.Option(
        "--allowed-host", help="Another name clients reach this server by (repeatable); a "
        "request with any other Host header gets 400 (IP addresses are always accepted).")]
    = None,
    trusted_proxy: Annotated[list[str] | None, typer.Option(
        "--trusted-proxy", help="Address of a reverse proxy whose X-Forwarded-Proto/-For are "
        "believed (repeatable; default 127.0.0.1).")] = None,
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
    hosts = allowed_hosts(host, allowed_host or [])
    if private is None:
        private = not _loopback(host)
    store = database(db)
    store.ensure()  # open (create, migrate) before the first request; errors exit 1 here
    app = create_app(store, private=private, max_body_bytes=int(max_body_mb * 1024 * 1024),
                     allowed_hosts=hosts)
    typer.echo(f"nitrolyte serving {store.where} on http://{host}:{port}/ "
               f"(reads {'need a token' if private else 'open'}; writes need a token; "
               f"answers Host {', '.join(hosts)} and IP addresses)", err=True)
    serve(app, host, port, tuple(trusted_proxy or ("127.0.0.1",)))


def _loopback(host: str) -> bool:
    import ipaddress

    from nitrolyte.web.security import host_name

    name = host_name(host) or ""
    try:
        return name == "localhost" or ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, extra: list[str]) -> list[str]:
    """The Host names ``serve`` answers: loopback, ``host`` (this machine's names when it is a
    wildcard such as 0.0.0.0) and ``extra``; :class:`InputError` for a malformed one."""
    import re
    import socket

    from nitrolyte.web.security import LOOPBACK_HOSTS, host_name

    names = list(LOOPBACK_HOSTS)
    if host_name(host) in ("0.0.0.0", "::", ""):
        names += [socket.gethostname(), socket.getfqdn()]
    else:
        names.append(host)
    for value in extra:
        name = host_name(value) if isinstance(value, str) else None
        if name is None or not re.fullmatch(r"[a-z0-9_.:-]+", name):
            raise InputError(f"--allowed-host must be a host name or address (lab-pc.example.org, "
                             f"192.168.1.5), got {value!r}")
        names.append(name)
    return list(dict.fromkeys(n for h in names if (n := host_name(h))))


@token_app.command("create")
@handle_errors
def token_create(name: Annotated[str, typer.Argument(help="Who or what uses the token.")],
                 scope: Annotated[str, typer.Option(
                     "--scope", help="write: may store data through the API (POST measurements, "
                     "imports, fits, eis); admin: that, and manage tokens through the API "
                     "(GET/POST /api/v1/tokens, DELETE /api/v1/tokens/NAME).")] = "write",
                 expires: Annotated[str | None, typer.Option(
                     "--expires", help="Lifetime with its unit (30d, 12h, 90min, 2w); refused "
                     "after it. Default: never expires.")] = None,
                 as_json: JsonOption = False, db: DbOption = None) -> None:
    """Create a token and print it once (only its hash is stored)."""
    from nitrolyte.api import database

    store = database(db)
    plain = store.create_token(name, scope, expires)  # type: ignore[arg-type]
    expires_at = next((t["expires_at"] for t in store.list_tokens()
                       if t["name"] == name.strip() and t["revoked_at"] is None), None)
    if as_json:
        echo_json({"name": name, "scope": scope, "token": plain, "expires_at": expires_at})
    else:
        typer.echo(plain)
        until = f", valid until {expires_at}" if expires_at else ""
        typer.echo(f"token {name!r} ({scope}{until}) created; it is shown only this once",
                   err=True)


@token_app.command("list")
@handle_errors
def token_list(as_json: JsonOption = False, db: DbOption = None) -> None:
    """List the tokens (names, scopes, dates, last use; never the tokens themselves)."""
    from nitrolyte.api import database

    tokens = database(db).list_tokens()
    if as_json:
        echo_json({"tokens": tokens})
        return
    for t in tokens:
        state = (f"revoked {t['revoked_at']}" if t["revoked_at"]
                 else f"expired {t['expires_at']}" if t["expired"]
                 else f"active until {t['expires_at']}" if t["expires_at"] else "active")
        used = f"last used {t['last_used_at']}" if t["last_used_at"] else "never used"
        typer.echo(f"{t['name']:<24} {t['scope']:<6} created {t['created_at']}  {state}  {used}")


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
