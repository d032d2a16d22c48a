"""Guardrails written on service condition keys hold, end to end, with boto3 and plain HTTP.

Each story is one a policy author relies on: a Deny on the key must apply, and an Allow
that requires it must match when the request carries it (AWS's delegation patterns).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.orgs.helpers import Organization, make_user
from tests.orgs.helpers import client as org_client
from tests.s3.helpers import aws_cli, make_bucket

pytestmark = pytest.mark.e2e

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _user(server: Server, inline: str) -> tuple[str, dict[str, str]]:
    """A new IAM user with one inline policy: its name and its credentials."""
    iam = server.client("iam")
    name = _name("ck")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=inline)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return name, {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}


def _code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


@pytest.fixture
def s3(server: Server) -> Any:
    return server.client("s3")


@pytest.fixture
def bucket(s3: Any) -> Iterator[str]:
    yield from make_bucket(s3, "ck")


# --- iam:PolicyARN -------------------------------------------------------------------------


def test_policy_arn_deny_stops_attaching_administrator_access(server: Server) -> None:
    name, creds = _user(
        server,
        _doc(
            {
                "Effect": "Allow",
                "Action": "iam:AttachUserPolicy",
                "Resource": "*",
                "Condition": {"ArnEquals": {"iam:PolicyARN": [READ_ONLY, ADMIN]}},
            },
            {"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": "iam:AttachUserPolicy",
                "Resource": "*",
                "Condition": {"ArnEquals": {"iam:PolicyARN": ADMIN}},
            },
        ),
    )
    iam = server.client("iam", **creds)
    with pytest.raises(ClientError) as e:
        iam.attach_user_policy(UserName=name, PolicyArn=ADMIN)
    assert _code(e) == "AccessDenied"
    # The allow-list on the same key matches the policy it names.
    iam.attach_user_policy(UserName=name, PolicyArn=READ_ONLY)
    attached = server.client("iam").list_attached_user_policies(UserName=name)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [READ_ONLY]


def test_policy_arn_deny_with_the_aws_cli(server: Server) -> None:
    name, creds = _user(
        server,
        _doc(
            {"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": "iam:AttachUserPolicy",
                "Resource": "*",
                "Condition": {"ArnLike": {"iam:PolicyARN": "arn:aws:iam::aws:policy/*Administrator*"}},
            },
        ),
    )
    key, secret = creds["aws_access_key_id"], creds["aws_secret_access_key"]
    args = ("iam", "attach-user-policy", "--user-name", name, "--policy-arn")
    denied = aws_cli(server, *args, ADMIN, key=key, secret=secret)
    assert denied.returncode != 0 and "AccessDenied" in denied.stderr
    assert aws_cli(server, *args, READ_ONLY, key=key, secret=secret).returncode == 0


# --- iam:PermissionsBoundary ----------------------------------------------------------------


def test_permissions_boundary_delegation(server: Server) -> None:
    """The IAM User Guide's pattern: an administrator may create users only with a given
    boundary, and manage only users that have it."""
    root = server.client("iam")
    boundary = root.create_policy(
        PolicyName=_name("boundary"),
        PolicyDocument=_doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
    )["Policy"]["Arn"]
    other = root.create_policy(
        PolicyName=_name("other"),
        PolicyDocument=_doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    )["Policy"]["Arn"]
    within = {"Condition": {"StringEquals": {"iam:PermissionsBoundary": boundary}}}
    _, creds = _user(
        server,
        _doc(
            {
                "Effect": "Allow",
                "Action": ["iam:CreateUser", "iam:AttachUserPolicy", "iam:PutUserPermissionsBoundary"],
                "Resource": "*",
                **within,
            },
        ),
    )
    iam = server.client("iam", **creds)
    for kwargs in ({}, {"PermissionsBoundary": other}):
        with pytest.raises(ClientError) as e:
            iam.create_user(UserName=_name("nobound"), **kwargs)
        assert _code(e) == "AccessDenied"
    bounded = _name("bounded")
    iam.create_user(UserName=bounded, PermissionsBoundary=boundary)
    assert root.get_user(UserName=bounded)["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary
    # The stored boundary of the target decides for later calls on it.
    iam.attach_user_policy(UserName=bounded, PolicyArn=READ_ONLY)
    unbounded = _name("unbounded")
    root.create_user(UserName=unbounded)
    with pytest.raises(ClientError) as e:
        iam.attach_user_policy(UserName=unbounded, PolicyArn=READ_ONLY)
    assert _code(e) == "AccessDenied"
    # Setting a boundary is judged by the boundary requested.
    with pytest.raises(ClientError) as e:
        iam.put_user_permissions_boundary(UserName=unbounded, PermissionsBoundary=other)
    assert _code(e) == "AccessDenied"
    iam.put_user_permissions_boundary(UserName=unbounded, PermissionsBoundary=boundary)


# --- s3:ExistingObjectTag / s3:RequestObjectTag ------------------------------------------------


def test_existing_object_tag_deny_on_get_object(server: Server, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="secret.txt", Body=b"s", Tagging="classification=secret")
    s3.put_object(Bucket=bucket, Key="public.txt", Body=b"p", Tagging="classification=public")
    _, creds = _user(
        server,
        _doc(
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"},
            {
                "Effect": "Deny",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
                "Condition": {"StringEquals": {"s3:ExistingObjectTag/classification": "secret"}},
            },
        ),
    )
    user = server.client("s3", **creds)
    assert user.get_object(Bucket=bucket, Key="public.txt")["Body"].read() == b"p"
    with pytest.raises(ClientError) as e:
        user.get_object(Bucket=bucket, Key="secret.txt")
    assert _code(e) == "AccessDenied"


def test_existing_object_tag_of_the_copied_version(server: Server, s3: Any, bucket: str) -> None:
    """A copy (CopyObject, UploadPartCopy) of an older version is decided on that version's
    tags, as a GET of it is: not on the current version's."""
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    old = s3.put_object(Bucket=bucket, Key="doc", Body=b"old secret", Tagging="classification=secret")["VersionId"]
    s3.put_object(Bucket=bucket, Key="doc", Body=b"new")
    resource = f"arn:aws:s3:::{bucket}/*"
    _, creds = _user(
        server,
        _doc(
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
                "Resource": resource,
            },
            {
                "Effect": "Deny",
                "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                "Resource": resource,
                "Condition": {"StringEquals": {"s3:ExistingObjectTag/classification": "secret"}},
            },
        ),
    )
    user = server.client("s3", **creds)
    user.copy_object(Bucket=bucket, Key="current-copy", CopySource={"Bucket": bucket, "Key": "doc"})
    with pytest.raises(ClientError) as e:
        user.get_object(Bucket=bucket, Key="doc", VersionId=old)
    assert _code(e) == "AccessDenied"
    source = {"Bucket": bucket, "Key": "doc", "VersionId": old}
    with pytest.raises(ClientError) as e:
        user.copy_object(Bucket=bucket, Key="old-copy", CopySource=source, TaggingDirective="REPLACE")
    assert _code(e) == "AccessDenied"
    upload = s3.create_multipart_upload(Bucket=bucket, Key="old-part-copy")["UploadId"]
    with pytest.raises(ClientError) as e:
        user.upload_part_copy(Bucket=bucket, Key="old-part-copy", UploadId=upload, PartNumber=1, CopySource=source)
    assert _code(e) == "AccessDenied"
    # Allowed only on what is tagged public: the current version is, the old one is not.
    s3.put_object_tagging(Bucket=bucket, Key="doc", Tagging={"TagSet": [{"Key": "classification", "Value": "public"}]})
    _, creds = _user(
        server,
        _doc(
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": resource},
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                "Resource": resource,
                "Condition": {"StringEquals": {"s3:ExistingObjectTag/classification": "public"}},
            },
        ),
    )
    reader = server.client("s3", **creds)
    reader.copy_object(Bucket=bucket, Key="public-copy", CopySource={"Bucket": bucket, "Key": "doc"})
    with pytest.raises(ClientError) as e:
        reader.copy_object(Bucket=bucket, Key="old-copy", CopySource=source)
    assert _code(e) == "AccessDenied"


