"""Organizations: handshakes, the organization's resource policy, and closed member accounts

Revision ID: 0010
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "org_handshakes",
        sa.Column("handshake_id", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.String(length=40), nullable=True),
        sa.Column("target_type", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=256), nullable=False),
        sa.Column("target_key", sa.String(length=256), nullable=False),
        sa.Column("target_account_id", sa.String(length=12), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("tags", sa.Text(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.org_id"], name=op.f("fk_org_handshakes_org_id_organizations")
        ),
        sa.PrimaryKeyConstraint("handshake_id", name=op.f("pk_org_handshakes")),
    )
    op.create_index("ix_org_handshakes_org", "org_handshakes", ["org_id"])
    op.create_index("ix_org_handshakes_target", "org_handshakes", ["target_key"])
    op.create_table(
        "org_resource_policies",
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("policy_id", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.org_id"], name=op.f("fk_org_resource_policies_org_id_organizations")
        ),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_org_resource_policies")),
    )
    op.add_column("org_accounts", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("org_accounts") as batch:
        batch.drop_column("closed_at")
    op.drop_table("org_resource_policies")
    op.drop_index("ix_org_handshakes_target", table_name="org_handshakes")
    op.drop_index("ix_org_handshakes_org", table_name="org_handshakes")
    op.drop_table("org_handshakes")
