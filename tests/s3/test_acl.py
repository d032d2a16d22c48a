"""S3 ACLs end to end (boto3 and the AWS CLI): object ownership, canned, grant-header and XML
ACLs on buckets and objects, evaluated with the bucket policy, and S3's refusals."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore import UNSIGNED
from botocore.exceptions import ClientError

from credmint.settings import Settings
from tests.conftest import Server, start_server
from tests.s3.helpers import aws_cli, empty_bucket, error_of, new_account, policy

pytestmark = pytest.mark.e2e

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
NO_BLOCK = {
    "BlockPublicAcls": False,
    "IgnorePublicAcls": False,
    "BlockPublicPolicy": False,
    "RestrictPublicBuckets": False,
}


@pytest.fixture
def acl_bucket(s3: Any) -> Iterator[str]:
    """A bucket with ACLs enabled (ObjectWriter) and no public access block."""
    name = f"acl-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=NO_BLOCK)
    yield name
    empty_bucket(s3, name)
    s3.delete_bucket(Bucket=name)


@pytest.fixture(scope="module")
def other(server: Server) -> tuple[str, Any]:
    """Another account's root client and canonical id."""
    _account, key, secret = new_account(server)
    client = server.client("s3", aws_access_key_id=key, aws_secret_access_key=secret)
    deadline = time.monotonic() + 5
    while True:
        try:
            canonical = client.list_buckets()["Owner"]["ID"]
            break
        except ClientError as err:
            if err.response["Error"]["Code"] != "InvalidAccessKeyId" or time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    return canonical, client


def _anonymous(server: Server) -> Any:
    return server.client("s3", config={"signature_version": UNSIGNED})


