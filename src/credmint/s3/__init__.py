"""S3: buckets and objects served under the same credentials and policies as STS and IAM.

Each operation takes an :class:`~credmint.s3.context.S3Context` (the decoded request, the
caller, the authorization step) and returns an ``S3Response``; the REST endpoint that
routes, authenticates and renders them is ``server/s3api.py``. ``actions`` maps each call
to its IAM action, ARN and condition keys; ``blobs`` keeps object data on disk,
crash-safe and sealed; the metadata lives in the store.
"""