def test_request_object_tag_on_put_object_and_put_object_tagging(server: Server, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"d", Tagging="classification=secret")
    resource = f"arn:aws:s3:::{bucket}/*"
    _, creds = _user(
        server,
        _doc(
            # Writes must label the object for the blue team (an allow-list on the key)...
            {
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:PutObjectTagging"],
                "Resource": resource,
                "Condition": {"StringEquals": {"s3:RequestObjectTag/team": "blue"}},
            },
            # ...and may never declassify it.
            {
                "Effect": "Deny",
                "Action": ["s3:PutObject", "s3:PutObjectTagging"],
                "Resource": resource,
                "Condition": {"StringEquals": {"s3:RequestObjectTag/classification": "public"}},
            },
        ),
    )
    user = server.client("s3", **creds)
    user.put_object(Bucket=bucket, Key="new.txt", Body=b"n", Tagging="team=blue")
    for tagging in ("", "team=red", "team=blue&classification=public"):
        with pytest.raises(ClientError) as e:
            user.put_object(Bucket=bucket, Key="new.txt", Body=b"n", **({"Tagging": tagging} if tagging else {}))
        assert _code(e) == "AccessDenied", tagging
    with pytest.raises(ClientError) as e:
        user.put_object_tagging(
            Bucket=bucket,
            Key="doc.txt",
            Tagging={"TagSet": [{"Key": "team", "Value": "blue"}, {"Key": "classification", "Value": "public"}]},
        )
    assert _code(e) == "AccessDenied"
    user.put_object_tagging(
        Bucket=bucket,
        Key="doc.txt",
        Tagging={"TagSet": [{"Key": "team", "Value": "blue"}, {"Key": "classification", "Value": "secret"}]},
    )
    tags = s3.get_object_tagging(Bucket=bucket, Key="doc.txt")["TagSet"]
    assert {t["Key"]: t["Value"] for t in tags} == {"team": "blue", "classification": "secret"}


