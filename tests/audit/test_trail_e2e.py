"""The audit trail end to end: real server, real clients, every secret searched for in every record."""

from __future__ import annotations

import json
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore import UNSIGNED
from botocore.exceptions import ClientError

from credmint.mfa import totp
from tests.conftest import Server, start_server
from tests.federation.oidcidp import OidcIssuer
from tests.federation.samlidp import SamlIdp
from tests.sts.helpers import Creds, add_mfa, allow, doc, make_role, make_user, trust, unique

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start_server(
        tmp_path_factory.mktemp("audit"),
        extra_env={
            "CREDMINT_AUDIT_DATA_EVENTS": "true",
            "CREDMINT_AUDIT_FLUSH_MS": "100",
            # The battery's web identity provider is a local test IdP.
            "CREDMINT_FEDERATION_ALLOW_PRIVATE_NETWORKS": "true",
        },
    )
    yield srv
    srv.stop()


def records(server: Server) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in sorted((server.data_dir / "audit").glob("audit-*.jsonl")):
        out.extend(json.loads(line) for line in path.read_text().splitlines())
    return out


def raw_trail(server: Server) -> str:
    return "".join(p.read_text() for p in (server.data_dir / "audit").glob("audit-*.jsonl"))


def by_request(server: Server, request_id: str) -> dict[str, Any]:
    found = [r for r in records(server) if r["requestID"] == request_id]
    assert len(found) == 1, f"{len(found)} records for {request_id}"
    return found[0]


def request_id(response: dict[str, Any]) -> str:
    return str(response["ResponseMetadata"]["RequestId"])


def error_request_id(err: ClientError) -> str:
    return str(err.response["ResponseMetadata"]["RequestId"])


# --- a record exists for a call once its response is received --------------------------------


def test_record_is_written_before_the_response(audited: Server) -> None:
    sts = audited.client("sts")
    for _ in range(5):
        rid = request_id(sts.get_caller_identity())
        rec = by_request(audited, rid)  # read at once: no waiting, no retry
        assert rec["eventName"] == "GetCallerIdentity"
        assert rec["eventSource"] == "sts.amazonaws.com"
        assert rec["userIdentity"]["type"] == "Root"
        assert rec["recipientAccountId"] == audited.account_id
        assert rec["eventType"] == "AwsApiCall" and rec["eventCategory"] == "Management"
        assert rec["eventVersion"] == "1.09" and rec["readOnly"] is True
        assert uuid.UUID(rec["eventID"]).version == 4
        assert rec["eventTime"].endswith("Z") and len(rec["eventTime"]) == 20


def test_audit_files_are_private(audited: Server) -> None:
    audited.client("sts").get_caller_identity()
    for path in (audited.data_dir / "audit").glob("audit-*.jsonl"):
        assert path.stat().st_mode & 0o077 == 0


# --- secrets never appear -------------------------------------------------------------------------


