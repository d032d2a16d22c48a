"""Workload identity providers, their outbound signers, templates, and deletion tasks; delegation requests

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "workload_identity_providers",
        sa.Column("provider_id", sa.String(length=32), nullable=False),
        sa.Column("arn", sa.String(length=2048), nullable=False),
        sa.Column("owner_account_id", sa.String(length=12), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("scheme", sa.String(length=16), nullable=False),
        sa.Column("domain", sa.String(length=64), nullable=True),
        sa.Column("resource_policy", sa.Text(), nullable=True),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        _ts("created_at"),
        sa.ForeignKeyConstraint(
            ["owner_account_id"],
            ["accounts.account_id"],
            name=op.f("fk_workload_identity_providers_owner_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("provider_id", name=op.f("pk_workload_identity_providers")),
        sa.UniqueConstraint("arn", name=op.f("uq_workload_identity_providers_arn")),
    )
    op.create_table(
        "workload_identity_signers",
        sa.Column("signer_id", sa.String(length=40), nullable=False),
        sa.Column("provider_id", sa.String(length=32), nullable=False),
        sa.Column("signer_type", sa.String(length=8), nullable=False),
        sa.Column("algorithm", sa.String(length=64), nullable=False),
        sa.Column("ca_id", sa.String(length=256), nullable=True),
        sa.Column("ca_account_id", sa.String(length=12), nullable=True),
        sa.Column("key_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("public_material", sa.Text(), nullable=False),
        _ts("start_at"),
        _ts("end_at", nullable=True),
        _ts("discovery_end_at", nullable=True),
        _ts("created_at"),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["workload_identity_providers.provider_id"],
            name=op.f("fk_workload_identity_signers_provider_id_workload_identity_providers"),
        ),
        sa.PrimaryKeyConstraint("signer_id", name=op.f("pk_workload_identity_signers")),
    )
    op.create_index(op.f("ix_workload_identity_signers_provider_id"), "workload_identity_signers", ["provider_id"])
    op.create_table(
        "workload_identity_templates",
        sa.Column("template_id", sa.String(length=32), nullable=False),
        sa.Column("arn", sa.String(length=2048), nullable=False),
        sa.Column("owner_account_id", sa.String(length=12), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("provider_id", sa.String(length=32), nullable=False),
        sa.Column("path_prefix", sa.String(length=64), nullable=True),
        sa.Column("path_pattern", sa.Text(), nullable=False),
        sa.Column("attestation_policy", sa.Text(), nullable=True),
        _ts("created_at"),
        sa.ForeignKeyConstraint(
            ["owner_account_id"],
            ["accounts.account_id"],
            name=op.f("fk_workload_identity_templates_owner_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["workload_identity_providers.provider_id"],
            name=op.f("fk_workload_identity_templates_provider_id_workload_identity_providers"),
        ),
        sa.PrimaryKeyConstraint("template_id", name=op.f("pk_workload_identity_templates")),
        sa.UniqueConstraint("arn", name=op.f("uq_workload_identity_templates_arn")),
    )
    op.create_index(op.f("ix_workload_identity_templates_provider_id"), "workload_identity_templates", ["provider_id"])
    op.create_table(
        "workload_identity_deletions",
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("provider_arn", sa.String(length=2048), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _ts("expires_at"),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_workload_identity_deletions")),
    )
    op.create_table(
        "delegation_requests",
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("requestor_account_id", sa.String(length=12), nullable=False),
        sa.Column("workflow_id", sa.String(length=400), nullable=False),
        sa.Column("owner_account_id", sa.String(length=12), nullable=True),
        sa.Column("owner_id", sa.String(length=2048), nullable=True),
        sa.Column("approver_id", sa.String(length=2048), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("request_message", sa.Text(), nullable=True),
        sa.Column("permissions", sa.Text(), nullable=False),
        sa.Column("permission_policy", sa.Text(), nullable=False),
        sa.Column("redirect_url", sa.String(length=255), nullable=True),
        sa.Column("notification_channel", sa.String(length=400), nullable=False),
        sa.Column("session_duration", sa.Integer(), nullable=False),
        sa.Column("only_send_by_owner", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("accepted_principal", sa.Text(), nullable=True),
        sa.Column("token_sha256", sa.String(length=64), nullable=True),
        _ts("token_expires_at", nullable=True),
        _ts("token_used_at", nullable=True),
        _ts("expires_at"),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_delegation_requests")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_delegation_requests_token_sha256")),
        sa.UniqueConstraint(
            "requestor_account_id", "workflow_id", name=op.f("uq_delegation_requests_requestor_account_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("delegation_requests")
    op.drop_table("workload_identity_deletions")
    op.drop_index(op.f("ix_workload_identity_templates_provider_id"), table_name="workload_identity_templates")
    op.drop_table("workload_identity_templates")
    op.drop_index(op.f("ix_workload_identity_signers_provider_id"), table_name="workload_identity_signers")
    op.drop_table("workload_identity_signers")
    op.drop_table("workload_identity_providers")
