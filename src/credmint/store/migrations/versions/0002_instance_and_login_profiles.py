"""instance profiles and login profiles

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
    op.create_table(
        "instance_profiles",
        sa.Column("instance_profile_id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("name_key", sa.String(length=128), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("arn", sa.String(length=2048), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.account_id"], name=op.f("fk_instance_profiles_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("instance_profile_id", name=op.f("pk_instance_profiles")),
        sa.UniqueConstraint("account_id", "name_key", name="uq_instance_profiles_account_name"),
    )
    op.create_table(
        "instance_profile_roles",
        sa.Column("instance_profile_id", sa.String(length=32), nullable=False),
        sa.Column("role_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_profile_id"],
            ["instance_profiles.instance_profile_id"],
            name=op.f("fk_instance_profile_roles_instance_profile_id_instance_profiles"),
        ),
        sa.ForeignKeyConstraint(["role_id"], ["roles.role_id"], name=op.f("fk_instance_profile_roles_role_id_roles")),
        sa.PrimaryKeyConstraint("instance_profile_id", "role_id", name=op.f("pk_instance_profile_roles")),
    )
    op.create_index("ix_instance_profile_roles_role", "instance_profile_roles", ["role_id"], unique=False)
    op.create_table(
        "login_profiles",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("password_reset_required", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.account_id"], name=op.f("fk_login_profiles_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.user_id"], name=op.f("fk_login_profiles_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_login_profiles")),
    )


def downgrade() -> None:
    op.drop_table("login_profiles")
    op.drop_index("ix_instance_profile_roles_role", table_name="instance_profile_roles")
    op.drop_table("instance_profile_roles")
    op.drop_table("instance_profiles")
