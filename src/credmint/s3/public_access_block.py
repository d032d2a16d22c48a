"""A bucket's PublicAccessBlock configuration: Get/Put/DeletePublicAccessBlock. What the
four settings block is ``public_access.py``.
"""

from __future__ import annotations

from credmint.s3 import errors as s3_errors
from credmint.s3 import xmlbody
from credmint.s3.bucket_configs import MISSING, configuration_root, load_config, no_content, save_config
from credmint.s3.buckets import xml_response
from credmint.s3.context import S3Context, S3Response
from credmint.settings import PUBLIC_ACCESS_BLOCK_FLAGS


def get_public_access_block(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    doc = load_config(ctx, row.name, "publicAccessBlock")
    if doc is MISSING:
        # Never configured: the server's default (see settings.public_access_block_default).
        on = ctx.settings.public_access_block_flags
        doc = {name: name in on for name in PUBLIC_ACCESS_BLOCK_FLAGS} if on else None
    if not isinstance(doc, dict):
        raise s3_errors.NoSuchPublicAccessBlockConfiguration(row.name)
    return xml_response("GetPublicAccessBlock", {"PublicAccessBlockConfiguration": doc})


def _bool(text: str | None) -> bool:
    if text is None:
        return False  # an omitted setting is off, as in S3
    value = text.strip().lower()
    if value not in ("true", "false"):
        raise s3_errors.MalformedXML()
    return value == "true"


def put_public_access_block(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    root = configuration_root(ctx, "PublicAccessBlockConfiguration")
    doc = {name: _bool(xmlbody.child_text(root, name)) for name in PUBLIC_ACCESS_BLOCK_FLAGS}
    save_config(ctx, row.name, "publicAccessBlock", doc)
    return S3Response()


def delete_public_access_block(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    # Recorded as null: the bucket no longer has the creation-time default either.
    save_config(ctx, row.name, "publicAccessBlock", None)
    return no_content()
