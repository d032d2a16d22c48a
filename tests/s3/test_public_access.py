"""S3 Block Public Access: the meaning of public, and the four settings enforced."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore import UNSIGNED
from botocore.exceptions import ClientError

from credmint.s3.public_access import acl_is_public, deny_statements_only, policy_is_public
from credmint.settings import Settings
from tests.conftest import Server, start_server
from tests.s3.helpers import error_of, make_bucket, new_account, policy

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


def _allow(principal: Any = "*", condition: dict[str, Any] | None = None, effect: str = "Allow") -> str:
    st: dict[str, Any] = {
        "Effect": effect,
        "Principal": principal,
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::b/*",
    }
    if condition is not None:
        st["Condition"] = condition
    return policy(st)


# --- the meaning of public (pure) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "public"),
    [
        (_allow(), True),
        (_allow({"AWS": "*"}), True),
        (_allow({"AWS": ["arn:aws:iam::111122223333:root", "*"]}), True),
        (_allow({"AWS": "arn:aws:iam::111122223333:root"}), False),
        (_allow({"AWS": "111122223333"}), False),
        (_allow({"Service": "cloudtrail.amazonaws.com"}), False),
        # Every user of an identity provider is no fixed set of callers.
        (_allow({"Federated": "graph.facebook.com"}), True),
        (_allow({"Federated": "cognito-identity.amazonaws.com"}), True),
        (_allow(effect="Deny"), False),
        (policy({"Effect": "Allow", "NotPrincipal": {"AWS": "111122223333"}, "Action": "s3:*", "Resource": "*"}), True),
        # Fixed values of the listed keys make a wildcard principal non-public...
        (_allow(condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), False),
        (_allow(condition={"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "2001:db8::/32"]}}), False),
        (_allow(condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/7"}}), True),  # broader than /8, not RFC 1918
        (_allow(condition={"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}), True),
        (_allow(condition={"IpAddress": {"aws:SourceIp": "2001:db8::/31"}}), True),
        (_allow(condition={"IpAddress": {"aws:SourceIp": "not-an-ip"}}), True),
        (_allow(condition={"StringEquals": {"aws:SourceAccount": "111122223333"}}), False),
        (_allow(condition={"StringEquals": {"AWS:SOURCEVPCE": "vpce-1a2b3c4d"}}), False),
        (_allow(condition={"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}), False),
        (_allow(condition={"StringEquals": {"aws:PrincipalAccount": "111122223333"}}), False),
        (
            _allow(condition={"ArnEquals": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/t"}}),
            False,
        ),
        (_allow(condition={"StringEquals": {"aws:userid": "AIDAAAAAAAAAAAAAAAAAA"}}), False),
        (_allow(condition={"StringEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "k"}}), False),
        # ...but not wildcards, variables, keys that may be absent, or other keys.
        (_allow(condition={"StringLike": {"aws:SourceAccount": "1111*"}}), True),
        (_allow(condition={"StringEquals": {"aws:userid": "AROAAAAAAAAAAAAAAAAAA:*"}}), True),
        (_allow(condition={"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}}), True),
        (_allow(condition={"StringEqualsIfExists": {"aws:SourceVpc": "vpc-1"}}), True),
        (_allow(condition={"StringNotEquals": {"aws:SourceVpc": "vpc-1"}}), True),
        (_allow(condition={"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), True),
        (_allow(condition={"ForAllValues:StringEquals": {"aws:SourceVpc": "vpc-1"}}), True),
        (_allow(condition={"StringEquals": {"s3:prefix": "home/"}}), True),
        (_allow(condition={"Bool": {"aws:SecureTransport": "true"}}), True),
        (_allow(condition={"IpAddress": {"aws:SourceArn": "10.0.0.0/8"}}), True),
        # One public statement makes the policy public.
        (
            json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        json.loads(_allow({"AWS": "111122223333"}))["Statement"][0],
                        json.loads(_allow())["Statement"][0],
                    ],
                }
            ),
            True,
        ),
    ],
)
def test_policy_is_public(text: str, public: bool) -> None:
    assert policy_is_public(text) is public


@pytest.mark.parametrize(
    "text",
    ["", "{", "[]", "null", '{"Statement": 5}', '{"Statement": [1, "x", null]}', '{"Statement": {"Effect": "Allow"}}'],
)
def test_policy_is_public_on_hostile_text(text: str) -> None:
    # Never raises; unparsable text counts as public (it is refused before it is stored anyway).
    assert isinstance(policy_is_public(text), bool)


def test_deny_statements_only() -> None:
    text = policy(json.loads(_allow())["Statement"][0], json.loads(_allow(effect="Deny"))["Statement"][0])
    assert [st["Effect"] for st in json.loads(deny_statements_only(text))["Statement"]] == ["Deny"]


@pytest.mark.parametrize(
    ("canned", "grants", "body", "public"),
    [
        ("public-read", [], b"", True),
        ("PUBLIC-READ-WRITE", [], b"", True),
        ("authenticated-read", [], b"", True),
        ("private", [], b"", False),
        ("bucket-owner-full-control", [], b"", False),
        (None, [f'uri="{ALL_USERS}"'], b"", True),
        (None, [f"uri={AUTH_USERS}, id=abc"], b"", True),
        (None, ['id="0123"'], b"", False),
        (
            None,
            [],
            f"<AccessControlPolicy><AccessControlList><Grant><Grantee><URI>{ALL_USERS}</URI></Grantee></Grant></AccessControlList></AccessControlPolicy>".encode(),
            True,
        ),
        # An entity in the body is resolved by the XML parser: no hiding the group.
        (
            None,
            [],
            b"<AccessControlPolicy><Grant><URI>http://acs.amazonaws.com/groups/global/All&#85;sers</URI></Grant></AccessControlPolicy>",
            True,
        ),
        (None, [], b"<AccessControlPolicy><Grant><ID>x</ID></Grant></AccessControlPolicy>", False),
        (None, [], b"<not xml", False),
        (None, [], b'<!DOCTYPE x [<!ENTITY a "b">]><x/>', False),
    ],
)
def test_acl_is_public(canned: str | None, grants: list[str], body: bytes, public: bool) -> None:
    assert acl_is_public(canned, grants, body) is public


@pytest.mark.parametrize(
    ("value", "flags"),
    [
        ("all", {"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"}),
        ("none", set()),
        ("BlockPublicPolicy, RestrictPublicBuckets", {"BlockPublicPolicy", "RestrictPublicBuckets"}),
    ],
)
def test_default_setting(value: str, flags: set[str]) -> None:
    s = Settings.from_env({"CREDMINT_PUBLIC_ACCESS_BLOCK_DEFAULT": value})
    assert s.public_access_block_flags == flags
    assert Settings().public_access_block_default == "all"


@pytest.mark.parametrize("value", ["BlockEverything", "BlockPublicPolicy,nope", ","])
def test_default_setting_refuses_unknown_flags(value: str) -> None:
    with pytest.raises(ValueError):
        Settings.from_env({"CREDMINT_PUBLIC_ACCESS_BLOCK_DEFAULT": value})


# --- end to end ---------------------------------------------------------------------------------


def _anonymous(server: Server) -> Any:
    return server.client("s3", config={"signature_version": UNSIGNED})


@pytest.fixture
def bucket(server: Server) -> Iterator[str]:
    yield from make_bucket(server.client("s3"))


def _public_policy(bucket: str) -> str:
    return policy(
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
    )


def _settings(**on: bool) -> dict[str, bool]:
    names = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    return {n: on.get(n, False) for n in names}


@pytest.mark.e2e
def test_block_public_policy_by_default(server: Server, bucket: str) -> None:
    s3 = server.client("s3")
    config = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert config == _settings(
        BlockPublicAcls=True, IgnorePublicAcls=True, BlockPublicPolicy=True, RestrictPublicBuckets=True
    )
    s3.put_object(Bucket=bucket, Key="k", Body=b"private")
    with pytest.raises(ClientError) as e:
        s3.put_bucket_policy(Bucket=bucket, Policy=_public_policy(bucket))
    caller = server.client("sts").get_caller_identity()["Arn"]
    assert error_of(e) == (
        "AccessDenied",
        f'User: {caller} is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::{bucket}" '
        "because public policies are blocked by the BlockPublicPolicy block public access setting.",
        403,
    )
    with pytest.raises(ClientError) as e:
        s3.get_bucket_policy(Bucket=bucket)
    assert error_of(e)[0] == "NoSuchBucketPolicy"
    with pytest.raises(ClientError) as e:
        _anonymous(server).get_object(Bucket=bucket, Key="k")
    assert error_of(e)[0] == "AccessDenied"
    # A wildcard principal fixed to a private network is not public: accepted.
    private = policy(
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/*",
            "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        }
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=private)
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": False}


@pytest.mark.e2e
def test_restrict_public_buckets(server: Server, bucket: str) -> None:
    s3 = server.client("s3")
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    s3.put_public_access_block(
        Bucket=bucket, PublicAccessBlockConfiguration=_settings(RestrictPublicBuckets=True, BlockPublicAcls=True)
    )
    with pytest.raises(ClientError) as e:
        s3.get_bucket_policy_status(Bucket=bucket)
    assert error_of(e)[0] == "NoSuchBucketPolicy"
    s3.put_bucket_policy(Bucket=bucket, Policy=_public_policy(bucket))  # BlockPublicPolicy is off
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": True}
    # Outsiders get nothing through the public policy: anonymous callers...
    anonymous = _anonymous(server)
    with pytest.raises(ClientError) as e:
        anonymous.get_object(Bucket=bucket, Key="k")
    assert error_of(e)[0] == "AccessDenied"
    assert httpx.get(f"{server.url}/{bucket}/k").status_code == 403
    # ...and other accounts, even with their own identity policy allowing it.
    _, key, secret = new_account(server)
    other_iam = server.client("iam", aws_access_key_id=key, aws_secret_access_key=secret)
    name = f"outsider-{uuid.uuid4().hex[:8]}"
    other_iam.create_user(UserName=name)
    allow = policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    other_iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=allow)
    ukey = other_iam.create_access_key(UserName=name)["AccessKey"]
    outsider = server.client("s3", aws_access_key_id=ukey["AccessKeyId"], aws_secret_access_key=ukey["SecretAccessKey"])
    with pytest.raises(ClientError) as e:
        outsider.get_object(Bucket=bucket, Key="k")
    assert error_of(e)[0] == "AccessDenied"
    # The owner's account still gets in through it: a user with no identity policy at all.
    iam = server.client("iam")
    local = f"insider-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=local)
    lkey = iam.create_access_key(UserName=local)["AccessKey"]
    insider = server.client("s3", aws_access_key_id=lkey["AccessKeyId"], aws_secret_access_key=lkey["SecretAccessKey"])
    assert insider.get_object(Bucket=bucket, Key="k")["Body"].read() == b"data"
    # With the block deleted the bucket is public again: anonymous and cross-account reads work.
    s3.delete_public_access_block(Bucket=bucket)
    with pytest.raises(ClientError) as e:
        s3.get_public_access_block(Bucket=bucket)
    assert error_of(e)[0] == "NoSuchPublicAccessBlockConfiguration"
    assert anonymous.get_object(Bucket=bucket, Key="k")["Body"].read() == b"data"
    assert outsider.get_object(Bucket=bucket, Key="k")["Body"].read() == b"data"


@pytest.mark.e2e
def test_restricted_public_policy_still_denies(server: Server, bucket: str) -> None:
    s3 = server.client("s3")
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=_settings(RestrictPublicBuckets=True))
    deny_owner = {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/k"}
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(json.loads(_public_policy(bucket))["Statement"][0], deny_owner))
    iam = server.client("iam")
    name = f"denied-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    iam.put_user_policy(
        UserName=name, PolicyName="p", PolicyDocument=policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    )
    key = iam.create_access_key(UserName=name)["AccessKey"]
    user = server.client("s3", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    with pytest.raises(ClientError) as e:
        user.get_object(Bucket=bucket, Key="k")
    assert error_of(e)[0] == "AccessDenied"


@pytest.mark.e2e
def test_block_public_acls(server: Server, bucket: str) -> None:
    s3 = server.client("s3")
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    refused: list[Callable[[], object]] = [
        lambda: s3.put_object(Bucket=bucket, Key="pub", Body=b"x", ACL="public-read"),
        lambda: s3.put_object(Bucket=bucket, Key="pub", Body=b"x", GrantRead=f'uri="{ALL_USERS}"'),
        lambda: s3.create_multipart_upload(Bucket=bucket, Key="pub", ACL="authenticated-read"),
        lambda: s3.put_bucket_acl(Bucket=bucket, ACL="public-read"),
        lambda: s3.put_object_acl(Bucket=bucket, Key="k", ACL="public-read-write"),
    ]
    for call in refused:
        with pytest.raises(ClientError) as e:
            call()
        assert error_of(e)[:3:2] == ("AccessDenied", 403)
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["k"]
    # Block off: the ACL is taken and kept, and grants what it says.
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=_settings())
    s3.put_object(Bucket=bucket, Key="pub", Body=b"x", ACL="public-read")
    assert _anonymous(server).get_object(Bucket=bucket, Key="pub")["Body"].read() == b"x"
    # IgnorePublicAcls: the public grant is kept but counts for nothing.
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=_settings(IgnorePublicAcls=True))
    with pytest.raises(ClientError) as e:
        _anonymous(server).get_object(Bucket=bucket, Key="pub")
    assert error_of(e)[0] == "AccessDenied"


@pytest.mark.e2e
@pytest.mark.parametrize(
    "acl", [{"ACL": "public-read"}, {"ACL": "authenticated-read"}, {"GrantRead": f'uri="{ALL_USERS}"'}]
)
def test_create_bucket_with_a_public_acl_is_refused(server: Server, acl: dict[str, str]) -> None:
    s3 = server.client("s3")
    name = f"pub-{uuid.uuid4().hex[:12]}"
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket=name, **acl)
    assert error_of(e) == (
        "InvalidBucketAclWithObjectOwnership",
        "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
        400,
    )
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start_server(
        Path(tmp_path_factory.mktemp("open")), extra_env={"CREDMINT_PUBLIC_ACCESS_BLOCK_DEFAULT": "none"}
    )
    yield srv
    srv.stop()


@pytest.mark.e2e
def test_server_default_none_allows_public_buckets(open_server: Server) -> None:
    s3 = open_server.client("s3")
    for name in make_bucket(s3):
        with pytest.raises(ClientError) as e:
            s3.get_public_access_block(Bucket=name)
        assert error_of(e)[0] == "NoSuchPublicAccessBlockConfiguration"
        s3.put_object(Bucket=name, Key="k", Body=b"open")
        s3.put_bucket_policy(Bucket=name, Policy=_public_policy(name))
        assert _anonymous(open_server).get_object(Bucket=name, Key="k")["Body"].read() == b"open"
        # The bucket's own configuration still wins over the server's default.
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=_settings(RestrictPublicBuckets=True))
        with pytest.raises(ClientError) as e:
            _anonymous(open_server).get_object(Bucket=name, Key="k")
        assert error_of(e)[0] == "AccessDenied"
