"""The tables of the nitrolyte database (SQLAlchemy Core), as the newest migration leaves them.

The migrations in :mod:`nitrolyte.store.migrations` create and change these tables; this module
describes the result for queries. ``tests/test_store_migrations.py`` checks that both agree.

Tables
------
``references``, ``materials``, ``measurements``
    The long format of ``docs/architecture.md``; ``source`` is ``literature`` or ``user`` and
    every row carries its provenance (``added_by``, ``added_at``, ``source_sha256``).
``name_keys``
    :func:`nitrolyte.names.name_key` of every name, alias and id -> material_id (the lookup index;
    rebuilt when :data:`nitrolyte.names.NAMES_VERSION` changes).
``measurement_sets``
    A group of user measurements taken or fitted together (EIS series, MD run) with its method.
``cache``
    Computed results (relaxed structures, ML energies) by namespace and key, as JSON.
``api_tokens``
    SHA-256 of API tokens with their name and scope.
``imports``
    SHA-256 of every file imported (``nitrolyte import``, ``POST /api/v1/imports``) with its
    name, row count, who and when: a file already imported is refused unless asked ``again``.
``meta``
    Key/value facts: ``application`` (the nitrolyte marker), ``schema_version``, ``data_hash``,
    ``names_version``, ``seeded_at``, ``nitrolyte_version``.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

# the layout's version constants live with the other plain values (re-exported here)
from nitrolyte.store.location import HEAD_REVISION as HEAD_REVISION
from nitrolyte.store.location import MARKER as MARKER
from nitrolyte.store.location import SCHEMA1_REVISION as SCHEMA1_REVISION
from nitrolyte.store.location import SCHEMA_VERSION as SCHEMA_VERSION

metadata = MetaData()


def _provenance(index_source: bool = True) -> list[Column[object]]:
    return [Column("source", String(16), nullable=False, index=index_source),
            Column("added_at", String(40), nullable=False),
            Column("added_by", String(200)),
            Column("source_sha256", String(64))]


references = Table(
    "references", metadata,
    Column("id", Integer, primary_key=True),
    Column("ref", String(200), nullable=False, index=True),
    Column("citation", Text), Column("doi", String(200)), Column("citation_key", String(200)),
    *_provenance(),
)

materials = Table(
    "materials", metadata,
    Column("id", Integer, primary_key=True),
    Column("material_id", String(200), nullable=False, unique=True, index=True),
    Column("name", String(300), nullable=False),
    Column("aliases", Text), Column("formula", String(300)), Column("formula_printed", String(300)),
    Column("family", String(100), index=True), Column("crystal_system", String(100)),
    Column("space_group", String(100)), Column("synthesis", String(300)),
    Column("ref", String(200)), Column("location", String(100)), Column("note", Text),
    *_provenance(),
)

measurement_sets = Table(
    "measurement_sets", metadata,
    Column("id", Integer, primary_key=True),
    Column("material_id", String(200), ForeignKey("materials.material_id"), nullable=False,
           index=True),
    Column("method", String(200), nullable=False),
    Column("method_details", Text), Column("fit", Text), Column("source_files", Text),
    Column("note", Text),
    Column("added_by", String(200)), Column("added_at", String(40), nullable=False),
)

measurements = Table(
    "measurements", metadata,
    Column("id", Integer, primary_key=True),
    Column("material_id", String(200), ForeignKey("materials.material_id"), nullable=False),
    Column("property", String(100), nullable=False),
    Column("value", Float), Column("qualifier", String(4)), Column("unit", String(40)),
    Column("temperature", Float), Column("temperature_unit", String(8)),
    Column("direction", String(16)), Column("phase", String(16)), Column("method", String(200)),
    Column("derived_from_arrhenius", Boolean, nullable=False),
    Column("ref", String(200)), Column("location", String(100)), Column("note", Text),
    *_provenance(index_source=False),
    Column("value_stderr", Float), Column("kind", String(16)),
    Column("set_id", Integer, ForeignKey("measurement_sets.id")),
    # one index serves "a material's rows" and "a material's user rows"; few indexes keep
    # bulk inserts fast; set_id is indexed only where set (most rows have none)
    Index("ix_measurements_material_source", "material_id", "source"),
    Index("ix_measurements_set_id", "set_id", sqlite_where=text("set_id IS NOT NULL"),
          postgresql_where=text("set_id IS NOT NULL")),
)

name_keys = Table(
    "name_keys", metadata,
    Column("key", String(400), primary_key=True),
    Column("material_id", String(200), nullable=False, index=True),
)

cache = Table(
    "cache", metadata,
    Column("namespace", String(100), primary_key=True),
    Column("key", String(400), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", String(40), nullable=False),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("scope", String(16), nullable=False),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("created_at", String(40), nullable=False),
    Column("revoked_at", String(40)),
    Index("ix_api_tokens_active_name", "name", unique=True,
          sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL")),
)

imports = Table(
    "imports", metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False, index=True),
    Column("file_name", String(300), nullable=False),
    Column("n_measurements", Integer, nullable=False),
    Column("added_by", String(200)),
    Column("imported_at", String(40), nullable=False),
)

meta = Table(
    "meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

#: long-format tables by name
TABLES: dict[str, Table] = {"references": references, "materials": materials,
                            "measurements": measurements}
#: long-format columns of each table (without the database's own ``id``)
COLUMNS: dict[str, tuple[str, ...]] = {
    name: tuple(c.key for c in table.columns if c.key != "id") for name, table in TABLES.items()
}
#: tables that hold user data, in the order they are written (parents first)
USER_TABLES = ("references", "materials", "measurement_sets", "measurements")
