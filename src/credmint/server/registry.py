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
    config_defaults,
    copies,
    cors,
    lifecycle_configuration,
    listing,
    multipart,
    object_attributes,
    objects,
    ownership_controls,
    post_object,
    public_access_block,
    restore,
    retention,
    tagging,
    versioning,
)
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
    "GetBucketTagging": tagging.get_bucket_tagging,
    "PutBucketTagging": tagging.put_bucket_tagging,
    "DeleteBucketTagging": tagging.delete_bucket_tagging,
    "GetObjectTagging": tagging.get_object_tagging,
    "PutObjectTagging": tagging.put_object_tagging,
    "DeleteObjectTagging": tagging.delete_object_tagging,
    "RestoreObject": restore.restore_object,
    "GetBucketVersioning": versioning.get_bucket_versioning,
    "PutBucketVersioning": versioning.put_bucket_versioning,
    "GetBucketCors": cors.get_bucket_cors,
    "PutBucketCors": cors.put_bucket_cors,
    "DeleteBucketCors": cors.delete_bucket_cors,
    "GetPublicAccessBlock": public_access_block.get_public_access_block,
    "PutPublicAccessBlock": public_access_block.put_public_access_block,
    "DeletePublicAccessBlock": public_access_block.delete_public_access_block,
    "GetBucketOwnershipControls": ownership_controls.get_bucket_ownership_controls,
    "PutBucketOwnershipControls": ownership_controls.put_bucket_ownership_controls,
    "DeleteBucketOwnershipControls": ownership_controls.delete_bucket_ownership_controls,
    "GetBucketAcl": acl_operations.get_bucket_acl,
    "PutBucketAcl": acl_operations.put_bucket_acl,
    "GetObjectAcl": acl_operations.get_object_acl,
    "PutObjectAcl": acl_operations.put_object_acl,
    "GetBucketEncryption": bucket_encryption.get_bucket_encryption,
    "PutBucketEncryption": bucket_encryption.put_bucket_encryption,
    "DeleteBucketEncryption": bucket_encryption.delete_bucket_encryption,
    "GetBucketLogging": bucket_logging.get_bucket_logging,
    "PutBucketLogging": bucket_logging.put_bucket_logging,
    "GetBucketAccelerateConfiguration": config_defaults.get_bucket_accelerate_configuration,
    "PutBucketAccelerateConfiguration": config_defaults.not_implemented,
    "GetBucketRequestPayment": config_defaults.get_bucket_request_payment,
    "PutBucketRequestPayment": config_defaults.not_implemented,
    "GetBucketNotificationConfiguration": config_defaults.get_bucket_notification_configuration,
    "PutBucketNotificationConfiguration": config_defaults.not_implemented,
    "GetBucketWebsite": config_defaults.get_bucket_website,
    "PutBucketWebsite": config_defaults.not_implemented,
    "DeleteBucketWebsite": config_defaults.nothing_to_delete,
    "GetBucketLifecycleConfiguration": lifecycle_configuration.get_bucket_lifecycle_configuration,
    "PutBucketLifecycleConfiguration": lifecycle_configuration.put_bucket_lifecycle_configuration,
    "DeleteBucketLifecycle": lifecycle_configuration.delete_bucket_lifecycle,
    "GetBucketReplication": config_defaults.get_bucket_replication,
    "PutBucketReplication": config_defaults.not_implemented,
    "DeleteBucketReplication": config_defaults.nothing_to_delete,
    "GetObjectLockConfiguration": retention.get_object_lock_configuration,
    "PutObjectLockConfiguration": retention.put_object_lock_configuration,
    "GetObjectRetention": retention.get_object_retention,
    "PutObjectRetention": retention.put_object_retention,
    "GetObjectLegalHold": retention.get_object_legal_hold,
    "PutObjectLegalHold": retention.put_object_legal_hold,
}
