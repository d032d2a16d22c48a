"""The database schema: one SQLAlchemy Core metadata, identical on SQLite and PostgreSQL.

Changes to it go through an Alembic migration in ``store/migrations/versions``;
``tests/store/test_migrations.py`` checks that the migrations produce exactly
this schema.

Conventions: every entity belongs to an account (``account_id``, 12 digits);
names are unique per account case-insensitively, as IAM's are, through a
``name_key`` column holding the lower-cased name; times are timezone-aware
UTC; secrets are stored only sealed under the master key (``*_sealed``).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)


def _ts(name: str, nullable: bool = False) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


#: Small key/value facts about the store itself (e.g. that bootstrap ran).
meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("account_id", String(12), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("email", String(256), nullable=True),
    Column("alias", String(63), nullable=True, unique=True),
    #: S3's 64-hex owner id.
    Column("canonical_user_id", String(64), nullable=False, unique=True),
    Column("organization_id", String(64), nullable=True),
    _ts("created_at"),
)

users = Table(
    "users",
    metadata,
    Column("user_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("name_key", String(64), nullable=False),
    Column("path", String(512), nullable=False),
    Column("arn", String(2048), nullable=False),
    Column("permissions_boundary_arn", String(2048), nullable=True),
    _ts("created_at"),
    _ts("password_last_used", nullable=True),
    UniqueConstraint("account_id", "name_key", name="uq_users_account_name"),
)

groups = Table(
    "groups",
    metadata,
    Column("group_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("name_key", String(128), nullable=False),
    Column("path", String(512), nullable=False),
    Column("arn", String(2048), nullable=False),
    _ts("created_at"),
    UniqueConstraint("account_id", "name_key", name="uq_groups_account_name"),
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_id", String(32), ForeignKey("groups.group_id"), primary_key=True),
    Column("user_id", String(32), ForeignKey("users.user_id"), primary_key=True),
    Index("ix_group_members_user", "user_id"),
)

roles = Table(
    "roles",
    metadata,
    Column("role_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("name_key", String(64), nullable=False),
    Column("path", String(512), nullable=False),
    Column("arn", String(2048), nullable=False),
    Column("trust_policy", Text, nullable=False),
    Column("description", String(1000), nullable=True),
    Column("max_session_duration", Integer, nullable=False),
    Column("permissions_boundary_arn", String(2048), nullable=True),
    _ts("created_at"),
    _ts("last_used_at", nullable=True),
    Column("last_used_region", String(32), nullable=True),
    #: Sessions issued before this instant are refused ("revoke active sessions").
    _ts("revoke_before", nullable=True),
    UniqueConstraint("account_id", "name_key", name="uq_roles_account_name"),
)

#: EC2 instance profiles: containers for (at most) one role.
instance_profiles = Table(
    "instance_profiles",
    metadata,
    Column("instance_profile_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("name_key", String(128), nullable=False),
    Column("path", String(512), nullable=False),
    Column("arn", String(2048), nullable=False),
    _ts("created_at"),
    UniqueConstraint("account_id", "name_key", name="uq_instance_profiles_account_name"),
)

#: Which role an instance profile holds. A table rather than a column on the profile: the
#: API (and AWS's model) speaks of a list of roles, only the quota is one.
instance_profile_roles = Table(
    "instance_profile_roles",
    metadata,
    Column("instance_profile_id", String(32), ForeignKey("instance_profiles.instance_profile_id"), primary_key=True),
    Column("role_id", String(32), ForeignKey("roles.role_id"), primary_key=True),
    Index("ix_instance_profile_roles_role", "role_id"),
)

#: Console passwords of users, as salted scrypt hashes (never the password itself).
login_profiles = Table(
    "login_profiles",
    metadata,
    Column("user_id", String(32), ForeignKey("users.user_id"), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Column("password_hash", String(256), nullable=False),
    Column("password_reset_required", Boolean, nullable=False),
    _ts("created_at"),
)

#: SSH public keys of users (UploadSSHPublicKey), in canonical ``ssh-rsa`` form.
ssh_public_keys = Table(
    "ssh_public_keys",
    metadata,
    Column("key_id", String(128), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Column("user_id", String(32), ForeignKey("users.user_id"), nullable=False),
    Column("body", Text, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    _ts("uploaded_at"),
    Index("ix_ssh_public_keys_user", "user_id"),
)

#: X.509 signing certificates of users and of root users (``user_id`` None).
signing_certificates = Table(
    "signing_certificates",
    metadata,
    Column("certificate_id", String(128), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Column("user_id", String(32), ForeignKey("users.user_id"), nullable=True),
    Column("body", Text, nullable=False),
    #: SHA-256 of the DER certificate, hex: the same certificate twice is a duplicate.
    Column("sha256", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    _ts("uploaded_at"),
    Index("ix_signing_certificates_account_user", "account_id", "user_id"),
)

#: Service-specific credentials (CodeCommit, Keyspaces, Bedrock API keys); the password or
#: secret is kept only as a salted scrypt hash.
service_credentials = Table(
    "service_credentials",
    metadata,
    Column("credential_id", String(128), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Column("user_id", String(32), ForeignKey("users.user_id"), nullable=False),
    Column("service_name", String(128), nullable=False),
    Column("service_user_name", String(200), nullable=False),
    Column("secret_hash", String(255), nullable=False),
    Column("status", String(16), nullable=False),
    _ts("created_at"),
    _ts("expires_at", nullable=True),
    Index("ix_service_credentials_user", "user_id"),
)

#: Server certificates; the private key sealed under the master key, never returned.
server_certificates = Table(
    "server_certificates",
    metadata,
    Column("server_certificate_id", String(128), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("path", String(512), nullable=False),
    Column("arn", String(1024), nullable=False),
    Column("body", Text, nullable=False),
    Column("chain", Text, nullable=True),
    Column("key_sealed", LargeBinary, nullable=False),
    _ts("uploaded_at"),
    _ts("expires_at"),
    Index("ix_server_certificates_account", "account_id"),
)

access_keys = Table(
    "access_keys",
    metadata,
    Column("access_key_id", String(128), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    #: ``None`` for the account's root user.
    Column("user_id", String(32), ForeignKey("users.user_id"), nullable=True),
    Column("secret_sealed", LargeBinary, nullable=False),
    Column("status", String(16), nullable=False),
    _ts("created_at"),
    _ts("last_used_at", nullable=True),
    Column("last_used_service", String(32), nullable=True),
    Column("last_used_region", String(32), nullable=True),
    Index("ix_access_keys_user", "user_id"),
)

#: Inline policies of users, groups and roles.
inline_policies = Table(
    "inline_policies",
    metadata,
    Column("entity_id", String(32), primary_key=True),
    Column("name_key", String(128), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Column("entity_type", String(8), nullable=False),
    Column("document", Text, nullable=False),
)

managed_policies = Table(
    "managed_policies",
    metadata,
    Column("arn", String(2048), primary_key=True),
    Column("policy_id", String(32), nullable=False, unique=True),
    #: ``aws`` for AWS managed policies.
    Column("account_id", String(12), nullable=False),
    Column("name", String(128), nullable=False),
    Column("path", String(512), nullable=False),
    Column("description", String(1000), nullable=True),
    Column("default_version_id", String(16), nullable=False),
    Column("next_version", Integer, nullable=False),
    _ts("created_at"),
    _ts("updated_at"),
)

policy_versions = Table(
    "policy_versions",
    metadata,
    Column("policy_arn", String(2048), ForeignKey("managed_policies.arn"), primary_key=True),
    Column("version_id", String(16), primary_key=True),
    Column("document", Text, nullable=False),
    _ts("created_at"),
)

policy_attachments = Table(
    "policy_attachments",
    metadata,
    Column("policy_arn", String(2048), primary_key=True),
    Column("entity_id", String(32), primary_key=True),
    Column("entity_type", String(8), nullable=False),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Index("ix_policy_attachments_entity", "entity_id"),
)

tags = Table(
    "tags",
    metadata,
    #: An ARN or unique id of the tagged resource.
    Column("resource", String(2048), primary_key=True),
    Column("key_lower", String(128), primary_key=True),
    Column("key", String(128), nullable=False),
    Column("value", String(256), nullable=False),
    Column("position", Integer, nullable=False),
)

mfa_devices = Table(
    "mfa_devices",
    metadata,
    Column("serial_number", String(2048), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Column("name", String(256), nullable=False),
    Column("name_key", String(256), nullable=False),
    Column("path", String(512), nullable=False),
    Column("seed_sealed", LargeBinary, nullable=False),
    #: ``None`` while unassigned; the root user's devices carry ``root``.
    Column("user_id", String(32), nullable=True),
    _ts("enable_date", nullable=True),
    #: The last accepted TOTP time step: a code is usable once, enforced by a
    #: conditional ``UPDATE ... WHERE last_used_step < :step``.
    Column("last_used_step", BigInteger, nullable=False, default=0),
    _ts("created_at"),
    #: Consecutive wrong codes (``credmint.mfa.attempts``); zeroed by an accepted code.
    Column("failed_attempts", Integer, nullable=False, default=0, server_default="0"),
    #: No code is checked before this time (backoff or lockout); ``None``: no wait.
    _ts("retry_at", nullable=True),
    Index("ix_mfa_devices_user", "user_id"),
)

saml_providers = Table(
    "saml_providers",
    metadata,
    Column("arn", String(2048), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("metadata_document", Text, nullable=False),
    Column("saml_provider_uuid", String(64), nullable=False),
    _ts("created_at"),
    _ts("valid_until", nullable=True),
)

oidc_providers = Table(
    "oidc_providers",
    metadata,
    Column("arn", String(2048), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Column("url", String(255), nullable=False),
    #: JSON lists.
    Column("client_ids", Text, nullable=False),
    Column("thumbprints", Text, nullable=False),
    _ts("created_at"),
)

#: Keys that seal session tokens, themselves sealed under the master key.
token_keys = Table(
    "token_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("key_sealed", LargeBinary, nullable=False),
    Column("active", Boolean, nullable=False),
    _ts("created_at"),
    _ts("retire_after", nullable=True),
)

#: Account-wide settings (password policy, feature switches) as JSON text.
account_settings = Table(
    "account_settings",
    metadata,
    Column("account_id", String(12), ForeignKey("accounts.account_id"), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

buckets = Table(
    "buckets",
    metadata,
    Column("name", String(63), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Column("region", String(32), nullable=False),
    Column("policy", Text, nullable=True),
    _ts("created_at"),
)

objects = Table(
    "objects",
    metadata,
    Column("bucket", String(63), ForeignKey("buckets.name"), primary_key=True),
    Column("key", String(1024), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("etag", String(80), nullable=False),
    Column("content_type", String(256), nullable=True),
    #: JSON: user metadata, checksums and the other stored headers.
    Column("attributes", Text, nullable=False),
    #: The blob's file name under the data dir.
    Column("blob", String(80), nullable=False),
    _ts("last_modified"),
    #: The version this row is (S3's "null" for a key written while versioning was off or
    #: suspended). A row here is always the key's current version.
    Column("version_id", String(64), nullable=False, server_default="null"),
    #: Order of the key's versions, newest highest (see ``s3.versions``).
    Column("seq", BigInteger, nullable=False, server_default="0"),
)

#: The versions of a key that are not its current object (S3 versioning): older versions
#: and delete markers (``blob`` NULL). A key whose newest version is a delete marker has no
#: ``objects`` row; its marker is the highest ``seq`` here.
object_versions = Table(
    "object_versions",
    metadata,
    Column("bucket", String(63), ForeignKey("buckets.name"), primary_key=True),
    Column("key", String(1024), primary_key=True),
    Column("version_id", String(64), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("delete_marker", Boolean, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("etag", String(80), nullable=False),
    Column("content_type", String(256), nullable=True),
    Column("attributes", Text, nullable=False),
    Column("blob", String(80), nullable=True),
    _ts("last_modified"),
    Index("ix_object_versions_bucket_key_seq", "bucket", "key", "seq"),
)

#: A bucket's stored sub-resource configurations (S3): tagging, versioning, cors,
#: publicAccessBlock, ownershipControls. ``document`` is JSON; a JSON ``null`` records a
#: configuration deleted from its creation-time default (public access block, ownership).
bucket_configs = Table(
    "bucket_configs",
    metadata,
    Column("bucket", String(63), ForeignKey("buckets.name"), primary_key=True),
    Column("name", String(32), primary_key=True),
    Column("document", Text, nullable=False),
)

#: Multipart uploads in progress (S3). Completing or aborting one deletes it and its parts.
multipart_uploads = Table(
    "multipart_uploads",
    metadata,
    Column("upload_id", String(128), primary_key=True),
    Column("bucket", String(63), ForeignKey("buckets.name"), nullable=False),
    Column("key", String(1024), nullable=False),
    #: The initiator's ARN and user id (ListParts / ListMultipartUploads ``Initiator``).
    Column("initiator_arn", String(2048), nullable=False),
    Column("initiator_id", String(128), nullable=False),
    Column("content_type", String(256), nullable=True),
    #: JSON: user metadata, stored headers and the requested checksum algorithm and type.
    Column("attributes", Text, nullable=False),
    _ts("initiated"),
    Index("ix_multipart_uploads_bucket", "bucket"),
)

multipart_parts = Table(
    "multipart_parts",
    metadata,
    Column("upload_id", String(128), ForeignKey("multipart_uploads.upload_id"), primary_key=True),
    Column("part_number", Integer, primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("etag", String(80), nullable=False),
    #: JSON: the part's checksums (``{"CRC32": "base64..."}``).
    Column("checksums", Text, nullable=False),
    Column("blob", String(80), nullable=False),
    _ts("last_modified"),
)

# --- AWS Organizations (issue 8) ------------------------------------------------------------

#: One organization per management account; its single root is ``root_id``.
organizations = Table(
    "organizations",
    metadata,
    Column("org_id", String(64), primary_key=True),
    Column("management_account_id", String(12), ForeignKey("accounts.account_id"), nullable=False, unique=True),
    #: ``ALL`` or ``CONSOLIDATED_BILLING``.
    Column("feature_set", String(32), nullable=False),
    Column("root_id", String(64), nullable=False, unique=True),
    _ts("created_at"),
)

#: Policy types enabled on an organization's root (``SERVICE_CONTROL_POLICY`` ...).
org_policy_types = Table(
    "org_policy_types",
    metadata,
    Column("org_id", String(64), ForeignKey("organizations.org_id"), primary_key=True),
    Column("policy_type", String(64), primary_key=True),
)

org_units = Table(
    "org_units",
    metadata,
    Column("ou_id", String(80), primary_key=True),
    Column("org_id", String(64), ForeignKey("organizations.org_id"), nullable=False),
    #: A root id or another OU's id.
    Column("parent_id", String(80), nullable=False),
    Column("name", String(128), nullable=False),
    _ts("created_at"),
    UniqueConstraint("parent_id", "name", name="uq_org_units_parent_name"),
)

#: Where each account of an organization sits (accounts.organization_id says which one).
org_accounts = Table(
    "org_accounts",
    metadata,
    Column("account_id", String(12), ForeignKey("accounts.account_id"), primary_key=True),
    Column("org_id", String(64), ForeignKey("organizations.org_id"), nullable=False),
    Column("parent_id", String(80), nullable=False),
    #: ``CREATED`` or ``INVITED``.
    Column("joined_method", String(16), nullable=False),
    _ts("joined_at"),
    #: CloseAccount: the account stays in the organization, ``SUSPENDED`` (migration 0010).
    _ts("closed_at", nullable=True),
    Index("ix_org_accounts_parent", "parent_id"),
)

#: CreateAccount requests (``car-...``), answered later by DescribeCreateAccountStatus.
org_create_account_requests = Table(
    "org_create_account_requests",
    metadata,
    Column("request_id", String(64), primary_key=True),
    Column("org_id", String(64), ForeignKey("organizations.org_id"), nullable=False),
    Column("account_name", String(50), nullable=False),
    Column("state", String(16), nullable=False),
    Column("account_id", String(12), nullable=True),
    Column("failure_reason", String(64), nullable=True),
    _ts("requested_at"),
    _ts("completed_at", nullable=True),
)

#: Customer managed SCPs and RCPs (AWS managed ones such as FullAWSAccess live in code).
org_policies = Table(
    "org_policies",
    metadata,
    Column("policy_id", String(130), primary_key=True),
    Column("org_id", String(64), ForeignKey("organizations.org_id"), nullable=False),
    Column("policy_type", String(64), nullable=False),
    Column("name", String(128), nullable=False),
    Column("description", String(512), nullable=False),
    Column("content", Text, nullable=False),
    UniqueConstraint("org_id", "name", name="uq_org_policies_org_name"),
)

#: Policies attached to roots, OUs and accounts (AWS managed policy ids included).
org_policy_attachments = Table(
    "org_policy_attachments",
    metadata,
    Column("policy_id", String(130), primary_key=True),
    Column("target_id", String(80), primary_key=True),
    Column("org_id", String(64), ForeignKey("organizations.org_id"), nullable=False),
    Column("policy_type", String(64), nullable=False),
    Index("ix_org_policy_attachments_target", "target_id"),
)

#: Services with trusted access (EnableAWSServiceAccess).
org_service_access = Table(
    "org_service_access",
    metadata,
    Column("org_id", String(64), ForeignKey("organizations.org_id"), primary_key=True),
    Column("service_principal", String(128), primary_key=True),
    _ts("enabled_at"),
)

org_delegated_admins = Table(
    "org_delegated_admins",
    metadata,
    Column("account_id", String(12), ForeignKey("accounts.account_id"), primary_key=True),
    Column("service_principal", String(128), primary_key=True),
    Column("org_id", String(64), ForeignKey("organizations.org_id"), nullable=False),
    _ts("delegated_at"),
)

#: IAM centralized root access features (``RootCredentialsManagement``, ``RootSessions``).
org_features = Table(
    "org_features",
    metadata,
    Column("org_id", String(64), ForeignKey("organizations.org_id"), primary_key=True),
    Column("feature", String(64), primary_key=True),
)

#: Handshakes (migration 0010): invitations to join (``INVITE``) and the all-features
#: migration (``ENABLE_ALL_FEATURES`` with one ``APPROVE_ALL_FEATURES`` child per invited
#: member, ``parent_id`` naming the parent). ``target_key`` is the invited account id or
#: the lower-cased email address; ``target_account_id`` the account that must answer, when
#: known. ``tags`` (JSON) are put on the account when it joins.
org_handshakes = Table(
    "org_handshakes",
    metadata,
    Column("handshake_id", String(40), primary_key=True),
    Column("org_id", String(64), ForeignKey("organizations.org_id"), nullable=False),
    Column("action", String(32), nullable=False),
    Column("state", String(16), nullable=False),
    Column("parent_id", String(40), nullable=True),
    Column("target_type", String(16), nullable=False),
    Column("target", String(256), nullable=False),
    Column("target_key", String(256), nullable=False),
    Column("target_account_id", String(12), nullable=True),
    Column("notes", Text, nullable=True),
    Column("tags", Text, nullable=True),
    _ts("requested_at"),
    _ts("expires_at"),
    _ts("updated_at"),
    Index("ix_org_handshakes_org", "org_id"),
    Index("ix_org_handshakes_target", "target_key"),
)

#: The organization's resource-based delegation policy (PutResourcePolicy), at most one.
org_resource_policies = Table(
    "org_resource_policies",
    metadata,
    Column("org_id", String(64), ForeignKey("organizations.org_id"), primary_key=True),
    Column("policy_id", String(64), nullable=False),
    Column("content", Text, nullable=False),
)

#: Service last accessed data: the latest attempt per entity (a user's or role's unique id,
#: or ``root``) and action (lower-cased ``service:action``), written in batches by
#: ``store.last_accessed``.
service_last_accessed = Table(
    "service_last_accessed",
    metadata,
    Column("account_id", String(12), primary_key=True),
    Column("entity_id", String(32), primary_key=True),
    Column("action", String(160), primary_key=True),
    Column("service", String(64), nullable=False),
    Column("entity_arn", String(2048), nullable=False),
    _ts("last_at"),
    Column("region", String(32), nullable=False),
    Index("ix_service_last_accessed_account_service", "account_id", "service"),
)

#: Access advisor report jobs (GenerateServiceLastAccessedDetails,
#: GenerateOrganizationsAccessReport): the request and, once generated, the report as JSON.
access_reports = Table(
    "access_reports",
    metadata,
    Column("job_id", String(36), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    #: ``service`` or ``organizations``.
    Column("kind", String(16), nullable=False),
    Column("subject", String(2048), nullable=False),
    Column("granularity", String(16), nullable=True),
    _ts("created_at"),
    _ts("completed_at", nullable=True),
    Column("report", Text, nullable=False),
    Index("ix_access_reports_account_created", "account_id", "created_at"),
)

#: Account properties (PutAccountProperties): ``Namespace/PropertyName`` -> value.
account_properties = Table(
    "account_properties",
    metadata,
    Column("account_id", String(12), ForeignKey("accounts.account_id"), primary_key=True),
    Column("name", String(50), primary_key=True),
    Column("value", String(1024), nullable=False),
)

#: Trusted identity propagation settings of OIDC providers (UpdateOpenIDConnectProvider).
oidc_provider_configs = Table(
    "oidc_provider_configs",
    metadata,
    Column("arn", String(2048), ForeignKey("oidc_providers.arn"), primary_key=True),
    #: The ContextProvider structure as JSON, or None.
    Column("context_provider", Text, nullable=True),
    Column("identity_center_instance_arn", String(1224), nullable=True),
)

#: Roles created from a role template (AcquireRole): the template and minor version.
role_template_sources = Table(
    "role_template_sources",
    metadata,
    Column("role_id", String(32), ForeignKey("roles.role_id"), primary_key=True),
    Column("template_arn", String(2048), nullable=False),
    Column("minor_version", Integer, nullable=False),
)

#: The audit trail (one CloudTrail record per call), for LookupEvents on every node. The
#: JSON-lines files under ``<data-dir>/audit/`` are the shipping copy. ``event_time_ms`` is
#: epoch milliseconds: an integer orders and pages identically on SQLite and PostgreSQL.
#: ``resource_types``/``resource_names`` hold each value between ``\x1f`` separators, so one
#: ``LIKE`` finds a resource among several.
audit_events = Table(
    "audit_events",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("account_id", String(12), nullable=True),
    Column("event_time_ms", BigInteger, nullable=False),
    Column("event_name", String(128), nullable=False),
    Column("event_source", String(64), nullable=False),
    Column("read_only", Boolean, nullable=False),
    Column("username", String(256), nullable=True),
    Column("access_key_id", String(128), nullable=True),
    Column("resource_types", Text, nullable=False),
    Column("resource_names", Text, nullable=False),
    Column("record", Text, nullable=False),
    Index("ix_audit_events_account_time", "account_id", "event_time_ms"),
)

#: Workload identity providers (IAM). ``owner_account_id`` created it; an
#: ORGANIZATION-scoped provider belongs to ``org_id`` and its ARN carries that id.
workload_identity_providers = Table(
    "workload_identity_providers",
    metadata,
    Column("provider_id", String(32), primary_key=True),
    Column("arn", String(2048), nullable=False, unique=True),
    Column("owner_account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Column("scope", String(16), nullable=False),
    Column("org_id", String(64), nullable=True),
    Column("name", String(128), nullable=False),
    Column("description", Text, nullable=True),
    Column("scheme", String(16), nullable=False),
    Column("domain", String(64), nullable=True),
    Column("resource_policy", Text, nullable=True),
    #: The ``iss`` of its JWT-SVIDs: this server's URL when the provider was created.
    Column("issuer", String(255), nullable=False),
    _ts("created_at"),
)

#: Outbound signers of a workload identity provider: JWT keys (credmint's own, rotated by
#: credmint) and X.509 CAs (attached by the operator). Private keys sealed under the
#: master key, bound to the signer id. Status is derived from the times.
workload_identity_signers = Table(
    "workload_identity_signers",
    metadata,
    Column("signer_id", String(40), primary_key=True),
    Column(
        "provider_id", String(32), ForeignKey("workload_identity_providers.provider_id"), nullable=False, index=True
    ),
    Column("signer_type", String(8), nullable=False),
    #: JWT: the JWS alg (RS256, ES384); X509: the CA key algorithm (EC_prime256v1...).
    Column("algorithm", String(64), nullable=False),
    Column("ca_id", String(256), nullable=True),
    Column("ca_account_id", String(12), nullable=True),
    Column("key_sealed", LargeBinary, nullable=False),
    #: X509: the CA certificate (PEM); JWT: the public JWK (JSON).
    Column("public_material", Text, nullable=False),
    _ts("start_at"),
    _ts("end_at", nullable=True),
    _ts("discovery_end_at", nullable=True),
    _ts("created_at"),
)

#: Workload identity templates and their attestation policies.
workload_identity_templates = Table(
    "workload_identity_templates",
    metadata,
    Column("template_id", String(32), primary_key=True),
    Column("arn", String(2048), nullable=False, unique=True),
    Column("owner_account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Column("scope", String(16), nullable=False),
    Column("name", String(128), nullable=False),
    Column("description", Text, nullable=True),
    Column(
        "provider_id", String(32), ForeignKey("workload_identity_providers.provider_id"), nullable=False, index=True
    ),
    Column("path_prefix", String(64), nullable=True),
    Column("path_pattern", Text, nullable=False),
    Column("attestation_policy", Text, nullable=True),
    _ts("created_at"),
)

#: DeleteWorkloadIdentityProvider's deletion task ids, readable by the deleting account
#: until they expire (24 hours).
workload_identity_deletions = Table(
    "workload_identity_deletions",
    metadata,
    Column("task_id", String(64), primary_key=True),
    Column("account_id", String(12), nullable=False),
    Column("provider_arn", String(2048), nullable=False),
    Column("status", String(16), nullable=False),
    _ts("expires_at"),
)

#: IAM delegation requests (partners asking a customer for temporary access). The trade-in
#: token is stored only as its SHA-256; ``token_used_at`` makes its exchange single-use.
delegation_requests = Table(
    "delegation_requests",
    metadata,
    Column("request_id", String(64), primary_key=True),
    Column("requestor_account_id", String(12), nullable=False),
    Column("workflow_id", String(400), nullable=False),
    Column("owner_account_id", String(12), nullable=True),
    Column("owner_id", String(2048), nullable=True),
    Column("approver_id", String(2048), nullable=True),
    Column("description", Text, nullable=False),
    Column("request_message", Text, nullable=True),
    #: The Permissions member, as JSON.
    Column("permissions", Text, nullable=False),
    Column("permission_policy", Text, nullable=False),
    Column("redirect_url", String(255), nullable=True),
    Column("notification_channel", String(400), nullable=False),
    Column("session_duration", Integer, nullable=False),
    Column("only_send_by_owner", Boolean, nullable=False),
    Column("state", String(32), nullable=False),
    Column("notes", Text, nullable=True),
    Column("rejection_reason", Text, nullable=True),
    #: The accepting identity, mapped to the delegated credentials (JSON).
    Column("accepted_principal", Text, nullable=True),
    Column("token_sha256", String(64), nullable=True, unique=True),
    _ts("token_expires_at", nullable=True),
    _ts("token_used_at", nullable=True),
    _ts("expires_at"),
    _ts("created_at"),
    _ts("updated_at"),
    UniqueConstraint("requestor_account_id", "workflow_id"),
)
