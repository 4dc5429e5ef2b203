"""Schema 2: provenance on every row, measurement sets, name index, cache, API tokens, indexes.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the lab tables and columns; existing rows keep every value (new columns are NULL)."""
    op.create_table(
        "measurement_sets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("material_id", sa.String(200), sa.ForeignKey("materials.material_id"),
                  nullable=False, index=True),
        sa.Column("method", sa.String(200), nullable=False),
        sa.Column("method_details", sa.Text), sa.Column("fit", sa.Text),
        sa.Column("source_files", sa.Text), sa.Column("note", sa.Text),
        sa.Column("added_by", sa.String(200)), sa.Column("added_at", sa.String(40), nullable=False))
    for table in ("references", "materials", "measurements"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("added_by", sa.String(200)))
            batch.add_column(sa.Column("source_sha256", sa.String(64)))
    with op.batch_alter_table("measurements") as batch:
        batch.add_column(sa.Column("value_stderr", sa.Float))
        batch.add_column(sa.Column("kind", sa.String(16)))
        batch.add_column(sa.Column("set_id", sa.Integer, sa.ForeignKey(
            "measurement_sets.id", name="fk_measurements_set_id")))
        batch.create_index("ix_measurements_material_source", ["material_id", "source"])
        batch.drop_index("ix_measurements_material_id")  # covered by the composite index
        batch.drop_index("ix_measurements_source")       # bulk inserts pay for every index
    op.create_index("ix_measurements_set_id", "measurements", ["set_id"],
                    sqlite_where=sa.text("set_id IS NOT NULL"),
                    postgresql_where=sa.text("set_id IS NOT NULL"))
    op.create_index("ix_materials_family", "materials", ["family"])
    op.create_table(
        "name_keys",
        sa.Column("key", sa.String(400), primary_key=True),
        sa.Column("material_id", sa.String(200), nullable=False, index=True))
    op.create_table(
        "cache",
        sa.Column("namespace", sa.String(100), primary_key=True),
        sa.Column("key", sa.String(400), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False))
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("revoked_at", sa.String(40)))
    op.create_index("ix_api_tokens_active_name", "api_tokens", ["name"], unique=True,
                    sqlite_where=sa.text("revoked_at IS NULL"),
                    postgresql_where=sa.text("revoked_at IS NULL"))


def downgrade() -> None:
    """Back to schema 1 (the lab tables and the provenance columns are dropped)."""
    op.drop_table("api_tokens")
    op.drop_table("cache")
    op.drop_table("name_keys")
    op.drop_index("ix_materials_family", "materials")
    op.drop_index("ix_measurements_set_id", "measurements")
    with op.batch_alter_table("measurements") as batch:
        batch.drop_index("ix_measurements_material_source")
        batch.create_index("ix_measurements_material_id", ["material_id"])
        batch.create_index("ix_measurements_source", ["source"])
        batch.drop_constraint("fk_measurements_set_id", type_="foreignkey")
        for col in ("set_id", "kind", "value_stderr"):
            batch.drop_column(col)
    for table in ("references", "materials", "measurements"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("source_sha256")
            batch.drop_column("added_by")
    op.drop_table("measurement_sets")
