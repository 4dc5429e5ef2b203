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

from nitrolyte._lazy import lazy_exports

#: public name -> defining module, loaded on first use (a read-only command that never opens
#: the database through SQLAlchemy, see :mod:`nitrolyte.store.quick`, never imports it)
_EXPORTS = {
    "Database": "nitrolyte.store.database",
    "ENV_VAR": "nitrolyte.store.location", "resolve_url": "nitrolyte.store.location",
    "HEAD_REVISION": "nitrolyte.store.location", "SCHEMA_VERSION": "nitrolyte.store.location",
    **dict.fromkeys(("SOURCES", "AddResult", "MeasurementSetResult", "Source", "TransferResult",
                     "UpgradeResult"), "nitrolyte.store.models"),
    "MaterialRecord": "nitrolyte.store.records", "StoredMeasurement": "nitrolyte.store.records",
    "data_hash": "nitrolyte.store.seed", "COLUMNS": "nitrolyte.store.tables",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