# --- aws:Referer ---------------------------------------------------------------------------------


def test_referer_allows_anonymous_reads_from_one_site(server: Server, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="img.png", Body=b"png")
    # aws:Referer is no access control S3 counts as one: the policy is public, so the
    # bucket's Block Public Access settings must allow it first.
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=_doc(
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
                "Condition": {"StringLike": {"aws:Referer": "https://www.example.com/*"}},
            }
        ),
    )
    url = f"{server.url}/{bucket}/img.png"
    r = httpx.get(url, headers={"Referer": "https://www.example.com/page.html"})
    assert (r.status_code, r.content) == (200, b"png")
    assert httpx.get(url, headers={"Referer": "https://evil.example.net/"}).status_code == 403
    assert httpx.get(url).status_code == 403


def test_referer_deny_applies_to_signed_requests(server: Server, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="f.txt", Body=b"f")
    _, creds = _user(
        server,
        _doc(
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"},
            {
                "Effect": "Deny",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
                "Condition": {"StringLike": {"aws:Referer": "https://evil.example.net/*"}},
            },
        ),
    )
    user = server.client("s3", **creds)
    assert user.get_object(Bucket=bucket, Key="f.txt")["Body"].read() == b"f"

    def from_evil(request: Any, **_: Any) -> None:
        request.headers["Referer"] = "https://evil.example.net/x"

    user.meta.events.register("before-sign.s3.GetObject", from_evil)
    with pytest.raises(ClientError) as e:
        user.get_object(Bucket=bucket, Key="f.txt")
    assert _code(e) == "AccessDenied"


# --- iam:PassedToService, the role's tags in trust policies ------------------------------------


