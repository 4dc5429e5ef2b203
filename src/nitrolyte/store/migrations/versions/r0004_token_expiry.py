"""Schema 4: API tokens get an optional expiry and the time they were last used.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``expires_at`` and ``last_used_at`` (NULL: never expires, never used) to tokens."""
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.String(40)))
        batch.add_column(sa.Column("last_used_at", sa.String(40)))


def downgrade() -> None:
    """Back to schema 3 (expiry and last use are dropped)."""
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("last_used_at")
        batch.drop_column("expires_at")
