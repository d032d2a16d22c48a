"""The ``x-amz-expiration`` header: when the bucket's lifecycle rules will expire an object.

S3 sends it on PutObject, GetObject and HeadObject of a current version that an enabled
rule's Expiration (Days or Date) covers: ``expiry-date="<HTTP date>", rule-id="<ID>"``,
naming the rule that expires it first (S3 User Guide, "Lifecycle configuration
elements": "Amazon S3 returns the x-amz-expiration header ... with the expiry date and the
rule ID"). Rules the object does not match (prefix, tags, size) give no header.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from sqlalchemy import select

from credmint.s3 import lifecycle
from credmint.s3.context import S3Context
from credmint.store import schema


def _rules(ctx: S3Context, bucket: str) -> list[dict[str, Any]]:
    c = schema.bucket_configs
    with ctx.store.read() as conn:
        doc = conn.execute(select(c.c.document).where(c.c.bucket == bucket, c.c.name == "lifecycle")).scalar()
    found = json.loads(doc) if doc is not None else None
    return [r for r in found if isinstance(r, dict)] if isinstance(found, list) else []


def due_date(rule: Mapping[str, Any], created: datetime) -> datetime | None:
    """When the rule's Expiration expires a current version created at ``created``."""
    expiration = rule.get("Expiration") or {}
    if "Days" in expiration:
        return lifecycle.due(created, int(expiration["Days"]))
    if "Date" in expiration:
        return datetime.fromisoformat(expiration["Date"])
    return None


def header_value(
    rules: list[dict[str, Any]], key: str, size: int, tags: Mapping[str, str], created: datetime
) -> str | None:
    """The header's value for an object, or None when no enabled rule expires it."""
    found: tuple[datetime, str] | None = None
    for rule in rules:
        if rule.get("Status") != "Enabled" or not lifecycle.matches(rule, key, size, tags):
            continue
        when = due_date(rule, created)
        if when is not None and (found is None or when < found[0]):
            found = (when, str(rule.get("ID", "")))
    if found is None:
        return None
    return f'expiry-date="{format_datetime(found[0], usegmt=True)}", rule-id="{found[1]}"'


def expiration(
    ctx: S3Context, bucket: str, key: str, size: int, tags: Mapping[str, str] | None, created: datetime
) -> str | None:
    """The ``x-amz-expiration`` value for an object of ``bucket``, read from its rules."""
    rules = _rules(ctx, bucket)
    return header_value(rules, key, size, tags or {}, created) if rules else None
