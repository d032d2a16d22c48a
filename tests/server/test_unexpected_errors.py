"""An exception nothing else caught answers 500 in the shape of the client's own protocol,
parsed here by botocore's own response parsers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import botocore.session
import pytest
from botocore import parsers

from credmint import wire
from credmint.server import jsonapi, registry, s3api
from credmint.store.db import StoreUnavailable
from tests.server.conftest import InProcess


class Boom(Exception):
    pass


def boom(*_args: Any, **_kwargs: Any) -> Any:
    raise Boom("unexpected")


def parse(service: str, operation: str, response: Any) -> dict[str, Any]:
    model = botocore.session.get_session().get_service_model(service)
    parser = parsers.create_parser(model.metadata["protocol"])
    parsed: dict[str, Any] = parser.parse(
        {"status_code": response.status_code, "headers": dict(response.headers), "body": response.content},
        model.operation_model(operation).output_shape,
    )
    return parsed


#: Where an unexpected exception is raised on the S3 path: in the operation (run on a
#: worker thread), in routing, and in authentication (both on the event loop).
S3_FAILURE_POINTS = {
    "operation": lambda mp: mp.setitem(registry.S3_OPERATIONS, "GetObject", boom),
    "routing": lambda mp: mp.setattr(s3api, "address", boom),
    "authentication": lambda mp: mp.setattr(s3api, "parse_v2", boom),
}


@pytest.mark.parametrize("where", S3_FAILURE_POINTS.values(), ids=list(S3_FAILURE_POINTS))
def test_s3(node: InProcess, monkeypatch: pytest.MonkeyPatch, where: Callable[[pytest.MonkeyPatch], None]) -> None:
    where(monkeypatch)
    r = node.request("GET", "/some-bucket/key")
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/xml"
    assert r.headers["x-amz-request-id"]
    assert r.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code>')
    assert parse("s3", "GetObject", r)["Error"]["Code"] == "InternalError"
    # Nothing of the exception reaches the client.
    for leak in (b"Traceback", b"Boom", b"unexpected", b".py"):
        assert leak not in r.content


def test_s3_store_outage(node: InProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    def down(*_args: Any, **_kwargs: Any) -> Any:
        raise StoreUnavailable("connection refused")

    monkeypatch.setitem(registry.S3_OPERATIONS, "GetObject", down)
    r = node.request("GET", "/some-bucket/key")
    assert r.status_code == 503
    assert parse("s3", "GetObject", r)["Error"]["Code"] == "ServiceUnavailable"
    assert b"connection refused" not in r.content


def test_json(node: InProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonapi, "_service", boom)
    r = node.request(
        "POST",
        "/",
        headers={
            "x-amz-target": "AWSOrganizationsV20161128.DescribeOrganization",
            "content-type": "application/x-amz-json-1.1",
        },
        content=b"{}",
    )
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/x-amz-json-1.1"
    assert parse("organizations", "DescribeOrganization", r)["Error"]["Code"] == "InternalFailure"


@pytest.mark.parametrize(
    ("service", "version", "operation"),
    [("sts", "2011-06-15", "GetCallerIdentity"), ("iam", "2010-05-08", "ListUsers")],
)
def test_query(node: InProcess, monkeypatch: pytest.MonkeyPatch, service: str, version: str, operation: str) -> None:
    monkeypatch.setattr(wire, "parse_form", boom)
    r = node.request(
        "POST",
        "/",
        headers={
            "content-type": "application/x-www-form-urlencoded",
            # The credential scope names the service, as every SDK's signed request does.
            "authorization": f"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260102/us-east-1/{service}/"
            "aws4_request, SignedHeaders=host, Signature=00",
        },
        content=f"Action={operation}&Version={version}".encode(),
    )
    assert r.status_code == 500
    assert f"https://{service}.amazonaws.com/doc/{version}/".encode() in r.content
    assert parse(service, operation, r)["Error"]["Code"] == "InternalFailure"
