"""A bucket's configuration documents, one row per sub-resource in ``bucket_configs``
(tagging, versioning, CORS, public access block, ownership controls, lifecycle, encryption,
Object Lock, ACL ...), and what the handlers of those sub-resources share.

A document is JSON; ``None`` records a deletion that differs from never having had one (a
deleted public access block no longer falls back to the server's default).
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree.ElementTree import Element

from sqlalchemy import delete, insert, select, update

from credmint.s3 import errors as s3_errors
from credmint.s3 import xmlbody
from credmint.s3.context import S3Context, S3Response, dumps
from credmint.store import schema

#: What :func:`load_config` returns for a configuration never set.
MISSING = object()


def load_config(ctx: S3Context, bucket: str, name: str) -> Any:
    """The stored document (``None`` for a recorded deletion), or ``MISSING`` if never set."""
    c = schema.bucket_configs
    with ctx.store.read() as conn:
        row = conn.execute(select(c.c.document).where(c.c.bucket == bucket, c.c.name == name)).first()
    return MISSING if row is None else json.loads(row[0])


def save_config(ctx: S3Context, bucket: str, name: str, document: Any) -> None:
    """Store one configuration document of ``bucket``."""
    c = schema.bucket_configs
    b = schema.buckets
    text = dumps(document)
    with ctx.store.write() as conn:
        # Lock the bucket row so a concurrent DeleteBucket cannot leave an orphan row.
        if conn.execute(select(b.c.name).where(b.c.name == bucket).with_for_update()).first() is None:
            raise s3_errors.NoSuchBucket(bucket)
        where = (c.c.bucket == bucket, c.c.name == name)
        if conn.execute(select(c.c.name).where(*where)).first() is None:
            conn.execute(insert(c).values(bucket=bucket, name=name, document=text))
        else:
            conn.execute(update(c).where(*where).values(document=text))


def remove_config(ctx: S3Context, bucket: str, name: str) -> None:
    c = schema.bucket_configs
    with ctx.store.write() as conn:
        conn.execute(delete(c).where(c.c.bucket == bucket, c.c.name == name))


def no_content() -> S3Response:
    """A DELETE of a configuration: 204, no body."""
    return S3Response(status=204)


def configuration_root(ctx: S3Context, name: str) -> Element:
    """The root element of a PUT's configuration document, which must be ``name``."""
    root = xmlbody.parse(ctx.body)
    if xmlbody.local(root.tag) != name:
        raise s3_errors.MalformedXML()
    return root
