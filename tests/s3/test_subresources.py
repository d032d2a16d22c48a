"""Bucket and object sub-resources infrastructure tools read: tagging, versioning, CORS, ACLs,
public access block, ownership controls and the read-only defaults."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server, start_server
from tests.s3.helpers import aws_cli, error_of, policy
from tests.s3.test_authorization import _client, _eventually, _user

pytestmark = pytest.mark.e2e


def _error(fn: Any, **kwargs: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as e:
        fn(**kwargs)
    return error_of(e)


def _tags(**pairs: str) -> dict[str, Any]:
    return {"TagSet": [{"Key": k, "Value": v} for k, v in pairs.items()]}


# --- bucket tagging -------------------------------------------------------------------------


def test_bucket_tagging_roundtrip(s3: Any, bucket: str) -> None:
    assert _error(s3.get_bucket_tagging, Bucket=bucket) == ("NoSuchTagSet", "The TagSet does not exist", 404)
    r = s3.put_bucket_tagging(Bucket=bucket, Tagging=_tags(env="prod", team="infra"))
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    got = s3.get_bucket_tagging(Bucket=bucket)["TagSet"]
    assert got == [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "infra"}]
    # A second Put replaces the whole set.
    s3.put_bucket_tagging(Bucket=bucket, Tagging=_tags(only="one"))
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "only", "Value": "one"}]
    assert s3.delete_bucket_tagging(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert _error(s3.get_bucket_tagging, Bucket=bucket)[0] == "NoSuchTagSet"


@pytest.mark.parametrize(
    ("tag_set", "message"),
    [
        ([{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}], "Cannot provide multiple Tags with the same key"),
        ([{"Key": "aws:x", "Value": "1"}], "System tags cannot be added/updated by requester"),
        ([{"Key": "k" * 129, "Value": "1"}], "The TagKey you have provided is invalid"),
        ([{"Key": "k", "Value": "v" * 257}], "The TagValue you have provided is invalid"),
        ([{"Key": "k#", "Value": "1"}], "The TagKey you have provided is invalid"),
        ([{"Key": f"k{i}", "Value": "v"} for i in range(51)], "Bucket tag count cannot be greater than 50"),
    ],
)
def test_bucket_tagging_validation(s3: Any, bucket: str, tag_set: list[dict[str, str]], message: str) -> None:
    code, msg, status = _error(s3.put_bucket_tagging, Bucket=bucket, Tagging={"TagSet": tag_set})
    assert (code, msg, status) == ("InvalidTag", message, 400)


def test_fifty_bucket_tags_accepted(s3: Any, bucket: str) -> None:
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": f"k{i}", "Value": ""} for i in range(50)]})
    assert len(s3.get_bucket_tagging(Bucket=bucket)["TagSet"]) == 50


def test_sub_resource_of_missing_bucket(s3: Any) -> None:
    assert _error(s3.get_bucket_tagging, Bucket="no-such-bucket-credmint")[0] == "NoSuchBucket"
    assert _error(s3.get_bucket_versioning, Bucket="no-such-bucket-credmint")[0] == "NoSuchBucket"


# --- object tagging -------------------------------------------------------------------------


def test_object_tagging_roundtrip_and_count(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="a=1&b=two%20words")
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["TagCount"] == 2
    head = s3.head_object(Bucket=bucket, Key="k")
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"] == "2"
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [
        {"Key": "a", "Value": "1"},
        {"Key": "b", "Value": "two words"},
    ]
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=_tags(c="3"))
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [{"Key": "c", "Value": "3"}]
    assert s3.get_object(Bucket=bucket, Key="k")["TagCount"] == 1
    assert s3.delete_object_tagging(Bucket=bucket, Key="k")["ResponseMetadata"]["HTTPStatusCode"] == 204
    # No tags: an empty TagSet, and no count header.
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []
    assert "TagCount" not in s3.get_object(Bucket=bucket, Key="k")


def test_object_tags_go_with_the_object(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="a=1")
    s3.delete_object(Bucket=bucket, Key="k")
    assert _error(s3.get_object_tagging, Bucket=bucket, Key="k")[0] == "NoSuchKey"
    s3.put_object(Bucket=bucket, Key="k", Body=b"y")
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []
    # Overwriting an object replaces its tags too.
    s3.put_object(Bucket=bucket, Key="k", Body=b"z", Tagging="b=2")
    s3.put_object(Bucket=bucket, Key="k", Body=b"w")
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []


def test_copy_keeps_or_replaces_tags(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"x", Tagging="a=1")
    s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "src"})
    assert s3.get_object_tagging(Bucket=bucket, Key="copy")["TagSet"] == [{"Key": "a", "Value": "1"}]
    s3.copy_object(
        Bucket=bucket, Key="new", CopySource={"Bucket": bucket, "Key": "src"}, TaggingDirective="REPLACE", Tagging="b=2"
    )
    assert s3.get_object_tagging(Bucket=bucket, Key="new")["TagSet"] == [{"Key": "b", "Value": "2"}]


def test_multipart_upload_tags(s3: Any, bucket: str) -> None:
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp", Tagging="m=1")
    part = s3.upload_part(Bucket=bucket, Key="mp", UploadId=up["UploadId"], PartNumber=1, Body=b"data")
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="mp",
        UploadId=up["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )
    assert s3.get_object_tagging(Bucket=bucket, Key="mp")["TagSet"] == [{"Key": "m", "Value": "1"}]


def test_object_tagging_errors(s3: Any, bucket: str) -> None:
    assert _error(s3.get_object_tagging, Bucket=bucket, Key="missing")[0] == "NoSuchKey"
    assert _error(s3.put_object_tagging, Bucket=bucket, Key="missing", Tagging=_tags(a="1"))[0] == "NoSuchKey"
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    eleven = {"TagSet": [{"Key": f"k{i}", "Value": "v"} for i in range(11)]}
    code, message, status = _error(s3.put_object_tagging, Bucket=bucket, Key="k", Tagging=eleven)
    assert (code, message, status) == ("InvalidTag", "Object tags cannot be greater than 10", 400)
    assert _error(s3.put_object, Bucket=bucket, Key="k2", Body=b"x", Tagging="aws:x=1")[0] == "InvalidTag"
    assert _error(s3.put_object_tagging, Bucket=bucket, Key="k", Tagging=_tags(**{"aws:a": "1"}))[0] == "InvalidTag"


# --- versioning -----------------------------------------------------------------------------


def test_versioning(s3: Any, bucket: str) -> None:
    got = s3.get_bucket_versioning(Bucket=bucket)
    assert "Status" not in got and "MFADelete" not in got
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
    # MFA Delete is not checked by credmint, so it is refused rather than promised.
    code, message, status = _error(
        s3.put_bucket_versioning,
        Bucket=bucket,
        VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"},
        MFA="arn:aws:iam::123456789012:mfa/root 123456",
    )
    assert (code, status) == ("NotImplemented", 501) and "MFA Delete" in message


# --- CORS -----------------------------------------------------------------------------------


def test_cors_roundtrip(s3: Any, bucket: str) -> None:
    code, message, status = _error(s3.get_bucket_cors, Bucket=bucket)
    assert (code, message, status) == ("NoSuchCORSConfiguration", "The CORS configuration does not exist", 404)
    rules = [
        {
            "ID": "r1",
            "AllowedHeaders": ["*"],
            "AllowedMethods": ["GET", "PUT"],
            "AllowedOrigins": ["https://example.com"],
            "ExposeHeaders": ["ETag"],
            "MaxAgeSeconds": 3000,
        },
        {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]},
    ]
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == rules
    bad = {"CORSRules": [{"AllowedMethods": ["PATCH"], "AllowedOrigins": ["*"]}]}
    code, message, status = _error(s3.put_bucket_cors, Bucket=bucket, CORSConfiguration=bad)
    assert (code, status) == ("InvalidRequest", 400) and "PATCH" in message
    assert s3.delete_bucket_cors(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert _error(s3.get_bucket_cors, Bucket=bucket)[0] == "NoSuchCORSConfiguration"


# --- public access block and ownership controls ---------------------------------------------


def test_public_access_block(s3: Any, bucket: str) -> None:
    # Every bucket created since April 2023 starts with all four settings on.
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    s3.put_public_access_block(
        Bucket=bucket, PublicAccessBlockConfiguration={"BlockPublicAcls": True, "BlockPublicPolicy": False}
    )
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": False,
        "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False,
    }
    assert s3.delete_public_access_block(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    code, message, status = _error(s3.get_public_access_block, Bucket=bucket)
    assert (code, message, status) == (
        "NoSuchPublicAccessBlockConfiguration",
        "The public access block configuration was not found",
        404,
    )


def test_ownership_controls(s3: Any, bucket: str) -> None:
    rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}
    )
    rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "BucketOwnerPreferred"}]
    assert s3.delete_bucket_ownership_controls(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    code, message, status = _error(s3.get_bucket_ownership_controls, Bucket=bucket)
    assert (code, message, status) == (
        "OwnershipControlsNotFoundError",
        "The bucket ownership controls were not found",
        404,
    )


def test_configurations_persist_across_restart(tmp_path: Path) -> None:
    """Stored configurations live in the database: a restarted server still answers them."""
    first = start_server(tmp_path / "data")
    try:
        s3 = first.client("s3")
        s3.create_bucket(Bucket="persisted")
        s3.put_bucket_tagging(Bucket="persisted", Tagging=_tags(env="prod"))
        s3.put_bucket_versioning(Bucket="persisted", VersioningConfiguration={"Status": "Suspended"})
        s3.put_bucket_cors(
            Bucket="persisted", CORSConfiguration={"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]}
        )
        s3.delete_public_access_block(Bucket="persisted")
        s3.put_bucket_ownership_controls(
            Bucket="persisted", OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
        )
        s3.put_object(Bucket="persisted", Key="k", Body=b"x", Tagging="a=1")
    finally:
        first.stop()
    again = start_server(
        tmp_path / "data",
        account_id=first.account_id,
        access_key_id=first.access_key_id,
        secret_access_key=first.secret_access_key,
    )
    try:
        s3 = again.client("s3")
        assert s3.get_bucket_tagging(Bucket="persisted")["TagSet"] == [{"Key": "env", "Value": "prod"}]
        assert s3.get_bucket_versioning(Bucket="persisted")["Status"] == "Suspended"
        assert s3.get_bucket_cors(Bucket="persisted")["CORSRules"] == [
            {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}
        ]
        assert _error(s3.get_public_access_block, Bucket="persisted")[0] == "NoSuchPublicAccessBlockConfiguration"
        rules = s3.get_bucket_ownership_controls(Bucket="persisted")["OwnershipControls"]["Rules"]
        assert rules == [{"ObjectOwnership": "ObjectWriter"}]
        assert s3.get_object_tagging(Bucket="persisted", Key="k")["TagSet"] == [{"Key": "a", "Value": "1"}]
    finally:
        again.stop()


def test_delete_bucket_removes_configurations(s3: Any, bucket: str) -> None:
    s3.put_bucket_tagging(Bucket=bucket, Tagging=_tags(env="prod"))
    s3.delete_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=bucket)
    assert _error(s3.get_bucket_tagging, Bucket=bucket)[0] == "NoSuchTagSet"


# --- ACLs -----------------------------------------------------------------------------------


def test_acls_read_owner_full_control(s3: Any, bucket: str) -> None:
    owner = s3.list_buckets()["Owner"]
    acl = s3.get_bucket_acl(Bucket=bucket)
    assert acl["Owner"] == owner
    assert acl["Grants"] == [{"Grantee": {**owner, "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}]
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert s3.get_object_acl(Bucket=bucket, Key="k")["Grants"] == acl["Grants"]
    assert _error(s3.get_object_acl, Bucket=bucket, Key="missing")[0] == "NoSuchKey"


def test_setting_acls(s3: Any, bucket: str) -> None:
    s3.put_bucket_acl(Bucket=bucket, ACL="private")
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.put_object_acl(Bucket=bucket, Key="k", ACL="private")
    expected = ("AccessControlListNotSupported", "The bucket does not allow ACLs", 400)
    assert _error(s3.put_bucket_acl, Bucket=bucket, ACL="public-read") == expected
    assert _error(s3.put_object_acl, Bucket=bucket, Key="k", ACL="public-read") == expected
    assert (
        _error(s3.put_bucket_acl, Bucket=bucket, GrantRead="uri=http://acs.amazonaws.com/groups/global/AllUsers")
        == expected
    )


def test_setting_the_owner_only_acl_as_xml(s3: Any, bucket: str) -> None:
    """S3 accepts an ACL body equivalent to the one a BucketOwnerEnforced bucket has (the
    bucket owner's FULL_CONTROL and nothing else), as it accepts bucket-owner-full-control."""
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    owner = s3.list_buckets()["Owner"]
    owner_grant = {"Grantee": {"Type": "CanonicalUser", "ID": owner["ID"]}, "Permission": "FULL_CONTROL"}
    owner_only = {"Owner": owner, "Grants": [owner_grant]}
    s3.put_object_acl(Bucket=bucket, Key="k", AccessControlPolicy=owner_only)
    s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy=owner_only)
    # What GetObjectAcl returns can be put back unchanged.
    read_back = s3.get_object_acl(Bucket=bucket, Key="k")
    s3.put_object_acl(
        Bucket=bucket, Key="k", AccessControlPolicy={"Owner": read_back["Owner"], "Grants": read_back["Grants"]}
    )
    expected = ("AccessControlListNotSupported", "The bucket does not allow ACLs", 400)
    all_users = {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}
    wider = {"Owner": owner, "Grants": [owner_grant, {"Grantee": all_users, "Permission": "READ"}]}
    assert _error(s3.put_object_acl, Bucket=bucket, Key="k", AccessControlPolicy=wider) == expected
    assert _error(s3.put_bucket_acl, Bucket=bucket, AccessControlPolicy=wider) == expected
    other = {"Grantee": {"Type": "CanonicalUser", "ID": "0" * 64}, "Permission": "FULL_CONTROL"}
    not_owner = {"Owner": owner, "Grants": [other]}
    assert _error(s3.put_object_acl, Bucket=bucket, Key="k", AccessControlPolicy=not_owner) == expected
    read_only = {"Owner": owner, "Grants": [{**owner_grant, "Permission": "READ"}]}
    assert _error(s3.put_object_acl, Bucket=bucket, Key="k", AccessControlPolicy=read_only) == expected
    assert _error(s3.put_object_acl, Bucket=bucket, Key="k", AccessControlPolicy={"Owner": owner, "Grants": []}) == (
        expected
    )


