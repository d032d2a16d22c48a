"""What a write or a CreateBucket states beside its data needs the permission that sets it
afterwards (the PutObject and CreateBucket API references): an ACL granting anyone beyond
the owners s3:PutObjectAcl (s3:PutBucketAcl), tags s3:PutObjectTagging, Object Lock on a
new bucket s3:PutBucketObjectLockConfiguration and s3:PutBucketVersioning, an ownership
setting s3:PutBucketOwnershipControls. Without these a user allowed s3:PutObject alone made
its objects public or tagged them past a Deny on tagging."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.s3.helpers import error_of, policy
from tests.s3.test_authorization import _client, _eventually, _user

pytestmark = pytest.mark.e2e


def _writer(server: Server, denied: list[str]) -> Any:
    _, key, secret = _user(
        server,
        policy(
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {"Effect": "Deny", "Action": denied, "Resource": "*"},
        ),
    )
    return _client(server, key, secret)


@pytest.fixture
def open_bucket(s3: Any, bucket: str) -> str:
    """A bucket with ACLs enabled (ObjectWriter) and no public access block."""
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    return bucket


def _denied(call: Callable[[], Any]) -> None:
    with pytest.raises(ClientError) as exc:
        _eventually(call)
    assert error_of(exc)[0] == "AccessDenied"


def test_an_acl_granting_others_needs_put_object_acl(server: Server, s3: Any, open_bucket: str) -> None:
    user = _writer(server, ["s3:PutObjectAcl"])
    body = {"Bucket": open_bucket, "Body": b"x"}
    _denied(lambda: user.put_object(Key="a", ACL="public-read", **body))
    _denied(lambda: user.put_object(Key="b", GrantRead='uri="http://acs.amazonaws.com/groups/global/AllUsers"', **body))
    _denied(lambda: user.create_multipart_upload(Bucket=open_bucket, Key="c", ACL="authenticated-read"))
    s3.put_object(Bucket=open_bucket, Key="src", Body=b"x")
    source = {"Bucket": open_bucket, "Key": "src"}
    _denied(lambda: user.copy_object(Bucket=open_bucket, Key="d", CopySource=source, ACL="public-read"))
    # An ACL that grants only the owners needs nothing more (AWS's cross-account pattern).
    for canned in ("private", "bucket-owner-read", "bucket-owner-full-control"):
        user.put_object(Key=f"owners-{canned}", ACL=canned, **body)
    owner = s3.list_buckets()["Owner"]["ID"]
    user.put_object(Key="owners-granted", GrantFullControl=f'id="{owner}"', **body)
    assert s3.list_objects_v2(Bucket=open_bucket, Prefix="a")["KeyCount"] == 0


def test_tags_on_a_write_need_put_object_tagging(server: Server, s3: Any, bucket: str) -> None:
    user = _writer(server, ["s3:PutObjectTagging"])
    _denied(lambda: user.put_object(Bucket=bucket, Key="a", Body=b"x", Tagging="owner=me"))
    _denied(lambda: user.create_multipart_upload(Bucket=bucket, Key="b", Tagging="owner=me"))
    s3.put_object(Bucket=bucket, Key="src", Body=b"x", Tagging="kept=yes")
    source = {"Bucket": bucket, "Key": "src"}
    _denied(
        lambda: user.copy_object(
            Bucket=bucket, Key="c", CopySource=source, TaggingDirective="REPLACE", Tagging="owner=me"
        )
    )
    # No tags of its own: nothing more (a copy that keeps the source's tags states none).
    user.put_object(Bucket=bucket, Key="plain", Body=b"x")
    user.copy_object(Bucket=bucket, Key="copy", CopySource=source)
    assert s3.get_object_tagging(Bucket=bucket, Key="copy")["TagSet"] == [{"Key": "kept", "Value": "yes"}]


def test_a_tag_condition_on_put_object_tagging_holds_for_writes(server: Server, bucket: str) -> None:
    """The write is evaluated with its own tags (s3:RequestObjectTag/*)."""
    _, key, secret = _user(
        server,
        policy(
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": "s3:PutObjectTagging",
                "Resource": "*",
                "Condition": {"StringEquals": {"s3:RequestObjectTag/team": "blue"}},
            },
        ),
    )
    user = _client(server, key, secret)
    _eventually(lambda: user.put_object(Bucket=bucket, Key="blue", Body=b"x", Tagging="team=blue"))
    _denied(lambda: user.put_object(Bucket=bucket, Key="red", Body=b"x", Tagging="team=red"))


@pytest.mark.parametrize(
    ("denied", "settings"),
    [
        ("s3:PutBucketAcl", {"ACL": "log-delivery-write", "ObjectOwnership": "ObjectWriter"}),
        ("s3:PutBucketObjectLockConfiguration", {"ObjectLockEnabledForBucket": True}),
        ("s3:PutBucketVersioning", {"ObjectLockEnabledForBucket": True}),
        ("s3:PutBucketOwnershipControls", {"ObjectOwnership": "ObjectWriter"}),
    ],
)
def test_what_create_bucket_sets_needs_its_permission(server: Server, denied: str, settings: dict[str, Any]) -> None:
    user = _writer(server, [denied])
    _denied(lambda: user.create_bucket(Bucket=f"stated-{uuid.uuid4().hex[:12]}", **settings))
    name = f"stated-{uuid.uuid4().hex[:12]}"
    user.create_bucket(Bucket=name, ACL="private")  # private, or nothing: CreateBucket alone
    user.delete_bucket(Bucket=name)


def test_a_bucket_write_grant_lets_its_grantee_state_acl_and_tags(server: Server, s3: Any, open_bucket: str) -> None:
    """The ACL era's WRITE on a bucket lets its grantee set the ACL and tags of what it
    writes (S3 takes an anonymous form's acl and tagging into a public-read-write bucket);
    a policy's s3:PutObject alone does not (above)."""
    from botocore import UNSIGNED

    s3.put_bucket_acl(Bucket=open_bucket, ACL="public-read-write")
    anonymous = server.client("s3", config={"signature_version": UNSIGNED})
    anonymous.put_object(Bucket=open_bucket, Key="anon", Body=b"x", ACL="public-read", Tagging="from=anon")
    assert s3.get_object_tagging(Bucket=open_bucket, Key="anon")["TagSet"] == [{"Key": "from", "Value": "anon"}]
