"""The nitrolyte database package: SQLite for one person, PostgreSQL for a lab.

Layers, each importing only those above it in this list (never :mod:`nitrolyte.api`)::

    models, records      result objects and plain-value helpers (no SQL)
    tables               SQLAlchemy Core tables (as the newest migration leaves them)
    migrations/          Alembic revisions (0001 = nitrolyte 0.1's schema 1)
    engine               URL, engine, write lock, error messages
    seed, migrate        package data in, recognise / migrate / reseed on open
    reads, validate,     SQL-side reads; vectorised validation;
    writes, lab, files,  bulk writes; sets, cache, tokens; import/export files;
    backup               dump / restore
    database             the :class:`Database` facade

Examples
--------
>>> from nitrolyte.store import Database
>>> db = Database("lab.sqlite")                                   # doctest: +SKIP
>>> db.get("beta-Li3N").sigma_S_cm()                              # doctest: +SKIP
0.0002085
"""

from __future__ import annotations

from nitrolyte.store.database import Database
from nitrolyte.store.engine import ENV_VAR, resolve_url
from nitrolyte.store.models import (
    SOURCES,
    AddResult,
    MeasurementSetResult,
    Source,
    TransferResult,
    UpgradeResult,
)
from nitrolyte.store.records import MaterialRecord, StoredMeasurement
from nitrolyte.store.seed import data_hash
from nitrolyte.store.tables import COLUMNS, HEAD_REVISION, SCHEMA_VERSION

__all__ = ["COLUMNS", "ENV_VAR", "HEAD_REVISION", "SCHEMA_VERSION", "SOURCES", "AddResult",
           "Database", "MaterialRecord", "MeasurementSetResult", "Source", "StoredMeasurement",
           "TransferResult", "UpgradeResult", "data_hash", "resolve_url"]
