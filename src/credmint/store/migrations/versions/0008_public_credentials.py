"""SSH public keys, signing certificates and service-specific credentials of users; server certificates

Revision ID: 0008
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ssh_public_keys",
        sa.Column("key_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.account_id"], name=op.f("fk_ssh_public_keys_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.user_id"], name=op.f("fk_ssh_public_keys_user_id_users")),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_ssh_public_keys")),
    )
    op.create_index("ix_ssh_public_keys_user", "ssh_public_keys", ["user_id"])
    op.create_table(
        "signing_certificates",
        sa.Column("certificate_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.account_id"], name=op.f("fk_signing_certificates_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.user_id"], name=op.f("fk_signing_certificates_user_id_users")),
        sa.PrimaryKeyConstraint("certificate_id", name=op.f("pk_signing_certificates")),
    )
    op.create_index("ix_signing_certificates_account_user", "signing_certificates", ["account_id", "user_id"])
    op.create_table(
        "service_credentials",
        sa.Column("credential_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("service_name", sa.String(length=128), nullable=False),
        sa.Column("service_user_name", sa.String(length=200), nullable=False),
        sa.Column("secret_hash", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.account_id"], name=op.f("fk_service_credentials_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.user_id"], name=op.f("fk_service_credentials_user_id_users")),
        sa.PrimaryKeyConstraint("credential_id", name=op.f("pk_service_credentials")),
    )
    op.create_index("ix_service_credentials_user", "service_credentials", ["user_id"])
    op.create_table(
        "server_certificates",
        sa.Column("server_certificate_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("arn", sa.String(length=1024), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("chain", sa.Text(), nullable=True),
        sa.Column("key_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.account_id"], name=op.f("fk_server_certificates_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("server_certificate_id", name=op.f("pk_server_certificates")),
    )
    op.create_index("ix_server_certificates_account", "server_certificates", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_server_certificates_account", table_name="server_certificates")
    op.drop_table("server_certificates")
    op.drop_index("ix_service_credentials_user", table_name="service_credentials")
    op.drop_table("service_credentials")
    op.drop_index("ix_signing_certificates_account_user", table_name="signing_certificates")
    op.drop_table("signing_certificates")
    op.drop_index("ix_ssh_public_keys_user", table_name="ssh_public_keys")
    op.drop_table("ssh_public_keys")
