"""RestoreObject, and what an archived object refuses until it is restored.

An object written in an archive class (``GLACIER``, ``DEEP_ARCHIVE``) keeps its metadata
readable (HEAD, listings, tags), but its data is not: GET and a copy from it are
``InvalidObjectState`` until RestoreObject makes a temporary copy, readable until its
expiry, which HEAD and GET name in ``x-amz-restore``. ``GLACIER_IR`` is read at once, as
in S3.

credmint has one storage medium, so a restore completes at once (S3 takes minutes to
hours, by tier): the first request answers 202 and the copy is readable on the next
call, and HEAD never reports ``ongoing-request="true"``. A restore of an object that is
already restored answers 200 and moves the expiry, as in S3. Days are counted from the
request and the copy expires at the next midnight UTC after them (S3: "rounded to the
next day midnight UTC").

======================  ===========================================================
request                 answer
======================  ===========================================================
no or unreadable body   MalformedXML
``Days`` missing,       MalformedXML (an archive restore needs them; AWS's exact
not a whole number ≥1   answer to a bad value is unconfirmed: the body's error)
a ``Tier`` not          MalformedXML
Standard/Bulk/Expedited
``Type`` SELECT or an   NotImplemented (S3 Select restores, and restores to an output
``OutputLocation``      location, are not served)
an object not in an     InvalidObjectState (403)
archive class
======================  ===========================================================
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

from credmint.s3 import errors as s3_errors
from credmint.s3 import versions, xmlbody
from credmint.s3.context import S3Context, S3Response, dumps
from credmint.s3.object_headers import stored_storage_class
from credmint.s3.rows import addressed_version, version_headers

#: Classes whose data must be restored before it is read.
ARCHIVE_CLASSES = frozenset({"GLACIER", "DEEP_ARCHIVE"})
TIERS = frozenset({"Standard", "Bulk", "Expedited"})
#: Days a restore may ask for at most (a bound of ours: S3 documents none).
MAX_DAYS = 36_500
#: The attribute holding when a restored copy expires (epoch seconds).
RESTORED_UNTIL = "restored_until"


def restore_days(body: bytes) -> int:
    """The ``Days`` of a ``RestoreRequest`` body, checked (see the table above)."""
    root = xmlbody.parse(body)
    if xmlbody.local(root.tag) != "RestoreRequest":
        raise s3_errors.MalformedXML()
    if xmlbody.child_text(root, "Type") is not None or xmlbody.children(root, "OutputLocation"):
        raise s3_errors.Unimplemented("S3 Select restores and restores to an output location are not implemented.")
    tiers = [xmlbody.child_text(root, "Tier")]
    for job in xmlbody.children(root, "GlacierJobParameters"):
        tiers.append(xmlbody.child_text(job, "Tier"))
    if any(tier is not None and tier not in TIERS for tier in tiers):
        raise s3_errors.MalformedXML()
    days = (xmlbody.child_text(root, "Days") or "").strip()
    if not days.isascii() or not days.isdigit() or not 1 <= int(days) <= MAX_DAYS:
        raise s3_errors.MalformedXML()
    return int(days)


def expiry(now: datetime, days: int) -> datetime:
    """When a copy restored at ``now`` for ``days`` expires: the next midnight UTC after."""
    end = now.astimezone(UTC) + timedelta(days=days)
    midnight = end.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight if midnight == end else midnight + timedelta(days=1)


def restored_until(attributes: dict[str, Any], now: datetime) -> datetime | None:
    """When the object's restored copy expires, None when it has none (or it expired)."""
    until = attributes.get(RESTORED_UNTIL)
    if not isinstance(until, int | float) or not math.isfinite(until) or until <= now.timestamp():
        return None
    return datetime.fromtimestamp(until, UTC)


def restore_header(attributes: dict[str, Any], now: datetime) -> str | None:
    """``x-amz-restore`` for HEAD and GET: named while a restored copy exists."""
    until = restored_until(attributes, now)
    if until is None:
        return None
    return f'ongoing-request="false", expiry-date="{format_datetime(until, usegmt=True)}"'


def check_readable(attributes: dict[str, Any], now: datetime, *, copy_source: bool = False) -> None:
    """Refuse a read of an archived object's data that has not been restored."""
    storage_class = stored_storage_class(attributes)
    if storage_class in ARCHIVE_CLASSES and restored_until(attributes, now) is None:
        raise s3_errors.InvalidObjectState.not_restored(storage_class, copy_source=copy_source)


def restore_object(ctx: S3Context) -> S3Response:
    bucket = ctx.bucket_or_404()
    days = restore_days(ctx.body)
    with ctx.store.write() as conn:
        # Read and rewrite in one transaction, as the other sub-resources of a version do.
        found = addressed_version(ctx, conn, bucket.name)
        storage_class = stored_storage_class(found.attributes)
        if storage_class not in ARCHIVE_CLASSES:
            raise s3_errors.InvalidObjectState.restore_not_allowed(storage_class)
        already = restored_until(found.attributes, ctx.now) is not None
        attributes = dict(found.attributes)
        attributes[RESTORED_UNTIL] = int(expiry(ctx.now, days).timestamp())
        versions.set_attributes(conn, bucket.name, found, dumps(attributes))
    return S3Response(status=200 if already else 202, headers=version_headers(bucket, found))
