"""Bad input gets AWS's error for it, never a 500: every served operation, called with no
parameters and with nonsense in each, answers 4xx (or succeeds) — and stored state survives."""

from __future__ import annotations

import datetime as dt
import json
import random

import httpx
import pytest
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from credmint.server import registry
from credmint.wire import query_service
from tests.conftest import Server

pytestmark = pytest.mark.e2e

VERSIONS = {"sts": "2011-06-15", "iam": "2010-05-08"}
NONSENSE = ["", "x", "-1", "99999999999999999999", "arn:aws:iam::123:role/../../", "{", "\u0000", "é" * 300]


def _send(client: httpx.Client, server: Server, service: str, params: dict[str, str]) -> httpx.Response:
    req = AWSRequest(
        method="POST",
        url=server.url + "/",
        data=params,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4Auth(Credentials(server.access_key_id, server.secret_access_key), service, "us-east-1").add_auth(req)
    return client.post(server.url + "/", content=req.body, headers=dict(req.headers.items()))


def _members(service: str, op: str) -> list[str]:
    model = query_service(service).model.operation_model(op)
    return list(model.input_shape.members) if model.input_shape is not None else []


def test_every_query_operation_refuses_nonsense_without_500(server: Server) -> None:
    iam = server.client("iam")
    iam.create_user(UserName="survivor")
    rng = random.Random(7)
    failures: list[str] = []
    # One client for the thousands of requests: building one costs ~150 ms (its TLS context).
    client = httpx.Client(timeout=30)
    for service, ops in registry.OPERATIONS.items():
        for op in sorted(ops):
            base = {"Action": op, "Version": VERSIONS[service]}
            attempts = [dict(base)]
            for member in _members(service, op):
                attempts.append({**base, member: rng.choice(NONSENSE)})
                attempts.append({**base, f"{member}.member.1": rng.choice(NONSENSE)})
            for params in attempts:
                resp = _send(client, server, service, params)
                if resp.status_code >= 500:
                    failures.append(f"{service} {op} {params}: {resp.status_code} {resp.text[:200]}")
    client.close()
    assert failures == []
    assert iam.get_user(UserName="survivor")["User"]["UserName"] == "survivor"


def test_s3_nonsense_without_500(server: Server) -> None:
    creds = Credentials(server.access_key_id, server.secret_access_key)
    paths = [
        "/",
        "/%",
        "/a",
        "/bucket-x/key?uploads",
        "/bucket-x?policy",
        "/bucket-x/k?partNumber=0&uploadId=x",
        "/bucket-x?list-type=9",
        "/bucket-x?delete",
        "/" + "b" * 300,
        "/bucket-x/%ZZ",
    ]
    failures = []
    for method in ("GET", "PUT", "POST", "DELETE", "HEAD"):
        for path in paths:
            body = b"<Delete><Object><Key>x</Key></Object>" if method == "POST" else b"\xff\xfe garbage"
            req = AWSRequest(method=method, url=server.url + path, data=body)
            try:
                S3SigV4Auth(creds, "s3", "us-east-1").add_auth(req)
            except Exception:
                continue
            resp = httpx.request(method, req.url, content=body, headers=dict(req.headers.items()), timeout=30)
            if resp.status_code >= 500 and resp.status_code != 501:
                failures.append(f"{method} {path}: {resp.status_code} {resp.text[:200]}")
    assert failures == []


def test_garbage_signatures_and_bodies_without_500(server: Server) -> None:
    bad_auth = [
        "AWS4-HMAC-SHA256",
        "AWS4-HMAC-SHA256 Credential=",
        "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=, Signature=",
        "AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=zz",
        "Basic Zm9vOmJhcg==",
        "AWS4-HMAC-SHA256 " + "x" * 5000,
    ]
    now = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for auth in bad_auth:
        for body in (b"Action=GetCallerIdentity&Version=2011-06-15", b"%%%", json.dumps({"a": 1}).encode()):
            resp = httpx.post(
                server.url + "/",
                content=body,
                headers={"Authorization": auth, "X-Amz-Date": now, "Content-Type": "application/x-www-form-urlencoded"},
            )
            assert resp.status_code < 500, (auth, body, resp.text)
