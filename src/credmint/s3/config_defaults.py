"""The bucket configurations credmint does not apply, read by infrastructure tools on every
refresh: they answer what S3 answers for a bucket that never had the configuration (a
default, or the "not configured" error), deleting one changes nothing, and setting one is
refused with NotImplemented.
"""

from __future__ import annotations

from credmint.s3 import errors as s3_errors
from credmint.s3.bucket_configs import no_content
from credmint.s3.buckets import xml_response
from credmint.s3.context import S3Context, S3Response


def get_bucket_accelerate_configuration(ctx: S3Context) -> S3Response:
    ctx.bucket_or_404()
    return xml_response("GetBucketAccelerateConfiguration", {})


def get_bucket_request_payment(ctx: S3Context) -> S3Response:
    ctx.bucket_or_404()
    return xml_response("GetBucketRequestPayment", {"Payer": "BucketOwner"})


def get_bucket_notification_configuration(ctx: S3Context) -> S3Response:
    ctx.bucket_or_404()
    return xml_response("GetBucketNotificationConfiguration", {})


def get_bucket_website(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    raise s3_errors.NoSuchWebsiteConfiguration(row.name)


def get_bucket_replication(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    raise s3_errors.ReplicationConfigurationNotFound(row.name)


def nothing_to_delete(ctx: S3Context) -> S3Response:
    """Deleting a configuration credmint never holds (website, replication) leaves the
    bucket as it is: S3 answers 204."""
    ctx.bucket_or_404()
    return no_content()


def not_implemented(ctx: S3Context) -> S3Response:
    """Setting a configuration credmint does not apply: authorized first, then refused."""
    ctx.bucket_or_404()
    raise s3_errors.Unimplemented()