def test_writes_with_acls_on_a_bucket_without_acls(s3: Any, bucket: str) -> None:
    """A new bucket is BucketOwnerEnforced: writes may name no ACL or the bucket owner's full
    control; any other ACL fails and nothing is written."""
    expected = ("AccessControlListNotSupported", "The bucket does not allow ACLs", 400)
    s3.put_object(Bucket=bucket, Key="owner", Body=b"x", ACL="bucket-owner-full-control")
    s3.put_object(Bucket=bucket, Key="src", Body=b"x")
    assert _error(s3.put_object, Bucket=bucket, Key="pub", Body=b"x", ACL="public-read") == expected
    all_users = "uri=http://acs.amazonaws.com/groups/global/AllUsers"
    assert _error(s3.put_object, Bucket=bucket, Key="pub", Body=b"x", GrantRead=all_users) == expected
    source = {"Bucket": bucket, "Key": "src"}
    assert _error(s3.copy_object, Bucket=bucket, Key="pub", CopySource=source, ACL="public-read") == expected
    assert _error(s3.create_multipart_upload, Bucket=bucket, Key="pub", ACL="public-read-write") == expected
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == ["owner", "src"]


def test_s3cmd_cp_and_mv_keep_the_acl(server: Server, s3: Any, bucket: str, tmp_path: Path) -> None:
    """s3cmd cp/mv/modify copy the source's ACL by putting it back as XML after the copy."""
    if shutil.which("s3cmd") is None:
        pytest.skip("s3cmd is not installed")
    host = server.url.removeprefix("http://")
    config = tmp_path / "s3cfg"
    config.write_text(
        "[default]\n"
        f"access_key = {server.access_key_id}\nsecret_key = {server.secret_access_key}\n"
        f"host_base = {host}\nhost_bucket = {host}\nuse_https = False\n"
        "signature_v2 = False\nbucket_location = us-east-1\n"
    )
    s3.put_object(Bucket=bucket, Key="src.txt", Body=b"payload")

    def s3cmd(*args: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        done = subprocess.run(
            ["s3cmd", "-c", str(config), *args], capture_output=True, text=True, timeout=60, env=env, check=False
        )
        assert done.returncode == 0, done.stderr

    s3cmd("cp", f"s3://{bucket}/src.txt", f"s3://{bucket}/copy.txt")
    s3cmd("mv", f"s3://{bucket}/copy.txt", f"s3://{bucket}/moved.txt")
    s3cmd("modify", "--add-header=Cache-Control:max-age=10", f"s3://{bucket}/moved.txt")
    assert s3.get_object(Bucket=bucket, Key="moved.txt")["Body"].read() == b"payload"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == ["moved.txt", "src.txt"]


# --- read-only defaults ---------------------------------------------------------------------


def test_objects_report_default_encryption(s3: Any, bucket: str) -> None:
    """With SSE-S3 the default encryption of every bucket, S3 reports AES256 on each object
    write and read (s3cmd info shows it as the object's SSE)."""
    assert s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ServerSideEncryption"] == "AES256"
    assert s3.head_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "AES256"
    copied = s3.copy_object(Bucket=bucket, Key="c", CopySource={"Bucket": bucket, "Key": "k"})
    assert copied["ServerSideEncryption"] == "AES256"


def test_read_only_defaults(s3: Any, bucket: str) -> None:
    enc = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert enc["Rules"] == [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}
    ]
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)
    assert "Status" not in s3.get_bucket_accelerate_configuration(Bucket=bucket)
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"
    notif = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert not any(k in notif for k in ("TopicConfigurations", "QueueConfigurations", "LambdaFunctionConfigurations"))
    cases = [
        (
            s3.get_bucket_website,
            "NoSuchWebsiteConfiguration",
            "The specified bucket does not have a website configuration",
        ),
        (
            s3.get_bucket_lifecycle_configuration,
            "NoSuchLifecycleConfiguration",
            "The lifecycle configuration does not exist",
        ),
        (
            s3.get_bucket_replication,
            "ReplicationConfigurationNotFoundError",
            "The replication configuration was not found",
        ),
        (
            s3.get_object_lock_configuration,
            "ObjectLockConfigurationNotFoundError",
            "Object Lock configuration does not exist for this bucket",
        ),
    ]
    for fn, code, message in cases:
        assert _error(fn, Bucket=bucket) == (code, message, 404)
    # Removing what is not there succeeds.
    for fn in (s3.delete_bucket_website, s3.delete_bucket_lifecycle, s3.delete_bucket_encryption):
        assert fn(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_changing_read_only_configurations_is_not_implemented(s3: Any, bucket: str) -> None:
    calls: list[tuple[Any, dict[str, Any]]] = [
        (
            s3.put_bucket_encryption,
            {
                "ServerSideEncryptionConfiguration": {
                    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
                }
            },
        ),
        (s3.put_bucket_accelerate_configuration, {"AccelerateConfiguration": {"Status": "Enabled"}}),
        (s3.put_bucket_request_payment, {"RequestPaymentConfiguration": {"Payer": "Requester"}}),
        (s3.put_bucket_website, {"WebsiteConfiguration": {"IndexDocument": {"Suffix": "index.html"}}}),
        (s3.put_bucket_notification_configuration, {"NotificationConfiguration": {}}),
    ]
    for fn, kwargs in calls:
        code, _message, status = _error(fn, Bucket=bucket, **kwargs)
        assert (code, status) == ("NotImplemented", 501), fn


# --- authorization --------------------------------------------------------------------------


def test_user_without_get_bucket_tagging_is_refused(server: Server, s3: Any, bucket: str) -> None:
    arn = f"arn:aws:s3:::{bucket}"
    _, key, secret = _user(server, policy({"Effect": "Allow", "Action": "s3:PutBucketTagging", "Resource": arn}))
    user = _client(server, key, secret)
    _eventually(lambda: user.put_bucket_tagging(Bucket=bucket, Tagging=_tags(a="1")))
    code, message, status = _error(user.get_bucket_tagging, Bucket=bucket)
    assert (code, status) == ("AccessDenied", 403) and "s3:GetBucketTagging" in message
    assert _error(user.get_bucket_versioning, Bucket=bucket)[0] == "AccessDenied"
    assert _error(user.get_object_tagging, Bucket=bucket, Key="k")[0] == "AccessDenied"


def test_bucket_policy_denying_put_bucket_tagging(server: Server, s3: Any, bucket: str) -> None:
    arn = f"arn:aws:s3:::{bucket}"
    user_arn, key, secret = _user(server, policy({"Effect": "Allow", "Action": "s3:*", "Resource": [arn, arn + "/*"]}))
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=policy(
            {"Effect": "Deny", "Principal": {"AWS": user_arn}, "Action": "s3:PutBucketTagging", "Resource": arn}
        ),
    )
    user = _client(server, key, secret)
    _eventually(lambda: user.get_bucket_versioning(Bucket=bucket))
    code, message, _ = _error(user.put_bucket_tagging, Bucket=bucket, Tagging=_tags(a="1"))
    assert code == "AccessDenied" and "explicit deny in a resource-based policy" in message
    # DeleteBucketTagging is authorized as s3:PutBucketTagging, so the deny covers it too.
    assert _error(user.delete_bucket_tagging, Bucket=bucket)[0] == "AccessDenied"
    s3.put_bucket_tagging(Bucket=bucket, Tagging=_tags(a="1"))  # the owner is not named by the deny


# --- AWS CLI --------------------------------------------------------------------------------


def test_aws_cli_s3api_tagging_and_defaults(server: Server, bucket: str) -> None:
    tagging = json.dumps({"TagSet": [{"Key": "env", "Value": "dev"}]})
    r = aws_cli(server, "s3api", "put-bucket-tagging", "--bucket", bucket, "--tagging", tagging)
    assert r.returncode == 0, r.stderr
    r = aws_cli(server, "s3api", "get-bucket-tagging", "--bucket", bucket, "--output", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["TagSet"] == [{"Key": "env", "Value": "dev"}]
    r = aws_cli(server, "s3api", "get-bucket-encryption", "--bucket", bucket, "--output", "json")
    assert r.returncode == 0, r.stderr
    rule = json.loads(r.stdout)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    r = aws_cli(server, "s3api", "get-bucket-website", "--bucket", bucket)
    assert r.returncode != 0 and "NoSuchWebsiteConfiguration" in r.stderr