def test_no_secret_of_a_battery_of_calls_is_recorded(audited: Server) -> None:
    secrets: list[str] = []
    iam = audited.client("iam")
    user = make_user(audited, policy=doc(allow(["sts:*", "iam:*", "s3:*"])))
    secrets.append(user.creds.secret_access_key)
    password = "Pa55word!" + uuid.uuid4().hex
    iam.create_login_profile(UserName=user.name, Password=password, PasswordResetRequired=False)
    secrets.append(password)
    new_password = "N3wPass!" + uuid.uuid4().hex
    iam.update_login_profile(UserName=user.name, Password=new_password)
    secrets.append(new_password)

    dev = add_mfa(audited, user.name)  # enabling sends two codes
    secrets.append(dev.seed)
    secrets.append(totp.code_at_step(dev.seed, dev.last_step - 1))
    secrets.append(totp.code_at_step(dev.seed, dev.last_step))

    user_sts = audited.client("sts", **user.creds.kwargs())
    code = dev.code()
    session = user_sts.get_session_token(SerialNumber=dev.serial, TokenCode=code)
    secrets += [code, session["Credentials"]["SecretAccessKey"], session["Credentials"]["SessionToken"]]
    wrong = f"{(int(dev.code()) + 1) % 1_000_000:06d}"
    with pytest.raises(ClientError):
        user_sts.get_session_token(SerialNumber=dev.serial, TokenCode=wrong)
    secrets.append(wrong)

    role = make_role(audited, doc(trust(user.arn)), policy=doc(allow("s3:*")))
    assumed = user_sts.assume_role(RoleArn=role["Arn"], RoleSessionName="battery")
    secrets += [assumed["Credentials"]["SecretAccessKey"], assumed["Credentials"]["SessionToken"]]
    fed = user_sts.get_federation_token(Name="fedbattery", Policy=doc(allow("s3:*")))
    secrets += [fed["Credentials"]["SecretAccessKey"], fed["Credentials"]["SessionToken"]]

    saml_assertion = _assume_role_with_saml(audited)
    secrets.append(saml_assertion)
    web_token, web_creds = _assume_role_with_web_identity(audited)
    secrets += [web_token, web_creds["SecretAccessKey"], web_creds["SessionToken"]]

    role_creds = Creds.of(assumed)
    s3 = audited.client("s3", **role_creds.kwargs())
    bucket = unique("audit-bkt")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="obj", Body=b"payload")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "obj"}, ExpiresIn=300)
    assert httpx.get(url).content == b"payload"
    v4 = audited.client("s3", **role_creds.kwargs(), config={"signature_version": "s3v4"})
    url4 = v4.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "obj"}, ExpiresIn=300)
    assert httpx.get(url4).content == b"payload"
    secrets += [p.split("=", 1)[1] for u in (url, url4) for p in u.split("?", 1)[1].split("&") if "Signature=" in p]

    trail = raw_trail(audited)
    for s in secrets:
        assert s and s not in trail, f"a secret ({s[:6]}...) is in the audit trail"
        # JSON escapes '/' nowhere and '+' nowhere, but a URL-encoded copy would differ.
        assert s.replace("/", "%2F").replace("+", "%2B").replace("=", "%3D") not in trail

    recs = records(audited)
    gst = [r for r in recs if r["eventName"] == "GetSessionToken" and "errorCode" not in r]
    issued = gst[-1]["responseElements"]["credentials"]
    assert set(issued) == {"accessKeyId", "expiration"}
    assert issued["accessKeyId"] == session["Credentials"]["AccessKeyId"]
    profile = next(r for r in recs if r["eventName"] == "CreateLoginProfile")
    assert profile["requestParameters"] == {"userName": user.name, "passwordResetRequired": False}
    # Object calls are data events here (audit_data_events on), presigned ones say so.
    gets = [r for r in recs if r["eventName"] == "GetObject"]
    assert {r["additionalEventData"]["AuthenticationMethod"] for r in gets} == {"QueryString"}
    assert {r["additionalEventData"]["SignatureVersion"] for r in gets} == {"SigV2", "SigV4"}
    assert all(r["eventCategory"] == "Data" and r["managementEvent"] is False for r in gets)
    role_rec = next(r for r in recs if r["eventName"] == "PutObject")
    ident = role_rec["userIdentity"]
    assert ident["type"] == "AssumedRole"
    assert ident["sessionContext"]["sessionIssuer"]["arn"] == role["Arn"]
    assert ident["sessionContext"]["sessionIssuer"]["type"] == "Role"
    assert ident["sessionContext"]["attributes"]["mfaAuthenticated"] == "false"


def _assume_role_with_saml(server: Server) -> str:
    idp = SamlIdp()
    iam = server.client("iam")
    provider_arn = iam.create_saml_provider(Name=unique("saml"), SAMLMetadataDocument=idp.metadata())["SAMLProviderArn"]
    role = make_role(
        server,
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": "sts:AssumeRoleWithSAML"}
                ],
            }
        ),
    )
    assertion = idp.signed_response(roles=[f"{role['Arn']},{provider_arn}"], session_name="SamlBattery")
    sts = server.client("sts", config={"signature_version": UNSIGNED})
    out = sts.assume_role_with_saml(RoleArn=role["Arn"], PrincipalArn=provider_arn, SAMLAssertion=assertion)
    rec = by_request(server, request_id(out))
    assert rec["userIdentity"]["type"] == "SAMLUser"
    assert rec["recipientAccountId"] == server.account_id  # the role's account
    assert rec["responseElements"]["credentials"]["accessKeyId"] == out["Credentials"]["AccessKeyId"]
    return str(assertion)


