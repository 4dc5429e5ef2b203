"""Fixtures of the web tests: the database behind the app, on both backends.

``web_db`` is the store's ``any_db`` (tests/conftest.py: a seeded SQLite file, then the
throw-away PostgreSQL server that ``make test`` provides), plus forgetting the cached
``Database`` objects of :func:`nitrolyte.api.database` afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def web_db(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A seeded database with no user rows and no tokens, on one backend."""
    from nitrolyte.api import clear_cache

    yield request.getfixturevalue("sqlite_db" if request.param == "sqlite" else "pg_db")
    clear_cache()