def test_passed_to_service_limits_pass_role(server: Server) -> None:
    root = server.client("iam")
    trust = _doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
    role = _name("ec2role")
    root.create_role(RoleName=role, AssumeRolePolicyDocument=trust)
    profiles = [_name("profile"), _name("profile")]
    for profile in profiles:
        root.create_instance_profile(InstanceProfileName=profile)
    allow_profile = {"Effect": "Allow", "Action": "iam:AddRoleToInstanceProfile", "Resource": "*"}

    def pass_role_to(service: str) -> dict[str, Any]:
        return {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:PassedToService": service}},
        }

    _, to_lambda = _user(server, _doc(allow_profile, pass_role_to("lambda.amazonaws.com")))
    with pytest.raises(ClientError) as e:
        server.client("iam", **to_lambda).add_role_to_instance_profile(InstanceProfileName=profiles[0], RoleName=role)
    assert _code(e) == "AccessDenied"
    _, to_ec2 = _user(server, _doc(allow_profile, pass_role_to("ec2.amazonaws.com")))
    server.client("iam", **to_ec2).add_role_to_instance_profile(InstanceProfileName=profiles[1], RoleName=role)


def test_role_tags_in_the_trust_policy(server: Server) -> None:
    root = server.client("iam")
    caller, creds = _user(server, _doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}))
    trust = _doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{server.account_id}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:ResourceTag/assumable": "yes"}},
        }
    )
    tagged, untagged = _name("tagged"), _name("untagged")
    root.create_role(RoleName=tagged, AssumeRolePolicyDocument=trust, Tags=[{"Key": "assumable", "Value": "yes"}])
    root.create_role(RoleName=untagged, AssumeRolePolicyDocument=trust)
    sts = server.client("sts", **creds)
    arn = f"arn:aws:iam::{server.account_id}:role/"
    assert sts.assume_role(RoleArn=arn + tagged, RoleSessionName=caller)["Credentials"]["AccessKeyId"]
    with pytest.raises(ClientError) as e:
        sts.assume_role(RoleArn=arn + untagged, RoleSessionName=caller)
    assert _code(e) == "AccessDenied"


# --- s3:BucketTag ----------------------------------------------------------------------------------


def test_bucket_tag_deny(server: Server, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    _, creds = _user(
        server,
        _doc(
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": "s3:GetObject",
                "Resource": "*",
                "Condition": {"StringEquals": {"s3:BucketTag/env": "prod"}},
            },
        ),
    )
    user = server.client("s3", **creds)
    assert user.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "env", "Value": "prod"}]})
    with pytest.raises(ClientError) as e:
        user.get_object(Bucket=bucket, Key="k")
    assert _code(e) == "AccessDenied"


# --- organizations:PolicyType / organizations:ServicePrincipal ----------------------------------


def test_organizations_keys(server: Server) -> None:
    org = Organization.create(server)
    delegate = make_user(
        server,
        org.management.root,
        _doc(
            {
                "Effect": "Allow",
                "Action": "organizations:CreatePolicy",
                "Resource": "*",
                "Condition": {"StringEquals": {"organizations:PolicyType": "SERVICE_CONTROL_POLICY"}},
            },
            {
                "Effect": "Allow",
                "Action": "organizations:EnableAWSServiceAccess",
                "Resource": "*",
                "Condition": {"StringEquals": {"organizations:ServicePrincipal": "iam.amazonaws.com"}},
            },
            {
                "Effect": "Deny",
                "Action": "organizations:CreatePolicy",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:RequestTag/env": "prod"}},
            },
        ),
    )
    orgs = org_client(server, "organizations", delegate.creds)
    scp = _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
    orgs.create_policy(Name=_name("scp"), Description="d", Type="SERVICE_CONTROL_POLICY", Content=scp)
    with pytest.raises(ClientError) as e:
        orgs.create_policy(
            Name=_name("scp"),
            Description="d",
            Type="SERVICE_CONTROL_POLICY",
            Content=scp,
            Tags=[{"Key": "env", "Value": "prod"}],
        )
    assert _code(e) == "AccessDeniedException"
    with pytest.raises(ClientError) as e:
        orgs.create_policy(Name=_name("tag"), Description="d", Type="TAG_POLICY", Content='{"tags":{}}')
    assert _code(e) == "AccessDeniedException"
    orgs.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    with pytest.raises(ClientError) as e:
        orgs.enable_aws_service_access(ServicePrincipal="sso.amazonaws.com")
    assert _code(e) == "AccessDeniedException"


