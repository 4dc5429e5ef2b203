"""The FastAPI application: state, error handling, static files and the routers.

Errors are JSON ``{"error": "one line"}``: 400 for a ``Host`` this server does not answer to,
400/422 for bad input, 401 for a missing or bad token, 403 for a cross-site write or a
``write`` token on an admin endpoint, 404 for an unknown material, 405 (``Allow``: every method
of the path), 413 for an oversized body, 429 after a flood of bad tokens or of new expensive
reads, 503 when the database cannot be opened. Any other exception is a
bug and answers 500 with the same shape (the schemathesis suite checks none occurs).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from nitrolyte.errors import (
    AlreadyImportedError,
    DatabaseError,
    InputError,
    MissingDataError,
    NitrolyteError,
    UnknownMaterialError,
)
from nitrolyte.web.security import (
    LOOPBACK_HOSTS,
    AllowedHosts,
    BodyLimit,
    ExpensiveLimiter,
    FailureLimiter,
    SecurityHeaders,
)
from nitrolyte.web.sessions import Sessions

if TYPE_CHECKING:
    from nitrolyte.store.database import DatabaseLike

_LOG = logging.getLogger("nitrolyte.web")
HERE = Path(__file__).parent
#: default limit on a request body, bytes (instrument files of a temperature series fit)
MAX_BODY_BYTES = 8 * 1024 * 1024
#: exception type -> HTTP status (the handler of the most specific class in the MRO answers)
STATUS: tuple[tuple[type[BaseException], int], ...] = (
    (UnknownMaterialError, 404), (MissingDataError, 404), (DatabaseError, 503),
    (AlreadyImportedError, 409),
    (InputError, 422), (NitrolyteError, 422), (ValueError, 422),
)
#: Content-Security-Policy of every response: nothing is loaded from anywhere but this app
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
       "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'")
#: headers of every response
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "no-referrer"}


def error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The JSON error response: ``{"error": message}`` (one line)."""
    line = " ".join(str(message).split(" [SQL:", 1)[0].split())
    return JSONResponse({"error": line}, status_code=status, headers=headers)


def _validation_line(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        msg = ("must not contain control characters (and a name not only spaces)"
               if err.get("type") == "string_pattern_mismatch" else err.get("msg", "invalid"))
        parts.append(f"{where or 'request'}: {msg}")
    return "; ".join(parts) or "invalid request"


def _wants_page(request: Request) -> bool:
    return request.method == "GET" and not request.url.path.startswith("/api/") and \
        "text/html" in request.headers.get("accept", "")


def _allowed(request: Request) -> str | None:
    """The ``Allow`` header of an API path: the methods of every operation of the schema whose
    path matches (None for a path outside the schema)."""
    import re

    methods: set[str] = set()
    for template, operations in request.app.openapi()["paths"].items():
        if re.fullmatch(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)), request.url.path):
            methods |= {m.upper() for m in operations if m != "parameters"}
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods)) or None


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error(422, _validation_line(exc))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Any:
        if exc.status_code == 401 and _wants_page(request):  # a private server's page
            from fastapi.responses import RedirectResponse

            return RedirectResponse("/login", status_code=303)
        headers = getattr(exc, "headers", None)
        allow = _allowed(request) if exc.status_code == 405 else None
        if allow:  # Starlette names only the methods of the path's first route
            headers = {**(headers or {}), "Allow": allow}
        return error(exc.status_code, str(exc.detail), headers)

    def handler(status: int) -> Any:
        async def _handle(_: Request, exc: Exception) -> JSONResponse:
            return error(status, str(exc))
        return _handle

    for kind, status in STATUS:  # looked up along the exception's MRO: most specific first
        app.add_exception_handler(kind, handler(status))

    @app.exception_handler(Exception)
    async def _any(_: Request, exc: Exception) -> JSONResponse:
        _LOG.exception("internal error")
        return error(500, f"internal error ({type(exc).__name__}); please report it")


def create_app(db: DatabaseLike | None = None, *, private: bool = False, max_body_bytes: int = MAX_BODY_BYTES,
               limiter: FailureLimiter | None = None,
               allowed_hosts: Iterable[str] = LOOPBACK_HOSTS,
               expensive: ExpensiveLimiter | None = None,
               sessions: Sessions | None = None) -> FastAPI:
    """Build the nitrolyte web application.

    Parameters
    ----------
    db : Database, str or path, optional
        The database (default as :func:`nitrolyte.api.database`: ``NITROLYTE_DATABASE_URL`` or
        the per-user file); SQLite or PostgreSQL URLs alike.
    private : bool
        Reads need a token too (header, or the session the ``/login`` page opens).
    max_body_bytes : int
        Largest request body accepted, bytes (larger: 413).
    limiter : FailureLimiter, optional
        The bad-token limiter (default: 20 bad tokens per minute and client).
    allowed_hosts : iterable of str
        The names in a ``Host`` header this server answers (default: loopback); any other
        gets 400, except IP-address literals (see :class:`~nitrolyte.web.security.AllowedHosts`).
    expensive : ExpensiveLimiter, optional
        The limiter of new expensive answers (default: 12 per minute and client).
    sessions : Sessions, optional
        The sign-in sessions of ``/login`` (default: 12 h each, in memory).
    """
    from fastapi.staticfiles import StaticFiles

    from nitrolyte import __version__
    from nitrolyte.api import database
    from nitrolyte.web import api_admin, api_design, api_read, api_write, pages
    from nitrolyte.web.cache import FrameCache
    from nitrolyte.web.server import lifespan

    app = FastAPI(title="nitrolyte", version=__version__,
                  description="Cited database and toolkit for nitride solid-state electrolytes: "
                              "REST API. Reads are open; writes need 'Authorization: Bearer "
                              "<token>'. Errors are {\"error\": \"...\"}.",
                  docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.db = database(db)
    app.state.private = private
    app.state.limiter = limiter or FailureLimiter()
    app.state.expensive = expensive or ExpensiveLimiter()
    app.state.sessions = sessions or Sessions()
    app.state.write_lock = threading.Lock()
    app.state.frames = FrameCache(app.state.db)
    _install_errors(app)

    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(AllowedHosts, hosts=allowed_hosts)
    app.add_middleware(SecurityHeaders, headers=HEADERS)  # outermost: a 400/413 gets them too
    for module in (api_read, api_write, api_design, api_admin):
        app.include_router(module.router, prefix="/api/v1")
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app
