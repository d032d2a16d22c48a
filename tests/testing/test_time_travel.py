"""Time travel on the dev server: sessions expire, MFA ages, URLs lapse, keys rotate — in milliseconds."""

from __future__ import annotations

from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from credmint.access.keystore import DEFAULT_ROTATION_SECONDS, token_key_id
from credmint.testing import Account, Principal, server
from credmint.testing.accounts import Credentials

pytestmark = pytest.mark.e2e


def _code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def _session(account: Account, out: dict[str, Any]) -> Principal:
    c = out["Credentials"]
    return Principal(account.endpoint, Credentials(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]))


def _list_buckets_policy(condition: dict[str, Any]) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*", "Condition": condition}],
    }


def test_mfa_session_expires_after_advance(credmint_account: Account) -> None:
    user = credmint_account.create_user(
        policies=[_list_buckets_policy({"Bool": {"aws:MultiFactorAuthPresent": "true"}})]
    )
    mfa = credmint_account.enable_mfa(user)
    out = user.client("sts").get_session_token(
        SerialNumber=mfa.serial_number, TokenCode=mfa.code(), DurationSeconds=900
    )
    session = _session(credmint_account, out)
    session.client("s3").list_buckets()
    # Without MFA the same user is refused: the condition is evaluated.
    with pytest.raises(ClientError) as exc:
        user.client("s3").list_buckets()
    assert _code(exc) == "AccessDenied"

    credmint_account.advance(901)
    with pytest.raises(ClientError) as exc:
        session.client("s3").list_buckets()
    assert _code(exc) == "ExpiredToken"
    with pytest.raises(ClientError) as exc:
        session.client("sts").get_caller_identity()
    assert _code(exc) == "ExpiredToken"


def test_multi_factor_auth_age_goes_stale(credmint_account: Account) -> None:
    policy = _list_buckets_policy({"NumericLessThan": {"aws:MultiFactorAuthAge": "300"}})
    user = credmint_account.create_user(policies=[policy])
    mfa = credmint_account.enable_mfa(user)
    out = user.client("sts").get_session_token(
        SerialNumber=mfa.serial_number, TokenCode=mfa.code(), DurationSeconds=3600
    )
    session = _session(credmint_account, out)
    session.client("s3").list_buckets()
    credmint_account.advance(301)
    with pytest.raises(ClientError) as exc:
        session.client("s3").list_buckets()
    assert _code(exc) == "AccessDenied"  # the session is still valid; only the MFA is too old


def test_mfa_helper_keeps_the_replay_guard(credmint_account: Account) -> None:
    user = credmint_account.create_user()
    mfa = credmint_account.enable_mfa(user)
    sts = user.client("sts")
    code = mfa.code()
    sts.get_session_token(SerialNumber=mfa.serial_number, TokenCode=code)
    with pytest.raises(ClientError) as exc:  # the same code twice: the server refuses it
        sts.get_session_token(SerialNumber=mfa.serial_number, TokenCode=code)
    assert _code(exc) == "AccessDenied"
    before = credmint_account.endpoint.now()
    sts.get_session_token(SerialNumber=mfa.serial_number, TokenCode=mfa.code())  # the next step, at once
    moved = (credmint_account.endpoint.now() - before).total_seconds()
    assert 0 < moved <= 31  # the helper moved the server to the next 30-second step, no further


def test_presigned_url_lapses(credmint_account: Account) -> None:
    s3 = credmint_account.client("s3")
    s3.create_bucket(Bucket=f"lapse-{credmint_account.account_id}")
    bucket = f"lapse-{credmint_account.account_id}"
    s3.put_object(Bucket=bucket, Key="k", Body=b"hello")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=60)
    assert httpx.get(url).content == b"hello"
    credmint_account.advance(61)
    r = httpx.get(url)
    assert r.status_code == 403
    assert b"Request has expired" in r.content


def test_signature_skew_is_checked_at_the_moved_time() -> None:
    # A server of its own: the session's clock has been moved by other tests already.
    with server() as srv:
        _check_skew(srv.new_account())


def _check_skew(account: Account) -> None:
    # A client that signs with the machine's clock, as the AWS CLI and other SDKs do.
    plain = boto3.client(
        "sts",
        endpoint_url=account.url,
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 1}),
        **account.root.boto3_kwargs(),
    )
    plain.get_caller_identity()
    account.advance(16 * 60)
    with pytest.raises(ClientError) as exc:
        plain.get_caller_identity()
    assert _code(exc) == "SignatureDoesNotMatch"
    assert "Signature expired" in exc.value.response["Error"]["Message"]
    # The helper's clients sign at the server's time.
    assert account.client("sts").get_caller_identity()["Account"] == account.account_id


def test_token_key_rotation(credmint_account: Account) -> None:
    user = credmint_account.create_user()
    sts = user.client("sts")
    first = sts.get_session_token(DurationSeconds=129600)  # 36 hours
    credmint_account.advance(DEFAULT_ROTATION_SECONDS + 60)
    second = sts.get_session_token(DurationSeconds=900)
    assert token_key_id(first["Credentials"]["SessionToken"]) != token_key_id(second["Credentials"]["SessionToken"])
    # The retired key still opens the sessions it sealed, until they expire.
    assert _session(credmint_account, first).client("sts").get_caller_identity()["Arn"] == user.arn