def _code(fn: Any, **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as e:
        fn(**kwargs)
    code, _, status = error_of(e)
    return code, status


def test_public_read_bucket_and_object_acls(server: Server, s3: Any, acl_bucket: str) -> None:
    anonymous = _anonymous(server)
    s3.put_object(Bucket=acl_bucket, Key="private", Body=b"p")
    s3.put_object(Bucket=acl_bucket, Key="public", Body=b"x", ACL="public-read")
    assert anonymous.get_object(Bucket=acl_bucket, Key="public")["Body"].read() == b"x"
    assert _code(anonymous.get_object, Bucket=acl_bucket, Key="private") == ("AccessDenied", 403)
    assert _code(anonymous.list_objects_v2, Bucket=acl_bucket) == ("AccessDenied", 403)
    s3.put_bucket_acl(Bucket=acl_bucket, ACL="public-read")
    assert {o["Key"] for o in anonymous.list_objects_v2(Bucket=acl_bucket)["Contents"]} == {"private", "public"}
    # Bucket READ lists; it does not read objects.
    assert _code(anonymous.get_object, Bucket=acl_bucket, Key="private") == ("AccessDenied", 403)
    grants = s3.get_bucket_acl(Bucket=acl_bucket)["Grants"]
    assert {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ"} in grants
    owner = s3.list_buckets()["Owner"]
    assert any(g["Grantee"].get("ID") == owner["ID"] and g["Permission"] == "FULL_CONTROL" for g in grants)
    # Back to private: the grant is gone at once.
    s3.put_object_acl(Bucket=acl_bucket, Key="public", ACL="private")
    assert _code(anonymous.get_object, Bucket=acl_bucket, Key="public") == ("AccessDenied", 403)


def test_grant_to_another_account_by_canonical_id(s3: Any, acl_bucket: str, other: tuple[str, Any]) -> None:
    canonical, client = other
    s3.put_object(Bucket=acl_bucket, Key="k", Body=b"shared")
    assert _code(client.get_object, Bucket=acl_bucket, Key="k") == ("AccessDenied", 403)
    s3.put_object_acl(Bucket=acl_bucket, Key="k", GrantRead=f'id="{canonical}"')
    assert client.get_object(Bucket=acl_bucket, Key="k")["Body"].read() == b"shared"
    acl = s3.get_object_acl(Bucket=acl_bucket, Key="k")
    # Grant headers replace the ACL: exactly the grants they list.
    assert [(g["Grantee"]["ID"], g["Permission"]) for g in acl["Grants"]] == [(canonical, "READ")]
    # READ does not cover the object's ACL.
    assert _code(client.get_object_acl, Bucket=acl_bucket, Key="k") == ("AccessDenied", 403)
    # An explicit deny in the bucket policy beats the ACL's grant.
    s3.put_bucket_policy(
        Bucket=acl_bucket,
        Policy=policy(
            {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{acl_bucket}/k"}
        ),
    )
    assert _code(client.get_object, Bucket=acl_bucket, Key="k") == ("AccessDenied", 403)


def test_bucket_write_grant_and_object_writer_ownership(s3: Any, acl_bucket: str, other: tuple[str, Any]) -> None:
    canonical, client = other
    owner = s3.list_buckets()["Owner"]["ID"]
    assert _code(client.put_object, Bucket=acl_bucket, Key="w", Body=b"x") == ("AccessDenied", 403)
    s3.put_bucket_acl(Bucket=acl_bucket, GrantWrite=f'id="{canonical}"', GrantFullControl=f'id="{owner}"')
    client.put_object(Bucket=acl_bucket, Key="w", Body=b"from the other account")
    # ObjectWriter: the writer's account owns what it wrote.
    acl = client.get_object_acl(Bucket=acl_bucket, Key="w")
    assert acl["Owner"]["ID"] == canonical
    # BucketOwnerPreferred with bucket-owner-full-control: the bucket owner owns it.
    s3.put_bucket_ownership_controls(
        Bucket=acl_bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}
    )
    client.put_object(Bucket=acl_bucket, Key="w2", Body=b"x", ACL="bucket-owner-full-control")
    assert s3.get_object_acl(Bucket=acl_bucket, Key="w2")["Owner"]["ID"] == owner
    client.put_object(Bucket=acl_bucket, Key="w3", Body=b"x", ACL="bucket-owner-read")
    w3 = client.get_object_acl(Bucket=acl_bucket, Key="w3")
    assert w3["Owner"]["ID"] == canonical
    assert {(g["Grantee"]["ID"], g["Permission"]) for g in w3["Grants"]} == {
        (canonical, "FULL_CONTROL"),
        (owner, "READ"),
    }


def test_authenticated_users_group(server: Server, s3: Any, acl_bucket: str, other: tuple[str, Any]) -> None:
    _canonical, client = other
    s3.put_object(Bucket=acl_bucket, Key="k", Body=b"signed only", GrantRead=f'uri="{AUTHENTICATED}"')
    assert client.get_object(Bucket=acl_bucket, Key="k")["Body"].read() == b"signed only"
    assert _code(_anonymous(server).get_object, Bucket=acl_bucket, Key="k") == ("AccessDenied", 403)


def test_xml_acl_roundtrip(server: Server, s3: Any, acl_bucket: str) -> None:
    s3.put_object(Bucket=acl_bucket, Key="k", Body=b"x")
    read_back = s3.get_object_acl(Bucket=acl_bucket, Key="k")
    grants = [*read_back["Grants"], {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ"}]
    s3.put_object_acl(Bucket=acl_bucket, Key="k", AccessControlPolicy={"Owner": read_back["Owner"], "Grants": grants})
    assert len(s3.get_object_acl(Bucket=acl_bucket, Key="k")["Grants"]) == 2
    assert _anonymous(server).get_object(Bucket=acl_bucket, Key="k")["Body"].read() == b"x"


def test_block_and_ignore_public_acls(server: Server, s3: Any, acl_bucket: str) -> None:
    s3.put_object(Bucket=acl_bucket, Key="k", Body=b"x", ACL="public-read")
    s3.put_public_access_block(Bucket=acl_bucket, PublicAccessBlockConfiguration={**NO_BLOCK, "IgnorePublicAcls": True})
    assert _code(_anonymous(server).get_object, Bucket=acl_bucket, Key="k") == ("AccessDenied", 403)
    s3.put_public_access_block(Bucket=acl_bucket, PublicAccessBlockConfiguration={**NO_BLOCK, "BlockPublicAcls": True})
    assert _code(s3.put_bucket_acl, Bucket=acl_bucket, ACL="public-read") == ("AccessDenied", 403)


def test_refusals(s3: Any, acl_bucket: str) -> None:
    s3.put_object(Bucket=acl_bucket, Key="k", Body=b"x")
    assert _code(s3.put_object_acl, Bucket=acl_bucket, Key="k", GrantRead='id="' + "0" * 64 + '"') == (
        "InvalidArgument",
        400,
    )
    assert _code(s3.put_object_acl, Bucket=acl_bucket, Key="k", GrantRead='emailAddress="a@example.com"') == (
        "UnresolvableGrantByEmailAddress",
        400,
    )
    assert _code(s3.put_object_acl, Bucket=acl_bucket, Key="k", ACL="private", GrantRead=f'uri="{ALL_USERS}"') == (
        "InvalidRequest",
        400,
    )
    assert _code(s3.put_bucket_acl, Bucket=acl_bucket, GrantRead='uri="http://example.com/not-a-group"') == (
        "InvalidArgument",
        400,
    )
    owner = s3.list_buckets()["Owner"]
    other_owner = {"Owner": {"ID": "1" * 64}, "Grants": []}
    assert _code(s3.put_bucket_acl, Bucket=acl_bucket, AccessControlPolicy=other_owner) == ("AccessDenied", 403)
    bad_permission = {
        "Owner": owner,
        "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": owner["ID"]}, "Permission": "EVERYTHING"}],
    }
    assert _code(s3.put_bucket_acl, Bucket=acl_bucket, AccessControlPolicy=bad_permission) == (
        "MalformedACLError",
        400,
    )


def test_bucket_owner_enforced_refusals(s3: Any, bucket: str, other: tuple[str, Any]) -> None:
    canonical, _client = other
    # A new bucket is BucketOwnerEnforced: ACLs beyond the owner's are refused.
    assert _code(s3.put_bucket_acl, Bucket=bucket, GrantRead=f'id="{canonical}"') == (
        "AccessControlListNotSupported",
        400,
    )
    assert _code(s3.put_object, Bucket=bucket, Key="k", Body=b"x", GrantRead=f'id="{canonical}"') == (
        "AccessControlListNotSupported",
        400,
    )
    name = f"enf-{uuid.uuid4().hex[:12]}"
    assert _code(s3.create_bucket, Bucket=name, GrantRead=f'id="{canonical}"') == (
        "InvalidBucketAclWithObjectOwnership",
        400,
    )
    assert _code(
        s3.create_bucket, Bucket=name, GrantRead=f'id="{canonical}"', ObjectOwnership="BucketOwnerEnforced"
    ) == (
        "InvalidBucketAclWithObjectOwnership",
        400,
    )
    # With ACLs enabled at creation the grant is kept; ACLs cannot then be disabled while it stands.
    s3.create_bucket(Bucket=name, GrantRead=f'id="{canonical}"', ObjectOwnership="ObjectWriter")
    try:
        assert s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"]["Rules"] == [
            {"ObjectOwnership": "ObjectWriter"}
        ]
        assert any(g["Grantee"].get("ID") == canonical for g in s3.get_bucket_acl(Bucket=name)["Grants"])
        enforced = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
        assert _code(s3.put_bucket_ownership_controls, Bucket=name, OwnershipControls=enforced) == (
            "InvalidBucketAclWithObjectOwnership",
            400,
        )
        s3.put_bucket_acl(Bucket=name, ACL="private")
        s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls=enforced)
    finally:
        s3.delete_bucket(Bucket=name)
    assert _code(s3.create_bucket, Bucket=name, ObjectOwnership="Nobody") == ("InvalidArgument", 400)


