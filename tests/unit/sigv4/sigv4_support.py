"""Helpers shared by the SigV4 tests: turning test-suite files and botocore requests into HttpRequests."""

from __future__ import annotations

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
