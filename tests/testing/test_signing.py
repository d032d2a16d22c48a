"""The helper sessions share one botocore session, and nothing else (testing/signing.py)."""

from __future__ import annotations

import pytest

from credmint.testing import Account
from credmint.testing.signing import ServerTimeSession, shared_loader

pytestmark = pytest.mark.e2e


def _session(key: str) -> ServerTimeSession:
    creds = {"aws_access_key_id": key, "aws_secret_access_key": "s", "aws_session_token": None}
    return ServerTimeSession("http://127.0.0.1:1", "eu-west-1", lambda: 0.0, shared_loader(), creds)


def test_each_session_signs_with_its_own_credentials_and_region() -> None:
    a, b = _session("AKIAFIRST"), _session("AKIASECOND")
    assert a._session is b._session  # one botocore session for all of them
    for session, key in ((a, "AKIAFIRST"), (b, "AKIASECOND")):
        client = session.client("sts")
        assert client._request_signer._credentials.access_key == key
        assert client.meta.region_name == "eu-west-1"
        assert session.get_credentials().access_key == key
        assert session.region_name == "eu-west-1"
    # The shared botocore session itself holds neither.
    assert a._session.get_credentials() is None or a._session.get_credentials().access_key not in (
        "AKIAFIRST",
        "AKIASECOND",
    )


def test_explicit_credentials_win() -> None:
    client = _session("AKIAFIRST").client("sts", aws_access_key_id="AKIAOTHER", aws_secret_access_key="x")
    assert client._request_signer._credentials.access_key == "AKIAOTHER"


def test_boto3_customizations_are_registered_once() -> None:
    handlers = _session("AKIAFIRST")._session.get_component("event_emitter")._emitter._handlers
    count = len(list(handlers.prefix_search("creating-client-class.s3")))
    for _ in range(5):
        _session("AKIAMORE")
    assert len(list(handlers.prefix_search("creating-client-class.s3"))) == count


def test_principals_of_one_server_stay_apart(credmint_account: Account) -> None:
    user = credmint_account.create_user()
    other = credmint_account.create_user()
    assert user.client("sts").get_caller_identity()["Arn"].endswith(user.name)
    assert other.client("sts").get_caller_identity()["Arn"].endswith(other.name)
    assert credmint_account.client("sts").get_caller_identity()["Arn"].endswith(":root")
