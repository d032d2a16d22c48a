"""Default bucket encryption: Put/Get/DeleteBucketEncryption.

Every object is encrypted at rest whatever the bucket says (``sse.py``), as in S3, whose
buckets have all had SSE-S3 default encryption since January 2023: a bucket never
configured, or whose configuration was deleted, reports that default. A configuration
naming a KMS key is refused as SSE-KMS writes are: there is no key service, and
accepting it would promise encryption under keys that do not exist.
"""

from __future__ import annotations

from typing import Any

from credmint.s3 import errors as s3_errors
from credmint.s3 import xmlbody
from credmint.s3.bucket_configs import MISSING, configuration_root, load_config, no_content, remove_config, save_config
from credmint.s3.buckets import xml_response
from credmint.s3.context import S3Context, S3Response
from credmint.s3.sse import AES256

#: The name of the configuration row (``bucket_configs.name``).
CONFIG = "encryption"
_KMS = ("aws:kms", "aws:kms:dsse")


def _rule(document: Any) -> dict[str, Any]:
    bucket_key = bool(document.get("bucket_key")) if isinstance(document, dict) else False
    return {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": AES256}, "BucketKeyEnabled": bucket_key}


def get_bucket_encryption(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    document = load_config(ctx, row.name, CONFIG)
    rule = _rule(None if document is MISSING else document)
    return xml_response("GetBucketEncryption", {"ServerSideEncryptionConfiguration": {"Rules": [rule]}})


def put_bucket_encryption(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    root = configuration_root(ctx, "ServerSideEncryptionConfiguration")
    rules = xmlbody.children(root, "Rule")
    if len(rules) != 1:
        # S3 takes exactly one rule.
        raise s3_errors.MalformedXML()
    default = xmlbody.children(rules[0], "ApplyServerSideEncryptionByDefault")
    if len(default) != 1:
        raise s3_errors.MalformedXML()
    algorithm = (xmlbody.child_text(default[0], "SSEAlgorithm") or "").strip()
    key_id = xmlbody.child_text(default[0], "KMSMasterKeyID")
    if algorithm in _KMS:
        raise s3_errors.Unimplemented.kms()
    if algorithm != AES256:
        raise s3_errors.MalformedXML()
    if key_id is not None:
        raise s3_errors.InvalidArgument.kms_key_not_applicable()
    bucket_key = (xmlbody.child_text(rules[0], "BucketKeyEnabled") or "false").strip().lower()
    if bucket_key not in ("true", "false"):
        raise s3_errors.MalformedXML()
    save_config(ctx, row.name, CONFIG, {"algorithm": AES256, "bucket_key": bucket_key == "true"})
    return S3Response()


def delete_bucket_encryption(ctx: S3Context) -> S3Response:
    """Back to the default (SSE-S3), as S3 does: 204."""
    row = ctx.bucket_or_404()
    remove_config(ctx, row.name, CONFIG)
    return no_content()
