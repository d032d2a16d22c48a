"""bucket sub-resource configurations

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
    op.create_table(
        "bucket_configs",
        sa.Column("bucket", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["bucket"], ["buckets.name"], name=op.f("fk_bucket_configs_bucket_buckets")),
        sa.PrimaryKeyConstraint("bucket", "name", name=op.f("pk_bucket_configs")),
    )


def downgrade() -> None:
    op.drop_table("bucket_configs")
