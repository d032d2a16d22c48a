"""S3 under IAM: users, role sessions, federated users, bucket policies, anonymous access.

Each test creates its own IAM entities with the root credentials of the shared server.
"""

from __future__ import annotations

import os
import time
import uuid
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.s3.helpers import aws_cli, error_of, new_account, policy

pytestmark = pytest.mark.e2e


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _user(server: Server, inline: str | None = None) -> tuple[str, str, str]:
    """A new IAM user (optionally with an inline policy): its ARN, key id and secret."""
    iam = server.client("iam")
    name = _name("s3user")
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    if inline is not None:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=inline)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return arn, key["AccessKeyId"], key["SecretAccessKey"]


def _client(server: Server, key: str, secret: str, token: str | None = None) -> Any:
    return server.client("s3", aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token)


def _eventually(fn: Any) -> Any:
    """Permissions are live, but a new key reaches the server's cache on the next change signal."""
    deadline = time.monotonic() + 5
    while True:
        try:
            return fn()
        except ClientError as err:
            if err.response["Error"]["Code"] not in ("InvalidAccessKeyId",) or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _allow(actions: list[str], resources: list[str]) -> str:
    return policy({"Effect": "Allow", "Action": actions, "Resource": resources})


def test_user_with_identity_policy(server: Server, s3: Any, bucket: str) -> None:
    arn = f"arn:aws:s3:::{bucket}"
    _, key, secret = _user(server, _allow(["s3:PutObject", "s3:GetObject", "s3:ListBucket"], [arn, arn + "/*"]))
    user = _client(server, key, secret)
    _eventually(lambda: user.put_object(Bucket=bucket, Key="u.txt", Body=b"user"))
    assert user.get_object(Bucket=bucket, Key="u.txt")["Body"].read() == b"user"
    assert [o["Key"] for o in user.list_objects_v2(Bucket=bucket)["Contents"]] == ["u.txt"]
    with pytest.raises(ClientError) as e:
        user.delete_object(Bucket=bucket, Key="u.txt")
    code, message, status = error_of(e)
    assert (code, status) == ("AccessDenied", 403)
    assert "s3:DeleteObject" in message and f"{arn}/u.txt" in message
    with pytest.raises(ClientError) as e:
        user.list_buckets()
    assert error_of(e)[0] == "AccessDenied"
    # Missing keys look like AccessDenied without s3:ListBucket, NoSuchKey with it.
    with pytest.raises(ClientError) as e:
        user.get_object(Bucket=bucket, Key="missing")
    assert error_of(e)[0] == "NoSuchKey"


def test_prefix_condition_on_listing(server: Server, s3: Any, bucket: str) -> None:
    doc = policy(
        {
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": f"arn:aws:s3:::{bucket}",
            "Condition": {"StringLike": {"s3:prefix": "home/alice/*"}},
        }
    )
    _, key, secret = _user(server, doc)
    user = _client(server, key, secret)
    _eventually(lambda: user.list_objects_v2(Bucket=bucket, Prefix="home/alice/"))
    with pytest.raises(ClientError) as e:
        user.list_objects_v2(Bucket=bucket, Prefix="home/bob/")
    assert error_of(e)[0] == "AccessDenied"
    with pytest.raises(ClientError) as e:
        user.list_objects_v2(Bucket=bucket)
    assert error_of(e)[0] == "AccessDenied"


def test_bucket_policy_deny_overrides_identity_allow(server: Server, s3: Any, bucket: str) -> None:
    arn = f"arn:aws:s3:::{bucket}"
    user_arn, key, secret = _user(server, _allow(["s3:*"], [arn, arn + "/*"]))
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=policy(
            {"Effect": "Deny", "Principal": {"AWS": user_arn}, "Action": "s3:GetObject", "Resource": arn + "/*"}
        ),
    )
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    user = _client(server, key, secret)
    _eventually(lambda: user.put_object(Bucket=bucket, Key="k2", Body=b"v"))
    with pytest.raises(ClientError) as e:
        user.get_object(Bucket=bucket, Key="k")
    code, message, _ = error_of(e)
    assert code == "AccessDenied" and "explicit deny in a resource-based policy" in message
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"


def test_bucket_policy_allow_admits_another_user(server: Server, s3: Any, bucket: str) -> None:
    user_arn, key, secret = _user(server)  # no identity policy at all
    user = _client(server, key, secret)
    s3.put_object(Bucket=bucket, Key="shared.txt", Body=b"shared")
    with pytest.raises(ClientError) as e:
        _eventually(lambda: user.get_object(Bucket=bucket, Key="shared.txt"))
    assert error_of(e)[0] == "AccessDenied"
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": user_arn},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ),
    )
    assert user.get_object(Bucket=bucket, Key="shared.txt")["Body"].read() == b"shared"
    with pytest.raises(ClientError) as e:
        user.put_object(Bucket=bucket, Key="nope", Body=b"x")
    assert error_of(e)[0] == "AccessDenied"


