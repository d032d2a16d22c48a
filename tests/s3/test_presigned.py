"""Presigned GET and PUT URLs: they work until they expire, and tampering breaks them."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from tests.conftest import Server

pytestmark = pytest.mark.e2e


@pytest.fixture
def signer(server: Server) -> Any:
    return server.client("s3", config={"signature_version": "s3v4", "s3": {"addressing_style": "path"}})


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_presigned_get_and_put(signer: Any, bucket: str) -> None:
    put_url = signer.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "p.txt"}, ExpiresIn=300)
    r = httpx.put(put_url, content=b"via presigned put")
    assert r.status_code == 200, r.text
    get_url = signer.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "p.txt"}, ExpiresIn=300)
    r = httpx.get(get_url)
    assert (r.status_code, r.content) == (200, b"via presigned put")


def test_presigned_tampered(signer: Any, bucket: str) -> None:
    signer.put_object(Bucket=bucket, Key="t.txt", Body=b"secret")
    signer.put_object(Bucket=bucket, Key="u.txt", Body=b"other")
    url = signer.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "t.txt"}, ExpiresIn=300)
    r = httpx.get(url.replace("/t.txt?", "/u.txt?"))
    assert r.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in r.text
    r = httpx.get(_with_query(url, **{"X-Amz-Expires": "3600"}))
    assert r.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in r.text


def test_presigned_expired(signer: Any, bucket: str) -> None:
    signer.put_object(Bucket=bucket, Key="e.txt", Body=b"soon gone")
    # X-Amz-Date has whole seconds, so a 1 s URL can be stale by the time a loaded machine
    # sends it; 4 s leaves room for the first GET and still expires soon.
    url = signer.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "e.txt"}, ExpiresIn=4)
    assert httpx.get(url).status_code == 200
    time.sleep(5.2)
    r = httpx.get(url)
    assert r.status_code == 403
    assert "<Code>AccessDenied</Code><Message>Request has expired</Message>" in r.text
    assert "<X-Amz-Expires>4</X-Amz-Expires>" in r.text


def test_presigned_longer_than_a_week_is_refused(signer: Any, bucket: str) -> None:
    url = signer.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "x"}, ExpiresIn=604801)
    r = httpx.get(url)
    assert r.status_code == 400 and "<Code>AuthorizationQueryParametersError</Code>" in r.text


def test_anonymous_request_is_denied_without_public_policy(server: Server, bucket: str, signer: Any) -> None:
    signer.put_object(Bucket=bucket, Key="private.txt", Body=b"private")
    r = httpx.get(f"{server.url}/{bucket}/private.txt")
    assert r.status_code == 403 and "<Code>AccessDenied</Code>" in r.text