def _assume_role_with_web_identity(server: Server) -> tuple[str, dict[str, Any]]:
    issuer = OidcIssuer(f"/{uuid.uuid4().hex[:8]}")
    try:
        iam = server.client("iam")
        provider_arn = iam.create_open_id_connect_provider(
            Url=issuer.url, ClientIDList=["battery-client"], ThumbprintList=[issuer.thumbprint]
        )["OpenIDConnectProviderArn"]
        role = make_role(
            server,
            json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Federated": provider_arn},
                            "Action": "sts:AssumeRoleWithWebIdentity",
                        }
                    ],
                }
            ),
        )
        token = issuer.token(sub="battery-subject", aud="battery-client")
        sts = server.client("sts", config={"signature_version": UNSIGNED})
        out = sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="web", WebIdentityToken=token)
        rec = by_request(server, request_id(out))
        assert rec["userIdentity"]["type"] == "WebIdentityUser"
        assert rec["userIdentity"]["userName"] == "battery-subject"
        assert rec["recipientAccountId"] == server.account_id
        return str(token), dict(out["Credentials"])
    finally:
        issuer.close()


# --- failed calls are recorded --------------------------------------------------------------------


def test_failed_calls_are_recorded(audited: Server) -> None:
    user = make_user(audited, policy=doc(allow("sts:GetCallerIdentity")), with_mfa=True)
    assert user.mfa is not None
    cases: list[tuple[str, Any, str, str]] = [
        (
            "bad signature",
            lambda: audited.client(
                "sts", aws_access_key_id=user.creds.access_key_id, aws_secret_access_key="x" * 40
            ).get_caller_identity(),
            "SignatureDoesNotMatch",
            "IAMUser",
        ),
        (
            "unknown key",
            lambda: audited.client(
                "sts", aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x" * 40
            ).get_caller_identity(),
            "InvalidClientTokenId",
            "Unknown",
        ),
        (
            "access denied",
            lambda: audited.client("iam", **user.creds.kwargs()).list_users(),
            "AccessDenied",
            "IAMUser",
        ),
        (
            "wrong MFA code",
            lambda: audited.client("sts", **user.creds.kwargs()).get_session_token(
                SerialNumber=user.mfa.serial, TokenCode="000000" if user.mfa.code() != "000000" else "111111"
            ),
            "AccessDenied",
            "IAMUser",
        ),
        (
            "validation error",
            lambda: audited.client(
                "sts", **user.creds.kwargs(), config={"parameter_validation": False}
            ).get_session_token(DurationSeconds=1),
            "ValidationError",
            "IAMUser",
        ),
        (
            "bad S3 signature",
            lambda: audited.client(
                "s3", aws_access_key_id=user.creds.access_key_id, aws_secret_access_key="y" * 40
            ).list_buckets(),
            "SignatureDoesNotMatch",
            "IAMUser",
        ),
    ]
    for label, call, code, identity_type in cases:
        with pytest.raises(ClientError) as exc:
            call()
        rec = by_request(audited, error_request_id(exc.value))
        assert rec["errorCode"] == code, label
        assert rec["errorMessage"], label
        assert rec["userIdentity"]["type"] == identity_type, label
        if identity_type == "IAMUser":
            assert rec["userIdentity"]["userName"] == user.name, label
            assert rec["recipientAccountId"] == audited.account_id, label
        else:
            assert rec["userIdentity"]["accessKeyId"] == "AKIAIOSFODNN7EXAMPLE"
            assert "recipientAccountId" not in rec  # an unknown key belongs to no account's trail