def test_create_bucket_with_tags(server: Server, s3: Any) -> None:
    _, creds = _user(
        server,
        _doc(
            {"Effect": "Allow", "Action": "s3:CreateBucket", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": "s3:CreateBucket",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:RequestTag/env": "prod"}},
            },
        ),
    )
    user = server.client("s3", **creds)
    with pytest.raises(ClientError) as e:
        user.create_bucket(
            Bucket=_name("ckprod"), CreateBucketConfiguration={"Tags": [{"Key": "env", "Value": "prod"}]}
        )
    assert _code(e) == "AccessDenied"
    name = _name("ckdev")
    user.create_bucket(Bucket=name, CreateBucketConfiguration={"Tags": [{"Key": "env", "Value": "dev"}]})
    try:
        assert s3.get_bucket_tagging(Bucket=name)["TagSet"] == [{"Key": "env", "Value": "dev"}]
    finally:
        s3.delete_bucket(Bucket=name)


# --- sts:SigningAlgorithm --------------------------------------------------------------------------


def test_signing_algorithm_on_get_web_identity_token(server: Server) -> None:
    iam = server.client("iam")
    try:
        iam.enable_outbound_web_identity_federation()
    except ClientError as enabled:  # another test of the session turned it on first
        assert enabled.response["Error"]["Code"] == "FeatureEnabled"
    _, creds = _user(
        server,
        _doc(
            {
                "Effect": "Allow",
                "Action": "sts:GetWebIdentityToken",
                "Resource": "*",
                "Condition": {"StringEquals": {"sts:SigningAlgorithm": "ES384"}},
            }
        ),
    )
    sts = server.client("sts", **creds)
    assert sts.get_web_identity_token(Audience=["https://api.example.com"], SigningAlgorithm="ES384")
    with pytest.raises(ClientError) as e:
        sts.get_web_identity_token(Audience=["https://api.example.com"], SigningAlgorithm="RS256")
    assert _code(e) == "AccessDenied"


def test_tags_in_a_web_identity_token_need_their_own_action(server: Server) -> None:
    """Tags become signed claims a relying party may trust: sts:TagGetWebIdentityToken, with
    the tags' aws:RequestTag and aws:TagKeys, is needed besides sts:GetWebIdentityToken."""
    iam = server.client("iam")
    try:
        iam.enable_outbound_web_identity_federation()
    except ClientError as enabled:
        assert enabled.response["Error"]["Code"] == "FeatureEnabled"
    mint = {"Effect": "Allow", "Action": "sts:GetWebIdentityToken", "Resource": "*"}
    tag = {
        "Effect": "Allow",
        "Action": "sts:TagGetWebIdentityToken",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:RequestTag/team": "blue"}},
    }
    request = {"Audience": ["https://api.example.com"], "SigningAlgorithm": "ES384"}
    for policy, allowed in ((_doc(mint), False), (_doc(mint, tag), True)):
        sts = server.client("sts", **_user(server, policy)[1])
        assert sts.get_web_identity_token(**request)  # no tags: the one action
        for value, ok in (("blue", allowed), ("admin", False)):
            tags = [{"Key": "team", "Value": value}]
            if ok:
                assert sts.get_web_identity_token(**request, Tags=tags)
            else:
                with pytest.raises(ClientError) as e:
                    sts.get_web_identity_token(**request, Tags=tags)
                assert _code(e) == "AccessDenied"
