"""Operation tables by service and protocol, assembled here, in one place.

Each service keeps its table beside its handlers (``OPERATIONS``, filled by the
``@operation`` decorator as its modules are imported); this module imports every
handler module of every service, so every table is complete once it is imported, and
the protocol paths look operations up here only: AWS Query (STS, IAM) in
:data:`OPERATIONS`, the AWS JSON protocol (Organizations, CloudTrail) in
:data:`JSON_OPERATIONS`; S3's REST operations, which take an ``S3Context``, in
:data:`S3_OPERATIONS` (``server/s3_routes.py`` names the operation a request addresses).
"""

from __future__ import annotations

from collections.abc import Callable

from credmint.api import Operation
from credmint.cloudtrail.service import OPERATIONS as CLOUDTRAIL_OPERATIONS
from credmint.iam.service import OPERATIONS as IAM_OPERATIONS
from credmint.orgs.service import OPERATIONS as ORGANIZATIONS_OPERATIONS
from credmint.s3 import (
    acl_operations,
    bucket_encryption,
    bucket_logging,
    buckets,
    copies,
    listing,
    multipart,
    object_attributes,
    objects,
    post_object,
    retention,
)
from credmint.s3 import subresources as sub
from credmint.s3.context import S3Context, S3Response
from credmint.sts import (  # noqa: F401  (register AssumeRoot, DecodeAuthorizationMessage, AssumeRoleWith*,
    assume_root,  #             GetScopedCredentials, workload identity)
    decode,
    delegation,
    federation,
    scoped,
    workload_identity,
)
from credmint.sts.service import OPERATIONS as STS_OPERATIONS

#: The AWS Query services.
OPERATIONS: dict[str, dict[str, Operation]] = {
    "sts": STS_OPERATIONS,
    "iam": IAM_OPERATIONS,
}

#: The AWS JSON 1.1 services.
JSON_OPERATIONS: dict[str, dict[str, Operation]] = {
    "organizations": ORGANIZATIONS_OPERATIONS,
    "cloudtrail": CLOUDTRAIL_OPERATIONS,
}

#: S3's REST operations.
S3_OPERATIONS: dict[str, Callable[[S3Context], S3Response]] = {
    "ListBuckets": buckets.list_buckets,
    "CreateBucket": buckets.create_bucket,
    "HeadBucket": buckets.head_bucket,
    "DeleteBucket": buckets.delete_bucket,
    "GetBucketLocation": buckets.get_bucket_location,
    "GetBucketPolicy": buckets.get_bucket_policy,
    "PutBucketPolicy": buckets.put_bucket_policy,
    "DeleteBucketPolicy": buckets.delete_bucket_policy,
    "GetBucketPolicyStatus": buckets.get_bucket_policy_status,
    "ListObjects": listing.list_objects,
    "ListObjectsV2": listing.list_objects_v2,
    "ListObjectVersions": listing.list_object_versions,
    "PutObject": objects.put_object,
    "PostObject": post_object.post_object,
    "GetObject": objects.get_object,
    "HeadObject": objects.head_object,
    "DeleteObject": objects.delete_object,
    "DeleteObjects": objects.delete_objects,
    "CopyObject": copies.copy_object,
    "GetObjectAttributes": object_attributes.get_object_attributes,
    "CreateMultipartUpload": multipart.create_multipart_upload,
    "UploadPart": multipart.upload_part,
    "UploadPartCopy": multipart.upload_part_copy,
    "CompleteMultipartUpload": multipart.complete_multipart_upload,
    "AbortMultipartUpload": multipart.abort_multipart_upload,
    "ListParts": multipart.list_parts,
    "ListMultipartUploads": multipart.list_multipart_uploads,
    "GetBucketTagging": sub.get_bucket_tagging,
    "PutBucketTagging": sub.put_bucket_tagging,
    "DeleteBucketTagging": sub.delete_bucket_tagging,
    "GetObjectTagging": sub.get_object_tagging,
    "PutObjectTagging": sub.put_object_tagging,
    "DeleteObjectTagging": sub.delete_object_tagging,
    "GetBucketVersioning": sub.get_bucket_versioning,
    "PutBucketVersioning": sub.put_bucket_versioning,
    "GetBucketCors": sub.get_bucket_cors,
    "PutBucketCors": sub.put_bucket_cors,
    "DeleteBucketCors": sub.delete_bucket_cors,
    "GetPublicAccessBlock": sub.get_public_access_block,
    "PutPublicAccessBlock": sub.put_public_access_block,
    "DeletePublicAccessBlock": sub.delete_public_access_block,
    "GetBucketOwnershipControls": sub.get_bucket_ownership_controls,
    "PutBucketOwnershipControls": sub.put_bucket_ownership_controls,
    "DeleteBucketOwnershipControls": sub.delete_bucket_ownership_controls,
    "GetBucketAcl": acl_operations.get_bucket_acl,
    "PutBucketAcl": acl_operations.put_bucket_acl,
    "GetObjectAcl": acl_operations.get_object_acl,
    "PutObjectAcl": acl_operations.put_object_acl,
    "GetBucketEncryption": bucket_encryption.get_bucket_encryption,
    "PutBucketEncryption": bucket_encryption.put_bucket_encryption,
    "DeleteBucketEncryption": bucket_encryption.delete_bucket_encryption,
    "GetBucketLogging": bucket_logging.get_bucket_logging,
    "PutBucketLogging": bucket_logging.put_bucket_logging,
    "GetBucketAccelerateConfiguration": sub.get_bucket_accelerate_configuration,
    "PutBucketAccelerateConfiguration": sub.not_implemented,
    "GetBucketRequestPayment": sub.get_bucket_request_payment,
    "PutBucketRequestPayment": sub.not_implemented,
    "GetBucketNotificationConfiguration": sub.get_bucket_notification_configuration,
    "PutBucketNotificationConfiguration": sub.not_implemented,
    "GetBucketWebsite": sub.get_bucket_website,
    "PutBucketWebsite": sub.not_implemented,
    "DeleteBucketWebsite": sub.nothing_to_delete,
    "GetBucketLifecycleConfiguration": sub.get_bucket_lifecycle_configuration,
    "PutBucketLifecycleConfiguration": sub.put_bucket_lifecycle_configuration,
    "DeleteBucketLifecycle": sub.delete_bucket_lifecycle,
    "GetBucketReplication": sub.get_bucket_replication,
    "PutBucketReplication": sub.not_implemented,
    "DeleteBucketReplication": sub.nothing_to_delete,
    "GetObjectLockConfiguration": retention.get_object_lock_configuration,
    "PutObjectLockConfiguration": retention.put_object_lock_configuration,
    "GetObjectRetention": retention.get_object_retention,
    "PutObjectRetention": retention.put_object_retention,
    "GetObjectLegalHold": retention.get_object_legal_hold,
    "PutObjectLegalHold": retention.put_object_legal_hold,
}
