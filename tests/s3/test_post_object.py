"""Browser POST uploads end to end: forms signed by boto3's generate_presigned_post (SigV4,
with temporary credentials, and SigV2), posted as a browser posts them (raw HTTP)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import Server
from tests.s3.test_authorization import _allow, _assume, _client, _user

pytestmark = pytest.mark.e2e


def _v4(server: Server, **creds: Any) -> Any:
    return server.client("s3", config={"signature_version": "s3v4"}, **creds)


def _post(form: dict[str, Any], data: bytes = b"hello", filename: str = "f.txt") -> httpx.Response:
    return httpx.post(form["url"], data=form["fields"], files={"file": (filename, data, "text/plain")})


def test_sigv4_upload_with_temporary_credentials(server: Server, s3: Any, bucket: str) -> None:
    role = _role_with_put(server, bucket)
    creds = _assume(server, role)
    signer = _v4(
        server,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    form = signer.generate_presigned_post(
        bucket,
        "uploads/${filename}",
        Fields={"Content-Type": "text/plain", "x-amz-meta-origin": "browser"},
        Conditions=[
            {"Content-Type": "text/plain"},
            ["starts-with", "$x-amz-meta-origin", ""],
            ["content-length-range", 1, 1024],
        ],
        ExpiresIn=300,
    )
    assert "x-amz-security-token" in form["fields"] and form["fields"]["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    r = _post(form, b"from the page", "C:\\Users\\me\\photo.txt")
    assert r.status_code == 204, r.text
    got = s3.get_object(Bucket=bucket, Key="uploads/photo.txt")
    assert got["Body"].read() == b"from the page"
    assert got["ContentType"] == "text/plain" and got["Metadata"] == {"origin": "browser"}
    assert r.headers["etag"] == got["ETag"]
    assert r.headers["location"].endswith(f"/{bucket}/uploads/photo.txt")


def _role_with_put(server: Server, bucket: str) -> str:
    from tests.s3.test_authorization import _role

    return _role(server, _allow(["s3:PutObject"], [f"arn:aws:s3:::{bucket}/uploads/*"]))


def test_sigv2_upload_and_success_action_status(server: Server, s3: Any, bucket: str) -> None:
    signer = server.client("s3", config={"signature_version": "s3"})
    form = signer.generate_presigned_post(
        bucket, "k201", Fields={"success_action_status": "201"}, Conditions=[{"success_action_status": "201"}]
    )
    assert "AWSAccessKeyId" in form["fields"]
    r = _post(form)
    assert r.status_code == 201, r.text
    assert f"<Bucket>{bucket}</Bucket><Key>k201</Key>" in r.text and "<PostResponse>" in r.text
    form = signer.generate_presigned_post(
        bucket, "k200", Fields={"success_action_status": "200"}, Conditions=[{"success_action_status": "200"}]
    )
    r = _post(form)
    assert (r.status_code, r.content) == (200, b"")
    form = signer.generate_presigned_post(
        bucket, "k404", Fields={"success_action_status": "404"}, Conditions=[{"success_action_status": "404"}]
    )
    assert _post(form).status_code == 204  # a status S3 does not honour: 204
    assert s3.get_object(Bucket=bucket, Key="k404")["Body"].read() == b"hello"


def test_success_action_redirect(server: Server, bucket: str) -> None:
    target = "https://app.example.com/done?step=2"
    form = _v4(server).generate_presigned_post(
        bucket, "redir", Fields={"success_action_redirect": target}, Conditions=[{"success_action_redirect": target}]
    )
    r = _post(form)
    assert r.status_code == 303, r.text
    location = r.headers["location"]
    assert location.startswith(target + "&bucket=" + bucket + "&key=redir&etag=%22")


def test_policy_conditions_enforced(server: Server, s3: Any, bucket: str) -> None:
    signer = _v4(server)
    form = signer.generate_presigned_post(
        bucket, "limited", Conditions=[["content-length-range", 1, 10], ["eq", "$x-amz-meta-a", "yes"]],
        Fields={"x-amz-meta-a": "yes"},
    )  # fmt: skip
    r = _post(form, b"x" * 11)
    assert r.status_code == 400 and "<Code>EntityTooLarge</Code>" in r.text
    r = httpx.post(form["url"], data={**form["fields"], "x-amz-meta-a": "no"}, files={"file": ("f", b"1")})
    assert r.status_code == 403 and "Invalid according to Policy: Policy Condition failed" in r.text
    r = httpx.post(form["url"], data={**form["fields"], "x-amz-meta-b": "1"}, files={"file": ("f", b"1")})
    assert r.status_code == 403 and "Extra input fields: x-amz-meta-b" in r.text
    r = httpx.post(form["url"], data={**form["fields"], "x-ignore-b": "1"}, files={"file": ("f", b"1")})
    assert r.status_code == 204
    r = httpx.post(form["url"], data={**form["fields"], "key": "other"}, files={"file": ("f", b"1")})
    assert r.status_code == 403  # the key is bound by the policy too
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 1


def test_headers_added_to_the_post_set_nothing_on_the_object(server: Server, s3: Any, bucket: str) -> None:
    """Only the form's fields, which the policy covers, describe the object: headers the
    browser adds to the POST (tags, metadata, ACL, storage class, SSE-C, lock) are not its."""
    form = _v4(server).generate_presigned_post(bucket, "plain", Conditions=[["content-length-range", 1, 10]])
    added = {
        "x-amz-tagging": "owner=attacker",
        "x-amz-meta-added": "yes",
        "x-amz-acl": "public-read",
        "x-amz-storage-class": "GLACIER",
        "cache-control": "no-store",
        "content-disposition": "attachment; filename=evil.exe",
        "x-amz-website-redirect-location": "/elsewhere",
    }
    r = httpx.post(form["url"], data=form["fields"], files={"file": ("f", b"1")}, headers=added)
    assert r.status_code == 204, r.text
    head = s3.head_object(Bucket=bucket, Key="plain")
    assert head["Metadata"] == {} and "StorageClass" not in head
    assert "CacheControl" not in head and "ContentDisposition" not in head and "WebsiteRedirectLocation" not in head
    assert s3.get_object_tagging(Bucket=bucket, Key="plain")["TagSet"] == []
    assert httpx.get(f"{server.url}/{bucket}/plain").status_code == 403


def test_expired_policy(server: Server, bucket: str) -> None:
    form = _v4(server).generate_presigned_post(bucket, "late", ExpiresIn=-10)
    r = _post(form)
    assert r.status_code == 403 and "Invalid according to Policy: Policy expired." in r.text


def test_signature_and_key_checked(server: Server, bucket: str) -> None:
    form = _v4(server).generate_presigned_post(bucket, "sig")
    r = httpx.post(form["url"], data={**form["fields"], "x-amz-signature": "0" * 64}, files={"file": ("f", b"1")})
    assert r.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in r.text
    policy_doc = json.loads(base64.b64decode(form["fields"]["policy"]))
    policy_doc["conditions"].append(["starts-with", "$x-amz-meta-sneaky", ""])
    tampered = base64.b64encode(json.dumps(policy_doc).encode()).decode()
    r = httpx.post(form["url"], data={**form["fields"], "policy": tampered}, files={"file": ("f", b"1")})
    assert r.status_code == 403 and "SignatureDoesNotMatch" in r.text
    fields = {**form["fields"]}
    fields["x-amz-credential"] = "AKIAUNKNOWNKEY000000/" + fields["x-amz-credential"].split("/", 1)[1]
    r = httpx.post(form["url"], data=fields, files={"file": ("f", b"1")})
    assert r.status_code == 403 and "<Code>InvalidAccessKeyId</Code>" in r.text


@pytest.mark.parametrize("key", ["a\x00b", "\x00"])
def test_a_key_with_a_nul_is_invalid_argument(server: Server, bucket: str, key: str) -> None:
    """A NUL names no object (a request's own key with one is InvalidURI)."""
    form = _v4(server).generate_presigned_post(bucket, key)
    r = _post(form)
    assert r.status_code == 400
    assert "<Code>InvalidArgument</Code>" in r.text and "<ArgumentName>key</ArgumentName>" in r.text


def test_signer_needs_put_permission(server: Server, bucket: str) -> None:
    """A valid form from a user not allowed s3:PutObject on the key is refused (AccessDenied)."""
    _, key, secret = _user(server, _allow(["s3:GetObject"], [f"arn:aws:s3:::{bucket}/*"]))
    form = _v4(server, aws_access_key_id=key, aws_secret_access_key=secret).generate_presigned_post(bucket, "nope")
    r = _post(form)
    assert r.status_code == 403 and "<Code>AccessDenied</Code>" in r.text
    _client(server, key, secret)  # the user exists and signs; only the permission is missing


def test_anonymous_form_needs_bucket_policy(server: Server, s3: Any, bucket: str) -> None:
    url = f"{server.url}/{bucket}"
    r = httpx.post(url, data={"key": "anon"}, files={"file": ("f", b"1")})
    assert r.status_code == 403 and "<Code>AccessDenied</Code>" in r.text


def test_bad_forms_are_answered(server: Server, bucket: str) -> None:
    url = f"{server.url}/{bucket}"
    form = _v4(server).generate_presigned_post(bucket, "k")
    r = httpx.post(url, data=form["fields"])  # no file (sent as urlencoded: not a form upload)
    assert r.status_code in (400, 501)
    r = httpx.post(url, data=form["fields"], files={"other": ("f", b"1")})  # multipart, but no file field
    assert r.status_code == 400 and "POST requires exactly one file upload per request." in r.text
    fields = {k: v for k, v in form["fields"].items() if k != "key"}
    r = httpx.post(url, data=fields, files={"file": ("f", b"1")})
    assert r.status_code == 400 and "must contain a field named 'key'" in r.text
    r = httpx.post(url, content=b"--b\r\ngarbage", headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert r.status_code == 400 and "<Code>MalformedPOSTRequest</Code>" in r.text
    r = httpx.post(url, content=b"x", headers={"Content-Type": "multipart/form-data"})
    assert r.status_code == 400


def _hand_signed(
    key_id: str, secret: str, bucket: str, key: str, at: datetime, amz_date: str | None = None
) -> dict[str, str]:
    """A form's fields signed by hand at ``at``, as a page's server would (no boto3 on the
    signing side); ``amz_date`` replaces the x-amz-date field (signed as sent)."""
    date = at.strftime("%Y%m%d")
    credential = f"{key_id}/{date}/us-east-1/s3/aws4_request"
    stamp = amz_date if amz_date is not None else at.strftime("%Y%m%dT%H%M%SZ")
    doc = {
        "expiration": (datetime.now(UTC) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "conditions": [
            {"bucket": bucket}, ["starts-with", "$key", ""], {"x-amz-algorithm": "AWS4-HMAC-SHA256"},
            {"x-amz-credential": credential}, {"x-amz-date": stamp},
        ],
    }  # fmt: skip
    policy = base64.b64encode(json.dumps(doc).encode()).decode()
    signing = b"AWS4" + secret.encode()
    for part in (date, "us-east-1", "s3", "aws4_request"):
        signing = hmac.new(signing, part.encode(), hashlib.sha256).digest()
    return {
        "key": key, "x-amz-algorithm": "AWS4-HMAC-SHA256", "x-amz-credential": credential,
        "x-amz-date": stamp, "policy": policy,
        "x-amz-signature": hmac.new(signing, policy.encode(), hashlib.sha256).hexdigest(),
    }  # fmt: skip


def test_hand_signed_v4_form(server: Server, s3: Any, bucket: str) -> None:
    fields = _hand_signed(server.access_key_id, server.secret_access_key, bucket, "hand/made.txt", datetime.now(UTC))
    r = httpx.post(f"{server.url}/{bucket}", data=fields, files={"file": ("made.txt", b"by hand")})
    assert r.status_code == 204, r.text
    assert s3.get_object(Bucket=bucket, Key="hand/made.txt")["Body"].read() == b"by hand"


def test_a_form_date_that_is_not_a_time_is_refused(server: Server, bucket: str) -> None:
    now = datetime.now(UTC)
    stamp = now.strftime("%Y%m%d") + "Tnot-a-time"
    fields = _hand_signed(server.access_key_id, server.secret_access_key, bucket, "k", now, amz_date=stamp)
    r = httpx.post(f"{server.url}/{bucket}", data=fields, files={"file": ("f", b"x")})
    assert r.status_code == 400 and "<Code>InvalidArgument</Code>" in r.text, r.text


@pytest.mark.parametrize(
    ("condition", "refused"),
    [
        # S3 names a browser-based upload's authType POST...
        ({"StringEquals": {"s3:authType": "POST"}}, {"v4", "v2", "v4-old"}),
        # ...its Signature Version 2 "AWS" (so that a policy can refuse it)...
        ({"StringEquals": {"s3:signatureversion": "AWS"}}, {"v2"}),
        ({"StringEquals": {"s3:signatureversion": "AWS4-HMAC-SHA256"}}, {"v4", "v4-old"}),
        # ...and gives a SigV4 form's signature its age in milliseconds.
        ({"NumericGreaterThan": {"s3:signatureAge": "300000"}}, {"v4-old"}),
    ],
)
def test_form_uploads_carry_the_signature_keys(
    server: Server, bucket: str, condition: dict[str, Any], refused: set[str]
) -> None:
    resource = f"arn:aws:s3:::{bucket}/*"
    _, key, secret = _user(
        server,
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "s3:PutObject", "Resource": resource},
                    {"Effect": "Deny", "Action": "s3:PutObject", "Resource": resource, "Condition": condition},
                ],
            }
        ),
    )
    creds = {"aws_access_key_id": key, "aws_secret_access_key": secret}
    _client(server, key, secret)
    url = f"{server.url}/{bucket}"
    forms = {
        "v4": _v4(server, **creds).generate_presigned_post(bucket, "v4")["fields"],
        "v2": server.client("s3", config={"signature_version": "s3"}, **creds).generate_presigned_post(bucket, "v2")[
            "fields"
        ],
        "v4-old": _hand_signed(key, secret, bucket, "v4-old", datetime.now(UTC) - timedelta(minutes=10)),
    }
    for name, fields in forms.items():
        r = httpx.post(url, data=fields, files={"file": ("f", b"x")})
        if name in refused:
            assert r.status_code == 403 and "<Code>AccessDenied</Code>" in r.text, (name, r.text)
        else:
            assert r.status_code == 204, (name, r.text)


def test_form_posted_by_curl(server: Server, s3: Any, bucket: str, tmp_path: Path) -> None:
    """The AWS CLI cannot post a form; ``curl -F`` builds the multipart/form-data body a
    browser's form sends (the fields in order, the file last with its name and type)."""
    form = _v4(server).generate_presigned_post(
        bucket,
        "curl/${filename}",
        Conditions=[["starts-with", "$key", "curl/"], ["content-length-range", 1, 1024]],
        ExpiresIn=300,
    )

    def post(data: bytes) -> tuple[str, str]:
        src = tmp_path / "note.txt"
        src.write_bytes(data)
        args = ["curl", "-sS", "-w", "\n%{http_code}"]
        for name, value in form["fields"].items():
            args += ["--form-string", f"{name}={value}"]
        args += ["-F", f"file=@{src};type=text/plain", form["url"]]
        out = subprocess.run(args, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        body, _, status = out.stdout.rpartition("\n")
        return status, body

    assert post(b"posted by curl") == ("204", "")
    got = s3.get_object(Bucket=bucket, Key="curl/note.txt")
    assert got["Body"].read() == b"posted by curl"
    status, body = post(b"x" * 2000)
    assert status == "400" and "<Code>EntityTooLarge</Code>" in body
