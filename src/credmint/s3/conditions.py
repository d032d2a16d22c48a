"""Conditional requests: If-Match, If-None-Match and the date conditions of reads, copies and writes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from sqlalchemy import Connection

from credmint.s3 import errors as s3_errors
from credmint.s3.context import S3Context
from credmint.s3.rows import load_object


def check_write_conditions(ctx: S3Context, conn: Connection, bucket: str, key: str) -> None:
    """S3's conditional writes (PutObject, CompleteMultipartUpload): ``If-None-Match: *``
    creates only, ``If-Match: <etag>`` replaces only that version. Run inside the write
    transaction that then writes the row, so no other write can come between."""
    if_none_match = ctx.header("if-none-match")
    if_match = ctx.header("if-match")
    if if_none_match is None and if_match is None:
        return
    current = load_object(conn, bucket, key)
    if if_none_match is not None and current is not None and _etag_matches(if_none_match, current.etag):
        raise s3_errors.PreconditionFailed("If-None-Match")
    if if_match is not None:
        if current is None:
            raise s3_errors.NoSuchKey(key)
        if not _etag_matches(if_match, current.etag):
            raise s3_errors.PreconditionFailed("If-Match")


def _etag_matches(condition: str, etag: str) -> bool:
    bare = etag.strip('"')
    for candidate in condition.split(","):
        c = candidate.strip()
        if c == "*":
            return True
        if c.startswith("W/"):
            c = c[2:]
        if c.strip('"') == bare:
            return True
    return False


def _http_date(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else None


def check_conditions(
    header: Callable[[str], str | None], etag: str, last_modified: datetime, *, prefix: str = "", copy: bool = False
) -> None:
    """RFC 7232 preconditions as S3 applies them (If-Match beats If-Unmodified-Since, and
    If-None-Match beats If-Modified-Since). For copy sources every failure is a 412."""
    modified = last_modified.replace(microsecond=0)
    if_match = header(prefix + "if-match")
    if if_match is not None:
        if not _etag_matches(if_match, etag):
            raise s3_errors.PreconditionFailed(_condition_name(prefix, "If-Match"))
    else:
        since = _http_date(header(prefix + "if-unmodified-since"))
        if since is not None and modified > since:
            raise s3_errors.PreconditionFailed(_condition_name(prefix, "If-Unmodified-Since"))
    if_none_match = header(prefix + "if-none-match")
    if if_none_match is not None:
        if _etag_matches(if_none_match, etag):
            if copy:
                raise s3_errors.PreconditionFailed(_condition_name(prefix, "If-None-Match"))
            raise s3_errors.NotModified(etag, format_datetime(modified, usegmt=True))
    else:
        since = _http_date(header(prefix + "if-modified-since"))
        if since is not None and modified <= since:
            if copy:
                raise s3_errors.PreconditionFailed(_condition_name(prefix, "If-Modified-Since"))
            raise s3_errors.NotModified(etag, format_datetime(modified, usegmt=True))


def _condition_name(prefix: str, name: str) -> str:
    return f"x-amz-copy-source-{name}" if prefix else name