def test_expired_token_is_recorded(audited: Server) -> None:
    user = make_user(audited, policy=doc(allow("sts:*")))
    creds = Creds.of(audited.client("sts", **user.creds.kwargs()).get_session_token(DurationSeconds=900))
    assert creds.session_token is not None
    tampered = Creds(creds.access_key_id, creds.secret_access_key, creds.session_token[:-8] + "AAAAAAAA")
    with pytest.raises(ClientError) as exc:
        audited.client("sts", **tampered.kwargs()).get_caller_identity()
    rec = by_request(audited, error_request_id(exc.value))
    assert rec["errorCode"] == "InvalidClientTokenId"
    assert rec["userIdentity"] == {"type": "Unknown", "principalId": "", "accessKeyId": creds.access_key_id}


def test_oversized_parameters_are_left_out(audited: Server) -> None:
    iam = audited.client("iam")
    name = unique("big")
    iam.create_user(UserName=name)
    big = doc(*[allow("s3:GetObject", f"arn:aws:s3:::{'b' * 60}{i}/*") for i in range(700)])
    assert 64 * 1024 < len(big) < 131_072  # past the record bound, within the model's
    with pytest.raises(ClientError) as exc:
        iam.put_user_policy(UserName=name, PolicyName="big", PolicyDocument=big)
    rec = by_request(audited, error_request_id(exc.value))
    assert rec["requestParameters"] is None
    assert rec["additionalEventData"] == {"requestParametersOmitted": "too large"}


def test_data_events_are_off_by_default(tmp_path: Path) -> None:
    srv = start_server(tmp_path / "d")
    try:
        s3 = srv.client("s3")
        bucket = unique("noevents")
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="k", Body=b"x")
        names = [r["eventName"] for r in records(srv)]
        assert "CreateBucket" in names and "PutObject" not in names
    finally:
        srv.stop()


def test_stdout_sink_and_off(tmp_path: Path) -> None:
    out = start_server(tmp_path / "stdout", extra_env={"CREDMINT_AUDIT_SINK": "stdout"})
    off = start_server(tmp_path / "off", extra_env={"CREDMINT_AUDIT_SINK": "off"})
    try:
        rid = request_id(out.client("sts").get_caller_identity())
        off.client("sts").get_caller_identity()
        assert out.log is not None and off.log is not None
        lines = [json.loads(x) for x in out.log.read_text().splitlines() if x.startswith("{")]
        assert [r["requestID"] for r in lines if r["requestID"] == rid] == [rid]
        assert not (out.data_dir / "audit").exists()
        assert not (off.data_dir / "audit").exists()
        assert not [x for x in off.log.read_text().splitlines() if x.startswith("{")]
    finally:
        out.stop()
        off.stop()


def test_each_worker_writes_its_own_file_once(tmp_path: Path) -> None:
    srv = start_server(tmp_path / "w", workers=2)
    try:
        sts = srv.client("sts")
        ids = [request_id(sts.get_caller_identity()) for _ in range(40)]
        recs = records(srv)
        seen = [r["requestID"] for r in recs if r["requestID"] in ids]
        assert sorted(seen) == sorted(ids)  # each exactly once
        files = list((srv.data_dir / "audit").glob("audit-*.jsonl"))
        assert len({f.name.split("-")[-2] for f in files}) == len(files)  # one pid per file
    finally:
        srv.stop()


def test_records_survive_kill_9(tmp_path: Path) -> None:
    srv = start_server(tmp_path / "k")
    try:
        sts = srv.client("sts")
        ids = [request_id(sts.get_caller_identity()) for _ in range(20)]
        srv.process.send_signal(signal.SIGKILL)
        srv.process.wait(10)
        assert ids == [r["requestID"] for r in records(srv) if r["requestID"] in ids]
    finally:
        srv.stop()


def test_organizations_and_lookup_calls_are_recorded(audited: Server) -> None:
    with pytest.raises(ClientError) as exc:
        audited.client("organizations").describe_organization()
    rec = by_request(audited, error_request_id(exc.value))
    assert rec["eventSource"] == "organizations.amazonaws.com"
    assert rec["eventName"] == "DescribeOrganization"
    assert rec["errorCode"] == exc.value.response["Error"]["Code"]
    rid = request_id(audited.client("cloudtrail").lookup_events(MaxResults=1))
    assert by_request(audited, rid)["eventSource"] == "cloudtrail.amazonaws.com"


