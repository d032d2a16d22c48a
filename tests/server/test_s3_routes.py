"""server/s3_routes.py: the operation an S3 REST request addresses, from data, and what a
hostile request line gets (its error, kept for after authentication; never an exception)."""

from __future__ import annotations

import pytest

from credmint.errors import AwsError
from credmint.httpreq import HttpRequest, index_headers
from credmint.server.registry import S3_OPERATIONS
from credmint.server.s3_routes import (
    BUCKET_SUBRESOURCES,
    OBJECT_SUBRESOURCES,
    UNSUPPORTED_SUBRESOURCES,
    address,
    parse_query,
)

COPY = (("x-amz-copy-source", "/src/key"),)
FORM = (("content-type", "multipart/form-data; boundary=x"),)


def _req(
    method: str, path: str, query: str = "", headers: tuple[tuple[str, str], ...] = (), host: str = "127.0.0.1:8400"
) -> HttpRequest:
    hs = (("host", host), *headers)
    return HttpRequest(method, path, query, hs, b"", "127.0.0.1", False, index_headers(hs))


# (method, path, query, headers, operation)
ROUTES = [
    ("GET", "/", "", (), "ListBuckets"),
    ("HEAD", "/", "", (), "ListBuckets"),
    ("PUT", "/b", "", (), "CreateBucket"),
    ("PUT", "/b", "policy", (), "PutBucketPolicy"),
    ("GET", "/b", "", (), "ListObjects"),
    ("GET", "/b", "list-type=2", (), "ListObjectsV2"),
    ("GET", "/b", "list-type=1", (), "ListObjects"),
    ("GET", "/b", "location", (), "GetBucketLocation"),
    ("GET", "/b", "policy", (), "GetBucketPolicy"),
    ("GET", "/b", "uploads", (), "ListMultipartUploads"),
    ("HEAD", "/b", "", (), "HeadBucket"),
    ("DELETE", "/b", "", (), "DeleteBucket"),
    ("DELETE", "/b", "policy", (), "DeleteBucketPolicy"),
    ("POST", "/b", "delete", (), "DeleteObjects"),
    ("POST", "/b", "", FORM, "PostObject"),
    ("PUT", "/b/k", "", (), "PutObject"),
    ("PUT", "/b/k", "", COPY, "CopyObject"),
    ("PUT", "/b/k", "partNumber=1&uploadId=u", (), "UploadPart"),
    ("PUT", "/b/k", "partNumber=1&uploadId=u", COPY, "UploadPartCopy"),
    ("GET", "/b/k", "", (), "GetObject"),
    ("GET", "/b/k", "versionId=v", (), "GetObject"),
    ("GET", "/b/k", "uploadId=u", (), "ListParts"),
    ("HEAD", "/b/k", "", (), "HeadObject"),
    ("DELETE", "/b/k", "", (), "DeleteObject"),
    ("DELETE", "/b/k", "uploadId=u", (), "AbortMultipartUpload"),
    ("POST", "/b/k", "uploads", (), "CreateMultipartUpload"),
    ("POST", "/b/k", "uploadId=u", (), "CompleteMultipartUpload"),
    # The key keeps its slashes and is percent-decoded; a sub-resource of a key is the object's.
    ("GET", "/b/a/b%2Fc%20d", "", (), "GetObject"),
    ("GET", "/b/a/b", "tagging", (), "GetObjectTagging"),
    # Virtual-host style: the bucket comes from the host.
    ("GET", "/", "", (), "ListObjects"),
]
HOSTS = {len(ROUTES) - 1: "b.s3.amazonaws.com"}


@pytest.mark.parametrize(("i", "route"), list(enumerate(ROUTES)), ids=[f"{r[0]} {r[1]}?{r[2]}" for r in ROUTES])
def test_route(i: int, route: tuple[str, str, str, tuple[tuple[str, str], ...], str]) -> None:
    method, path, query, headers, operation = route
    where = address(_req(method, path, query, headers, host=HOSTS.get(i, "127.0.0.1:8400")))
    assert where.refusal is None
    assert where.operation == operation
    assert where.checked() == operation
    assert operation in S3_OPERATIONS


