"""The embedded database: SQLite through SQLAlchemy 2.0, seeded from the curated review data.

One file holds the literature (the package data of :mod:`nitrolyte.dataset`) and the user's own
measurements side by side, in the long format of ``docs/architecture.md``. Every row carries
``source`` (``"literature"`` or ``"user"``) and ``added_at`` (ISO 8601, UTC).

Where the database lives (first match wins):

1. the ``url`` argument of :class:`Database` (a SQLAlchemy URL or a plain file path);
2. the environment variable ``NITROLYTE_DATABASE_URL``;
3. ``platformdirs.user_data_dir("nitrolyte")/nitrolyte.sqlite``.

The file is created and seeded on first use. Its ``meta`` table records the schema version and a
hash of the seeded package data: a newer package reseeds the literature rows automatically (user
rows are kept), an older schema is migrated keeping user rows, and a newer schema is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import create_engine, delete, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from nitrolyte._store_io import AddResult, TransferResult
from nitrolyte._store_schema import (
    _MODELS,
    COLUMNS,
    SCHEMA_VERSION,
    Base,
    MaterialRow,
    MeasurementRow,
    MetaRow,
    ReferenceRow,
)
from nitrolyte.checks import check_choice
from nitrolyte.errors import DatabaseError, InputError

if TYPE_CHECKING:
    import pandas as pd

    from nitrolyte.api import MaterialRecord
    from nitrolyte.names import NameIndex

#: Environment variable that names the database (a SQLAlchemy URL or a file path).
ENV_VAR = "NITROLYTE_DATABASE_URL"
Source = Literal["literature", "user"]
SOURCES: tuple[str, ...] = ("literature", "user")
_HINT = f"set {ENV_VAR} or pass --db PATH to use another database file"


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


def now_iso() -> str:
    """Current UTC time, ISO 8601 with seconds."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Database:
    """The nitrolyte database: literature rows seeded from the package data, plus user rows.

    Parameters
    ----------
    url : str or path-like, optional
        SQLAlchemy URL (``sqlite:///lab.sqlite``) or a plain file path. Default: the
        ``NITROLYTE_DATABASE_URL`` environment variable, else the per-user data directory.
    timeout_s : float
        How long, in s, to wait for a lock held by another process before raising
        :class:`~nitrolyte.errors.DatabaseError` (a ``?timeout=`` in a SQLite URL overrides it).

    Notes
    -----
    Nothing is opened until the first call that needs the data; then the file is created,
    migrated or reseeded as needed. Reads of an up-to-date file never write to it, so a
    read-only copy can be queried.
    """

    def __init__(self, url: str | os.PathLike[str] | None = None, *, timeout_s: float = 5.0):
        self.url = resolve_url(url)
        try:
            self._url = make_url(self.url)
        except (ArgumentError, ValueError) as exc:
            raise InputError(f"database url {self.url!r} is not a valid SQLAlchemy URL: {exc}") from None
        query_timeout = self._url.query.get("timeout")  # sqlite:///x.sqlite?timeout=0.5 wins
        self.timeout_s = float(query_timeout if isinstance(query_timeout, str) else timeout_s)
        self._engine: Engine | None = None
        self._ready = False

    def __repr__(self) -> str:
        return f"Database({self.url!r})"

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None for an in-memory or non-SQLite database."""
        database = self._url.database
        if not self._url.drivername.startswith("sqlite") or database in (None, "", ":memory:"):
            return None
        if database.startswith("file:"):
            database = database[5:].split("?", 1)[0]
        return Path(database)

    @property
    def where(self) -> str:
        """The file path (or URL) for messages."""
        return str(self.path) if self.path is not None else self.url

    # ------------------------------------------------------------------ connection
    @contextmanager
    def guard(self, action: str) -> Iterator[None]:
        """Turn driver errors into :class:`DatabaseError` naming the file and what to do."""
        try:
            yield
        except OperationalError as exc:
            raise self._translate(exc, action) from None
        except SQLAlchemyError as exc:
            raise DatabaseError(f"cannot {action} database {self.where}: {exc}; {_HINT}") from None

    def _translate(self, exc: OperationalError, action: str) -> DatabaseError:
        msg = str(exc.orig).lower()
        if "locked" in msg or "busy" in msg:
            return DatabaseError(
                f"database {self.where} is locked by another program (waited {self.timeout_s:g} s) "
                f"while trying to {action}; close the other program, or {_HINT}")
        if "readonly" in msg or "read-only" in msg:
            return DatabaseError(
                f"database {self.where} is read-only, cannot {action}; make it writable, or {_HINT}")
        if "unable to open" in msg:
            return DatabaseError(
                f"cannot open database {self.where} ({exc.orig}); check that the folder exists and "
                f"is writable, or {_HINT}")
        return DatabaseError(f"cannot {action} database {self.where}: {exc.orig}; {_HINT}")

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (created on first use)."""
        if self._engine is None:
            self._check_path()
            args: dict[str, Any] = {}
            if self._url.drivername.startswith("sqlite"):
                args["connect_args"] = {"timeout": self.timeout_s}
            try:
                self._engine = create_engine(self.url, **args)
            except (ArgumentError, ImportError) as exc:
                raise InputError(f"database url {self.url!r} cannot be opened ({exc}); use "
                                 "sqlite:///PATH or a plain file path") from None
        return self._engine

    def _check_path(self) -> None:
        path = self.path
        if path is None or "mode=ro" in self.url:
            return
        if path.is_dir():
            raise DatabaseError(f"database path {path} is a directory, not a file; {_HINT}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"cannot create folder {path.parent} for the database "
                                f"({exc.strerror}); {_HINT}") from None

    def close(self) -> None:
        """Release the connection pool (the file stays as it is)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
            self._ready = False

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def session(self) -> Session:
        """A new ORM session on an up-to-date database (use as ``with db.session() as s``)."""
        self.ensure()
        return Session(self.engine)

    # ------------------------------------------------------------------ schema and seed
    def ensure(self) -> None:
        """Create, migrate or reseed the database if needed (called by every public method)."""
        if self._ready:
            return
        from nitrolyte import _store_schema

        with self.guard("open"):
            _store_schema.prepare(self)
        self._ready = True

    def reseed(self) -> int:
        """Replace the literature rows by the package data; user rows are kept.

        Returns
        -------
        int
            Number of literature measurement rows now stored.
        """
        from nitrolyte import _store_schema

        self.ensure()
        with self.guard("reseed"):
            return _store_schema.reseed(self)

    def schema_info(self) -> dict[str, str]:
        """The ``meta`` table as a dict (``schema_version``, ``data_hash``, ``seeded_at``...)."""
        with self.session() as s, self.guard("read"):
            return {row.key: row.value for row in s.scalars(select(MetaRow))}

    # ------------------------------------------------------------------ long-format tables
    def table(self, name: Literal["references", "materials", "measurements"],
              source: Source | None = None) -> pd.DataFrame:
        """One table in long format (the columns of ``docs/architecture.md`` + source, added_at).

        Parameters
        ----------
        name : {"references", "materials", "measurements"}
            The table.
        source : {"literature", "user"}, optional
            Keep only rows of this source.
        """
        import pandas as pd

        check_choice("table", name, tuple(_MODELS))
        model = _MODELS[name]
        columns = model.__table__.c  # type: ignore[attr-defined]
        # Core rows, not ORM objects: the same frame, five times faster (every command reads)
        stmt = select(*(columns[c] for c in COLUMNS[name])).order_by(columns.id)
        if source is not None:
            check_choice("source", source, SOURCES)
            stmt = stmt.where(columns.source == source)
        self.ensure()
        with self.engine.connect() as conn, self.guard("read"):
            rows = conn.execute(stmt).all()
        return pd.DataFrame(rows, columns=list(COLUMNS[name]))

    def materials_frame(self, source: Source | None = None) -> pd.DataFrame:
        """The wide materials frame (one row per material and direction) of this database.

        Built by :func:`nitrolyte.dataset.wide_frame` from the database tables, so user
        measurements appear beside the literature ones, with ``source`` telling them apart.

        Parameters
        ----------
        source : {"literature", "user"}, optional
            Keep only rows of this source.
        """
        from nitrolyte import _store_schema

        if source is not None:
            check_choice("source", source, SOURCES)
        return _store_schema.wide(self, source)

    # ------------------------------------------------------------------ names
    def name_index(self) -> dict[str, str]:
        """Normalised name, alias or material_id -> material_id (read fresh on every call)."""
        return self.name_resolver().names

    def name_resolver(self) -> NameIndex:
        """The :class:`~nitrolyte.names.NameIndex` of every material (read fresh on every call)."""
        from nitrolyte.names import NameIndex

        index = NameIndex()
        for row in self.table("materials").itertuples(index=False):
            index.add(row.material_id, row.name, str(row.aliases or "").split(";"),
                      None if row.formula is None else str(row.formula))
        return index

    def resolve(self, name: str) -> str:
        """The material_id of a name, alias, id or formula (see :mod:`nitrolyte.names`).

        Raises
        ------
        UnknownMaterialError
            With the closest known names.
        AmbiguousNameError
            When ``name`` is the formula of several materials.
        """
        return self.name_resolver().resolve(name)

    def names(self, source: Source | None = None) -> list[str]:
        """Display names of the materials, in database order."""
        return [str(n) for n in self.table("materials", source)["name"]]

    def get(self, name: str) -> MaterialRecord:
        """The :class:`~nitrolyte.api.MaterialRecord` of a material (see :func:`nitrolyte.get`)."""
        from nitrolyte.api import get

        return get(name, db=self)

    # ------------------------------------------------------------------ user data
    def add_measurement(self, *, material: str, property: str, value: float, unit: str,
                        temperature: float, temperature_unit: str = "K", **fields: Any) -> AddResult:
        """Store one user measurement, creating the material if its name is new.

        Parameters
        ----------
        material : str
            Name (or alias, or material_id) of the material; a new name creates a user material.
        property : str
            ``ionic_conductivity`` (S/cm), ``activation_energy`` (eV), ...
        value : float
            The value in ``unit``.
        unit : str
            Unit of ``value`` (checked against the property by :mod:`nitrolyte.dataset`).
        temperature : float
            Temperature of the measurement in ``temperature_unit``.
        temperature_unit : {"K", "C"}
            Unit of ``temperature``.
        **fields
            Optional long-format fields: ``qualifier, direction, phase, method,
            derived_from_arrhenius, ref, doi, citation, location, note`` and, for a new
            material, ``formula, family, crystal_system, space_group, synthesis``.

        Raises
        ------
        DataValidationError
            Naming the field that failed validation; nothing is stored.
        """
        from nitrolyte import _store_io

        row = {"name": material, "property": property, "value": value, "unit": unit,
               "temperature": temperature, "temperature_unit": temperature_unit, **fields}
        results = _store_io.store_rows(self, [row], where="add")
        return results[0]

    def import_file(self, path: str | os.PathLike[str],
                    format: Literal["auto", "csv", "json", "obelix"] = "auto") -> TransferResult:
        """Import user measurements from a CSV or JSON file, all or nothing.

        The file has the long-format columns (``name, property, value, unit, temperature,
        temperature_unit`` plus optional ones, see ``docs/cli.md``); an exported file imports
        back unchanged. ``format="obelix"`` reads the OBELiX dataset CSV (room temperature).

        Raises
        ------
        DataValidationError
            Naming the row number and field of the first bad row; nothing is stored.
        """
        from nitrolyte import _store_io

        return _store_io.import_file(self, Path(path), format)

    def export(self, path: str | os.PathLike[str], source: Source | None = None,
               format: Literal["auto", "csv", "json"] = "auto") -> TransferResult:
        """Write measurements (with their material and reference) to CSV or JSON losslessly."""
        from nitrolyte import _store_io

        if source is not None:
            check_choice("source", source, SOURCES)
        return _store_io.export(self, Path(path), source, format)

    def delete_user_data(self) -> int:
        """Remove every user row; returns the number of user measurements removed."""
        with self.session() as s, self.guard("delete from"), s.begin():
            n = s.execute(delete(MeasurementRow).where(MeasurementRow.source == "user")).rowcount
            s.execute(delete(MaterialRow).where(MaterialRow.source == "user"))
            s.execute(delete(ReferenceRow).where(ReferenceRow.source == "user"))
        return int(n or 0)


def data_hash(frames: Mapping[str, pd.DataFrame]) -> str:
    """SHA-256 of the package data frames (decides when literature rows are reseeded)."""
    digest = hashlib.sha256()
    for name in sorted(frames):
        digest.update(name.encode())
        digest.update(frames[name].to_csv(index=False).encode())
    return digest.hexdigest()


__all__ = ["COLUMNS", "ENV_VAR", "SCHEMA_VERSION", "AddResult", "Base", "Database", "MaterialRow",
           "MeasurementRow", "MetaRow", "ReferenceRow", "TransferResult", "data_hash",
           "resolve_url"]
