"""Service last accessed data, access advisor reports, account properties, OIDC provider settings, role templates

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_last_accessed",
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("entity_id", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=160), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("entity_arn", sa.String(length=2048), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "entity_id", "action", name=op.f("pk_service_last_accessed")),
    )
    op.create_index("ix_service_last_accessed_account_service", "service_last_accessed", ["account_id", "service"])
    op.create_table(
        "access_reports",
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=2048), nullable=False),
        sa.Column("granularity", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("report", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.account_id"], name=op.f("fk_access_reports_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_access_reports")),
    )
    op.create_index("ix_access_reports_account_created", "access_reports", ["account_id", "created_at"])
    op.create_table(
        "account_properties",
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("value", sa.String(length=1024), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.account_id"], name=op.f("fk_account_properties_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", "name", name=op.f("pk_account_properties")),
    )
    op.create_table(
        "oidc_provider_configs",
        sa.Column("arn", sa.String(length=2048), nullable=False),
        sa.Column("context_provider", sa.Text(), nullable=True),
        sa.Column("identity_center_instance_arn", sa.String(length=1224), nullable=True),
        sa.ForeignKeyConstraint(
            ["arn"], ["oidc_providers.arn"], name=op.f("fk_oidc_provider_configs_arn_oidc_providers")
        ),
        sa.PrimaryKeyConstraint("arn", name=op.f("pk_oidc_provider_configs")),
    )
    op.create_table(
        "role_template_sources",
        sa.Column("role_id", sa.String(length=32), nullable=False),
        sa.Column("template_arn", sa.String(length=2048), nullable=False),
        sa.Column("minor_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["role_id"], ["roles.role_id"], name=op.f("fk_role_template_sources_role_id_roles")),
        sa.PrimaryKeyConstraint("role_id", name=op.f("pk_role_template_sources")),
    )


def downgrade() -> None:
    op.drop_table("role_template_sources")
    op.drop_table("oidc_provider_configs")
    op.drop_table("account_properties")
    op.drop_index("ix_access_reports_account_created", table_name="access_reports")
    op.drop_table("access_reports")
    op.drop_index("ix_service_last_accessed_account_service", table_name="service_last_accessed")
    op.drop_table("service_last_accessed")
