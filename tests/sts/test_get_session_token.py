"""GetSessionToken end to end: durations, MFA and its messages, one-time codes, who may call."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.sts.helpers import Creds, doc, error_of, make_role, make_user, sts_as, trust

MFA_BAD_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code."
MFA_BAD_SERIAL = (
    "MultiFactorAuthentication failed, unable to validate MFA code.  "
    "Please verify your MFA serial number is valid and associated with this user."
)
MFA_BOTH = "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."


def lifetime(response: dict[str, Any]) -> float:
    """Expiration minus the response's Date header: AWS makes it exactly DurationSeconds; uvicorn
    refreshes its Date header once a second, so allow for that staleness."""
    date = parsedate_to_datetime(response["ResponseMetadata"]["HTTPHeaders"]["date"])
    return float((response["Credentials"]["Expiration"] - date).total_seconds())


def test_user_default_duration_and_credential_formats(server: Server) -> None:
    user = make_user(server)
    r = sts_as(server, user.creds).get_session_token()
    c = r["Credentials"]
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", c["AccessKeyId"])
    assert re.fullmatch(r"[A-Za-z0-9+/]{40}", c["SecretAccessKey"])
    assert len(c["SessionToken"]) >= 100
    base64.b64decode(c["SessionToken"], validate=True)
    assert abs(lifetime(r) - 43200) <= 3
    assert set(r) == {"Credentials", "ResponseMetadata"}
    # The temporary key names the account, like any AWS key id.
    info = server.client("sts").get_access_key_info(AccessKeyId=c["AccessKeyId"])
    assert info["Account"] == server.account_id


@pytest.mark.parametrize("duration", [900, 129600])
def test_user_duration_bounds_accepted(server: Server, duration: int) -> None:
    user = make_user(server)
    r = sts_as(server, user.creds).get_session_token(DurationSeconds=duration)
    assert abs(lifetime(r) - duration) <= 3


@pytest.mark.parametrize(
    ("duration", "constraint"),
    [(899, "greater than or equal to 900"), (129601, "less than or equal to 129600")],
)
def test_user_duration_out_of_range(server: Server, duration: int, constraint: str) -> None:
    user = make_user(server)
    with pytest.raises(ClientError) as exc:
        sts_as(server, user.creds, validate=False).get_session_token(DurationSeconds=duration)
    code, message, status = error_of(exc)
    assert (code, status) == ("ValidationError", 400)
    assert (
        f"Value '{duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value {constraint}"
        in (message)
    )


def test_root_is_capped_at_one_hour(server: Server) -> None:
    sts = server.client("sts")
    assert abs(lifetime(sts.get_session_token()) - 3600) <= 3
    assert abs(lifetime(sts.get_session_token(DurationSeconds=7200)) - 3600) <= 3
    assert abs(lifetime(sts.get_session_token(DurationSeconds=900)) - 900) <= 3


def test_session_is_the_user(server: Server) -> None:
    user = make_user(server)
    r = sts_as(server, user.creds).get_session_token()
    ident = sts_as(server, Creds.of(r)).get_caller_identity()
    assert (ident["Arn"], ident["UserId"], ident["Account"]) == (user.arn, user.user_id, server.account_id)


def test_root_session_is_root(server: Server) -> None:
    r = server.client("sts").get_session_token()
    ident = sts_as(server, Creds.of(r)).get_caller_identity()
    assert ident["Arn"] == f"arn:aws:iam::{server.account_id}:root"
    assert ident["UserId"] == server.account_id


def test_mfa_code_accepted_once(server: Server) -> None:
    user = make_user(server, with_mfa=True)
    assert user.mfa is not None
    sts = sts_as(server, user.creds)
    code = user.mfa.code()
    r = sts.get_session_token(SerialNumber=user.mfa.serial, TokenCode=code)
    assert sts_as(server, Creds.of(r)).get_caller_identity()["Arn"] == user.arn
    # The same code again: refused, even though it is still within its time window.
    with pytest.raises(ClientError) as exc:
        sts.get_session_token(SerialNumber=user.mfa.serial, TokenCode=code)
    assert error_of(exc) == ("AccessDenied", MFA_BAD_CODE, 403)
    # A later step's code still works.
    sts.get_session_token(SerialNumber=user.mfa.serial, TokenCode=user.mfa.code())


def test_mfa_wrong_code(server: Server) -> None:
    user = make_user(server, with_mfa=True)
    assert user.mfa is not None
    good = user.mfa.code()
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    with pytest.raises(ClientError) as exc:
        sts_as(server, user.creds).get_session_token(SerialNumber=user.mfa.serial, TokenCode=wrong)
    assert error_of(exc) == ("AccessDenied", MFA_BAD_CODE, 403)


def test_mfa_serial_of_someone_else(server: Server) -> None:
    user = make_user(server, with_mfa=True)
    other = make_user(server, with_mfa=True)
    assert user.mfa is not None and other.mfa is not None
    sts = sts_as(server, user.creds)
    for serial in (other.mfa.serial, f"arn:aws:iam::{server.account_id}:mfa/nobody-here"):
        with pytest.raises(ClientError) as exc:
            sts.get_session_token(SerialNumber=serial, TokenCode=other.mfa.code())
        assert error_of(exc) == ("AccessDenied", MFA_BAD_SERIAL, 403)


def test_mfa_needs_both_parameters(server: Server) -> None:
    user = make_user(server, with_mfa=True)
    assert user.mfa is not None
    sts = sts_as(server, user.creds)
    for kwargs in ({"SerialNumber": user.mfa.serial}, {"TokenCode": "123456"}):
        with pytest.raises(ClientError) as exc:
            sts.get_session_token(**kwargs)
        assert error_of(exc) == ("AccessDenied", MFA_BOTH, 403)


def test_mfa_code_format_is_validated(server: Server) -> None:
    user = make_user(server, with_mfa=True)
    assert user.mfa is not None
    with pytest.raises(ClientError) as exc:
        sts_as(server, user.creds, validate=False).get_session_token(SerialNumber=user.mfa.serial, TokenCode="12a456")
    code, message, _ = error_of(exc)
    assert code == "ValidationError" and "'tokenCode' failed to satisfy constraint" in message


def test_session_credentials_cannot_call_it(server: Server) -> None:
    user = make_user(server)
    session = sts_as(server, Creds.of(sts_as(server, user.creds).get_session_token()))
    with pytest.raises(ClientError) as exc:
        session.get_session_token()
    assert error_of(exc) == ("AccessDenied", "Cannot call GetSessionToken with session credentials", 403)
    with pytest.raises(ClientError) as exc:
        session.get_federation_token(Name="nope")
    assert error_of(exc) == ("AccessDenied", "Cannot call GetFederationToken with session credentials", 403)


def test_expiration_is_issue_time_plus_duration(server: Server) -> None:
    user = make_user(server)
    before = datetime.now(UTC).replace(microsecond=0)
    r = sts_as(server, user.creds).get_session_token(DurationSeconds=1800)
    after = datetime.now(UTC)
    exp = r["Credentials"]["Expiration"]
    assert before.timestamp() + 1800 <= exp.timestamp() <= after.timestamp() + 1800


def test_session_may_call_only_assume_role_and_get_caller_identity(server: Server) -> None:
    # AWS documents that GetSessionToken credentials call no STS operation but these two.
    user = make_user(server, policy=doc({"Effect": "Allow", "Action": "*", "Resource": "*"}))
    creds = Creds.of(sts_as(server, user.creds).get_session_token())
    session = sts_as(server, creds)
    session.get_caller_identity()
    call: Callable[..., object]
    for call, action in (
        (lambda: session.get_access_key_info(AccessKeyId=creds.access_key_id), "sts:GetAccessKeyInfo"),
        (lambda: session.decode_authorization_message(EncodedMessage="x"), "sts:DecodeAuthorizationMessage"),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        code, message, status = error_of(exc)
        assert (code, status) == ("AccessDenied", 403)
        assert f"is not authorized to perform: {action}" in message
    role = make_role(server, doc(trust(user.arn)))
    assumed = session.assume_role(RoleArn=role["Arn"], RoleSessionName="sess")
    assert assumed["AssumedRoleUser"]["Arn"].endswith(f"/{role['RoleName']}/sess")
