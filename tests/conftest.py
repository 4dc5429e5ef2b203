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
def sqlite_db(tmp_path: Path, _seeded_template: Path) -> Iterator[object]:
    """A fresh, seeded SQLite :class:`nitrolyte.store.Database` in ``tmp_path`` (literature only)."""
    from nitrolyte.store import Database

    path = tmp_path / "nitrolyte.sqlite"
    shutil.copyfile(_seeded_template, path)
    with Database(path) as database:
        yield database


@pytest.fixture
def db(sqlite_db: object) -> object:
    """A fresh, seeded :class:`nitrolyte.store.Database` (SQLite) in ``tmp_path``."""
    return sqlite_db


# ---------------------------------------------------------------------- PostgreSQL
def _pg_bindir() -> Path | None:
    import glob
    import subprocess

    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True)
        found = Path(out.stdout.strip())
        if (found / "initdb").exists():
            return found
    except (OSError, subprocess.CalledProcessError):
        pass
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    return Path(dirs[0]) if dirs else None


@pytest.fixture(scope="session")
def pg_server() -> Iterator[dict[str, str]]:
    """A throw-away PostgreSQL cluster on a Unix socket, as a non-root user; stopped after.

    Uses Debian's ``postgresql`` binaries (``make test`` installs them). As root, the cluster
    runs as the ``postgres`` user (initdb refuses root). Skips when PostgreSQL is missing or
    cannot start, with the reason.
    """
    import subprocess
    import tempfile

    bindir = _pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries not installed (make test installs postgresql)")
    base = Path(tempfile.mkdtemp(prefix="nitrolyte-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        import pwd

        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run the server")
        os.chown(base, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data, sock = base / "data", base
    opts = (f"-k {sock} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=60")
    try:
        subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
                        "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
                       check=True, capture_output=True, timeout=120)
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-w",
                        "-l", str(base / "log"), "start"], check=True, capture_output=True,
                       timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"PostgreSQL could not start: {exc}")
    try:
        yield {"host": str(sock), "user": "postgres"}
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


def _pg_admin(server: dict[str, str], sql: str) -> None:
    import psycopg

    with psycopg.connect(host=server["host"], user=server["user"], dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(sql)


def pg_url(server: dict[str, str], name: str) -> str:
    """SQLAlchemy URL of database ``name`` on the test server."""
    return f"postgresql+psycopg://{server['user']}@/{name}?host={server['host']}"


@pytest.fixture(scope="session")
def pg_template(pg_server: dict[str, str]) -> str:
    """A seeded nitrolyte database on the test server, copied by :func:`pg_db`."""
    from nitrolyte.store import Database

    _pg_admin(pg_server, "CREATE DATABASE nl_template")
    with Database(pg_url(pg_server, "nl_template")) as db:
        db.ensure()
    return "nl_template"


_PG_RESET = """
DELETE FROM measurements WHERE source = 'user';
DELETE FROM measurement_sets;
DELETE FROM name_keys WHERE material_id IN (SELECT material_id FROM materials WHERE source = 'user');
DELETE FROM materials WHERE source = 'user';
DELETE FROM "references" WHERE source = 'user';
DELETE FROM cache;
DELETE FROM api_tokens;
DELETE FROM imports;
"""


@pytest.fixture
def pg_db(pg_server: dict[str, str], pg_template: str) -> Iterator[object]:
    """The seeded PostgreSQL :class:`nitrolyte.store.Database`, emptied of user rows first."""
    import psycopg

    from nitrolyte.store import Database

    with psycopg.connect(host=pg_server["host"], user=pg_server["user"], dbname=pg_template,
                         autocommit=True) as conn:
        conn.execute(_PG_RESET)
    database = Database(pg_url(pg_server, pg_template))
    try:
        yield database
    finally:
        database.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def any_db(request: pytest.FixtureRequest) -> object:
    """The same seeded database on each backend: SQLite, then PostgreSQL."""
    return request.getfixturevalue("sqlite_db" if request.param == "sqlite" else "pg_db")
