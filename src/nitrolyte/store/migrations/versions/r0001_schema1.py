"""Schema 1: the tables of nitrolyte 0.1 (references, materials, measurements, meta).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _stamp() -> list[sa.Column]:
    return [sa.Column("source", sa.String(16), nullable=False, index=True),
            sa.Column("added_at", sa.String(40), nullable=False)]


def upgrade() -> None:
    """Create the schema-1 tables exactly as nitrolyte 0.1 wrote them."""
    op.create_table(
        "references",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ref", sa.String(200), nullable=False, index=True),
        sa.Column("citation", sa.Text), sa.Column("doi", sa.String(200)),
        sa.Column("citation_key", sa.String(200)), *_stamp())
    op.create_table(
        "materials",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("material_id", sa.String(200), nullable=False, unique=True, index=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("aliases", sa.Text), sa.Column("formula", sa.String(300)),
        sa.Column("formula_printed", sa.String(300)), sa.Column("family", sa.String(100)),
        sa.Column("crystal_system", sa.String(100)), sa.Column("space_group", sa.String(100)),
        sa.Column("synthesis", sa.String(300)), sa.Column("ref", sa.String(200)),
        sa.Column("location", sa.String(100)), sa.Column("note", sa.Text), *_stamp())
    op.create_table(
        "measurements",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("material_id", sa.String(200), sa.ForeignKey("materials.material_id"),
                  nullable=False, index=True),
        sa.Column("property", sa.String(100), nullable=False),
        sa.Column("value", sa.Float), sa.Column("qualifier", sa.String(4)),
        sa.Column("unit", sa.String(40)), sa.Column("temperature", sa.Float),
        sa.Column("temperature_unit", sa.String(8)), sa.Column("direction", sa.String(16)),
        sa.Column("phase", sa.String(16)), sa.Column("method", sa.String(200)),
        sa.Column("derived_from_arrhenius", sa.Boolean, nullable=False),
        sa.Column("ref", sa.String(200)), sa.Column("location", sa.String(100)),
        sa.Column("note", sa.Text), *_stamp())
    op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False))


def downgrade() -> None:
    """Drop every table (only ever run on an empty test database)."""
    for name in ("measurements", "materials", "references", "meta"):
        op.drop_table(name)
