"""Who may do what: bearer tokens for writes, limits per client, body size, same origin, Host.

* Every write needs ``Authorization: Bearer <token>`` (a token of ``nitrolyte token create``);
  the store keeps only its SHA-256 (:meth:`nitrolyte.store.Database.verify_token`). Managing
  tokens through the API (``/api/v1/tokens``) needs a token of scope ``admin``.
* Forms are CSRF-safe because no write is authorised by a cookie: the upload page sends the
  token in the ``Authorization`` header from script, which a cross-site form cannot do. A
  request whose ``Origin`` is another site is refused as well.
* A request whose ``Host`` is not a name this server answers to gets 400 before anything else
  runs (:class:`AllowedHosts`): a page that re-points its own domain name at this server (DNS
  rebinding) cannot read anything through a lab member's browser.
* A client that sends :data:`MAX_FAILURES` bad tokens within :data:`WINDOW_S` seconds gets 429
  until the window has passed, whatever it sends. A client that asks for more than
  :data:`MAX_EXPENSIVE` *new* expensive answers (screening: seconds of CPU each) within
  :data:`WINDOW_S` gets 429 for new ones; answers already built are served from the cache.
* Request bodies larger than the limit get 413 before the application reads them, or as soon
  as a streamed body (no ``Content-Length``) passes it.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from typing import Any

from fastapi import HTTPException, Request

#: bad tokens a client may send per window before it is refused (429)
MAX_FAILURES = 20
#: new expensive answers (a screening of a new parameter set) a client may ask for per window
MAX_EXPENSIVE = 12
#: length of those windows, s
WINDOW_S = 60.0
#: clients a limiter remembers (the least recently seen is forgotten beyond this)
MAX_CLIENTS = 10_000
#: names a server answers to by default (loopback); IP-address literals are always accepted
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


class WindowLimiter:
    """Events per client in a sliding window (thread-safe, in memory, bounded).

    Parameters
    ----------
    max_events : int
        Events a client may have within ``window_s`` before :meth:`blocked` is True.
    window_s : float
        Length of the window, s.
    clock : callable, optional
        Monotonic seconds (default :func:`time.monotonic`; tests pass their own).
    max_clients : int
        Clients remembered; beyond this the least recently seen one is forgotten.
    """

    def __init__(self, max_events: int, window_s: float = WINDOW_S,
                 clock: Callable[[], float] = time.monotonic, max_clients: int = MAX_CLIENTS):
        self.max_events = max_events
        self.window_s = window_s
        self.clock = clock
        self.max_clients = max_clients
        self._events: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _trim(self, client: str, now: float) -> deque[float]:
        times = self._events.get(client)
        if times is None:
            times = self._events[client] = deque()
            while len(self._events) > self.max_clients:
                self._events.popitem(last=False)
        self._events.move_to_end(client)
        while times and now - times[0] >= self.window_s:
            times.popleft()
        return times

    def blocked(self, client: str) -> bool:
        """True while this client has used up its allowance."""
        with self._lock:
            return len(self._trim(client, self.clock())) >= self.max_events

    def wait_s(self, client: str) -> float:
        """Seconds until this client may again (0 when it may now)."""
        with self._lock:
            now = self.clock()
            times = self._trim(client, now)
            if len(times) < self.max_events:
                return 0.0
            return max(0.0, times[-self.max_events] + self.window_s - now)

    def record(self, client: str) -> None:
        """Record one event of this client."""
        with self._lock:
            now = self.clock()
            self._trim(client, now).append(now)


class FailureLimiter(WindowLimiter):
    """Bad tokens per client address: :data:`MAX_FAILURES` within :data:`WINDOW_S`."""

    def __init__(self, max_failures: int = MAX_FAILURES, window_s: float = WINDOW_S,
                 clock: Callable[[], float] = time.monotonic, max_clients: int = MAX_CLIENTS):
        super().__init__(max_failures, window_s, clock, max_clients)

    @property
    def max_failures(self) -> int:
        """Bad tokens allowed per window."""
        return self.max_events

    def fail(self, client: str) -> None:
        """Record one bad token from this client."""
        self.record(client)


class ExpensiveLimiter(WindowLimiter):
    """New expensive answers per client address: :data:`MAX_EXPENSIVE` within :data:`WINDOW_S`."""

    def __init__(self, max_expensive: int = MAX_EXPENSIVE, window_s: float = WINDOW_S,
                 clock: Callable[[], float] = time.monotonic, max_clients: int = MAX_CLIENTS):
        super().__init__(max_expensive, window_s, clock, max_clients)


def client_of(request: Request) -> str:
    """The client's address (what the limiters count by)."""
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


