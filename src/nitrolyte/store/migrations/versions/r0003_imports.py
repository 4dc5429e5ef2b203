"""Schema 3: the SHA-256 of every imported file, so a repeated import is refused.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the ``imports`` table (empty: files imported before were not recorded)."""
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("file_name", sa.String(300), nullable=False),
        sa.Column("n_measurements", sa.Integer, nullable=False),
        sa.Column("added_by", sa.String(200)),
        sa.Column("imported_at", sa.String(40), nullable=False))


def downgrade() -> None:
    """Back to schema 2 (the record of imported files is dropped)."""
    op.drop_table("imports")
