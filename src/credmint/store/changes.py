"""What a write changed, in the terms the caches speak: topics, and the rules that name them.

Every write transaction (:meth:`credmint.store.db.Store.write`) records the rows its
statements touch and turns them into *topics*, the unit a cache can drop:

==================  ==========================================================
``key:<akid>``      one access key (its secret, status or owner)
``entity:<id>``     one user, group or role (its policies, tags, boundary, groups)
``policy:<arn>``    one managed policy (its default version)
``account:<id>``    everything cached about one account
``orgs``            anything about Organizations (control policies, membership)
``token-keys``      the session-token keyring
``*``               everything (a write the rules cannot place)
==================  ==========================================================

The rules are a table, :data:`TABLE_TOPICS`: for each table, the columns whose values
name a topic. A statement on a table the table does not know, or one whose rows the
rules cannot identify (an ``UPDATE`` by name only, raw SQL), changes ``*``: a cache
emptied for nothing costs a reload, a cache left stale costs correctness. Tables no
cache reads (S3 objects, MFA devices, login profiles) name nothing, so a ``PutObject``
leaves every IAM cache alone.

On PostgreSQL the topics travel to the other nodes as the ``NOTIFY`` payload
(:func:`encode`, :func:`decode`); the payload is also the liveness heartbeat's carrier
(:func:`heartbeat_payload`). Anything in a payload that does not parse is read as ``*``:
a notification is never ignored because it is garbled.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: Everything changed.
EVERYTHING = "*"
ORGS = "orgs"
TOKEN_KEYS = "token-keys"

#: The set of topics a write changed; ``frozenset({"*"})`` for everything.
Changes = frozenset[str]
ALL: Changes = frozenset({EVERYTHING})
NONE: Changes = frozenset()

#: Topic kinds that carry a value (``kind:value``).
VALUE_KINDS = frozenset({"key", "entity", "policy", "account"})

#: Table -> (column, topic kind) pairs; a table mapped to ``()`` is read by no cache.
#: A topic kind without a value (``orgs``, ``token-keys``) is given as ``(None, kind)``.
TABLE_TOPICS: Mapping[str, tuple[tuple[str | None, str], ...]] = {
    "meta": ((None, TOKEN_KEYS),),
    "token_keys": ((None, TOKEN_KEYS),),
    "accounts": (("account_id", "account"), (None, ORGS)),
    "users": (("user_id", "entity"),),
    "groups": (("group_id", "entity"),),
    "group_members": (("user_id", "entity"), ("group_id", "entity")),
    "roles": (("role_id", "entity"), ("account_id", "account")),
    "access_keys": (("access_key_id", "key"), ("user_id", "entity")),
    "inline_policies": (("entity_id", "entity"),),
    "managed_policies": (("arn", "policy"),),
    "policy_versions": (("policy_arn", "policy"),),
    "policy_attachments": (("entity_id", "entity"), ("policy_arn", "policy")),
    # IAM tags name the tagged entity by its unique id (or a resource's ARN).
    "tags": (("resource", "entity"),),
    # Read by no cache: credentials are verified against the store at the time of use.
    "instance_profiles": (),
    "instance_profile_roles": (),
    "login_profiles": (),
    "mfa_devices": (),
    "saml_providers": (),
    "oidc_providers": (),
    "account_settings": (),
    "buckets": (),
    "objects": (),
    "object_versions": (),
    "bucket_configs": (),
    "multipart_uploads": (),
    "multipart_parts": (),
    "ssh_public_keys": (),
    "signing_certificates": (),
    "service_credentials": (),
    "server_certificates": (),
    # Read by no cache: workload identity operations read the store at the time of use.
    "workload_identity_providers": (),
    "workload_identity_signers": (),
    "workload_identity_templates": (),
    "workload_identity_deletions": (),
    "delegation_requests": (),
    # Written past Store.write (batched, unsignalled): nothing caches audit records.
    "audit_events": (),
    # Written past Store.write (batched, unsignalled) like audit records; read by reports only.
    "service_last_accessed": (),
    "access_reports": (),
    "account_properties": (),
    "oidc_provider_configs": (),
    # GetRole reads it from the store; no cache holds a role's template.
    "role_template_sources": (),
}

#: Every Organizations table changes ``orgs``.
_ORG_PREFIX = "org"


def table_topics(table: str, values: Mapping[str, Iterable[object]]) -> Changes:
    """The topics a statement on ``table`` changed, given the values it wrote or matched
    per column (``values``: column name -> values seen in its ``VALUES``/``SET`` or in
    ``column = x`` / ``column IN (...)`` terms of its ``WHERE``)."""
    if table.startswith(_ORG_PREFIX):
        return frozenset({ORGS})
    rules = TABLE_TOPICS.get(table)
    if rules is None:
        return ALL
    if not rules:
        return NONE
    out: set[str] = set()
    identified = False
    for column, kind in rules:
        if column is None:
            out.add(kind)
            identified = True
            continue
        for value in values.get(column, ()):
            if isinstance(value, str) and value:
                out.add(f"{kind}:{value}")
                identified = True
    return frozenset(out) if identified else ALL


def merge(*parts: Changes) -> Changes:
    joined: set[str] = set()
    for part in parts:
        if EVERYTHING in part:
            return ALL
        joined |= part
    return frozenset(joined)


# --- the NOTIFY payload ----------------------------------------------------------------------

#: PostgreSQL refuses payloads of 8000 bytes or more; a longer list is sent as ``*``.
MAX_PAYLOAD = 7900
_HEARTBEAT = "hb:"
_TOPIC = re.compile(r"\A(?:\*|orgs|token-keys|(?:key|entity|policy|account):[\x21-\x7e]{1,2048})\Z")
_NONCE = re.compile(r"\A[0-9a-f]{16,64}\Z")


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """A node's heartbeat through the channel: its nonce and the monotonic instant it was sent."""

    nonce: str
    sent: float


def encode(changes: Changes) -> str:
    """The payload that carries ``changes``; ``*`` when they do not fit."""
    if EVERYTHING in changes:
        return EVERYTHING
    payload = "\n".join(sorted(changes))
    return payload if len(payload.encode()) <= MAX_PAYLOAD else EVERYTHING


def heartbeat_payload(nonce: str, sent: float) -> str:
    return f"{_HEARTBEAT}{nonce}:{sent!r}"


def decode(payload: str) -> Changes | Heartbeat:
    """A payload read from the channel. Whatever does not parse changes everything: an
    empty payload (a ``NOTIFY`` from an older node), unknown kinds, oversized values."""
    if payload.startswith(_HEARTBEAT):
        nonce, _, sent = payload[len(_HEARTBEAT) :].partition(":")
        if _NONCE.match(nonce) and len(sent) <= 32:
            try:
                at = float(sent)
            except ValueError:
                return ALL
            if math.isfinite(at):
                return Heartbeat(nonce, at)
        return ALL
    if not payload or len(payload) > MAX_PAYLOAD:
        return ALL
    topics = payload.split("\n")
    for topic in topics:
        if not _TOPIC.match(topic):
            return ALL
    return merge(frozenset(topics))