def test_aws_cli_acls(server: Server, s3: Any, acl_bucket: str) -> None:
    s3.put_object(Bucket=acl_bucket, Key="cli", Body=b"x")
    out = aws_cli(server, "s3api", "put-object-acl", "--bucket", acl_bucket, "--key", "cli", "--acl", "public-read")
    assert out.returncode == 0, out.stderr
    out = aws_cli(server, "s3api", "get-object-acl", "--bucket", acl_bucket, "--key", "cli")
    assert out.returncode == 0, out.stderr
    grants = json.loads(out.stdout)["Grants"]
    assert {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ"} in grants
    out = aws_cli(server, "s3api", "put-bucket-acl", "--bucket", acl_bucket, "--acl", "no-such-canned-acl")
    assert out.returncode != 0 and "InvalidArgument" in out.stderr


def test_aws_cli_ownership_controls_grants_and_enforced_refusals(
    server: Server, s3: Any, bucket: str, other: tuple[str, Any]
) -> None:
    canonical, client = other
    owner = s3.list_buckets()["Owner"]["ID"]

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return aws_cli(server, "s3api", *args, "--bucket", bucket)

    def rules() -> list[dict[str, str]]:
        out = cli("get-bucket-ownership-controls")
        assert out.returncode == 0, out.stderr
        got: list[dict[str, str]] = json.loads(out.stdout)["OwnershipControls"]["Rules"]
        return got

    # A new bucket is BucketOwnerEnforced: grants are refused, on the bucket and on writes.
    assert rules() == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    out = cli("put-bucket-acl", "--grant-read", f'id="{canonical}"')
    assert out.returncode != 0 and "(AccessControlListNotSupported)" in out.stderr
    out = cli("put-object", "--key", "k", "--grant-read", f'id="{canonical}"')
    assert out.returncode != 0 and "(AccessControlListNotSupported)" in out.stderr
    # ACLs enabled: grant headers on an object and on the bucket reach the other account.
    out = cli("put-bucket-ownership-controls", "--ownership-controls", "Rules=[{ObjectOwnership=ObjectWriter}]")
    assert out.returncode == 0, out.stderr
    assert rules() == [{"ObjectOwnership": "ObjectWriter"}]
    out = cli("put-object", "--key", "k", "--grant-read", f'id="{canonical}"')
    assert out.returncode == 0, out.stderr
    out = cli("get-object-acl", "--key", "k")
    # Grant headers are the whole ACL: the owner keeps its rights as owner, not as a grant.
    grants = [(g["Grantee"].get("ID"), g["Permission"]) for g in json.loads(out.stdout)["Grants"]]
    assert grants == [(canonical, "READ")]
    assert client.get_object(Bucket=bucket, Key="k")["Body"].read() == b""
    out = cli("put-bucket-acl", "--grant-read", f'id="{canonical}"', "--grant-full-control", f'id="{owner}"')
    assert out.returncode == 0, out.stderr
    assert [o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]] == ["k"]
    # ACLs cannot be disabled while the bucket's grant stands; once it is gone they can,
    # and the object's grant no longer counts.
    enforced = "Rules=[{ObjectOwnership=BucketOwnerEnforced}]"
    out = cli("put-bucket-ownership-controls", "--ownership-controls", enforced)
    assert out.returncode != 0 and "(InvalidBucketAclWithObjectOwnership)" in out.stderr
    assert cli("put-bucket-acl", "--acl", "private").returncode == 0
    out = cli("put-bucket-ownership-controls", "--ownership-controls", enforced)
    assert out.returncode == 0, out.stderr
    assert _code(client.get_object, Bucket=bucket, Key="k") == ("AccessDenied", 403)
    out = cli("put-object-acl", "--key", "k", "--acl", "public-read")
    assert out.returncode != 0 and "(AccessControlListNotSupported)" in out.stderr


