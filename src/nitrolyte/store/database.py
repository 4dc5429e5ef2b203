"""The nitrolyte database: literature rows seeded from the package data, plus a lab's own rows.

SQLite (a file, the default) or PostgreSQL (``postgresql+psycopg://USER@HOST/DB``, for a lab),
through SQLAlchemy 2.0. Where the database lives (first match wins):

1. the ``url`` argument of :class:`Database` (a SQLAlchemy URL or a plain file path);
2. the environment variable ``NITROLYTE_DATABASE_URL``;
3. ``platformdirs.user_data_dir("nitrolyte")/nitrolyte.sqlite``.

A new database is created and seeded on first use; an older nitrolyte database is migrated
(Alembic; a SQLite file is backed up first); anything that is not a nitrolyte database is
refused and left unchanged (see :mod:`nitrolyte.store.migrate`).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Connection, delete
from sqlalchemy.exc import SQLAlchemyError

from nitrolyte.checks import check_choice
from nitrolyte.errors import DatabaseError, InputError
from nitrolyte.store import engine as eng
from nitrolyte.store import migrate, one_record, reads
from nitrolyte.store import tables as t
from nitrolyte.store.database_lab import LabMethods
from nitrolyte.store.location import (
    asks_read_only,
    directory_problem,
    read_only,
    read_only_uri,
)
from nitrolyte.store.models import (
    SOURCES,
    AddResult,
    MeasurementSetResult,
    Source,
    TransferResult,
    UpgradeResult,
    check_text,
)

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy.engine import Engine

    from nitrolyte.store.records import MaterialRecord


class Database(LabMethods):
    """The nitrolyte database (see the module docstring for where it lives).

    Parameters
    ----------
    url : str or path-like, optional
        SQLAlchemy URL (``sqlite:///lab.sqlite``, ``postgresql+psycopg://lab@db/nitrolyte``) or
        a plain file path. Default: ``NITROLYTE_DATABASE_URL``, else the per-user data directory.
    timeout_s : float
        How long, in s, to wait for another program's write lock before raising
        :class:`~nitrolyte.errors.DatabaseError` (a ``?timeout=`` in a SQLite URL overrides it).
    upgrade : bool
        Migrate an older nitrolyte database on first use (default). If False, an older schema
        raises :class:`DatabaseError` telling to run ``nitrolyte db upgrade``.

    Notes
    -----
    Nothing is opened until the first call that needs the data. Reads of an up-to-date
    database never write to it, so a read-only copy can be queried: a SQLite file whose file,
    folder or mount is not writable (or a URL with ``?mode=ro``) is opened read-only
    (:func:`~nitrolyte.store.location.read_only_uri`) and every write is refused with one line.
    Before its first write, an object checks a SQLite file's pages (``PRAGMA quick_check``)
    and refuses to write into a damaged one.
    """

    def __init__(self, url: str | os.PathLike[str] | None = None, *, timeout_s: float = 5.0,
                 upgrade: bool = True):
        self.url = eng.resolve_url(url)
        self._url = eng.parse_url(self.url)
        query_timeout = self._url.query.get("timeout")  # sqlite:///x.sqlite?timeout=0.5 wins
        self.timeout_s = float(query_timeout if isinstance(query_timeout, str) else timeout_s)
        self.auto_upgrade = upgrade
        self._engine: Engine | None = None
        self._ready = False
        self._intact = False  # pages checked before this object's first write
        self.last_upgrade: UpgradeResult | None = None

    def __repr__(self) -> str:
        return f"Database({self.where!r})"

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None for an in-memory or non-SQLite database."""
        return eng.sqlite_path(self._url)

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._url.get_backend_name()

    @property
    def read_only(self) -> bool:
        """Whether the database is an existing SQLite file that cannot be written (the file,
        its folder or its mount is read-only, or the URL says ``?mode=ro``)."""
        return eng.is_sqlite(self._url) and read_only(self.path, self._query())

    def _query(self) -> str:
        return "&".join(f"{k}={v}" for k, v in self._url.query.items())

    @property
    def where(self) -> str:
        """The file path (or URL, password hidden) for messages."""
        return eng.where(self._url)

    # ------------------------------------------------------------------ connection
    @contextmanager
    def guard(self, action: str) -> Iterator[None]:
        """Turn driver errors into one-line :class:`DatabaseError` naming the database."""
        try:
            yield
        except (SQLAlchemyError, sqlite3.Error) as exc:
            raise eng.translate(exc, self._url, action, self.timeout_s) from None

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (created on first use)."""
        if self._engine is None:
            self._check_path()
            path = self.path
            uri = read_only_uri(path) if path is not None and self.read_only else None
            self._engine = eng.make_engine(self._url, self.timeout_s, uri)
        return self._engine

    def _check_path(self) -> None:
        path = self.path
        if path is not None and not path.is_file() and asks_read_only(self._query()):
            raise DatabaseError(f"database {path} does not exist (a read-only URL, ?mode=ro, "
                                f"never creates one); {eng.HINT}")
        if path is None or self.read_only:
            return
        problem = directory_problem(path)
        if problem:
            raise DatabaseError(problem)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"cannot create folder {path.parent} for the database "
                                f"({exc.strerror}); {eng.HINT}") from None

    def close(self) -> None:
        """Release the connection pool (the database stays as it is)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
            self._ready = False

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def read(self, action: str = "read") -> Iterator[Connection]:
        """A connection on the up-to-date database, in a read transaction."""
        self.ensure()
        with self.guard(action), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self, action: str = "write to") -> Iterator[Connection]:
        """A connection in a write transaction holding the writer lock: all or nothing.

        Refused with one line for a read-only or damaged database (nothing is written).
        """
        self.ensure()
        self.check_writable(action)
        with self.guard(action), eng.write_transaction(self.engine) as conn:
            yield conn

    def check_writable(self, action: str = "write to") -> None:
        """Refuse a read-only database, and (once per object) a damaged SQLite file."""
        if self.read_only:
            raise DatabaseError(f"database {self.where} is read-only (its file, folder or mount "
                                f"is not writable): cannot {action} it, nothing was written; "
                                f"make it writable, or {eng.HINT}")
        self.check_intact(action)

    def check_intact(self, action: str) -> None:
        """Refuse a SQLite file whose pages are damaged (``PRAGMA quick_check``), once per
        object; the message says how to restore a dump."""
        if self._intact or self.backend != "sqlite":
            return
        with self.guard(action), self.engine.connect() as conn:
            problem = migrate.integrity_problem(conn)
        if problem is not None:
            raise eng.damaged(self.where, problem, action)
        self._intact = True

    # ------------------------------------------------------------------ schema and seed
    def ensure(self) -> None:
        """Create, migrate or reseed the database if needed (called by every public method)."""
        if self._ready:
            return
        with self.guard("open"):
            self.last_upgrade = migrate.prepare(self.engine, self.where, self.path,
                                                upgrade=self.auto_upgrade,
                                                read_only=self.read_only)
        self._ready = True

    def upgrade(self) -> UpgradeResult | None:
        """Migrate to the newest schema now (None when it already was); see ``nitrolyte db``."""
        self._ready = False
        auto, self.auto_upgrade = self.auto_upgrade, True
        try:
            self.ensure()
        finally:
            self.auto_upgrade = auto
        return self.last_upgrade

    def current(self) -> dict[str, Any]:
        """Revision, head revision, schema version and ``meta`` without changing anything."""
        with self.guard("read"):
            return migrate.current(self.engine, self.where)

    def reseed(self) -> int:
        """Replace the literature rows by the package data; user rows are kept.

        Returns
        -------
        int
            Number of literature measurement rows now stored.
        """
        self.ensure()
        self.check_writable("reseed")
        with self.guard("reseed"):
            return migrate.reseed(self.engine)

    def schema_info(self) -> dict[str, str]:
        """The ``meta`` table as a dict (``schema_version``, ``data_hash``, ``seeded_at``...)."""
        self.ensure()
        with self.guard("read"):
            return migrate.schema_info(self.engine)

    # ------------------------------------------------------------------ reads
    def table(self, name: Literal["references", "materials", "measurements"],
              source: Source | None = None) -> pd.DataFrame:
        """One table in long format (``docs/architecture.md`` columns + provenance).

        Parameters
        ----------
        name : {"references", "materials", "measurements"}
            The table.
        source : {"literature", "user"}, optional
            Keep only rows of this source.
        """
        check_choice("table", name, tuple(t.TABLES))
        if source is not None:
            check_choice("source", source, SOURCES)
        with self.read() as conn:
            return reads.table(conn, name, source)

    def materials_frame(self, source: Source | None = None,
                        family: str | None = None) -> pd.DataFrame:
        """The wide materials frame (one row per material and direction) of this database.

        Parameters
        ----------
        source : {"literature", "user"}, optional
            Keep only rows of this source.
        family : str, optional
            Only materials of this family (selected in SQL; rows read are those returned).
        """
        if source is not None:
            check_choice("source", source, SOURCES)
        with self.read() as conn:
            return reads.wide(conn, source, reads.material_ids(conn, family))

    def families(self) -> list[str]:
        """Families present in the database."""
        with self.read() as conn:
            return reads.families(conn)

    def name_index(self) -> dict[str, str]:
        """``name_key`` of every name, alias and id -> material_id."""
        with self.read() as conn:
            return dict(conn.execute(t.name_keys.select()).all())

    def resolve(self, name: str) -> str:
        """The material_id of a name, alias or id (Greek or ASCII spelling, any case).

        Raises
        ------
        UnknownMaterialError
            With the closest known names.
        """
        from nitrolyte.errors import UnknownMaterialError
        from nitrolyte.names import name_key

        if not isinstance(name, str) or not name.strip():
            raise InputError(f"material name must be a non-empty string, got {name!r}")
        check_text("material name", name)
        with self.read() as conn:
            found = reads.lookup(conn, name_key(name.strip()))
            if found is None:  # a formula: of one material, or ambiguous (nitrolyte.names)
                found = reads.formula_index(conn).lookup(name)
            if found is None:
                raise UnknownMaterialError(name, reads.names(conn))
        return found

    def names(self, source: Source | None = None) -> list[str]:
        """Display names of the materials, in database order."""
        if source is not None:
            check_choice("source", source, SOURCES)
        with self.read() as conn:
            return reads.names(conn, source)

    def get(self, name: str) -> MaterialRecord:
        """The :class:`~nitrolyte.store.records.MaterialRecord` of a material (one SQL read)."""
        material_id = self.resolve(name)
        with self.read() as conn:
            return one_record.record(one_record.CoreRows(conn), material_id)

    # ------------------------------------------------------------------ user data
    def add_measurement(self, *, material: str, property: str, value: float, unit: str,
                        temperature: float, temperature_unit: str = "K",
                        added_by: str | None = None, source_sha256: str | None = None,
                        allow_implausible: bool = False, **fields: Any) -> AddResult:
        """Store one user measurement, creating the material if its name is new.

        Parameters
        ----------
        material : str
            Name (or alias, or material_id) of the material; a new name creates a user material.
        property : str
            A property of :data:`nitrolyte.properties.PROPERTIES` (``ionic_conductivity`` in
            S/cm, ``activation_energy`` in eV, ``electronic_conductivity`` in S/cm, ...).
        value : float
            The value in ``unit``.
        unit : str
            Unit of ``value`` (checked against the property).
        temperature : float
            Temperature of the measurement in ``temperature_unit``.
        temperature_unit : {"K", "C"}
            Unit of ``temperature``.
        added_by : str, optional
            Who adds it (default: the OS user).
        source_sha256 : str, optional
            SHA-256 of the file the value came from.
        allow_implausible : bool
            Store a value outside what a laboratory measures
            (:data:`nitrolyte.plausibility.LIMITS`: 10-2000 K, sigma <= 10 S/cm, Ea 0-3 eV).
        **fields
            Optional long-format fields: ``qualifier, direction, phase, method,
            derived_from_arrhenius, ref, doi, citation, location, note, value_stderr`` and, for
            a new material, ``formula, family, crystal_system, space_group, synthesis``.

        Raises
        ------
        DataValidationError
            Naming the field that failed validation; nothing is stored.
        """
        import pandas as pd

        row = {"name": material, "property": property, "value": value, "unit": unit,
               "temperature": temperature, "temperature_unit": temperature_unit, **fields}
        frame = pd.DataFrame([{k: v for k, v in row.items() if v is not None}])
        return self._store(frame, "add", added_by, source_sha256, single=True,  # type: ignore[return-value]
                           allow_implausible=allow_implausible)

    def _store(self, raw: pd.DataFrame, where: str, added_by: str | None,
               source_sha256: str | None, single: bool = False,
               set_fields: Mapping[str, Any] | None = None,
               imported: tuple[str, bool] | None = None,
               allow_implausible: bool = False) -> Any:
        """Every write of measurement rows: one validation (:func:`validate_frame`, with the
        laboratory limits unless ``allow_implausible``), then one all-or-nothing write;
        ``imported`` = (file SHA-256, again) records the import (refusing a repeat unless
        ``again``) in the same transaction."""
        from nitrolyte.store import imports, writes
        from nitrolyte.store.validate import REQUIRED, validate_frame

        required = REQUIRED if set_fields is None else REQUIRED[:-1]
        if "source_sha256" in raw.columns:  # an export read back keeps its rows' provenance
            source_sha256 = None
        frame = validate_frame(raw, where, required, allow_implausible=allow_implausible)
        if added_by is not None:
            added_by = check_text("added_by", added_by, max_len=200)
        prov = writes.provenance(added_by, source_sha256)
        with self.read() as conn:
            batch = writes.prepare(conn, frame, where)
        with self.write() as conn:
            if imported is not None and not imported[1]:  # again, under the writer lock
                imports.refuse_repeat(conn, imported[0], where, self.where)
            ids, set_id = writes.write(conn, batch, prov, returning=single,
                                       set_fields=None if set_fields is None else dict(set_fields))
            if imported is not None:
                imports.record(conn, imported[0], where, len(batch.frame), prov["added_by"])
            mids = batch.frame["material_id"].tolist()
            if single:
                name = writes.material_names(conn, mids)[mids[0]]
                return AddResult(material_id=mids[0], name=name, measurement_id=ids[0],
                                 material_created=mids[0] in batch.created)
        if set_id is not None:
            n = int((batch.frame["property"] == "ionic_conductivity").sum())
            return MeasurementSetResult(set_id=set_id, material_id=mids[0], n_points=n,
                                        created_material=mids[0] in batch.created)
        return TransferResult(path=where, n_measurements=len(batch.frame),
                              n_materials_created=len(batch.created))

    def import_file(self, path: str | os.PathLike[str],
                    format: Literal["auto", "csv", "json", "obelix"] = "auto",
                    added_by: str | None = None, again: bool = False,
                    allow_implausible: bool = False) -> TransferResult:
        """Import user measurements from a CSV or JSON file, all or nothing.

        The file has the long-format columns (``name, property, value, unit, temperature,
        temperature_unit`` plus optional ones, see ``docs/cli.md``); an exported file imports
        back unchanged. ``format="obelix"`` reads the OBELiX dataset CSV (room temperature).
        Every row records ``added_by`` (default the OS user) and the file's SHA-256; a file
        whose content was imported before is refused unless ``again`` (it would store every
        row twice). Values outside what a laboratory measures are refused unless
        ``allow_implausible``.

        Raises
        ------
        DataValidationError
            Naming the row number and field of the first bad row; nothing is stored.
        AlreadyImportedError
            The same content was imported before (and ``again`` is False); nothing is stored.
        """
        from nitrolyte.store import files

        path = Path(path)
        fmt = files.file_format(path, format, ("csv", "json", "obelix"))
        frame = files.read_frame(path, fmt)
        sha = files.sha256_file(path)
        if not again:
            self.check_new_import(path, sha)
        res = self._store(frame, path.name, added_by, sha, imported=(sha, again),
                          allow_implausible=allow_implausible)
        return TransferResult(path=str(path), n_measurements=res.n_measurements,
                              n_materials_created=res.n_materials_created)

    def export(self, path: str | os.PathLike[str], source: Source | None = None,
               format: Literal["auto", "csv", "json"] = "auto") -> TransferResult:
        """Write measurements (with material, reference, provenance) to CSV or JSON losslessly."""
        from nitrolyte.store import files

        path = Path(path)
        if source is not None:
            check_choice("source", source, SOURCES)
        fmt = files.file_format(path, format, ("csv", "json"))
        with self.read() as conn:
            rows = files.export_rows(reads.table(conn, "materials"),
                                     reads.table(conn, "measurements", source),
                                     reads.table(conn, "references"))
        files.write_rows(path, rows, fmt)
        return TransferResult(path=str(path), n_measurements=len(rows))

    def delete_user_data(self) -> int:
        """Remove every user row; returns the number of user measurements removed."""
        with self.write("delete from") as conn:
            n = conn.execute(delete(t.measurements).where(t.measurements.c.source == "user"))
            conn.execute(delete(t.measurement_sets))
            conn.execute(delete(t.name_keys).where(t.name_keys.c.material_id.in_(
                t.materials.select().with_only_columns(t.materials.c.material_id)
                .where(t.materials.c.source == "user"))))
            conn.execute(delete(t.materials).where(t.materials.c.source == "user"))
            conn.execute(delete(t.references).where(t.references.c.source == "user"))
            conn.execute(delete(t.imports))  # the files may be imported again
        return int(n.rowcount or 0)


#: What a ``db`` argument accepts throughout nitrolyte: a :class:`Database`, or a SQLAlchemy
#: URL or file path that :func:`nitrolyte.api.database` opens (one object per URL). ``None``,
#: where a signature allows it, means the user's default database; a function given a database
#: passes it on to every read it makes (issue 24).
DatabaseLike = Database | str | os.PathLike[str]