def _verify(request: Request, token: str | None, what: str,
            session: str | None = None) -> dict[str, Any]:
    """The token's ``{"name", "scope"}``: from ``token``, else from the login ``session``."""
    state = request.app.state
    limiter: FailureLimiter = state.limiter
    client = client_of(request)
    if limiter.blocked(client):
        raise HTTPException(429, f"too many bad tokens from {client}; wait "
                                 f"{limiter.window_s:g} s")
    if token is None and session is not None:
        found = state.db.verify_token_digest(state.sessions.digest(session))
        if found is not None:
            return found
    if token is None:
        raise HTTPException(401, f"{what} needs a token: send 'Authorization: Bearer <token>' "
                                 "(create one with `nitrolyte token create NAME`)")
    found = state.db.verify_token(token)
    if found is None:
        limiter.fail(client)
        raise HTTPException(401, "the token is not valid (unknown, expired or revoked)")
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
    """Reads are open, unless the server is private (then: a valid token in the header, or the
    session of the ``/login`` page); raises 401/429 otherwise."""
    if request.app.state.private:
        from nitrolyte.web.sessions import SESSION_COOKIE

        _verify(request, bearer(request), "reading this server",
                session=request.cookies.get(SESSION_COOKIE))


async def require_reader(request: Request) -> None:
    """FastAPI dependency of every read (:func:`check_reader`).

    ``async`` so that an open read costs no worker thread; the token check of a private server
    (a database read) runs in the thread pool.
    """
    if request.app.state.private:
        from starlette.concurrency import run_in_threadpool

        await run_in_threadpool(check_reader, request)


def charge_expensive(request: Request, what: str) -> None:
    """Count one new expensive answer (``what``) for this client; 429 (``Retry-After``) when it
    has had :data:`MAX_EXPENSIVE` within the window. Called only when the answer is not cached."""
    limiter: ExpensiveLimiter = request.app.state.expensive
    client = client_of(request)
    wait = limiter.wait_s(client)
    if wait > 0:
        raise HTTPException(429, f"too many new {what} requests from {client} (at most "
                                 f"{limiter.max_events} per {limiter.window_s:g} s; answers "
                                 f"already computed are not limited); wait {math.ceil(wait)} s",
                            headers={"Retry-After": str(math.ceil(wait))})
    limiter.record(client)


def host_name(value: str) -> str | None:
    """The host name of a ``Host`` header or an allowed-host setting: lower case, without the
    port, the brackets of an IPv6 address or a trailing dot (None if there is none)."""
    value = value.strip().lower()
    if value.startswith("["):
        name, bracket, _ = value[1:].partition("]")
        return name if bracket and name else None
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    value = value.rstrip(".")
    return value or None


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class AllowedHosts:
    """ASGI middleware: 400 for a request whose ``Host`` is not one of ``hosts`` (plus any IP
    address literal: a DNS-rebinding page always sends its own domain name)."""

    def __init__(self, app: Any, hosts: Iterable[str]):
        self.app = app
        self.hosts = frozenset(n for h in hosts if (n := host_name(h)) is not None)

    def allows(self, header: str | None) -> bool:
        """Whether a request with this ``Host`` header is answered."""
        name = None if header is None else host_name(header)
        return name is not None and (name in self.hosts or _is_address(name))

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        raw = dict(scope.get("headers") or []).get(b"host")
        header = None if raw is None else raw.decode("latin-1")
        if self.allows(header):
            await self.app(scope, receive, send)
            return
        shown = "none" if header is None else repr(header[:100])
        await _answer(send, 400, f"Host {shown} is not a name this server answers to "
                                 "(DNS-rebinding protection); start `nitrolyte serve` with "
                                 "--allowed-host NAME to add one")


async def _answer(send: Any, status: int, message: str) -> None:
    import json

    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


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
    """ASGI middleware: 413 for a request body over ``max_bytes``, declared (``Content-Length``)
    or streamed (chunked): once a streamed body passes the limit, whatever the application
    answers to the broken body (a form parser's 400, say) is replaced by the 413."""

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
        seen, over, started = 0, False, False

        async def counted() -> dict[str, Any]:
            nonlocal seen, over
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                over = True
                raise _TooLarge
            return message

        async def unless_over(message: dict[str, Any]) -> None:
            nonlocal started
            if over and not started:
                return  # the application's answer to a body cut short: the 413 replaces it
            started = True
            await send(message)

        try:
            await self.app(scope, counted, unless_over)
        except Exception:
            if not over or started:
                raise
        if over and not started:
            await self._refuse(send)

    async def _refuse(self, send: Any) -> None:
        await _answer(send, 413, f"request body larger than {self.max_bytes} bytes")


class _TooLarge(Exception):
    pass