# (what the bucket owner's root tries on an object another account wrote, the call's kwargs)
FOREIGN_OBJECT_CALLS = [
    ("get_object", {}),
    ("head_object", {}),
    ("get_object_acl", {}),
    ("put_object_acl", {"ACL": "public-read"}),
    ("get_object_tagging", {}),
    ("put_object_tagging", {"Tagging": {"TagSet": [{"Key": "k", "Value": "v"}]}}),
    ("delete_object_tagging", {}),
    ("get_object_attributes", {"ObjectAttributes": ["ETag"]}),
]


@pytest.fixture
def foreign_object(s3: Any, acl_bucket: str, other: tuple[str, Any]) -> str:
    """An object in ``acl_bucket`` (ObjectWriter) written, and so owned, by the other account."""
    canonical, client = other
    owner = s3.list_buckets()["Owner"]["ID"]
    s3.put_bucket_acl(Bucket=acl_bucket, GrantWrite=f'id="{canonical}"', GrantFullControl=f'id="{owner}"')
    client.put_object(Bucket=acl_bucket, Key="theirs", Body=b"written by the other account")
    return "theirs"


@pytest.mark.parametrize(("call", "kwargs"), FOREIGN_OBJECT_CALLS)
def test_bucket_owner_gets_nothing_on_an_object_it_does_not_own(
    s3: Any, acl_bucket: str, foreign_object: str, call: str, kwargs: dict[str, Any]
) -> None:
    """S3 decides operations on an existing object in its owner's context: the bucket owner,
    root included, has only what the object's ACL grants it."""
    with pytest.raises(ClientError) as e:
        getattr(s3, call)(Bucket=acl_bucket, Key=foreign_object, **kwargs)
    assert error_of(e)[2] == 403


