"""Fixtures of the web tests: the database behind the app, on every backend the suite has."""

from __future__ import annotations

from typing import Any

import pytest

#: backends the API suite runs on (PostgreSQL joins when the store package provides a server)
BACKENDS = ("sqlite",)


@pytest.fixture(params=BACKENDS)
def web_db(request: pytest.FixtureRequest) -> Any:
    """A fresh seeded database (literature rows only) on one backend."""
    from nitrolyte.api import clear_cache

    yield request.getfixturevalue("db")
    clear_cache()
