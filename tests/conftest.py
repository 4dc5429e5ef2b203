"""Shared fixtures: tests never touch the user's real database, and plots never open windows."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture(autouse=True, scope="session")
def _isolated_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point ``NITROLYTE_DATABASE_URL`` at a temporary SQLite file (and ``NITROLYTE_CACHE_DIR``
    at a temporary folder) for the whole session."""
    path = tmp_path_factory.mktemp("nitrolyte-db") / "session.sqlite"
    # the report's figure cache too: never the user's ~/.cache
    values = {"NITROLYTE_DATABASE_URL": f"sqlite:///{path}",
              "NITROLYTE_CACHE_DIR": str(tmp_path_factory.mktemp("nitrolyte-cache"))}
    old = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    yield path
    for key, value in old.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def _seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file seeded once per session; ``db`` copies it (seeding is the slow part)."""
    from nitrolyte.store import Database

    path = tmp_path_factory.mktemp("nitrolyte-template") / "template.sqlite"
    with Database(path) as db:
        db.ensure()
    return path


@pytest.fixture
def db(tmp_path: Path, _seeded_template: Path) -> Iterator[object]:
    """A fresh, seeded :class:`nitrolyte.store.Database` in ``tmp_path`` (literature rows only)."""
    from nitrolyte.store import Database

    path = tmp_path / "nitrolyte.sqlite"
    shutil.copyfile(_seeded_template, path)
    with Database(path) as database:
        yield database