def test_foreign_object_owner_context(
    server: Server, s3: Any, acl_bucket: str, other: tuple[str, Any], foreign_object: str
) -> None:
    canonical, client = other
    owner = s3.list_buckets()["Owner"]["ID"]
    anonymous = _anonymous(server)
    s3.put_object(Bucket=acl_bucket, Key="mine", Body=b"bucket owner's")
    # The bucket policy's Allow reaches the bucket owner's objects, not another account's.
    s3.put_bucket_policy(
        Bucket=acl_bucket,
        Policy=policy(
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{acl_bucket}/*"}
        ),
    )
    assert anonymous.get_object(Bucket=acl_bucket, Key="mine")["Body"].read() == b"bucket owner's"
    assert _code(anonymous.get_object, Bucket=acl_bucket, Key=foreign_object) == ("AccessDenied", 403)
    # The owner reads its object; a Deny in the bucket policy still stops it.
    assert client.get_object(Bucket=acl_bucket, Key=foreign_object)["Body"].read() == b"written by the other account"
    s3.put_bucket_policy(
        Bucket=acl_bucket,
        Policy=policy(
            {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{acl_bucket}/*"}
        ),
    )
    assert _code(client.get_object, Bucket=acl_bucket, Key=foreign_object) == ("AccessDenied", 403)
    s3.delete_bucket_policy(Bucket=acl_bucket)
    # The object's ACL is how its owner shares it: READ for the bucket owner, then full control.
    client.put_object_acl(Bucket=acl_bucket, Key=foreign_object, ACL="bucket-owner-read")
    assert s3.get_object(Bucket=acl_bucket, Key=foreign_object)["Body"].read() == b"written by the other account"
    assert _code(s3.get_object_acl, Bucket=acl_bucket, Key=foreign_object) == ("AccessDenied", 403)
    out = aws_cli(server, "s3api", "get-object-acl", "--bucket", acl_bucket, "--key", foreign_object)
    assert out.returncode != 0 and "AccessDenied" in out.stderr
    client.put_object_acl(Bucket=acl_bucket, Key=foreign_object, ACL="bucket-owner-full-control")
    grants = s3.get_object_acl(Bucket=acl_bucket, Key=foreign_object)["Grants"]
    assert (owner, "FULL_CONTROL") in {(g["Grantee"].get("ID"), g["Permission"]) for g in grants}
    assert canonical != owner
    # The bucket owner may delete any object in its bucket, whoever owns it.
    client.put_object_acl(Bucket=acl_bucket, Key=foreign_object, ACL="private")
    s3.delete_object(Bucket=acl_bucket, Key=foreign_object)
    assert "Contents" not in s3.list_objects_v2(Bucket=acl_bucket, Prefix=foreign_object)


@pytest.mark.parametrize("value", ["BucketOwnerEnforced", "ObjectWriter"])
def test_object_ownership_default_setting(value: str) -> None:
    assert Settings.from_env({"CREDMINT_S3_OBJECT_OWNERSHIP_DEFAULT": value}).s3_object_ownership_default == value
    assert Settings().s3_object_ownership_default == "BucketOwnerEnforced"


@pytest.mark.parametrize("value", ["BucketOwnerPreferred", "objectwriter", "ACLs"])
def test_object_ownership_default_setting_refuses_other_values(value: str) -> None:
    with pytest.raises(ValueError):
        Settings.from_env({"CREDMINT_S3_OBJECT_OWNERSHIP_DEFAULT": value})


@pytest.fixture(scope="module")
def acl_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server that creates buckets as S3 did before April 2023: ACLs enabled (ObjectWriter),
    no public access block."""
    srv = start_server(
        Path(tmp_path_factory.mktemp("acls")),
        extra_env={
            "CREDMINT_S3_OBJECT_OWNERSHIP_DEFAULT": "ObjectWriter",
            "CREDMINT_PUBLIC_ACCESS_BLOCK_DEFAULT": "none",
        },
    )
    yield srv
    srv.stop()


def test_buckets_created_with_acls_enabled_by_setting(server: Server, s3: Any, acl_server: Server) -> None:
    # The default server refuses a public ACL at CreateBucket (BucketOwnerEnforced).
    name = f"acl-{uuid.uuid4().hex[:12]}"
    assert _code(s3.create_bucket, Bucket=name, ACL="public-read") == ("InvalidBucketAclWithObjectOwnership", 400)
    client = acl_server.client("s3")
    client.create_bucket(Bucket=name, ACL="public-read")
    assert client.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "ObjectWriter"}
    ]
    client.put_object(Bucket=name, Key="k", Body=b"x", ACL="public-read")
    anonymous = _anonymous(acl_server)
    assert [o["Key"] for o in anonymous.list_objects_v2(Bucket=name)["Contents"]] == ["k"]
    assert anonymous.get_object(Bucket=name, Key="k")["Body"].read() == b"x"
    # A request's own x-amz-object-ownership still wins over the server's default.
    enforced = f"acl-{uuid.uuid4().hex[:12]}"
    assert _code(
        client.create_bucket, Bucket=enforced, ACL="public-read", ObjectOwnership="BucketOwnerEnforced"
    ) == ("InvalidBucketAclWithObjectOwnership", 400)
    out = aws_cli(acl_server, "s3api", "create-bucket", "--bucket", enforced, "--acl", "public-read")
    assert out.returncode == 0, out.stderr
    grants = client.get_bucket_acl(Bucket=enforced)["Grants"]
    assert {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ"} in grants


# (the bucket's canned ACL, the key read anonymously, the answer S3 gives)
MISSING_READS = [
    ("public-read", "gone", ("NoSuchKey", 404)),  # the caller may list: absence is no secret
    ("private", "gone", ("AccessDenied", 403)),  # it may not: a refusal hides it
    ("public-read", "present", ("AccessDenied", 403)),  # listing never grants a read
]


@pytest.mark.parametrize(("bucket_acl", "key", "expected"), MISSING_READS)
def test_anonymous_read_of_a_missing_key(
    server: Server, s3: Any, acl_bucket: str, bucket_acl: str, key: str, expected: tuple[str, int]
) -> None:
    s3.put_bucket_acl(Bucket=acl_bucket, ACL=bucket_acl)
    s3.put_object(Bucket=acl_bucket, Key="present", Body=b"private object")
    anonymous = _anonymous(server)
    assert _code(anonymous.get_object, Bucket=acl_bucket, Key=key) == expected
    with pytest.raises(ClientError) as e:
        anonymous.head_object(Bucket=acl_bucket, Key=key)
    assert error_of(e)[2] == expected[1]


def test_anonymous_read_of_a_missing_bucket(server: Server) -> None:
    """S3 tells anyone a bucket does not exist: bucket names are public DNS names."""
    name = f"gone-{uuid.uuid4().hex[:12]}"
    assert _code(_anonymous(server).get_object, Bucket=name, Key="k") == ("NoSuchBucket", 404)
    assert _code(_anonymous(server).list_objects_v2, Bucket=name) == ("NoSuchBucket", 404)


@pytest.mark.parametrize(
    ("ownership", "canned", "owned_by_writer"),
    [
        ("ObjectWriter", None, True),
        ("ObjectWriter", "bucket-owner-full-control", True),
        ("BucketOwnerPreferred", None, True),
        ("BucketOwnerPreferred", "bucket-owner-full-control", False),
        ("BucketOwnerEnforced", None, False),
    ],
)
def test_multipart_upload_owner_follows_object_ownership(
    s3: Any, acl_bucket: str, other: tuple[str, Any], ownership: str, canned: str | None, owned_by_writer: bool
) -> None:
    """ListParts and ListMultipartUploads name as Owner the account that will own the object."""
    canonical, client = other
    owner = s3.list_buckets()["Owner"]["ID"]
    s3.put_bucket_policy(
        Bucket=acl_bucket,
        Policy=policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["s3:ListMultipartUploadParts", "s3:ListBucketMultipartUploads", "s3:PutObject"],
                "Resource": [f"arn:aws:s3:::{acl_bucket}", f"arn:aws:s3:::{acl_bucket}/*"],
            }
        ),
    )
    s3.put_bucket_ownership_controls(Bucket=acl_bucket, OwnershipControls={"Rules": [{"ObjectOwnership": ownership}]})
    upload = client.create_multipart_upload(Bucket=acl_bucket, Key="m", **({"ACL": canned} if canned else {}))
    expected = canonical if owned_by_writer else owner
    assert client.list_parts(Bucket=acl_bucket, Key="m", UploadId=upload["UploadId"])["Owner"]["ID"] == expected
    listed = s3.list_multipart_uploads(Bucket=acl_bucket)["Uploads"]
    assert [u["Owner"]["ID"] for u in listed] == [expected]
    s3.abort_multipart_upload(Bucket=acl_bucket, Key="m", UploadId=upload["UploadId"])


def test_upload_initiator_and_bucket_owner_may_abort(s3: Any, acl_bucket: str, other: tuple[str, Any]) -> None:
    """S3 lets the initiator of a multipart upload and the bucket's owner abort it, whatever
    else the bucket grants: here another account writes through a public-read-write ACL,
    which grants no s3:AbortMultipartUpload."""
    _canonical, client = other
    s3.put_bucket_acl(Bucket=acl_bucket, ACL="public-read-write")
    mine = client.create_multipart_upload(Bucket=acl_bucket, Key="by-other")["UploadId"]
    client.abort_multipart_upload(Bucket=acl_bucket, Key="by-other", UploadId=mine)
    theirs = client.create_multipart_upload(Bucket=acl_bucket, Key="by-other-2")["UploadId"]
    s3.abort_multipart_upload(Bucket=acl_bucket, Key="by-other-2", UploadId=theirs)
    owners = s3.create_multipart_upload(Bucket=acl_bucket, Key="by-owner")["UploadId"]
    # Not the initiator, not the bucket owner: the ACL's WRITE grant does not cover aborting.
    assert _code(client.abort_multipart_upload, Bucket=acl_bucket, Key="by-owner", UploadId=owners) == (
        "AccessDenied",
        403,
    )
    s3.abort_multipart_upload(Bucket=acl_bucket, Key="by-owner", UploadId=owners)
    assert s3.list_multipart_uploads(Bucket=acl_bucket).get("Uploads", []) == []


def test_upload_initiator_is_named_as_s3_names_it(s3: Any, acl_bucket: str, other: tuple[str, Any]) -> None:
    """An account (its root user) is named by its canonical id and display name, as the
    Owner is; an IAM user by its ARN (S3 API Reference, Initiator)."""
    canonical, client = other
    s3.put_bucket_acl(Bucket=acl_bucket, ACL="public-read-write")
    upload = client.create_multipart_upload(Bucket=acl_bucket, Key="k")["UploadId"]
    try:
        listed = s3.list_multipart_uploads(Bucket=acl_bucket)["Uploads"]
        assert [u["Initiator"]["ID"] for u in listed] == [canonical]
        assert listed[0]["Initiator"]["DisplayName"] == listed[0]["Owner"]["DisplayName"]
        parts = client.list_parts(Bucket=acl_bucket, Key="k", UploadId=upload)
        assert parts["Initiator"] == parts["Owner"]
    finally:
        client.abort_multipart_upload(Bucket=acl_bucket, Key="k", UploadId=upload)
