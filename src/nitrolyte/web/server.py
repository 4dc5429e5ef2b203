"""Running the application: uvicorn, and a server process that keeps its latency tail short.

What made the slowest requests slow (``benchmarks/bench_serve.py``, 16 clients on 2 cores) was
mostly the garbage collector: after start-up the process holds ~200 000 objects (pandas,
SQLAlchemy, plotly, the seeded frames), and every full collection walked all of them, 100-200 ms
during which no request is answered. :func:`settle` warms the read path at start-up, then moves
everything alive into the collector's permanent generation (``gc.freeze``) and collects the
young generation less often, so a full collection walks only what later requests left behind.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

#: collector thresholds of a serving process (Python's default: 700, 10, 10)
GC_THRESHOLDS = (20_000, 20, 20)


def warm(app: Any) -> None:
    """Import and build what the read endpoints need (the materials frame, the errata, the
    page templates, the plotting and conductivity modules) before the first request, and the
    answers that cost seconds the first time: the default screening (page and API), the cell
    designer's default design and its Fig. 17 curves."""
    import nitrolyte.plotting.arrhenius
    import nitrolyte.transport.conductivity  # noqa: F401
    from nitrolyte.dataset import errata
    from nitrolyte.web.api_design import designer_start, figure17_doc
    from nitrolyte.web.api_read import screening_result
    from nitrolyte.web.pages import templates

    app.state.frames.materials()
    errata()
    templates()
    try:  # a failure here is the first request's to report, not a reason not to start
        designer_start()
        for catholyte in ("Li3InCl6", "LGPS"):
            figure17_doc(catholyte, 101)
        screening_result(app.state)
    except Exception as exc:
        logging.getLogger("nitrolyte.web").warning("warm-up of the cached answers failed: %s",
                                                   exc)


def settle() -> None:
    """Collect once, freeze every object alive (never scanned again) and raise the young
    generation's threshold (:data:`GC_THRESHOLDS`)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """FastAPI lifespan: warm and settle when :func:`serve` runs the app (``app.state.settle``),
    nothing for in-process clients such as the tests' ``TestClient``."""
    if getattr(app.state, "settle", False):
        from nitrolyte.errors import NitrolyteError

        with suppress(NitrolyteError):  # the database failed: requests answer 503, say why
            warm(app)
        settle()
    yield


def serve(app: Any, host: str, port: int, trusted_proxies: tuple[str, ...] = ("127.0.0.1",)
          ) -> None:
    """Serve ``app`` with uvicorn (one process; httptools and uvloop when installed), warmed and
    settled at start-up; no access log. ``X-Forwarded-Proto``/``-For`` are believed only from
    ``trusted_proxies`` (a reverse proxy that terminates TLS)."""
    import uvicorn

    app.state.settle = True
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False,
                proxy_headers=True, forwarded_allow_ips=",".join(trusted_proxies))