def test_cross_account_access_through_bucket_policy(server: Server, s3: Any, bucket: str) -> None:
    """Cross-account: the caller's identity policy and the bucket policy must both allow."""
    other_account, root_key, root_secret = new_account(server)
    other_iam = server.client("iam", aws_access_key_id=root_key, aws_secret_access_key=root_secret)
    name = _name("xacct")
    other_iam.create_user(UserName=name)
    other_iam.put_user_policy(
        UserName=name, PolicyName="p", PolicyDocument=_allow(["s3:GetObject"], [f"arn:aws:s3:::{bucket}/*"])
    )
    key = other_iam.create_access_key(UserName=name)["AccessKey"]
    other = _client(server, key["AccessKeyId"], key["SecretAccessKey"])
    s3.put_object(Bucket=bucket, Key="x.txt", Body=b"cross")
    with pytest.raises(ClientError) as e:
        _eventually(lambda: other.get_object(Bucket=bucket, Key="x.txt"))
    assert error_of(e)[0] == "AccessDenied"  # identity allows, but the bucket does not
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{other_account}:root"},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ),
    )
    assert other.get_object(Bucket=bucket, Key="x.txt")["Body"].read() == b"cross"
    with pytest.raises(ClientError) as e:
        other.list_objects_v2(Bucket=bucket)
    assert error_of(e)[0] == "AccessDenied"


def test_public_read_through_bucket_policy(server: Server, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="public.txt", Body=b"hello world")
    url = f"{server.url}/{bucket}/public.txt"
    assert httpx.get(url).status_code == 403
    s3.delete_public_access_block(Bucket=bucket)  # a public policy needs Block Public Access off
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=policy(
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
        ),
    )
    r = httpx.get(url)
    assert (r.status_code, r.content) == (200, b"hello world")
    # Only what the policy grants: no anonymous listing, no anonymous writes.
    assert httpx.get(f"{server.url}/{bucket}?list-type=2").status_code == 403
    assert httpx.put(f"{server.url}/{bucket}/evil.txt", content=b"x").status_code == 403


def _role(server: Server, permissions: str) -> str:
    iam = server.client("iam")
    name = _name("s3role")
    trust = policy(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{server.account_id}:root"}, "Action": "sts:AssumeRole"}
    )
    arn: str = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=permissions)
    return arn


def _assume(server: Server, role_arn: str) -> dict[str, str]:
    # The root user may not assume roles (as in AWS): a user allowed sts:AssumeRole does.
    _, key, secret = _user(server, _allow(["sts:AssumeRole"], [role_arn]))
    sts = server.client("sts", aws_access_key_id=key, aws_secret_access_key=secret)
    creds: dict[str, str] = _eventually(lambda: sts.assume_role(RoleArn=role_arn, RoleSessionName="s3test"))[
        "Credentials"
    ]
    return creds


def test_role_session_and_aws_s3_cp(server: Server, s3: Any, bucket: str, tmp_path: Path) -> None:
    arn = f"arn:aws:s3:::{bucket}"
    allowed = _assume(
        server, _role(server, _allow(["s3:PutObject", "s3:GetObject", "s3:ListBucket"], [arn, arn + "/*"]))
    )
    denied = _assume(server, _role(server, _allow(["s3:ListBucket"], [arn])))
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(17 * 1024 * 1024))
    key, secret, token = allowed["AccessKeyId"], allowed["SecretAccessKey"], allowed["SessionToken"]
    r = aws_cli(server, "s3", "cp", str(src), f"s3://{bucket}/role/big.bin", key=key, secret=secret, token=token)
    assert r.returncode == 0, r.stderr
    back = tmp_path / "back.bin"
    r = aws_cli(server, "s3", "cp", f"s3://{bucket}/role/big.bin", str(back), key=key, secret=secret, token=token)
    assert r.returncode == 0, r.stderr
    assert back.read_bytes() == src.read_bytes()
    no_key, no_secret, no_token = denied["AccessKeyId"], denied["SecretAccessKey"], denied["SessionToken"]
    r = aws_cli(
        server, "s3", "cp", str(src), f"s3://{bucket}/role/again.bin", key=no_key, secret=no_secret, token=no_token
    )
    assert r.returncode != 0 and "AccessDenied" in r.stderr
    r = aws_cli(
        server,
        "s3",
        "cp",
        f"s3://{bucket}/role/big.bin",
        str(tmp_path / "x.bin"),
        key=no_key,
        secret=no_secret,
        token=no_token,
    )
    assert r.returncode != 0 and ("403" in r.stderr or "AccessDenied" in r.stderr)


def test_presigned_url_with_role_session(server: Server, s3: Any, bucket: str) -> None:
    arn = f"arn:aws:s3:::{bucket}"
    creds = _assume(server, _role(server, _allow(["s3:GetObject", "s3:PutObject"], [arn + "/*"])))
    session = server.client(
        "s3",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        config={"signature_version": "s3v4"},
    )
    put = session.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "tmp.txt"}, ExpiresIn=120)
    assert httpx.put(put, content=b"temp creds").status_code == 200
    get = session.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "tmp.txt"}, ExpiresIn=120)
    r = httpx.get(get)
    assert (r.status_code, r.content) == (200, b"temp creds")


def test_federated_user(server: Server, s3: Any, bucket: str) -> None:
    arn = f"arn:aws:s3:::{bucket}"
    _, key, secret = _user(server, _allow(["s3:*", "sts:GetFederationToken"], ["*"]))
    sts = server.client("sts", aws_access_key_id=key, aws_secret_access_key=secret)
    fed = _eventually(
        lambda: sts.get_federation_token(Name="fed", Policy=_allow(["s3:GetObject", "s3:PutObject"], [arn + "/*"]))
    )["Credentials"]
    client = _client(server, fed["AccessKeyId"], fed["SecretAccessKey"], fed["SessionToken"])
    client.put_object(Bucket=bucket, Key="fed.txt", Body=b"federated")
    assert client.get_object(Bucket=bucket, Key="fed.txt")["Body"].read() == b"federated"
    with pytest.raises(ClientError) as e:
        client.list_objects_v2(Bucket=bucket)  # not in the session policy
    assert error_of(e)[0] == "AccessDenied"


def test_mfa_session_lists_buckets_without_mfa_denied(server: Server, s3: Any, bucket: str) -> None:
    """The seed's check: ListBuckets allowed only with MFA (aws:MultiFactorAuthPresent)."""
    doc = policy(
        {
            "Effect": "Allow",
            "Action": "s3:ListAllMyBuckets",
            "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    )
    _, key, secret = _user(server, doc)
    user = _client(server, key, secret)
    with pytest.raises(ClientError) as e:
        _eventually(user.list_buckets)
    assert error_of(e)[0] == "AccessDenied"
    sts = server.client("sts", aws_access_key_id=key, aws_secret_access_key=secret)
    creds = sts.get_session_token()["Credentials"]  # no MFA
    session = _client(server, creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    with pytest.raises(ClientError) as e:
        session.list_buckets()
    assert error_of(e)[0] == "AccessDenied"
    # The MFA-present half (a virtual MFA device and GetSessionToken with a code) is
    # tests/iam/test_seed_mfa_demo.py.


@pytest.mark.parametrize(
    ("resource", "allowed"),
    [
        ("*", True),
        # AWS's own examples (the IAM guide, the seed's MFA demo) grant ListBuckets this way.
        ("arn:aws:s3:::*", True),
        ("arn:aws:s3:::some-bucket", False),
        ("arn:aws:s3:::*/*", False),
    ],
)
def test_list_all_my_buckets_resource(server: Server, s3: Any, bucket: str, resource: str, allowed: bool) -> None:
    arn, key, secret = _user(server, _allow(["s3:ListAllMyBuckets"], [resource]))
    user = _client(server, key, secret)
    if allowed:
        assert bucket in [b["Name"] for b in _eventually(user.list_buckets)["Buckets"]]
        return
    with pytest.raises(ClientError) as e:
        _eventually(user.list_buckets)
    code, message, status = error_of(e)
    assert (code, status) == ("AccessDenied", 403)
    # AWS names no resource for this action.
    assert message.startswith(
        f"User: {arn} is not authorized to perform: s3:ListAllMyBuckets"
        " because no identity-based policy allows the s3:ListAllMyBuckets action"
    )


def test_object_attributes_need_read_access_to_the_object(server: Server, s3: Any, bucket: str) -> None:
    """GetObjectAttributes answers with the ETag (most objects' MD5) and checksums: S3 asks
    for s3:GetObject besides s3:GetObjectAttributes (and their version twins with a versionId)."""
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    version = s3.put_object(Bucket=bucket, Key="obj", Body=b"secret")["VersionId"]
    objects = [f"arn:aws:s3:::{bucket}/*"]
    wanted = ["ETag", "ObjectSize"]
    cases = [
        (["s3:GetObjectAttributes"], None, "AccessDenied"),
        (["s3:GetObject"], None, "AccessDenied"),
        (["s3:GetObject", "s3:GetObjectAttributes"], None, None),
        (["s3:GetObject", "s3:GetObjectAttributes", "s3:GetObjectVersionAttributes"], version, "AccessDenied"),
        (["s3:GetObjectVersion", "s3:GetObjectVersionAttributes"], version, None),
    ]
    for actions, version_id, refusal in cases:
        _, key, secret = _user(server, _allow(actions, objects))
        read = partial(
            _client(server, key, secret).get_object_attributes,
            Bucket=bucket,
            Key="obj",
            ObjectAttributes=wanted,
            **({"VersionId": version_id} if version_id else {}),
        )
        if refusal is None:
            assert _eventually(read)["ObjectSize"] == 6, actions
        else:
            with pytest.raises(ClientError) as e:
                _eventually(read)
            assert error_of(e)[0::2] == (refusal, 403), actions
