"""Where the database lives and which layout it has: plain values, no SQLAlchemy.

Both the SQLAlchemy engine (:mod:`nitrolyte.store.engine`) and the read-only fast path of
short-lived commands (:mod:`nitrolyte.store.quick`) import these, so they agree on the
database they open and on what "up to date" means.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable that names the database (a SQLAlchemy URL or a file path).
ENV_VAR = "NITROLYTE_DATABASE_URL"
HINT = f"set {ENV_VAR} or pass --db PATH to use another database"

#: Version of the table layout written by this nitrolyte (the ``meta.schema_version``).
SCHEMA_VERSION = 3
#: Alembic revision of :data:`SCHEMA_VERSION` (the head of ``migrations/versions``).
HEAD_REVISION = "0003"
#: Alembic revision that describes a file written by nitrolyte 0.1 (schema 1).
SCHEMA1_REVISION = "0001"
#: The value of ``meta.application`` that marks a nitrolyte database.
MARKER = "nitrolyte"


def resolve_url(url: str | os.PathLike[str] | None = None) -> str:
    """The SQLAlchemy URL of the database to open (argument > environment > user data dir).

    A plain path (``~/lab.sqlite``) becomes ``sqlite:///<absolute path>``.
    """
    chosen = url if url not in (None, "") else os.environ.get(ENV_VAR) or None
    if chosen is None:
        from platformdirs import user_data_dir

        chosen = Path(user_data_dir("nitrolyte")) / "nitrolyte.sqlite"
    text_url = os.fspath(chosen)
    if "://" in text_url:
        return text_url
    return f"sqlite:///{Path(text_url).expanduser().resolve()}"


def read_only(path: str | os.PathLike[str] | None, url_query: str = "") -> bool:
    """Whether an existing SQLite file must be opened read-only.

    True for ``?mode=ro`` (or ``immutable=1``) in the URL, and when the file or its folder
    cannot be written (a read-only file, folder or mount: SQLite's journal and WAL files live
    beside the database, so a writable file in a read-only folder cannot be written either).
    """
    if path is None or not Path(path).is_file():
        return False
    if asks_read_only(url_query):
        return True
    return not (os.access(path, os.W_OK) and os.access(Path(path).parent, os.W_OK))


def asks_read_only(url_query: str) -> bool:
    """Whether a URL's query (``mode=ro``, ``immutable=1``) asks for read-only access."""
    return "mode=ro" in url_query or "immutable=1" in url_query


def read_only_uri(path: str | os.PathLike[str]) -> str:
    """The ``sqlite3`` URI that reads ``path`` without writing anything beside it.

    ``mode=ro``; plus ``immutable=1`` when the folder is not writable and holds no ``-shm``
    file (SQLite cannot open a WAL database read-only without one; where it exists, the WAL's
    committed rows are read through it).
    """
    from urllib.parse import quote

    path = Path(path)
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    shm = path.with_name(path.name + "-shm")
    if not os.access(path.parent, os.W_OK) and not shm.exists():
        uri += "&immutable=1"
    return uri


def directory_problem(path: str | os.PathLike[str] | None) -> str | None:
    """The one-line error for a database path that is an existing folder, else None.

    Checked by every command's ``--db`` (even where the answer needs no database) and when a
    :class:`~nitrolyte.store.Database` opens its file.
    """
    if path is None or "://" in os.fspath(path) or not Path(os.fspath(path)).expanduser().is_dir():
        return None
    return f"database path {os.fspath(path)} is a directory, not a file; {HINT}"