@pytest.mark.parametrize(("method", "name"), sorted(BUCKET_SUBRESOURCES))
def test_bucket_subresources(method: str, name: str) -> None:
    where = address(_req(method, "/b", name))
    assert (where.bucket, where.key, where.operation) == ("b", None, BUCKET_SUBRESOURCES[(method, name)])


@pytest.mark.parametrize(("method", "name"), sorted(OBJECT_SUBRESOURCES))
def test_object_subresources(method: str, name: str) -> None:
    where = address(_req(method, "/b/k", name))
    assert (where.bucket, where.key, where.operation) == ("b", "k", OBJECT_SUBRESOURCES[(method, name)])


def test_every_operation_has_a_route() -> None:
    """Each operation of the table is reachable (no dead entry), and each route has one."""
    routed = {r[4] for r in ROUTES} | set(BUCKET_SUBRESOURCES.values()) | set(OBJECT_SUBRESOURCES.values())
    assert routed == set(S3_OPERATIONS)


# (method, path, query, code): what S3 answers, kept as the address's refusal.
REFUSED = [
    # A sub-resource credmint does not serve, or not with this method or at this level, is
    # never taken for the plain bucket or object operation.
    ("GET", "/b", "inventory", "NotImplemented"),
    ("GET", "/b", "analytics&id=x", "NotImplemented"),
    ("GET", "/b/k", "restore", "NotImplemented"),
    ("POST", "/b/k", "select&select-type=2", "NotImplemented"),
    ("GET", "/b/k", "versioning", "NotImplemented"),
    ("GET", "/b", "legal-hold", "NotImplemented"),
    ("PATCH", "/b", "acl", "NotImplemented"),
    ("POST", "/b", "", "NotImplemented"),
    ("POST", "/b/k", "", "NotImplemented"),
    ("PUT", "/", "", "MethodNotAllowed"),
    ("PATCH", "/b", "", "MethodNotAllowed"),
    ("OPTIONS", "/b/k", "", "MethodNotAllowed"),
    # Hostile request lines: escapes that do not decode.
    ("GET", "/b/%zz", "", "InvalidURI"),
    ("GET", "/b/k%", "", "InvalidURI"),
    ("GET", "/b/%C3%28", "", "InvalidURI"),
]


@pytest.mark.parametrize(("method", "path", "query", "code"), REFUSED)
def test_refused(method: str, path: str, query: str, code: str) -> None:
    where = address(_req(method, path, query))
    assert where.operation is None
    assert where.refusal is not None and where.refusal.code == code
    with pytest.raises(AwsError) as raised:
        where.checked()
    assert raised.value is where.refusal


@pytest.mark.parametrize(
    "query",
    [
        "%",
        "%zz=%zz",
        "a=b=c&&&=",
        "&" * 10_000,
        "x=" + "%41" * 10_000,
        "acl%00=1",
        "tagging&tagging=2&tagging",
        "\u00ff\u00fe=\u0000",
    ],
)
def test_hostile_query_never_raises(query: str) -> None:
    """Whatever the query string, decoding it gives an address (an operation or a refusal)."""
    where = address(_req("GET", "/b/k", query))
    assert (where.operation is None) == (where.refusal is not None)
    assert isinstance(parse_query(query), dict)


def test_first_value_wins() -> None:
    assert parse_query("list-type=2&list-type=1&prefix=a%2Fb+c") == {"list-type": "2", "prefix": "a/b c"}


def test_unsupported_names_cover_the_served_ones() -> None:
    """A served sub-resource asked with another method, or at the other level, is refused
    as NotImplemented, not served as the plain operation: every served name is listed."""
    served = {name for _, name in BUCKET_SUBRESOURCES} | {name for _, name in OBJECT_SUBRESOURCES}
    assert served <= UNSUPPORTED_SUBRESOURCES
