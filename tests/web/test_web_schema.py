"""schemathesis against ``/openapi.json``: every operation, bounded examples, writes included,
on SQLite and on the PostgreSQL server that ``make test`` starts.

For every generated request (valid and invalid) the app must answer without a 5xx, with a
status code the schema documents, the declared content type, and a body that matches the
schema (errors: ``{"error": "..."}``). Requests carry a valid admin token, so the writes and
the admin operations are fuzzed too, into a throw-away database: a SQLite file made for this
module, then the test server's PostgreSQL database (emptied of user rows before every operation). The schema does not depend
on the backend, so one app is built; the token fixtures point its state at their database.
"""

from __future__ import annotations

import atexit
import itertools
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import positive_data_acceptance  # noqa: E402

#: examples per operation (about 17 operations), on SQLite and on PostgreSQL (where the SQL
#: differs, not the web layer: fewer, to keep the suite's time)
MAX_EXAMPLES, MAX_EXAMPLES_PG = 25, 15
_FOLDER = Path(tempfile.mkdtemp(prefix="nitrolyte-schemathesis-"))
atexit.register(shutil.rmtree, _FOLDER, ignore_errors=True)


def _app() -> Any:
    from nitrolyte.store import Database
    from nitrolyte.web import create_app

    # opened on the first request; schemathesis's in-process client sends Host: testserver
    return create_app(Database(_FOLDER / "fuzz.sqlite"), allowed_hosts=["testserver"])


APP = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


_TOKENS = itertools.count()


def _use(db: Any) -> Iterator[str]:
    """Point the app at ``db`` and yield an admin token of it (admin: every operation)."""
    from nitrolyte.web.cache import FrameCache

    sqlite_db, sqlite_frames = APP.state.db, APP.state.frames
    APP.state.db, APP.state.frames = db, FrameCache(db)
    try:
        yield db.create_token(f"schemathesis-{next(_TOKENS)}", "admin")
    finally:
        APP.state.db, APP.state.frames = sqlite_db, sqlite_frames


@pytest.fixture
def token() -> Iterator[str]:
    """An admin token of the module's SQLite database."""
    yield from _use(APP.state.db)


@pytest.fixture
def pg_token(pg_db: Any) -> Iterator[str]:
    """An admin token of the test server's PostgreSQL database, which the app now uses."""
    yield from _use(pg_db)


def _check(case: Any, token: str) -> None:
    # positive_data_acceptance is left out: a schema-valid request may still be refused (422)
    # for a reason the schema cannot state (an unknown family, a formula that does not parse)
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                           excluded_checks=[positive_data_acceptance])


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: Any, token: str) -> None:
    _check(case, token)


@pytest.mark.slow
@pytest.mark.postgresql
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES_PG, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema_on_postgresql(case: Any, pg_token: str) -> None:
    _check(case, pg_token)
