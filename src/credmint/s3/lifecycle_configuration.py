"""A bucket's lifecycle configuration: Get/PutBucketLifecycleConfiguration and
DeleteBucketLifecycle. The rules are parsed and validated by ``lifecycle.py`` and applied by
``lifecycle_task.py``.
"""

from __future__ import annotations

import base64
import secrets

from credmint.s3 import errors as s3_errors
from credmint.s3 import lifecycle
from credmint.s3.bucket_configs import load_config, no_content, remove_config, save_config
from credmint.s3.buckets import xml_response
from credmint.s3.context import S3Context, S3Response


def get_bucket_lifecycle_configuration(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    rules = load_config(ctx, row.name, "lifecycle")
    if not isinstance(rules, list):
        raise s3_errors.NoSuchLifecycleConfiguration(row.name)
    return xml_response("GetBucketLifecycleConfiguration", {"Rules": lifecycle.render(rules)})


def put_bucket_lifecycle_configuration(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    rules = lifecycle.parse_configuration(ctx.body, lambda: base64.b64encode(secrets.token_bytes(36)).decode())
    save_config(ctx, row.name, "lifecycle", rules)
    return S3Response()


def delete_bucket_lifecycle(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    remove_config(ctx, row.name, "lifecycle")
    return no_content()