def _stored(server: Server, event_id: str) -> bool:
    """Whether LookupEvents finds ``event_id`` within a few flushes."""
    cloudtrail = server.client("cloudtrail")
    for _ in range(50):
        found = cloudtrail.lookup_events(LookupAttributes=[{"AttributeKey": "EventId", "AttributeValue": event_id}])
        if found["Events"]:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize(
    ("service", "call"),
    [
        ("iam", lambda c: c.get_user(UserName="nul\x00inside")),
        ("iam", lambda c: c.get_role(RoleName="\x00")),
        ("organizations", lambda c: c.describe_account(AccountId="\udce9")),
        ("organizations", lambda c: c.describe_account(AccountId="nul\x00")),
    ],
    ids=["iam-nul", "iam-only-nul", "json-surrogate", "json-nul"],
)
def test_a_parameter_no_database_holds_is_recorded_and_stored(
    audited: Server, service: str, call: Callable[[Any], object]
) -> None:
    """A form parameter can carry a NUL (``%00``), and a JSON body a lone surrogate
    (``\\udce9``), into a parameter that names a resource: the call is answered in AWS's
    terms, its record is written and stored, and records after it are stored too (one row
    the database refused used to fail its batch and every batch after it)."""
    with pytest.raises(ClientError) as exc:
        call(audited.client(service))
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] < 500
    hostile = by_request(audited, error_request_id(exc.value))
    after = by_request(audited, request_id(audited.client("sts").get_caller_identity()))
    assert _stored(audited, hostile["eventID"])
    assert _stored(audited, after["eventID"])


def test_a_cross_account_assume_role_is_in_both_trails(audited: Server) -> None:
    """CloudTrail delivers a cross-account AssumeRole to the caller's account and to the
    role's, with one ``sharedEventID``: the role's owner sees who assumed its role, and who
    tried with which ExternalId. A call whose signature fails reaches only the caller's."""
    from tests.s3.helpers import new_account

    other, key, secret = new_account(audited)
    caller_iam = audited.client("iam", aws_access_key_id=key, aws_secret_access_key=secret)
    name = unique("xacct")
    user_arn = caller_iam.create_user(UserName=name)["User"]["Arn"]
    caller_iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=doc(allow("sts:AssumeRole")))
    user_key = caller_iam.create_access_key(UserName=name)["AccessKey"]
    role = make_role(
        audited, doc(trust(user_arn, Condition={"StringEquals": {"sts:ExternalId": "right-one"}}))
    )
    sts = audited.client(
        "sts", aws_access_key_id=user_key["AccessKeyId"], aws_secret_access_key=user_key["SecretAccessKey"]
    )
    with pytest.raises(ClientError) as exc:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="xs", ExternalId="guess-1")
    refused = error_request_id(exc.value)
    allowed = request_id(sts.assume_role(RoleArn=role["Arn"], RoleSessionName="xs", ExternalId="right-one"))
    forged = audited.client("sts", aws_access_key_id=user_key["AccessKeyId"], aws_secret_access_key="x" * 40)
    with pytest.raises(ClientError) as exc:
        forged.assume_role(RoleArn=role["Arn"], RoleSessionName="xs", ExternalId="guess-2")
    unsigned = error_request_id(exc.value)

    for rid, code in ((refused, "AccessDenied"), (allowed, None)):
        copies = {r["recipientAccountId"]: r for r in records(audited) if r["requestID"] == rid}
        assert set(copies) == {other, audited.account_id}
        mine, theirs = copies[other], copies[audited.account_id]
        assert mine["sharedEventID"] == theirs["sharedEventID"] and mine["eventID"] != theirs["eventID"]
        assert theirs["userIdentity"]["arn"] == user_arn and theirs.get("errorCode") == code
        # The role's owner finds it with LookupEvents, its own account's view.
        assert _stored(audited, theirs["eventID"])
    forged_record = by_request(audited, unsigned)
    assert forged_record["errorCode"] == "SignatureDoesNotMatch"
    assert forged_record["recipientAccountId"] == other and "sharedEventID" not in forged_record
