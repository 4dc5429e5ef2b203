"""Fixtures of the web tests: the database behind the app, on every backend the suite has.

``web_db`` runs each API test on SQLite and on PostgreSQL: the store's throw-away server
(the ``pg_db`` fixture of tests/conftest.py, which ``make test`` provides) when there is one,
else a server that ``NITROLYTE_TEST_POSTGRESQL_URL`` names (an admin URL such as
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``): a database seeded once per session
is the template of a fresh database per test, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

POSTGRES_ENV = "NITROLYTE_TEST_POSTGRESQL_URL"


def _admin(url: str, sql: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


def _with_database(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[tuple[str, str]]:
    """(admin URL, template database name) of a seeded PostgreSQL database."""
    admin = os.environ.get(POSTGRES_ENV)
    if not admin:
        pytest.skip(f"no PostgreSQL server ({POSTGRES_ENV} not set)")
    from nitrolyte.store import Database

    name = f"nitrolyte_tmpl_{uuid.uuid4().hex[:10]}"
    _admin(admin, f'CREATE DATABASE "{name}"')
    with Database(_with_database(admin, name)) as db:
        db.ensure()
    yield admin, name
    _admin(admin, f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture(params=["sqlite", "postgresql"])
def web_db(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh seeded database (literature rows only) on one backend."""
    from nitrolyte.api import clear_cache
    from nitrolyte.store import Database

    if request.param == "sqlite":
        yield request.getfixturevalue("db")
        clear_cache()
        return
    try:
        yield request.getfixturevalue("pg_db")
        clear_cache()
        return
    except pytest.FixtureLookupError:  # no store fixture: a server named in the environment
        pass
    admin, template = request.getfixturevalue("postgres_template")
    name = f"nitrolyte_web_{uuid.uuid4().hex[:10]}"
    _admin(admin, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    db = Database(_with_database(admin, name))
    try:
        yield db
    finally:
        db.close()
        clear_cache()
        _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
