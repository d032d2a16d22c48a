"""S3: buckets and objects served under the same credentials and policies as STS and IAM.

:func:`handle_s3` serves one authenticated REST request (synchronously: run it on a
worker thread); ``actions`` maps each call to its IAM action, ARN and condition keys;
``blobs`` keeps object data on disk, crash-safe and sealed; the metadata lives in the store.
"""

from credmint.s3.handler import (
    OPERATIONS,
    STREAMED_UPLOADS,
    handle_s3,
    preflight,
    preflight_upload,
    route,
    with_cors,
)

__all__ = ["OPERATIONS", "STREAMED_UPLOADS", "handle_s3", "preflight", "preflight_upload", "route", "with_cors"]
