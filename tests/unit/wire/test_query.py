"""Both sides of the wire with the real STS and IAM models.

Requests: botocore's QuerySerializer (what boto3 sends) → form body → credmint decode →
the caller's parameters. Results: credmint render → botocore's QueryParser → the result.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlencode

import pytest
from botocore.parsers import QueryParser
from botocore.serialize import QuerySerializer

from credmint.httpreq import HttpRequest
from credmint.wire import parse_form, query_service, render_result

FORM = (("content-type", "application/x-www-form-urlencoded; charset=utf-8"),)
ROLE = "arn:aws:iam::123456789012:role/demo"
POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'

REQUESTS: list[tuple[str, str, dict[str, Any]]] = [
    ("sts", "GetCallerIdentity", {}),
    ("sts", "AssumeRole", {"RoleArn": ROLE, "RoleSessionName": "s1"}),
    (
        "sts",
        "AssumeRole",
        {
            "RoleArn": ROLE,
            "RoleSessionName": "alice@example.com",
            "PolicyArns": [
                {"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
                {"arn": "arn:aws:iam::1:policy/p"},
            ],
            "Policy": POLICY,
            "DurationSeconds": 3600,
            "Tags": [
                {"Key": "Project", "Value": "Pegasus"},
                {"Key": "Cost Center", "Value": "12 + 3 = 15 é"},
            ],
            "TransitiveTagKeys": ["Project"],
            "ExternalId": "ext:id/1",
            "SerialNumber": "arn:aws:iam::123456789012:mfa/alice",
            "TokenCode": "123456",
            "SourceIdentity": "alice",
            "ProvidedContexts": [
                {"ProviderArn": "arn:aws:iam::aws:contextProvider/IdentityCenter", "ContextAssertion": "xxxx"}
            ],
        },
    ),
    (
        "sts",
        "AssumeRole",
        {"RoleArn": ROLE, "RoleSessionName": "s1", "PolicyArns": [], "Tags": [], "TransitiveTagKeys": []},
    ),
    (
        "sts",
        "GetSessionToken",
        {"DurationSeconds": 900, "SerialNumber": "arn:aws:iam::1:mfa/a", "TokenCode": "000000"},
    ),
    ("sts", "GetFederationToken", {"Name": "bob", "Policy": POLICY, "Tags": [{"Key": "k", "Value": ""}]}),
    (
        "sts",
        "AssumeRoleWithWebIdentity",
        {"RoleArn": ROLE, "RoleSessionName": "web", "WebIdentityToken": "a.b.c" * 10},
    ),
    (
        "sts",
        "AssumeRoleWithSAML",
        {"RoleArn": ROLE, "PrincipalArn": "arn:aws:iam::1:saml-provider/x", "SAMLAssertion": "PHNhbWw+" * 20},
    ),
    ("sts", "DecodeAuthorizationMessage", {"EncodedMessage": "abc+/="}),
    ("iam", "CreateUser", {"UserName": "alice", "Path": "/eng/", "Tags": [{"Key": "team", "Value": "a b"}]}),
    ("iam", "PutUserPolicy", {"UserName": "alice", "PolicyName": "p", "PolicyDocument": POLICY}),
    ("iam", "CreateVirtualMFADevice", {"VirtualMFADeviceName": "alice", "Path": "/"}),
    (
        "iam",
        "EnableMFADevice",
        {
            "UserName": "a",
            "SerialNumber": "arn:aws:iam::1:mfa/a",
            "AuthenticationCode1": "123456",
            "AuthenticationCode2": "654321",
        },
    ),
    ("iam", "ListUsers", {"PathPrefix": "/", "Marker": "abc", "MaxItems": 10}),
    (
        "iam",
        "CreateRole",
        {
            "RoleName": "r",
            "AssumeRolePolicyDocument": POLICY,
            "MaxSessionDuration": 43200,
            "PermissionsBoundary": "arn:aws:iam::1:policy/b",
        },
    ),
    ("iam", "UpdateAccessKey", {"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Status": "Inactive"}),
    ("iam", "UntagUser", {"UserName": "a", "TagKeys": ["x", "y"]}),
    (
        "iam",
        "SimulatePrincipalPolicy",
        {
            "PolicySourceArn": "arn:aws:iam::1:user/a",
            "ActionNames": ["s3:GetObject"],
            "ContextEntries": [
                {
                    "ContextKeyName": "aws:MultiFactorAuthPresent",
                    "ContextKeyValues": ["true"],
                    "ContextKeyType": "boolean",
                }
            ],
        },
    ),
]


def _form(service: str, operation: str, params: dict[str, Any]) -> HttpRequest:
    op = query_service(service).model.operation_model(operation)
    body = QuerySerializer().serialize_to_request(params, op)["body"]
    return HttpRequest("POST", "/", "", FORM, urlencode(body).encode())


@pytest.mark.parametrize(
    ("service", "operation", "params"), REQUESTS, ids=[f"{s}-{o}-{i}" for i, (s, o, _) in enumerate(REQUESTS)]
)
def test_boto_request_decodes_to_its_params(service: str, operation: str, params: dict[str, Any]) -> None:
    svc = query_service(service)
    form = parse_form(_form(service, operation, params), 10_000_000)
    op = svc.resolve(form["Action"], form["Version"])
    assert op.name == operation
    assert svc.decode(op, form) == params


def _parse(service: str, operation: str, body: bytes) -> dict[str, Any]:
    op = query_service(service).model.operation_model(operation)
    parsed: dict[str, Any] = QueryParser().parse(
        {"body": body, "headers": {}, "status_code": 200}, op.output_shape
    )
    return parsed


T = datetime(2026, 11, 22, 13, 48, 50, tzinfo=UTC)
CREDS = {
    "AccessKeyId": "ASIAEXAMPLE",
    "SecretAccessKey": "s/e+c=r<e>t&",
    "SessionToken": "tok" * 50,
    "Expiration": T,
}
USER = {
    "Path": "/",
    "UserName": "alice",
    "UserId": "AIDAEXAMPLE",
    "Arn": "arn:aws:iam::1:user/alice",
    "CreateDate": T,
}

RESULTS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "sts",
        "GetCallerIdentity",
        {"UserId": "AIDAEXAMPLE", "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/alice"},
    ),
    (
        "sts",
        "AssumeRole",
        {
            "Credentials": CREDS,
            "AssumedRoleUser": {"AssumedRoleId": "AROA:s1", "Arn": "arn:aws:sts::1:assumed-role/demo/s1"},
            "PackedPolicySize": 6,
            "SourceIdentity": "alice",
        },
    ),
    ("sts", "GetSessionToken", {"Credentials": CREDS}),
    (
        "sts",
        "GetFederationToken",
        {
            "Credentials": CREDS,
            "FederatedUser": {"FederatedUserId": "1:bob", "Arn": "arn:aws:sts::1:federated-user/bob"},
        },
    ),
    (
        "iam",
        "ListUsers",
        {
            "Users": [
                USER,
                {**USER, "UserName": "bob", "PasswordLastUsed": T, "Tags": [{"Key": "k", "Value": "v"}]},
            ],
            "IsTruncated": True,
            "Marker": "next&<",
        },
    ),
    ("iam", "ListUsers", {"Users": [], "IsTruncated": False}),
    ("iam", "CreateUser", {"User": USER}),
    (
        "iam",
        "CreateVirtualMFADevice",
        {
            "VirtualMFADevice": {
                "SerialNumber": "arn:aws:iam::1:mfa/alice",
                "Base32StringSeed": b"JBSWY3DPEHPK3PXP",
                "QRCodePNG": bytes(range(256)),
            }
        },
    ),
    (
        "iam",
        "ListAccessKeys",
        {
            "AccessKeyMetadata": [
                {"UserName": "a", "AccessKeyId": "AKIA", "Status": "Active", "CreateDate": T}
            ],
            "IsTruncated": False,
        },
    ),
    ("iam", "GetAccountSummary", {"SummaryMap": {"Users": 3, "Roles": 10}}),
]


@pytest.mark.parametrize(
    ("service", "operation", "result"), RESULTS, ids=[f"{s}-{o}-{i}" for i, (s, o, _) in enumerate(RESULTS)]
)
def test_rendered_result_parses_back(service: str, operation: str, result: dict[str, Any]) -> None:
    svc = query_service(service)
    body = render_result(
        svc, svc.resolve(operation, svc.api_version), result, "c6104cbe-af31-11e0-8154-cbc7ccf896c7"
    )
    parsed = _parse(service, operation, body)
    assert parsed.pop("ResponseMetadata")["RequestId"] == "c6104cbe-af31-11e0-8154-cbc7ccf896c7"
    assert parsed == result


def test_get_caller_identity_document_is_awss() -> None:
    svc = query_service("sts")
    body = svc.render_result("GetCallerIdentity", RESULTS[0][2], "rid")
    assert body == (
        b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        b"<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDAEXAMPLE</UserId>"
        b"<Account>123456789012</Account></GetCallerIdentityResult>"
        b"<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
    )


def test_assume_role_element_order_and_timestamp() -> None:
    body = query_service("sts").render_result("AssumeRole", RESULTS[1][2], "rid").decode()
    assert body.index("<AssumedRoleUser>") < body.index("<Credentials>")
    assert "<Expiration>2026-11-22T13:48:50Z</Expiration>" in body
    assert "<SecretAccessKey>s/e+c=r&lt;e&gt;t&amp;</SecretAccessKey>" in body


def test_no_output_operation_is_metadata_only() -> None:
    svc = query_service("iam")
    body = svc.render_result("PutUserPolicy", None, "rid")
    assert body == (
        b'<PutUserPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
        b"<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></PutUserPolicyResponse>"
    )
    assert _parse("iam", "PutUserPolicy", body)["ResponseMetadata"]["RequestId"] == "rid"


def test_policy_documents_are_url_encoded_as_iam_does() -> None:
    svc = query_service("iam")
    role = {
        "Path": "/",
        "RoleName": "r",
        "RoleId": "AROAEXAMPLE",
        "Arn": "arn:aws:iam::1:role/r",
        "CreateDate": T,
        "AssumeRolePolicyDocument": POLICY,
        "MaxSessionDuration": 3600,
    }
    body = svc.render_result("GetRole", {"Role": role}, "rid")
    assert b"%7B%22Version%22%3A%222012-10-17%22" in body
    parsed = _parse("iam", "GetRole", body)["Role"]
    # boto3's handler unquotes and json-loads policyDocumentType members.
    assert unquote(parsed.pop("AssumeRolePolicyDocument")) == POLICY
    role.pop("AssumeRolePolicyDocument")
    assert parsed == role


def test_render_with_boto3_client_parser() -> None:
    """The whole boto3 response pipeline (handlers included) accepts the document."""
    import boto3
    from botocore.stub import Stubber  # noqa: F401  (ensures botocore test helpers import)

    client = boto3.client("iam", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    svc = query_service("iam")
    body = svc.render_result(
        "GetUserPolicy", {"UserName": "a", "PolicyName": "p", "PolicyDocument": POLICY}, "rid"
    )
    op = client.meta.service_model.operation_model("GetUserPolicy")
    parsed = QueryParser().parse({"body": body, "headers": {}, "status_code": 200}, op.output_shape)
    client.meta.events.emit(
        "after-call.iam.GetUserPolicy", http_response=None, parsed=parsed, model=op, context={}
    )
    import json

    assert parsed["PolicyDocument"] == json.loads(POLICY)
