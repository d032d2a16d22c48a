"""Objects owned by another account than the bucket's: who decides on them.

While a bucket's ACLs are enabled (ObjectWriter, or BucketOwnerPreferred without
``bucket-owner-full-control``), an object written by another account belongs to that
account. S3 then authorizes operations on the existing object in its "object context"
(S3 User Guide, "How Amazon S3 authorizes a request for an object operation"):

* the bucket owner's policy can still refuse (its Deny statements apply), but its Allow
  statements and the bucket's ACL grant nothing on an object the bucket owner does not own;
* the object owner grants through the object's ACL, and its own account's identity
  policies apply as the resource owner's: the bucket owner's users and root get nothing
  the object's ACL does not grant them.

What stays with the bucket owner: writing (PutObject, CopyObject onto the key) and deleting
(S3: "the bucket owner can delete any object in the bucket, regardless of who owns it"), and
every bucket-level operation. Those are authorized in the bucket's context as before.

Pure: the caller passes the stored object attributes and the policy texts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

#: Operations on an existing object that S3 decides in the object owner's context.
OBJECT_CONTEXT_OPERATIONS = frozenset(
    {
        "GetObject",
        "HeadObject",
        "GetObjectAttributes",
        "GetObjectAcl",
        "PutObjectAcl",
        "GetObjectTagging",
        "PutObjectTagging",
        "DeleteObjectTagging",
        "GetObjectRetention",
        "PutObjectRetention",
        "GetObjectLegalHold",
        "PutObjectLegalHold",
        "RestoreObject",
    }
)


def foreign_owner(attributes: Mapping[str, Any], bucket_account: str) -> str | None:
    """The account owning the object, when it is not the bucket's owner; else None."""
    owner = attributes.get("owner")
    return owner if isinstance(owner, str) and owner and owner != bucket_account else None


def object_context_policy(bucket_policy: str | None, acl_statements: list[dict[str, Any]]) -> str | None:
    """The resource policy of a foreign-owned object: the bucket policy's Deny statements
    and the Allow statements of the object's ACL."""
    statements: list[Any] = []
    if bucket_policy is not None:
        doc = json.loads(bucket_policy)
        found = doc.get("Statement")
        listed = [found] if isinstance(found, dict) else found if isinstance(found, list) else []
        statements.extend(st for st in listed if isinstance(st, dict) and st.get("Effect") == "Deny")
    statements.extend(acl_statements)
    if not statements:
        return None
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, separators=(",", ":"), sort_keys=True)
