"""Sign-in sessions of the ``/login`` page: the browser keeps a random id, never the token.

``/login`` checks a token once and opens a session: a random id (256 bits) that maps, in the
server's memory only, to the token's SHA-256 and an end time (:data:`SESSION_S` after sign-in).
The cookie (:data:`SESSION_COOKIE`) carries the id: HttpOnly, SameSite=Strict, ``Secure`` when
the page was served over HTTPS, and it ends with the session. Every request of the session
checks the token again (:meth:`nitrolyte.store.Database.verify_token_digest`), so revoking or
the expiry of the token ends its sessions at once. A restart of the server ends them all (sign
in again). A session authorises reads only; writes always need the ``Authorization`` header.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

#: the cookie that carries a session id
SESSION_COOKIE = "nitrolyte_session"
#: the cookie in which earlier versions kept the token itself: never read, deleted at sign-in
OLD_COOKIE = "nitrolyte_read_token"
#: how long a session lasts after sign-in, s
SESSION_S = 12 * 3600
#: sessions kept at once (the oldest is dropped beyond this)
MAX_SESSIONS = 10_000


class Sessions:
    """Session id -> (token SHA-256, end time), thread-safe and bounded.

    Parameters
    ----------
    lifetime_s : float
        How long a session lasts after :meth:`open`, s.
    clock : callable, optional
        Monotonic seconds (default :func:`time.monotonic`; tests pass their own).
    max_sessions : int
        Sessions kept; opening one more drops the oldest.
    """

    def __init__(self, lifetime_s: float = SESSION_S,
                 clock: Callable[[], float] = time.monotonic, max_sessions: int = MAX_SESSIONS):
        self.lifetime_s = lifetime_s
        self.clock = clock
        self.max_sessions = max_sessions
        self._sessions: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()

    def open(self, digest: str) -> str:
        """A new session for the token whose SHA-256 is ``digest``; returns its id."""
        session = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[session] = (digest, self.clock() + self.lifetime_s)
            while len(self._sessions) > self.max_sessions:
                self._sessions.popitem(last=False)
        return session

    def digest(self, session: str | None) -> str | None:
        """The token SHA-256 of a live session; None for an unknown or ended one."""
        if not session:
            return None
        with self._lock:
            found = self._sessions.get(session)
            if found is None:
                return None
            if self.clock() >= found[1]:
                del self._sessions[session]
                return None
            return found[0]

    def close(self, session: str | None) -> None:
        """End a session (sign out); nothing if it is unknown."""
        with self._lock:
            self._sessions.pop(session or "", None)
