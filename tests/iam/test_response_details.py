"""IAM answers in AWS's exact words and shapes where credmint used to differ (recorded from
AWS in a peer's long-standing IAM tests and in the IAM API reference)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from credmint.wire.query import IAM_PATH_MESSAGE
from tests.conftest import Server
from tests.sts.helpers import aws_cli, error_of, unique

pytestmark = pytest.mark.e2e

POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})


def raw_iam(server: Server) -> Any:
    # botocore checks the model's path pattern itself; the server's answer is what is tested.
    return server.client("iam", config={"parameter_validation": False})


@pytest.mark.parametrize("path", ["no-slashes", "/no-trailing", "no-leading/", "/a//b/", "/é/"])
@pytest.mark.parametrize("operation", ["create_user", "create_role", "create_group", "create_policy"])
def test_path_message(server: Server, path: str, operation: str) -> None:
    kwargs: dict[str, Any] = {
        "create_user": {"UserName": unique("p")},
        "create_role": {"RoleName": unique("p"), "AssumeRolePolicyDocument": POLICY},
        "create_group": {"GroupName": unique("p")},
        "create_policy": {"PolicyName": unique("p"), "PolicyDocument": POLICY},
    }[operation]
    with pytest.raises(ClientError) as exc:
        getattr(raw_iam(server), operation)(Path=path, **kwargs)
    assert error_of(exc) == ("ValidationError", IAM_PATH_MESSAGE, 400)


def test_good_paths_still_pass(server: Server) -> None:
    name = unique("p")
    assert server.client("iam").create_user(UserName=name, Path="/a/b-c_d/")["User"]["Path"] == "/a/b-c_d/"


def test_delete_oidc_provider_is_idempotent(server: Server) -> None:
    iam = server.client("iam")
    arn = f"arn:aws:iam::{server.account_id}:oidc-provider/never.example.test"
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)


def test_create_policy_omits_description_and_get_policy_lists_tags(server: Server) -> None:
    iam = server.client("iam")
    made = iam.create_policy(PolicyName=unique("pol"), PolicyDocument=POLICY, Description="kept, not echoed")["Policy"]
    assert "Description" not in made and "Tags" not in made
    got = iam.get_policy(PolicyArn=made["Arn"])["Policy"]
    assert got["Description"] == "kept, not echoed"
    assert got["Tags"] == []


def test_delete_password_policy_when_none(server: Server) -> None:
    iam = server.client("iam")
    iam.update_account_password_policy(MinimumPasswordLength=12)
    iam.delete_account_password_policy()
    with pytest.raises(ClientError) as exc:
        iam.delete_account_password_policy()
    assert error_of(exc) == ("NoSuchEntity", "The account policy with name PasswordPolicy cannot be found.", 404)


def test_add_user_to_group_names_the_user_first(server: Server) -> None:
    iam = server.client("iam")
    user, group = unique("nouser"), unique("nogroup")
    with pytest.raises(ClientError) as exc:
        iam.add_user_to_group(UserName=user, GroupName=group)
    assert error_of(exc) == ("NoSuchEntity", f"The user with name {user} cannot be found.", 404)


def test_aws_cli_path_message(server: Server) -> None:
    out = aws_cli(server, "iam", "create-user", "--user-name", unique("p"), "--path", "/a//b/")
    assert out.returncode != 0 and IAM_PATH_MESSAGE in out.stderr


def test_token_version_preference_and_certificates_in_the_summary(server: Server) -> None:
    iam = server.client("iam")
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["GlobalEndpointTokenVersion"] == 2
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v1Token")
    assert iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 1
    with pytest.raises(ClientError) as exc:
        raw_iam(server).set_security_token_service_preferences(GlobalEndpointTokenVersion="v3Token")
    assert error_of(exc)[0] == "ValidationError"
    assert summary["ServerCertificates"] >= 0 and summary["AccountSigningCertificatesPresent"] in (0, 1)
