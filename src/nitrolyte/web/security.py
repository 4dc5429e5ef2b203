"""Who may do what: bearer tokens for writes, a limit on bad tokens, body size, same origin.

* Every write needs ``Authorization: Bearer <token>`` (a token of ``nitrolyte token create``);
  the store keeps only its SHA-256 (:meth:`nitrolyte.store.Database.verify_token`). Managing
  tokens through the API (``/api/v1/tokens``) needs a token of scope ``admin``.
* Forms are CSRF-safe because no write is authorised by a cookie: the upload page sends the
  token in the ``Authorization`` header from script, which a cross-site form cannot do. A
  request whose ``Origin`` is another site is refused as well.
* A client that sends :data:`MAX_FAILURES` bad tokens within :data:`WINDOW_S` seconds gets 429
  until the window has passed, whatever it sends.
* Request bodies larger than the limit get 413 before the application reads them.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from typing import Any

from fastapi import HTTPException, Request

#: bad tokens a client may send per window before it is refused (429)
MAX_FAILURES = 20
#: length of that window, s
WINDOW_S = 60.0
#: cookie that carries the token for reading pages of a private server (never for writes)
READ_COOKIE = "nitrolyte_read_token"


class FailureLimiter:
    """Counts bad tokens per client address in a sliding window (thread-safe, in memory)."""

    def __init__(self, max_failures: int = MAX_FAILURES, window_s: float = WINDOW_S):
        self.max_failures = max_failures
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _trim(self, client: str, now: float) -> deque[float]:
        times = self._failures[client]
        while times and now - times[0] > self.window_s:
            times.popleft()
        return times

    def blocked(self, client: str) -> bool:
        """True while this client has used up its bad-token allowance."""
        with self._lock:
            return len(self._trim(client, time.monotonic())) >= self.max_failures

    def fail(self, client: str) -> None:
        """Record one bad token from this client."""
        with self._lock:
            self._trim(client, time.monotonic()).append(time.monotonic())


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def bearer(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header, or None."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def check_origin(request: Request) -> None:
    """Refuse a request that a page of another site sent (``Origin`` not this host)."""
    origin = request.headers.get("origin")
    if origin is None:
        return
    host = request.headers.get("host", "")
    if origin.split("://", 1)[-1] != host:
        raise HTTPException(403, f"cross-site request refused (Origin {origin} is not {host})")


def _verify(request: Request, token: str | None, what: str) -> dict[str, Any]:
    state = request.app.state
    limiter: FailureLimiter = state.limiter
    client = _client(request)
    if limiter.blocked(client):
        raise HTTPException(429, f"too many bad tokens from {client}; wait "
                                 f"{limiter.window_s:g} s")
    if token is None:
        raise HTTPException(401, f"{what} needs a token: send 'Authorization: Bearer <token>' "
                                 "(create one with `nitrolyte token create NAME`)")
    found = state.db.verify_token(token)
    if found is None:
        limiter.fail(client)
        raise HTTPException(401, "the token is not valid (unknown or revoked)")
    return found


def require_writer(request: Request) -> dict[str, Any]:
    """FastAPI dependency of every write: the token's ``{"name", "scope"}``."""
    check_origin(request)
    return _verify(request, bearer(request), "writing")


def require_admin(request: Request) -> dict[str, Any]:
    """FastAPI dependency of the admin endpoints: a valid token of scope ``admin`` (401 without
    a valid token, 403 for a ``write`` token)."""
    found = require_writer(request)
    if found["scope"] != "admin":
        raise HTTPException(403, f"this needs an admin token; token {found['name']!r} has scope "
                                 f"{found['scope']!r} (an admin creates one with `nitrolyte token "
                                 "create NAME --scope admin`)")
    return found


def check_reader(request: Request) -> None:
    """Reads are open, unless the server runs with ``--private`` (then: a valid token in the
    header or the read cookie); raises 401/429 otherwise."""
    if request.app.state.private:
        _verify(request, bearer(request) or request.cookies.get(READ_COOKIE),
                "reading this server")


async def require_reader(request: Request) -> None:
    """FastAPI dependency of every read (:func:`check_reader`).

    ``async`` so that an open read costs no worker thread; the token check of a private server
    (a database read) runs in the thread pool.
    """
    if request.app.state.private:
        from starlette.concurrency import run_in_threadpool

        await run_in_threadpool(check_reader, request)


class SecurityHeaders:
    """ASGI middleware: fixed headers (CSP and friends) on every HTTP response.

    A plain ASGI wrapper of ``send`` rather than Starlette's ``BaseHTTPMiddleware``, which
    runs every request through an extra task and memory stream.
    """

    def __init__(self, app: Any, headers: dict[str, str]):
        self.app = app
        self.headers = headers

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                from starlette.datastructures import MutableHeaders

                headers = MutableHeaders(scope=message)
                for key, value in self.headers.items():
                    headers[key] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """ASGI middleware: 413 for a request body over ``max_bytes`` (declared or streamed)."""

    def __init__(self, app: Any, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        seen = 0

        async def counted() -> dict[str, Any]:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(send)

    async def _refuse(self, send: Any) -> None:
        import json

        body = json.dumps({"error": f"request body larger than {self.max_bytes} bytes"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass
