"""GetFederationToken end to end."""

from __future__ import annotations

from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.sts.helpers import Creds, allow, doc, error_of, make_user, sts_as

SEED_POLICY = doc(
    allow("ec2:Describe*"),
    allow("elasticloadbalancing:Describe*"),
    allow(["cloudwatch:ListMetrics", "cloudwatch:GetMetricStatistics", "cloudwatch:Describe*"]),
    allow("autoscaling:Describe*"),
)
S3_READ_ONLY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"


def lifetime(r: dict[str, Any]) -> float:
    date = parsedate_to_datetime(r["ResponseMetadata"]["HTTPHeaders"]["date"])
    return float((r["Credentials"]["Expiration"] - date).total_seconds())


def federating_user(server: Server) -> Any:
    return make_user(server, policy=doc(allow(["sts:GetFederationToken", "sts:TagSession"])))


def test_seed_example_shape_and_packed_size(server: Server) -> None:
    user = federating_user(server)
    r = sts_as(server, user.creds).get_federation_token(
        Name="Bob", Policy=SEED_POLICY, PolicyArns=[{"arn": S3_READ_ONLY}], DurationSeconds=900
    )
    assert r["FederatedUser"] == {
        "FederatedUserId": f"{server.account_id}:Bob",
        "Arn": f"arn:aws:sts::{server.account_id}:federated-user/Bob",
    }
    # AWS reports 36 for exactly this request (the CLI reference's example).
    assert r["PackedPolicySize"] == 36
    assert abs(lifetime(r) - 900) <= 3
    ident = sts_as(server, Creds.of(r)).get_caller_identity()
    assert (ident["Arn"], ident["UserId"]) == (r["FederatedUser"]["Arn"], f"{server.account_id}:Bob")


def test_defaults_and_root_cap(server: Server) -> None:
    user = federating_user(server)
    r = sts_as(server, user.creds).get_federation_token(Name="plain")
    assert abs(lifetime(r) - 43200) <= 3
    assert "PackedPolicySize" not in r
    r = sts_as(server, user.creds).get_federation_token(Name="longest", DurationSeconds=129600)
    assert abs(lifetime(r) - 129600) <= 3
    root = server.client("sts")
    assert abs(lifetime(root.get_federation_token(Name="rootfed")) - 3600) <= 3
    assert abs(lifetime(root.get_federation_token(Name="rootfed", DurationSeconds=7200)) - 3600) <= 3


def test_needs_permission(server: Server) -> None:
    user = make_user(server)
    with pytest.raises(ClientError) as exc:
        sts_as(server, user.creds).get_federation_token(Name="nope")
    code, message, status = error_of(exc)
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith(
        f"User: {user.arn} is not authorized to perform: sts:GetFederationToken on resource: "
        f"arn:aws:sts::{server.account_id}:federated-user/nope"
    )


def test_tags_need_tag_session(server: Server) -> None:
    user = make_user(server, policy=doc(allow("sts:GetFederationToken")))
    with pytest.raises(ClientError) as exc:
        sts_as(server, user.creds).get_federation_token(Name="tagged", Tags=[{"Key": "a", "Value": "b"}])
    assert error_of(exc)[0] == "AccessDenied"
    tagger = federating_user(server)
    r = sts_as(server, tagger.creds).get_federation_token(Name="tagged", Tags=[{"Key": "a", "Value": "b"}])
    assert r["PackedPolicySize"] > 0


def test_validation(server: Server) -> None:
    user = federating_user(server)
    sts = sts_as(server, user.creds, validate=False)
    for kwargs, fragment in (
        ({"Name": "x"}, "'name' failed to satisfy constraint"),
        ({"Name": "ok", "Policy": ""}, "'policy' failed to satisfy constraint"),
        ({"Name": "ok", "DurationSeconds": 129601}, "'durationSeconds' failed to satisfy constraint"),
    ):
        with pytest.raises(ClientError) as exc:
            sts.get_federation_token(**kwargs)
        code, message, _ = error_of(exc)
        assert code == "ValidationError" and fragment in message, message
    with pytest.raises(ClientError) as exc:
        sts.get_federation_token(Name="ok", Policy='{"Version":"2012-10-17"}')
    assert error_of(exc)[0] == "MalformedPolicyDocument"


def test_federated_session_may_call_only_get_caller_identity(server: Server) -> None:
    user = federating_user(server)
    fed = sts_as(server, Creds.of(sts_as(server, user.creds).get_federation_token(Name="fed", Policy=SEED_POLICY)))
    fed.get_caller_identity()
    for call, name in (
        (fed.get_session_token, "GetSessionToken"),
        (lambda: fed.get_federation_token(Name="again"), "GetFederationToken"),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == ("AccessDenied", f"Cannot call {name} with session credentials", 403)


def test_federated_session_may_call_no_other_sts_or_iam_operation(server: Server) -> None:
    # AWS documents: no IAM API, and no STS operation but GetCallerIdentity - even when the
    # federation policy would allow them.
    user = make_user(server, policy=doc(allow("*")))
    r = sts_as(server, user.creds).get_federation_token(Name="fed2", Policy=doc(allow("*")))
    creds = Creds.of(r)
    fed = sts_as(server, creds)
    arn = r["FederatedUser"]["Arn"]
    call: Callable[..., object]
    for call, action in (
        (lambda: fed.get_access_key_info(AccessKeyId=creds.access_key_id), "sts:GetAccessKeyInfo"),
        (lambda: fed.decode_authorization_message(EncodedMessage="x"), "sts:DecodeAuthorizationMessage"),
        (lambda: fed.assume_role(RoleArn=f"arn:aws:iam::{server.account_id}:role/any", RoleSessionName="sess"), None),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        code, message, status = error_of(exc)
        assert (code, status) == ("AccessDenied", 403)
        assert message.startswith(f"User: {arn} is not authorized to perform: {action or 'sts:AssumeRole'}")
    iam = server.client("iam", **creds.kwargs())
    with pytest.raises(ClientError) as exc:
        iam.list_users()
    assert error_of(exc)[0] == "InvalidClientTokenId"
