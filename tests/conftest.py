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
    """Point ``NITROLYTE_DATABASE_URL`` at a temporary SQLite file for the whole session."""
    path = tmp_path_factory.mktemp("nitrolyte-db") / "session.sqlite"
    old = os.environ.get("NITROLYTE_DATABASE_URL")
    os.environ["NITROLYTE_DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("NITROLYTE_CACHE_DIR", str(path.parent / "cache"))
    yield path
    if old is None:
        os.environ.pop("NITROLYTE_DATABASE_URL", None)
    else:
        os.environ["NITROLYTE_DATABASE_URL"] = old


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
