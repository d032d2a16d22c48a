"""The SigV4 canonical request and string to sign, rebuilt from the request as received."""

from __future__ import annotations

import hashlib
from urllib.parse import quote, unquote_to_bytes

from credmint.httpreq import HttpRequest, header_text
from credmint.sigv4.parse import split_query
from credmint.sigv4.signed import SignedRequest

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"

# Characters an S3 client may leave unencoded in a path and still sign as sent; anything else
# (a space, raw UTF-8 - only seen in test suites, never valid on the wire) is encoded the way
# every signer would have.
_S3_PATH_SAFE = "/%!$&'()*+,;=:@"


def remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4, plus the collapsing of empty segments that AWS services expect."""
    if not path:
        return "/"
    out: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if out:
                out.pop()
        elif segment and segment != ".":
            out.append(segment)
    first = "/" if path[0] == "/" else ""
    last = "/" if path[-1] == "/" and out else ""
    return first + "/".join(out) + last


def canonical_uri(raw_path: str, *, normalize: bool) -> str:
    """Non-S3: dot segments removed, then every segment encoded again (``%2F`` → ``%252F``).
    S3: the path as sent."""
    if raw_path == "/":
        return raw_path
    if normalize:
        return quote(remove_dot_segments(raw_path), safe="/")
    return quote(raw_path, safe=_S3_PATH_SAFE) if raw_path else "/"


def _encode_component(raw: str) -> str:
    # Decoding first then encoding once makes "a%2a", "a*" and "a%2A" all sign as "a%2A".
    # A "+" is decoded as the space it means to every reader of the query (the S3 router,
    # the Query form decoder): signed as "%2B" it would let "a+b" and "a%2Bb" share one
    # signature while meaning "a b" and "a+b".
    if "+" in raw:
        raw = raw.replace("+", "%20")
    return quote(unquote_to_bytes(raw), safe="-_.~")


def canonical_query(query_string: str, *, drop_signature: bool) -> str:
    if not query_string:
        return ""
    pairs = []
    for name, value in split_query(query_string):
        cname = _encode_component(name)
        if drop_signature and cname == "X-Amz-Signature":
            continue
        pairs.append((cname, _encode_component(value)))
    pairs.sort()
    return "&".join(f"{n}={v}" for n, v in pairs)


def canonical_headers(req: HttpRequest, signed_headers: tuple[str, ...]) -> str:
    """``name:trimall(value)\n`` for each signed header, repeated headers joined with ``,``.

    ``signed_headers`` are lower-case (parse_auth makes them so), as are HttpRequest's names.
    """
    index = req.header_index
    # One pass in C over every value (the index holds each value, repeated ones joined).
    values = index.values() if index is not None else [value for _, value in req.headers]
    if not "".join(values).isascii():
        return _canonical_headers_raw(req, signed_headers)
    if index is not None and len(index) == len(req.headers):
        # No repeated header names (the usual case): look the signed ones up.
        return "".join(
            [
                f"{name}:{' '.join(value.split())}\n" if (value := index.get(name)) is not None else f"{name}:\n"
                for name in dict.fromkeys(signed_headers)
            ]
        )
    found: dict[str, str | None] = dict.fromkeys(signed_headers)
    for name, value in req.headers:
        if name in found:
            trimmed = " ".join(value.split())
            prev = found[name]
            found[name] = trimmed if prev is None else f"{prev},{trimmed}"
    return "".join([f"{name}:{value or ''}\n" for name, value in found.items()])


def _canonical_headers_raw(req: HttpRequest, signed_headers: tuple[str, ...]) -> str:
    """canonical_headers for a request with a non-ASCII header value: each value as the
    client's text (:func:`header_text`), so the canonical request hashes the bytes received."""
    found: dict[str, str | None] = dict.fromkeys(signed_headers)
    for name, value in req.headers:
        if name in found:
            trimmed = " ".join(header_text(value).split())
            prev = found[name]
            found[name] = trimmed if prev is None else f"{prev},{trimmed}"
    return "".join([f"{name}:{value or ''}\n" for name, value in found.items()])


def canonical_request(req: HttpRequest, signed: SignedRequest, *, normalize_path: bool, payload_hash: str) -> str:
    raw_path = req.raw_path
    query = req.query_string
    return "\n".join(
        (
            req.method,
            # "/" and no query (every Query POST) need no canonicalising.
            raw_path if raw_path == "/" else canonical_uri(raw_path, normalize=normalize_path),
            canonical_query(query, drop_signature=signed.presigned) if query else "",
            canonical_headers(req, signed.signed_headers),
            signed.signed_headers_raw,
            payload_hash,
        )
    )


def string_to_sign(signed: SignedRequest, canonical_request: str) -> str:
    digest = hashlib.sha256(canonical_request.encode("utf-8", "surrogateescape")).hexdigest()
    return f"AWS4-HMAC-SHA256\n{signed.amz_date}\n{signed.scope}\n{digest}"
