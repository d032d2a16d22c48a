"""Helpers shared by the SigV4 tests: turning test-suite files and botocore requests into HttpRequests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import AWSPreparedRequest

from credmint.httpreq import HttpRequest, index_headers
from tests.vector_data import IN_REPO

VECTORS = IN_REPO / "sigv4"
AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def served(req: HttpRequest) -> HttpRequest:
    """``req`` as the server builds it: with its header index (SigV4 takes a faster path then)."""
    return req._replace(header_index=index_headers(req.headers))


def parse_http_text(text: str) -> HttpRequest:
    """A request as the suites write it, read the way an HTTP server would see it."""
    head, sep, body = text.partition("\n\n")
    lines = head.split("\n")
    request_line = lines[0]
    method, _, rest = request_line.partition(" ")
    target, _, _version = rest.rpartition(" ")
    path, _, query = target.partition("?")
    headers: list[list[str]] = []
    for line in lines[1:]:
        if not line:
            continue
        if line[0] in " \t" and headers:
            # obs-fold: a server replaces the line break with a space
            headers[-1][1] += " " + line.strip()
            continue
        name, _, value = line.partition(":")
        headers.append([name.strip().lower(), value.strip()])
    return served(
        HttpRequest(
            method=method,
            raw_path=path,
            query_string=query,
            headers=tuple((n, v) for n, v in headers),
            body=body.encode("utf-8") if sep else b"",
        )
    )


def from_botocore(prepared: AWSPreparedRequest) -> HttpRequest:
    """An AWSPreparedRequest as it arrives on the wire: raw path and query split from the URL,
    header names lower-cased, ``host`` added as the HTTP client adds it."""
    url = prepared.url
    parts = urlsplit(url)
    headers = [(k.lower(), v.decode() if isinstance(v, bytes) else str(v)) for k, v in prepared.headers.items()]
    if not any(k == "host" for k, _ in headers):
        headers.insert(0, ("host", parts.netloc))
    body = prepared.body
    if body is None:
        body = b""
    elif isinstance(body, str):
        body = body.encode("utf-8")
    elif hasattr(body, "read"):
        body = body.read()
    return served(
        HttpRequest(
            method=prepared.method,
            raw_path=parts.path or "/",
            query_string=parts.query,
            headers=tuple(headers),
            body=bytes(body),
        )
    )


def replace_header(req: HttpRequest, name: str, value: str) -> HttpRequest:
    headers = tuple((n, value if n == name else v) for n, v in req.headers)
    return served(HttpRequest(req.method, req.raw_path, req.query_string, headers, req.body))


def with_(req: HttpRequest, **changes: object) -> HttpRequest:
    fields: dict[str, Any] = {
        "method": req.method,
        "raw_path": req.raw_path,
        "query_string": req.query_string,
        "headers": req.headers,
        "body": req.body,
    }
    fields.update(changes)
    return served(HttpRequest(**fields))


def flip_last_hex(sig: str) -> str:
    return sig[:-1] + ("0" if sig[-1] != "0" else "1")


# --- requests signed at SIGNED_AT whose signature is never checked (parse and check steps) ---

SIGNED_AT = datetime(2024, 2, 17, 17, 50, 39, tzinfo=UTC)
DATE = "20240217T175039Z"
CRED = "AKIDEXAMPLE/20240217/us-east-1/sts/aws4_request"
SIG = "0" * 64
GOOD = f"AWS4-HMAC-SHA256 Credential={CRED}, SignedHeaders=host;x-amz-date, Signature={SIG}"


def sts_request(auth: str | None = GOOD, date: str | None = DATE, query: str = "", **headers: str) -> HttpRequest:
    hs = [("host", "sts.amazonaws.com")]
    if date is not None:
        hs.append(("x-amz-date", date))
    if auth is not None:
        hs.append(("authorization", auth))
    hs.extend((k.replace("_", "-"), v) for k, v in headers.items())
    return HttpRequest("POST", "/", query, tuple(hs), b"Action=GetCallerIdentity&Version=2011-06-15")


S3CRED = "AKIDEXAMPLE/20240217/us-east-1/s3/aws4_request"
S3AUTH = (
    f"AWS4-HMAC-SHA256 Credential={S3CRED},SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature={SIG}"
)


def s3_request(auth: str | None = S3AUTH, **kw: str) -> HttpRequest:
    return sts_request(auth=auth, x_amz_content_sha256="UNSIGNED-PAYLOAD", **kw)


def presigned_s3(**params: str) -> HttpRequest:
    base = {
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": S3CRED.replace("/", "%2F"),
        "X-Amz-Date": DATE,
        "X-Amz-Expires": "3600",
        "X-Amz-SignedHeaders": "host",
        "X-Amz-Signature": SIG,
    }
    base.update(params)
    query = "&".join(f"{k}={v}" for k, v in base.items() if v != "-")
    return HttpRequest("GET", "/bucket/key", query, (("host", "s3.amazonaws.com"),))
