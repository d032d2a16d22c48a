"""The flat parameters of an AWS Query request (STS, IAM), from the query string or form body."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote_plus

from credmint import errors
from credmint.httpreq import HttpRequest

# A '%' not followed by two hex digits: Java's URLDecoder (which AWS's front end behaves
# like) rejects these instead of passing them through as Python's decoders do.
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"

#: Parameters a request may carry, query string and body together. The largest requests
#: the Query services take (IAM's SimulatePrincipalPolicy with its lists, tags, policy ARNs)
#: carry a few hundred; a body of a million tiny parameters, signed or not, would hold the
#: event loop for seconds while it is split and decoded. Past the bound, the request is
#: refused as an oversized one (AWS's front-end 413).
MAX_PARAMETERS = 10_000


def _check_escapes(text: str) -> None:
    m = _BAD_ESCAPE.search(text)
    if m is None:
        return
    pos = m.start()
    # Fewer than two characters left after the '%' is Java's "Incomplete trailing escape".
    raise errors.MalformedQueryString(text[pos : pos + 3])


def _decode(part: str) -> str:
    # Fast path: most names and many values need no decoding at all.
    if "%" not in part and "+" not in part:
        return part
    if len(part) <= _CACHED_PART_CHARS:
        return _decode_short(part)
    return unquote_plus(part, encoding="utf-8", errors="replace")


#: Escaped parts up to this long are decoded once and remembered: the same role ARNs,
#: session names and policy ARNs come back request after request, and ``unquote_plus``
#: is a Python loop over the escapes. The bound on length and count bounds the memory.
_CACHED_PART_CHARS = 256


@lru_cache(maxsize=1024)
def _decode_short(part: str) -> str:
    return unquote_plus(part, encoding="utf-8", errors="replace")


def parse_pairs(text: str, into: dict[str, str]) -> None:
    """Add the ``name=value`` pairs of ``text`` to ``into``; the first occurrence of a name wins."""
    if not text:
        return
    if "%" in text:
        _check_escapes(text)
    # The usual request (Action=...&Version=...) escapes nothing and needs no decoding.
    escaped = "%" in text or "+" in text
    for pair in text.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        if escaped:
            name, value = _decode(name), _decode(value)
        # AWS keeps the first of repeated parameters (Action, Version and operation
        # parameters alike) [obs §1.1]; a plain dict update would keep the last.
        if name not in into:
            into[name] = value


def is_form(content_type: str | None) -> bool:
    """Whether a Content-Type is the form encoding (parameters such as ``; charset=utf-8`` allowed)."""
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() == FORM_CONTENT_TYPE


def parse_form(req: HttpRequest, max_body: int) -> dict[str, str]:
    """The request's Query parameters: the query string, then a form-encoded POST body.

    A body longer than ``max_body`` is AWS's front-end ``413`` with an empty body. Both the
    query string and the body are read (query string first) and the first occurrence of a
    name wins across both; a POST whose Content-Type is not the form encoding contributes
    only its query string (the server answers AWS's ``302`` for that case before us).
    """
    if len(req.body) > max_body:
        raise errors.RequestEntityTooLarge()
    # Counted before anything is split: str.count runs at memory speed.
    query, body = req.query_string, req.body
    if (query.count("&") + 1 if query else 0) + (body.count(b"&") + 1 if body else 0) > MAX_PARAMETERS:
        raise errors.RequestEntityTooLarge()
    params: dict[str, str] = {}
    if req.query_string:
        parse_pairs(req.query_string, params)
    if req.body and req.method == "POST" and is_form(req.header("content-type")):
        # Percent-escapes carry UTF-8; raw non-ASCII bytes are tolerated the same way.
        parse_pairs(req.body.decode("utf-8", "replace"), params)
    return params
