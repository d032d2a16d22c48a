"""S3 object versions: the current object's version id and order, and a table of older versions and delete markers

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("objects") as batch:
        batch.add_column(sa.Column("version_id", sa.String(length=64), server_default="null", nullable=False))
        batch.add_column(sa.Column("seq", sa.BigInteger(), server_default="0", nullable=False))
    op.create_table(
        "object_versions",
        sa.Column("bucket", sa.String(length=63), nullable=False),
        sa.Column("key", sa.String(length=1024), nullable=False),
        sa.Column("version_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("delete_marker", sa.Boolean(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("etag", sa.String(length=80), nullable=False),
        sa.Column("content_type", sa.String(length=256), nullable=True),
        sa.Column("attributes", sa.Text(), nullable=False),
        sa.Column("blob", sa.String(length=80), nullable=True),
        sa.Column("last_modified", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["bucket"], ["buckets.name"], name=op.f("fk_object_versions_bucket_buckets")),
        sa.PrimaryKeyConstraint("bucket", "key", "version_id", name=op.f("pk_object_versions")),
    )
    op.create_index("ix_object_versions_bucket_key_seq", "object_versions", ["bucket", "key", "seq"])


def downgrade() -> None:
    op.drop_index("ix_object_versions_bucket_key_seq", table_name="object_versions")
    op.drop_table("object_versions")
    with op.batch_alter_table("objects") as batch:
        batch.drop_column("seq")
        batch.drop_column("version_id")
