"""Bucket and object tagging: Get/Put/DeleteBucketTagging and Get/Put/DeleteObjectTagging.

A bucket's tags are its ``tagging`` configuration document; an object's are in the
attributes of the version the request addresses. The rules tags must satisfy are
``tags.py``.
"""

from __future__ import annotations

from credmint.s3 import errors as s3_errors
from credmint.s3 import versions
from credmint.s3.bucket_configs import load_config, no_content, remove_config, save_config
from credmint.s3.buckets import xml_response
from credmint.s3.context import BucketRow, S3Context, S3Response, dumps
from credmint.s3.rows import addressed_object, addressed_version, version_headers
from credmint.s3.tags import MAX_BUCKET_TAGS, MAX_OBJECT_TAGS, tagging_document, validate_tags


def _tagging_body(ctx: S3Context, limit: int) -> dict[str, str]:
    return validate_tags(tagging_document(ctx.body), limit)


def _tag_set(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def get_bucket_tagging(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    tags = load_config(ctx, row.name, "tagging")
    if not isinstance(tags, dict):
        raise s3_errors.NoSuchTagSet(row.name)
    return xml_response("GetBucketTagging", {"TagSet": _tag_set(tags)})


def put_bucket_tagging(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    save_config(ctx, row.name, "tagging", _tagging_body(ctx, MAX_BUCKET_TAGS))
    return no_content()


def delete_bucket_tagging(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    remove_config(ctx, row.name, "tagging")
    return no_content()


def _set_object_tags(ctx: S3Context, bucket: BucketRow, tags: dict[str, str]) -> dict[str, str]:
    with ctx.store.write() as conn:
        # Read and rewrite in one transaction so a concurrent overwrite is not resurrected.
        found = addressed_version(ctx, conn, bucket.name)
        attributes = dict(found.attributes)
        if tags:
            attributes["tags"] = tags
        else:
            attributes.pop("tags", None)
        versions.set_attributes(conn, bucket.name, found, dumps(attributes))
    return version_headers(bucket, found)


def get_object_tagging(ctx: S3Context) -> S3Response:
    bucket, version = addressed_object(ctx)
    # An object without tags answers an empty TagSet, not NoSuchTagSet.
    response = xml_response("GetObjectTagging", {"TagSet": _tag_set(version.attributes.get("tags") or {})})
    response.headers.update(version_headers(bucket, version))
    return response


def put_object_tagging(ctx: S3Context) -> S3Response:
    bucket = ctx.bucket_or_404()
    tags = _tagging_body(ctx, MAX_OBJECT_TAGS)
    return S3Response(headers=_set_object_tags(ctx, bucket, tags))


def delete_object_tagging(ctx: S3Context) -> S3Response:
    bucket = ctx.bucket_or_404()
    return S3Response(status=204, headers=_set_object_tags(ctx, bucket, {}))
