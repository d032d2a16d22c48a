"""The AWS JSON 1.1 protocol as the Organizations endpoint speaks it."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.orgs.helpers import Account, Organization, client, error_of

TARGET = "AWSOrganizationsV20161128"


def _call(server: Server, creds: Any, target: str, body: bytes, *, sign_as: str = "organizations") -> httpx.Response:
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target}
    request = AWSRequest(method="POST", url=server.url + "/", data=body, headers=headers)
    if creds is not None:
        SigV4Auth(Credentials(*creds), sign_as, "us-east-1").add_auth(request)
    return httpx.post(server.url + "/", content=body, headers=dict(request.headers.items()))


@pytest.fixture(scope="module")
def account(server: Server) -> Account:
    return Account.create(server)


def _keys(account: Account) -> tuple[str, str]:
    return account.root.access_key_id, account.root.secret_access_key


def test_success_shape(server: Server, account: Account) -> None:
    answer = _call(server, _keys(account), f"{TARGET}.CreateOrganization", b"{}")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/x-amz-json-1.1"
    assert answer.headers["x-amzn-requestid"]
    org = answer.json()["Organization"]
    assert org["MasterAccountId"] == account.account_id and org["FeatureSet"] == "ALL"
    status = _call(
        server,
        _keys(account),
        f"{TARGET}.CreateAccount",
        json.dumps({"Email": "json@example.com", "AccountName": "json"}).encode(),
    ).json()["CreateAccountStatus"]
    # Timestamps are epoch seconds, as botocore's JSON parser reads them.
    assert isinstance(status["RequestedTimestamp"], float)


@pytest.mark.parametrize(
    ("target", "body", "code"),
    [
        (f"{TARGET}.NoSuchOperation", b"{}", "UnknownOperationException"),
        ("SomethingElse.ListRoots", b"{}", "UnknownOperationException"),
        (f"{TARGET}.DescribeAccount", b"{not json", "SerializationException"),
        # Nested past the parser's stack: malformed input, not a 500.
        (f"{TARGET}.DescribeAccount", b"[" * 200_000, "SerializationException"),
        (f"{TARGET}.DescribeAccount", b'{"a":' * 200_000, "SerializationException"),
        (f"{TARGET}.DescribeAccount", b'{"AccountId": 123456789012}', "SerializationException"),
        (f"{TARGET}.DescribeAccount", b'{"AccountId": "12"}', "InvalidInputException"),
        (f"{TARGET}.DescribeAccount", b"{}", "InvalidInputException"),
        (f"{TARGET}.ListAccounts", b'{"MaxResults": 21}', "InvalidInputException"),
    ],
)
def test_errors(server: Server, account: Account, target: str, body: bytes, code: str) -> None:
    answer = _call(server, _keys(account), target, body)
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/x-amz-json-1.1"
    assert answer.json()["__type"] == code


def test_validation_reason(server: Server, account: Account) -> None:
    answer = _call(server, _keys(account), f"{TARGET}.DescribeAccount", b'{"AccountId": "12"}').json()
    assert answer == {
        "__type": "InvalidInputException",
        "message": "You specified an invalid value for accountId.",
        "Reason": "INVALID_PATTERN",
    }
    assert _call(server, _keys(account), f"{TARGET}.DescribeAccount", b"{}").json()["Reason"] == "INPUT_REQUIRED"


def test_authentication_errors(server: Server, account: Account) -> None:
    key, secret = _keys(account)
    target = f"{TARGET}.DescribeOrganization"
    cases = [
        (None, "MissingAuthenticationTokenException", 403),
        ((key, "x" * 40), "InvalidSignatureException", 403),
        (("AKIAIOSFODNN7EXAMPLE", secret), "UnrecognizedClientException", 403),
    ]
    for creds, code, status in cases:
        answer = _call(server, creds, target, b"{}")
        assert (answer.json()["__type"], answer.status_code) == (code, status)


def test_boto3_sees_modeled_errors(server: Server) -> None:
    org = Organization.create(server)
    with pytest.raises(ClientError) as exc:
        org.orgs.create_organizational_unit(ParentId="r-zzzz", Name="x")
    assert error_of(exc) == (
        "ParentNotFoundException",
        "We can't find a root or OU with the ParentId that you specified.",
        400,
    )
    lone = Account.create(server)
    with pytest.raises(client(server, "organizations", lone.root).exceptions.AWSOrganizationsNotInUseException):
        client(server, "organizations", lone.root).list_accounts()
